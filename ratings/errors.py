from cur.errors import DomainError


class RatingsError(DomainError):
    pass
