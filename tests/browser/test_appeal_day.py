"""An operator's and an executor's day with one appeal, in a real browser."""

import datetime

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Topic
from cur.roles import Role
from sectors.models import SectorBlock
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, TerritoryFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(transactional_db, make_user):
    roads = SectorBlock.objects.get(code="roads")
    pothole = Topic.objects.filter(sector_block=roads).order_by("name").first()
    district = TerritoryFactory(name="Шацкий район")
    agency = OrganisationFactory(name="ГКУ РО «Дирекция дорог Рязанской области»", territory=district,
                                 sector_blocks=[roads])  # fmt: skip
    operator = make_user(Role.OPERATOR, username="oper")
    executor = make_user(Role.EXECUTOR, username="exec", organisation=agency)
    now = timezone.now()
    appeal = Appeal.objects.create(
        channel=Appeal.Channel.POS, text="Глубокая яма на дороге у школы, машины объезжают по встречке",
        address="г. Шацк, ул. Красная, 5", received_at=now - datetime.timedelta(hours=2), registered_at=now,
        suggested_sector_block=roads, suggested_topic=pothole, suggested_territory=district, confidence=0.91,
    )  # fmt: skip
    Appeal.objects.create(channel=Appeal.Channel.EMAIL, text="Не работает уличное освещение", received_at=now,
                          registered_at=now)  # fmt: skip
    return {"appeal": appeal, "agency": agency, "pothole": pothole, "operator": operator, "executor": executor}


def test_operator_triages_executor_answers_operator_closes(scene, page, log_in, live_server):
    appeal = scene["appeal"]

    # The operator finds the appeal in the queue by a word of its text and opens it.
    log_in(scene["operator"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/queue/")
    assert page.locator("[data-testid=appeal-row]").count() == 2
    page.fill("[data-testid=filter-form] [name=q]", "яма")
    page.click("[data-testid=filter-form] button[type=submit]")
    rows = page.locator("[data-testid=appeal-row]")
    assert rows.count() == 1
    rows.first.locator(f"a[href='/appeals/{appeal.pk}/']").first.click()

    # Accepts the classifier's suggestion with one click, then assigns the executor.
    page.click("[data-testid=action-accept_suggestion] button")
    assert scene["pothole"].name in page.content()
    page.select_option("[data-testid=action-assign] select[name=organisation]", str(scene["agency"].pk))
    page.click("[data-testid=action-assign] button")
    page.wait_for_selector("text=Назначено исполнителю")
    page.click("text=Выйти")

    # The executor answers from «Мои обращения».
    log_in(scene["executor"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/my/")
    page.locator(f"a[href='/appeals/{appeal.pk}/']").first.click()
    page.fill("[data-testid=action-answer] textarea[name=text]", "Яма заделана 12.05, проведён ямочный ремонт.")
    page.click("[data-testid=action-answer] button")
    page.wait_for_selector("text=Дан ответ")
    page.click("text=Выйти")

    # The operator checks the answer's quality and closes the appeal.
    log_in(scene["operator"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    page.select_option("[data-testid=action-check_quality] select[name=quality]", Appeal.AnswerQuality.ON_MERITS)
    page.click("[data-testid=action-check_quality] button")
    page.click("[data-testid=action-close] button")
    page.wait_for_selector("text=Закрыто")

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    assert appeal.topic == scene["pothole"]
    assert appeal.organisation == scene["agency"]
    assert appeal.answer_quality == Appeal.AnswerQuality.ON_MERITS
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [
        AppealEvent.Kind.RECLASSIFIED, AppealEvent.Kind.ASSIGNED, AppealEvent.Kind.ANSWERED,
        AppealEvent.Kind.QUALITY_CHECKED, AppealEvent.Kind.CLOSED,
    ]  # fmt: skip
