"""`python manage.py anonymise_appeals [--dry-run] [--days N]`: the daily retention run by hand."""

from django.core.management.base import BaseCommand

from appeals.privacy import retention


class Command(BaseCommand):
    help = "Удаление персональных данных заявителей по истечении срока хранения."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="только сосчитать, ничего не менять")
        parser.add_argument("--days", type=int, help="срок хранения в днях (по умолчанию APPEAL_PD_RETENTION_DAYS)")

    def handle(self, *args, dry_run: bool, days: int | None, **options):
        cutoff = retention.retention_cutoff(days=days)
        if dry_run:
            count = retention.count_expired_appeals(days=days)
            self.stdout.write(f"Будут обезличены обращения, завершённые до {cutoff:%d.%m.%Y}: {count}.")
            return
        result = retention.anonymise_expired_appeals(days=days)
        self.stdout.write(
            f"Обезличено обращений: {result.appeals} (завершены до {cutoff:%d.%m.%Y}), "
            f"записей истории: {result.events + result.history_rows}, файлов импорта: {result.import_files}; "
            f"{result.seconds:.1f} с."
        )
