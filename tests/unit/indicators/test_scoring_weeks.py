"""One scorer scores many weeks, and keeps a dimension's score from one week to the next
when the slices of the window it reads (and the dated state it reads against the window's
last day) are the same (``Scorer.score``): every week must score as a scorer new to it would
score it. The facts cover what each dimension reads: alliances that begin and end, work
histories that span sectors, bargaining steps, grievances joined by several workers,
retaliations and what answered them. Pure: no database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import UUID

import pytest

from organize.projections.indicators.facts import (
    AllianceFact,
    BargainingEvent,
    CampaignEvent,
    CampaignFact,
    Facts,
    GrievanceEvent,
    MeetingFact,
    SpellFact,
)
from organize.projections.indicators.rubric import load_rubric
from organize.projections.indicators.scoring import Scorer, week_of

RUBRIC = load_rubric()
START = date(2024, 1, 1)


def random_facts(seed: int, subject: str) -> Facts:
    rng = random.Random(seed)
    ps = [UUID(int=rng.getrandbits(128)) for _ in range(12)]
    campaigns = [UUID(int=rng.getrandbits(128)) for _ in range(2)]
    grievances = [UUID(int=rng.getrandbits(128)) for _ in range(4)]
    nids = iter(range(100, 10_000))

    def some_day() -> date:  # in clumps, with long gaps, so windows repeat and move
        return START + timedelta(days=rng.choice((0, 120, 300)) + rng.randrange(60))

    meetings = [MeetingFact(next(nids), some_day(), attendees=tuple(rng.sample(ps, rng.randrange(1, 8))),
                            facilitators=tuple(rng.sample(ps, rng.randrange(0, 2))),
                            speakers=tuple(rng.sample(ps, rng.randrange(0, 3))),
                            decisions=rng.randrange(3), kind=rng.choice(("assembly", "negotiation",
                                                                         "cross_sector")))
                for _ in range(rng.randrange(3, 15))]
    orgs = [UUID(int=rng.getrandbits(128)) for _ in range(3)]
    cevents = [CampaignEvent(next(nids), rng.choice(campaigns), rng.choice(("action", "launched", "result",
                                                                            "agreement")),
                             some_day(), detail=rng.choice(("strike", "won", "employer_meeting")),
                             participants=tuple(rng.sample(ps, rng.randrange(4))),
                             organisation_id=rng.choice((None, *orgs)))
               for _ in range(rng.randrange(0, 8))]
    gevents = [GrievanceEvent(next(nids), rng.choice(grievances),
                              rng.choice(("raised", "joined", "referred", "escalated", "negotiation",
                                          "outcome", "retaliation", "discussed")), some_day(),
                              worker_ids=tuple(rng.sample(ps, rng.randrange(3))),
                              organisation_id=rng.choice((None, *orgs)),
                              outcome=rng.choice((None, "reinstated")))
               for _ in range(rng.randrange(0, 14))]
    alliances = []
    for _ in range(rng.randrange(4)):
        since = some_day()
        until = rng.choice((None, since + timedelta(days=rng.randrange(1, 90))))
        alliances.append(AllianceFact(next(nids), rng.choice(orgs), rng.choice(("union", "ngo", None)),
                                      since, until))
    spells = {p: [SpellFact(next(nids), rng.choice(("care", "cleaning", "farm")), some_day(),
                            rng.choice((None, some_day())))
                  for _ in range(rng.randrange(3))]
              for p in rng.sample(ps, rng.randrange(len(ps)))}
    bevents = [BargainingEvent(next(nids), UUID(int=1), rng.choice(("session", "ratified", "breach")),
                               some_day(), voters=rng.randrange(20), clause_id=rng.choice(grievances))
               for _ in range(rng.randrange(0, 5))]
    return Facts(subject=subject, meetings=meetings, campaign_events=cevents, grievance_events=gevents,
                 campaigns={c: CampaignFact(c, START, sectors=tuple(rng.sample(("care", "farm"),
                                                                                 rng.randrange(3))))
                            for c in campaigns},
                 alliances=alliances if subject == "collective" else (), spells=spells,
                 bargaining_events=bevents if subject == "collective" else ())


@pytest.mark.parametrize("subject", ["collective", "campaign"])
@pytest.mark.parametrize("seed", range(40))
def test_a_kept_score_is_the_score_of_its_week(seed, subject):
    facts = random_facts(seed, subject)
    kept = Scorer(facts, RUBRIC)
    week = week_of(START)
    for _ in range(70):
        assert kept.score(week) == Scorer(facts, RUBRIC).score(week), week
        week += timedelta(days=7)
