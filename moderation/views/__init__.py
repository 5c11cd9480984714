"""Pages of the moderation center. Each view: a scoped fetch through `moderation.selectors` (a foreign
object is a 404), a form, one call of `moderation.services`; a refusal becomes a message."""
