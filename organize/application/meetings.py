"""Meetings: scheduled, held and cancelled by anyone who organises in their collectives;
attendees are current members. Decisions are sealed under the meeting's key, owned by its
collectives.

- ``ScheduleMeeting``: leaders and organisers of the collectives (agenda items in scope).
- ``RecordMeetingHeld``, ``CancelMeeting``: leaders and organisers of one of its collectives.
- ``CorrectMeeting``, ``CorrectAttendance``: the same; ``CorrectDecisions``: its collectives'
  leaders only (organisers never read decisions, so they would overwrite them blind).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from organize import commands as c
from organize.application import conflicts
from organize.application.base import Done, Use, check_all, new_id
from organize.application.policy import (
    BOTH,
    LEADERS,
    MEETING,
    Relation,
    Rule,
    touching,
)
from organize.domain import (
    Campaign,
    Collective,
    Grievance,
    Meeting,
    Worker,
)
from organize.domain.meeting import check_cancel_reason, check_decisions
from organize.texts import seal_text

if TYPE_CHECKING:
    from organize.application import Organize


def _schedule_meeting(app: Organize, cmd: c.ScheduleMeeting) -> Done:
    check_all(app, Collective, cmd.collective_ids, "collective_ids")
    check_all(app, Grievance, cmd.agenda_grievance_ids, "agenda_grievance_ids")
    check_all(app, Campaign, cmd.agenda_campaign_ids, "agenda_campaign_ids")
    agg = Meeting.schedule(
        id=new_id(cmd.command_id, "meeting"), kind=cmd.kind, collective_ids=cmd.collective_ids,
        scheduled_for=cmd.scheduled_for, language=cmd.language,
        agenda_grievance_ids=cmd.agenda_grievance_ids,
        agenda_campaign_ids=cmd.agenda_campaign_ids, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


def _record_meeting_held(app: Organize, cmd: c.RecordMeetingHeld) -> Done:
    agg = app.target(Meeting, cmd, "meeting_id")
    check_all(app, Worker, tuple(dict.fromkeys(cmd.attendee_ids)), "attendee_ids")
    decisions = check_decisions(cmd.decisions)
    # Sealed under the meeting's key, owned by its collectives (erase-collective shreds it).
    sealed = (app.sealer.seal(agg.id, msgspec.json.encode(decisions), tuple(agg.collective_ids))
              if decisions else None)
    agg.record_held(held_at=cmd.held_at, attendee_ids=cmd.attendee_ids,
                    facilitator_ids=cmd.facilitator_ids, speaker_ids=cmd.speaker_ids,
                    language=cmd.language, sealed_decisions=sealed, decision_count=len(decisions))
    return Done(agg.id, [agg])


def _cancel_meeting(app: Organize, cmd: c.CancelMeeting) -> Done:
    agg = app.target(Meeting, cmd, "meeting_id")
    reason = check_cancel_reason(cmd.reason)
    # Under the meeting's key, as its decisions are (erase-collective shreds it).
    agg.cancel(None if not reason else seal_text(app, agg.id, reason, agg.collective_ids))
    return Done(agg.id, [agg])





CORRECTED = ("kind", "scheduled_for", "held_at")  # what a conflict compares


def _correct_meeting(app: Organize, cmd: c.CorrectMeeting) -> Done:
    """Made from an older version, it is merged (``organize.application.conflicts``)."""
    return conflicts.merged_correction(
        app, Meeting, cmd, "meeting_id", CORRECTED, "meeting", lambda m: tuple(m.collective_ids),
        lambda m, values: m.correct(**values, reason=cmd.reason, taxonomy=app.taxonomy))


ROLES = ("attendee_ids", "facilitator_ids", "speaker_ids")


def _correct_attendance(app: Organize, cmd: c.CorrectAttendance) -> Done:
    """Made from an older version, it is merged like the meeting's other corrections: each
    list (who came, led, spoke) is a field of its own."""
    check_all(app, Worker, tuple(dict.fromkeys(cmd.attendee_ids)), "attendee_ids")
    return conflicts.merged_correction(
        app, Meeting, cmd, "meeting_id", ROLES, "meeting", lambda m: tuple(m.collective_ids),
        lambda m, values: m.correct_attendance(**values, reason=cmd.reason))


def _opened_decisions(app: Organize, agg: Meeting) -> dict[str, tuple[str, ...]]:
    if agg.sealed_decisions is None:
        return {"decisions": tuple(agg.decisions)}
    plain = app.sealer.open(agg.id, agg.sealed_decisions)
    return {"decisions": () if plain is None else
            tuple(msgspec.json.decode(plain, type=tuple[str, ...]))}


def _correct_decisions(app: Organize, cmd: c.CorrectDecisions) -> Done:
    """Merged like the other corrections; a flag keeps how many decisions each version had,
    never their words (those stay sealed on the meeting, every version in its history)."""
    def apply(agg: Meeting, values: dict[str, tuple[str, ...]]) -> None:
        decisions = values["decisions"]
        sealed = (app.sealer.seal(agg.id, msgspec.json.encode(decisions),
                                  tuple(agg.collective_ids)) if decisions else None)
        agg.correct_decisions(sealed_decisions=sealed, decision_count=len(decisions),
                              reason=cmd.reason)

    return conflicts.merged_correction(
        app, Meeting, cmd, "meeting_id", ("decisions",), "meeting",
        lambda m: tuple(m.collective_ids), apply,
        proposed={"decisions": check_decisions(cmd.decisions)},
        read=lambda agg: _opened_decisions(app, agg), shown=lambda v: str(len(v)))


ATTENDEES = touching(Relation.MEMBER, "attendee_ids", "facilitator_ids", "speaker_ids")

TABLE: dict[type[c.Command], Use] = {
    c.ScheduleMeeting: Use(_schedule_meeting, Rule(
        BOTH, touching(Relation.COLLECTIVE, "collective_ids")
        + touching(Relation.GRIEVANCE, "agenda_grievance_ids")
        + touching(Relation.REACHED, "agenda_campaign_ids"))),
    c.RecordMeetingHeld: Use(_record_meeting_held, Rule(BOTH, MEETING + ATTENDEES)),
    c.CancelMeeting: Use(_cancel_meeting, Rule(BOTH, MEETING)),
    c.CorrectMeeting: Use(_correct_meeting, Rule(BOTH, MEETING)),
    c.CorrectAttendance: Use(_correct_attendance, Rule(BOTH, MEETING + ATTENDEES)),
    # Decisions are words, which organisers never read: correcting what one cannot read
    # would overwrite it blind, so only the meeting's collectives' leaders correct them.
    c.CorrectDecisions: Use(_correct_decisions, Rule(LEADERS, MEETING)),
}
