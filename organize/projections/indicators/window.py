"""The scorer's window: the facts of a collective (or a campaign) that fall in the rubric's
rolling window ending on one week, with people and grievances interned as small ints
(hashing UUIDs was most of the scoring time), and which slices of it each dimension reads.
Pure data, no I/O: ``scoring.Scorer`` builds and reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(slots=True)
class Meeting:
    # People are interned as small ints: hashing UUIDs was most of the scoring time.
    nid: int
    on: date
    kind: str
    attendees: frozenset[int]
    facilitators: tuple[int, ...]
    speakers: frozenset[int]
    decisions: int


@dataclass(slots=True)
class GrievanceStep:
    nid: int
    g: int  # the grievance, interned
    kind: str
    on: date
    organisation_id: UUID | None
    outcome: str | None


@dataclass(slots=True)
class CampaignStep:
    nid: int
    campaign_id: UUID
    kind: str
    on: date
    detail: str | None
    participants: tuple[int, ...]
    organisation_id: UUID | None


# The slices of the window each dimension reads. A score reads nothing else but what is
# fixed for the scorer and, for two dimensions, dated state read against the window's last
# day (``Scorer._state``): a week whose slices (and state) are those of the last week scored
# scores alike. What the others read against the last day (when a grievance first had two
# parties, who stood behind it, what answered a retaliation) are days of the grievance's
# own events, loaded with it: such a day reaches the last day only by entering the window's
# grievance events, which changes that slice.
READS = {
    "issue_dynamism": ("campaign_events", "grievance_events"),
    "collective_voice": ("grievance_events", "meetings", "bargaining_events"),
    "leadership": ("meetings",),
    "participation_depth": ("meetings", "prev_meetings", "campaign_events", "prev_campaign_events"),
    "negotiating_power": ("grievance_events", "meetings", "campaign_events", "bargaining_events"),
    "cross_sector_solidarity": ("meetings", "campaign_events"),
    "alliances": ("grievance_events", "campaign_events"),
    "safety_climate": ("grievance_events",),
}
SLICES = ("meetings", "prev_meetings", "grievance_events", "campaign_events", "prev_campaign_events",
           "bargaining_events")


@dataclass(slots=True)
class Window:
    lo: date
    hi: date
    meetings: list[Meeting]
    prev_meetings: list[Meeting]
    grievance_events: list[GrievanceStep]
    campaign_events: list[CampaignStep]
    prev_campaign_events: list[CampaignStep]
    bargaining_events: list = ()  # BargainingEvent, in the window
