"""Pages of long lists: `slice_page` without a COUNT(*) (DESIGN §6), `page_of` with Django's paginator
for tables that stay small."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import QuerySet

PAGE_SIZE = 50
# Offset pagination with a cap instead of COUNT(*): deeper than this, refine the filter.
MAX_PAGE = 200


@dataclass
class SlicePage:
    """A page without a COUNT(*): one extra row tells whether there is a next page."""

    object_list: list
    number: int
    has_next: bool
    capped: bool = False
    rows: list = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0


def slice_page(queryset: QuerySet, page: str | None, size: int | None = None) -> SlicePage:
    size = size or PAGE_SIZE
    try:
        number = min(max(int(page or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    has_next = len(rows) > size
    return SlicePage(rows[:size], number, has_next and number < MAX_PAGE, capped=has_next and number >= MAX_PAGE)


def page_of(request, queryset, size: int = PAGE_SIZE):
    """A page of Django's paginator by `?page=` (counts the rows: for small tables)."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))
