"""A moderator works the queue in a real browser: keyboard selection and taking, a bulk decision that opens an
information event, and one message turned into an appeal from its page."""

import pytest
from playwright.sync_api import expect

from informing.models import InformationEvent
from moderation.models import IncomingMessage
from tests.conftest import PASSWORD
from tests.factories import TerritoryFactory
from tests.moderation.factories import MessageFactory

pytestmark = pytest.mark.browser
S = IncomingMessage.Status


@pytest.fixture
def scene(transactional_db, make_user):
    moderator = make_user("moderator", username="mod")
    territory = TerritoryFactory(name="Пронский район")
    messages = [
        MessageFactory(territory=territory, text=f"Пронск: не вывозят мусор с площадки № {n}") for n in range(3)
    ]
    complaint = MessageFactory(text="Во дворе на ул. Островского, 5 в Рязани прорвало трубу", network="telegram")
    return {"moderator": moderator, "messages": messages, "complaint": complaint}


def test_a_moderator_works_the_queue(scene, page, log_in, live_server):
    log_in("mod", PASSWORD)
    page.goto(f"{live_server.url}/moderation/")
    rows = page.locator("[data-testid=message-row]")
    assert rows.count() == 4

    # Keyboard: the first row (nearest deadline) is focused with «j» and taken with «t».
    page.keyboard.press("j")
    page.keyboard.press("t")
    page.wait_for_selector("text=Выполнено: 1.")
    first = IncomingMessage.objects.order_by("due_at", "pk").first()
    assert first.assigned_to == scene["moderator"] and first.status == S.ASSIGNED

    # Bulk: the three Пронск messages become signals of one new information event.
    page.fill("[data-testid=filter-form] [name=q]", "Пронск")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_url("**/moderation/?*q=*")
    expect(rows).to_have_count(3)  # the click returns while the filtered page still loads
    page.check("#select-all")
    page.select_option("[data-testid=bulk-form] select[name=action]", "event")
    page.fill("[data-testid=bulk-form] [name=new_event_title]", "Мусор в Пронске")
    page.click("[data-testid=bulk-submit]")
    page.wait_for_selector("text=Выполнено: 3.")
    event = InformationEvent.objects.get(title="Мусор в Пронске")
    assert IncomingMessage.objects.filter(event=event, status=S.EVENT).count() == 3

    # The remaining complaint becomes an appeal from its own page; the page links to it.
    page.goto(f"{live_server.url}/moderation/")
    page.click(f"a[href='/moderation/messages/{scene['complaint'].pk}/']")
    page.select_option("[data-testid=action-decide] select[name=decision]", "appeal")
    page.click("[data-testid=action-decide] button")
    page.wait_for_selector("[data-testid=appeal-link]")
    scene["complaint"].refresh_from_db()
    assert scene["complaint"].status == S.APPEAL and scene["complaint"].appeal is not None
    page.click("[data-testid=appeal-link]")
    page.wait_for_selector("[data-testid=appeal-text]")
    assert "прорвало трубу" in page.inner_text("[data-testid=appeal-text]")
