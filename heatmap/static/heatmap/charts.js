// Draw the plotly figures of a heat map page. A figure is a JSON script element whose id is the chart
// element's id + "-figure"; points that carry a URL in customdata open it on click (the appeals behind
// a district or a matrix cell). plotly.js and its empty base-map topology are our own static files.
(function () {
  "use strict";
  const topojson = document.querySelector("meta[name=heatmap-topojson]");
  const config = {displaylogo: false, responsive: true, locale: "ru", modeBarButtonsToRemove: ["select2d", "lasso2d"]};
  if (topojson) {
    const url = topojson.content;
    config.topojsonURL = url.slice(0, url.lastIndexOf("/") + 1);
  }
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    const source = document.getElementById(el.id + "-figure");
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.dataset.ready = "1";
    });
    el.on("plotly_click", function (event) {
      const point = event.points && event.points[0];
      const url = point && point.customdata;
      if (typeof url === "string" && url.startsWith("/")) window.location.href = url;
    });
  });
})();
