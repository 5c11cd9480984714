"""The one deadline policy: which rule sets an appeal's answer deadline, and the due moment it gives.

The most specific active `DeadlineRule` wins — a topic's over a sector block's over a channel's, then the
shortest — and without one the accelerated mechanism's 30 calendar days apply (`deadlines.ACCELERATED_DAYS`;
rules themselves are capped at 30 days by the model). The services (one appeal), bulk registration and the
demo all ask a `DeadlinePolicy`; it reads the active rules once, so a batch costs one query.
"""

import datetime

from ..models import DeadlineRule
from . import deadlines


class DeadlinePolicy:
    def __init__(self) -> None:
        self.rules = list(DeadlineRule.objects.filter(is_active=True))
        self._due: dict[tuple, datetime.datetime] = {}

    def rule_for(self, channel: str, sector_block_id: int | None, topic_id: int | None) -> DeadlineRule | None:
        """The most specific active rule for an appeal of this channel, block and topic, or None."""
        matching = [
            r
            for r in self.rules
            if r.channel in ("", channel)
            and r.sector_block_id in (None, sector_block_id)
            and r.topic_id in (None, topic_id)
        ]
        return max(
            matching,
            key=lambda r: (r.topic_id is not None, r.sector_block_id is not None, r.channel != "", -r.days),
            default=None,
        )

    def due_at(self, channel: str, sector_block_id: int | None, topic_id: int | None,
               start: datetime.datetime) -> datetime.datetime:  # fmt: skip
        """The end of the last day to answer an appeal whose clock starts at `start`."""
        key = (channel, sector_block_id, topic_id, start.astimezone(deadlines.MOSCOW).date())  # Moscow days count
        if key not in self._due:
            rule = self.rule_for(channel, sector_block_id, topic_id)
            if rule is None:
                self._due[key] = deadlines.add_days(start, deadlines.ACCELERATED_DAYS, working=False)
            else:
                working = rule.day_kind == DeadlineRule.DayKind.WORKING
                self._due[key] = deadlines.add_days(start, rule.days, working=working)
        return self._due[key]
