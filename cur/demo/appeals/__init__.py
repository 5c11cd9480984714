"""Demo appeals for development: a few thousand plausible appeals of Рязанская область over the last
18 months, in every status, with their timelines, a few incidents and repeat appeals.

Each appeal is simulated the way the services would have moved it (register → classify → assign → …
→ close, with the deadline sweep's reminders, overdue marks and escalations in between), then the
rows are written with bulk_create — 3,000 appeals in a few seconds instead of minutes through the
services. The seed data sets fields directly; the simulation keeps the same invariants as the
services (one AppealEvent per change with from/to status and before/after values).

Idempotent: demo appeals carry external_id «demo-N»; if any exists, nothing is created.

- `distributions`: how the appeals spread over channels, topics, seasons, hours, final statuses;
- `texts`: citizens' messages, answers and comments (data);
- `simulation`: one appeal's fields and timeline (`Sim`) and the demo region (`Context`);
- `plan`: the steps to an appeal's final status;
- `seed`: incidents, repeats, the bulk writes and `seed_appeals_demo`.
"""

from .seed import demo_appeals_exist, seed_appeals_demo

__all__ = ["demo_appeals_exist", "seed_appeals_demo"]
