"""The one rule for "the day an event is about": the date it carries, if it carries one.

``OWN_DATE`` names, for each event class that carries its own date, the field holding it: the
day a meeting was held (``held_at``), the day a spell began, the day a grievance's events
happened. The as-of reads (``organize.projections.domain_time``) date the log by it, and the
pages date a record's timeline by it (``day_of``), so a held meeting is dated by the day it
was held, never the day it was typed in. An event without a date of its own (reference data,
plans, corrections of details) is dated by the day it was recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from organize.domain.assessment import Assessment
from organize.domain.bargaining import Bargaining
from organize.domain.campaign import Campaign
from organize.domain.collective import Collective
from organize.domain.grievance import Grievance
from organize.domain.meeting import Meeting
from organize.domain.worker import Worker

# event class -> the attribute holding its own domain date
OWN_DATE: dict[type, str] = {
    Campaign.Launched: "launched_on",
    Campaign.ActionTaken: "taken_on",
    Campaign.DemandResolved: "on",
    Campaign.AgreementSigned: "signed_on",
    Campaign.Closed: "on",
    Campaign.CollectiveInvited: "on",
    Campaign.InvitationAccepted: "on",
    Campaign.InvitationDeclined: "on",
    Grievance.Raised: "occurred_on",
    Grievance.EvidenceNoted: "on",
    Grievance.Referred: "on",
    Grievance.Escalated: "on",
    Grievance.NegotiationRecorded: "held_on",
    Grievance.OutcomeRecorded: "on",
    Grievance.RetaliationReported: "on",
    Grievance.Withdrawn: "on",
    Grievance.Reopened: "on",
    Meeting.Held: "held_at",
    Worker.Registered: "joined_on",  # None when she joined no collective: reference data
    Worker.JoinedCollective: "on",
    Worker.LeftCollective: "on",
    Worker.ConsentGiven: "on",
    Worker.ConsentWithdrawn: "on",
    Worker.SpellStarted: "started_on",
    Worker.SpellEnded: "ended_on",
    Worker.MoveRecorded: "moved_on",
    Worker.StatusChanged: "on",
    Worker.Erased: "on",
    Collective.AllianceFormed: "since",
    Collective.AllianceEnded: "until",
    Assessment.Recorded: "assessed_on",
    Bargaining.Opened: "opened_on",
    Bargaining.MandateAdopted: "adopted_on",
    Bargaining.ClauseTabled: "on",
    Bargaining.SessionHeld: "held_on",
    Bargaining.Proposed: "on",
    Bargaining.TentativeReached: "on",
    Bargaining.VoteRecorded: "on",
    Bargaining.InForce: "starts_on",
    Bargaining.Ended: "on",
}


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()  # the local date where it happened
    return value if isinstance(value, date) else None


def own_date(event: Any) -> date | None:
    """The date the event carries (``OWN_DATE``), or None when it carries none."""
    attribute = OWN_DATE.get(type(event))
    return None if attribute is None else as_date(getattr(event, attribute, None))


def day_of(event: Any) -> date:
    """The day an event is about: its own date, else the day it was recorded."""
    return own_date(event) or event.timestamp.date()


__all__ = ["OWN_DATE", "as_date", "day_of", "own_date"]
