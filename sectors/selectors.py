"""Reads of the directory: sector blocks, territories, organisations, responsible persons.

Every staff role reads the directory; only an admin sees what is no longer active.
"""

from django.db.models import Count, F, Prefetch, Q, QuerySet

from cur.roles import Role

from .models import Organisation, ResponsiblePerson, SectorBlock, Territory


def _sees_inactive(user) -> bool:
    return user.role == Role.ADMIN


def sector_blocks_visible_to(user) -> QuerySet[SectorBlock]:
    qs = SectorBlock.objects.all()
    return qs if _sees_inactive(user) else qs.filter(is_active=True)


def territories_visible_to(user) -> QuerySet[Territory]:
    qs = Territory.objects.select_related("parent")
    return qs if _sees_inactive(user) else qs.filter(is_active=True)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("territory", "parent").prefetch_related("sector_blocks")
    return qs if _sees_inactive(user) else qs.filter(is_active=True)


def responsible_persons_visible_to(user) -> QuerySet[ResponsiblePerson]:
    qs = ResponsiblePerson.objects.select_related("organisation", "sector_block", "territory", "user")
    if _sees_inactive(user):
        return qs
    return qs.filter(Q(sector_block__isnull=True) | Q(sector_block__is_active=True))


def current_persons() -> QuerySet[ResponsiblePerson]:
    return ResponsiblePerson.objects.filter(until__isnull=True).select_related("organisation")


def sector_block_directory(user) -> QuerySet[SectorBlock]:
    """Blocks with their current responsible persons and the number of active organisations."""
    return (
        sector_blocks_visible_to(user)
        .annotate(organisation_count=Count("organisations", filter=Q(organisations__is_active=True), distinct=True))
        .prefetch_related(Prefetch("responsible_persons", queryset=current_persons(), to_attr="current_persons"))
    )


def region_officials() -> QuerySet[ResponsiblePerson]:
    """The current curator and executive of the ЦУР."""
    return current_persons().filter(role__in=[ResponsiblePerson.Role.CURATOR, ResponsiblePerson.Role.EXECUTIVE])


def sees_inactive(user) -> bool:
    """Whether the user also sees blocks, territories and organisations that no longer act."""
    return _sees_inactive(user)


def block_appointments(user, block: SectorBlock) -> QuerySet[ResponsiblePerson]:
    """Everyone ever appointed to a block's posts: current holders first, then by date of appointment."""
    return (
        responsible_persons_visible_to(user)
        .filter(sector_block=block)
        .order_by(F("until").desc(nulls_first=True), "-since", "role", "pk")
    )


def post_appointments(user, person: ResponsiblePerson) -> QuerySet[ResponsiblePerson]:
    """The history of a person's post: everyone appointed to the same role of the same block or МЦУ."""
    qs = responsible_persons_visible_to(user).filter(role=person.role)
    if person.role in ResponsiblePerson.BLOCK_ROLES:
        qs = qs.filter(sector_block_id=person.sector_block_id)
    elif person.role in ResponsiblePerson.MCU_ROLES:
        qs = qs.filter(territory_id=person.territory_id)
    return qs.order_by("-since", "-pk")
