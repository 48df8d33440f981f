"""Bargaining: one round from the members' mandate to the agreement in force and its end,
and the grievances that say one of its clauses was breached. Only the collective's
**leaders** act on a round: its texts are words, which organisers never read.

- ``OpenBargaining``: the collective, its team (current members), a counterpart it may name
  that is an employer, employers' association, agency or labour office, and the campaign
  it grew from (one the collective joined).
- ``AdoptMandate``: demands adopted in a held meeting of the collective; dated by the day
  the meeting was held.
- ``TableClause``, ``RecordBargainingSession``, ``ProposeClause``: after the mandate, never
  dated before it; our attendees are current members.
- ``ReachTentativeAgreement``; ``RatifyAgreement`` in a held meeting of the collective
  (refused without a tentative agreement, or with more votes than people at the meeting);
  ``BringAgreementIntoForce``; ``EndAgreement``.
- ``CiteBreach``: a grievance of the same collective cites a clause in force on the day it
  happened.

Every text is sealed under the round's key, owned by its collective (``erase-collective``
shreds it), before it reaches the domain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from organize import commands as c
from organize.application.base import Done, Use, check_all, new_id
from organize.application.policy import (
    COLLECTIVE,
    GRIEVANCE,
    LEADERS,
    Relation,
    Rule,
    touching,
)
from organize.domain import Bargaining, Grievance, Meeting, Organisation, Worker
from organize.domain.dates import as_date
from organize.domain.errors import DomainError
from organize.domain.meeting import HELD
from organize.domain.money import money
from organize.texts import seal_text, seal_texts

if TYPE_CHECKING:
    from organize.application import Organize

COUNTERPART_KINDS = ("employer", "employers_association", "recruiter", "labour_office")


def _seal(app: Organize, agg: Bargaining, text: str) -> bytes:
    return seal_text(app, agg.id, text, (agg.collective_id,))


def _held_meeting(app: Organize, agg: Bargaining, meeting_id) -> Meeting:
    meeting = app.get(Meeting, meeting_id)
    if agg.collective_id not in meeting.collective_ids:
        raise DomainError("That meeting is not one of this collective's.", field="meeting_id",
                          code="other_collective")
    if meeting.status != HELD:
        raise DomainError("Record the meeting as held first.", field="meeting_id",
                          code="meeting_not_held")
    return meeting


def _open_bargaining(app: Organize, cmd: c.OpenBargaining) -> Done:
    counterpart = app.load(Organisation, cmd.counterpart_id, field="counterpart_id")
    if counterpart.kind not in COUNTERPART_KINDS:
        raise DomainError("Bargain with an employer, an employers' association, an agency or a "
                          "labour office.", field="counterpart_id", code="not_a_counterpart")
    check_all(app, Worker, cmd.team_ids, "team_ids")
    agg = Bargaining.open(id=new_id(cmd.command_id, "bargaining"), collective_id=cmd.collective_id,
                          counterpart_id=cmd.counterpart_id, team_ids=cmd.team_ids,
                          opened_on=cmd.opened_on, campaign_id=cmd.campaign_id)
    return Done(agg.id, [agg])


def _adopt_mandate(app: Organize, cmd: c.AdoptMandate) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    meeting = _held_meeting(app, agg, cmd.meeting_id)
    agg.adopt_mandate(meeting_id=meeting.id, adopted_on=as_date(meeting.held_at),
                      sealed_demands=seal_texts(app, agg.id, cmd.demands, (agg.collective_id,)),
                      demand_count=len(cmd.demands))
    return Done(agg.id, [agg])


def _table_clause(app: Organize, cmd: c.TableClause) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    agg.table_clause(clause_id=new_id(cmd.command_id, "clause"),
                     sealed_wording=_seal(app, agg, cmd.wording), on=cmd.on)
    return Done(agg.id, [agg])


def _record_session(app: Organize, cmd: c.RecordBargainingSession) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    check_all(app, Worker, cmd.our_attendee_ids, "our_attendee_ids")
    owners = (agg.collective_id,)
    # One note per clause, sealed together in the order of ``clause_ids``.
    agg.record_session(
        session_id=new_id(cmd.command_id, "session"), held_on=cmd.held_on,
        our_ids=cmd.our_attendee_ids,
        sealed_their_side=(seal_texts(app, agg.id, cmd.their_attendees, owners)
                           if cmd.their_attendees else None),
        sealed_notes=(seal_texts(app, agg.id, [n.note for n in cmd.notes], owners)
                      if cmd.notes else None),
        clause_ids=tuple(n.clause_id for n in cmd.notes))
    return Done(agg.id, [agg])


def _propose(app: Organize, cmd: c.ProposeClause) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    offered = None
    if cmd.amount is not None or cmd.currency is not None:
        offered = money(cmd.amount, cmd.currency)
    agg.propose(clause_id=cmd.clause_id, side=cmd.side, sealed_text=_seal(app, agg, cmd.text),
                on=cmd.on, offered=offered)
    return Done(agg.id, [agg])


def _reach_tentative(app: Organize, cmd: c.ReachTentativeAgreement) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    agg.reach_tentative(clause_ids=cmd.clause_ids, on=cmd.on)
    return Done(agg.id, [agg])


def _ratify(app: Organize, cmd: c.RatifyAgreement) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    meeting = _held_meeting(app, agg, cmd.meeting_id)
    agg.ratify(meeting_id=meeting.id, on=as_date(meeting.held_at), votes_for=cmd.votes_for,
               against=cmd.against, abstaining=cmd.abstaining, rule=cmd.rule,
               attendance=len(meeting.attendee_ids) or None)
    return Done(agg.id, [agg])


def _bring_into_force(app: Organize, cmd: c.BringAgreementIntoForce) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    agg.bring_into_force(starts_on=cmd.starts_on, expires_on=cmd.expires_on)
    return Done(agg.id, [agg])


def _end(app: Organize, cmd: c.EndAgreement) -> Done:
    agg = app.target(Bargaining, cmd, "bargaining_id")
    agg.end(on=cmd.on, reason=cmd.reason)
    return Done(agg.id, [agg])


def _cite_breach(app: Organize, cmd: c.CiteBreach) -> Done:
    grievance = app.target(Grievance, cmd, "grievance_id")
    grievance.cite_breach(app.get(Bargaining, cmd.bargaining_id), cmd.clause_id)
    return Done(grievance.id, [grievance])


BARGAINING = touching(Relation.BARGAINING, "bargaining_id")
LEADS = Rule(LEADERS, BARGAINING)

TABLE: dict[type[c.Command], Use] = {
    c.OpenBargaining: Use(_open_bargaining, Rule(
        LEADERS, COLLECTIVE + touching(Relation.ORGANISATION, "counterpart_id")
        + touching(Relation.MEMBER, "team_ids") + touching(Relation.JOINED, "campaign_id"))),
    c.AdoptMandate: Use(_adopt_mandate, Rule(
        LEADERS, BARGAINING + touching(Relation.MEETING, "meeting_id"))),
    c.TableClause: Use(_table_clause, LEADS),
    c.RecordBargainingSession: Use(_record_session, Rule(
        LEADERS, BARGAINING + touching(Relation.MEMBER, "our_attendee_ids"))),
    c.ProposeClause: Use(_propose, LEADS),
    c.ReachTentativeAgreement: Use(_reach_tentative, LEADS),
    c.RatifyAgreement: Use(_ratify, Rule(
        LEADERS, BARGAINING + touching(Relation.MEETING, "meeting_id"))),
    c.BringAgreementIntoForce: Use(_bring_into_force, LEADS),
    c.EndAgreement: Use(_end, LEADS),
    c.CiteBreach: Use(_cite_breach, Rule(LEADERS, GRIEVANCE + BARGAINING)),
}
