"""Who may do what: the access policy's machinery, beside the use cases.

Every command has one ``Rule``, in its use-case module's table (merged into
``organize.application.RULES``, enforced by ``organize.application.access``): the roles
that may run it (an admin runs everything) and, for each id it names, the **relation** the
account must have to that aggregate. A read of one aggregate asks the same relations
(``Visibility``). The web and API layers only authenticate, call ``Authorised`` and map a
refusal to 403 (the role may not) or 404 (out of scope: answered word for word as for an id
that does not exist, so guessing ids tells nothing).

The relations (``Relation``):

- ``COLLECTIVE``: one of a leader's collectives, or one in an organiser's federation;
- ``MEMBER``: a worker who is **currently** a member of such a collective. A collective she
  left keeps what it recorded while she was a member (her pseudonym on it), but cannot edit,
  consent for or erase her, and reads nothing recorded about her since (``FORMER``);
- ``GRIEVANCE`` / ``ASSESSMENT``: its collective is in scope;
- ``JOINED``: a campaign one of the account's collectives joined (for an organiser: one that
  reaches her federation); ``REACHED``: joined or invited, enough to see it and answer;
- ``MEETING``: one of its collectives is in scope;
- ``ORGANISATION``: an organisation the account may name. Organisations recorded by a
  collective are visible to its federation; a private household employer is a person (her
  address identifies the worker who lives there), so only the collective that recorded it
  sees it. Organisations recorded by no collective (by an admin, or before this rule) are
  shared reference data, except households, which then only an admin sees;
- ``RECORDED``: an organisation recorded by a collective in scope (to rename it);
- ``PROCEDURE``: a grievance procedure of a collective in scope;
- ``BARGAINING``: a bargaining round of a collective in scope (only its leaders act on it;
  organisers of its federation see its stages and counts, never its words).

The roles' duties (DOMAIN.md): **leaders** hold their collectives' files. **Organisers**
coordinate: they create collectives in their federation, launch joint campaigns, schedule
and record coordination meetings, assess, and read counts and indicators; they never write
personal data or consent, never erase, never touch a grievance. **Researchers** reach none
of this (``web.research``). **Admins** reach everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from organize.domain import (
    Assessment,
    Bargaining,
    Campaign,
    Collective,
    Grievance,
    ImportedSubmission,
    Meeting,
    Organisation,
    Procedure,
    Worker,
)
from organize.domain.account import ADMIN, LEADER, ORGANISER
from organize.errors import NotFound
from organize.projections.reads import Scope

if TYPE_CHECKING:
    from organize import commands as c
    from organize.application import Organize

ROLE_MESSAGE = "Your account's role does not reach this."
HOUSEHOLD = "household"  # the organisation kind that is a person


class Relation(Enum):
    COLLECTIVE = "a collective in scope"
    MEMBER = "a worker who is now a member of a collective in scope"
    GRIEVANCE = "a grievance of a collective in scope"
    ASSESSMENT = "an assessment of a collective in scope"
    JOINED = "a campaign a collective in scope joined"
    REACHED = "a campaign a collective in scope joined or is invited to"
    MEETING = "a meeting of a collective in scope"
    ORGANISATION = "an organisation the account may name"
    RECORDED = "an organisation a collective in scope recorded"
    BARGAINING = "a bargaining round of a collective in scope"
    PROCEDURE = "a grievance procedure of a collective in scope"
    IMPORTED = "an imported submission of a collective in scope"


KIND = {
    Relation.COLLECTIVE: Collective, Relation.MEMBER: Worker, Relation.GRIEVANCE: Grievance,
    Relation.ASSESSMENT: Assessment, Relation.JOINED: Campaign, Relation.REACHED: Campaign,
    Relation.MEETING: Meeting, Relation.ORGANISATION: Organisation,
    Relation.RECORDED: Organisation, Relation.PROCEDURE: Procedure,
    Relation.BARGAINING: Bargaining,
    Relation.IMPORTED: ImportedSubmission,
}


@dataclass(frozen=True)
class Touch:
    """A command names aggregates in ``field`` (one id, a tuple, or None), each of which
    must stand in ``relation`` to the account."""

    field: str
    relation: Relation


Check = Callable[[Any, Any], None]  # (principal, command): raises Forbidden


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # besides admin
    touches: tuple[Touch, ...] = ()
    check: Check | None = None  # a further rule on the role and the command
    admin_only: bool = False

    def may(self, role: str | None) -> bool:
        return role == ADMIN or (not self.admin_only and role in self.roles)


LEADERS = frozenset({LEADER})
ORGANISERS = frozenset({ORGANISER})
BOTH = frozenset({LEADER, ORGANISER})


def touching(relation: Relation, *fields: str) -> tuple[Touch, ...]:
    return tuple(Touch(f, relation) for f in fields)


COLLECTIVE = touching(Relation.COLLECTIVE, "collective_id")
WORKER = touching(Relation.MEMBER, "worker_id")
GRIEVANCE = touching(Relation.GRIEVANCE, "grievance_id")
CAMPAIGN = touching(Relation.JOINED, "campaign_id")
MEETING = touching(Relation.MEETING, "meeting_id")
ORGANISATION = touching(Relation.ORGANISATION, "organisation_id")
PROCEDURE = touching(Relation.PROCEDURE, "procedure_id")
ACCOUNTS = Rule(frozenset(), admin_only=True)

def not_found(kind: type[Aggregate], aggregate_id: UUID, field: str) -> NotFound:
    # Word for word what the application says of an id that does not exist.
    return NotFound(f"No {kind.__name__.lower()} with id {aggregate_id}.", field=field,
                    code="not_found")


def current(worker: Worker, collective_id: UUID) -> bool:
    return collective_id in worker.collectives


def member_on(worker: Worker, collective_id: UUID, day: date) -> bool:
    """Whether she was a member of the collective on that day."""
    return any(m.collective_id == collective_id and m.joined_on <= day
               and (m.left_on is None or day <= m.left_on) for m in worker.memberships)


class Visibility:
    """Answers "what may this account see of this aggregate?" for one request, loading what
    it must once. Used by the command rules and by every read of one aggregate."""

    def __init__(self, app: Organize, scope: Scope):
        self.app = app
        self.scope = scope
        self.everything = scope == Scope.everything()
        self._federations: dict[UUID, str | None] = {}
        self._loaded: dict[UUID, Aggregate | None] = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._loaded:
            try:
                self._loaded[aggregate_id] = self.app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                self._loaded[aggregate_id] = None
        return self._loaded[aggregate_id]

    def seen(self, aggregate: Aggregate) -> None:
        """An aggregate this request has just loaded: its checks use it rather than replay
        it again (a page loads its collective, then asks whether the collective is in scope).
        The latest load wins: a page read after a command sees the aggregate it changed."""
        self._loaded[aggregate.id] = aggregate

    # -- collectives -----------------------------------------------------------------------

    def federation_of(self, collective_id: UUID) -> str | None:
        if collective_id not in self._federations:
            found = self.get(collective_id)
            self._federations[collective_id] = (
                found.federation if isinstance(found, Collective) else None)
        return self._federations[collective_id]

    def collective(self, collective_id: UUID) -> bool:
        """A collective in scope (and one that exists)."""
        if self.everything:
            return isinstance(self.get(collective_id), Collective)
        if self.scope.collective_ids is not None and collective_id not in self.scope.collective_ids:
            return False
        if not isinstance(self.get(collective_id), Collective):
            return False
        if self.scope.federation is None:
            return True
        federation = self.federation_of(collective_id)
        return federation is not None and federation == self.scope.federation

    # -- workers ---------------------------------------------------------------------------

    def member(self, worker: Worker) -> bool:
        """She is now a member of a collective in scope: her file is the account's."""
        return self.everything or any(self.collective(i) for i in worker.collectives)

    def former(self, worker: Worker) -> bool:
        """She was a member of a collective in scope and is no longer in any: the account
        keeps her pseudonym on what it recorded, nothing more."""
        return not self.member(worker) and any(
            self.collective(m.collective_id) for m in worker.memberships)

    def knows_worker(self, worker_id: UUID, on: date | None = None) -> bool:
        """Whether a worker may be named to this account: a current member of a collective
        in scope, or (for a record of ``on``) a member of one on that day."""
        if self.everything:
            return True
        worker = self.get(worker_id)
        if not isinstance(worker, Worker):
            return False
        if self.member(worker):
            return True
        return on is not None and any(
            self.collective(m.collective_id) and member_on(worker, m.collective_id, on)
            for m in worker.memberships)

    def ever_member(self, worker_id: UUID) -> bool:
        """A worker who is or was a member of a collective in scope: her pseudonym stands on
        what the collective recorded while she was."""
        if self.everything:
            return True
        worker = self.get(worker_id)
        return isinstance(worker, Worker) and any(
            self.collective(m.collective_id) for m in worker.memberships)

    # -- grievances and campaigns by id ----------------------------------------------------

    def grievance_id(self, grievance_id: UUID) -> bool:
        found = self.get(grievance_id)
        return isinstance(found, Grievance) and self.collective(found.collective_id)

    def campaign_id(self, campaign_id: UUID) -> bool:
        found = self.get(campaign_id)
        return isinstance(found, Campaign) and self.campaign(found)

    # -- organisations ---------------------------------------------------------------------

    def organisation(self, org: Organisation) -> bool:
        if self.everything:
            return True
        recorder = getattr(org, "recorded_by", None)
        if recorder is None:
            return org.kind != HOUSEHOLD  # shared reference data, but never a person
        if org.kind == HOUSEHOLD:
            return self.scope.collective_ids is not None and self.collective(recorder)
        federation = self.federation_of(recorder)
        if self.scope.collective_ids is not None:  # a leader: her collectives' federations
            return self.collective(recorder) or (federation is not None and any(
                self.federation_of(i) == federation for i in self.scope.collective_ids))
        return federation is not None and federation == self.scope.federation

    def organisation_id(self, organisation_id: UUID | None) -> bool:
        found = None if organisation_id is None else self.get(organisation_id)
        return isinstance(found, Organisation) and self.organisation(found)

    def recorded(self, org: Organisation) -> bool:
        recorder = getattr(org, "recorded_by", None)
        return self.everything or (recorder is not None and self.collective(recorder))

    # -- campaigns -------------------------------------------------------------------------

    def campaign(self, campaign: Campaign, *, joined: bool = False) -> bool:
        if self.everything:
            return True
        leader = self.scope.collective_ids is not None
        ids = campaign.collective_ids if joined and leader else campaign.reach_ids
        return any(self.collective(i) for i in ids)

    def nameable_collective(self, collective_id: UUID, campaign: Campaign | None = None) -> bool:
        """Another collective is named only where it joined the same campaign as one of the
        account's (an invitation alone names nobody); for an organiser, only within her
        federation."""
        if self.collective(collective_id):
            return True
        if campaign is None or self.scope.collective_ids is None:
            return False
        return collective_id in campaign.collective_ids and any(
            self.collective(i) for i in campaign.collective_ids)

    # -- the relation of a command's touch -------------------------------------------------

    def holds(self, relation: Relation, agg: Aggregate) -> bool:
        if relation is Relation.COLLECTIVE:
            return self.collective(agg.id)
        if relation is Relation.MEMBER:
            return self.member(agg)
        if relation in (Relation.GRIEVANCE, Relation.ASSESSMENT, Relation.PROCEDURE,
                        Relation.IMPORTED):
            return self.collective(agg.collective_id)
        if relation is Relation.JOINED:
            return self.campaign(agg, joined=True)
        if relation is Relation.REACHED:
            return self.campaign(agg)
        if relation is Relation.MEETING:
            return self.everything or any(self.collective(i) for i in agg.collective_ids)
        if relation is Relation.ORGANISATION:
            return self.organisation(agg)
        if relation is Relation.RECORDED:
            return self.recorded(agg)
        if relation is Relation.BARGAINING:
            return self.collective(agg.collective_id)
        raise AssertionError(relation)

    def require(self, relation: Relation, aggregate_id: UUID, field: str) -> None:
        kind = KIND[relation]
        found = self.get(aggregate_id)
        if not isinstance(found, kind) or not self.holds(relation, found):
            raise not_found(kind, aggregate_id, field)

    def readable(self, agg: Aggregate) -> bool:
        """Whether the account may read this aggregate at all (``Authorised.load``)."""
        if self.everything:
            return True
        if isinstance(agg, Collective):
            return self.collective(agg.id)
        if isinstance(agg, Worker):
            return self.member(agg) or self.former(agg)
        if isinstance(agg, (Grievance, Assessment, Procedure, ImportedSubmission)):
            return self.collective(agg.collective_id)
        if isinstance(agg, Campaign):
            return self.campaign(agg)
        if isinstance(agg, Meeting):
            return any(self.collective(i) for i in agg.collective_ids)
        if isinstance(agg, Organisation):
            return self.organisation(agg)
        if isinstance(agg, Bargaining):
            return self.collective(agg.collective_id)
        return False  # accounts, and anything not named here: admins only


def keeping_the_unnamed(seen: Visibility, cmd: c.CorrectAttendance) -> c.CorrectAttendance:
    """A correction of attendance sends the whole lists, but an account names only the
    workers it may (``MEMBER``): the people of a joint meeting's other collectives (and those
    who left hers) stay as they were recorded, in the meeting's order, never dropped by a
    correction they could not be named in."""
    meeting = seen.get(cmd.meeting_id)
    if seen.everything or not isinstance(meeting, Meeting):
        return cmd

    def kept(sent: tuple[UUID, ...], recorded: tuple[UUID, ...]) -> tuple[UUID, ...]:
        unnamed = tuple(w for w in recorded if w not in sent and not (
            isinstance(worker := seen.get(w), Worker) and seen.member(worker)))
        return (*sent, *unnamed)

    return msgspec.structs.replace(
        cmd, attendee_ids=kept(cmd.attendee_ids, meeting.attendee_ids),
        facilitator_ids=kept(cmd.facilitator_ids, meeting.facilitator_ids),
        speaker_ids=kept(cmd.speaker_ids, meeting.speaker_ids))


__all__ = ["BOTH", "LEADERS", "ORGANISERS", "Relation", "Rule", "Touch", "Visibility",
           "keeping_the_unnamed", "not_found", "touching"]
