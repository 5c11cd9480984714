"""Appeals (обращения): intake from every channel, classification and routing, deadlines, answers and
their quality, incidents, personal data (DESIGN §1, §4).

The app's public face, at the top: `models`, `services` (every write), `selectors` (every read),
`tasks` (Celery; names `appeals.tasks.*` are used by beat and stored in queued messages), `signals`,
`errors`, `admin`, `filters` (the lists' query language, shared by pages, API and admin), `urls` and
`api_urls`. Other apps use these and nothing below them, except moderation (intake formats and rows,
the gazetteer and the classifier).

- `intake/` — how appeals come in: the operator's registration form and page, file import (`formats`
  → `rows` → `bulk`, run by `importing`, reported by `report`; pages in `views`, `urls`) and the keys
  of integration sources (`integration`), with which source systems use `api/`;
- `workflow/` — deadlines: the working-day calendar (`deadlines`) and the beat sweep of reminders,
  overdue marks and escalation (`sweep`);
- `classification/` — the classifier (`text`, `model`, `datasets`, `training`, `registry`,
  `protocol`; stored models pickle classes of `model`, so these modules stay where they are), the
  pipeline around it (`pipeline`: classify, route, requeue, retrain), near-duplicates and incidents
  (`duplicates`), places in texts (`gazetteer`) and the classifier page (`views`);
- `privacy/` — personal data of applicants: the access log (`access_log`, its pages `views`,
  `urls`) and erasure after the retention period (`retention`);
- `views/` — the pages of appeals in work: lists, queue and bulk actions (`lists`), the appeal page
  (`appeal`), its actions (`actions`), incidents (`incidents`), list exports (`exports`), their
  forms (`forms`) and what they share (`base`);
- `api/` — the machine interfaces: the REST API (`fields`, `serializers`, `batch` intake, `viewsets`)
  and Open311 GeoReport v2 (`open311`, `open311_urls`);
- `management/commands/`, `migrations/`, `data/` (topics and places of Рязанская область).
"""
