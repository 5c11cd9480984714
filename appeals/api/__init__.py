"""The REST API of appeals (`/api/v1/appeals/`): `fields` and `serializers` validate and represent,
`batch` registers a batch item by item, `viewsets` scopes, paginates and calls `appeals.services`."""
