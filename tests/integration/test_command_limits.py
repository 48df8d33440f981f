"""A command built in Python (the command line, an import, the demo) meets the limits of its
fields (``Meta``: lengths, patterns, ranges) as one decoded from JSON does: the application
refuses it before its handler runs, with the words the API uses, one by one and batched,
on the real PostgreSQL, and nothing is written (no event, no command-log row)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.application import new_id
from organize.application.batch import Batch
from organize.errors import Invalid

pytestmark = pytest.mark.integration


def _collective(app) -> uuid.UUID:
    made = c.CreateCollective(command_id=uuid.uuid4(), name="Limits", kind="worker_collective")
    app.execute(made)
    return new_id(made.command_id, "collective")


def _over_long(collective_id: uuid.UUID) -> c.RaiseGrievance:
    """51 workers on a grievance, where the API takes 50."""
    return c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=collective_id,
        worker_ids=tuple(uuid.uuid4() for _ in range(51)), category="excessive_hours",
        sector="domestic_care", place="HK", stage="destination", occurred_on=date(2026, 3, 2),
        description="Long days.")


def _refused(run, command: c.Command) -> Invalid:
    with pytest.raises(Invalid) as refused:
        run(command)
    return refused.value


def test_an_over_long_command_is_refused_with_nothing_written(app):
    collective_id = _collective(app)
    head = app.recorder.max_notification_id()
    command = _over_long(collective_id)
    error = _refused(app.execute, command)
    assert (error.code, error.field) == ("invalid_input", "worker_ids")
    assert error.message == "worker_ids: Expected `array` of length <= 50"
    named = c.RenameCollective(command_id=uuid.uuid4(), collective_id=collective_id,
                               name="x" * 121)
    assert _refused(app.execute, named).message == "name: Expected `str` of length <= 120"
    nested = c.RegisterWorker(command_id=uuid.uuid4(), collective_id=collective_id,
                              joined_on=date(2026, 3, 2), profile=c.Profile(pseudonym="x" * 81))
    assert _refused(app.execute, nested).field == "profile.pseudonym"
    assert app.recorder.max_notification_id() == head
    for refused in (command, named, nested):
        assert app.recorder.find_command(refused.command_id) is None


def test_the_batched_path_refuses_it_too(app):
    collective_id = _collective(app)
    head = app.recorder.max_notification_id()
    fine = c.RenameCollective(command_id=uuid.uuid4(), collective_id=collective_id,
                              name="Limits, renamed")
    command = _over_long(collective_id)
    batch = Batch(app)
    batch.execute(fine)
    error = _refused(batch.execute, command)
    assert error.message == "worker_ids: Expected `array` of length <= 50"
    batch.commit()
    assert app.recorder.find_command(command.command_id) is None
    assert app.recorder.find_command(fine.command_id) is not None  # what came before stays
    assert app.recorder.max_notification_id() == head + 1


def test_a_command_within_its_limits_runs(app):
    collective_id = _collective(app)
    worker = app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=collective_id, joined_on=date(2026, 3, 2),
        profile=c.Profile(pseudonym="x" * 80))).id
    assert app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=collective_id, worker_ids=(worker,),
        category="excessive_hours", sector="domestic_care", place="HK", stage="destination",
        occurred_on=date(2026, 3, 2), description="Long days.")).notification_id
