"""Demo directory of Рязанская область for development: bodies, institutions, responsible persons.

Run through `manage.py seed_demo`. Everything is keyed on natural keys (OKTMO, ИНН, the post of an
appointment), so a second run finds the same rows and writes nothing. Names of bodies and institutions
are plausible, people are fictional, ИНН are made up (with a valid checksum), contacts are invented.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.db import transaction

from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory
from sectors.services import appoint_responsible, save_organisation
from sectors.services_geo import REGION_OKTMO, load_region_territories

RYAZAN, KASIMOV, SASOVO, SKOPIN = "61701000", "61705000", "61710000", "61715000"

# --- ИНН ----------------------------------------------------------------------------------

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn_is_valid(inn: str) -> bool:
    """Whether a 10-digit (organisation) or 12-digit (person) ИНН has correct check digits."""
    if re.fullmatch(r"[0-9]{10}", inn):
        return inn[9] == _check_digit(inn[:9], INN10_WEIGHTS)
    if re.fullmatch(r"[0-9]{12}", inn):
        return inn[10] == _check_digit(inn[:10], INN12_WEIGHTS_11) and inn[11] == _check_digit(
            inn[:11], INN12_WEIGHTS_12
        )
    return False


def _hash(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")


def make_inn(seed: str) -> str:
    """A made-up 10-digit ИНН of an organisation registered in Рязанская область (tax office 62xx),
    the same for the same seed."""
    h = _hash(seed)
    body = f"62{h % 34 + 1:02d}{h // 34 % 100000:05d}"
    return body + _check_digit(body, INN10_WEIGHTS)


# --- Names and contacts ----------------------------------------------------------------------

_TRANSLIT = str.maketrans("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye") | str.maketrans(
    {
        "ё": "e",
        "ж": "zh",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ю": "yu",
        "я": "ya",
        "ъ": "",
        "ь": "",
    }
)


def translit(text: str) -> str:
    """Latin letters for e-mail addresses and keys: «Александро-Невский» → «aleksandro-nevskiy»."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_TRANSLIT)).strip("-")


# OKTMO of a municipal district → (the district's adjective as in «Шацкий район», its centre).
DISTRICTS = {
    "61602000": ("Ермишинский", "р.п. Ермишь"),
    "61604000": ("Захаровский", "с. Захарово"),
    "61606000": ("Кадомский", "р.п. Кадом"),
    "61608000": ("Касимовский", "г. Касимов"),
    "61610000": ("Клепиковский", "г. Спас-Клепики"),
    "61612000": ("Кораблинский", "г. Кораблино"),
    "61615000": ("Милославский", "р.п. Милославское"),
    "61617000": ("Михайловский", "г. Михайлов"),
    "61620000": ("Александро-Невский", "р.п. Александро-Невский"),
    "61623000": ("Пителинский", "р.п. Пителино"),
    "61625000": ("Пронский", "р.п. Пронск"),
    "61626000": ("Путятинский", "с. Путятино"),
    "61627000": ("Рыбновский", "г. Рыбное"),
    "61630000": ("Ряжский", "г. Ряжск"),
    "61634000": ("Рязанский", "г. Рязань"),
    "61637000": ("Сапожковский", "р.п. Сапожок"),
    "61640000": ("Сараевский", "р.п. Сараи"),
    "61642000": ("Сасовский", "г. Сасово"),
    "61644000": ("Скопинский", "г. Скопин"),
    "61646000": ("Спасский", "г. Спасск-Рязанский"),
    "61650000": ("Старожиловский", "р.п. Старожилово"),
    "61652000": ("Ухоловский", "р.п. Ухолово"),
    "61654000": ("Чучковский", "р.п. Чучково"),
    "61656000": ("Шацкий", "г. Шацк"),
    "61658000": ("Шиловский", "р.п. Шилово"),
}
# OKTMO of a city okrug → (the city, its genitive).
CITIES = {
    RYAZAN: ("Рязань", "Рязани"),
    KASIMOV: ("Касимов", "Касимова"),
    SASOVO: ("Сасово", "Сасово"),
    SKOPIN: ("Скопин", "Скопина"),
}
_BY_ADJECTIVE = {adjective: oktmo for oktmo, (adjective, _) in DISTRICTS.items()}
STREETS = ("ул. Ленина", "ул. Советская", "ул. Первомайская", "ул. Садовая", "ул. Мира", "ул. Пушкина", "ул. Почтовая")


def _district(adjective: str) -> str:
    return _BY_ADJECTIVE[adjective]


def _feminine(adjective: str) -> str:
    return adjective[:-2] + "ая"


def _genitive(adjective: str) -> str:
    return adjective[:-2] + "ого"


def _address(seed: str, oktmo: str) -> str:
    h = _hash(seed)
    street = f"{STREETS[h % len(STREETS)]}, д. {h // 7 % 60 + 1}"
    if oktmo in DISTRICTS:
        return f"Рязанская область, {DISTRICTS[oktmo][1]}, {street}"
    city = CITIES.get(oktmo, CITIES[RYAZAN])[0]
    return f"Рязанская область, г. {city}, {street}" if city != "Рязань" else f"г. Рязань, {street}"


def _phone(seed: str, oktmo: str) -> str:
    h = _hash("phone:" + seed)
    if oktmo in (REGION_OKTMO, RYAZAN):
        return f"+7 (4912) {h % 80 + 20}-{h // 80 % 100:02d}-{h // 8000 % 100:02d}"
    # A made-up area code per municipality in the region's 491xx range.
    return f"+7 (491{30 + int(oktmo[3:5]) % 29}) {h % 8 + 2}-{h // 8 % 100:02d}-{h // 800 % 100:02d}"


# --- Organisations -------------------------------------------------------------------------

ABBREVIATIONS = {
    "ГБУ РО": "Государственное бюджетное учреждение Рязанской области",
    "ГКУ РО": "Государственное казённое учреждение Рязанской области",
    "ГАУ РО": "Государственное автономное учреждение Рязанской области",
    "ГБУК РО": "Государственное бюджетное учреждение культуры Рязанской области",
    "ГАУК РО": "Государственное автономное учреждение культуры Рязанской области",
    "ГУП РО": "Государственное унитарное предприятие Рязанской области",
    "ОГБПОУ": "Областное государственное бюджетное профессиональное образовательное учреждение",
    "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
    "МБУ": "Муниципальное бюджетное учреждение",
    "МУП": "Муниципальное унитарное предприятие",
    "МП": "Муниципальное предприятие",
    "НО": "Некоммерческая организация",
    "АНО": "Автономная некоммерческая организация",
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
}

K = Organisation.Kind

# Regional executive bodies and funds: key | full name | short name | sector blocks.
REGIONAL_BODIES = """
government | Правительство Рязанской области | Правительство Рязанской области | -
minzdrav | Министерство здравоохранения Рязанской области | Минздрав Рязанской области | health
minobr | Министерство образования Рязанской области | Минобразования Рязанской области | education
minsoc | Министерство социальной защиты населения Рязанской области | Минсоцзащиты Рязанской области | social
mintek | Министерство топливно-энергетического комплекса и жилищно-коммунального хозяйства Рязанской области \
| Минтэк и ЖКХ Рязанской области | housing energy
mintrans | Министерство транспорта и автомобильных дорог Рязанской области | Минтранс Рязанской области \
| roads transport
minprirody | Министерство природопользования Рязанской области | Минприроды Рязанской области | waste ecology
mineconom | Министерство экономического развития Рязанской области | Минэкономразвития Рязанской области | business
minstroy | Министерство строительного комплекса Рязанской области | Минстрой Рязанской области | public_spaces
minsport | Министерство физической культуры и спорта Рязанской области | Минспорт Рязанской области | sport
minkult | Министерство культуры и туризма Рязанской области | Минкультуры Рязанской области | culture
gutrud | Главное управление по труду и занятости населения Рязанской области \
| ГУ по труду и занятости Рязанской области | labour
gzhi | Государственная жилищная инспекция Рязанской области | ГЖИ Рязанской области | housing
osfr | Отделение Фонда пенсионного и социального страхования Российской Федерации по Рязанской области \
| ОСФР по Рязанской области | social
tfoms | Территориальный фонд обязательного медицинского страхования Рязанской области | ТФОМС Рязанской области | health
"""
FUNDS = ("osfr", "tfoms")

# Institutions and companies: key | short name (the legal form expands into the full name) | kind |
# territory (region, a city or a district's adjective) | sector blocks | parent key («adm»: the
# administration of its municipality; «-»: none) | e-mail (by default <key>@ryazan.gov.ru).
INSTITUTIONS = """
cur | АНО «Центр управления регионом Рязанской области» | state_organisation | region | - | - | info@cur62.ru
okb | ГБУ РО «Областная клиническая больница» | subordinate | Рязань | health | minzdrav
gkb11 | ГБУ РО «Городская клиническая больница № 11» | subordinate | Рязань | health | minzdrav
perinatal | ГБУ РО «Областной клинический перинатальный центр» | subordinate | Рязань | health | minzdrav
gdp6 | ГБУ РО «Городская детская поликлиника № 6» | subordinate | Рязань | health | minzdrav
ssmp | ГБУ РО «Станция скорой медицинской помощи» | subordinate | Рязань | health | minzdrav
mmc.kasimov | ГБУ РО «Касимовский межрайонный медицинский центр» | subordinate | Касимов | health | minzdrav
mmc.sasovo | ГБУ РО «Сасовский межрайонный медицинский центр» | subordinate | Сасово | health | minzdrav
mmc.skopin | ГБУ РО «Скопинский межрайонный медицинский центр» | subordinate | Скопин | health | minzdrav
college.ped | ОГБПОУ «Рязанский педагогический колледж» | subordinate | Рязань | education | minobr
college.kasimov | ОГБПОУ «Касимовский индустриально-экономический колледж» | subordinate | Касимов | education | minobr
college.skopin | ОГБПОУ «Скопинский аграрный техникум» | subordinate | Скопин | education | minobr
school.ryazan51 | МБОУ «Школа № 51» | subordinate | Рязань | education | adm
school.ryazan2 | МБОУ «Гимназия № 2» | subordinate | Рязань | education | adm
school.kasimov | МБОУ «Гимназия города Касимова» | subordinate | Касимов | education | adm
school.sasovo | МБОУ «Средняя школа № 3 города Сасово» | subordinate | Сасово | education | adm
uszn | ГКУ РО «Управление социальной защиты населения Рязанской области» | subordinate | region | social | minsoc
gerontology | ГБУ РО «Рязанский геронтологический центр» | subordinate | Рязань | social | minsoc
kcson.ryazan | ГБУ РО «Комплексный центр социального обслуживания населения города Рязани» \
| subordinate | Рязань | social | minsoc
fkr | НО «Фонд капитального ремонта многоквартирных домов в Рязанской области» | state_organisation \
| region | housing | mintek
vodokanal | МП «Водоканал города Рязани» | state_organisation | Рязань | housing | adm
uk.kasimov | МУП «Управляющая компания города Касимова» | state_organisation | Касимов | housing | adm
uk.sasovo | МУП «Управляющая компания города Сасово» | state_organisation | Сасово | housing | adm
uk.skopin | МУП «Управляющая компания города Скопина» | state_organisation | Скопин | housing | adm
eko-pronsk | ООО «Эко-Пронск» | state_participation | Пронский | waste | - | info@eko-pronsk.ru
ekomeshchera | ООО «ЭкоМещёра» | state_participation | Клепиковский | waste | - | info@ekomeshchera.ru
cowaste | ГКУ РО «Центр обращения с отходами» | subordinate | region | waste ecology | minprirody
oopt | ГКУ РО «Дирекция особо охраняемых природных территорий» | subordinate | region | ecology | minprirody
dirdor | ГКУ РО «Дирекция дорог Рязанской области» | subordinate | region | roads | mintrans
avtodor | ГБУ РО «Рязаньавтодор» | subordinate | region | roads | mintrans
dorhoz.ryazan | МБУ «Дорожное хозяйство города Рязани» | subordinate | Рязань | roads | adm
blagdor.kasimov | МБУ «Благоустройство и дороги города Касимова» | subordinate | Касимов | roads public_spaces | adm
cotr | ГКУ РО «Центр организации транспортного обслуживания населения» | subordinate | region | transport | mintrans
urpt | МУП «Управление Рязанского пассажирского транспорта» | state_organisation | Рязань | transport | adm
avtokolonna | ГУП РО «Рязанская областная автоколонна» | state_organisation | Рязань | transport | mintrans
atp.kasimov | МУП «Касимовское автотранспортное предприятие» | state_organisation | Касимов | transport | adm
patp.sasovo | МУП «Сасовское пассажирское автотранспортное предприятие» | state_organisation | Сасово | transport | adm
roek | АО «Рязанская областная электросетевая компания» | state_participation | Рязань | energy | - \
| info@roek-demo.ru
rgres | МП «Рязанские городские распределительные электрические сети» | state_organisation | Рязань | energy | adm
rmpts | МП «Рязанское муниципальное предприятие тепловых сетей» | state_organisation | Рязань | energy housing | adm
resk | ПАО «Рязанская энергетическая сбытовая компания» | state_participation | Рязань | energy | - \
| info@resk-demo.ru
gazraspred | АО «Газпром газораспределение Рязанская область» | state_participation | Рязань | energy | - \
| info@rzngas-demo.ru
teploset.sasovo | МУП «Тепловые сети города Сасово» | state_organisation | Сасово | energy housing | adm
krro | АО «Корпорация развития Рязанской области» | state_participation | region | business | - | info@krro-demo.ru
cpp | АНО «Центр поддержки предпринимательства Рязанской области» | state_organisation | Рязань | business \
| mineconom
gorsreda | ГКУ РО «Центр развития городской среды» | subordinate | region | public_spaces | minstroy
blag.ryazan | МБУ «Дирекция благоустройства города Рязани» | subordinate | Рязань | public_spaces | adm
csp | ГАУ РО «Центр спортивной подготовки» | subordinate | Рязань | sport | minsport
olimp | ГАУ РО «Спортивная школа олимпийского резерва «Олимп»» | subordinate | Рязань | sport | minsport
museum | ГБУК РО «Рязанский государственный областной художественный музей им. И.П. Пожалостина» | subordinate \
| Рязань | culture | minkult
library | ГБУК РО «Рязанская областная универсальная научная библиотека им. М. Горького» | subordinate | Рязань \
| culture | minkult
philharmonic | ГАУК РО «Рязанская областная филармония» | subordinate | Рязань | culture | minkult
czn | ГКУ РО «Центр занятости населения Рязанской области» | subordinate | region | labour | gutrud
"""

# The same kind of institution in several districts: key prefix | short name ({f}: «Шацкая», {m}:
# «Шацкий», {g}: «Шацкого») | kind | sector blocks | parent key | districts.
PER_DISTRICT = """
rb | ГБУ РО «{f} районная больница» | subordinate | health | minzdrav \
| Шацкий Шиловский Ряжский Михайловский Клепиковский Спасский Пронский Рыбновский Кораблинский Сапожковский
school | МБОУ «{f} средняя школа № 1» | subordinate | education | adm \
| Шацкий Шиловский Ряжский Михайловский Клепиковский Спасский Кораблинский Милославский Старожиловский Путятинский
kcson | ГБУ РО «{m} комплексный центр социального обслуживания населения» | subordinate | social | minsoc \
| Шацкий Шиловский Ряжский Сасовский Скопинский Касимовский Рязанский
uk | МУП «Управляющая компания {g} района» | state_organisation | housing | adm \
| Шиловский Ряжский Михайловский Кораблинский
"""

MUNICIPAL_BLOCKS = ("housing", "roads", "public_spaces", "education")


@dataclass(frozen=True)
class OrgSpec:
    key: str  # stable id: the ИНН is derived from it, so renaming an organisation here keeps its row
    name: str
    short_name: str
    kind: str
    oktmo: str
    blocks: tuple[str, ...] = ()
    parent: str | None = None
    email: str = ""

    @property
    def inn(self) -> str:
        return make_inn("demo-organisation:" + self.key)


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]


def _blocks(cell: str) -> tuple[str, ...]:
    return () if cell == "-" else tuple(cell.split())


def _oktmo(place: str) -> str:
    if place == "region":
        return REGION_OKTMO
    cities = {city: oktmo for oktmo, (city, _) in CITIES.items()}
    return cities.get(place) or _BY_ADJECTIVE[place]


def _admin_key(oktmo: str) -> str:
    return "adm." + translit(DISTRICTS[oktmo][0] if oktmo in DISTRICTS else CITIES[oktmo][0])


def _institution(key, short_name, kind, oktmo, blocks, parent, email="") -> OrgSpec:
    form, _, rest = short_name.partition(" «")
    parent = None if parent == "-" else _admin_key(oktmo) if parent == "adm" else parent
    return OrgSpec(key, f"{ABBREVIATIONS[form]} «{rest}", short_name, kind, oktmo, _blocks(blocks), parent, email)


def organisation_specs() -> list[OrgSpec]:
    """Every demo organisation, parents before their subordinates."""
    specs = []
    for key, name, short, blocks in _rows(REGIONAL_BODIES):
        kind = K.EXTRABUDGETARY_FUND if key in FUNDS else K.REGIONAL_BODY
        specs.append(OrgSpec(key, name, short, kind, REGION_OKTMO, _blocks(blocks)))
    for oktmo, (adjective, _centre) in DISTRICTS.items():
        name = f"Администрация муниципального образования — {adjective} муниципальный район Рязанской области"
        short = f"Администрация {_genitive(adjective)} района"
        specs.append(OrgSpec(_admin_key(oktmo), name, short, K.LOCAL_GOVERNMENT, oktmo, MUNICIPAL_BLOCKS))
    for oktmo, (city, genitive) in CITIES.items():
        name = f"Администрация муниципального образования — городской округ город {city} Рязанской области"
        name = "Администрация города Рязани" if oktmo == RYAZAN else name
        specs.append(
            OrgSpec(
                _admin_key(oktmo), name, f"Администрация города {genitive}", K.LOCAL_GOVERNMENT, oktmo, MUNICIPAL_BLOCKS
            )
        )
    for key, short, kind, place, blocks, parent, *email in _rows(INSTITUTIONS):
        specs.append(_institution(key, short, kind, _oktmo(place), blocks, parent, *email))
    for prefix, template, kind, blocks, parent, districts in _rows(PER_DISTRICT):
        for adjective in districts.split():
            short = template.format(f=_feminine(adjective), m=adjective, g=_genitive(adjective))
            key = f"{prefix}.{translit(adjective)}"
            specs.append(_institution(key, short, kind, _district(adjective), blocks, parent))
    return specs


def _seed_organisations(territories: dict[str, Territory], blocks: dict[str, SectorBlock]) -> dict:
    specs = organisation_specs()
    existing = {
        o.inn: o
        for o in Organisation.objects.filter(inn__in=[s.inn for s in specs])
        .select_related("territory")
        .prefetch_related("sector_blocks")
    }
    saved: dict[str, Organisation] = {}
    counts = {"created": 0, "updated": 0}
    for spec in specs:
        territory = territories[spec.oktmo]
        fields = {
            "name": spec.name,
            "short_name": spec.short_name,
            "kind": spec.kind,
            "inn": spec.inn,
            "territory": territory,
            "parent": saved[spec.parent] if spec.parent else None,
            "address": _address(spec.key, spec.oktmo),
            "phone": _phone(spec.key, spec.oktmo),
            "email": spec.email or f"{spec.key}@ryazan.gov.ru",
        }
        wanted_blocks = [blocks[code] for code in spec.blocks]
        organisation = existing.get(spec.inn)
        if organisation is None:
            counts["created"] += 1
            organisation = save_organisation(None, by=None, sector_blocks=wanted_blocks, **fields)
        elif _differs(organisation, fields) or {b.pk for b in organisation.sector_blocks.all()} != {
            b.pk for b in wanted_blocks
        }:
            counts["updated"] += 1
            organisation = save_organisation(organisation, by=None, sector_blocks=wanted_blocks, **fields)
        saved[spec.key] = organisation
    counts["organisations"] = saved
    return counts


def _differs(obj, fields: dict) -> bool:
    """Compare foreign keys by id so that an unchanged row costs no queries."""
    for name, value in fields.items():
        if obj._meta.get_field(name).is_relation:
            if getattr(obj, f"{name}_id") != (value.pk if value is not None else None):
                return True
        elif getattr(obj, name) != value:
            return True
    return False


# --- Responsible persons ------------------------------------------------------------------

ROLE = ResponsiblePerson.Role
CUR = "ЦУР Рязанской области"

# The ЦУР's own posts: role | person | position | organisation key | since.
CUR_POSTS = """
curator | Соколов Андрей Викторович | Заместитель Председателя Правительства Рязанской области | government | 2023-03-01
executive | Кузнецова Елена Александровна | Руководитель ЦУР Рязанской области | cur | 2023-03-01
"""
# Ответственный за блок, a minister or a deputy: block | person | position | organisation key | since |
# the predecessor and the predecessor's start, where the post changed hands.
BLOCK_RESPONSIBLES = """
health | Морозов Дмитрий Сергеевич | Министр здравоохранения Рязанской области | minzdrav | 2024-10-01 \
| Волков Алексей Николаевич 2022-04-11
education | Васильева Татьяна Сергеевна | Министр образования Рязанской области | minobr | 2023-06-01
social | Петрова Марина Викторовна | Министр социальной защиты населения Рязанской области | minsoc | 2023-01-16
housing | Новиков Сергей Александрович | Министр топливно-энергетического комплекса и жилищно-коммунального \
хозяйства Рязанской области | mintek | 2023-02-01
energy | Новиков Сергей Александрович | Министр топливно-энергетического комплекса и жилищно-коммунального \
хозяйства Рязанской области | mintek | 2023-02-01
waste | Смирнов Олег Игоревич | Министр природопользования Рязанской области | minprirody | 2025-02-03 \
| Фёдоров Максим Андреевич 2022-09-05
roads | Зайцев Виктор Петрович | Министр транспорта и автомобильных дорог Рязанской области | mintrans | 2023-04-03
transport | Егоров Николай Михайлович | Заместитель министра транспорта и автомобильных дорог Рязанской области \
| mintrans | 2023-04-03
business | Семёнов Артём Олегович | Министр экономического развития Рязанской области | mineconom | 2023-03-20
ecology | Голубев Константин Валерьевич | Заместитель министра природопользования Рязанской области | minprirody \
| 2023-03-20
public_spaces | Виноградов Денис Анатольевич | Министр строительного комплекса Рязанской области | minstroy | 2023-03-20
sport | Богданов Евгений Геннадьевич | Министр физической культуры и спорта Рязанской области | minsport | 2023-03-20
labour | Романова Людмила Петровна | Начальник главного управления по труду и занятости населения Рязанской области \
| gutrud | 2023-03-20
culture | Жукова Галина Михайловна | Министр культуры и туризма Рязанской области | minkult | 2023-03-20
"""
# Руководитель блока, a ЦУР employee who may lead several blocks: blocks | person | since | predecessor.
BLOCK_HEADS = """
health education | Попова Ольга Николаевна | 2023-03-15
social | Лебедев Игорь Владимирович | 2023-03-15
housing | Михайлова Наталья Владимировна | 2023-03-15
energy | Козлов Павел Евгеньевич | 2023-03-15
waste ecology | Алексеева Ирина Павловна | 2023-03-15
roads | Павлов Роман Юрьевич | 2024-06-17 | Степанова Светлана Юрьевна 2023-03-15
transport | Киселёва Анна Дмитриевна | 2023-03-15
business | Белова Юлия Игоревна | 2023-03-15
public_spaces | Комарова Екатерина Андреевна | 2023-03-15
sport labour | Воробьёв Илья Дмитриевич | 2023-03-15
culture | Тарасова Вероника Олеговна | 2023-03-15
"""
# МЦУ of three municipalities: municipality | curator | head | administrator (all since 2023-05-02).
MCU = """
Рязань | Никитин Юрий Борисович | Крылова Надежда Евгеньевна | Баранова Оксана Валерьевна
Касимов | Орлов Григорий Васильевич | Медведева Дарья Алексеевна | Андреев Вадим Романович
Шацкий | Макаров Станислав Иванович | Лазарева Ольга Петровна | Фролов Артём Сергеевич
"""
MCU_SINCE = datetime.date(2023, 5, 2)

Person = tuple[str, str, str]  # фамилия, имя, отчество


@dataclass(frozen=True)
class Post:
    """One appointment: who holds which post since when (and, for history, who held it before)."""

    role: str
    person: Person
    position: str
    organisation: str  # OrgSpec.key
    since: datetime.date
    block: str | None = None
    territory: str | None = None  # OKTMO
    previous: tuple[Person, datetime.date] | None = None


def _person(cell: str) -> Person:
    last, first, patronymic = cell.split()
    return last, first, patronymic


def _holder(cell: str) -> tuple[Person, datetime.date]:
    *names, since = cell.split()
    return _person(" ".join(names)), datetime.date.fromisoformat(since)


def appointment_posts() -> list[Post]:
    """Every demo appointment: the ЦУР curator and executive, both roles of every block, three МЦУ."""
    day = datetime.date.fromisoformat
    posts = [Post(role, _person(p), position, org, day(since)) for role, p, position, org, since in _rows(CUR_POSTS)]
    for block, person, position, org, since, *previous in _rows(BLOCK_RESPONSIBLES):
        predecessor = _holder(previous[0]) if previous else None
        posts.append(Post(ROLE.BLOCK_RESPONSIBLE, _person(person), position, org, day(since), block, None, predecessor))
    names = dict(SectorBlock.objects.values_list("code", "name"))
    for blocks, person, since, *previous in _rows(BLOCK_HEADS):
        codes = blocks.split()
        titles = " и ".join(f"«{names[code]}»" for code in codes)
        position = f"Руководитель {'отраслевого блока' if len(codes) == 1 else 'отраслевых блоков'} {titles} {CUR}"
        predecessor = _holder(previous[0]) if previous else None
        posts += [
            Post(ROLE.BLOCK_HEAD, _person(person), position, "cur", day(since), code, None, predecessor)
            for code in codes
        ]
    for place, curator, head, admin in _rows(MCU):
        oktmo = _oktmo(place)
        of = (
            f"администрации города {CITIES[oktmo][1]}"
            if oktmo in CITIES
            else f"администрации {_genitive(place)} района"
        )
        for role, person, position in (
            (ROLE.MCU_CURATOR, curator, f"Заместитель главы {of}"),
            (ROLE.MCU_HEAD, head, "Руководитель муниципального центра управления"),
            (ROLE.MCU_ADMIN, admin, "Администратор муниципального центра управления"),
        ):
            posts.append(Post(role, _person(person), position, _admin_key(oktmo), MCU_SINCE, None, oktmo))
    return posts


def _act(post: Post, person: Person, since: datetime.date) -> dict:
    # One act per person and date: an official put in charge of two blocks is appointed by one act.
    h = _hash(f"act:{post.role}:{' '.join(person)}:{post.territory}:{since}")
    if post.territory:  # an order of the municipal administration
        return {"act_number": f"{h % 900 + 100}-р", "act_date": since - datetime.timedelta(days=h % 5 + 1)}
    return {"act_number": f"{h % 900 + 100}-рп", "act_date": since - datetime.timedelta(days=h % 5 + 1)}


def _contacts(person: Person, organisation: str, oktmo: str) -> dict:
    last, first, patronymic = person
    domain = "cur62.ru" if organisation == "cur" else "ryazan.gov.ru"
    local = f"{translit(last)}.{translit(first[0])}{translit(patronymic[0])}"
    return {"email": f"{local}@{domain}", "phone": _phone(" ".join(person), oktmo)}


def _seed_appointments(organisations: dict[str, Organisation], territories, blocks) -> int:
    created = 0
    for post in appointment_posts():
        where = {"sector_block": blocks.get(post.block), "territory": territories.get(post.territory)}
        # Skip a post that already has (or had) a holder: re-running changes nothing, and an
        # appointment changed by hand in the meantime is left as it is.
        if ResponsiblePerson.objects.filter(role=post.role, **where).exists():
            continue
        organisation = organisations[post.organisation]
        holders = [post.previous] if post.previous else []
        for person, since in [*holders, (post.person, post.since)]:
            appoint_responsible(
                by=None,
                role=post.role,
                since=since,
                last_name=person[0],
                first_name=person[1],
                patronymic=person[2],
                position=post.position,
                organisation=organisation,
                **where,
                **_act(post, person, since),
                **_contacts(person, post.organisation, organisation.territory.oktmo),
            )
            created += 1
    return created


# --- Entry point ----------------------------------------------------------------------------


@transaction.atomic
def seed_sectors_demo(stdout=None) -> dict:
    """Build the demo directory of Рязанская область; idempotent. Returns what was created and updated."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    say("Территории…")
    territory_counts = load_region_territories()
    territories = {t.oktmo: t for t in Territory.objects.all()}
    blocks = {b.code: b for b in SectorBlock.objects.all()}
    say("Органы и организации…")
    org_counts = _seed_organisations(territories, blocks)
    say("Ответственные лица…")
    appointments = _seed_appointments(org_counts["organisations"], territories, blocks)
    return {
        "territories_created": territory_counts["created"],
        "territories_updated": territory_counts["updated"],
        "organisations": len(org_counts["organisations"]),
        "organisations_created": org_counts["created"],
        "organisations_updated": org_counts["updated"],
        "appointments_created": appointments,
    }
