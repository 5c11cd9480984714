"""How appeals come in: by hand (the operator's form), by file (CSV/XLSX import), from source systems
(REST API in `appeals.api`, Open311 here) — all registered idempotently on (channel, external_id)."""
