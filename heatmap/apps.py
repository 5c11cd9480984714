from django.apps import AppConfig


class HeatmapConfig(AppConfig):
    name = "heatmap"
    verbose_name = "Тепловая карта"

    def ready(self) -> None:
        from appeals.signals import appeals_changed

        from .receivers import on_appeals_changed

        appeals_changed.connect(on_appeals_changed, dispatch_uid="heatmap.rollup")
