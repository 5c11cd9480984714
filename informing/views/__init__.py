"""Pages of ИНФОЦУР. Each view: a scoped fetch through `informing.selectors` (a foreign object is a 404),
a form, one call of `informing.services`; a refusal (`DomainError`) becomes a form error or a message."""
