"""`python manage.py evaluate_classifier --csv PATH --text-column C --label-column L --label-map FILE
[--topic-label-column T [--topic-label-map FILE]] [--version V]`.

Classifies a labelled CSV with the active model (or version V) and prints accuracy, macro-F1 and a
per-class report as JSON.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from appeals.classification import datasets
from appeals.classification.datasets import LabelMapError
from appeals.classification.registry import active_version, load_model
from appeals.classification.training import evaluate
from appeals.models import ClassifierVersion


def find_version(name: str | None) -> ClassifierVersion:
    """The named version (by its name or id), or the active one; CommandError when there is none."""
    versions = ClassifierVersion.objects.defer("payload")
    if name:
        version = versions.filter(version=name).first()
        if version is None and name.isdigit():
            version = versions.filter(pk=int(name)).first()
        if version is None:
            raise CommandError(f"Нет версии классификатора «{name}».")
        return version
    version = active_version()
    if version is None:
        raise CommandError("Нет активной версии классификатора: обучите её (train_classifier) или укажите --version.")
    return version


class Command(BaseCommand):
    help = "Оценка классификатора на размеченном CSV: accuracy, macro-F1 и отчёт по классам (JSON)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names a classifier version; Django's own --version (its release) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="CSV-файл с текстами и метками")
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--label-column", required=True)
        parser.add_argument("--label-map", required=True, help="JSON-карта меток → отраслевой блок и тема")
        parser.add_argument("--topic-label-column")
        parser.add_argument("--topic-label-map")
        parser.add_argument("--version", help="версия (имя или id); по умолчанию активная")

    def handle(self, *args, **options):
        version = find_version(options["version"])
        try:
            examples, skipped = datasets.csv_examples(
                options["csv"], text_column=options["text_column"], label_column=options["label_column"],
                label_map=options["label_map"], topic_label_column=options["topic_label_column"],
                topic_label_map=options["topic_label_map"],
            )  # fmt: skip
        except (FileNotFoundError, LabelMapError) as exc:
            raise CommandError(str(exc)) from exc
        if not examples:
            raise CommandError(f"В файле нет строк с метками из карты (пропущено {skipped}).")
        metrics = evaluate(load_model(version), examples)
        result = {
            "version": version.version,
            "file": options["csv"],
            "rows": metrics["size"],
            "skipped_rows": skipped,
            "accuracy": metrics["sector_accuracy"],
            "macro_f1": metrics["sector_macro_f1"],
            "per_class": metrics["sector_report"],
            "calibration": metrics["calibration"],
        }
        if "topic_macro_f1" in metrics:
            result["topic"] = {k: metrics[k] for k in ("topic_size", "topic_accuracy", "topic_macro_f1")}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
