"""``organize demo --scale N``: a collective with N grievances of history, built twice
without adding anything, grown by adding only, and each of its dates on the calendar."""

from __future__ import annotations

import pytest

from organize.demo import scale as demo_scale

pytestmark = pytest.mark.integration


def test_a_scaled_collective_is_deterministic_and_grows_by_adding(app):
    first = demo_scale.load_scaled(app, 120)
    assert first > 120  # the collective, workers, grievances, outcomes, meetings
    assert demo_scale.load_scaled(app, 120) == 0  # again: nothing new
    grown = demo_scale.load_scaled(app, 200)
    assert 80 <= grown < first  # only what the larger size adds
    commands = list(demo_scale.commands(200, app.taxonomy))
    raised = [x for x in commands if type(x).__name__ == "RaiseGrievance"]
    assert len(raised) == 200 and len({x.command_id for x in commands}) == len(commands)
    assert all(demo_scale.END.year - 5 <= x.occurred_on.year <= demo_scale.END.year for x in raised)
    coll = app.repository.get(demo_scale.collective_id())
    assert coll.name == "Years of history"
