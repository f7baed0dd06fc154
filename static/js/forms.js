// Small page helpers: confirmations, "mark everyone present", the set-up form's rule
// line, print buttons.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  });
  document.querySelectorAll("[data-all-present]").forEach(function (button) {
    button.addEventListener("click", function () {
      button.form.querySelectorAll('input[type="radio"][value="yes"]').forEach(function (r) {
        r.checked = true;
      });
    });
  });
  // The set-up form: every step's rule is in the page; show the one of the step chosen.
  document.querySelectorAll("select.step-select").forEach(function (select) {
    function showRule() {
      document.querySelectorAll("[data-step-rule]").forEach(function (el) {
        el.hidden = el.getAttribute("data-step-rule") !== select.value;
      });
    }
    select.addEventListener("change", showRule);
    select.addEventListener("input", showRule);
    showRule();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
