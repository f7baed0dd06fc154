// Projector: turnout only while voting; reloads to show the result at close.
// The result is fitted to the screen: the server picks a type scale (fit-NN) from the
// number of rows; here the largest scale that leaves nothing below the screen's edge wins.
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root) return;

  function fits() {
    return document.documentElement.scrollHeight <= window.innerHeight &&
      document.documentElement.scrollWidth <= window.innerWidth;
  }
  function fit() {
    if (!root.classList.contains("showing-result")) return;
    var scale = 140;
    for (; scale > 40; scale -= 2.5) {
      root.style.setProperty("--fit", String(scale / 100));
      if (fits()) break;
    }
    document.documentElement.dataset.fitted = "1";
  }
  fit();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fit, 150);
  });

  if (!window.io) return;
  var socket = window.io({ auth: { conference: root.dataset.conference, view: "projector" } });
  socket.on("turnout", function (s) {
    if (s.status !== root.dataset.status) { window.location.reload(); return; }
    root.querySelectorAll("[data-received]").forEach(function (el) { el.textContent = s.received; });
    root.querySelectorAll("[data-progress]").forEach(function (el) { el.value = s.received; });
  });
})();
