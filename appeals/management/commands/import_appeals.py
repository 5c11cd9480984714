"""`python manage.py import_appeals PATH --format pos|incident_manager|generic --channel pos [--dry-run]`.

Runs the import synchronously (no Celery) and prints a Russian report with every bad row.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from appeals.intake.formats import FORMATS, ImportFileError
from appeals.intake.importing import import_file
from appeals.models import Appeal


class Command(BaseCommand):
    help = "Импорт обращений из файла CSV или XLSX (выгрузка ПОС, «Инцидент Менеджмент» или общий шаблон)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="путь к файлу .csv или .xlsx")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="формат файла")
        parser.add_argument(
            "--channel", default=Appeal.Channel.POS, choices=Appeal.Channel.values, help="канал обращений"
        )
        parser.add_argument("--dry-run", action="store_true", help="только проверить, ничего не записывать")
        parser.add_argument(
            "--max-problems", type=int, default=200, help="сколько ошибок и предупреждений вывести (по умолчанию 200)"
        )

    def handle(self, *args, path, format, channel, dry_run, max_problems, **options):
        started = time.monotonic()
        try:
            report, table = import_file(path, fmt=format, channel=channel, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise CommandError(f"Файл не найден: {path}") from exc
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started

        out = self.stdout
        out.write(f"Файл: {path} ({table.description}); формат: {FORMATS[format].label}; канал: {channel}.")
        if dry_run:
            out.write(self.style.WARNING("Пробный прогон: обращения не записаны."))
        created = "Будет создано" if dry_run else "Создано"
        out.write(f"Строк с данными: {report.total_rows}")
        out.write(self.style.SUCCESS(f"{created} обращений: {report.created_count}"))
        out.write(f"Уже были в системе: {report.existing_count}")
        out.write(f"Строк с ошибками: {report.error_count}")
        out.write(f"Предупреждений: {report.warning_count}")
        if report.unused_columns:
            out.write("Не используются столбцы: " + ", ".join(f"«{c}»" for c in report.unused_columns))
        rate = report.total_rows / elapsed if elapsed > 0 else 0
        out.write(f"Время: {elapsed:.1f} с ({rate:,.0f} строк/с)".replace(",", " "))
        for title, items, count, style in (
            ("Ошибки (строки не импортированы):", report.errors, report.error_count, self.style.ERROR),
            ("Предупреждения (строки импортированы):", report.warnings, report.warning_count, self.style.WARNING),
        ):
            if not items:
                continue
            out.write(style(title))
            shown = items[:max_problems]
            for item in shown:
                out.write(f"  строка {item['line']}: {item.get('error') or item.get('warning')}")
            if count > len(shown):
                out.write(f"  … и ещё {count - len(shown)}")
