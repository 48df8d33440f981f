"""Random histories for the view tests: a world of workers, grievances, spells, meetings and
campaigns, and one command per step chosen among the ids it created."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from organize import commands as c
from organize.application import new_id
from organize.errors import CommandError
from tests.integration import helpers as h

CATEGORIES = ["wages_unpaid_late", "excessive_hours", "documents_confiscated", "verbal_abuse"]
SECTORS = ["domestic_care", "garment", "unpaid_care", "construction"]
PLACES = ["HK", "KTM", "DXB"]
DAY0 = date(2024, 1, 1)

OPS = [
    "register", "join_collective", "leave_collective", "consent", "erase", "profile", "move",
    "raise", "join_grievance", "withdraw", "reopen", "outcome", "escalate", "retaliation",
    "negotiation", "evidence", "schedule", "hold",
    "cancel", "launch", "action", "add_demand", "resolve", "link", "agreement", "close",
    "join_campaign", "collective", "collective_profile", "organisation",
    # Joint campaigns (issue 6): invitations and their answers.
    "launch_joint", "accept", "accept", "decline",
    # Trajectories are where batching could matter most (sector flows recompute them).
    "start_spell", "start_spell", "start_spell", "start_spell", "end_spell", "end_spell", "end_spell",
]


class World:
    """The ids this example created, and a few commands that pick among them."""

    def __init__(self, app, rng: random.Random):
        self.app, self.rng = app, rng
        self.federation = f"prop-{uuid.uuid4().hex[:8]}"
        self.collectives: list[uuid.UUID] = []
        self.organisations: list[uuid.UUID] = []
        self.workers: list[uuid.UUID] = []
        self.grievances: list[uuid.UUID] = []
        self.spells: list[tuple[uuid.UUID, uuid.UUID, date]] = []
        self.meetings: list[uuid.UUID] = []
        self.campaigns: list[uuid.UUID] = []
        self.demands: list[tuple[uuid.UUID, uuid.UUID]] = []
        self.ended: set[uuid.UUID] = set()

    def run(self, command: c.Command) -> uuid.UUID | None:
        try:
            return self.app.execute(command).id
        except CommandError:
            return None  # refused by the domain (say, a closed campaign): nothing recorded

    def pick(self, items: list, k: int = 1) -> list:
        return self.rng.sample(items, min(k, len(items))) if items else []

    def one(self, items: list):
        return self.rng.choice(items) if items else None

    def day(self, spread: int = 700) -> date:
        return DAY0 + timedelta(days=self.rng.randrange(spread))

    def setup(self) -> None:
        for _ in range(2):
            self.op("collective")
        self.op("organisation")
        for _ in range(3):
            self.op("register")

    def op(self, name: str) -> None:  # noqa: C901 - one branch per command, on purpose
        r, cid = self.rng, h.cid()
        coll, worker = self.one(self.collectives), self.one(self.workers)
        grievance = self.one(self.grievances)
        campaign, meeting = self.one(self.campaigns), self.one(self.meetings)
        if name == "collective":
            federation = r.choice([self.federation, self.federation, None, f"{self.federation}-b"])
            found = self.run(h.create_collective(federation=federation, sectors=tuple(self.pick(SECTORS, 2))))
            self.collectives.append(found)
        elif name == "collective_profile" and coll:
            self.run(c.UpdateCollectiveProfile(command_id=cid, collective_id=coll,
                                               sectors=tuple(self.pick(SECTORS, 2))))
        elif name == "organisation":
            self.organisations.append(self.run(h.create_organisation(
                kind=r.choice(["employer", "recruiter"]), name=f"Org {r.randrange(100)}")))
        elif name == "register":
            member = r.random() < 0.85 and coll
            found = self.run(c.RegisterWorker(
                command_id=cid, profile=c.Profile(pseudonym=f"W{r.randrange(1000)}"),
                collective_id=coll if member else None, joined_on=self.day() if member else None))
            self.workers.append(found)
        elif name == "join_collective" and worker and coll:
            self.run(c.JoinCollective(command_id=cid, worker_id=worker, collective_id=coll, on=self.day()))
        elif name == "leave_collective" and worker and coll:
            self.run(c.LeaveCollective(command_id=cid, worker_id=worker, collective_id=coll,
                                       on=date(2026, 1, 1)))
        elif name == "consent" and worker:
            purpose = r.choice(["contact", "research"])
            kind = c.GiveConsent if r.random() < 0.6 else c.WithdrawConsent
            self.run(kind(command_id=cid, worker_id=worker, purpose=purpose,
                          on=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=r.randrange(300))))
        elif name == "erase" and worker and r.random() < 0.3:
            self.run(c.EraseWorker(command_id=cid, worker_id=worker))
        elif name == "profile" and worker:
            self.run(c.UpdateWorkerProfile(command_id=cid, worker_id=worker,
                                           profile=c.Profile(pseudonym=f"W{r.randrange(1000)}")))
        elif name == "move" and worker:
            self.run(c.RecordMove(command_id=cid, worker_id=worker, to_place=r.choice(PLACES),
                                  stage=r.choice(["destination", "exit", "return"]), moved_on=self.day()))
        elif name == "raise" and coll and self.workers:
            found = self.run(h.raise_grievance(
                coll, self.pick(self.workers, r.randint(1, 2)), category=r.choice(CATEGORIES),
                sector=r.choice(SECTORS), place=r.choice(PLACES), occurred_on=self.day(),
                organisation_ids=tuple(self.pick(self.organisations, r.randint(0, 2)))))
            if found:
                self.grievances.append(found)
        elif name == "join_grievance" and grievance and worker:
            self.run(c.JoinGrievance(command_id=cid, grievance_id=grievance, worker_ids=(worker,)))
        elif name == "withdraw" and grievance:
            self.run(c.WithdrawGrievance(command_id=cid, grievance_id=grievance, on=self.day()))
        elif name == "reopen" and grievance:
            self.run(c.ReopenGrievance(command_id=cid, grievance_id=grievance, on=self.day()))
        elif name == "outcome" and grievance:
            if r.random() < 0.5:
                self.run(c.RecordOutcome(command_id=cid, grievance_id=grievance, outcome="wages_recovered",
                                         amount=r.randint(1, 5000), currency="HKD", on=self.day()))
            else:
                self.run(c.RecordOutcome(command_id=cid, grievance_id=grievance, on=self.day(),
                                         outcome=r.choice(["no_result", "documents_returned"])))
        elif name == "escalate" and grievance:
            self.run(c.EscalateGrievance(command_id=cid, grievance_id=grievance,
                                         target=r.choice(["labour_office", "court", "media"]), on=self.day()))
        elif name == "retaliation" and grievance:
            self.run(c.ReportRetaliation(command_id=cid, grievance_id=grievance, details="x", on=self.day()))
        elif name == "negotiation" and grievance:
            self.run(c.RecordNegotiation(command_id=cid, grievance_id=grievance, held_on=self.day(),
                                         with_organisation_id=self.one(self.organisations)))
        elif name == "evidence" and grievance:
            self.run(c.NoteEvidence(command_id=cid, grievance_id=grievance, note="n", on=self.day()))
        elif name == "start_spell" and worker:
            worker = self.rng.choice(self.workers[:2])  # several spells each: overlaps, flows
            sector, started = r.choice(SECTORS), self.day()
            unpaid = sector == "unpaid_care"
            if self.run(c.StartSpell(command_id=cid, worker_id=worker, sector=sector, occupation="work",
                                     place=r.choice(PLACES), relationship="unpaid" if unpaid else "informal",
                                     paid=not unpaid, started_on=started)):
                self.spells.append((worker, new_id(cid, "spell"), started))
        elif name == "end_spell" and self.spells:
            # Mostly spells still going, and often before a later one starts: an ending
            # can then undo an overlap, which only a recomputation notices.
            going = [s for s in self.spells if s[1] not in self.ended] or self.spells
            worker_id, spell_id, started = r.choice(going)
            if self.run(c.EndSpell(command_id=cid, worker_id=worker_id, spell_id=spell_id,
                                   ended_on=started + timedelta(days=r.randrange(150)))):
                self.ended.add(spell_id)
        elif name == "schedule" and coll:
            when = datetime(2025, 1, 1, 10, tzinfo=UTC) + timedelta(days=r.randrange(300))
            found = self.run(c.ScheduleMeeting(
                command_id=cid, kind=r.choice(["assembly", "committee", "cross_sector"]),
                collective_ids=tuple(self.pick(self.collectives, r.randint(1, 2))), scheduled_for=when,
                language="en", agenda_grievance_ids=tuple(self.pick(self.grievances, r.randint(0, 2)))))
            if found:
                self.meetings.append(found)
        elif name == "hold" and meeting and self.workers:
            attendees = self.pick(self.workers, r.randint(1, 4))
            self.run(c.RecordMeetingHeld(
                command_id=cid, meeting_id=meeting, attendee_ids=tuple(attendees),
                held_at=datetime(2025, 1, 1, 10, tzinfo=UTC) + timedelta(days=r.randrange(300)),
                facilitator_ids=tuple(attendees[: r.randint(1, len(attendees))]),
                speaker_ids=tuple(self.pick(attendees, r.randint(0, len(attendees)))),
                language=r.choice(["en", "ne"]), decisions=tuple("d" for _ in range(r.randint(0, 2)))))
        elif name == "cancel" and meeting:
            self.run(c.CancelMeeting(command_id=cid, meeting_id=meeting))
        elif name == "launch" and coll:
            found = self.run(c.LaunchCampaign(
                command_id=cid, issue="Issue", demands=tuple(f"D{i}" for i in range(r.randint(0, 2))),
                collective_ids=tuple(self.pick(self.collectives, r.randint(1, 2))),
                sectors=tuple(self.pick(SECTORS, 2)), launched_on=self.day()))
            if found:
                self.campaigns.append(found)
                self.demands += [(found, new_id(cid, f"demand:{i}")) for i in range(2)]
        elif name == "add_demand" and campaign:
            if self.run(c.AddDemand(command_id=cid, campaign_id=campaign, text="More")):
                self.demands.append((campaign, new_id(cid, "demand")))
        elif name == "resolve" and self.demands:
            campaign_id, demand_id = r.choice(self.demands)
            self.run(c.ResolveDemand(command_id=cid, campaign_id=campaign_id, demand_id=demand_id,
                                     result=r.choice(["won", "partly_won", "lost"]), on=self.day()))
        elif name == "action" and campaign:
            self.run(c.TakeAction(command_id=cid, campaign_id=campaign, kind="petition", taken_on=self.day(),
                                  participant_ids=tuple(self.pick(self.workers, r.randint(0, 3))),
                                  collective_ids=tuple(self.pick(self.collectives, 1))))
        elif name == "link" and campaign and grievance:
            self.run(c.LinkGrievance(command_id=cid, campaign_id=campaign, grievance_id=grievance))
        elif name == "agreement" and campaign and self.organisations:
            self.run(c.SignAgreement(command_id=cid, campaign_id=campaign,
                                     with_organisation_id=self.one(self.organisations),
                                     signed_on=self.day(), clauses=("Clause",)))
        elif name == "join_campaign" and campaign and coll:
            self.run(c.JoinCampaign(command_id=cid, campaign_id=campaign, collective_id=coll))
        elif name == "launch_joint" and grievance:
            found = self.run(c.LaunchJointCampaign(
                command_id=cid, issue="Joint", demands=("J",),
                grievance_ids=tuple(self.pick(self.grievances, r.randint(1, 3))),
                invite_collective_ids=tuple(self.pick(self.collectives, r.randint(0, 1))),
                launched_on=self.day()))
            if found:
                self.campaigns.append(found)
                self.demands.append((found, new_id(cid, "demand:0")))
        elif name in ("accept", "decline") and campaign and coll:
            if name == "accept":
                self.run(c.AcceptCampaignInvitation(command_id=cid, campaign_id=campaign,
                                                    collective_id=coll, on=self.day()))
            else:
                self.run(c.DeclineCampaignInvitation(command_id=cid, campaign_id=campaign,
                                                     collective_id=coll, on=self.day(),
                                                     reason=r.choice([None, "other"])))
        elif name == "close" and campaign and r.random() < 0.5:
            self.run(c.CloseCampaign(command_id=cid, campaign_id=campaign, on=self.day()))
