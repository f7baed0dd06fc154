// Projector: turnout only while voting; reloads to show the result at close.
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root || !window.io) return;
  var socket = window.io({ auth: { conference: root.dataset.conference, view: "projector" } });
  socket.on("turnout", function (s) {
    if (s.status !== root.dataset.status) { window.location.reload(); return; }
    root.querySelectorAll("[data-received]").forEach(function (el) { el.textContent = s.received; });
    root.querySelectorAll("[data-progress]").forEach(function (el) { el.value = s.received; });
  });
})();
