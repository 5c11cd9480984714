from .common import MESSENGER_NETWORKS, AudienceGroup, Channel, Format, Network, Priority, audience_labels
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


def topic_model():
    """appeals.Topic, reached through the relation: informing does not import the appeals app."""
    return InformationEvent._meta.get_field("topics").related_model


__all__ = [
    "MESSENGER_NETWORKS",
    "audience_labels",
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
    "topic_model",
]
