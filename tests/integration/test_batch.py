"""The batched command path (``organize.application.batch``) against the one-by-one path,
on the real PostgreSQL: the demo loaded each way into a database of its own gives the same
events (aggregates, topics, versions, decrypted state), the same command log and the same
views; a resubmitted command id replays inside and across batches; a refusal mid-batch
leaves everything before it written and nothing of itself; access rules still hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application import new_id
from organize.application.batch import Batch, run_batched
from organize.demo import DemoPlan, load_demo
from organize.errors import Conflict, Forbidden, Invalid, NotFound
from tests.integration import support as h
from tests.integration.support import key_rows
from tests.support import own_runtime, settle_views

pytestmark = pytest.mark.integration

PLAN = DemoPlan()
# Tables a view writes; the store's own tables are compared field by field below.
STORE = {"organize_commands", "organize_data_keys", "organize_kek", "organize_events",
         "organize_kek_snapshot", "organize_migrations"}

# What each database holds of its own: the view machinery's clock, the research secret
# (random per database) and the bucket keys derived from it.
OWN = {"switched_at", "secret", "ckey"}
STARTED = datetime.now(UTC) - timedelta(hours=6)


def _cell(value):
    """A view's cell, with what differs between two loads of the same data by design put
    aside: ciphertext (each database has its own keys; the plaintext is compared through
    the events above) and wall-clock times of this run (the events' timestamps)."""
    if isinstance(value, bytes) and value[:1] == b"\x01":
        return "<sealed>"
    if isinstance(value, str) and value.startswith("\x1esealed"):
        return "<sealed>"
    if isinstance(value, list):
        return [_cell(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is not None and value > STARTED:
        return "<clock>"
    return value


@pytest.fixture(scope="module")
def both(database, settings) -> Iterator[tuple]:
    with ExitStack() as stack:
        batched = stack.enter_context(own_runtime(database, settings, "batched"))
        single = stack.enter_context(own_runtime(database, settings, "single"))
        first = load_demo(batched.app, PLAN, batch=500)
        load_demo(single.app, PLAN, batch=0)
        settle_views(batched)
        settle_views(single)
        yield batched, single, first


def _opened(app, subject_id, value):
    """``value`` with every sealed field in it, however deep, opened under the subject's key
    (each database seals under keys of its own, so only the plaintext can be compared)."""
    if isinstance(value, bytes) and value[:1] == b"\x01":
        return ("opened", app.sealer.open(subject_id, value))
    if isinstance(value, msgspec.Struct):
        value = msgspec.structs.asdict(value)
    if isinstance(value, dict):
        return {k: _opened(app, subject_id, v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_opened(app, subject_id, v) for v in value]
    return value


def _events(app) -> list[tuple]:
    """Every stored event, decoded, its sealed fields opened under its aggregate's key."""
    rows = []
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        event = app.mapper.to_domain_event(notification)
        state = {k: v for k, v in vars(event).items() if k != "timestamp"}
        rows.append((notification.id, notification.originator_id,
                     notification.originator_version, notification.topic,
                     _opened(app, event.originator_id, state)))
    return rows


def _seals(value) -> list:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _seals(v)]
    if isinstance(value, list):
        if value[:1] == ["opened"]:
            return [value]
        return [x for v in value for x in _seals(v)]
    return [value] if isinstance(value, tuple) and value[:1] == ("opened",) else []


def test_same_events_in_the_same_order(both):
    batched, single, first = both
    a, b = _events(batched.app), _events(single.app)
    assert len(a) == len(b) == first.events_appended > 6000
    assert [r[:4] for r in a] == [r[:4] for r in b]
    for x, y in zip(a, b, strict=True):
        assert x[4] == y[4], (x[1], x[2], x[3])
    # The sealed fields really were opened: the comparison is of plaintext, not of None
    # (a few stay shut on both sides: erased workers' keys, seals under another subject).
    opened = [v for r in a for v in _seals(r[4])]
    plain = [v for v in opened if v[1] is not None]
    assert len(plain) > 3000 and len(plain) > 0.9 * len(opened), (len(plain), len(opened))


def _log(app) -> list[tuple]:
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT command_id, command_type, result, last_originator_id, "
                     "last_originator_version, recorded_by_role, first_notification_id, "
                     "last_notification_id FROM organize_commands ORDER BY command_id")
        return [tuple(r.values()) for r in curs.fetchall()]


def test_same_command_log(both):
    batched, single, first = both
    a = _log(batched.app)
    assert len(a) == first.commands == first.commands_applied
    assert a == _log(single.app)


def test_same_aggregates(both):
    batched, single, _ = both
    ids = {r[1] for r in _events(single.app)}
    for i in sorted(ids)[:400]:
        x, y = batched.app.repository.get(i), single.app.repository.get(i)
        assert type(x) is type(y) and x.version == y.version
        assert _plain(batched.app, x) == _plain(single.app, y)


def _plain(app, aggregate) -> dict:
    """An aggregate's state with its sealed fields opened under its own key."""
    return _opened(app, aggregate.id, {k: v for k, v in vars(aggregate).items()
                                       if k not in ("_created_on", "_modified_on")})


def _tables(app) -> dict[str, list]:
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT table_schema, table_name FROM information_schema.tables "
                     "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                     "AND table_type = 'BASE TABLE'")
        names = [(r["table_schema"], r["table_name"]) for r in curs.fetchall()]
        out = {}
        for schema, name in names:
            if name in STORE:
                continue
            curs.execute(f'SELECT * FROM "{schema}"."{name}"')  # noqa: S608 - catalogue names
            out[f"{schema}.{name}"] = sorted(
                repr(sorted((k, _cell(v)) for k, v in r.items() if k not in OWN))
                for r in curs.fetchall())
        return out


def test_same_views(both):
    batched, single, _ = both
    a, b = _tables(batched.app), _tables(single.app)
    assert a.keys() == b.keys()
    assert sum(len(v) for v in a.values()) > 1000
    differ = {n: next((x, y) for x, y in zip(a[n], b[n], strict=False) if x != y)
              for n in a if a[n] != b[n]}
    assert differ == {}


def test_second_batched_load_appends_nothing(both):
    batched, _, _ = both
    head = batched.app.recorder.max_notification_id()
    again = load_demo(batched.app, PLAN, batch=500)
    assert again.commands_replayed == again.commands and again.commands_applied == 0
    assert batched.app.recorder.max_notification_id() == head


# -- idempotency, refusals, access ---------------------------------------------------------

def create(name: str, federation: str | None = None) -> c.CreateCollective:
    return c.CreateCollective(command_id=uuid.uuid4(), name=name, kind="worker_collective",
                              federation=federation)


def rename(collective_id, name: str, version: int | None = None) -> c.RenameCollective:
    return c.RenameCollective(command_id=uuid.uuid4(), collective_id=collective_id, name=name,
                              expected_version=version)


def events_of(app, *ids) -> list[tuple]:
    return [(e.originator_id, e.originator_version, type(e).__name__)
            for i in ids for e in app.repository.event_store.get(i)]


def test_resubmitted_ids_replay_inside_and_across_batches(app):
    made = create("Batch replay")
    again = rename(new_id(made.command_id, "collective"), "Renamed in the batch")
    with Batch(app) as batch:
        first = batch.execute(made)
        assert not first.replayed
        renamed = batch.execute(again)
        inside = batch.execute(made)
        assert inside.replayed and inside.id == first.id and inside.ids == first.ids
        assert batch.execute(again).replayed
        with pytest.raises(Invalid) as reused:  # the same id for a different command
            batch.execute(c.RenameCollective(command_id=again.command_id,
                                             collective_id=first.id, name="Other"))
        assert reused.value.code == "command_id_reused"
    written = events_of(app, first.id)
    assert [e[2] for e in written].count("Renamed") == 1 and written[-1][2] == "Renamed"
    with Batch(app) as batch:  # across batches: read from the command log
        batch.expect([made, again])
        assert batch.execute(made).replayed and batch.execute(again).replayed
        assert batch.execute(again).id == renamed.id
    assert app.execute(again).replayed  # and the one-by-one path agrees
    out = list(run_batched(app, [made, again, made]))
    assert all(r.replayed for r in out)
    assert events_of(app, first.id) == written
    assert app.repository.get(first.id).name == "Renamed in the batch"


def test_a_refusal_stops_the_batch_with_everything_before_it_written(app):
    made = create("Batch refusal")
    cid = new_id(made.command_id, "collective")
    later = create("Never reached")
    batch = Batch(app)
    batch.execute(made)
    v = batch.repository.get(cid).version  # in memory: nothing is written yet
    assert app.recorder.find_command(made.command_id) is None
    batch.execute(rename(cid, "Second name"))
    batch.execute(rename(cid, "Third name", version=v + 1))  # the version the batch left
    with pytest.raises(Conflict) as stale:  # v + 1 is gone: the batch moved it to v + 2
        batch.execute(rename(cid, "Stale", version=v + 1))
    assert stale.value.code == "stale_version"
    # Everything before the refusal is committed; nothing of the refused command.
    assert batch.pending == 0
    assert len(events_of(app, cid)) == v + 2
    assert [e[2] for e in events_of(app, cid)][-2:] == ["Renamed", "Renamed"]
    assert app.repository.get(cid).name == "Third name"
    assert app.repository.get(cid).version == v + 2
    # A domain refusal after an in-batch change: the change before it is written, the
    # aggregate in memory dropped, and the batch goes on from the store.
    batch.execute(rename(cid, "Fourth name"))
    with pytest.raises(Invalid):
        batch.execute(rename(cid, "   "))
    assert app.repository.get(cid).name == "Fourth name"
    assert batch.execute(rename(cid, "Fifth name", version=v + 3)).id == cid
    with pytest.raises(NotFound):
        batch.execute(rename(uuid.uuid4(), "Nobody"))
    assert app.repository.get(cid).version == v + 4
    assert app.repository.get(cid).name == "Fifth name"
    never = app.recorder.find_command(later.command_id)
    assert never is None


def leader(*collective_ids) -> Principal:
    return Principal(account_id=uuid.uuid4(), username="leader-batch", role="leader",
                     collective_ids=frozenset(collective_ids), federation=None, via="session")


def organiser(federation: str) -> Principal:
    return Principal(account_id=uuid.uuid4(), username="organiser-batch", role="organiser",
                     collective_ids=frozenset(), federation=federation, via="session")


def test_access_rules_hold_in_a_batch(app):
    mine, theirs = create("Batch mine"), create("Batch theirs")
    app.execute(mine)
    app.execute(theirs)
    mine_id = new_id(mine.command_id, "collective")
    theirs_id = new_id(theirs.command_id, "collective")
    theirs_version = app.repository.get(theirs_id).version
    batch = Batch(app)
    as_leader = batch.authorised(leader(mine_id))
    as_leader.execute(rename(mine_id, "Renamed by her leader"))
    with pytest.raises(NotFound):  # another collective: not even there for her
        as_leader.execute(rename(theirs_id, "Renamed by a stranger"))
    assert app.repository.get(mine_id).name == "Renamed by her leader"  # written before
    assert app.repository.get(theirs_id).name == "Batch theirs"
    assert app.repository.get(theirs_id).version == theirs_version
    with pytest.raises(Forbidden):  # an organiser never registers workers
        batch.authorised(organiser("fed-batch")).execute(c.RegisterWorker(
            command_id=uuid.uuid4(), profile=c.Profile(pseudonym="Nobody"),
            collective_id=mine_id))
    # The rule reads the batch's own state: a collective created in this batch, in her
    # federation, is hers to rename before anything is committed; another federation's
    # is refused.
    fed = f"fed-batch-{uuid.uuid4().hex[:6]}"
    as_organiser = batch.authorised(organiser(fed))
    new = create("Batch federation", federation=fed)
    made = as_organiser.execute(new)
    as_organiser.execute(rename(made.id, "Renamed in her federation"))
    assert batch.pending == 2
    with pytest.raises((Forbidden, NotFound)):
        as_organiser.execute(create("Elsewhere", federation="another-federation"))
    assert app.repository.get(made.id).name == "Renamed in her federation"
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT recorded_by_role FROM organize_commands WHERE command_id = %s",
                     (new.command_id,))
        assert curs.fetchone()["recorded_by_role"] == "organiser"


def test_a_commit_the_database_refuses_writes_nothing_of_it(app):
    other, made = create("Batch collision first"), create("Batch collision second")
    batch = Batch(app)
    batch.execute(other)
    batch.execute(made)
    app.execute(made)  # another writer runs the same command before the batch commits
    with pytest.raises(Conflict):
        batch.commit()
    assert app.recorder.find_command(other.command_id) is None
    assert events_of(app, new_id(other.command_id, "collective")) == []
    # Running them again is safe: the first is new, the second replays the other writer's.
    out = list(run_batched(app, [other, made]))
    assert [r.replayed for r in out] == [False, True]
    assert app.repository.get(new_id(other.command_id, "collective")).name == other.name


# -- data keys: written with the events sealed under them ----------------------------------

def register(name: str) -> c.RegisterWorker:
    return c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym=name))


def test_a_batch_writes_its_keys_with_its_events(app):
    first, second = register("Key one"), register("Key two")
    ids = [new_id(first.command_id, "worker"), new_id(second.command_id, "worker")]
    batch = Batch(app)
    batch.execute(first)
    batch.execute(second)
    assert key_rows(app, *ids) == 0  # made in memory: nothing is stored yet
    batch.commit()
    assert key_rows(app, *ids) == 2
    profile = app.open(ids[1], app.repository.get(ids[1]).profile, c.Profile)
    assert profile.pseudonym == "Key two"


def test_a_discarded_block_and_a_refused_commit_leave_no_key(app):
    kept, dropped = register("Key kept"), register("Key dropped")
    kept_id, dropped_id = (new_id(x.command_id, "worker") for x in (kept, dropped))
    batch = Batch(app)
    batch.execute(kept)
    with pytest.raises(NotFound), batch.whole():  # a row whose second command is refused
        batch.execute(dropped)
        batch.execute(rename(uuid.uuid4(), "Nobody"))
    assert key_rows(app, kept_id) == 1 and key_rows(app, dropped_id) == 0
    assert events_of(app, dropped_id) == []
    # A commit the database refuses (another writer ran the same command meanwhile): the
    # batch's key for her is not written; the other writer's is the one her events use.
    raced, other = register("Key raced"), register("Key other")
    raced_id, other_id = (new_id(x.command_id, "worker") for x in (raced, other))
    batch = Batch(app)
    batch.execute(other)
    batch.execute(raced)
    app.execute(raced)
    with pytest.raises(Conflict):
        batch.commit()
    assert key_rows(app, other_id) == 0 and key_rows(app, raced_id) == 1
    profile = app.open(raced_id, app.repository.get(raced_id).profile, c.Profile)
    assert profile.pseudonym == "Key raced"


def test_owners_given_in_a_batch_are_written_with_its_events_or_not_at_all(app):
    """A join gives its workers the grievance's key: at the batch's commit, in its
    transaction; a discarded block's join gives nothing."""
    collective = h.collective(app)
    first, dropped, joined = (h.worker(app, collective) for _ in range(3))
    grievance = app.execute(h.raise_grievance(collective, [first])).id
    batch = Batch(app)
    with pytest.raises(NotFound), batch.whole():
        batch.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=grievance,
                                      worker_ids=[dropped]))
        batch.execute(rename(uuid.uuid4(), "Nobody"))
    batch.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=grievance,
                                  worker_ids=[joined]))
    assert h.key_owners(app, grievance) == {first}  # nothing before the commit
    batch.commit()
    assert h.key_owners(app, grievance) == {first, joined}


def test_erasure_in_a_batch_destroys_the_keys_it_made(app):
    made = register("Key erased")
    worker_id = new_id(made.command_id, "worker")
    kept = register("Key beside her")
    with Batch(app) as batch:
        batch.execute(made)
        batch.execute(kept)
        batch.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=worker_id,
                                    expected_version=1))
    assert key_rows(app, worker_id) == 0
    assert key_rows(app, new_id(kept.command_id, "worker")) == 1
    assert app.repository.get(worker_id).erased
    registered = next(iter(app.repository.event_store.get(worker_id)))
    assert app.open(worker_id, registered.sealed_profile, c.Profile) is None


def test_a_command_refused_after_sealing_leaves_no_key(app):
    made = register("Key refused grievance")
    worker_id = new_id(made.command_id, "worker")
    collective = create("Key refusals")
    app.execute(collective)
    raised = c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=new_id(collective.command_id, "collective"),
        worker_ids=(worker_id,), category="no_such_category", sector="domestic_care",
        place="HK", stage="destination", description="What happened", occurred_on=date(2024, 5, 1))
    batch = Batch(app)
    batch.execute(made)
    with pytest.raises(Invalid):  # the taxonomy refuses it after its text was sealed
        batch.execute(raised)
    assert key_rows(app, worker_id) == 1
    assert key_rows(app, new_id(raised.command_id, "grievance")) == 0
