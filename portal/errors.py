from cur.errors import DomainError


class PortalError(DomainError):
    pass
