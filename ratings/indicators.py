"""The indicators a rating can weigh: their codes, names and precise definitions in plain Russian.

The computation of each code lives in `ratings.compute`; a methodology version chooses the weight,
the direction and the normalisation of each. The definitions below are what the methodology page
publishes, so they must say exactly what `compute` counts.
"""

from dataclasses import dataclass
from decimal import Decimal


class Kind:
    COUNT = "count"  # a number of appeals
    SHARE = "share"  # numerator / denominator, 0..1
    MEDIAN = "median"  # a median in days over `denominator` appeals


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    kind: str
    unit: str
    definition: str
    # Version 1 of the methodology (the data migration); an admin changes them in new versions.
    weight: Decimal
    direction: str  # "higher" or "lower" is better
    normalisation: str  # "share" (already 0..1) or "minmax" (across the ranked subjects of the run)


PERIOD_NOTE = (
    "Период — календарные дни по московскому времени, с 00:00 первого дня до 24:00 последнего. "
    "Конец периода — момент среза: всё, что зависит от «сейчас» (просрочено ли обращение, открыто ли оно), "
    "оценивается на этот момент, а не на момент расчёта, поэтому те же данные всегда дают те же числа. "
    "Исход обращений периода (качество ответа, оценка заявителя, возобновление, повторные обращения) "
    "берётся по данным на момент расчёта; рейтинг — неизменяемый снимок, пересчёт создаёт новый снимок. "
    "Отклонённые обращения (спам, дубликаты, вне компетенции, без сути) не учитываются ни в одном показателе."
)
SUBJECT_NOTE = (
    "Обращение относится к организации-исполнителю, которой оно поручено на момент расчёта; "
    "к муниципальному образованию — по территории обращения (поселение или населённый пункт — "
    "к своему району или округу); к отраслевому блоку — по блоку обращения."
)

SPECS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "received", "Поступило обращений", Kind.COUNT, "обращений",
        "Число обращений, зарегистрированных в периоде. По нему же проверяется достаточность данных: "
        "если их меньше порога методики, субъект не получает места («недостаточно данных»).",
        Decimal("0"), "lower", "minmax",
    ),
    IndicatorSpec(
        "on_time", "Доля ответов в срок", Kind.SHARE, "доля",
        "Учитываются обращения, срок ответа по которым истёк в периоде (дата срока — в периоде). "
        "В срок — ответ дан до конца периода и не позже дня срока (ответ в сам день срока — в срок). "
        "Не в срок — ответ дан позже дня срока или к концу периода ответа нет. "
        "Открытое обращение, срок которого ещё не наступил, не просрочено и в расчёт не входит: "
        "оно попадёт в период, на который придётся его срок. Обращения с приостановленным сроком "
        "(запрошены сведения у заявителя) и возобновлённые без нового срока не учитываются. "
        "Каждое обращение учитывается один раз — в периоде своего срока.",
        Decimal("30"), "higher", "share",
    ),
    IndicatorSpec(
        "median_days", "Медианное время ответа", Kind.MEDIAN, "дней",
        "Медиана времени от регистрации обращения до ответа исполнителя (а не до закрытия) в днях, "
        "с дробной частью, по обращениям, ответ на которые дан в периоде.",
        Decimal("10"), "lower", "minmax",
    ),
    IndicatorSpec(
        "on_merits", "Доля ответов по существу", Kind.SHARE, "доля",
        "Среди обращений, зарегистрированных в периоде, качество ответа на которые проверено оператором, "
        "доля ответов с оценкой «По существу» (остальные — «Формальный ответ» и «Без ответа»).",
        Decimal("20"), "higher", "share",
    ),
    IndicatorSpec(
        "satisfied", "Доля удовлетворённых заявителей", Kind.SHARE, "доля",
        "Среди обращений, зарегистрированных в периоде, по которым заявитель поставил оценку (1–5), "
        "доля оценок 4 и 5.",
        Decimal("20"), "higher", "share",
    ),
    IndicatorSpec(
        "reopened", "Доля возобновлённых и повторных", Kind.SHARE, "доля",
        "Среди обращений, зарегистрированных в периоде, доля тех, что были возобновлены (неудовлетворительная "
        "оценка, решение оператора) или на которые поступило повторное обращение (кроме отклонённых как дубликат).",
        Decimal("10"), "lower", "share",
    ),
    IndicatorSpec(
        "redirected", "Доля перенаправленных по компетенции", Kind.SHARE, "доля",
        "Среди обращений, переданных исполнителю в работу в периоде (событие «Назначен исполнитель» или "
        "«Перенаправлено по компетенции» с этим исполнителем как новым), доля тех, что до конца периода "
        "были перенаправлены от него другому исполнителю. Для муниципальных образований и блоков — то же "
        "по обращениям их территории или блока, к какому бы исполнителю они ни попали.",
        Decimal("5"), "lower", "share",
    ),
    IndicatorSpec(
        "open_overdue", "Открытых просроченных на конец периода", Kind.COUNT, "обращений",
        "Число обращений, которые на конец периода были открыты без ответа, с идущим (не приостановленным) "
        "сроком, и срок ответа по которым к этому моменту истёк.",
        Decimal("5"), "lower", "minmax",
    ),
)  # fmt: skip

BY_CODE: dict[str, IndicatorSpec] = {spec.code: spec for spec in SPECS}
CODES: tuple[str, ...] = tuple(BY_CODE)
CHOICES = [(spec.code, spec.name) for spec in SPECS]
SHARE_CODES = frozenset(spec.code for spec in SPECS if spec.kind == Kind.SHARE)
DEFAULT_MIN_APPEALS = 5


def spec(code: str) -> IndicatorSpec:
    return BY_CODE[code]
