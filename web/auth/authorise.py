"""Scope: what one account may see and change. The single place it is decided for
commands and for reading aggregates, whichever route (API or page) they come through.

``RULES`` says, for every command, which aggregates it touches: the target of a command on
an existing aggregate, and every collective, worker, grievance or campaign it names. Each
must lie in the account's scope before the command runs:

- a collective: one of a leader's collectives, or in an organiser's federation;
- a worker: a member (now or before) of a collective in scope;
- a grievance or an assessment: its collective is in scope;
- a campaign: at least one of its collectives, joined or invited, is in scope;
- a meeting: at least one of its collectives is in scope.

Organisations (employers, unions, shelters...) are shared reference data: any leader,
organiser or admin may read and name them. Admins reach everything; researchers reach
none of it. An aggregate out of scope answers exactly as one that does not exist (404,
"No worker with id ..."), so guessing ids tells nothing.

``Authorised`` is the application as one account may use it. It is what the ``organize``
dependency hands to every route, so no route can forget the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from organize import commands as c
from organize.accounts import ADMIN, LEADER, Principal
from organize.application import Organize
from organize.domain import (
    Assessment,
    Campaign,
    Collective,
    Grievance,
    Meeting,
    Organisation,
    Worker,
)
from organize.errors import NotFound
from organize.projections.reads import Scope
from web.auth.errors import ROLE_MESSAGE, Forbidden

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Touch:
    """A command names aggregates of ``kind`` in ``field`` (one id, a tuple, or None)."""

    kind: type[Aggregate]
    field: str
    # For a campaign a command changes: a leader must reach it through a collective that is
    # in it. Being invited lets her see the campaign and answer, not act in its name.
    joined: bool = False


Policy = Callable[[Principal, Any], None]  # raises Forbidden when the role may not


def _admin_only(principal: Principal, _cmd: Any) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin can manage accounts.", code="role")


def _create_collective(principal: Principal, cmd: c.CreateCollective) -> None:
    if principal.is_admin:
        return
    if principal.role != "organiser":
        raise Forbidden("Only an organiser or an admin can create a collective.", code="role")
    if cmd.federation != principal.federation:
        raise Forbidden("You can create collectives only in your own federation.", code="scope")


def _register_worker(principal: Principal, cmd: c.RegisterWorker) -> None:
    # A worker in no collective would be out of every scope but an admin's.
    if cmd.collective_id is None and not principal.is_admin:
        raise Forbidden("Choose one of your collectives for her.", code="scope")


def _organiser_or_admin(principal: Principal, _cmd: Any) -> None:
    # A joint campaign speaks across collectives: an organiser's (or admin's) step. Leaders
    # launch their own campaigns and answer invitations.
    if not (principal.is_admin or principal.role == "organiser"):
        raise Forbidden("Only an organiser or an admin can launch a joint campaign.", code="role")


def _own_privacy_budget(principal: Principal, cmd: c.SpendPrivacyBudget) -> None:
    # issue 14: researchers and admins only, and a researcher only from her own budget.
    if not principal.researches:
        raise Forbidden(ROLE_MESSAGE, code="role")
    if not principal.is_admin and cmd.account_id != principal.account_id:
        raise Forbidden("A researcher spends only her own privacy budget.", code="scope")


def _t(kind: type[Aggregate], *fields: str) -> tuple[Touch, ...]:
    return tuple(Touch(kind, f) for f in fields)


COLLECTIVE = _t(Collective, "collective_id")
WORKER = _t(Worker, "worker_id")
GRIEVANCE = _t(Grievance, "grievance_id")
CAMPAIGN = (Touch(Campaign, "campaign_id", joined=True),)
INVITED_CAMPAIGN = _t(Campaign, "campaign_id")
MEETING = _t(Meeting, "meeting_id")

# command -> (what it touches, an extra rule on the role)
RULES: dict[type[c.Command], tuple[tuple[Touch, ...], Policy | None]] = {
    c.CreateCollective: ((), _create_collective),
    c.RenameCollective: (COLLECTIVE, None),
    c.UpdateCollectiveProfile: (COLLECTIVE, None),
    c.FormAlliance: (COLLECTIVE, None),
    c.EndAlliance: (COLLECTIVE, None),
    c.CreateOrganisation: ((), None),
    c.RenameOrganisation: ((), None),
    c.RegisterWorker: (COLLECTIVE, _register_worker),
    c.UpdateWorkerProfile: (WORKER, None),
    c.JoinCollective: (WORKER + COLLECTIVE, None),
    c.LeaveCollective: (WORKER + COLLECTIVE, None),
    c.GiveConsent: (WORKER, None),
    c.WithdrawConsent: (WORKER, None),
    c.StartSpell: (WORKER, None),
    c.EndSpell: (WORKER, None),
    c.RecordMove: (WORKER, None),
    c.ChangeStatus: (WORKER, None),
    c.EraseWorker: (WORKER, None),
    c.RaiseGrievance: (COLLECTIVE + _t(Worker, "worker_ids"), None),
    c.JoinGrievance: (GRIEVANCE + _t(Worker, "worker_ids"), None),
    c.NoteEvidence: (GRIEVANCE, None),
    c.ReferGrievance: (GRIEVANCE + _t(Worker, "worker_ids"), None),
    c.EscalateGrievance: (GRIEVANCE, None),
    c.RecordNegotiation: (GRIEVANCE, None),
    c.RecordOutcome: (GRIEVANCE, None),
    c.ReportRetaliation: (GRIEVANCE, None),
    c.WithdrawGrievance: (GRIEVANCE, None),
    c.ReopenGrievance: (GRIEVANCE, None),
    c.LaunchCampaign: (_t(Collective, "collective_ids"), None),
    c.LaunchJointCampaign: (_t(Grievance, "grievance_ids")
                            + _t(Collective, "invite_collective_ids"), _organiser_or_admin),
    # Only a collective the account reaches can answer for itself; the campaign is visible
    # through its invitation.
    c.AcceptCampaignInvitation: (INVITED_CAMPAIGN + COLLECTIVE, None),
    c.DeclineCampaignInvitation: (INVITED_CAMPAIGN + COLLECTIVE, None),
    c.AddDemand: (CAMPAIGN, None),
    c.JoinCampaign: (CAMPAIGN + COLLECTIVE, None),
    c.LinkGrievance: (CAMPAIGN + GRIEVANCE, None),
    c.TakeAction: (CAMPAIGN + _t(Worker, "participant_ids") + _t(Collective, "collective_ids"), None),
    c.ResolveDemand: (CAMPAIGN, None),
    c.SignAgreement: (CAMPAIGN, None),
    c.CloseCampaign: (CAMPAIGN, None),
    c.ScheduleMeeting: (_t(Collective, "collective_ids") + _t(Grievance, "agenda_grievance_ids")
                        + _t(Campaign, "agenda_campaign_ids"), None),
    c.RecordMeetingHeld: (MEETING + _t(Worker, "attendee_ids", "facilitator_ids", "speaker_ids"), None),
    c.CancelMeeting: (MEETING, None),
    c.RecordAssessment: (COLLECTIVE, None),
    c.ReviseAssessment: (_t(Assessment, "assessment_id"), None),
    c.CreateAccount: ((), _admin_only),
    c.GrantRole: ((), _admin_only),
    c.RevokeRole: ((), _admin_only),
    c.DisableAccount: ((), _admin_only),
    # -- research privacy budgets (issue 14): a researcher spends her own; an admin any, and
    # only an admin sets a total.
    c.SpendPrivacyBudget: ((), _own_privacy_budget),
    c.SetPrivacyBudget: ((), _admin_only),
}


def _ids(value: UUID | tuple[UUID, ...] | None) -> tuple[UUID, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def _not_found(kind: type[Aggregate], aggregate_id: UUID, field: str) -> NotFound:
    # Word for word what the application says of an id that does not exist.
    return NotFound(f"No {kind.__name__.lower()} with id {aggregate_id}.", field=field,
                    code="not_found")


class ScopeCheck:
    """Answers "is this aggregate in scope?" for one request, loading what it must once."""

    def __init__(self, app: Organize, scope: Scope):
        self.app = app
        self.scope = scope
        self._federations: dict[UUID, str | None] = {}

    def _get(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def collective(self, collective_id: UUID) -> bool:
        if self.scope.collective_ids is not None and collective_id not in self.scope.collective_ids:
            return False
        if self.scope.federation is None:
            return True
        if collective_id not in self._federations:
            found = self._get(collective_id)
            self._federations[collective_id] = (
                found.federation if isinstance(found, Collective) else None)
        federation = self._federations[collective_id]
        return federation is not None and federation == self.scope.federation

    def aggregate(self, agg: Aggregate, *, joined: bool = False) -> bool:
        if self.scope == Scope.everything():
            return True
        if isinstance(agg, Collective):
            return self.collective(agg.id)
        if isinstance(agg, Organisation):
            return True  # shared reference data
        if isinstance(agg, Worker):
            return any(self.collective(m.collective_id) for m in agg.memberships)
        if isinstance(agg, (Grievance, Assessment)):
            return self.collective(agg.collective_id)
        if isinstance(agg, Campaign):  # joined or invited
            leader = self.scope.collective_ids is not None
            ids = agg.collective_ids if joined and leader else agg.reach_ids
            return any(self.collective(i) for i in ids)
        if isinstance(agg, Meeting):
            return any(self.collective(i) for i in agg.collective_ids)
        return False  # accounts, and anything not named here: admins only

    def require(self, kind: type[Aggregate], aggregate_id: UUID, field: str, *,
                joined: bool = False) -> None:
        if kind is Collective:
            # A collective out of scope needs no loading (the common case for leaders).
            if self.collective(aggregate_id) and isinstance(self._get(aggregate_id), Collective):
                return
            raise _not_found(kind, aggregate_id, field)
        found = self._get(aggregate_id)
        if not isinstance(found, kind) or not self.aggregate(found, joined=joined):
            raise _not_found(kind, aggregate_id, field)


def authorise(app: Organize, principal: Principal, command: c.Command) -> None:
    """Refuse the command (Forbidden, or NotFound for anything out of scope) unless this
    account may run it. Runs before the command, so a refusal appends nothing."""
    if not principal.organises:
        raise Forbidden(ROLE_MESSAGE, code="role")
    rule = RULES.get(type(command))
    if rule is None:  # a command nobody classified: closed until someone does
        raise Forbidden("This action is not open to accounts yet.", code="role")
    touches, policy = rule
    if policy is not None:
        policy(principal, command)
    if principal.is_admin:
        return
    check = ScopeCheck(app, principal.scope)
    for touch in touches:
        for aggregate_id in _ids(getattr(command, touch.field)):
            check.require(touch.kind, aggregate_id, touch.field, joined=touch.joined)


class Authorised(Organize):
    """The application seen through one account: ``execute`` authorises first, ``load``
    answers "not found" for anything out of scope, and everything else is the shared
    application underneath (a subclass so the routes' type checks accept it)."""

    def __init__(self, app: Organize, principal: Principal):  # no super().__init__: a view
        self._app = app
        self.principal = principal

    def __getattr__(self, name: str) -> Any:
        if name == "_app":  # not set yet (copying, unpickling): never recurse
            raise AttributeError(name)
        return getattr(self._app, name)

    @property
    def reads_personal_data(self) -> bool:
        """Leaders (of collectives in scope) and admins read personal fields and free text;
        organisers see pseudonyms and codes only (``organize.reading``)."""
        return self.principal.role in (LEADER, ADMIN)

    def execute(self, command: c.Command) -> c.CommandResult:
        authorise(self._app, self.principal, command)
        return self._app.execute(command)

    def load(self, cls: type[A], aggregate_id: UUID, *, field: str,
             expected_version: int | None = None) -> A:
        if not self.principal.organises:
            raise Forbidden(ROLE_MESSAGE, code="role")
        scope = self.principal.scope
        check = ScopeCheck(self._app, scope)
        try:
            aggregate = self._app.load(cls, aggregate_id, field=field)
        except NotFound:
            raise _not_found(cls, aggregate_id, field) from None
        if not check.aggregate(aggregate):
            raise _not_found(cls, aggregate_id, field)
        if expected_version is not None:  # checked only once the aggregate may be seen
            return self._app.load(cls, aggregate_id, field=field, expected_version=expected_version)
        return aggregate

    def close(self) -> None:  # the shared application is closed by its owner, never here
        pass

    def __del__(self) -> None:
        pass


__all__ = ["RULES", "Authorised", "ScopeCheck", "Touch", "authorise"]
