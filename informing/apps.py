from django.apps import AppConfig


class InformingConfig(AppConfig):
    name = "informing"
    verbose_name = "ИНФОЦУР"
