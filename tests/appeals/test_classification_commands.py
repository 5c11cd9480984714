"""The classifier's commands: train_classifier, evaluate_classifier, classify_texts."""

import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from appeals.classification import activate_version, datasets
from appeals.classification.model import AppealClassifier
from appeals.classification.registry import forget_loaded_model
from appeals.models import Appeal, ClassifierVersion
from sectors.models import SectorBlock

from .factories import AppealFactory

ROWS = [
    ("На трассе огромные ямы и выбоины, асфальт разбит, машины бьют колёса", "Дороги"),
    ("Не вывозят мусор неделю, баки переполнены", "Мусор"),
    ("В поликлинике нет терапевта, запись на месяц вперёд", "Медицина"),
    ("В школе не хватает учителей, уроки отменяют", "Школы"),
    ("Автобус по маршруту ходит раз в час, расписание не соблюдают", "Транспорт"),
    ("Батареи холодные, отопления нет третий день", "ЖКХ"),
    ("Тестовое сообщение", "Тест"),
]
LABEL_MAP = {
    "labels": {
        "Дороги": {"sector": "roads", "topic": "yamy-i-vyboiny-na-doroge"},
        "Мусор": "waste",
        "Медицина": {"sector": "health"},
        "Школы": {"sector": "education", "topic": None},
        "Транспорт": "transport",
        "ЖКХ": {"sector": "housing", "topic": "nenadlezhaschee-kachestvo-ili-otsutstvie-otopleniya"},
        "Тест": None,
    }
}


@pytest.fixture(scope="module")
def seed_payload() -> bytes:
    return AppealClassifier.from_examples(datasets.seed_examples()).dumps()


@pytest.fixture(autouse=True)
def _fresh_registry():
    forget_loaded_model()
    yield
    forget_loaded_model()


@pytest.fixture
def active(db, seed_payload) -> ClassifierVersion:
    return activate_version(ClassifierVersion.objects.create(version="seed-test", payload=seed_payload), by=None)


@pytest.fixture
def labelled(tmp_path):
    """A small labelled CSV as Excel writes it on a Russian Windows: cp1251, semicolons."""
    csv = tmp_path / "labelled.csv"
    pd.DataFrame(ROWS, columns=["Текст", "Рубрика"]).to_csv(csv, sep=";", index=False, encoding="cp1251")
    label_map = tmp_path / "map.json"
    label_map.write_text(json.dumps(LABEL_MAP, ensure_ascii=False), encoding="utf-8")
    return csv, label_map


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_train_on_the_seed_corpus_prints_metrics_and_activates_when_asked(db):
    output = run("train_classifier", "--seed", "--activate")

    version = ClassifierVersion.objects.get()
    assert version.is_active and version.training_data.startswith("seed (")
    assert "macro-F1" in output and "Версия активирована" in output
    for sector in ("roads", "sport", "labour", "culture"):
        assert sector in output


def test_train_from_a_csv_and_confirmed_labels_combines_the_sources(db, labelled):
    csv, label_map = labelled
    for text in ("мусор не вывозят", "контейнеры сломаны"):
        AppealFactory(text=text, classification_source=Appeal.ClassificationSource.MANUAL)

    output = run(
        "train_classifier", "--csv", str(csv), "--text-column", "Текст", "--label-column", "Рубрика",
        "--label-map", str(label_map), "--from-db", "--holdout", "0",
    )  # fmt: skip

    version = ClassifierVersion.objects.get()
    assert not version.is_active
    assert version.training_size == 6 + 2
    assert "csv labelled.csv (6, пропущено 1)" in version.training_data and "db (2)" in version.training_data
    assert version.class_counts["sector"]["waste"] == 3
    assert "не активирована" in output


def test_train_without_a_source_or_with_missing_data_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="Не выбран источник"):
        run("train_classifier")
    with pytest.raises(CommandError, match="Нет общих данных"):
        run("train_classifier", "--shared", "--shared-root", str(tmp_path))
    with pytest.raises(CommandError, match="--label-map"):
        run("train_classifier", "--csv", str(tmp_path / "x.csv"))


def test_evaluate_prints_accuracy_macro_f1_and_a_per_class_report_as_json(active, labelled):
    csv, label_map = labelled

    output = run(
        "evaluate_classifier", "--csv", str(csv), "--text-column", "Текст", "--label-column", "Рубрика",
        "--label-map", str(label_map),
    )  # fmt: skip

    result = json.loads(output)
    assert result["version"] == "seed-test"
    assert result["rows"] == 6 and result["skipped_rows"] == 1
    assert 0.5 <= result["accuracy"] <= 1 and 0.5 <= result["macro_f1"] <= 1
    assert set(result["per_class"]) == {"roads", "waste", "health", "education", "transport", "housing"}
    assert set(result["per_class"]["roads"]) == {"precision", "recall", "f1-score", "support"}
    assert result["topic"]["topic_size"] == 2


def test_evaluate_needs_a_model(db, labelled):
    csv, label_map = labelled

    with pytest.raises(CommandError, match="Нет активной версии"):
        run("evaluate_classifier", "--csv", str(csv), "--text-column", "Текст", "--label-column", "Рубрика",
            "--label-map", str(label_map))  # fmt: skip
    with pytest.raises(CommandError, match="Нет версии классификатора «v9»"):
        run("evaluate_classifier", "--csv", str(csv), "--text-column", "Текст", "--label-column", "Рубрика",
            "--label-map", str(label_map), "--version", "v9")  # fmt: skip


def test_classify_texts_adds_sector_topic_and_confidence_keeping_the_file_format(active, labelled, tmp_path):
    csv, _ = labelled
    output = tmp_path / "out.csv"

    run("classify_texts", "--input", str(csv), "--text-column", "Текст", "--output", str(output))

    raw = output.read_bytes()
    raw.decode("cp1251")  # the input's encoding and separator are kept
    result = pd.read_csv(output, sep=";", encoding="cp1251", dtype=str, keep_default_na=False)
    assert list(result.columns) == ["Текст", "Рубрика", "sector", "topic", "confidence"]
    assert list(result["Текст"]) == [r[0] for r in ROWS]
    assert result["sector"].tolist()[:3] == ["roads", "waste", "health"]
    assert all(0 <= float(c) <= 1 for c in result["confidence"])
    blocks = set(SectorBlock.objects.values_list("code", flat=True)) | {""}
    assert set(result["sector"]) <= blocks


def test_classify_texts_reads_utf8_with_a_bom_and_reports_a_missing_column(active, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,Яма на дороге у дома\n2,\n", encoding="utf-8-sig")
    output = tmp_path / "out.csv"

    run("classify_texts", "--input", str(source), "--text-column", "text", "--output", str(output))

    result = pd.read_csv(output, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert result["sector"].tolist() == ["roads", ""]
    with pytest.raises(CommandError, match="Нет столбца «Текст»"):
        run("classify_texts", "--input", str(source), "--text-column", "Текст", "--output", str(output))
