// plotly.js-locales ships each locale as a CommonJS module (`module.exports = {...}`), not as a browser
// script. This gives the next <script> (the locale) a `module` to fill; static/cur/plotly-locale.js takes
// the locale from it, registers it with plotly.js and removes the global again (no inline script: the CSP).
window.module = {exports: {}};
