"""The plan of one demo appeal: the steps that take it to its final status the way the services would
(register → classify → assign → … → close), with the deadline sweep's reminders, overdue marks and
escalations in between."""

import datetime
from collections.abc import Callable

from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Incident
from appeals.workflow import deadlines

from . import texts as T
from .distributions import AUTO_ROUTE_CONFIDENCE, MODEL_VERSION
from .simulation import Context, Ref, Sim, answer_text, reopen_values

S = Appeal.Status
K = AppealEvent.Kind
Q = Appeal.AnswerQuality
R = Appeal.RejectReason


class Plan:
    """The steps that take one appeal to its final status, as (min hours, max hours, step)."""

    def __init__(self, ctx: Context, sim: Sim):
        self.ctx, self.sim, self.rng = ctx, sim, ctx.rng
        self.steps: list[tuple[float, float, Callable]] = []
        self.org: int | None = sim.f.get("organisation_id")

    def add(self, lo: float, hi: float, step: Callable) -> None:
        self.steps.append((lo, hi, step))

    # --- the services' steps --------------------------------------------------------------------

    def classify(self, *, auto: bool, triage: bool = False) -> None:
        """The classifier's suggestion; above the threshold it also sets the classification."""
        sim, rng, ctx = self.sim, self.rng, self.ctx
        topic, territory = sim.topic, sim.territory
        low, high = (AUTO_ROUTE_CONFIDENCE, 0.99) if auto else (0.3, AUTO_ROUTE_CONFIDENCE - 0.01)
        confidence = round(rng.uniform(low, high), 3)
        suggested = topic if auto or rng.random() < 0.7 else rng.choice(ctx.topics)
        suggested_territory = territory if rng.random() < 0.93 else ctx.territory()

        def step(t):
            values = {
                "suggested_sector_block_id": suggested.sector_block_id,
                "suggested_topic_id": suggested.pk,
                "suggested_territory_id": suggested_territory.pk,
                "confidence": confidence,
                "model_version": MODEL_VERSION,
                "classified_at": t,
                "classification_source": Appeal.ClassificationSource.AUTO,
            }
            if auto and not triage:
                values.update(sector_block_id=topic.sector_block_id, topic_id=topic.pk, territory_id=territory.pk)
            sim.event(K.CLASSIFIED, t, **values)

        self.add(0.01, 0.2, step)
        if not auto and not triage:
            self.add(
                0.3,
                20,
                lambda t: sim.event(
                    K.RECLASSIFIED,
                    t,
                    ctx.operator(),
                    sector_block_id=topic.sector_block_id,
                    topic_id=topic.pk,
                    territory_id=territory.pk,
                    classification_source=Appeal.ClassificationSource.MANUAL,
                ),
            )

    def assign(self, *, auto: bool = False) -> None:
        sim, ctx = self.sim, self.ctx
        org = self.org = ctx.executor_for(sim.topic.sector_block_id, sim.territory.pk)

        def step(t):
            values = {"organisation_id": org, "assigned_at": t}
            if sim.f.get("due_at") is None:
                # The clock runs from registration; for a reopened appeal from its new assignment.
                start = sim.f["registered_at"] if sim.f["status"] == S.NEW else t
                due = ctx.due_at(sim.f["channel"], sim.topic.sector_block_id, sim.topic.pk, start)
                values.update(due_at=due, overdue_at=None, escalation_level=0)
            sim.event(
                K.ASSIGNED,
                t,
                None if auto else ctx.operator(),
                status=S.ASSIGNED,
                comment="Автоматическая маршрутизация по правилам." if auto else "",
                **values,
            )

        if auto:
            self.add(0.01, 0.1, step)
        else:
            self.add(0.5, 30, step)

    def redirect(self) -> None:
        sim, ctx = self.sim, self.ctx
        new = ctx.executor_for(sim.topic.sector_block_id, sim.territory.pk, exclude=self.org)
        if new == self.org:
            return
        self.org = new
        reason = self.rng.choice(T.REDIRECT_REASONS)
        self.add(
            10,
            96,
            lambda t: sim.event(
                K.REDIRECTED, t, ctx.operator(), status=S.ASSIGNED, comment=reason, organisation_id=new, assigned_at=t
            ),
        )

    def start(self) -> None:
        org = self.org
        self.add(2, 72, lambda t: self.sim.event(K.STARTED, t, self.ctx.executor_user(org), status=S.IN_PROGRESS))

    def request_info(self) -> None:
        org, comment = self.org, self.rng.choice(T.INFO_REQUESTS)
        self.add(
            12,
            120,
            lambda t: self.sim.event(
                K.INFO_REQUESTED,
                t,
                self.ctx.executor_user(org),
                status=S.INFO_REQUESTED,
                comment=comment,
                clock_paused_at=t,
            ),
        )

    def receive_info(self) -> None:
        sim, comment = self.sim, self.rng.choice(T.INFO_RECEIVED)

        def step(t):
            # services.receive_info: the due date moves by the pause.
            values = {"clock_paused_at": None}
            due, paused = sim.f.get("due_at"), sim.f.get("clock_paused_at")
            if due is not None and paused is not None:
                values["due_at"] = due + (t - paused)
                if values["due_at"] > t:
                    values["overdue_at"] = None
            sim.event(K.INFO_RECEIVED, t, self.ctx.operator(), status=S.IN_PROGRESS, comment=comment, **values)

        self.add(24, 240, step)

    def extend(self) -> None:
        sim, days, reason = self.sim, self.rng.randint(7, 20), self.rng.choice(T.EXTENSION_REASONS)

        def step(t):
            day = timezone.localtime(max(sim.f["due_at"], t), deadlines.MOSCOW).date() + datetime.timedelta(days=days)
            new_due = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=deadlines.MOSCOW)
            sim.event(
                K.EXTENDED, t, self.ctx.operator(), comment=reason, due_at=new_due, overdue_at=None, escalation_level=0
            )

        self.add(24, 300, step)

    def answer(self, *, late: bool = False, quality: str = Q.ON_MERITS) -> None:
        sim, org = self.sim, self.org
        block = self.ctx.blocks[sim.topic.sector_block_id].code

        def step(t):
            sim.event(
                K.ANSWERED,
                t,
                self.ctx.executor_user(org),
                status=S.ANSWERED,
                answer_quality="",
                answer_text=answer_text(self.ctx, block, quality, t),
                answered_at=t,
            )

        if late:  # past the 30 days: the sweep marks it overdue first
            self.add(745, 1000, step)
        else:
            self.add(30, 500, step)

    def quality(self, quality: str) -> None:
        comment = self.rng.choice(T.QUALITY_COMMENTS) if quality == Q.ON_MERITS else ""
        self.add(
            2,
            72,
            lambda t: self.sim.event(
                K.QUALITY_CHECKED, t, self.ctx.operator(), comment=comment, answer_quality=quality
            ),
        )

    def return_(self) -> None:
        reason = self.rng.choice(T.RETURN_REASONS)
        self.add(
            1,
            24,
            lambda t: self.sim.event(
                K.RETURNED, t, self.ctx.operator(), status=S.RETURNED, comment=reason, answered_at=None
            ),
        )

    def close(self) -> None:
        self.add(1, 72, lambda t: self.sim.event(K.CLOSED, t, self.ctx.operator(), status=S.CLOSED, closed_at=t))

    def satisfaction(self, score: int) -> None:
        sim = self.sim
        feedback = T.NEGATIVE_FEEDBACK if score <= 2 else T.NEUTRAL_FEEDBACK if score == 3 else T.POSITIVE_FEEDBACK
        comment = self.rng.choice(feedback)

        def step(t):
            operator = self.ctx.operator()
            sim.event(K.SATISFACTION, t, operator, comment=comment, satisfaction=score, satisfaction_comment=comment)
            if score <= 2:  # services.record_satisfaction reopens the case
                sim.event(
                    K.REOPENED,
                    t,
                    operator,
                    comment=f"Заявитель не удовлетворён ответом (оценка {score}).",
                    **reopen_values(),
                )

        self.add(12, 240, step)

    def reopen(self) -> None:
        reason = self.rng.choice(T.REOPEN_REASONS)
        self.add(
            24, 480, lambda t: self.sim.event(K.REOPENED, t, self.ctx.operator(), comment=reason, **reopen_values())
        )

    def reject(self, reason: str, duplicate_of: Sim | None = None) -> None:
        values = {"reject_reason": reason}
        if duplicate_of is not None:
            values["repeat_of_id"] = Ref(duplicate_of)
        comment = self.rng.choice(T.REJECT_COMMENTS[reason])
        self.add(
            0.5,
            48,
            lambda t: self.sim.event(
                K.REJECTED, t, self.ctx.operator(), status=S.REJECTED, comment=comment, closed_at=t, **values
            ),
        )

    def link(self, incident: Incident) -> None:
        self.add(0.5, 24, lambda t: self.sim.event(K.INCIDENT_LINKED, t, self.ctx.operator(), incident_id=incident.pk))

    # --- whole paths ------------------------------------------------------------------------------------

    def to(self, final: str, *, late: bool = False, detours: bool = True, duplicate_of: Sim | None = None) -> None:
        """The steps to `final`, with the usual detours (redirects, information requests, extensions,
        returns, dissatisfaction) unless `detours` is off; the sweep marks a long-open appeal overdue."""
        rng, sim = self.rng, self.sim

        def maybe(p: float) -> bool:
            return detours and rng.random() < p

        if final == S.NEW:
            self.classify(auto=False, triage=True)
            if sim.incident is not None:
                self.link(sim.incident)
            return
        if final == S.REJECTED and duplicate_of is None and rng.random() < 0.45:
            # Spam or a message without essence: rejected in triage, never classified by an operator.
            reason = rng.choice([R.SPAM, R.NO_ESSENCE])
            sim.f["text"] = rng.choice(T.SPAM_TEXTS if reason == R.SPAM else T.NO_ESSENCE_TEXTS)
            sim.f["address"] = ""
            self.classify(auto=False, triage=True)
            return self.reject(reason)
        auto = rng.random() < 0.55
        self.classify(auto=auto)
        if sim.incident is not None:
            self.link(sim.incident)
        if final == S.REJECTED:
            if duplicate_of is not None:
                return self.reject(R.DUPLICATE, duplicate_of)
            if rng.random() < 0.25:
                self.assign(auto=auto)
            return self.reject(R.NOT_IN_COMPETENCE)
        self.assign(auto=auto)
        if maybe(0.08):
            self.redirect()
        if final == S.ASSIGNED:
            return
        self.start()
        if final == S.INFO_REQUESTED:
            return self.request_info()
        if maybe(0.1):
            self.request_info()
            self.receive_info()
        if maybe(0.06):
            self.extend()
        if final == S.IN_PROGRESS:
            return
        if final == S.RETURNED or (final == S.CLOSED and maybe(0.1)):
            self.answer(quality=Q.FORMAL)
            if rng.random() < 0.6:
                self.quality(Q.FORMAL)
            self.return_()
            if final == S.RETURNED:
                return
            if rng.random() < 0.5:
                self.start()
        quality = rng.choices([Q.ON_MERITS, Q.FORMAL, Q.NO_ANSWER], weights=[76, 20, 4])[0]
        self.answer(late=late or maybe(0.07), quality=quality)
        if final == S.ANSWERED:
            if rng.random() < 0.3:
                self.quality(quality)
            return
        self.quality(quality)
        self.close()
        if final == S.REOPENED:
            return self.satisfaction(rng.choice([1, 2])) if rng.random() < 0.6 else self.reopen()
        if maybe(0.06):  # dissatisfied, reopened, answered again
            self.satisfaction(rng.choice([1, 2]))
            self.assign()
            self.start()
            self.answer(quality=Q.ON_MERITS)
            self.quality(Q.ON_MERITS)
            self.close()
        if rng.random() < 0.55:
            self.satisfaction(rng.choices([5, 4, 3], weights=[45, 35, 20])[0])
