"""Import throughput: rows/s of a generated 20,000-row ПОС export, validation included (target ≥ 2,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench.import_bench [--rows 20000] [--keep]

Generates the file in a temporary directory (realistic columns, HTML in some texts, municipality
names in several spellings, ~1 % bad rows), then times on the configured database:
reading the file, a dry run, the import itself, a second import of the same file (all rows
already exist), and an import of the same rows as XLSX. The appeals it created are deleted at the end unless --keep.
Needs the region's territories (`manage.py load_territories`) for realistic look-ups.
"""

import argparse
import csv
import datetime
import io
import random
import tempfile
import time
import uuid
from pathlib import Path

from bench import require_postgresql, row, setup

TEXTS = (
    "Во дворе дома не вывозят мусор уже {n} дней, контейнеры переполнены.",
    "<p>На дороге по улице образовалась яма глубиной&nbsp;{n} см.</p><p>Прошу отремонтировать.</p>",
    "Нет горячей воды в доме с {n} числа, управляющая компания не отвечает.",
    "Прошу установить лежачий полицейский у школы № {n}.",
    "Не работает уличное освещение на участке длиной {n} метров.",
    "<div>Автобус № {n} не соблюдает расписание, интервал больше часа.</div>",
)
TERRITORY_SPELLINGS = ("{name}", "{name} муниципальный район", "г. {name}", "{name} р-н")
STREETS = ("Ленина", "Есенина", "Садовая", "Школьная", "Победы", "Гагарина", "Московское шоссе")


def generate(rows: int, path: Path, prefix: str, seed: int = 2025) -> None:
    from django.conf import settings  # noqa: F401 — Django is set up before this runs

    from appeals.models import Topic
    from sectors.models import Territory

    rnd = random.Random(seed)
    topics = list(Topic.objects.values_list("group__name", "name"))
    territories = list(Territory.objects.exclude(kind="region").values_list("name", flat=True)) or ["Рязань"]
    start = datetime.datetime(2024, 1, 1, 8, 0)  # noqa: DTZ001 — a file's local time
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Номер", "Дата поступления", "Текст сообщения", "Адрес", "Категория", "Подкатегория",
                     "ФИО заявителя", "Телефон", "E-mail", "Муниципальное образование", "Ответственный"])  # fmt: skip
    for i in range(rows):
        group, topic = rnd.choice(topics)
        name = rnd.choice(territories)
        received = start + datetime.timedelta(minutes=37 * i)
        bad = rnd.random() < 0.01
        writer.writerow([
            f"{prefix}-{i}",
            "31.02.2024" if bad else received.strftime("%d.%m.%Y %H:%M"),
            rnd.choice(TEXTS).format(n=rnd.randint(2, 40)),
            f"{name}, ул. {rnd.choice(STREETS)}, д. {rnd.randint(1, 120)}",
            group,
            topic,
            f"Заявитель {i}",
            f"+7 910 {rnd.randint(100, 999)}-{rnd.randint(10, 99)}-{rnd.randint(10, 99)}",
            f"user{i}@example.ru" if rnd.random() < 0.5 else "",
            rnd.choice(TERRITORY_SPELLINGS).format(name=name),
            "",
        ])  # fmt: skip
    path.write_bytes(buffer.getvalue().encode("cp1251", errors="replace"))


def measure(rows: int = 20_000, *, keep: bool = False, stdout=print) -> list[tuple]:
    """(step, seconds, rows of the file, created, existing, errors) per step; deletes what it imported unless keep."""
    from appeals.intake.formats import FORMATS, read_table
    from appeals.intake.importing import import_table
    from appeals.models import Appeal

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pos.csv"
        generate(rows, path, prefix)
        data = path.read_bytes()
    stdout(f"Файл: {rows} строк, {len(data) / 1e6:.1f} МБ (cp1251, «;»)")
    out = []

    def run(label: str, *, dry_run: bool = False) -> None:
        started = time.perf_counter()
        table = read_table(data, "pos.csv", FORMATS["pos"])
        report = import_table(table, fmt="pos", channel="pos", dry_run=dry_run)
        elapsed = time.perf_counter() - started
        out.append((label, elapsed, report.total_rows, report.created_count, report.existing_count,
                    report.error_count))  # fmt: skip

    started = time.perf_counter()
    table = read_table(data, "pos.csv", FORMATS["pos"])
    out.append(("CSV: чтение файла (кодировка, разделитель)", time.perf_counter() - started, len(table.rows), 0, 0, 0))
    run("CSV: пробный прогон", dry_run=True)
    run("CSV: импорт (проверка + запись)")
    run("CSV: повторный импорт (всё уже есть)")

    # The same rows as an XLSX book (the «Инцидент Менеджмент» exports are XLSX), new ids.
    xlsx = to_xlsx(table, prefix, f"{prefix}x")
    started = time.perf_counter()
    report = import_table(read_table(xlsx, "pos.xlsx", FORMATS["pos"]), fmt="pos", channel="pos")
    out.append(("XLSX: импорт (чтение + проверка + запись)", time.perf_counter() - started, report.total_rows,
                report.created_count, report.existing_count, report.error_count))  # fmt: skip

    if not keep:
        deleted, _ = Appeal.objects.filter(channel="pos", external_id__startswith=prefix).delete()
        stdout(f"Удалено записей (обращения и события): {deleted}")
    return out


def table_rows(rows: int = 20_000) -> list[tuple]:
    """Rows of the common table (python -m bench)."""
    return [
        row("импорт", label, seconds=seconds, per_second=total / seconds, unit="строк", rows=total,
            note=f"создано {created}, уже были {existing}, ошибок {errors}" + ("; цель ≥ 2 000 строк/с"
                 if "импорт (" in label else ""))
        for label, seconds, total, created, existing, errors in measure(rows, stdout=lambda _: None)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported appeals")
    args = parser.parse_args()
    setup()
    print(f"База: {require_postgresql()}")
    for label, seconds, total, created, existing, errors in measure(args.rows, keep=args.keep):
        print(f"{label:<44} {seconds:6.2f} с  {total / seconds:8,.0f} строк/с  "
              f"создано {created}, уже были {existing}, ошибок {errors}")  # fmt: skip


def to_xlsx(table, old_prefix: str, new_prefix: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(table.header)
    for _, cells in table.rows:
        sheet.append([cells[0].replace(old_prefix, new_prefix, 1), *cells[1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
