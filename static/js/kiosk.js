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

  // One request at a time: at start the first tick and the socket's first "turnout"
  // both ask, and two answers to "no slip shown yet" are two different random slips.
  // A request that started before a newer render is stale and dropped.
  var busy = false, again = false, generation = 0;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var started = generation;
    var url = root.dataset.stateUrl;
    if (current) url += "?token_id=" + encodeURIComponent(current);
    fetch(url, { credentials: "same-origin" })
      .then(answer)
      .then(function (state) {
        if (started !== generation) return;
        if (state.token_id !== current || !state.qr) show(state);
        else root.querySelector("[data-remaining]").textContent = state.remaining;
      })
      .catch(function () { /* keep the current QR; try again on the next tick */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function show(state) {
    generation += 1;
    render(state);
  }

  root.querySelector("[data-next]").addEventListener("click", function () {
    fetch(root.dataset.nextUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ token_id: current })
    }).then(answer).then(show).catch(function () { /* the next tick tries again */ });
  });

  refresh();
  if (window.io) {
    var socket = window.io({ auth: { conference: root.dataset.conference, view: "projector" } });
    socket.on("turnout", refresh);
  }
  setInterval(refresh, 3000);
})();
