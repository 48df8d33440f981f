"""Property: whatever the interleaving of commands and resubmits, the stored state equals a
simple model, a resubmit of an accepted command returns its first result, and each accepted
command appended exactly one event."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organize import commands as c
from organize.domain import Worker
from organize.errors import CommandError
from tests.integration import support as h

pytestmark = pytest.mark.integration

PURPOSES = ["contact", "research"]

ops = st.lists(
    st.one_of(
        st.tuples(st.just("give"), st.sampled_from(PURPOSES)),
        st.tuples(st.just("withdraw"), st.sampled_from(PURPOSES)),
        st.tuples(st.just("resubmit"), st.integers(min_value=0, max_value=30)),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(sequence=ops)
def test_commands_and_resubmits_match_a_model(app, sequence):
    worker_id = app.execute(h.register_worker()).id
    model: set[str] = set()
    sent: list[tuple[c.Command, object]] = []  # (command, first outcome)
    accepted = 0
    for kind, arg in sequence:
        if kind == "resubmit":
            if not sent:
                continue
            index = arg % len(sent)
            command, first = sent[index]
        else:
            index = None
            cls = c.GiveConsent if kind == "give" else c.WithdrawConsent
            command, first = cls(command_id=uuid.uuid4(), worker_id=worker_id, purpose=arg), None
        try:
            result = app.execute(command)
        except CommandError as e:
            outcome = e
        else:
            outcome = result
        if first is not None and not isinstance(first, CommandError):
            # An accepted command, sent again: the same answer, and no change.
            assert isinstance(outcome, c.CommandResult) and outcome.replayed
            assert (outcome.id, outcome.notification_id) == (first.id, first.notification_id)
            continue
        expected_ok = (command.purpose not in model) if isinstance(command, c.GiveConsent) \
            else (command.purpose in model)
        assert isinstance(outcome, c.CommandResult) == expected_ok, (command, outcome)
        if expected_ok:
            accepted += 1
            (model.add if isinstance(command, c.GiveConsent) else model.discard)(command.purpose)
        if index is None:
            sent.append((command, outcome))
        else:  # a refused command tried again is a new attempt; remember how it went
            sent[index] = (command, outcome)
    worker = app.get(Worker, worker_id)
    assert set(worker.consents) == model
    assert worker.version == 1 + accepted
