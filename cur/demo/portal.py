"""Demo data of the portal: reports in every state for the last months, indicators with targets and
actuals, two roadmaps (one with an overdue measure), best practices, trainings. Idempotent: what exists
(by block and period, code, title) is left alone. Run after the users, ratings and heat map demos."""

import datetime
from decimal import Decimal

from appeals.models import Topic
from cur.demo.users import seed_demo_users
from cur.models import User
from portal import services
from portal import services_plans as plans
from portal.models import BestPractice, Indicator, Report, Roadmap, Training
from ratings import periods
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory

TEXT = {
    "summary": "Обращения рассмотрены в установленные сроки, доля ответов по существу выросла.",
    "measures": "Проведены выездные приёмы граждан, обновлены графики работы.",
    "problems": "Сохраняется высокая нагрузка в районных учреждениях.",
    "plans": "Продолжить работу с повторными обращениями.",
}


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _users() -> dict[str, User]:
    names = ("curator", "executive", "block_head", "block_responsible")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        seed_demo_users()
        users = {u.username: u for u in User.objects.filter(username__in=names)}
    return users


def _report(block, period, author, curator, state: str) -> None:
    if Report.objects.filter(sector_block=block, period_kind=period.kind, period_start=period.start).exists():
        return
    report = services.create_report(by=author, sector_block=block, period_kind=period.kind, period_start=period.start)
    services.update_report_text(report, by=author, narrative=TEXT)
    if state == "draft":
        return
    services.submit_report(report, by=author)
    if state in ("returned", "resubmitted", "approved"):
        services.return_report(report, by=curator, comment="Дополните раздел о принятых мерах конкретными цифрами.")
    if state in ("resubmitted", "approved"):
        measures = TEXT["measures"] + "\nПроведено 12 выездных приёмов, принято 86 граждан."
        services.update_report_text(report, by=author, narrative={"measures": measures})
        services.submit_report(report, by=author)
    if state == "approved":
        services.approve_report(report, by=curator)


def _reports(users) -> int:
    months = periods.last_full_months(3)
    health, housing = SectorBlock.objects.get(code="health"), SectorBlock.objects.get(code="housing")
    curator = users["curator"]
    _report(health, months[0], users["block_head"], curator, "approved")
    _report(health, months[1], users["block_head"], curator, "returned")
    _report(health, months[2], users["block_head"], curator, "resubmitted")
    _report(housing, months[1], users["block_responsible"], curator, "approved")
    _report(housing, months[2], users["block_responsible"], curator, "draft")
    _report(None, months[1], users["executive"], curator, "approved")
    _report(None, months[2], users["executive"], curator, "submitted")
    return Report.objects.count()


INDICATORS = (
    ("on_time_share", "Доля обращений с ответом в срок", "%", Indicator.Source.ON_TIME, "90"),
    ("within_30_share", "Доля обращений с ответом в течение 30 дней", "%", Indicator.Source.WITHIN_30, "95"),
    ("on_merits_share", "Доля ответов по существу", "%", Indicator.Source.ON_MERITS, "85"),
    ("satisfied_share", "Доля удовлетворённых заявителей", "%", Indicator.Source.SATISFIED, "70"),
    ("trained_staff", "Обучено сотрудников органов работе с обращениями", "чел.", Indicator.Source.MANUAL, "40"),
)


def _indicators(users) -> int:
    curator, months = users["curator"], periods.last_full_months(3)
    for n, (code, name, unit, source, target) in enumerate(INDICATORS):
        indicator = Indicator.objects.filter(code=code).first() or plans.create_indicator(
            by=curator, kind=Indicator.Kind.BASIC, code=code, name=name, unit=unit, source=source, sector_block=None
        )
        for k, month in enumerate(months):
            actual = Decimal(30 + 5 * k) if source == Indicator.Source.MANUAL else None
            plans.set_indicator_value(
                indicator,
                by=curator,
                period_kind="month",
                period_start=month.start,
                target=Decimal(target) - n,
                actual=actual,
            )
    housing = SectorBlock.objects.get(code="housing")
    if not Indicator.objects.filter(code="housing_repeat_share").exists():
        plans.propose_indicator(
            by=users["block_responsible"],
            code="housing_repeat_share",
            unit="%",
            name="Доля повторных обращений по ЖКХ",
            source=Indicator.Source.MANUAL,
            direction=Indicator.Direction.LOWER,
            sector_block=housing,
        )
    if not Indicator.objects.filter(code="housing_visits").exists():
        proposed = plans.propose_indicator(
            by=users["block_responsible"],
            code="housing_visits",
            unit="шт.",
            name="Выездные проверки по обращениям ЖКХ",
            source=Indicator.Source.MANUAL,
            sector_block=housing,
        )
        proposed = plans.decide_indicator(proposed, by=curator, approve=True, comment="Согласовано.")
        plans.set_indicator_value(
            proposed,
            by=curator,
            period_kind="month",
            period_start=months[-1].start,
            target=Decimal(20),
            actual=Decimal(22),
        )
    return Indicator.objects.count()


def _person(block) -> ResponsiblePerson:
    return (
        ResponsiblePerson.objects.filter(sector_block=block, until=None).order_by("pk").first()
        or ResponsiblePerson.objects.filter(until=None).order_by("pk").first()
    )


def _roadmaps(users) -> int:
    health = SectorBlock.objects.get(code="health")
    topic = Topic.objects.filter(sector_block=health, is_active=True).order_by("code").first()
    territory = (
        Territory.objects.filter(oktmo="61656000").first()
        or Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS).order_by("name").first()
    )
    person, today = _person(health), periods.today()
    if topic is None or territory is None or person is None:
        return 0
    head, curator = users["block_head"], users["curator"]
    specs = (
        ("Доступность диспансеризации в районе", today - datetime.timedelta(days=75), True),
        ("Запись к врачам-специалистам", today - datetime.timedelta(days=20), False),
    )
    for title, starts_on, with_overdue in specs:
        if Roadmap.objects.filter(title=title).exists():
            continue
        roadmap = plans.create_roadmap(
            by=head,
            title=title,
            topic=topic,
            territory=territory,
            starts_on=starts_on,
            description="Рост числа обращений по теме в районе.",
        )
        due = (today - datetime.timedelta(days=5)) if with_overdue else (today + datetime.timedelta(days=20))
        plans.add_measure(roadmap, by=head, title="Организовать выездные бригады", responsible=person, due_date=due)
        plans.add_measure(
            roadmap,
            by=head,
            title="Расширить онлайн-запись",
            responsible=person,
            due_date=today + datetime.timedelta(days=45),
        )
        plans.submit_roadmap(roadmap, by=head)
        if with_overdue:
            plans.decide_roadmap(roadmap, by=curator, approve=True)
    plans.sweep_overdue_measures(today)
    return Roadmap.objects.count()


def _registries(users) -> tuple[int, int]:
    executive = users["executive"]
    organisations = list(Organisation.objects.filter(is_active=True).order_by("pk")[:3])
    blocks = list(SectorBlock.objects.filter(code__in=["health", "housing", "education"]).order_by("position"))
    practices = (
        ("Онлайн-запись с напоминаниями в мессенджере", "Неявки на приём снизились на 18 %."),
        ("Единая диспетчерская ЖКХ с картой аварий", "Срок устранения аварий сократился с 3 до 1,5 суток."),
        ("Электронная очередь в детские сады", "Число обращений о зачислении снизилось вдвое."),
    )
    for (title, effect), organisation, block in zip(practices, organisations, blocks, strict=False):
        if not BestPractice.objects.filter(title=title).exists():
            practice = plans.create_best_practice(
                by=executive,
                title=title,
                organisation=organisation,
                sector_block=block,
                description=title + ".",
                effect=effect,
            )
            plans.set_best_practice_status(practice, by=executive, status=BestPractice.Status.CONFIRMED)
    today = periods.today()
    trainings = (
        ("Работа с обращениями граждан в ПОС", Training.Kind.SEMINAR, today - datetime.timedelta(days=30)),
        ("Качество ответов по существу", Training.Kind.WEBINAR, today + datetime.timedelta(days=14)),
    )
    people = list(User.objects.filter(username__in=["block_head", "block_responsible", "executor"]))
    for title, kind, day in trainings:
        if not Training.objects.filter(title=title).exists():
            plans.create_training(
                by=executive,
                title=title,
                kind=kind,
                starts_on=day,
                ends_on=day,
                place="Рязань, ул. Ленина, 30",
                organisations=organisations,
                participants=people,
            )
    return BestPractice.objects.count(), Training.objects.count()


def seed_portal_demo(stdout=None) -> dict:
    """Create the portal's demo data (idempotent); returns the counts."""
    users = _users()
    counts = {"reports": _reports(users), "indicators": _indicators(users), "roadmaps": _roadmaps(users)}
    counts["practices"], counts["trainings"] = _registries(users)
    _say(
        stdout,
        f"Портал: отчётов {counts['reports']}, показателей {counts['indicators']}, дорожных карт "
        f"{counts['roadmaps']}, практик {counts['practices']}, обучений {counts['trainings']}.",
    )
    return counts
