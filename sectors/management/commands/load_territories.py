from django.core.management.base import BaseCommand

from sectors.services_geo import DEFAULT_GEOJSON, load_region_territories


class Command(BaseCommand):
    help = "Загружает Рязанскую область и её муниципальные образования (коды ОКТМО, границы) из GeoJSON."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help=f"файл GeoJSON (по умолчанию {DEFAULT_GEOJSON})")

    def handle(self, *args, path=None, **options):
        counts = load_region_territories(path)
        self.stdout.write(
            self.style.SUCCESS(f"Территории загружены: создано {counts['created']}, обновлено {counts['updated']}.")
        )
