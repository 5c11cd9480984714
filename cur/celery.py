import os

from celery import Celery

from . import broker  # noqa: F401 — registers the cur-filesystem:// transport of the embedded default

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")

app = Celery("cur")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
