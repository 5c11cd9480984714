"""The main menu. Each item names the capability that opens its page, so the menu of a
role is exactly the set of pages it may open. Apps add their items here as they grow."""

from dataclasses import dataclass

from django.urls import reverse

from .roles import can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    section: str  # URL prefix that marks the item active

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: tuple[NavItem, ...] = (
    NavItem("Очередь", "appeals:queue", "appeals.triage", "/appeals/queue/"),
    NavItem("Обращения", "appeals:list", "appeals.view", "/appeals/list/"),
    NavItem("Мои обращения", "appeals:my", "appeals.answer", "/appeals/my/"),
    NavItem("Новое обращение", "appeals:create", "appeals.register", "/appeals/new/"),
    NavItem("Отраслевые блоки", "sectors:block-list", "directory.view", "/sectors/blocks/"),
    NavItem("Организации", "sectors:organisation-list", "directory.view", "/sectors/organisations/"),
    NavItem("Территории", "sectors:territory-list", "directory.view", "/sectors/territories/"),
    NavItem("Ответственные лица", "sectors:person-list", "directory.view", "/sectors/persons/"),
    NavItem("API", "swagger-ui", "api.use", "/api/"),
    NavItem("Администрирование", "admin:index", "admin.site", "/admin/"),
)


def menu_for(user) -> list[NavItem]:
    """The menu items the user's role may open, in menu order."""
    return [item for item in MENU if can(user, item.capability)]
