from cur.errors import DomainError


class AppealsError(DomainError):
    pass


class TransitionNotAllowed(AppealsError):
    pass
