from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Подготовка к `make run` в одном процессе: миграции, статические файлы и демо-данные "
        "(демо-данные загружаются в базу один раз)."
    )

    def handle(self, *args, **options):
        # One process instead of three: each start of Django here costs seconds (pandas, scikit-learn).
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed_demo", once=True, stdout=self.stdout)
