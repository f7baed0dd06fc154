// The chair's live tally: every message is a full snapshot, so a dropped
// socket only needs to reconnect.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.io) return;
  var t = JSON.parse(document.getElementById("chair-i18n").textContent);
  var rule = JSON.parse(document.getElementById("chair-rule").textContent);
  var locale = document.documentElement.lang;

  function pct(s) { return locale === "vi" ? s.replace(".", ",") : s; }

  // The chair's own form (close, lock…) is on its way: its answer brings the new page
  // and its message. Reloading as well would race it, and the loser would swallow the
  // "ballot closed" notice (seen as a flaky browser test under load).
  var submitting = false;
  document.addEventListener("submit", function (e) {
    if (!e.defaultPrevented) submitting = true;
  });
  function statusChanged(s) {
    if (s.status === root.dataset.status) return false;
    if (!submitting) window.location.reload();
    return true;
  }

  function doubleScans(s) {
    var box = root.querySelector("[data-double-scans]");
    if (!box || s.double_scans === undefined) return;
    box.hidden = !s.double_scans;
    if (s.double_scans) {
      box.querySelector("[data-double-scans-text]").textContent = t.doubles.replace("{n}", s.double_scans);
    }
  }

  function render(s) {
    if (statusChanged(s)) return;
    doubleScans(s);
    root.querySelectorAll("[data-received]").forEach(function (el) { el.textContent = s.received; });
    root.querySelectorAll("[data-progress]").forEach(function (el) { el.value = s.received; });
    if (s.votes_needed !== undefined && s.votes_needed !== null) {
      root.querySelector("[data-needed]").textContent = s.votes_needed;
    }
    if (!s.positions) return;
    var pub = root.querySelector("[data-published]");
    // Nothing per-candidate is visible yet (fewer than 2k ballots): dashes, not zeros.
    if (pub) pub.textContent = s.visible ? "(" + t.published.replace("{n}", s.published_received) + ")" : "";
    s.positions.forEach(function (p) {
      var table = root.querySelector('table[data-position="' + p.id + '"]');
      if (!table) return;
      p.candidates.forEach(function (c) {
        var row = table.querySelector('tr[data-candidate="' + c.id + '"]');
        if (!row) return;
        var verdict = row.querySelector("[data-passes] .verdict");
        if (c.agree === null) {
          row.querySelector("[data-agree]").textContent = "–";
          row.querySelector("[data-percent]").textContent = "–";
          verdict.textContent = "–";
          verdict.className = "verdict";
          return;
        }
        row.querySelector("[data-agree]").textContent = c.agree;
        row.querySelector("[data-percent]").textContent = pct(c.percent) + "%";
        verdict.textContent = c.passes ? (rule.removal ? t.removal : t.pass)
                                       : (rule.removal ? t.keep : t.fail);
        verdict.className = "verdict " + (c.passes ? "pass" : "fail");
      });
    });
  }

  var socket = window.io({ auth: { conference: root.dataset.conference, view: "chair" } });
  socket.on("tally", render);
  socket.on("turnout", function (s) {
    if (statusChanged(s)) return;
    root.querySelectorAll("[data-received]").forEach(function (el) { el.textContent = s.received; });
    root.querySelectorAll("[data-progress]").forEach(function (el) { el.value = s.received; });
  });
})();
