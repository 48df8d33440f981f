"""One scorer scores many weeks, and keeps a dimension's score from one week to the next
when the slices of the window it reads are the same (``Scorer.score``): every week must
score as a scorer new to it would score it. Pure: no database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import UUID

import pytest

from organize.projections.indicators.facts import CampaignEvent, Facts, GrievanceEvent, MeetingFact
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
                            speakers=tuple(rng.sample(ps, rng.randrange(0, 3))))
                for _ in range(rng.randrange(3, 15))]
    cevents = [CampaignEvent(next(nids), rng.choice(campaigns), rng.choice(("action", "launched", "result")),
                             some_day(), detail="strike",
                             participants=tuple(rng.sample(ps, rng.randrange(4))))
               for _ in range(rng.randrange(0, 8))]
    gevents = [GrievanceEvent(next(nids), rng.choice(grievances),
                              rng.choice(("raised", "referred", "escalated", "outcome")), some_day())
               for _ in range(rng.randrange(0, 10))]
    return Facts(subject=subject, meetings=meetings, campaign_events=cevents, grievance_events=gevents)


@pytest.mark.parametrize("subject", ["collective", "campaign"])
@pytest.mark.parametrize("seed", range(12))
def test_a_kept_score_is_the_score_of_its_week(seed, subject):
    facts = random_facts(seed, subject)
    kept = Scorer(facts, RUBRIC)
    week = week_of(START)
    for _ in range(70):
        assert kept.score(week) == Scorer(facts, RUBRIC).score(week), week
        week += timedelta(days=7)
