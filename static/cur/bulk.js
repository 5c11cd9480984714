// The bulk-action form of a queue (appeals, moderation): "select all", the count of selected rows,
// and the parameter fields shown only for the actions that need them (data-actions="assign …").
// With data-keys on the form, keyboard shortcuts too: j/k move, x selects, Enter opens, and each
// data-key-<letter>="<action>" on the form runs that action on the selection (or the current row).
(function () {
  "use strict";
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const rows = Array.prototype.slice.call(document.querySelectorAll(".message-row"));
  const checks = Array.prototype.slice.call(document.querySelectorAll(".row-check"));
  const all = document.getElementById("select-all");
  const counter = document.getElementById("selected-count");
  const action = form.querySelector("select[name=action]");
  let current = -1;
  function count() {
    const n = checks.filter(function (c) { return c.checked; }).length;
    counter.textContent = n ? "выбрано: " + n : "";
  }
  function toggle() {
    document.querySelectorAll(".bulk-param").forEach(function (el) {
      el.hidden = el.getAttribute("data-actions").split(" ").indexOf(action.value) < 0;
    });
  }
  if (all) {
    all.addEventListener("change", function () {
      checks.forEach(function (c) { c.checked = all.checked; });
      count();
    });
  }
  checks.forEach(function (c) { c.addEventListener("change", count); });
  if (action) { action.addEventListener("change", toggle); toggle(); }
  if (!("keys" in form.dataset)) return;

  function focusRow(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r) { r.classList.remove("table-active"); });
    rows[current].classList.add("table-active");
    rows[current].focus();
  }
  function selected() { return checks.some(function (c) { return c.checked; }); }
  function run(value) {
    if (!selected() && current >= 0) { checks[current].checked = true; }
    if (!selected()) return;
    action.value = value; toggle(); form.submit();
  }
  document.addEventListener("keydown", function (e) {
    const tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" && e.target.type !== "checkbox" || tag === "textarea" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) return;
    const bound = /^[a-z]$/.test(e.key) ? form.getAttribute("data-key-" + e.key) : null;
    if (e.key === "j") { focusRow(current + 1); e.preventDefault(); }
    else if (e.key === "k") { focusRow(current - 1); e.preventDefault(); }
    else if (e.key === "x" && current >= 0) { checks[current].checked = !checks[current].checked; count(); e.preventDefault(); }
    else if (e.key === "Enter" && current >= 0 && tag !== "input") { rows[current].querySelector(".row-link").click(); e.preventDefault(); }
    else if (bound) { run(bound); }
  });
})();
