// Polls an import's status every second (URL in the progress element's data-status-url); reloads the
// page once the import is finished to show the row tables.
(function () {
  "use strict";
  const progress = document.getElementById("import-progress");
  if (!progress || !progress.dataset.statusUrl) return;
  const url = progress.dataset.statusUrl;
  const bar = document.getElementById("import-progress-bar");
  function set(id, value) { document.getElementById(id).textContent = value; }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 1000); return; }
        bar.style.width = s.percent + "%";
        bar.textContent = s.percent + "%";
        progress.setAttribute("aria-valuenow", s.percent);
        set("import-status", s.status_display);
        set("processed-rows", s.processed_rows);
        set("total-rows", s.total_rows);
        set("created-count", s.created_count);
        set("existing-count", s.existing_count);
        set("error-count", s.error_count);
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
