// The booth: one shared browser, many voters. Nothing of one voter may reach the next:
// every move replaces the current history entry (history.length never grows), the
// screen returns to the neutral start after a vote or an idle spell, and nothing is
// written to storage or offered by autofill.
(function () {
  "use strict";
  var root = document.querySelector("[data-booth-start]");
  if (!root) return;
  var start = root.dataset.boothStart;
  var idleMs = parseInt(root.dataset.boothIdle || "90", 10) * 1000;
  var doneMs = parseInt(root.dataset.boothDone || "10", 10) * 1000;

  function reset() { window.location.replace(start); }

  // The start screen: type (or scan) the slip, then replace this entry with the ballot.
  var slip = document.getElementById("booth-form");
  if (slip) {
    slip.addEventListener("submit", function (ev) {
      var typed = slip.querySelector("input[name=code]").value.trim();
      if (!typed) return;
      ev.preventDefault();
      if (typed.indexOf("/v/") >= 0) typed = typed.split("/v/").pop();
      slip.reset();
      window.location.replace(root.dataset.boothBallot + encodeURIComponent(typed));
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
