"""`python manage.py train_classifier [--shared] [--seed] [--from-db] [--csv PATH --text-column C
--label-column L --label-map FILE [--topic-label-column T [--topic-label-map FILE]]] [--activate|--no-activate]`.

Sources combine: every chosen one adds its examples. Trains a new ClassifierVersion (metrics on a
held-out split, then a refit on everything) and prints the metrics. `--shared` (the real data sets of
../shared/data with the shipped label maps, plus the seed corpus) activates the result unless
--no-activate is given; the other sources activate only with --activate.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appeals.classification import datasets, train_version
from appeals.classification.datasets import LabelMapError
from appeals.classification.training import confirmed_examples


class Command(BaseCommand):
    help = "Обучение классификатора обращений (отраслевой блок и тема)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared", action="store_true", help="реальные наборы из ../shared/data (Курск, СПб) и seed-корпус"
        )
        parser.add_argument("--shared-root", help="каталог общих данных (по умолчанию ../shared/data)")
        parser.add_argument("--seed", action="store_true", help="корпус фраз, поставляемый с системой")
        parser.add_argument("--from-db", action="store_true", help="классификации, подтверждённые операторами")
        parser.add_argument("--csv", action="append", default=[], metavar="PATH", help="CSV-файл (можно несколько)")
        parser.add_argument("--text-column", help="столбец с текстом обращения")
        parser.add_argument("--label-column", help="столбец с меткой (тема или категория источника)")
        parser.add_argument("--label-map", help="JSON-карта меток → отраслевой блок и тема")
        parser.add_argument("--topic-label-column", help="столбец с более точной меткой (её карта важнее)")
        parser.add_argument("--topic-label-map", help="карта для --topic-label-column (по умолчанию --label-map)")
        parser.add_argument("--activate", action="store_true", default=None, help="сделать новую версию активной")
        parser.add_argument("--no-activate", dest="activate", action="store_false", help="не активировать")
        parser.add_argument("--holdout", type=float, default=0.2, help="доля отложенной выборки (0 — без оценки)")

    def handle(self, *args, **options):
        examples, sources = self._examples(options)
        if not examples:
            raise CommandError("Не выбран источник: --shared, --seed, --from-db или --csv.")
        activate = options["activate"] if options["activate"] is not None else options["shared"]
        if not 0 <= options["holdout"] < 1:
            raise CommandError("--holdout: от 0 до 1.")
        out = self.stdout
        out.write(f"Примеров: {len(examples)} ({'; '.join(sources)}). Обучение…")
        started = time.monotonic()
        try:
            version = train_version(examples, source=" + ".join(sources), activate=activate, holdout=options["holdout"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out.write(self.style.SUCCESS(f"Версия {version.version}: обучена за {time.monotonic() - started:.0f} с."))
        self._print_metrics(version.metrics)
        if activate:
            out.write(self.style.SUCCESS("Версия активирована."))
        else:
            out.write("Версия не активирована (активируйте в админке или с --activate).")

    def _examples(self, options) -> tuple[list, list[str]]:
        examples, sources = [], []
        try:
            if options["shared"]:
                root = Path(options["shared_root"]) if options["shared_root"] else None
                shared = datasets.shared_examples(root, with_seed=False)
                examples += shared
                sources.append(f"shared: Курск 2022 + «Наш Санкт-Петербург» ({len(shared)})")
            if options["seed"] or options["shared"]:
                seed = datasets.seed_examples()
                examples += seed
                sources.append(f"seed ({len(seed)})")
            for path in options["csv"]:
                if not (options["text_column"] and options["label_column"] and options["label_map"]):
                    raise CommandError("Для --csv нужны --text-column, --label-column и --label-map.")
                rows, skipped = datasets.csv_examples(
                    path, text_column=options["text_column"], label_column=options["label_column"],
                    label_map=options["label_map"], topic_label_column=options["topic_label_column"],
                    topic_label_map=options["topic_label_map"],
                )  # fmt: skip
                examples += rows
                sources.append(f"csv {Path(path).name} ({len(rows)}, пропущено {skipped})")
            if options["from_db"]:
                confirmed = confirmed_examples()
                examples += confirmed
                sources.append(f"db ({len(confirmed)})")
        except (FileNotFoundError, LabelMapError) as exc:
            raise CommandError(str(exc)) from exc
        return examples, sources

    def _print_metrics(self, metrics: dict) -> None:
        out = self.stdout
        if "sector_macro_f1" not in metrics:
            out.write("Оценка на отложенной выборке не проводилась.")
            return
        out.write(
            f"Отложенная выборка: {metrics['test_size']} из {metrics['train_size'] + metrics['test_size']} "
            f"(доля {metrics['holdout']})."
        )
        out.write(f"Блок: macro-F1 {metrics['sector_macro_f1']:.3f}, accuracy {metrics['sector_accuracy']:.3f}")
        if "topic_macro_f1" in metrics:
            out.write(f"Тема: macro-F1 {metrics['topic_macro_f1']:.3f}, точность {metrics['topic_accuracy']:.3f}")
        calibration = metrics["calibration"]
        line = f"Калибровка: ECE {calibration['ece']:.3f}, средняя уверенность {calibration['mean_confidence']:.3f}"
        if "temperature" in calibration:
            line += f" (температура {calibration['temperature']}, ECE до неё {calibration['ece_uncalibrated']:.3f})"
        out.write(line)
        out.write(f"{'блок':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'примеров':>10}")
        for label, row in metrics["sector_report"].items():
            out.write(
                f"{label:<16}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1-score']:>8.3f}{row['support']:>10}"
            )
