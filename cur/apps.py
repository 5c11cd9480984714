from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CurConfig(AppConfig):
    name = "cur"
    verbose_name = "Ядро ЦУР"

    def ready(self):
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="cur.sqlite.unicode_like")
