"""Roles of ЦУР staff and what each may do.

One table maps a capability to the roles that have it; views, the API permission
classes and the navigation all ask `can(user, capability)`, so a page that a role
cannot open never shows up in its menu.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Администратор"
    CURATOR = "curator", "Куратор ЦУР"
    EXECUTIVE = "executive", "Ответственный исполнитель"
    BLOCK_RESPONSIBLE = "block_responsible", "Ответственный за отраслевой блок"
    BLOCK_HEAD = "block_head", "Руководитель отраслевого блока"
    OPERATOR = "operator", "Оператор ЦУР"
    EXECUTOR = "executor", "Сотрудник органа (организации)"
    MODERATOR = "moderator", "Центр модерации"
    MUNICIPAL_OPERATOR = "municipal_operator", "Оператор МЦУ"
    COMPETENCE_CENTER = "competence_center", "Центр компетенций (API)"


BLOCK_ROLES = frozenset({Role.BLOCK_RESPONSIBLE, Role.BLOCK_HEAD})
STAFF_ROLES = frozenset(Role) - {Role.COMPETENCE_CENTER}

INFORMING_VIEW = frozenset(
    {Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE}
)

CAPABILITIES: dict[str, frozenset[str]] = {
    # Справочники: отраслевые блоки, территории, организации, ответственные лица.
    "directory.view": STAFF_ROLES,
    "directory.edit": frozenset({Role.ADMIN}),
    # The REST API and its documentation: every role, the competence center included.
    "api.use": frozenset(Role),
    # Appeals (scope per role in appeals.selectors.appeals_visible_to).
    "appeals.view": STAFF_ROLES,
    "appeals.register": frozenset({Role.ADMIN, Role.OPERATOR, Role.MUNICIPAL_OPERATOR}),
    "appeals.triage": frozenset({Role.ADMIN, Role.OPERATOR, Role.MUNICIPAL_OPERATOR}),
    "appeals.import": frozenset({Role.ADMIN, Role.OPERATOR}),
    "appeals.answer": frozenset({Role.EXECUTOR}),
    # May unmask an applicant's personal data (each unmasking is logged).
    "appeals.personal_data": frozenset(
        {Role.ADMIN, Role.CURATOR, Role.OPERATOR, Role.MUNICIPAL_OPERATOR, Role.EXECUTOR}
    ),
    # Ratings: tables and drill-down for staff, the API for the competence center too.
    "ratings.view": frozenset(Role),
    "ratings.web": STAFF_ROLES,  # the pages; the competence center uses the API
    "ratings.compute": frozenset({Role.ADMIN, Role.CURATOR}),
    "ratings.methodology.edit": frozenset({Role.ADMIN}),
    "ratings.methodology.approve": frozenset({Role.CURATOR}),
    # The appeal classifier: versions, activation and rollback, retraining.
    "classifier.manage": frozenset({Role.ADMIN}),
    # Heat map, problem points, polls priorities (scoped like appeals) and dashboards.
    "heatmap.view": STAFF_ROLES,
    "heatmap.problems.confirm": frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.BLOCK_RESPONSIBLE}),
    "dashboard.block": BLOCK_ROLES,
    "dashboard.region": frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE}),
    # ИНФОЦУР and the moderation center.
    "informing.view": INFORMING_VIEW,
    "informing.manage": frozenset({Role.ADMIN, Role.MODERATOR}),
    # Recommendations to bodies: ИНФОЦУР staff, and executors for their own organisation.
    "informing.recommendations": INFORMING_VIEW | {Role.EXECUTOR},
    "moderation.work": frozenset({Role.ADMIN, Role.MODERATOR}),
    # The portal: reports, indicators, roadmaps, best practices, trainings (the competence center: API only).
    "portal.view": STAFF_ROLES | {Role.COMPETENCE_CENTER},
    "portal.web": STAFF_ROLES,
    "portal.reports.write": frozenset({Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE, Role.EXECUTIVE}),
    "portal.approve": frozenset({Role.CURATOR}),
    "portal.indicators.propose": frozenset({Role.EXECUTIVE, Role.BLOCK_RESPONSIBLE}),
    "portal.indicators.manage": frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE}),
    "portal.roadmaps.write": frozenset({Role.CURATOR, Role.EXECUTIVE, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE}),
    "portal.registry.write": frozenset(
        {Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE}
    ),  # best practices and trainings
    # The Django admin site and the audit log.
    "admin.site": frozenset({Role.ADMIN}),
    # The personal-data access log (views and exports of applicants' data, 152-ФЗ).
    "pd.audit": frozenset({Role.ADMIN}),
}


def can(user, capability: str) -> bool:
    """Whether an authenticated user's role grants the capability."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in CAPABILITIES[capability]
