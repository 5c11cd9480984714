"""The gazetteer finds the territory of an appeal in its text or address, inflected forms and
district centres included, and settles the ambiguous names."""

import pytest

from appeals.classification import gazetteer
from sectors.models import Territory
from tests.factories import RegionFactory, TerritoryFactory

from .pipeline_helpers import ryazan_territories


def oktmo_of(text: str, address: str = "") -> str | None:
    match = gazetteer.find_place(text, address)
    return match.oktmos[-1] if match else None  # the municipality's code


@pytest.mark.parametrize(
    ("text", "oktmo"),
    [
        ("Яма на дороге в Касимове возле школы", "61705000"),  # the city okrug
        ("Автобус не ходит в Касимовском районе", "61608000"),  # the district around it
        ("Жители Шиловского района жалуются на дорогу", "61658000"),
        ("Проблемы с уборкой снега по Рязани", "61701000"),
        ("В Сасовском районе третий день нет света", "61642000"),
        ("В Сасово нет света", "61710000"),
        ("В Шацке не вывозят мусор", "61656000"),  # a district centre → its district
        ("Нет воды в Спас-Клепиках", "61610000"),
        ("В Новомичуринске закрыли поликлинику", "61625000"),
        ("Жители р.п. Шилово просят отремонтировать мост", "61658000"),
        ("В г. Михайлов не вывозят мусор", "61617000"),
        ("Скопинского района дороги разбиты", "61644000"),
        ("В Октябрьском районе Рязани не убирают снег", "61701000"),
        ("Александро-Невский район: нет газа", "61620000"),
        ("Из Ермиши не ходит автобус", "61602000"),
    ],
)
def test_the_gazetteer_finds_inflected_names(text, oktmo):
    assert oktmo_of(text) == oktmo


@pytest.mark.parametrize(
    "text",
    [
        "Рязанская область, рязанские дороги разбиты",  # the region is not a municipality
        "Михайлов Иван Петрович просит помочь",  # a surname, not the town
        "Рыбное хозяйство в упадке",  # an ordinary word at the start of a sentence
        "в сараях хранят дрова",  # an ordinary word, not Сараи
        "Hello world 😀",
        "",
    ],
)
def test_surnames_ordinary_words_and_the_region_are_not_territories(text):
    assert gazetteer.find_place(text) is None


def test_the_most_specific_place_wins_and_the_address_beats_the_text():
    assert gazetteer.find_place("Касимовский район, с. Елатьма, нет воды").name == "Елатьма"
    match = gazetteer.find_place("Вчера ездил в Касимов", "Шацкий р-н, г. Шацк, ул. Красная")
    assert (match.name, match.in_address) == ("Шацк", True)
    # Names that need a preposition in a text count as they are in an address.
    assert gazetteer.find_place("нет воды", "Касимов, ул. Ленина, 5").name == "Касимов"


def test_a_district_is_named_by_its_adjective_only_before_a_word_for_district():
    assert gazetteer.find_place("Касимовское шоссе, пробки") is None
    assert oktmo_of("Касимовский муниципальный район") == "61608000"
    assert oktmo_of("в Пронском р-не") == "61625000"
    # «Александро-Невский» is both a district and its centre: the district wins before «район».
    assert gazetteer.find_place("Александро-Невский район").place.rank == gazetteer.RANK_MUNICIPALITY
    assert gazetteer.find_place("р.п. Александро-Невский").place.rank == gazetteer.RANK_PLACE


def test_lemmas_are_cached_per_word_form():
    gazetteer.lemmas.cache_clear()
    gazetteer.lemmas("Касимове")
    gazetteer.lemmas("Касимове")
    assert gazetteer.lemmas.cache_info().hits == 1


def test_a_one_megabyte_text_is_searched_quickly_and_without_error():
    assert gazetteer.find_place("ы" * 1_000_000 + " в Шацке") is None  # beyond the part that is read
    assert gazetteer.find_place("в Шацке " + "ы" * 1_000_000).name == "Шацк"


@pytest.mark.django_db
def test_territories_are_resolved_from_the_directory_in_one_query(django_assert_num_queries):
    places = ryazan_territories()
    items = [
        ("Яма в Касимове", ""),
        ("Горячей воды нет", "Касимовский р-н, с. Елатьма"),
        ("В Шацке не вывозят мусор", ""),
        ("Нет воды в Спас-Клепиках", ""),  # Клепиковский район is not in this directory
        ("Просто текст", ""),
    ]
    with django_assert_num_queries(1):
        found = gazetteer.territory_ids(items)
    assert found == [places["kasimov"].pk, places["kasimov_district"].pk, places["shatsk"].pk, None, None]


@pytest.mark.django_db
def test_a_town_of_the_directory_is_more_specific_than_its_district():
    region = RegionFactory()
    district = TerritoryFactory(name="Шацкий район", oktmo="61656000", parent=region)
    town = TerritoryFactory(name="Шацк", oktmo="61656101001", parent=district, kind=Territory.Kind.LOCALITY)

    assert gazetteer.find_territory("В Шацке не вывозят мусор") == town
    assert gazetteer.find_territory("В Шацком районе не вывозят мусор") == district
    town.is_active = False
    town.save()
    assert gazetteer.find_territory("В Шацке не вывозят мусор") == district
