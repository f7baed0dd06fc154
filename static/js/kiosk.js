// Kiosk: one QR at a time. The server keeps no hand-out state: the page says which
// slip it shows; the server keeps it while unused, else (or on "next") picks another
// unused slip at random. So a restart or another server process changes nothing here.
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var current = null;

  function render(state) {
    current = state.token_id;
    root.dataset.tokenId = current || "";  // the slip shown, as the server knows it by
    root.querySelector("[data-remaining]").textContent = state.remaining;
    var qr = root.querySelector("[data-qr]");
    var empty = !state.qr;
    root.querySelector("[data-empty]").hidden = !empty;
    root.querySelector("[data-next-wrap]").hidden = empty;
    // The SVG comes from our own server-side QR encoder.
    qr.innerHTML = state.qr || "";
    root.querySelector("[data-code]").textContent = state.code || "";
  }

  function answer(r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }

  function refresh() {
    var url = root.dataset.stateUrl;
    if (current) url += "?token_id=" + encodeURIComponent(current);
    fetch(url, { credentials: "same-origin" })
      .then(answer)
      .then(function (state) {
        if (state.token_id !== current || !state.qr) render(state);
        else root.querySelector("[data-remaining]").textContent = state.remaining;
      })
      .catch(function () { /* keep the current QR; try again on the next tick */ });
  }

  root.querySelector("[data-next]").addEventListener("click", function () {
    fetch(root.dataset.nextUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ token_id: current })
    }).then(answer).then(render).catch(function () { /* the next tick tries again */ });
  });

  refresh();
  if (window.io) {
    var socket = window.io({ auth: { conference: root.dataset.conference, view: "projector" } });
    socket.on("turnout", refresh);
  }
  setInterval(refresh, 3000);
})();
