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
    group: str = ""  # items of one group share a drop-down menu

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: tuple[NavItem, ...] = (
    NavItem("Очередь", "appeals:queue", "appeals.triage", "/appeals/queue/"),
    NavItem("Мои обращения", "appeals:my", "appeals.answer", "/appeals/my/"),
    NavItem("Все обращения", "appeals:list", "appeals.view", "/appeals/list/", "Обращения"),
    NavItem("Новое обращение", "appeals:create", "appeals.register", "/appeals/new/", "Обращения"),
    NavItem("Инциденты", "appeals:incident-list", "appeals.view", "/appeals/incidents/", "Обращения"),
    NavItem("Импорт", "appeals:import-upload", "appeals.import", "/appeals/import/", "Обращения"),
    NavItem("Дашборд блока", "heatmap:block-dashboard", "dashboard.block", "/heatmap/dashboard/block/"),
    NavItem("Дашборд ЦУР", "heatmap:region-dashboard", "dashboard.region", "/heatmap/dashboard/region/"),
    NavItem("Тепловая карта", "heatmap:map", "heatmap.view", "/heatmap/map/", "Аналитика"),
    NavItem("Проблемные точки", "heatmap:problems", "heatmap.view", "/heatmap/problems/", "Аналитика"),
    NavItem(
        "Перечень региональных проблем",
        "heatmap:regional-problems",
        "heatmap.view",
        "/heatmap/regional-problems/",
        "Аналитика",
    ),
    NavItem("Приоритеты опросов", "heatmap:priorities", "heatmap.view", "/heatmap/priorities/", "Аналитика"),
    NavItem("Рейтинги", "ratings:index", "ratings.web", "/ratings/", "Аналитика"),
    NavItem("Информационные поводы", "informing:event-list", "informing.view", "/informing/", "ИНФОЦУР"),
    NavItem(
        "Рекомендации органам",
        "informing:recommendation-list",
        "informing.recommendations",
        "/informing/recommendations/",
        "ИНФОЦУР",
    ),
    NavItem("Центр модерации", "moderation:queue", "moderation.work", "/moderation/", "ИНФОЦУР"),
    NavItem("Отчёты модерации", "moderation:report-list", "informing.view", "/moderation/reports/", "ИНФОЦУР"),
    NavItem("Отчёты блоков", "portal:report-list", "portal.web", "/portal/reports/", "Портал"),
    NavItem("Показатели", "portal:indicator-dashboard", "portal.web", "/portal/indicators/", "Портал"),
    NavItem("Дорожные карты", "portal:roadmap-list", "portal.web", "/portal/roadmaps/", "Портал"),
    NavItem("Лучшие практики", "portal:practice-list", "portal.web", "/portal/practices/", "Портал"),
    NavItem("Обучение и семинары", "portal:training-list", "portal.web", "/portal/trainings/", "Портал"),
    NavItem("Отраслевые блоки", "sectors:block-list", "directory.view", "/sectors/blocks/", "Справочники"),
    NavItem("Организации", "sectors:organisation-list", "directory.view", "/sectors/organisations/", "Справочники"),
    NavItem("Территории", "sectors:territory-list", "directory.view", "/sectors/territories/", "Справочники"),
    NavItem("Ответственные лица", "sectors:person-list", "directory.view", "/sectors/persons/", "Справочники"),
    NavItem("Классификатор", "appeals:classifier", "classifier.manage", "/appeals/classifier/", "Система"),
    NavItem("API", "swagger-ui", "api.use", "/api/", "Система"),
    NavItem("Журнал доступа к ПДн", "pd_log:index", "pd.audit", "/audit/personal-data/", "Система"),
    NavItem("Администрирование", "admin:index", "admin.site", "/admin/", "Система"),
)


def menu_for(user) -> list[NavItem]:
    """The menu items the user's role may open, in menu order."""
    return [item for item in MENU if can(user, item.capability)]


@dataclass
class MenuEntry:
    """A top-level entry of the header: one item, or a drop-down group of items."""

    label: str
    url: str = ""
    active: bool = False
    children: list = None


def menu_tree(user, path: str) -> list[MenuEntry]:
    """The role's menu for the header: grouped items folded into drop-downs, active marked."""
    entries: list[MenuEntry] = []
    groups: dict[str, MenuEntry] = {}
    for item in menu_for(user):
        active = path.startswith(item.section)
        if not item.group:
            entries.append(MenuEntry(item.label, item.url, active))
            continue
        group = groups.get(item.group)
        if group is None:
            group = groups[item.group] = MenuEntry(item.group, children=[])
            entries.append(group)
        group.children.append(MenuEntry(item.label, item.url, active))
        group.active = group.active or active
    return entries
