// The phone ballot: quota counter, review, idempotent submit with retries,
// and live "closed" notice. Nothing is kept in browser storage.
(function () {
  "use strict";
  var root = document.getElementById("ballot");
  if (!root) return;
  var t = JSON.parse(document.getElementById("ballot-i18n").textContent);
  var form = document.getElementById("ballot-form");
  var review = document.getElementById("review");
  var done = document.getElementById("done");
  var banner = document.getElementById("live-status");
  var sending = false;
  var finished = false;
  // Set when an attempt may have reached the server although no answer came back
  // (timeout, reset connection or a 5xx while online): a later "already recorded"
  // is then this phone's own ballot, not somebody else's use of the slip.
  var mayHaveArrived = false;

  function show(el) { el.hidden = false; }
  function hide(el) { el.hidden = true; }
  function say(text, kind) {
    banner.textContent = text;
    banner.className = "banner" + (kind ? " banner-" + kind : "");
    banner.hidden = !text;
  }

  function positions() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.position")); }

  function agreed(fs) {
    return Array.prototype.slice.call(fs.querySelectorAll('input[value="agree"]:checked'));
  }

  function updateCounter(fs) {
    var quota = parseInt(fs.dataset.quota, 10) || 0;
    var count = agreed(fs).length;
    var out = fs.querySelector("[data-count]");
    if (out) out.textContent = String(count);
    if (!quota) return;
    var full = count >= quota;
    fs.querySelectorAll('input[value="agree"]').forEach(function (input) {
      // Stop agreement beyond the quota: such a paper ballot would be invalid.
      input.disabled = full && !input.checked;
    });
    var note = fs.querySelector("[data-quota-note]");
    if (note) note.hidden = !full;
    fs.classList.toggle("is-full", full);
  }

  positions().forEach(function (fs) {
    fs.addEventListener("change", function () { updateCounter(fs); });
    updateCounter(fs);
  });

  function choices() {
    var out = {};
    positions().forEach(function (fs) {
      out[fs.dataset.key] = agreed(fs).map(function (input) {
        return input.name.split(".")[1];
      });
    });
    return out;
  }

  function renderReview() {
    var list = document.getElementById("review-list");
    list.textContent = "";
    positions().forEach(function (fs) {
      var box = document.createElement("div");
      box.className = "review-position";
      var h = document.createElement("h3");
      h.textContent = fs.querySelector(".position-name").textContent;
      box.appendChild(h);
      var names = agreed(fs).map(function (input) {
        return input.closest(".candidate").querySelector(".cand-name").textContent;
      });
      var p = document.createElement("p");
      p.className = "muted small";
      p.textContent = t.agree_with + ":";
      box.appendChild(p);
      var ul = document.createElement("ul");
      (names.length ? names : [t.nobody]).forEach(function (n) {
        var li = document.createElement("li");
        li.textContent = n;
        ul.appendChild(li);
      });
      box.appendChild(ul);
      list.appendChild(box);
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (finished) return;
    renderReview();
    hide(form);
    show(review);
    document.getElementById("review-title").focus();
    window.scrollTo(0, 0);
  });

  document.getElementById("edit-button").addEventListener("click", function () {
    hide(review);
    show(form);
  });

  function finish(receipt) {
    finished = true;
    hide(form); hide(review);
    document.getElementById("receipt-code").textContent = receipt;
    show(done);
    say("", "");
    document.getElementById("done-title").focus();
    // Forget the choices: nothing of this ballot stays in the page.
    form.reset();
    document.dispatchEvent(new CustomEvent("ballot:done"));
  }

  function recordedUnconfirmed() {
    finished = true;
    hide(form); hide(review);
    form.reset();
    say(t.recorded_unconfirmed, "ok");
  }

  function refuse(code) {
    finished = true;
    hide(form); hide(review);
    var text = {
      already_recorded: t.already, ballot_closed: t.closed, token_void: t.void
    }[code] || t.error;
    say(text, code === "already_recorded" ? "ok" : "error");
    document.dispatchEvent(new CustomEvent("ballot:done"));
  }

  function send(body, attempt) {
    say(attempt ? t.retrying : t.sending, "info");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", root.dataset.castUrl);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.timeout = 15000;
    xhr.onload = function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201) return finish(data.receipt);
      if (xhr.status >= 500 || xhr.status === 0) {
        mayHaveArrived = true;
        return retry(body, attempt);
      }
      sending = false;
      var code = data.error ? data.error.code : "error";
      // A retry whose earlier attempt was recorded gets "already recorded":
      // the ballot is in, exactly once; only its receipt was lost.
      if (code === "already_recorded" && mayHaveArrived) return recordedUnconfirmed();
      refuse(code);
    };
    xhr.onerror = xhr.ontimeout = function () {
      if (navigator.onLine !== false) mayHaveArrived = true;
      retry(body, attempt);
    };
    xhr.send(body);
  }

  function retry(body, attempt) {
    var wait = Math.min(1000 * Math.pow(2, attempt), 8000);
    say(navigator.onLine === false ? t.offline : t.retrying, "warn");
    setTimeout(function () { send(body, attempt + 1); }, wait);
  }

  document.getElementById("send-button").addEventListener("click", function () {
    if (sending || finished) return;
    sending = true;
    this.disabled = true;
    send(JSON.stringify({ token: root.dataset.credential, choices: choices() }), 0);
  });

  if (window.io) {
    var socket = window.io({ auth: { conference: root.dataset.conference, view: "ballot" },
                             transports: ["websocket", "polling"] });
    socket.on("turnout", function (s) {
      if (s.status !== "open" && !finished && !sending) {
        finished = true;
        hide(form); hide(review);
        say(t.closed_live, "error");
      }
    });
  }
})();
