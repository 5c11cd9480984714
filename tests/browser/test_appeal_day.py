"""An operator's and an executor's day with one appeal, in a real browser."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

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


def log_out(page, live_server):
    page.click("text=Выйти")
    page.wait_for_url(f"{live_server.url}/login/")


def test_operator_triages_executor_answers_operator_closes(scene, page, log_in, live_server):
    appeal = scene["appeal"]
    flash = page.get_by_role("alert")

    # The operator finds the appeal in the queue by a word of its text and opens it. (A click that
    # submits a form returns once the next page starts loading: every step waits for what it needs
    # on the page that follows, never counts rows of a page still loading.)
    log_in(scene["operator"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/queue/")
    rows = page.locator("[data-testid=appeal-row]")
    expect(rows).to_have_count(2)
    page.fill("[data-testid=filter-form] [name=q]", "яма")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_url("**/appeals/queue/?*q=*")
    expect(rows).to_have_count(1)
    rows.first.locator(f"a[href='/appeals/{appeal.pk}/']").first.click()
    page.wait_for_url(f"{live_server.url}/appeals/{appeal.pk}/")

    # Accepts the classifier's suggestion with one click, then assigns the executor.
    page.click("[data-testid=action-accept_suggestion] button")
    expect(flash).to_have_text("Предложенная классификация принята.")
    expect(page.locator("main")).to_contain_text(scene["pothole"].name)
    page.select_option("[data-testid=action-assign] select[name=organisation]", str(scene["agency"].pk))
    page.click("[data-testid=action-assign] button")
    expect(flash).to_have_text("Исполнитель назначен.")
    page.wait_for_selector("text=Назначено исполнителю")
    log_out(page, live_server)

    # The executor answers from «Мои обращения».
    log_in(scene["executor"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/my/")
    page.locator(f"a[href='/appeals/{appeal.pk}/']").first.click()
    page.wait_for_url(f"{live_server.url}/appeals/{appeal.pk}/")
    page.fill("[data-testid=action-answer] textarea[name=text]", "Яма заделана 12.05, проведён ямочный ремонт.")
    page.click("[data-testid=action-answer] button")
    expect(flash).to_have_text("Ответ записан.")
    page.wait_for_selector("text=Дан ответ")
    log_out(page, live_server)

    # The operator checks the answer's quality and closes the appeal.
    log_in(scene["operator"].username, PASSWORD)
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    page.select_option("[data-testid=action-check_quality] select[name=quality]", Appeal.AnswerQuality.ON_MERITS)
    page.click("[data-testid=action-check_quality] button")
    expect(flash).to_have_text("Качество ответа оценено.")
    page.click("[data-testid=action-close] button")
    expect(flash).to_have_text("Обращение закрыто.")
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
