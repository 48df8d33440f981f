"""One POST route per command, generated from a table so paths, bodies and the OpenAPI
operation ids cannot drift apart. Ids travel in the body, never in the URL path.

Command handlers are sync (eventsourcing and psycopg are sync) and run in a thread.
"""

from __future__ import annotations

import re

from litestar import Router, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from organize import commands as c
from organize.application import Organize
from web.api.errors import ERROR_RESPONSES

# (area, action, command)
COMMAND_ROUTES: list[tuple[str, str, type[c.Command]]] = [
    ("collectives", "create", c.CreateCollective),
    ("collectives", "rename", c.RenameCollective),
    ("collectives", "update-profile", c.UpdateCollectiveProfile),
    ("collectives", "set-time-zone", c.SetCollectiveTimeZone),
    ("collectives", "form-alliance", c.FormAlliance),
    ("collectives", "end-alliance", c.EndAlliance),
    ("organisations", "create", c.CreateOrganisation),
    ("organisations", "rename", c.RenameOrganisation),
    ("organisations", "correct-kind", c.CorrectOrganisationKind),
    ("organisations", "withdraw", c.WithdrawOrganisation),
    ("workers", "register", c.RegisterWorker),
    ("workers", "update-profile", c.UpdateWorkerProfile),
    ("workers", "join-collective", c.JoinCollective),
    ("workers", "leave-collective", c.LeaveCollective),
    ("workers", "give-consent", c.GiveConsent),
    ("workers", "withdraw-consent", c.WithdrawConsent),
    ("workers", "start-spell", c.StartSpell),
    ("workers", "end-spell", c.EndSpell),
    ("workers", "correct-spell", c.CorrectSpell),
    ("workers", "withdraw-spell", c.WithdrawSpell),
    ("workers", "record-move", c.RecordMove),
    ("workers", "change-status", c.ChangeStatus),
    ("workers", "erase", c.EraseWorker),
    ("grievances", "raise", c.RaiseGrievance),
    ("grievances", "join", c.JoinGrievance),
    ("grievances", "note-evidence", c.NoteEvidence),
    ("grievances", "refer", c.ReferGrievance),
    ("grievances", "escalate", c.EscalateGrievance),
    ("grievances", "record-negotiation", c.RecordNegotiation),
    ("grievances", "record-outcome", c.RecordOutcome),
    ("grievances", "report-retaliation", c.ReportRetaliation),
    ("grievances", "withdraw", c.WithdrawGrievance),
    ("grievances", "reopen", c.ReopenGrievance),
    ("grievances", "correct", c.CorrectGrievance),
    ("campaigns", "launch", c.LaunchCampaign),
    ("campaigns", "launch-joint", c.LaunchJointCampaign),
    ("campaigns", "accept-invitation", c.AcceptCampaignInvitation),
    ("campaigns", "decline-invitation", c.DeclineCampaignInvitation),
    ("campaigns", "add-demand", c.AddDemand),
    ("campaigns", "join", c.JoinCampaign),
    ("campaigns", "link-grievance", c.LinkGrievance),
    ("campaigns", "take-action", c.TakeAction),
    ("campaigns", "resolve-demand", c.ResolveDemand),
    ("campaigns", "correct-demand", c.CorrectDemand),
    ("campaigns", "withdraw-demand", c.WithdrawDemand),
    ("campaigns", "sign-agreement", c.SignAgreement),
    ("campaigns", "close", c.CloseCampaign),
    ("meetings", "schedule", c.ScheduleMeeting),
    ("meetings", "record-held", c.RecordMeetingHeld),
    ("meetings", "correct", c.CorrectMeeting),
    ("meetings", "correct-attendance", c.CorrectAttendance),
    ("meetings", "correct-decisions", c.CorrectDecisions),
    ("meetings", "cancel", c.CancelMeeting),
    ("assessments", "record", c.RecordAssessment),
    ("assessments", "revise", c.ReviseAssessment),
    # Correction conflicts (organize.application.conflicts)
    ("grievances", "resolve-conflict", c.ResolveGrievanceConflict),
    ("meetings", "resolve-conflict", c.ResolveMeetingConflict),
    ("bargaining", "open", c.OpenBargaining),
    ("bargaining", "adopt-mandate", c.AdoptMandate),
    ("bargaining", "table-clause", c.TableClause),
    ("bargaining", "record-session", c.RecordBargainingSession),
    ("bargaining", "propose", c.ProposeClause),
    ("bargaining", "reach-tentative", c.ReachTentativeAgreement),
    ("bargaining", "ratify", c.RatifyAgreement),
    ("bargaining", "bring-into-force", c.BringAgreementIntoForce),
    ("bargaining", "end", c.EndAgreement),
    ("grievances", "cite-breach", c.CiteBreach),
    ("grievances", "state-amount", c.StateAmount),
    ("grievances", "correct-amount", c.CorrectAmount),
    ("grievances", "record-knowledge", c.RecordKnowledge),
    ("grievances", "follow-procedure", c.FollowProcedure),
    ("grievances", "take-step", c.TakeStep),
    ("procedures", "define", c.DefineProcedure),
    ("procedures", "revise", c.ReviseProcedure),
    ("workers", "plan-departure", c.PlanDeparture),
]


def _operation_id(command: type[c.Command]) -> str:
    name = command.__name__
    return name[0].lower() + name[1:]


def _summary(command: type[c.Command]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", command.__name__).capitalize()


def _route(area: str, action: str, command: type[c.Command]):
    def handler(data, organize: Organize) -> c.CommandResult:
        return organize.execute(data)

    handler.__annotations__ = {
        "data": JSONBody[command],
        "organize": NamedDependency[Organize],
        "return": c.CommandResult,
    }
    handler.__name__ = _operation_id(command)
    creates = not issubclass(command, c.Update)
    return post(
        f"/{area}/{action}",
        sync_to_thread=True,
        status_code=201 if creates else 200,
        operation_id=_operation_id(command),
        summary=_summary(command),
        description=(command.__doc__ or "").strip() or None,
        tags=[area],
        responses=ERROR_RESPONSES,
    )(handler)


def command_router() -> Router:
    """The ``organize`` dependency is provided by the app factory."""
    return Router(path="/api/v1", route_handlers=[_route(*row) for row in COMMAND_ROUTES])
