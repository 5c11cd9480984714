import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from appeals.models import Appeal, AppealEvent
from cur.demo.sectors import inn_is_valid, make_inn
from cur.models import AuditEvent, User
from cur.roles import Role
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory

pytestmark = pytest.mark.django_db

# The 14 blocks of DESIGN §3; other apps may add more (appeals adds «Прочие вопросы»).
BLOCK_CODES = [
    code for code, _name, _mandatory in importlib.import_module("sectors.migrations.0002_sector_blocks").BLOCKS
]
TABLE_TITLE = "Демо-пользователи (пароли печатаются для разработки):"


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", force=True, appeals=300, stdout=out)  # the tests run with DEBUG=0
    return out.getvalue()


def printed_credentials(output: str) -> dict[str, str]:
    """username → password from the table the command prints."""
    lines = output.splitlines()
    table = lines[lines.index(TABLE_TITLE) + 2 :]  # skip the title and the header row
    credentials = {}
    for line in table:
        if not line.startswith("  "):
            break
        username, password, _label = line.split(maxsplit=2)
        credentials[username] = password
    return credentials


def row_counts() -> dict[str, int]:
    return {
        "territories": Territory.objects.count(),
        "organisations": Organisation.objects.count(),
        "organisation blocks": Organisation.sector_blocks.through.objects.count(),
        "responsible persons": ResponsiblePerson.objects.count(),
        "linked persons": ResponsiblePerson.objects.filter(user__isnull=False).count(),
        "users": User.objects.count(),
        "user blocks": User.sector_blocks.through.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "appeals": Appeal.objects.count(),
        "appeal events": AppealEvent.objects.count(),
    }


def inn_checksum_ok(inn: str) -> bool:
    # Written out again here rather than imported, so the test does not check the code with itself.
    digits = [int(c) for c in inn]

    def check(weights):
        return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10

    if len(inn) == 10:
        return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
    return (
        check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10] and check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
    )


def test_running_seed_demo_twice_leaves_the_same_rows():
    seed_demo()
    first = row_counts()

    output = seed_demo()

    assert row_counts() == first
    assert "Территории: 30 (создано 0, обновлено 0)" in output
    assert f"Органы и организации: {first['organisations']} (создано 0, обновлено 0)" in output
    assert "(назначено сейчас 0)" in output


def test_seed_demo_once_loads_the_region_on_the_first_start_only():
    """`make run` seeds with --once: the first start loads the region, the next ones only print the users."""
    first = StringIO()
    call_command("seed_demo", force=True, once=True, appeals=50, stdout=first)
    Appeal.objects.filter(pk__in=Appeal.objects.order_by("pk").values("pk")[:5]).delete()
    appeals = Appeal.objects.count()

    second = StringIO()
    call_command("seed_demo", force=True, once=True, appeals=50, stdout=second)

    assert "Демо-данные Рязанской области готовы." in first.getvalue()
    assert "Демо-данные уже загружены в эту базу" in second.getvalue()
    assert "Демо-данные Рязанской области готовы." not in second.getvalue()
    assert Appeal.objects.count() == appeals  # a full run would have made the deleted demo appeals again
    assert printed_credentials(second.getvalue()) == printed_credentials(first.getvalue())


def test_the_demo_region_is_plausibly_sized():
    output = seed_demo()

    assert 80 <= Organisation.objects.count() <= 150
    assert Territory.objects.count() == 30
    assert Organisation.objects.filter(kind=Organisation.Kind.LOCAL_GOVERNMENT).count() == 29
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert Organisation.objects.values("territory").distinct().count() >= 20
    assert "Демо-данные Рязанской области готовы." in output


def test_every_role_has_a_demo_user_who_logs_in_with_the_printed_password(client):
    credentials = printed_credentials(seed_demo())

    assert set(credentials) == set(Role.values)
    for username, password in credentials.items():
        user = User.objects.get(username=username)
        assert user.role == username
        user.full_clean()  # an executor has an organisation, a municipal operator a territory
        assert client.login(username=username, password=password), username
        client.logout()
    assert credentials["operator"] == "cur-operator-2026"
    assert credentials["admin"] == "cur-admin-2026"


def test_demo_users_have_the_scope_their_role_needs():
    seed_demo()
    users = {u.username: u for u in User.objects.prefetch_related("sector_blocks")}

    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not any(u.is_staff for name, u in users.items() if name != "admin")
    for role in (Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE):
        assert users[role].sector_blocks.count() >= 1
    executor = users[Role.EXECUTOR]
    assert executor.organisation.sector_blocks.filter(code="health").exists()
    assert users[Role.MUNICIPAL_OPERATOR].territory.kind in Territory.MUNICIPAL_KINDS


def test_curator_and_block_users_are_the_appointed_officials():
    seed_demo()

    curator = User.objects.get(username="curator")
    assert ResponsiblePerson.objects.get(role="curator", until__isnull=True).user == curator
    for username in ("block_head", "block_responsible"):
        user = User.objects.get(username=username)
        linked = ResponsiblePerson.objects.filter(user=user, until__isnull=True)
        assert {p.sector_block for p in linked} == set(user.sector_blocks.all())
        assert {p.role for p in linked} == {username}
        assert {p.last_name for p in linked} == {user.last_name}


def test_a_changed_password_is_not_reset_by_a_second_run(client):
    seed_demo()
    user = User.objects.get(username="operator")
    user.set_password("новый-пароль-оператора")
    user.save()

    seed_demo()

    assert client.login(username="operator", password="новый-пароль-оператора")
    assert not client.login(username="operator", password="cur-operator-2026")


def test_every_block_has_a_current_responsible_and_head():
    seed_demo()

    for block in SectorBlock.objects.filter(code__in=BLOCK_CODES):
        current = ResponsiblePerson.objects.filter(sector_block=block, until__isnull=True)
        assert current.filter(role="block_responsible").count() == 1, block
        assert current.filter(role="block_head").count() == 1, block
        for person in current:
            assert person.act_number and person.act_date <= person.since
    assert len(BLOCK_CODES) == 14
    assert SectorBlock.objects.filter(is_mandatory=True, code__in=BLOCK_CODES).count() == 8
    assert ResponsiblePerson.objects.filter(role="executive", until__isnull=True).count() == 1


def test_some_posts_have_a_relieved_predecessor():
    seed_demo()

    relieved = ResponsiblePerson.objects.filter(until__isnull=False)
    assert 2 <= relieved.count() <= 3
    for old in relieved:
        successor = ResponsiblePerson.objects.get(role=old.role, sector_block=old.sector_block, until__isnull=True)
        assert (successor.since - old.until).days == 1


def test_some_municipalities_have_a_full_mcu():
    seed_demo()

    mcu = ResponsiblePerson.objects.filter(role__in=ResponsiblePerson.MCU_ROLES, until__isnull=True)
    territories = {p.territory for p in mcu}
    assert len(territories) >= 2
    for territory in territories:
        assert set(mcu.filter(territory=territory).values_list("role", flat=True)) == set(ResponsiblePerson.MCU_ROLES)


def test_every_organisation_is_valid_with_a_checksummed_unique_inn():
    seed_demo()

    organisations = list(Organisation.objects.prefetch_related("sector_blocks"))
    for organisation in organisations:
        organisation.full_clean()
        assert len(organisation.inn) == 10 and inn_checksum_ok(organisation.inn), organisation
        assert organisation.phone and organisation.email.endswith(".ru") and organisation.address
    assert len({o.inn for o in organisations}) == len(organisations)
    without_blocks = {o.short_name for o in organisations if not o.sector_blocks.all()}
    assert without_blocks == {"Правительство Рязанской области", "АНО «Центр управления регионом Рязанской области»"}
    for block in SectorBlock.objects.filter(code__in=BLOCK_CODES):
        assert block.organisations.count() >= 2, block


def test_subordinate_institutions_hang_under_a_body_of_their_block():
    seed_demo()

    for organisation in Organisation.objects.filter(kind=Organisation.Kind.SUBORDINATE).select_related("parent"):
        assert organisation.parent is not None, organisation
        assert organisation.parent.kind in (Organisation.Kind.REGIONAL_BODY, Organisation.Kind.LOCAL_GOVERNMENT)
        shared = organisation.sector_blocks.all() & organisation.parent.sector_blocks.all()
        assert shared.exists(), organisation


def test_the_inn_helpers_agree_with_the_tax_service_checksum():
    assert inn_is_valid("7707083893")  # a well-known organisation ИНН
    assert not inn_is_valid("7707083894")
    assert inn_is_valid("500100732259") and inn_checksum_ok("500100732259")  # a 12-digit ИНН of a person
    assert not inn_is_valid("500100732258")
    assert not inn_is_valid("77070838")
    assert not inn_is_valid("٧٧٠٧٠٨٣٨٩٣")  # the same digits in Arabic-Indic script
    for seed in ("a", "b", "okb", "adm.ryazan"):
        inn = make_inn(seed)
        assert inn == make_inn(seed)
        assert inn.startswith("62") and inn_checksum_ok(inn)


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()
