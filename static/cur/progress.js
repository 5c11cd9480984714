// Bootstrap progress bars without inline style attributes (the CSP forbids them): the bar's width
// comes from its data-progress (0–100) and is set through the CSSOM, which the CSP allows.
(function () {
  "use strict";
  document.querySelectorAll(".progress-bar[data-progress]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
  });
})();
