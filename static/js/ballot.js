// The phone ballot: quota counter, review, idempotent submit with retries,
// and live "closed" notice. Nothing is kept in browser storage: a phone's receipt
// comes back on a reload from a cookie its cast's answer sets (scoped to the slip's
// own path, never at the booth), so this script needs no storage of its own.
//
// ES5 only, for old phones: no NodeList.forEach, no Element.closest, no arrow
// functions, no classList.toggle(name, force). Without this script (or if it fails on
// an old engine) the form still works: the server shows the review, then casts.
(function () {
  "use strict";
  var root = document.getElementById("ballot");
  var form = document.getElementById("ballot-form");
  if (!root || !form) return;  // the server-side review page needs no script
  var t = JSON.parse(document.getElementById("ballot-i18n").textContent);
  var review = document.getElementById("review");
  var done = document.getElementById("done");
  var banner = document.getElementById("live-status");
  var sending = false;
  var finished = false;
  // Set when an attempt may have reached the server although no answer came back
  // (timeout, reset connection or a 5xx while online): a later "already recorded"
  // is then this phone's own ballot, not somebody else's use of the slip.
  var mayHaveArrived = false;

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i], i);
  }
  function toArray(list) {
    var out = [];
    each(list, function (item) { out.push(item); });
    return out;
  }
  function setClass(el, name, on) {
    var has = (" " + el.className + " ").indexOf(" " + name + " ") !== -1;
    if (on && !has) el.className += " " + name;
    if (!on && has) el.className = (" " + el.className + " ").replace(" " + name + " ", " ").replace(/^\s+|\s+$/g, "");
  }
  function ancestor(el, className) {
    while (el && el !== document) {
      if ((" " + el.className + " ").indexOf(" " + className + " ") !== -1) return el;
      el = el.parentNode;
    }
    return null;
  }
  function signal(name) {
    var ev;
    if (typeof window.CustomEvent === "function") {
      ev = new window.CustomEvent(name);
    } else {
      ev = document.createEvent("CustomEvent");
      ev.initCustomEvent(name, false, false, null);
    }
    document.dispatchEvent(ev);
  }

  function show(el) { el.hidden = false; }
  function hide(el) { el.hidden = true; }
  function say(text, kind) {
    banner.textContent = text;
    banner.className = "banner" + (kind ? " banner-" + kind : "");
    banner.hidden = !text;
    if (text && kind === "error") banner.scrollIntoView(false);
  }

  function positions() { return toArray(form.querySelectorAll("fieldset.position")); }

  function agreed(fs) {
    return toArray(fs.querySelectorAll('input[value="agree"]:checked'));
  }

  function updateCounter(fs) {
    var quota = parseInt(fs.getAttribute("data-quota"), 10) || 0;
    var count = agreed(fs).length;
    var out = fs.querySelector("[data-count]");
    if (out) out.textContent = String(count);
    if (!quota) return;
    var full = count >= quota;
    each(fs.querySelectorAll('input[value="agree"]'), function (input) {
      // Stop agreement beyond the quota: such a paper ballot would be invalid.
      input.disabled = full && !input.checked;
    });
    var note = fs.querySelector("[data-quota-note]");
    if (note) note.hidden = !full;
    setClass(fs, "is-full", full);
  }

  each(positions(), function (fs) {
    fs.addEventListener("change", function () { updateCounter(fs); });
    updateCounter(fs);
  });

  function choices() {
    var out = {};
    each(positions(), function (fs) {
      out[fs.getAttribute("data-key")] = agreed(fs).map(function (input) {
        return input.name.split(".")[1];
      });
    });
    return out;
  }

  function renderReview() {
    var list = document.getElementById("review-list");
    list.textContent = "";
    each(positions(), function (fs) {
      var box = document.createElement("div");
      box.className = "review-position";
      var h = document.createElement("h3");
      h.textContent = fs.querySelector(".position-name").textContent;
      box.appendChild(h);
      var names = agreed(fs).map(function (input) {
        return ancestor(input, "candidate").querySelector(".cand-name").textContent;
      });
      var p = document.createElement("p");
      p.className = "muted small";
      p.textContent = t.agree_with + ":";
      box.appendChild(p);
      var ul = document.createElement("ul");
      each(names.length ? names : [t.nobody], function (n) {
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
    // To the review itself, not the page's top: its buttons stay on screen (they are
    // sticky at the bottom of the review), so "Cast my ballot" is in view at once.
    review.scrollIntoView(true);
    var title = document.getElementById("js-review-title");
    try { title.focus({ preventScroll: true }); } catch (e) { title.focus(); }
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
    done.scrollIntoView(true);
    document.getElementById("done-title").focus();
    // Forget the choices: nothing of this ballot stays in the page.
    form.reset();
    signal("ballot:done");
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
    form.reset();
    var text = {
      already_recorded: t.already, ballot_closed: t.closed, token_void: t.void,
      slip_taken: t.taken
    }[code] || t.error;
    // Never green: whatever the reason, this phone's ballot was not recorded.
    say(text, "error");
    signal("ballot:done");
  }

  function send(body, attempt) {
    say(attempt ? t.retrying : t.sending, "info");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", root.getAttribute("data-cast-url"));
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
    send(JSON.stringify({ token: root.getAttribute("data-credential"), choices: choices() }), 0);
  });

  // The live "closed" notice needs the Socket.IO client: 15 KB the ballot itself does
  // not, so it comes after the ballot works (first paint and marking do not wait for it).
  function live() {
    var socket = window.io({ auth: { conference: root.getAttribute("data-conference"), view: "ballot" },
                             transports: ["websocket", "polling"] });
    socket.on("turnout", function (s) {
      if (s.status !== "open" && !finished && !sending) {
        finished = true;
        hide(form); hide(review);
        form.reset();
        // The voter's choices were never sent: say so plainly, not just "closed".
        say(t.closed_live, "error");
      }
    });
  }
  if (window.io) {
    live();
  } else if (root.getAttribute("data-socketio")) {
    var client = document.createElement("script");
    client.src = root.getAttribute("data-socketio");
    client.onload = function () { if (window.io) live(); };
    document.body.appendChild(client);
  }
})();
