"""The web kit: what the pages, APIs and admins of several apps share (DESIGN §5: such helpers live
in `cur`, never in a domain app, so that the apps import it instead of each other).

- `views`: the POST action view (fetch one object → form → one service call → message → redirect)
  and the error texts of forms and services for flash messages; `or_404`;
- `pagination`: `slice_page` (a page without COUNT(*)) and `page_of` (Django's paginator);
- `forms`: `BootstrapFormMixin`, `Form`, `ModelForm`, `DateInput`;
- `exports`: `neutralise` (CSV/formula injection) and the CSV/XLSX constants;
- `api`: the DRF kit — JSON parser (`PARSERS`), Russian error messages, `storable_text`, the
  exception handler (settings REST_FRAMEWORK), capability permission, pagination, `IdFilter`;
- `dates`: the one range of dates accepted from a user (2000-01-01 … today + 10 years), the longest
  period read at once, and the form, django-filter and DRF fields that check it;
- `admin`: `ReadOnlyAdmin`.
"""
