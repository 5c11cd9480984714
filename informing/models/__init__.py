from .common import AudienceGroup, Channel, Format, Network, Priority
from .content import (
    DisinformationCase,
    DisinformationSpread,
    DisinformationWarning,
    InformationActivity,
    Material,
    MaterialVersion,
    OfficialPage,
)
from .events import AudiencePoint, EventHistory, EventSource, InformationEvent, Recommendation

__all__ = [
    "AudienceGroup",
    "AudiencePoint",
    "Channel",
    "DisinformationCase",
    "DisinformationSpread",
    "DisinformationWarning",
    "EventHistory",
    "EventSource",
    "Format",
    "InformationActivity",
    "InformationEvent",
    "Material",
    "MaterialVersion",
    "Network",
    "OfficialPage",
    "Priority",
    "Recommendation",
]
