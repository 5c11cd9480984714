"""Demo users for development: one per role, with a known password and the scope the role needs.

Run through `manage.py seed_demo` after the demo directory (`cur.demo.sectors`) exists: scopes and the
links to responsible persons are looked up there.
"""

from django.apps import apps
from django.db import transaction

from cur import audit
from cur.models import AuditEvent, User
from cur.roles import Role
from sectors.services import update_responsible

# The executor answers for this hospital; the municipal operator works in this district.
EXECUTOR_ORGANISATION = "ГБУ РО «Шацкая районная больница»"
MUNICIPAL_OKTMO = "61656000"  # Шацкий район
# Block roles: the demo block head leads two blocks, the demo block responsible answers for two.
BLOCK_SCOPES = {Role.BLOCK_HEAD: ("health", "education"), Role.BLOCK_RESPONSIBLE: ("housing", "energy")}
# Demo users of these roles are the officials appointed to the matching ЦУР posts.
LINKED_POSTS = {
    Role.CURATOR: "curator",
    Role.EXECUTIVE: "executive",
    Role.BLOCK_HEAD: "block_head",
    Role.BLOCK_RESPONSIBLE: "block_responsible",
}
# Users that hold no appointment: фамилия, имя, отчество, должность.
NAMES = {
    Role.ADMIN: ("Ершов", "Антон", "Павлович", "Администратор системы ЦУР"),
    Role.OPERATOR: ("Гусева", "Мария", "Сергеевна", "Оператор ЦУР"),
    Role.EXECUTOR: ("Захарова", "Светлана", "Игоревна", "Специалист по работе с обращениями граждан"),
    Role.MODERATOR: ("Филиппов", "Кирилл", "Андреевич", "Специалист центра модерации"),
    Role.MUNICIPAL_OPERATOR: ("Ковалёва", "Ирина", "Викторовна", "Оператор МЦУ Шацкого района"),
    Role.COMPETENCE_CENTER: ("", "Центр компетенций", "", "Клиент API"),
}


# The audit row `seed_demo` writes when it has loaded the demo region: `make run` seeds only once.
SEEDED = "demo.seed"


def demo_seeded_at():
    """When `seed_demo` last loaded the demo region into this database, or None."""
    return AuditEvent.objects.filter(action=SEEDED).values_list("created_at", flat=True).first()


def mark_demo_seeded(counts: dict) -> None:
    """Record that the demo region is loaded (inside the seeding transaction): one row, the first load's time."""
    AuditEvent.objects.update_or_create(
        action=SEEDED,
        object_type="demo",
        defaults={"object_repr": "Демо-данные Рязанской области", "changes": counts},
    )


def demo_credentials() -> list[tuple[str, str, str]]:
    """(username, documented password, role label) of the demo users that exist."""
    existing = set(User.objects.filter(username__in=[r.value for r in Role]).values_list("username", flat=True))
    return [(role.value, demo_password(role.value), role.label) for role in Role if role.value in existing]


def demo_password(role: str) -> str:
    """The documented development password of a demo user (README, «Демо-пользователи»)."""
    return f"cur-{role}-2026"


def _scope(role: str) -> dict:
    Organisation = apps.get_model("sectors", "Organisation")
    Territory = apps.get_model("sectors", "Territory")
    SectorBlock = apps.get_model("sectors", "SectorBlock")
    scope = {"organisation": None, "territory": None, "sector_blocks": []}
    if role == Role.EXECUTOR:
        scope["organisation"] = Organisation.objects.get(short_name=EXECUTOR_ORGANISATION)
    elif role == Role.MUNICIPAL_OPERATOR:
        scope["territory"] = Territory.objects.get(oktmo=MUNICIPAL_OKTMO)
    elif role in BLOCK_SCOPES:
        scope["sector_blocks"] = list(SectorBlock.objects.filter(code__in=BLOCK_SCOPES[role]))
    return scope


def _appointments(role: str) -> list:
    """The current appointments a demo user of `role` stands for (within its block scope)."""
    if role not in LINKED_POSTS:
        return []
    ResponsiblePerson = apps.get_model("sectors", "ResponsiblePerson")
    qs = ResponsiblePerson.objects.filter(role=LINKED_POSTS[role], until__isnull=True).order_by("pk")
    if role in BLOCK_SCOPES:
        qs = qs.filter(sector_block__code__in=BLOCK_SCOPES[role])
    return list(qs)


@transaction.atomic
def seed_demo_users() -> list[tuple[str, str, str]]:
    """Create or update one demo user per role; returns (username, password, role label) rows.

    The password is set only when the user is created, so a password changed since stays as is."""
    credentials = []
    for role in Role:
        username, password = role.value, demo_password(role.value)
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
            user.set_password(password)
        appointments = _appointments(role)
        if appointments:
            person = appointments[0]
            names = (person.last_name, person.first_name, person.patronymic, person.position)
        else:
            names = NAMES[role]
        scope = _scope(role)
        user.last_name, user.first_name, user.patronymic, user.position = names
        user.role = role
        user.email = f"{username}@cur62.ru"
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.organisation = scope["organisation"]
        user.territory = scope["territory"]
        user.full_clean()
        user.save()
        user.sector_blocks.set(scope["sector_blocks"])
        if created:
            audit.record(None, "user.create", user, {"role": [None, role.value]})
        for person in appointments:
            # Link only an appointment nobody has claimed: a link made by hand is kept.
            if person.user_id is None:
                update_responsible(person, by=None, user=user)
        credentials.append((username, password, role.label))
    return credentials
