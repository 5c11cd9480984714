from cur.errors import DomainError


class SectorsError(DomainError):
    pass
