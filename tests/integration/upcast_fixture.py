"""A tiny aggregate whose 'Relabelled' event gained a field in version 2."""

from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Tagged(Aggregate):
    @event("Created")
    def __init__(self, id: UUID, label: str):
        self.label = label
        self.reason = None

    class Relabelled(Aggregate.Event):
        class_version = 2
        label: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["reason"] = "unknown (recorded before reasons were kept)"

        def apply(self, aggregate: "Tagged") -> None:
            aggregate.label = self.label
            aggregate.reason = self.reason

    def relabel(self, label: str, reason: str) -> None:
        self.trigger_event(self.Relabelled, label=label, reason=reason)
