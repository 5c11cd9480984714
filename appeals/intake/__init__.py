"""How appeals come in: by hand (the operator's form), by file (CSV/XLSX import), from source systems
through `appeals.api` (REST and Open311) with the keys of integration sources kept here — all
registered idempotently on (channel, external_id)."""
