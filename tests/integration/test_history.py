"""A record's history (organize/application/history.py) on a real PostgreSQL: roles from the command log,
corrections, withdrawals and erasures named as such, and the same access policy as the record:
out of scope is "not found", a collective she left sees nothing recorded after, an organiser
never gets free text or personal values, and the account itself is never named."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import Authorised
from organize.application.history import CORRECTION, ERASURE, WITHDRAWAL, local_time, record_history
from organize.domain import Grievance, Worker
from organize.errors import NotFound
from tests.integration import support as h

pytestmark = pytest.mark.integration


def leader(*collective_ids, name="leader-history") -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        username=name,
        role="leader",
        collective_ids=frozenset(collective_ids),
        federation=None,
        via="session",
    )


def organiser(federation="fed-hk") -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        username="organiser-history",
        role="organiser",
        collective_ids=frozenset(),
        federation=federation,
        via="session",
    )


def test_grievance_history_names_roles_and_withdrawals_never_the_person(app):
    collective = app.execute(h.create_collective()).id
    worker = app.execute(h.register_worker(collective, pseudonym="Hist")).id
    as_leader = Authorised(app, leader(collective))
    g = as_leader.execute(
        h.raise_grievance(collective, [worker], description="Secret details of the wrong")
    ).id
    as_leader.execute(
        c.WithdrawGrievance(command_id=uuid.uuid4(), grievance_id=g, expected_version=1, on=date(2025, 4, 1))
    )
    entries = record_history(as_leader, Grievance, g, field="grievance_id")
    assert [e.event for e in entries] == ["Raised", "Withdrawn"]
    assert [e.role for e in entries] == ["leader", "leader"]
    assert entries[1].kind == WITHDRAWAL
    assert ("category", "categories", "wages_unpaid_late") in entries[0].codes
    assert "description" in entries[0].fields and not entries[0].erased
    body = msgspec.json.encode(entries).decode()
    assert "Secret details" not in body and "leader-history" not in body
    # The organiser of the federation sees the same history (codes, no text), as organiser.
    seen_by_organiser = record_history(Authorised(app, organiser()), Grievance, g, field="grievance_id")
    assert [e.event for e in seen_by_organiser] == ["Raised", "Withdrawn"]
    assert "Secret details" not in msgspec.json.encode(seen_by_organiser).decode()
    # Another collective's leader: not found, exactly as the record itself.
    other = app.execute(h.create_collective(name="Elsewhere")).id
    with pytest.raises(NotFound):
        record_history(Authorised(app, leader(other)), Grievance, g, field="grievance_id")
    with pytest.raises(NotFound):
        record_history(Authorised(app, organiser("fed-other")), Grievance, g, field="grievance_id")


def test_operator_commands_have_no_role_and_corrections_are_named(app):
    collective = app.execute(h.create_collective()).id
    worker = app.execute(h.register_worker(collective, pseudonym="Before")).id  # the operator
    Authorised(app, leader(collective)).execute(
        c.UpdateWorkerProfile(command_id=uuid.uuid4(), worker_id=worker, profile=c.Profile(pseudonym="After"))
    )
    entries = record_history(app, Worker, worker, field="worker_id")
    assert (entries[0].event, entries[0].role) == ("Registered", None)
    assert entries[-1].event == "ProfileUpdated" and entries[-1].kind == CORRECTION
    assert entries[-1].role == "leader"


def test_erasure_shows_erased_fields_and_the_erasure_itself(app):
    collective = app.execute(h.create_collective()).id
    worker = app.execute(h.register_worker(collective, pseudonym="Gone", legal_name="Full Name")).id
    app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=worker))
    entries = record_history(Authorised(app, leader(collective)), Worker, worker, field="worker_id")
    assert entries[0].event == "Registered" and "profile" in entries[0].erased
    assert entries[-1].kind == ERASURE
    assert "Full Name" not in msgspec.json.encode(entries).decode()


def test_a_collective_she_left_sees_nothing_recorded_after(app):
    first = app.execute(h.create_collective(name="First")).id
    second = app.execute(h.create_collective(name="Second")).id
    worker = app.execute(h.register_worker(first, pseudonym="Mover")).id
    app.execute(
        c.JoinCollective(command_id=uuid.uuid4(), worker_id=worker, collective_id=second, on=date.today())
    )
    app.execute(
        c.LeaveCollective(command_id=uuid.uuid4(), worker_id=worker, collective_id=first, on=date.today())
    )
    app.execute(
        c.UpdateWorkerProfile(
            command_id=uuid.uuid4(), worker_id=worker, profile=c.Profile(pseudonym="Mover", legal_name="New")
        )
    )
    as_first = record_history(Authorised(app, leader(first)), Worker, worker, field="worker_id")
    # Her registration and her leaving, nothing after (not the second collective either).
    assert [e.event for e in as_first] == ["Registered", "LeftCollective"]
    as_second = record_history(Authorised(app, leader(second)), Worker, worker, field="worker_id")
    # The second collective never learns of her membership of the first.
    # The second collective never learns of her membership of the first: the registration
    # (into the first) and her leaving it are not hers to see; joining the second is.
    assert [e.event for e in as_second] == ["JoinedCollective", "ProfileUpdated"]


def test_local_time_is_utc_labelled_until_a_collective_has_a_zone():
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert local_time(at, None) == (at, "UTC")

    class WithZone:
        time_zone = "Asia/Kathmandu"

    moved, zone = local_time(at, WithZone())
    assert zone == "Asia/Kathmandu" and moved.hour == 17 and moved.minute == 45


def test_a_collective_she_left_reads_no_trace_of_later_changes_in_her_record(app):
    """The record read-back agrees with her history: its version and its last change are
    those of her leaving, so the collective she left cannot tell that anything (or when
    something) was recorded about her since."""
    from organize.application.reading import worker_view

    first = app.execute(h.create_collective(name="Left behind")).id
    second = app.execute(h.create_collective(name="Now hers")).id
    worker = app.execute(h.register_worker(first, pseudonym="Moved on")).id
    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=worker, collective_id=second,
                                 on=date.today()))
    left = app.execute(c.LeaveCollective(command_id=uuid.uuid4(), worker_id=worker,
                                         collective_id=first, on=date.today()))
    at_leaving = app.repository.get(worker)
    app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=worker, purpose="contact"))
    app.execute(c.UpdateWorkerProfile(command_id=uuid.uuid4(), worker_id=worker,
                                      profile=c.Profile(pseudonym="Moved on", note="later")))
    as_first = Authorised(app, leader(first))
    seen = worker_view(as_first, as_first.load(Worker, worker, field="worker_id"))
    history = record_history(as_first, Worker, worker, field="worker_id")
    assert seen.version == history[-1].version == at_leaving.version, left
    assert seen.modified_on == at_leaving.modified_on
    as_second = Authorised(app, leader(second))  # her collective now reads all of it
    assert worker_view(as_second, as_second.load(Worker, worker, field="worker_id")).version == 5


def test_history_from_the_events_a_page_loaded_is_the_history_read_afresh(app):
    """A record page loads the record and hands its history the events it was built from and
    the key it fetched (web/pages/workers.py): the same entries as a history that reads them
    itself, for a collective she left (nothing after her leaving), her current collective,
    and after her erasure; a record out of scope hands over no events at all."""
    first = app.execute(h.create_collective(name="Before")).id
    second = app.execute(h.create_collective(name="After")).id
    worker = app.execute(h.register_worker(first, pseudonym="Twice read")).id
    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=worker, collective_id=second,
                                 on=date.today()))
    app.execute(c.LeaveCollective(command_id=uuid.uuid4(), worker_id=worker,
                                  collective_id=first, on=date.today()))
    app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=worker, purpose="contact"))

    def both(reader):
        events: list = []
        agg = reader.load(Worker, worker, field="worker_id", events=events)
        reused = record_history(reader, Worker, worker, field="worker_id", loaded=agg,
                                events=events, key=app.keys.get(worker))
        return reused, record_history(reader, Worker, worker, field="worker_id")

    as_first, as_second = Authorised(app, leader(first)), Authorised(app, leader(second))
    reused, afresh = both(as_first)
    assert reused == afresh and [e.event for e in reused] == ["Registered", "LeftCollective"]
    reused, afresh = both(as_second)
    assert reused == afresh and "ConsentGiven" in [e.event for e in reused]
    app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=worker))
    reused, afresh = both(as_second)
    assert reused == afresh and reused[-1].kind == ERASURE
    reused, afresh = both(app)  # the application itself (the CLI) reads all of it
    assert reused == afresh and "profile" in reused[0].erased and reused[-1].kind == ERASURE
    stranger = Authorised(app, leader(app.execute(h.create_collective(name="Other")).id))
    handed: list = []
    with pytest.raises(NotFound):
        stranger.load(Worker, worker, field="worker_id", events=handed)
    assert handed == []
