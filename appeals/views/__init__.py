"""The HTML pages of appeals in work. Each view does three steps (DESIGN §5): a scoped fetch through
`appeals.selectors` (a foreign appeal is a 404), validation by a form, one call of `appeals.services`;
a refusal of the service becomes a flash message."""
