"""The heat map's facts: the rollup of appeals into cells, problem points, results of polls.

The rollup is derived data: `heatmap.rollup` writes it from the appeals table and a nightly
rebuild corrects any drift, so its foreign keys carry no database constraint (a rebuild must
never fail on a directory row; the appeals table already protects the directory).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

COUNTERS = (
    "received", "answered", "answered_on_time", "quality_checked", "on_merits", "overdue", "rated",
    "dissatisfied", "repeated", "open", "open_overdue", "escalated",
)  # fmt: skip


def _fk(model: str, name: str) -> models.ForeignKey:
    # No constraint and no index of its own: the rollup is derived data, read by the indexes declared on
    # the tables (each extra index slows the nightly rebuild of millions of rows).
    return models.ForeignKey(
        model, verbose_name=name, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+",
    )  # fmt: skip


class Counts(models.Model):
    """The counters of a cell. Each counter lands on one day of the appeal (see `heatmap.rollup`):
    received, overdue, rated, dissatisfied, repeated, open, open_overdue, escalated on the day of
    registration; answered, answered_on_time, quality_checked, on_merits on the day of the answer.

    Plain integers, not PositiveIntegerField: `heatmap.rollup` applies signed deltas to HeatMonth inside its
    transaction (the old cells subtracted, the new ones added); every committed value is a count, never < 0."""

    received = models.IntegerField("поступило", default=0)
    answered = models.IntegerField("дан ответ", default=0)
    answered_on_time = models.IntegerField("ответ в срок", default=0)
    quality_checked = models.IntegerField("качество проверено", default=0)
    on_merits = models.IntegerField("ответ по существу", default=0)
    overdue = models.IntegerField("просрочено", default=0)
    rated = models.IntegerField("есть оценка заявителя", default=0)
    dissatisfied = models.IntegerField("заявитель не удовлетворён", default=0)
    repeated = models.IntegerField("повторные", default=0)
    open = models.IntegerField("открыто сейчас", default=0)
    open_overdue = models.IntegerField("открыто и просрочено сейчас", default=0)
    escalated = models.IntegerField("открыто с эскалацией сейчас", default=0)

    class Meta:
        abstract = True


class HeatCell(Counts):
    """One day × territory × sector block × topic × channel × executor of the rollup.

    The executor is part of the key so that an executor's heat map (scope: its organisation) and
    «the organisations lagging» read the rollup too; it adds few cells (the executor mostly follows
    from the block and the territory)."""

    day = models.DateField("день")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    topic = _fk("appeals.Topic", "тема")
    channel = models.CharField("канал", max_length=16)
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        verbose_name = "ячейка тепловой карты"
        verbose_name_plural = "ячейки тепловой карты"
        constraints = [
            # One row per key (NULL is a value here: «тема не указана»). The index also serves the
            # period scans of the selectors and the recompute's DELETE … WHERE day = ? AND territory = ?.
            models.UniqueConstraint(
                fields=["day", "territory", "sector_block", "topic", "channel", "organisation"],
                name="heatcell_key", nulls_distinct=False,
            ),
        ]  # fmt: skip
        indexes = [
            # A topic's series over long periods (the map's topic filter). An executor's cells are found
            # through the day range of heatcell_key: one more index would slow the nightly rebuild more.
            models.Index(fields=["topic", "day"], name="heatcell_topic_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.territory_id} · {self.topic_id} · {self.channel}"


class HeatMonth(Counts):
    """The rollup by month × territory × sector block × channel: what the map, the matrix, the trends
    and the dashboards read for whole months (its size grows with months, not with appeals)."""

    month = models.DateField("месяц")  # the first day of the month
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    channel = models.CharField("канал", max_length=16)

    class Meta:
        verbose_name = "месяц тепловой карты"
        verbose_name_plural = "месяцы тепловой карты"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "territory", "sector_block", "channel"], name="heatmonth_key", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} · {self.territory_id} · {self.sector_block_id} · {self.channel}"


class HeatFootprint(models.Model):
    """The key an appeal's counts landed on when it was last rolled up: the old key that an incremental
    update must recompute after a change moved the appeal (another territory or topic, a withdrawn
    answer), and the index by which the update finds the appeals of a key. 0 stands for «none» in the id
    columns, so that every key column is indexable by equality."""

    appeal_id = models.BigIntegerField("обращение", primary_key=True)
    territory_id = models.BigIntegerField("территория", default=0)
    sector_id = models.BigIntegerField("отраслевой блок", default=0)
    topic_id = models.BigIntegerField("тема", default=0)
    channel = models.CharField("канал", max_length=16, default="")
    organisation_id = models.BigIntegerField("исполнитель", default=0)
    registered_day = models.DateField("день регистрации")
    answered_day = models.DateField("день ответа", null=True)

    class Meta:
        verbose_name = "след обращения в тепловой карте"
        verbose_name_plural = "следы обращений в тепловой карте"
        indexes = [
            # The recompute of a key: «appeals of territory T and topic X registered (answered) on day D».
            models.Index(fields=["territory_id", "topic_id", "registered_day"], name="heatfootprint_registered"),
            models.Index(fields=["territory_id", "topic_id", "answered_day"], name="heatfootprint_answered"),
        ]

    def __str__(self) -> str:
        return f"обращение {self.appeal_id}"


class ProblemPoint(models.Model):
    """Проблемная точка: a territory × topic whose appeals spiked or stay high. Confirmed points form
    «Перечень региональных проблем» (Правила, п. 15)."""

    class Kind(models.TextChoices):
        SPIKE = "spike", "Всплеск обращений"
        PERSISTENT = "persistent", "Устойчивая проблема"

    class Status(models.TextChoices):
        NEW = "new", "Новая"
        CONFIRMED = "confirmed", "Подтверждена"
        ROADMAP = "roadmap", "В дорожной карте"
        RESOLVED = "resolved", "Решена"
        DISMISSED = "dismissed", "Отклонена"

    OPEN_STATUSES = (Status.NEW, Status.CONFIRMED, Status.ROADMAP)
    LISTED_STATUSES = (Status.CONFIRMED, Status.ROADMAP)  # «Перечень региональных проблем»

    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    territory = models.ForeignKey("sectors.Territory", verbose_name="территория", on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    sector_block = models.ForeignKey("sectors.SectorBlock", verbose_name="отраслевой блок", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    topic = models.ForeignKey("appeals.Topic", verbose_name="тема", on_delete=models.PROTECT, related_name="+")
    window_start = models.DateField("окно с")
    window_end = models.DateField("окно по")
    observed = models.PositiveIntegerField("обращений в окне")
    expected = models.FloatField("ожидалось (база)")
    score = models.FloatField("z-оценка")
    p_value = models.FloatField("p-значение", null=True, blank=True)
    explanation = models.TextField("почему отмечена", blank=True)
    first_detected_at = models.DateTimeField("впервые выявлена")
    last_detected_at = models.DateTimeField("последний раз выявлена")
    detections = models.PositiveIntegerField("выявлена раз", default=1)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="подтвердил", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    confirmed_at = models.DateTimeField("подтверждена", null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="статус изменил", null=True,
                                          blank=True, on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    status_changed_at = models.DateTimeField("статус изменён", null=True, blank=True)
    resolved_at = models.DateTimeField("решена", null=True, blank=True)
    comment = models.TextField("комментарий", blank=True)
    roadmap_note = models.CharField("дорожная карта", max_length=500, blank=True)

    class Meta:
        verbose_name = "проблемная точка"
        verbose_name_plural = "проблемные точки"
        ordering = ["-last_detected_at", "-id"]
        constraints = [
            # A new detection of an open point updates it; a resolved or dismissed one makes room for a new point.
            models.UniqueConstraint(
                fields=["kind", "territory", "topic"], condition=Q(status__in=["new", "confirmed", "roadmap"]),
                name="one_open_problem_point",
            ),
        ]  # fmt: skip
        indexes = [
            # The list page and the dashboards: points by status, the newest detection first.
            models.Index(fields=["status", "-last_detected_at"], name="problempoint_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic_id and self.topic} — {self.territory}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class PollImport(models.Model):
    """One uploaded CSV of poll, vote or public discussion results."""

    created_at = models.DateTimeField("загружен", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="загрузил", null=True,
                                   on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    original_name = models.CharField("имя файла", max_length=255)
    total_rows = models.PositiveIntegerField("строк", default=0)
    created_count = models.PositiveIntegerField("добавлено", default=0)
    existing_count = models.PositiveIntegerField("уже были", default=0)
    error_count = models.PositiveIntegerField("ошибок", default=0)
    errors = models.JSONField("ошибки по строкам", default=list, blank=True)  # [{"line": 7, "error": "…"}]

    class Meta:
        verbose_name = "импорт итогов опросов"
        verbose_name_plural = "импорты итогов опросов"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class PollResult(models.Model):
    """The result of a poll, a vote or a public discussion about a topic on a territory (Правила, п. 4б)."""

    class Kind(models.TextChoices):
        POLL = "poll", "Опрос"
        VOTE = "vote", "Голосование"
        DISCUSSION = "discussion", "Общественное обсуждение"

    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    title = models.CharField("название", max_length=500)
    held_on = models.DateField("дата проведения")
    territory = models.ForeignKey("sectors.Territory", verbose_name="территория", on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    topic = models.ForeignKey("appeals.Topic", verbose_name="тема", on_delete=models.PROTECT, related_name="+")
    participants = models.PositiveIntegerField("участников", null=True, blank=True)
    support_percent = models.DecimalField("поддержали, %", max_digits=5, decimal_places=2, null=True, blank=True)
    result = models.TextField("итог", blank=True)
    url = models.URLField("ссылка", max_length=500, blank=True)
    batch = models.ForeignKey(PollImport, verbose_name="импорт", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="results")  # fmt: skip
    created_at = models.DateTimeField("добавлен", auto_now_add=True)

    class Meta:
        verbose_name = "итог опроса или голосования"
        verbose_name_plural = "итоги опросов и голосований"
        ordering = ["-held_on", "-id"]
        constraints = [
            # A file imported twice adds nothing the second time.
            models.UniqueConstraint(fields=["kind", "title", "held_on", "territory", "topic"], name="poll_result_once"),
        ]
        indexes = [models.Index(fields=["topic", "territory", "-held_on"], name="poll_result_pair_idx")]

    def __str__(self) -> str:
        return self.title
