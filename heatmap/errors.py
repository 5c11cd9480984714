from cur.errors import DomainError


class HeatmapError(DomainError):
    pass
