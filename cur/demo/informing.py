"""Demo content of ИНФОЦУР for development: information events of Рязанская область in every status
(with sources, growing audiences, recommendations and activities), the materials library, disinformation
cases and official pages of bodies. Written through `informing.services` (so every step has its history
row), then the timestamps are moved into the past so the pages and reports look lived-in.

Idempotent: keyed on titles and page URLs — a second run creates nothing. Called by
`cur.demo.moderation.seed_informing_demo`, which adds the incoming messages.
"""

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from cur.models import User
from cur.roles import Role
from informing import services
from informing.models import (
    DisinformationCase,
    EventHistory,
    InformationEvent,
    Material,
    OfficialPage,
    Recommendation,
)
from sectors.models import Organisation, SectorBlock, Territory

S = InformationEvent.Status
RYAZAN, KASIMOV, SKOPIN, SHATSK, PRONSK, KASIMOV_DISTRICT, REGION = (
    "61701000",
    "61705000",
    "61715000",
    "61656000",
    "61625000",
    "61608000",
    "61000000",
)

# title, sector, territory OKTMO, priority, target status, days ago, essence, organisation short name, outcome
EVENTS = [
    (
        "Нет горячей воды в Дашково-Песочне",
        "housing",
        RYAZAN,
        "high",
        S.ACTIVITIES,
        3,
        "Жители микрорайона Дашково-Песочня третью неделю без горячей воды; посты в «Типичной Рязани» набирают "
        "тысячи реакций, звучат обвинения в бездействии властей.",
        "Минтэк и ЖКХ Рязанской области",
        "",
    ),
    (
        "Ямы на трассе у Шацка после паводка",
        "roads",
        SHATSK,
        "medium",
        S.RECOMMENDED,
        5,
        "После паводка на подъезде к Шацку размыло покрытие; видео с повреждёнными колёсами расходятся в "
        "районных пабликах ВКонтакте и Одноклассников.",
        "ГБУ РО «Рязаньавтодор»",
        "",
    ),
    (
        "Очереди на запись к врачам в Шацкой районной больнице",
        "health",
        SHATSK,
        "high",
        S.RECOMMENDED,
        1,
        "В Telegram-канале района обсуждают очереди и недоступность записи к терапевту; растёт число "
        "комментариев и репостов.",
        "ГБУ РО «Шацкая районная больница»",
        "",
    ),
    (
        "Слухи о закрытии ФАПов в Касимовском районе",
        "health",
        KASIMOV_DISTRICT,
        "critical",
        S.WORKED_OFF,
        9,
        "В пабликах района распространяется сообщение о закрытии фельдшерско-акушерских пунктов; "
        "сообщение недостоверно.",
        "Минздрав Рязанской области",
        "",
    ),
    (
        "Переполненные контейнерные площадки в Пронске",
        "waste",
        PRONSK,
        "medium",
        S.DETECTED,
        0,
        "Жители публикуют фото переполненных контейнерных площадок на улицах Пронска.",
        "",
        "",
    ),
    (
        "Отмена пригородных автобусов в Скопине",
        "transport",
        SKOPIN,
        "medium",
        S.CLOSED,
        20,
        "Сообщения об отмене рейсов в сёла Скопинского района; после разъяснения перевозчика обсуждение сошло на нет.",
        "Минтранс Рязанской области",
        "neutralised",
    ),
    (
        "Запах гари в Октябрьском районе Рязани",
        "ecology",
        RYAZAN,
        "low",
        S.CLOSED,
        14,
        "Несколько постов о запахе гари; проверка показала плановое сжигание травы на частном участке.",
        "",
        "no_action",
    ),
    (
        "Задержка выплат семьям участников СВО",
        "social",
        REGION,
        "high",
        S.ANALYSIS,
        2,
        "В каналах обсуждают задержку региональной выплаты семьям участников СВО в декабре.",
        "Минсоцзащиты Рязанской области",
        "",
    ),
]

MATERIALS = [
    (
        "Памятка: что делать, если нет горячей воды",
        "memo",
        "Куда обращаться: аварийно-диспетчерская служба, управляющая компания, ГЖИ Рязанской области. "
        "Сроки перерасчёта платы за коммунальную услугу ненадлежащего качества.",
        [
            ("Карточки для ВКонтакте", "social", "cards", ["all"]),
            ("Текст для рассылки старшим по домам", "mailing", "message", ["pensioners"]),
        ],
    ),
    (
        "Разъяснение Минздрава о работе ФАПов",
        "press_release",
        "Ни один фельдшерско-акушерский пункт в Касимовском районе не закрывается; график выездов "
        "мобильных бригад опубликован на сайте больницы.",
        [
            ("Пост для районных пабликов", "social", "post", ["rural", "pensioners"]),
            ("Короткое видео для Telegram", "messenger", "video", ["youth", "working_age"]),
        ],
    ),
    (
        "Инфографика: как записаться к врачу через Госуслуги",
        "infographic",
        "Пошаговая инструкция записи к врачу через портал Госуслуг и по единому номеру 122.",
        [("Версия для госпабликов больниц", "official_page", "infographic", ["all"])],
    ),
    (
        "Опровержение: бесплатный проезд для пенсионеров сохраняется",
        "post",
        "Льготы на проезд для пенсионеров в 2026 году сохраняются в полном объёме.",
        [],
    ),
]

CASES = [
    (
        "ФАПы в Касимовском районе закрывают",
        "В районе до конца года закроют все ФАПы.",
        "refuted",
        "Приказ о закрытии не издавался; реестр медицинских организаций без изменений.",
        "Разъяснение Минздрава о работе ФАПов",
    ),
    (
        "Отмена бесплатного проезда для пенсионеров",
        "С 1 февраля пенсионеры лишатся бесплатного проезда.",
        "false",
        "Закон Рязанской области о мерах соцподдержки не менялся.",
        "",
    ),
    ("Вода в Рязани заражена", "В водопроводе Рязани нашли кишечную палочку, воду пить нельзя.", "checking", "", ""),
]

PAGES = [
    ("Правительство Рязанской области", "vk", "https://vk.com/ryazangov", True, "active"),
    ("Правительство Рязанской области", "telegram", "https://t.me/ryazangov", True, "active"),
    ("Минздрав Рязанской области", "vk", "https://vk.com/minzdrav62", True, "active"),
    ("Минздрав Рязанской области", "telegram", "https://t.me/minzdrav62", True, "active"),
    ("Минобразования Рязанской области", "vk", "https://vk.com/minobr62", True, "active"),
    ("Минсоцзащиты Рязанской области", "vk", "https://vk.com/minsoc62", True, "active"),
    ("Минтэк и ЖКХ Рязанской области", "vk", "https://vk.com/mintek62", True, "active"),
    ("Минтранс Рязанской области", "vk", "https://vk.com/mintrans62", True, "active"),
    ("Минтранс Рязанской области", "ok", "https://ok.ru/mintrans62", False, "inactive"),
    ("ГБУ РО «Шацкая районная больница»", "vk", "https://vk.com/shatsk_crb", True, "active"),
    ("ГБУ РО «Рязаньавтодор»", "vk", "https://vk.com/ryazanavtodor", False, "active"),
    ("МП «Водоканал города Рязани»", "vk", "https://vk.com/vodokanal_ryazan", True, "active"),
    ("Минкультуры Рязанской области", "vk", "https://vk.com/minkult62", True, "blocked"),
]


def _stable(text: str) -> int:
    """A number that is the same on every run (str hash() is salted per process)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 10**8


def _org(short_name: str) -> Organisation | None:
    return Organisation.objects.filter(short_name=short_name).first() if short_name else None


def _shift(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _event(spec, moderator, now) -> InformationEvent | None:
    title, sector, oktmo, priority, target, days, essence, org_name, outcome = spec
    if InformationEvent.objects.filter(title=title).exists():
        return None
    territory = Territory.objects.filter(oktmo=oktmo).first()
    created = now - datetime.timedelta(days=days, hours=3)
    event = services.create_event(
        by=moderator,
        title=title,
        essence=essence,
        priority=priority,
        first_seen_at=created,
        sector_block=SectorBlock.objects.filter(code=sector).first(),
        territories=[territory] if territory else [],
        origin=InformationEvent.Origin.SURGE if target == S.DETECTED else InformationEvent.Origin.MESSAGES,
    )
    for hours, reach in ((0, 1200), (8, 3400), (20, 7900), (30, 12600)):
        at = min(created + datetime.timedelta(hours=hours), now)
        services.record_audience(
            event,
            by=moderator,
            measured_at=at,
            reach=reach,
            reactions=reach // 20,
            comments=reach // 60,
            shares=reach // 90,
        )
    services.add_source(
        event,
        by=moderator,
        network="vk",
        url=f"https://vk.com/wall-{_stable(title)}_1",
        outlet="Типичная Рязань" if oktmo == RYAZAN else "Районный паблик",
        reach=5200,
        published_at=created,
    )
    org = _org(org_name)
    if target != S.DETECTED:
        services.start_analysis(event, by=moderator)
    if target == S.CLOSED and outcome == "no_action":
        services.close_event(event, outcome=outcome, by=moderator, comment="Проверка: реакции не требуется.")
    elif target in (S.RECOMMENDED, S.ACTIVITIES, S.WORKED_OFF, S.CLOSED) and org is not None:
        rec = services.issue_recommendation(
            event,
            by=moderator,
            organisation=org,
            due_at=now + datetime.timedelta(days=1 if days < 3 else 2),
            text=f"Опубликовать разъяснение по теме «{title}»: причины, сроки решения, куда обращаться.",
            channel="official_page",
            where="официальные страницы во ВКонтакте и Telegram",
        )
        if target != S.RECOMMENDED:
            services.complete_recommendation(
                rec, by=None, response="Разъяснение опубликовано в госпабликах.", result_url="https://vk.com/wall-1_100"
            )
            services.save_activity(
                None,
                by=moderator,
                event=event,
                title=f"Разъяснение: {title}",
                channel="official_page",
                format="post",
                network="vk",
                organisation=org,
                audience_groups=["all"],
                territories=[territory] if territory else [],
                published_at=now - datetime.timedelta(days=max(days - 1, 0)),
                url="https://vk.com/wall-1_100",
                reach=18_400,
                reactions=640,
                comments=85,
                shares=120,
                feedback="Комментарии в основном нейтральные, вопросы о сроках.",
            )
            if target in (S.WORKED_OFF, S.CLOSED):
                services.mark_worked_off(event, by=moderator, comment="Негатив снят, охват не растёт.")
            if target == S.CLOSED:
                services.close_event(event, outcome=outcome, by=moderator, comment="Повод отработан.")
        else:
            # One recommendation already overdue: the sweep escalates it on its next run.
            _shift(Recommendation, rec.pk, due_at=now - datetime.timedelta(hours=5) if days >= 3 else rec.due_at)
    # The steps above happened over the event's days, not all within this second.
    _shift(
        InformationEvent,
        event.pk,
        created_at=created,
        react_by=created + (event.react_by - event.created_at),
        work_off_by=created + (event.work_off_by - event.created_at),
        reacted_at=created + datetime.timedelta(hours=1) if event.reacted_at else None,
    )
    EventHistory.objects.filter(event=event, kind=EventHistory.Kind.CREATED).update(created_at=created)
    return event


@transaction.atomic
def seed_informing_content(*, stdout=None) -> dict:
    """Events, materials, disinformation cases and official pages of the demo; returns the counts created."""
    now = timezone.now()
    moderator = User.objects.filter(role=Role.MODERATOR, is_active=True).order_by("pk").first()
    counts = {"events": 0, "materials": 0, "cases": 0, "pages": 0}
    for spec in EVENTS:
        counts["events"] += _event(spec, moderator, now) is not None
    events = {e.title: e for e in InformationEvent.objects.filter(title__in=[s[0] for s in EVENTS])}
    for title, kind, body, versions in MATERIALS:
        if Material.objects.filter(title=title).exists():
            continue
        material = services.save_material(None, by=moderator, title=title, kind=kind, body=body, sector_block=None)
        for v_title, channel, fmt, groups in versions:
            services.add_material_version(
                material, by=moderator, title=v_title, channel=channel, format=fmt, audience_groups=groups, body=body
            )
        counts["materials"] += 1
    for title, claim, status, evidence, material_title in CASES:
        if DisinformationCase.objects.filter(title=title).exists():
            continue
        event = events.get("Слухи о закрытии ФАПов в Касимовском районе") if "ФАП" in title else None
        case = services.create_case(
            by=moderator, title=title, claim=claim, event=event, detected_at=now - datetime.timedelta(days=8)
        )
        services.add_spread(
            case,
            by=moderator,
            network="vk",
            url=f"https://vk.com/wall-{_stable(title)}_7",
            reach=9400,
            territory=Territory.objects.filter(oktmo=KASIMOV).first(),
        )
        services.add_spread(
            case,
            by=moderator,
            network="telegram",
            url=f"https://t.me/s/ryazan_chat/{_stable(claim) % 10**5}",
            reach=3100,
        )
        if status in ("false", "refuted"):
            services.mark_false(case, by=moderator, evidence=evidence, links=["https://www.ryazan.gov.ru/"])
            services.issue_warning(
                case,
                by=moderator,
                addressee="Администраторы районных пабликов",
                text="Просим не распространять недостоверное сообщение; разъяснение приложено.",
            )
        if status == "refuted":
            services.refute_case(
                case,
                by=moderator,
                material=Material.objects.filter(title=material_title).first(),
                url="https://vk.com/wall-1_200",
            )
        counts["cases"] += 1
    for org_name, network, url, verified, status in PAGES:
        org = _org(org_name)
        if org is None or OfficialPage.objects.filter(url=url).exists():
            continue
        services.save_official_page(
            None,
            by=moderator,
            organisation=org,
            network=network,
            url=url,
            name=org_name,
            verified=verified,
            status=status,
            followers=4000 + len(url) * 97,
            last_activity_at=now - datetime.timedelta(days=45 if status != "active" else 1),
        )
        counts["pages"] += 1
    if stdout is not None:
        stdout.write(
            f"ИНФОЦУР: поводов {counts['events']}, материалов {counts['materials']}, "
            f"случаев дезинформации {counts['cases']}, госпабликов {counts['pages']}"
        )
    return counts
