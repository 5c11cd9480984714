from cur.errors import DomainError


class ModerationError(DomainError):
    pass


class DecisionNotAllowed(ModerationError):
    pass
