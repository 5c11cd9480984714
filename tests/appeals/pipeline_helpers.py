"""Shared pieces of the classification pipeline tests: a tiny training corpus written for the
tests, the territories the gazetteer resolves to, and registration without a queued task."""

from appeals import services
from appeals.classification import Example
from appeals.models import Appeal
from sectors.models import Territory
from tests.factories import RegionFactory, TerritoryFactory

ROADS, HOUSING, HEALTH, WASTE = "roads", "housing", "health", "waste"
POTHOLES = "yamy-i-vyboiny-na-doroge"
HOT_WATER = "otsutstvie-goryachey-vody"
QUEUE = "ochered"
GARBAGE = "uborka-vyvoz-musora"

EXAMPLES = [
    *(
        Example(text, ROADS, POTHOLES)
        for text in (
            "Огромная яма на дороге, машины ломают колёса, просим отремонтировать дорожное покрытие",
            "На проезжей части глубокие ямы и выбоины, асфальт разбит, нужен ремонт дороги",
            "Дорогу не ремонтировали много лет, сплошные ямы, выбоины на асфальте",
            "Разбитый асфальт на дороге, ямы после зимы, автомобили повреждают подвеску",
            "Яма посреди дороги, асфальт провалился, требуется срочный ремонт покрытия",
            "Ямочный ремонт дороги не сделан, асфальт в ямах и трещинах, ездить невозможно",
            "Выбоины на дороге у перекрёстка, асфальт разрушен, просим заделать ямы",
            "Дорожное покрытие разбито, ямы глубиной в колено, дорогу нужно ремонтировать",
        )
    ),
    *(
        Example(text, HOUSING, HOT_WATER)
        for text in (
            "В доме нет горячей воды уже неделю, управляющая компания не отвечает",
            "Отключили горячую воду в квартире, из крана идёт только холодная вода",
            "Горячей воды нет в многоквартирном доме, управляющая компания бездействует",
            "Третий день отсутствует горячее водоснабжение в доме, жильцы без горячей воды",
            "Из крана течёт еле тёплая вода, горячей воды в квартире нет",
            "Нет горячей воды в подъезде, управляющая компания обещает и не делает",
            "Жильцы дома остались без горячей воды, когда включат горячее водоснабжение",
            "Горячую воду отключили без предупреждения, в квартирах нет горячей воды",
        )
    ),
    *(
        Example(text, HEALTH, QUEUE)
        for text in (
            "Не могу записаться к врачу в поликлинике, огромная очередь к терапевту",
            "В поликлинике очередь к врачу на месяц вперёд, талонов к терапевту нет",
            "Запись к врачу невозможна, в регистратуре поликлиники говорят, что талонов нет",
            "Очереди в поликлинике по три часа, врач принимает мало пациентов",
            "Невозможно попасть на приём к терапевту в поликлинике, нет свободных талонов",
            "В больнице огромные очереди к врачам, пациенты ждут приёма часами",
            "Талоны к врачу-специалисту в поликлинике закончились, запись на месяц вперёд",
            "Пожилые пациенты стоят в очереди к врачу в поликлинике с утра",
        )
    ),
    *(
        Example(text, WASTE, GARBAGE)
        for text in (
            "Мусор не вывозят две недели, контейнеры переполнены, вокруг свалка",
            "Контейнерная площадка завалена мусором, мусоровоз не приезжает",
            "Переполненные мусорные контейнеры во дворе, мусор не вывозят",
            "Региональный оператор не вывозит мусор, баки переполнены, запах",
            "Вывоз мусора не производится, мусорные баки переполнены отходами",
            "Мусоровоз давно не приезжал, контейнеры с отходами переполнены",
            "Во дворе гора мусора у контейнеров, вывоз отходов сорван",
            "Не вывозят твёрдые коммунальные отходы, контейнерная площадка в мусоре",
        )
    ),
]

ROADS_TEXT = "На дороге огромная яма, асфальт разбит, выбоины, требуется ремонт дорожного покрытия"
HOUSING_TEXT = "В доме нет горячей воды, управляющая компания не отвечает, горячей воды нет в квартире"

GARBAGE_TEXTS = {
    "empty": "",
    "one megabyte": "ы" * 1_000_000,
    "emoji only": "😡😡😡 🚧🚧 👎" * 20,
    "html only": "<div><p><br/></p><span>&nbsp;&nbsp;</span></div>" * 10,
    "english": "The road near my house has a huge pothole, please repair it as soon as possible.",
}


def train_model(examples=EXAMPLES):
    from appeals.classification import train_version

    return train_version(list(examples), source="test", activate=True)


def ryazan_territories() -> dict[str, Territory]:
    """The region and the municipalities the tests name, with their real OKTMO codes."""
    region = RegionFactory()
    made = {
        "shatsk": TerritoryFactory(name="Шацкий район", oktmo="61656000", parent=region),
        "ryazan": TerritoryFactory(name="Рязань", oktmo="61701000", parent=region, kind=Territory.Kind.CITY_OKRUG),
        "kasimov": TerritoryFactory(name="Касимов", oktmo="61705000", parent=region, kind=Territory.Kind.CITY_OKRUG),
        "kasimov_district": TerritoryFactory(name="Касимовский район", oktmo="61608000", parent=region),
        "shilovo_district": TerritoryFactory(name="Шиловский район", oktmo="61658000", parent=region),
    }
    made["region"] = region
    return made


def register(text: str, *, address: str = "", **fields) -> Appeal:
    """An appeal registered as the API registers it (the on-commit task is not sent in a test
    transaction: the tests call the pipeline themselves)."""
    appeal, _ = services.register_appeal(channel=Appeal.Channel.WEB, text=text, address=address, **fields)
    return appeal
