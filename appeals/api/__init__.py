"""The machine interfaces of appeals: the REST API (`/api/v1/appeals/`: `fields` and `serializers`
validate and represent, `batch` registers a batch item by item, `viewsets` scopes, paginates and calls
`appeals.services`) and Open311 GeoReport v2 (`/open311/v2/`: `open311`, `open311_urls`)."""
