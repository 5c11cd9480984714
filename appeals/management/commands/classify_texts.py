"""`python manage.py classify_texts --input IN.csv --text-column C --output OUT.csv [--version V]`.

Writes the input with three more columns: `sector` (sector block code), `topic` (topic code) and
`confidence` (the sector's probability). The output keeps the input's encoding (UTF-8 or cp1251)
and separator, so a file from Excel opens in Excel again.
"""

from django.core.management.base import BaseCommand, CommandError

from appeals.classification import datasets
from appeals.classification.registry import load_model

from .evaluate_classifier import find_version

CHUNK = 5_000


class Command(BaseCommand):
    help = "Классификация текстов из CSV: добавляет столбцы sector, topic, confidence."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names a classifier version; Django's own --version (its release) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="исходный CSV")
        parser.add_argument("--text-column", required=True, help="столбец с текстом")
        parser.add_argument("--output", required=True, help="куда записать результат")
        parser.add_argument("--version", help="версия (имя или id); по умолчанию активная")

    def handle(self, *args, input, text_column, output, version, **options):
        try:
            frame, encoding, sep = datasets.read_table_format(input)
        except FileNotFoundError as exc:
            raise CommandError(f"Файл не найден: {input}") from exc
        if text_column not in frame.columns:
            raise CommandError(f"Нет столбца «{text_column}»; есть: {', '.join(frame.columns)}.")
        chosen = find_version(version)
        model = load_model(chosen)
        texts = frame[text_column].tolist()
        sectors, topics, confidences = [], [], []
        for start in range(0, len(texts), CHUNK):
            for sector, confidence, topic, _ in model.predict(texts[start : start + CHUNK]):
                sectors.append(sector or "")
                topics.append(topic or "")
                confidences.append(round(confidence, 4))
        for name in ("sector", "topic", "confidence"):
            if name in frame.columns:
                self.stderr.write(self.style.WARNING(f"Столбец «{name}» уже был во входном файле: он перезаписан."))
        frame["sector"], frame["topic"], frame["confidence"] = sectors, topics, confidences
        frame.to_csv(output, sep=sep, index=False, encoding=encoding, errors="replace")
        self.stdout.write(
            self.style.SUCCESS(f"Классифицировано строк: {len(frame)} (версия {chosen.version}) → {output}")
        )
