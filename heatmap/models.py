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


class EveryDimension(Counts):
    """Counters by every dimension of an appeal."""

    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    topic = _fk("appeals.Topic", "тема")
    channel = models.CharField("канал", max_length=16)
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        abstract = True


class HeatCellMonth(EveryDimension):
    """Month × territory × block × topic × channel × executor: the finest level of the rollup, for the reads
    that need every dimension (a topic and a channel together). Their days come from the
    footprints (`HeatFootprintDay`): a day of every dimension holds about one row per appeal (8.8M rows at
    10M appeals), so a day table of cells would be as big as the footprints and slow the nightly rebuild.

    The coarser levels below hold the same counts summed over fewer dimensions; a read takes the smallest
    level that has every column it filters or groups by (`heatmap.selectors.FAMILIES`)."""

    month = models.DateField("месяц")

    class Meta:
        verbose_name = "месяц ячейки тепловой карты"
        verbose_name_plural = "месяцы ячеек тепловой карты"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "territory", "sector_block", "topic", "channel", "organisation"],
                name="heatcellmonth_key", nulls_distinct=False,
            ),
        ]  # fmt: skip
        # A year of one topic is read by its own rows, not by a scan of every month row.
        indexes = [models.Index(fields=["topic", "month"], name="heatcellmonth_topic_month")]

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} · {self.territory_id} · {self.topic_id} · {self.channel}"


# The coarser levels: (day or month) × a subset of the cell's dimensions. Each has one unique key, which
# is also the index of its reads (a range of days or months first). No other index: every index is paid
# for by the nightly rebuild.


def _key(name: str, *fields: str) -> list:
    return [models.UniqueConstraint(fields=list(fields), name=name, nulls_distinct=False)]


class HeatDay(Counts):
    """Day × territory × block × channel × executor: the map with a channel filter, an executor's map, the
    organisations that lag."""

    day = models.DateField("день")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    channel = models.CharField("канал", max_length=16)
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        verbose_name = "день тепловой карты"
        verbose_name_plural = "дни тепловой карты"
        constraints = _key("heatday_key", "day", "territory", "sector_block", "channel", "organisation")

    def __str__(self) -> str:
        return f"{self.day} · {self.territory_id} · {self.sector_block_id}"


class HeatMonth(Counts):
    """HeatDay by month (`month` is the first day of the month)."""

    month = models.DateField("месяц")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    channel = models.CharField("канал", max_length=16)
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        verbose_name = "месяц тепловой карты"
        verbose_name_plural = "месяцы тепловой карты"
        constraints = _key("heatmonth_key", "month", "territory", "sector_block", "channel", "organisation")

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} · {self.territory_id} · {self.sector_block_id} · {self.channel}"


class HeatAreaDay(Counts):
    """Day × territory × block: the map, the matrix, the trends and the dashboards without a channel filter
    (a few hundred rows a day whatever the number of appeals)."""

    day = models.DateField("день")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")

    class Meta:
        verbose_name = "день территории и блока"
        verbose_name_plural = "дни территорий и блоков"
        constraints = _key("heatareaday_key", "day", "territory", "sector_block")

    def __str__(self) -> str:
        return f"{self.day} · {self.territory_id} · {self.sector_block_id}"


class HeatAreaMonth(Counts):
    """HeatAreaDay by month."""

    month = models.DateField("месяц")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")

    class Meta:
        verbose_name = "месяц территории и блока"
        verbose_name_plural = "месяцы территорий и блоков"
        constraints = _key("heatareamonth_key", "month", "territory", "sector_block")

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} · {self.territory_id} · {self.sector_block_id}"


class HeatTopicDay(Counts):
    """Day × territory × block × topic × executor: the priorities, the topics of a block, a topic on the map,
    an executor's topics, the series of problem point detection. (The executor is nearly fixed by territory
    and block, so it adds ≈ 25 % rows, and an executor's reads need no level of every dimension.)"""

    day = models.DateField("день")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    topic = _fk("appeals.Topic", "тема")
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        verbose_name = "день темы"
        verbose_name_plural = "дни тем"
        constraints = _key("heattopicday_key", "day", "territory", "sector_block", "topic", "organisation")

    def __str__(self) -> str:
        return f"{self.day} · {self.territory_id} · {self.sector_block_id}"


class HeatTopicMonth(Counts):
    """HeatTopicDay by month."""

    month = models.DateField("месяц")
    territory = _fk("sectors.Territory", "территория")
    sector_block = _fk("sectors.SectorBlock", "отраслевой блок")
    topic = _fk("appeals.Topic", "тема")
    organisation = _fk("sectors.Organisation", "исполнитель")

    class Meta:
        verbose_name = "месяц темы"
        verbose_name_plural = "месяцы тем"
        constraints = _key("heattopicmonth_key", "month", "territory", "sector_block", "topic", "organisation")

    def __str__(self) -> str:
        return f"{self.month:%m.%Y} · {self.territory_id} · {self.sector_block_id}"


# The counters that land on the registration day and on the answer day (received and answered are implied).
REGISTRATION_FLAGS = ("overdue", "rated", "dissatisfied", "repeated", "open", "open_overdue", "escalated")
ANSWER_FLAGS = ("answered_on_time", "quality_checked", "on_merits")


class HeatFootprint(models.Model):
    """What an appeal contributed to the rollup when it was last rolled up: its key, its two days and its
    counters. An incremental update subtracts this and adds the appeal's contribution now, so it needs no
    other appeal; the rollup is always the sum of the footprints (rejected appeals have none)."""

    appeal_id = models.BigIntegerField("обращение", primary_key=True)
    territory_id = models.BigIntegerField("территория", null=True)
    sector_block_id = models.BigIntegerField("отраслевой блок", null=True)
    topic_id = models.BigIntegerField("тема", null=True)
    channel = models.CharField("канал", max_length=16)
    organisation_id = models.BigIntegerField("исполнитель", null=True)
    registered_day = models.DateField("день регистрации")
    answered_day = models.DateField("день ответа", null=True)
    overdue = models.BooleanField("просрочено", default=False)
    rated = models.BooleanField("есть оценка", default=False)
    dissatisfied = models.BooleanField("не удовлетворён", default=False)
    repeated = models.BooleanField("повторное", default=False)
    open = models.BooleanField("открыто", default=False)
    open_overdue = models.BooleanField("открыто и просрочено", default=False)
    escalated = models.BooleanField("открыто с эскалацией", default=False)
    answered_on_time = models.BooleanField("ответ в срок", default=False)
    quality_checked = models.BooleanField("качество проверено", default=False)
    on_merits = models.BooleanField("ответ по существу", default=False)

    class Meta:
        verbose_name = "след обращения в тепловой карте"
        verbose_name_plural = "следы обращений в тепловой карте"
        # The days of the reads of every dimension (`HeatFootprintDay`: a topic and a channel together): a range
        # of days is read by the index, the topic and the channel checked in it before any row is fetched.
        indexes = [
            models.Index(fields=["registered_day", "topic_id", "channel"], name="heatfootprint_registered"),
            models.Index(fields=["answered_day", "topic_id", "channel"], name="heatfootprint_answered"),
        ]

    def __str__(self) -> str:
        return f"обращение {self.appeal_id}"


class HeatFootprintDay(EveryDimension):
    """The footprints as rollup rows of every dimension (a database view, `heatmap` migration 0004): each
    footprint's registration day and, if answered, its answer day, with the counters that land on each — the
    days of `HeatCellMonth`'s family. `id` is the appeal's id × 2 (+ 1 for the answer day)."""

    id = models.BigIntegerField(primary_key=True)
    day = models.DateField("день")

    class Meta:
        managed = False
        db_table = "heatmap_heatfootprintday"
        verbose_name = "день следа обращения"
        verbose_name_plural = "дни следов обращений"

    def __str__(self) -> str:
        return f"{self.day} · обращение {self.id // 2}"


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
