"""The demo's builder: the order of the steps (collectives and organisations, workers,
grievances, campaigns, meetings, assessments) and the plumbing every step uses (``emit``
gives each command its id from the seed and a counter, at its date)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from datetime import time as clock
from functools import lru_cache
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from organize import commands as c
from organize.application import new_id
from organize.demo.bargaining import BargainingSteps
from organize.demo.campaigns import CampaignSteps
from organize.demo.deadlines import DeadlineSteps
from organize.demo.grievances import GrievanceSteps
from organize.demo.material import ALLIANCES, HOUSEHOLDS, ORGANISATIONS, SPECS, ZONES
from organize.demo.meetings import MeetingSteps
from organize.demo.people import PeopleSteps
from organize.demo.state import (
    DEMO_NAMESPACE,
    Built,
    PlannedCampaign,
    PlannedGrievance,
    PlannedWorker,
    in_days,
    month_after,
)
from organize.domain import DIMENSIONS, load_taxonomy

if TYPE_CHECKING:
    from organize.demo.plan import DemoPlan

# Self-assessments: collective, month, levels in DIMENSIONS order (None = not judged).
ASSESSMENTS: tuple[tuple[str, int, tuple[int | None, ...], str], ...] = (
    ("hk", 5, (2, 2, 1, 2, 1, 1, 2, 2),
     "The same two of us still run most meetings. Many members have wage and rest-day "
     "problems but few dare to raise them together. We have started a petition on rest days."),
    ("hk", 11, (3, 2, 2, 2, 2, 1, 3, 2),
     "More members come on Sundays and four people have now facilitated. The fee refund "
     "campaign brought Indonesian and Nepali members into the same room for the first time."),
    ("hk", 17, (3, 3, 3, 3, 2, 2, 3, 2),
     "New members facilitate after shadowing the committee. We negotiate with agencies as a "
     "group now. Two members were threatened after the refund agreement; we went with them."),
    ("hk", 23, (4, 3, 3, 3, 3, 3, 3, 1),
     "Leadership rotates every meeting. We work with the Kuala Lumpur centre on passports "
     "and maternity. Retaliation is still a risk and we keep names off the group chat."),
    ("dhaka", 5, (2, 2, 1, 2, 2, 1, 1, 2),
     "The strike at Sunrise showed we can act together. Most women still leave after the "
     "shift to care for children, so meetings are short and on Fridays."),
    ("dhaka", 11, (3, 3, 2, 3, 3, 1, 2, 2),
     "We won wages on time at Sunrise and part of the arrears. New women lead the line "
     "meetings. Harassment is still hard to raise in front of supervisors."),
    ("dhaka", 17, (3, 3, 3, 3, 3, 2, 3, 2),
     "Members who went to Beirut and Kuala Lumpur keep in touch; their stories changed how "
     "we talk about recruitment. The women's rights alliance helps with the committee."),
    ("dhaka", 23, (3, 4, 3, 3, 3, 2, 3, 2),
     "Grievances are raised by whole lines, not one worker. Maternity is our common demand "
     "with the domestic workers now."),
    ("ktm", 7, (2, 2, 2, 2, 1, 1, 2, None),
     "Returnees meet every Saturday. Debt is what everyone talks about; some are ashamed to "
     "come. The recruiter complaint desk is a start."),
    ("ktm", 19, (2, 3, 2, 2, 2, 2, 3, 2),
     "We won stall permits at the market. Some members left again for Malaysia and keep in "
     "touch with the centre there. Leadership is still mostly the two founders."),
    ("kl", 6, (2, 2, 2, 2, 1, 2, 1, 2),
     "Factory, hotel and domestic workers come to the centre on different days. Passports "
     "are the issue that brings everyone together."),
    ("kl", 14, (3, 3, 2, 3, 3, 3, 2, 2),
     "The Harbourline agreement returned passports at the factory, the hotel and the "
     "sites. New facilitators from the Myanmar and Nepali groups."),
    ("kl", 22, (3, 3, 3, 3, 3, 4, 3, 2),
     "Cross-sector meetings with Hong Kong and Mahachai are regular. Undocumented members "
     "still fear coming to the centre after raids in the area."),
    ("bey", 4, (2, 2, 1, 2, 1, 1, 2, 2),
     "Many members, but one person organises everything. The kafala campaign has started."),
    ("bey", 12, (1, 1, 1, 1, 1, 0, 2, 3),
     "After the raids fewer members come, and the legal aid partner closed its project. "
     "Nobody else wants to facilitate; people are afraid to be seen."),
    ("bey", 20, (1, 1, 1, 1, 0, 0, 1, 3),
     "We keep a small group going. Several members were deported or went home. We need new "
     "ways to meet that are safe."),
    ("skn", 8, (1, 1, 1, 1, 1, 0, 1, 2),
     "One organiser does everything. Women work long shifts and come only in the evenings."),
    ("skn", 20, (3, 2, 2, 2, 3, 2, 2, 2),
     "The shed campaign won water, breaks and gloves. Three new women now facilitate. The "
     "passport campaign links us with the Kuala Lumpur centre."),
)


@lru_cache(maxsize=4)
def build_plan(plan: DemoPlan) -> Built:
    return Builder(plan).build()

class Builder(PeopleSteps, GrievanceSteps, CampaignSteps, MeetingSteps, DeadlineSteps,
              BargainingSteps):
    def __init__(self, plan: DemoPlan) -> None:
        self.plan = plan
        self.start, self.end = plan.start, plan.end
        self.span = (plan.end - plan.start).days
        self.months = (plan.end.year - plan.start.year) * 12 + plan.end.month - plan.start.month + 1
        self.rng = random.Random(plan.seed)  # noqa: S311  (demo data, not secrets)
        self.taxonomy = load_taxonomy()
        self.counter = 0
        self.items: list[tuple[date, int, c.Command]] = []
        self.specs = {s.key: s for s in SPECS}
        self.collectives: dict[str, UUID] = {}
        self.orgs: dict[str, UUID] = {}
        self.households: dict[str, list[tuple[UUID, str]]] = {}
        self.workers: list[PlannedWorker] = []
        self.grievances: list[PlannedGrievance] = []
        self.campaigns: dict[str, PlannedCampaign] = {}
        self.negotiations: list[tuple[date, PlannedCampaign, tuple[PlannedWorker, ...], str]] = []
        self.leaders: dict[str, list[PlannedWorker]] = {}
        self.last_facilitated: dict[int, date] = {}
        self.counts: Counter[str] = Counter()
        self.referral_consents: dict[tuple[UUID, str], tuple[date, str]] = {}

    # -- plumbing --------------------------------------------------------------------------

    def emit(self, when: date, cls: type[c.Command], **fields) -> c.Command:
        assert when <= self.end, (cls.__name__, when)
        self.counter += 1
        command_id = uuid5(DEMO_NAMESPACE, f"{self.plan.seed}:{self.counter}")
        command = cls(command_id=command_id, **fields)
        self.items.append((max(when, self.start), self.counter, command))
        return command

    def frac(self, on: date) -> float:
        return min(1.0, max(0.0, (on - self.start).days / self.span))

    def at(self, key: str, on: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(on, clock(hour, minute), tzinfo=self.specs[key].tz)

    def pick(self, weights: Sequence[tuple[str, int]]) -> str:
        codes = [w[0] for w in weights]
        return self.rng.choices(codes, weights=[w[1] for w in weights])[0]

    def build(self) -> Built:
        self.organisations()
        self.make_workers()
        self.make_grievances()
        self.make_campaigns()
        self.make_meetings()
        self.make_assessments()
        # Last, so that the command ids of everything before stay as they were.
        self.make_joint_cluster()
        self.make_money_and_deadlines()
        self.make_bargaining()  # after it, for the same reason
        self.items.sort(key=lambda item: (item[0], item[1]))
        countries = {s.home.split("-")[0] for s in SPECS}
        sectors = {x for _w, _n, cmd in self.items
                   if isinstance(cmd, (c.CreateCollective, c.UpdateCollectiveProfile))
                   for x in cmd.sectors}
        self.counts.update(collectives=len(SPECS), countries=len(countries),
                           sectors=len(sectors))
        return Built(tuple(item[2] for item in self.items), dict(self.counts))

    # -- collectives and organisations ------------------------------------------------------

    def organisations(self) -> None:
        for s in SPECS:
            cmd = self.emit(self.start, c.CreateCollective, name=s.name, kind=s.kind,
                            sectors=s.sectors, places=s.places, languages=s.languages,
                            federation=s.federation, time_zone=ZONES[s.key])
            self.collectives[s.key] = new_id(cmd.command_id, "collective")
        for key, name, kind, place in ORGANISATIONS:
            cmd = self.emit(self.start, c.CreateOrganisation, name=name, kind=kind, place=place)
            self.orgs[key] = new_id(cmd.command_id, "organisation")
        number = 0
        for country, n, places, recorder in HOUSEHOLDS:
            self.households[country] = []
            for i in range(n):
                number += 1
                place = places[i % len(places)]
                cmd = self.emit(self.start, c.CreateOrganisation, name=f"Household {number}",
                                kind="household", place=place,
                                collective_id=self.collectives[recorder])
                self.households[country].append((new_id(cmd.command_id, "organisation"), place))
        self.counts["organisations"] = len(ORGANISATIONS) + number
        for key, org, since, until in ALLIANCES:
            began = self.start + in_days(since)
            if began > self.end:
                continue
            self.emit(began, c.FormAlliance, collective_id=self.collectives[key],
                      organisation_id=self.orgs[org], since=began)
            ended = None if until is None else self.start + in_days(until)
            if ended is not None and ended <= self.end:
                self.emit(ended, c.EndAlliance, collective_id=self.collectives[key],
                          organisation_id=self.orgs[org], until=ended)
        # The Kuala Lumpur centre starts organising on building sites too.
        when = self.start + in_days(310)
        if when <= self.end:
            self.emit(when, c.UpdateCollectiveProfile, collective_id=self.collectives["kl"],
                      sectors=("manufacturing", "domestic_care", "hospitality", "construction"),
                      places=("MY-KUL", "MY-SGR"), languages=self.specs["kl"].languages)

    def household(self, country: str) -> tuple[UUID, str]:
        return self.rng.choice(self.households[country])

    # -- self-assessments -----------------------------------------------------------------------

    def make_assessments(self) -> None:
        for key, month, levels, narrative in ASSESSMENTS:
            when = month_after(self.start, month) + in_days(20)
            if when > self.end:
                continue
            self.emit(when, c.RecordAssessment, collective_id=self.collectives[key],
                      assessed_on=when,
                      levels=tuple(c.Level(dimension=d, level=lv)
                                   for d, lv in zip(DIMENSIONS, levels, strict=True)
                                   if lv is not None),
                      narrative=narrative)
            self.counts["assessments"] += 1


    def make_joint_cluster(self) -> None:
        """A common grievance no campaign has taken up yet, for an organiser to find: the
        same recruiter (Bintang Jaya) holds the passports of Indonesian women in domestic
        work in Hong Kong and in a glove factory near Kuala Lumpur. Two collectives of one
        federation, two sectors: the case for a joint campaign (issue 6)."""
        recruiter = self.orgs["bintang"]
        for key, sector, place, day in (("hk", "domestic_care", "HK-KLN", 0),
                                         ("kl", "manufacturing", "MY-SGR", 9)):
            raised = date(2026, 9, 6) + in_days(day)
            if raised > self.end:
                return
            women = [w for w in self.workers
                     if w.nat == "ID" and w.id is not None and w.member(key, raised)
                     and w.stays][:4]
            for i, pair in enumerate((women[:2], women[2:4])):
                if not pair:
                    continue
                on = raised + in_days(7 * i)
                self.emit(on, c.RaiseGrievance, collective_id=self.collectives[key],
                          worker_ids=tuple(w.id for w in pair), category="documents_confiscated",
                          sector=sector, place=place, stage="destination",
                          organisation_ids=(recruiter,), occurred_on=on - in_days(3),
                          description="The agency kept our passports after placement and "
                                      "will not return them.")
                self.counts["grievances"] += 1
