"""Demo of ИНФОЦУР and the moderation center: `seed_informing_demo()` seeds the informing content
(`cur.demo.informing`) and incoming messages of Рязанская область in every state — new, taken by the demo
moderator (some overdue), turned into appeals, attached to information events, marked as disinformation,
noise — plus a proposed surge and yesterday's report. Idempotent: demo messages carry external ids
«demo-N»; when they exist, no message is created or decided again."""

import datetime

from django.db import transaction
from django.utils import timezone

from cur.demo.informing import seed_informing_content
from cur.models import User
from cur.roles import Role
from informing.models import DisinformationCase, InformationEvent
from moderation import intake, reports, services
from moderation.models import IncomingMessage, ModerationReport, Surge
from sectors.models import SectorBlock, Territory

S = IncomingMessage.Status

# network, author, text, territory OKTMO, sector, reach, what becomes of it
MESSAGES = [
    (
        "vk",
        "id2031",
        "Дашково-Песочня, ул. Быстрецкая: горячей воды нет уже 20 дней, сколько можно?",
        "61701000",
        "housing",
        3400,
        "event:Нет горячей воды в Дашково-Песочне",
    ),
    (
        "vk",
        "id55310",
        "Опять без горячей воды в Песочне. Детей купаем в тазике.",
        "61701000",
        "housing",
        2100,
        "event:Нет горячей воды в Дашково-Песочне",
    ),
    (
        "ok",
        "Нина Петровна",
        "На въезде в Шацк после паводка яма на яме, пробила колесо.",
        "61656000",
        "roads",
        900,
        "event:Ямы на трассе у Шацка после паводка",
    ),
    (
        "telegram",
        "@shatsk_life",
        "К терапевту в Шацкой ЦРБ запись только через три недели.",
        "61656000",
        "health",
        5200,
        "event:Очереди на запись к врачам в Шацкой районной больнице",
    ),
    (
        "vk",
        "id90871",
        "Говорят, в Касимовском районе закрывают все ФАПы до конца года!",
        "61608000",
        "health",
        9400,
        "disinfo:ФАПы в Касимовском районе закрывают",
    ),
    (
        "max",
        "Сергей К.",
        "Пенсионерам отменят бесплатный проезд с февраля, передайте всем.",
        "61701000",
        "transport",
        3100,
        "disinfo:Отмена бесплатного проезда для пенсионеров",
    ),
    (
        "vk",
        "id33412",
        "Во дворе дома 12 по ул. Новаторов не вывозят мусор неделю, прошу принять меры.",
        "61701000",
        "waste",
        150,
        "appeal",
    ),
    (
        "telegram",
        "@irina_rzn",
        "На остановке «Площадь Победы» сломан павильон, стекло разбито.",
        "61701000",
        "public_spaces",
        80,
        "appeal",
    ),
    ("ok", "Валентина", "В селе Ялтуново Шацкого района третий день нет света.", "61656000", "energy", 240, "appeal"),
    ("vk", "id11209", "Отличная погода сегодня в Рязани!", "61701000", "", 60, "noise"),
    ("dzen", "Рязанский блогер", "Обзор новых кафе в центре Рязани.", "61701000", "", 1500, "noise"),
    (
        "vk",
        "id44120",
        "Контейнерная площадка на ул. Советской в Пронске переполнена, мусор по всей улице.",
        "61625000",
        "waste",
        420,
        "assigned",
    ),
    ("vk", "id44121", "В Пронске опять не вывезли мусор, площадки завалены.", "61625000", "waste", 310, "assigned"),
    (
        "ok",
        "Людмила",
        "Пронск, мусор не вывозят с понедельника, крысы бегают.",
        "61625000",
        "waste",
        270,
        "assigned_overdue",
    ),
    (
        "telegram",
        "@pronsk_news",
        "Жители Пронска жалуются на переполненные мусорные площадки.",
        "61625000",
        "waste",
        2600,
        "new",
    ),
    (
        "vk",
        "id70001",
        "В Скопине отменили автобус до Побединки, как добираться на работу?",
        "61715000",
        "transport",
        500,
        "new",
    ),
    ("media", "RZN.info", "Родители жалуются на холод в школе № 51 Рязани.", "61701000", "education", 7200, "new"),
    (
        "max",
        "Ольга",
        "Задерживают выплату семьям участников СВО за декабрь, куда обращаться?",
        "61000000",
        "social",
        1900,
        "new_overdue",
    ),
    ("vk", "id81234", "Когда отремонтируют дорогу на ул. Ленина в Касимове?", "61705000", "roads", 330, "new"),
    (
        "telegram",
        "@kasimov24",
        "В Касимове на ул. Ленина провал асфальта, машины объезжают по встречке.",
        "61705000",
        "roads",
        1400,
        "new",
    ),
]


def _items(now) -> list[intake.Item]:
    items = []
    for n, (network, author, text, oktmo, sector, reach, _fate) in enumerate(MESSAGES, start=1):
        territory = Territory.objects.filter(oktmo=oktmo).values_list("pk", flat=True).first()
        block = SectorBlock.objects.filter(code=sector).values_list("pk", flat=True).first() if sector else None
        items.append(
            intake.Item(
                network=network,
                external_id=f"demo-{n}",
                text=text,
                author=author,
                url=f"https://example.org/{network}/demo-{n}",
                posted_at=now - datetime.timedelta(hours=2 + 3 * n),
                territory_id=territory,
                sector_block_id=block,
                reach=reach,
            )
        )
    return items


def _decide(message, fate: str, moderator) -> None:
    if fate.startswith("event:"):
        event = InformationEvent.objects.filter(title=fate[6:]).first()
        if event is not None and event.status != InformationEvent.Status.CLOSED:
            services.decide_message(message, decision=S.EVENT, by=moderator, event=event)
    elif fate.startswith("disinfo:"):
        case = DisinformationCase.objects.filter(title=fate[8:]).first()
        if case is not None:
            services.decide_message(message, decision=S.DISINFORMATION, by=moderator, case=case)
    elif fate == "appeal":
        services.decide_message(message, decision=S.APPEAL, by=moderator, comment="Конкретная проблема: в обращения.")
    elif fate == "noise":
        services.decide_message(message, decision=S.NOISE, by=moderator)
    elif fate.startswith("assigned"):
        services.assign_message(message, to=moderator, by=moderator)


@transaction.atomic
def seed_informing_demo(*, stdout=None) -> dict:
    """The informing content, the demo messages in every state, a proposed surge and yesterday's report."""
    counts = seed_informing_content(stdout=stdout)
    now = timezone.now()
    if IncomingMessage.objects.filter(source=IncomingMessage.Source.DEMO).exists():
        return {**counts, "messages": 0}
    moderator = User.objects.filter(role=Role.MODERATOR, is_active=True).order_by("pk").first()
    written = intake.ingest(_items(now), source=IncomingMessage.Source.DEMO)
    by_pk = IncomingMessage.objects.in_bulk([pk for pk, _ in written])
    for (pk, _created), spec in zip(written, MESSAGES, strict=True):
        message = by_pk[pk]
        fate = spec[-1]
        # Each message arrived when it was posted (plus a few minutes), its deadline counted from then.
        received = message.posted_at + datetime.timedelta(minutes=7)
        due = received + (message.due_at - message.received_at)
        if fate.endswith("_overdue"):
            received, due = now - datetime.timedelta(hours=9), now - datetime.timedelta(hours=5)
        elif fate in ("new", "assigned"):
            # Still in the queue: arrived within the last hour, the deadline ahead.
            received = max(received, now - datetime.timedelta(hours=1))
            due = received + (message.due_at - message.received_at)
        IncomingMessage.objects.filter(pk=pk).update(received_at=received, due_at=due)
        message.refresh_from_db()
        if moderator is not None and fate not in ("new", "new_overdue"):
            _decide(message, fate, moderator)
            # The moderator reacted within the hour and (mostly) decided within the deadline.
            reacted = min(received + datetime.timedelta(minutes=15 + 5 * (pk % 7)), now)
            decided = min(received + datetime.timedelta(minutes=50 + 40 * (pk % 7)), now)
            IncomingMessage.objects.filter(pk=pk).update(reacted_at=reacted, assigned_at=reacted)
            IncomingMessage.objects.filter(pk=pk, decided_at__isnull=False).update(decided_at=decided)
    pronsk = Territory.objects.filter(oktmo="61625000").first()
    waste = SectorBlock.objects.filter(code="waste").first()
    if pronsk and waste and not Surge.objects.filter(sector_block=waste, territory=pronsk).exists():
        sample = list(IncomingMessage.objects.filter(territory=pronsk, sector_block=waste).values_list("pk", flat=True))
        Surge.objects.create(
            sector_block=waste,
            territory=pronsk,
            window_start=now - datetime.timedelta(hours=6),
            window_end=now,
            count=len(sample) + 5,
            baseline=0.4,
            reach=3600,
            sample=sample,
        )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if not ModerationReport.objects.filter(period_kind="day", period_start=yesterday).exists():
        reports.build_report(reports.period_of("day", yesterday))
    if stdout is not None:
        stdout.write(f"Центр модерации: сообщений {len(MESSAGES)}")
    return {**counts, "messages": len(MESSAGES)}
