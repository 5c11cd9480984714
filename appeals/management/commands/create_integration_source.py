from django.core.management.base import BaseCommand, CommandError

from appeals.errors import AppealsError
from appeals.intake.integration import create_integration_source
from appeals.models import Appeal


class Command(BaseCommand):
    help = (
        "Создаёт источник интеграции (внешнюю систему) для одного канала и печатает его ключ. "
        "Ключ показывается один раз: в базе хранится только его хэш."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="название источника, например «Портал ПОС»")
        parser.add_argument(
            "--channel", required=True, choices=Appeal.Channel.values, help="канал обращений, которые он создаёт"
        )

    def handle(self, *args, name, channel, **options):
        try:
            source, raw_key = create_integration_source(name, channel, by=None)
        except AppealsError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Источник «{source.name}» (канал «{source.get_channel_display()}») создан.")
        )
        self.stdout.write("Ключ (сохраните его: повторно он не показывается):")
        self.stdout.write(raw_key)
