"""What the tests of this directory share (this module holds no tests itself)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from organize import commands as c
from organize.application.procedures import procedure_id
from tests.e2e.auth.conftest import Side, World

READS = {
    ("GET", "/api/v1/collectives/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/collectives/{s.collective}",
    ("GET", "/api/v1/workers/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/workers/{s.worker}",
    ("GET", "/api/v1/grievances/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/grievances/{s.grievance}",
    ("GET", "/api/v1/campaigns/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/campaigns/{s.campaign}",
    ("GET", "/api/v1/meetings/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/meetings/{s.meeting}",
    ("GET", "/api/v1/assessments/{aggregate_id:uuid}"): lambda w, s: f"/api/v1/assessments/{s.assessment}",
    ("GET", "/api/v1/views/campaigns/{campaign_id:uuid}"):
        lambda w, s: f"/api/v1/views/campaigns/{s.campaign}",
    ("GET", "/api/v1/views/meetings/{meeting_id:uuid}/attendance"):
        lambda w, s: f"/api/v1/views/meetings/{s.meeting}/attendance",
    ("GET", "/api/v1/views/collectives/{collective_id:uuid}/workers"):
        lambda w, s: f"/api/v1/views/collectives/{s.collective}/workers",
    ("GET", "/api/v1/views/workers/{worker_id:uuid}/trajectory"):
        lambda w, s: f"/api/v1/views/workers/{s.worker}/trajectory",
    ("GET", "/api/v1/views/sector-flows/{federation:str}"):
        lambda w, s: f"/api/v1/views/sector-flows/{quote(s.federation)}",
    ("GET", "/api/v1/indicators/collectives/{collective_id:uuid}"):
        lambda w, s: f"/api/v1/indicators/collectives/{s.collective}",
    ("GET", "/api/v1/indicators/campaigns/{campaign_id:uuid}"):
        lambda w, s: f"/api/v1/indicators/campaigns/{s.campaign}",
    ("GET", "/api/v1/indicators/federations/{federation:str}"):
        lambda w, s: f"/api/v1/indicators/federations/{quote(s.federation)}",
    # Organisers' reads (issue 6): a federation seen through the collectives in scope.
    ("GET", "/api/v1/federations/{federation:str}/overview"):
        lambda w, s: f"/api/v1/federations/{quote(s.federation)}/overview",
    ("GET", "/api/v1/federations/{federation:str}/clusters"):
        lambda w, s: f"/api/v1/federations/{quote(s.federation)}/clusters?min_grievances=1",
    ("GET", "/api/v1/federations/{federation:str}/board"):
        lambda w, s: f"/api/v1/federations/{quote(s.federation)}/board",
    ("GET", "/api/v1/federations/{federation:str}/flows"):
        lambda w, s: f"/api/v1/federations/{quote(s.federation)}/flows",
    ("GET", "/api/v1/collectives/{collective_id:uuid}/invitations"):
        lambda w, s: f"/api/v1/collectives/{s.collective}/invitations?state=all",
    ("GET", "/api/v1/campaigns/{campaign_id:uuid}/invitations"):
        lambda w, s: f"/api/v1/campaigns/{s.campaign}/invitations",
    ("GET", "/api/v1/views/bargaining/{bargaining_id:uuid}"):
        lambda w, s: f"/api/v1/views/bargaining/{s.bargaining}",
}


def command_body(command: type[c.Command], w: World, s: Side) -> dict:
    on = "2025-03-10"
    bodies: dict[type[c.Command], dict] = {
        c.CreateCollective: {"name": "New branch", "kind": "union_branch", "federation": s.federation},
        c.RenameCollective: {"collective_id": s.collective, "name": f"Collective {s.name}"},
        c.UpdateCollectiveProfile: {"collective_id": s.collective, "sectors": ["domestic_care"]},
        c.SetCollectiveTimeZone: {"collective_id": s.collective, "time_zone": "Asia/Kathmandu"},
        c.FormAlliance: {"collective_id": s.collective, "organisation_id": w.organisation,
                         "since": "2025-01-01"},
        c.EndAlliance: {"collective_id": s.collective, "organisation_id": w.organisation,
                        "until": "2025-06-01"},
        c.CreateOrganisation: {"name": "Household 99", "kind": "employer",
                               "collective_id": s.collective},
        c.RenameOrganisation: {"organisation_id": s.employer, "name": f"Factory {s.name}"},
        c.CorrectOrganisationKind: {"organisation_id": s.employer, "kind": "recruiter",
                                    "reason": "typing_mistake"},
        c.WithdrawOrganisation: {"organisation_id": s.employer, "reason": "other"},
        c.RegisterWorker: {"collective_id": s.collective, "joined_on": "2025-01-05",
                           "profile": {"pseudonym": "Devi"}},
        c.UpdateWorkerProfile: {"worker_id": s.worker, "profile": {"pseudonym": f"Asha {s.name}"}},
        c.JoinCollective: {"worker_id": s.worker2, "collective_id": s.collective, "on": on},
        c.LeaveCollective: {"worker_id": s.worker2, "collective_id": s.collective, "on": "2025-12-01"},
        c.GiveConsent: {"worker_id": s.worker, "purpose": "contact"},
        c.WithdrawConsent: {"worker_id": s.worker, "purpose": "contact"},
        c.StartSpell: {"worker_id": s.worker, "sector": "garment", "occupation": "Sewer",
                       "place": "HK", "relationship": "direct_employer", "paid": True,
                       "started_on": "2025-01-01"},
        c.EndSpell: {"worker_id": s.worker, "spell_id": str(s.spell), "ended_on": "2025-01-31"},
        c.CorrectSpell: {"worker_id": s.worker, "spell_id": str(s.spell), "sector": "garment",
                         "place": "HK", "started_on": "2024-12-01", "reason": "typing_mistake"},
        c.WithdrawSpell: {"worker_id": s.worker, "spell_id": str(s.spell), "reason": "other"},
        c.RecordMove: {"worker_id": s.worker, "to_place": "HK", "stage": "destination",
                       "moved_on": "2024-05-01"},
        c.ChangeStatus: {"worker_id": s.worker, "on": on,
                         "change": {"status_kind": "employment", "status": "employed"}},
        c.EraseWorker: {"worker_id": s.erasable},
        c.RaiseGrievance: {"collective_id": s.collective, "worker_ids": [s.worker2],
                           "category": "wages_unpaid_late", "sector": "domestic_care", "place": "HK",
                           "stage": "destination", "occurred_on": on, "description": "Unpaid."},
        c.JoinGrievance: {"grievance_id": s.grievance, "worker_ids": [s.worker2]},
        c.NoteEvidence: {"grievance_id": s.grievance, "note": "Payslips kept.", "on": on},
        c.ReferGrievance: {"grievance_id": s.grievance, "organisation_id": w.organisation,
                           "worker_ids": [s.worker], "on": on},
        c.EscalateGrievance: {"grievance_id": s.grievance, "target": "labour_office", "on": on},
        c.RecordNegotiation: {"grievance_id": s.grievance, "held_on": on},
        c.RecordOutcome: {"grievance_id": s.grievance, "outcome": "documents_returned", "on": on},
        c.ReportRetaliation: {"grievance_id": s.grievance, "details": "Threatened.", "on": on},
        c.WithdrawGrievance: {"grievance_id": s.grievance, "on": on},
        c.ReopenGrievance: {"grievance_id": s.grievance, "on": on},
        c.CorrectGrievance: {"grievance_id": s.grievance, "category": "wages_unpaid_late",
                             "sector": "garment", "place": "HK", "stage": "destination",
                             "occurred_on": on, "reason": "typing_mistake"},
        c.StateAmount: {"grievance_id": s.grievance, "kind": "owed", "amount": "1200.50",
                        "currency": "HKD", "on": on},
        c.CorrectAmount: {"grievance_id": s.grievance, "kind": "owed", "amount": "1300",
                          "currency": "HKD", "reason": "typing_mistake"},
        c.RecordKnowledge: {"grievance_id": s.grievance, "on": on},
        c.FollowProcedure: {"grievance_id": s.grievance,
                            "procedure_id": str(procedure_id(s.collective))},
        c.TakeStep: {"grievance_id": s.grievance, "step": "complaint", "on": on},
        c.DefineProcedure: {"collective_id": s.collective, "name": "Ours",
                            "steps": [{"code": "complaint", "name": "Complaint", "days": 30}]},
        c.ReviseProcedure: {"procedure_id": str(procedure_id(s.collective)), "name": "Ours",
                            "steps": [{"code": "complaint", "name": "Complaint", "days": 60}]},
        c.PlanDeparture: {"worker_id": s.worker, "leaves_on": "2026-09-01"},
        c.LaunchCampaign: {"issue": "Rest day", "collective_ids": [s.collective],
                           "launched_on": "2025-02-01"},
        c.AddDemand: {"campaign_id": s.campaign, "text": "Overtime pay"},
        c.JoinCampaign: {"campaign_id": s.campaign, "collective_id": s.collective},
        c.LinkGrievance: {"campaign_id": s.campaign, "grievance_id": s.grievance},
        c.TakeAction: {"campaign_id": s.campaign, "kind": "petition", "taken_on": on,
                       "participant_ids": [s.worker], "collective_ids": [s.collective]},
        c.ResolveDemand: {"campaign_id": s.campaign, "demand_id": str(s.demand), "result": "won",
                          "on": on},
        c.CorrectDemand: {"campaign_id": s.campaign, "demand_id": str(s.demand),
                          "text": "A weekly rest day", "reason": "typing_mistake"},
        c.WithdrawDemand: {"campaign_id": s.campaign, "demand_id": str(s.demand),
                           "reason": "typing_mistake"},
        c.SignAgreement: {"campaign_id": s.campaign, "with_organisation_id": w.organisation,
                          "signed_on": on, "clauses": ["A rest day every week"]},
        c.CloseCampaign: {"campaign_id": s.campaign, "on": "2025-12-01"},
        c.LaunchJointCampaign: {"issue": "Fees", "grievance_ids": [s.grievance],
                                "launched_on": "2025-02-01"},
        # The side's campaign never invited its own collective: reached, then refused (422).
        c.AcceptCampaignInvitation: {"campaign_id": s.campaign, "collective_id": s.collective,
                                     "on": on},
        c.DeclineCampaignInvitation: {"campaign_id": s.campaign, "collective_id": s.collective,
                                      "on": on, "reason": "no_capacity_now"},
        c.ScheduleMeeting: {"kind": "assembly", "collective_ids": [s.collective],
                            "scheduled_for": "2025-05-01T10:00:00Z", "language": "en",
                            "agenda_grievance_ids": [s.grievance],
                            "agenda_campaign_ids": [s.campaign]},
        c.RecordMeetingHeld: {"meeting_id": s.meeting, "held_at": "2025-03-02T14:00:00Z",
                              "attendee_ids": [s.worker, s.worker2], "facilitator_ids": [s.worker],
                              "language": "en"},
        c.CancelMeeting: {"meeting_id": s.meeting},
        c.CorrectMeeting: {"meeting_id": s.meeting, "kind": "committee",
                           "scheduled_for": "2025-05-01T10:00:00Z", "reason": "typing_mistake"},
        c.CorrectAttendance: {"meeting_id": s.meeting, "attendee_ids": [s.worker, s.worker2],
                              "facilitator_ids": [s.worker2], "reason": "wrong_person"},
        c.CorrectDecisions: {"meeting_id": s.meeting, "decisions": ["Meet again"],
                             "reason": "typing_mistake"},
        c.OpenBargaining: {"collective_id": s.collective, "counterpart_id": s.employer,
                           "team_ids": [s.worker], "opened_on": on},
        c.AdoptMandate: {"bargaining_id": s.bargaining, "meeting_id": s.meeting,
                         "demands": ["Pay by the 7th"]},
        c.TableClause: {"bargaining_id": s.bargaining, "wording": "Pay by the 7th", "on": on},
        c.RecordBargainingSession: {"bargaining_id": s.bargaining, "held_on": on,
                                    "our_attendee_ids": [s.worker]},
        c.ProposeClause: {"bargaining_id": s.bargaining, "clause_id": str(s.demand),
                          "side": "ours", "text": "By the 7th", "on": on},
        c.ReachTentativeAgreement: {"bargaining_id": s.bargaining, "clause_ids": [str(s.demand)],
                                    "on": on},
        c.RatifyAgreement: {"bargaining_id": s.bargaining, "meeting_id": s.meeting,
                            "votes_for": 2, "against": 0, "abstaining": 0,
                            "rule": "simple_majority"},
        c.BringAgreementIntoForce: {"bargaining_id": s.bargaining, "starts_on": on,
                                    "expires_on": "2026-03-10"},
        c.EndAgreement: {"bargaining_id": s.bargaining, "on": on, "reason": "expired"},
        c.CiteBreach: {"grievance_id": s.grievance, "bargaining_id": s.bargaining,
                       "clause_id": str(s.demand)},
        c.RecordAssessment: {"collective_id": s.collective, "assessed_on": on, "narrative": "Ok.",
                             "levels": [{"dimension": "leadership", "level": 1}]},
        c.ReviseAssessment: {"assessment_id": s.assessment, "narrative": "Revised.",
                             "levels": [{"dimension": "leadership", "level": 2}]},
        # No flag is raised here: a leader reaches the record, then is told it has none (422).
        c.ResolveGrievanceConflict: {"grievance_id": s.grievance, "conflict_id": str(uuid.uuid4())},
        c.ResolveMeetingConflict: {"meeting_id": s.meeting, "conflict_id": str(uuid.uuid4())},
    }
    body = bodies[command]
    return {"command_id": str(uuid.uuid4()), **{k: as_json(v) for k, v in body.items()}}


async def form_login(client, username: str, password: str, cookie: str | None = None):
    """Log in as a browser does: fetch the form (its CSRF cookie and field), post it."""
    client.cookies.clear()
    page = await client.get("/login")
    token = HIDDEN_CSRF.search(page.text).group(1)
    headers = {"Cookie": f"organize_login={token}" + (f"; organize_session={cookie}" if cookie else "")}
    return await client.post("/login", data={"username": username, "password": password,
                                             "csrf_token": token},
                             headers=headers, follow_redirects=False)


def as_json(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
