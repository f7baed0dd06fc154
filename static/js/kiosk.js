// Kiosk: one QR at a time; advances when that slip is used or on "next".
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var current = null;

  function render(state) {
    current = state.token_id;
    root.querySelector("[data-remaining]").textContent = state.remaining;
    var qr = root.querySelector("[data-qr]");
    var empty = !state.qr;
    root.querySelector("[data-empty]").hidden = !empty;
    root.querySelector("[data-next]").hidden = empty;
    // The SVG comes from our own server-side QR encoder.
    qr.innerHTML = state.qr || "";
    root.querySelector("[data-code]").textContent = state.code || "";
  }

  function refresh() {
    fetch(root.dataset.stateUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (state) { if (state.token_id !== current || !state.qr) render(state); })
      .catch(function () { /* keep the current QR; try again on the next tick */ });
  }

  root.querySelector("[data-next]").addEventListener("click", function () {
    fetch(root.dataset.nextUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ token_id: current })
    }).then(function (r) { return r.json(); }).then(render);
  });

  refresh();
  if (window.io) {
    var socket = window.io({ auth: { conference: root.dataset.conference, view: "projector" } });
    socket.on("turnout", refresh);
  }
  setInterval(refresh, 3000);
})();
