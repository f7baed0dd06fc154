// The booth: one shared browser, many voters. Nothing of one voter may reach the next:
// the slip's code never enters an address (the browser's history would keep it), every
// move replaces the current history entry (history.length never grows), the screen
// returns to the neutral start after a vote or an idle spell, and nothing is written to
// storage or offered by autofill.
(function () {
  "use strict";
  var root = document.querySelector("[data-booth-start]");
  if (!root) return;
  var start = root.dataset.boothStart;
  var idleMs = parseInt(root.dataset.boothIdle || "90", 10) * 1000;
  var doneMs = parseInt(root.dataset.boothDone || "10", 10) * 1000;

  function reset() { window.location.replace(start); }

  // A page brought back from the back-forward cache may still hold a voter's ballot.
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) reset(); });

  // The start screen: the typed (or scanned) slip is POSTed by fetch, and its answer (the
  // ballot, or why it cannot vote) replaces this document in place. A form navigation
  // would add a history entry holding the code as POST data, which Back and "resubmit"
  // would send again for the next voter; fetch leaves no entry and, with no-store, no copy.
  var slip = document.getElementById("booth-form");
  if (slip) {
    var busy = false;
    slip.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var typed = slip.querySelector("input[name=code]").value.trim();
      if (!typed || busy) return;
      busy = true;
      var body = new URLSearchParams();
      body.set("code", typed);
      fetch(slip.action, {
        method: "POST", body: body, cache: "no-store", credentials: "omit",
        redirect: "error", referrerPolicy: "no-referrer",
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        slip.reset();
        document.open();
        document.write(html);
        document.close();
      }).catch(function () {
        // No answer: the voter may try again; nothing was opened.
        busy = false;
      });
    });
    return;
  }

  // Any other booth page (a ballot, a refusal): back to the start when idle or done.
  var idle = setTimeout(reset, idleMs);
  ["pointerdown", "keydown", "change", "scroll"].forEach(function (name) {
    document.addEventListener(name, function () {
      clearTimeout(idle);
      idle = setTimeout(reset, idleMs);
    }, true);
  });
  document.addEventListener("ballot:done", function () {
    clearTimeout(idle);
    setTimeout(reset, doneMs);
  });
  var back = document.getElementById("booth-reset");
  if (back) back.addEventListener("click", function (ev) { ev.preventDefault(); reset(); });
  if (root.dataset.boothRefused) setTimeout(reset, doneMs);
})();
