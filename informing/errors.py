from cur.errors import DomainError, NotPermitted


class InformingError(DomainError):
    pass


class TransitionNotAllowed(InformingError):
    pass


class NotYourRecommendation(NotPermitted):
    pass
