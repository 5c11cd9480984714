// Draws the plotly figures of a page without inline scripts (the CSP forbids them): an element
// <div data-plotly="some-figure"> gets the figure serialised by {{ figure|json_script:"some-figure" }}.
// Sets data-ready="1" on the element once drawn.
(function () {
  "use strict";
  const config = {displaylogo: false, responsive: true, locale: "ru"};
  document.querySelectorAll("[data-plotly]").forEach(function (el) {
    const source = document.getElementById(el.dataset.plotly);
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.dataset.ready = "1";
    });
  });
})();
