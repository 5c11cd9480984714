from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save


class CurConfig(AppConfig):
    name = "cur"
    verbose_name = "Ядро ЦУР"

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from .admin_audit import copy_log_entry
        from .sqlite import install_unicode_like

        post_save.connect(copy_log_entry, sender=LogEntry, dispatch_uid="cur.admin_audit")

        connection_created.connect(install_unicode_like, dispatch_uid="cur.sqlite.unicode_like")
