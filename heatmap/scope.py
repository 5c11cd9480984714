"""Whose numbers a user sees on the heat map pages: the same scope as `appeals_visible_to`, applied to
the rollup, the problem points and the poll results (DESIGN §3)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from appeals.selectors import REGION_WIDE_ROLES, territory_and_descendants
from cur.roles import BLOCK_ROLES, Role, can
from sectors.models import Territory


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    blocks: tuple[int, ...] | None = None  # block roles (and an executor's blocks, for points and polls)
    territories: tuple[int, ...] | None = None  # municipal operators (and an executor's territory)
    organisation: int | None = None  # executors: cells of their organisation

    @property
    def nothing(self) -> bool:
        return not self.everything and self.blocks is None and self.territories is None and self.organisation is None

    @property
    def columns(self) -> set[str]:
        """The rollup columns this scope filters by."""
        wanted = {"sector_block_id": self.blocks, "territory_id": self.territories,
                  "organisation_id": self.organisation}  # fmt: skip
        return set() if self.everything else {column for column, value in wanted.items() if value is not None}

    def cells(self, qs: QuerySet) -> QuerySet:
        """Rows of a rollup table the user may count."""
        if self.everything:
            return qs
        if self.nothing:
            return qs.none()
        if self.organisation is not None:
            return qs.filter(organisation_id=self.organisation)
        if self.blocks is not None:
            qs = qs.filter(sector_block_id__in=self.blocks)
        if self.territories is not None:
            qs = qs.filter(territory_id__in=self.territories)
        return qs

    def pairs(self, qs: QuerySet) -> QuerySet:
        """Problem points and poll results (a territory and a topic of a block)."""
        if self.everything:
            return qs
        if self.nothing:
            return qs.none()
        condition = Q()
        if self.blocks is not None:
            condition &= Q(topic__sector_block_id__in=self.blocks)
        if self.territories is not None:
            condition &= Q(territory_id__in=self.territories)
        return qs.filter(condition)

    def allows_territory(self, territory_id: int) -> bool:
        return self.territories is None or territory_id in self.territories

    def allows_block(self, block_id: int | None) -> bool:
        return self.blocks is None or block_id in self.blocks


def scope_for(user) -> Scope:
    """The user's scope on the heat map (a fixed number of queries per role)."""
    if not can(user, "heatmap.view"):
        return Scope()
    if user.role in REGION_WIDE_ROLES:
        return Scope(everything=True)
    if user.role in BLOCK_ROLES:
        return Scope(blocks=tuple(user.sector_blocks.values_list("pk", flat=True)))
    if user.role == Role.MUNICIPAL_OPERATOR:
        if not user.territory_id:
            return Scope()
        return Scope(territories=tuple(territory_and_descendants(user.territory)))
    if user.role == Role.EXECUTOR and user.organisation_id:
        organisation = user.organisation
        territory = organisation.territory
        territories = None if territory.kind == Territory.Kind.REGION else tuple(territory_and_descendants(territory))
        blocks = tuple(organisation.sector_blocks.values_list("pk", flat=True))
        return Scope(blocks=blocks, territories=territories, organisation=organisation.pk)
    return Scope()
