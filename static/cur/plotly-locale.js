// Registers the locale that the npm package plotly.js-locales defined (see commonjs-shim.js) and makes
// it plotly's default: Russian month names, «1 234,5», dates as 31.12.2026 in every chart of the page.
(function () {
  "use strict";
  const locale = window.module && window.module.exports;
  delete window.module;
  if (!window.Plotly || !locale || locale.moduleType !== "locale") return;
  Plotly.register(locale);
  Plotly.setPlotConfig({locale: locale.name});
})();
