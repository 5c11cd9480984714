"""The demo region of Рязанская область for development, seeded by `manage.py seed_demo`.

Demo data lives apart from the domain code (DESIGN §5). This package sits on top of every app: it is
the one place in the project allowed to import all of them (sectors, appeals, ratings, heatmap,
informing, moderation, portal), and no app imports it — only the `seed_demo` command, the tests and
the benchmarks do. In the order `seed_demo` runs them:

- `sectors`: territories, bodies and institutions, responsible persons (`seed_sectors_demo`);
- `users`: one demo user per role with its scope (`seed_demo_users`);
- `appeals`: a few thousand appeals with timelines, incidents, repeats (`seed_appeals_demo`);
- `ratings`: the last 12 months of rating runs (`seed_ratings_demo`);
- `heatmap`: population, rollup, problem points, polls (`seed_heatmap_demo`);
- `informing` and `moderation`: ИНФОЦУР content and incoming messages (`seed_informing_demo`);
- `portal`: reports, indicators, roadmaps, practices, trainings (`seed_portal_demo`).
"""
