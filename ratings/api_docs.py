"""OpenAPI parameters and examples of the ratings API (kept apart so api.py stays about behaviour)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from .models import Level, PeriodKind

LATEST_PARAMETERS = [
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values, required=True, description="Уровень рейтинга"),
    OpenApiParameter("period_kind", OpenApiTypes.STR, enum=PeriodKind.values, description="Вид периода (любой)"),
    OpenApiParameter("page", OpenApiTypes.INT, description="Страница строк рейтинга"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Строк на странице (по умолчанию 100, до 1000)"),
]

_RUN = {
    "id": 42,
    "level": "organisation",
    "level_name": "Органы и организации",
    "period_kind": "month",
    "period_start": "2026-10-01",
    "period_end": "2026-10-31",
    "period_label": "октябрь 2026",
    "methodology_version": 1,
    "computed_at": "2026-11-01T03:00:12.345678+03:00",
    "subject_count": 128,
    "ranked_count": 97,
}
_ENTRY = {
    "subject_id": 17,
    "subject_name": "ГБУ РО «Шацкая районная больница»",
    "subject": {
        "kind": "subordinate",
        "kind_name": "Подведомственное учреждение",
        "territory_id": 5,
        "territory_name": "Шацкий район",
        "sectors": ["health"],
    },
    "received": 34,
    "has_enough_data": True,
    "rank": 3,
    "score": 87.45,
    "indicators": {
        "received": {"value": 34, "numerator": 34, "denominator": None, "normalised": None},
        "on_time": {"value": 0.9333, "numerator": 28, "denominator": 30, "normalised": 0.9333},
        "median_days": {"value": 6.42, "numerator": None, "denominator": 29, "normalised": 0.8125},
        "on_merits": {"value": 0.8, "numerator": 24, "denominator": 30, "normalised": 0.8},
        "satisfied": {"value": 0.75, "numerator": 9, "denominator": 12, "normalised": 0.75},
        "reopened": {"value": 0.0294, "numerator": 1, "denominator": 34, "normalised": 0.9706},
        "redirected": {"value": 0.0, "numerator": 0, "denominator": 33, "normalised": 1.0},
        "open_overdue": {"value": 1, "numerator": 1, "denominator": None, "normalised": 0.9},
    },
}

RUN_LIST_EXAMPLE = OpenApiExample(
    "Рейтинги за октябрь 2026",
    value=_RUN,
    response_only=True,
)
RUN_DETAIL_EXAMPLE = OpenApiExample(
    "Рейтинг организаций за октябрь 2026",
    value={**_RUN, "entries": {"count": 128, "next": "https://cur.example/api/v1/ratings/42/?page=2",
                               "previous": None, "results": [_ENTRY]}},
    response_only=True,
)  # fmt: skip
METHODOLOGY_EXAMPLE = OpenApiExample(
    "Версия 1",
    value={
        "version": 1,
        "name": "Методика рейтинга ЦУР, версия 1",
        "description": "Первая версия.",
        "min_appeals": 5,
        "approved_at": "2026-01-15T10:00:00+03:00",
        "indicators": [
            {
                "code": "on_time",
                "name": "Доля ответов в срок",
                "definition": "Учитываются обращения, срок ответа по которым истёк в периоде…",
                "weight": 30.0,
                "direction": "higher",
                "normalisation": "share",
            }
        ],
    },
    response_only=True,
)
