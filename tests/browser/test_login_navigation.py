import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cur.demo.users import demo_password
from cur.navigation import MENU
from cur.roles import CAPABILITIES, Role

pytestmark = pytest.mark.browser


def expected_menu(role: str) -> list[str]:
    return [item.label for item in MENU if role in CAPABILITIES[item.capability]]


def test_demo_users_log_in_and_see_only_the_menu_of_their_role(transactional_db, log_in, page, live_server):
    call_command("seed_demo", force=True, appeals=100, verbosity=0)

    for role in (Role.BLOCK_HEAD, Role.COMPETENCE_CENTER, Role.OPERATOR):
        log_in(role.value, demo_password(role.value))
        assert role.label in page.inner_text("[data-testid=current-user]")
        assert [t.strip() for t in page.locator("[data-testid=main-menu] a").all_text_contents()] == expected_menu(role)
        page.click("text=Выйти")
        page.wait_for_url(f"{live_server.url}/login/")

    # The operator (logged in last) goes on to the block directory from the menu.
    log_in("operator", demo_password("operator"))
    page.click("[data-testid=main-menu] >> text=Справочники")
    page.click("[data-testid=main-menu] >> text=Отраслевые блоки")
    page.wait_for_url("**/sectors/blocks/")
    expect(page.locator("main")).to_contain_text("Здравоохранение")
    expect(page.locator("main")).to_contain_text("Твёрдые коммунальные отходы")
