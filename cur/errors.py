class DomainError(Exception):
    """A business rule said no. The message is Russian and is shown to the user as is.

    Each app subclasses it; the DRF exception handler turns it into a 409 response
    (400 for `InvalidInput`), the HTML views into a form error or a flash message.
    """

    status_code = 409

    def __init__(self, message: str, *, code: str = "domain_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidInput(DomainError):
    status_code = 400


class NotPermitted(DomainError):
    status_code = 403
