"""Merging duplicate workers, on a real PostgreSQL: the merge is two events that an undo
reverses, both histories stay, the absorbed record reads under the survivor, a merge
never crosses collectives or touches an erased record, and erasing either merged record
erases both identities (keys shredded; no stored event opens to either name)."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application.duplicates import suggest
from organize.application.reading import merged_views, worker_view
from organize.domain import Grievance, Worker
from organize.errors import CommandError
from organize.persistence.keys import Sealer
from tests.integration import support as h

pytestmark = pytest.mark.integration


def _pair(app, collective=None, *, phone="+977 9841 000001"):
    collective = collective or app.execute(h.create_collective()).id
    tag = h.cid().hex[:8]
    a = app.execute(h.register_worker(collective, pseudonym=f"Asha {tag}", phone=phone,
                                      legal_name=f"Asha Gurung {tag}")).id
    b = app.execute(h.register_worker(collective, pseudonym=f"asha  {tag}", phone=phone)).id
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=a, purpose="contact"))
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=b, purpose="research"))
    h.spell(app, b, "garment", h.date(2021, 1, 1))
    g = app.execute(h.raise_grievance(collective, [b], description=f"Unpaid {tag}")).id
    return collective, a, b, g, tag


def _state(app, *ids):
    return [(worker_view(app, app.get(Worker, i)),
             [type(e).__qualname__ for e in app.repository.event_store.get(i)]) for i in ids]


def _merge(app, a, b):
    return app.execute(c.MergeWorkers(command_id=h.cid(), survivor_id=a, absorbed_id=b))


def test_suggestions_find_the_pair_and_say_why_without_names(app):
    collective, a, b, _, tag = _pair(app)
    other = app.execute(h.register_worker(collective, pseudonym=f"Mina {tag}")).id
    found = suggest(app, collective, [a, b, other])
    assert [(set(s.worker_ids), s.reasons) for s in found] == [
        ({a, b}, ("same phone",))]
    assert tag not in repr(found)
    # Another collective's leader asking about her collective's workers gets nothing.
    elsewhere = app.execute(h.create_collective()).id
    assert suggest(app, elsewhere, [a, b, other]) == []


def test_merge_keeps_both_readable_and_undo_restores_exactly(app):
    collective, a, b, g, tag = _pair(app)
    grievance_before = app.get(Grievance, g)
    before = _state(app, a, b)
    _merge(app, a, b)
    survivor, absorbed = app.get(Worker, a), app.get(Worker, b)
    assert (survivor.absorbed, absorbed.merged_into) == ((b,), a)
    views = merged_views(app, survivor)
    assert [v.profile.pseudonym for v in views] == [f"Asha {tag}", f"asha  {tag}"]
    assert views[1].consents.keys() == {"research"} and len(views[1].spells) == 1
    assert _owners(app, b) == {a, b}  # linked: the survivor's erasure reaches this key
    with pytest.raises(CommandError):  # already one
        _merge(app, a, b)
    with pytest.raises(CommandError):  # the absorbed record takes no second merge
        _merge(app, b, a)

    app.execute(c.UndoWorkerMerge(command_id=h.cid(), survivor_id=a, absorbed_id=b))
    after = _state(app, a, b)
    for (view_before, events_before), (view_after, events_after) in zip(before, after, strict=True):
        # Every field the reader sees, but the version and time the two marks moved on.
        assert msgspec_dict(view_after, drop=("version", "modified_on")) == \
            msgspec_dict(view_before, drop=("version", "modified_on"))
        assert events_after[:len(events_before)] == events_before  # history stays
    assert [e[len(b_[1]):] for e, b_ in zip([x[1] for x in after], before, strict=True)] == [
        ["Worker.Absorbed", "Worker.MergeUndone"], ["Worker.MergedInto", "Worker.MergeUndone"]]
    assert app.get(Worker, a).absorbed == () and app.get(Worker, b).merged_into is None
    assert _owners(app, b) == {b}
    assert app.get(Grievance, g).worker_ids == grievance_before.worker_ids
    assert merged_views(app, app.get(Worker, a)) == (worker_view(app, app.get(Worker, a)),)


def _owners(app, subject_id) -> set:
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT owner_ids FROM organize_data_keys WHERE subject_id = %s", (subject_id,))
        return set(curs.fetchone()["owner_ids"])


def msgspec_dict(view, drop=()):
    import msgspec

    return {k: v for k, v in msgspec.structs.asdict(view).items() if k not in drop}


def test_never_across_collectives(app):
    _, a, _, _, _ = _pair(app)
    _, _, stranger, _, _ = _pair(app)
    with pytest.raises(CommandError) as e:
        _merge(app, a, stranger)
    assert e.value.code == "merge_other_collective"
    assert app.get(Worker, a).absorbed == () and app.get(Worker, stranger).merged_into is None


def test_never_with_an_erased_record(app):
    _, a, b, _, _ = _pair(app)
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=b))
    with pytest.raises(CommandError) as e:
        _merge(app, a, b)
    assert e.value.code == "erased"


@pytest.mark.parametrize("erase", ["survivor", "absorbed"])
def test_erasing_a_merged_record_erases_both_identities(app, erase):
    collective, a, b, g, tag = _pair(app)
    _merge(app, a, b)
    target = a if erase == "survivor" else b
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=target))
    assert app.get(Worker, a).erased and app.get(Worker, b).erased
    assert app.keys.get(a) is None and app.keys.get(b) is None
    assert app.keys.get(g) is None  # her grievance alone: its key had no other owner
    with pytest.raises(CommandError):  # an undo cannot bring either back
        app.execute(c.UndoWorkerMerge(command_id=h.cid(), survivor_id=a, absorbed_id=b))
    # Decrypt every stored event with the master key and open every sealed value with
    # every key left: neither identity's words come out.
    cipher = app.mapper.cipher
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT state FROM organize_events WHERE originator_id = ANY(%s)",
                     ([a, b, g],))
        events = [cipher.decrypt(bytes(r["state"])) for r in curs.fetchall()]
        curs.execute("SELECT subject_id FROM organize_data_keys")
        keys = app.keys.get_many([r["subject_id"] for r in curs.fetchall()])
    sealed = [v for plain in events for v in h.sealed_values(plain)]
    assert sealed, "the scan found no sealed value, so it proves nothing"
    for value in sealed:
        for subject, key in keys.items():
            assert Sealer.open_with(key, subject, value) is None
    assert merged_views(app, app.get(Worker, a))[0].profile.pseudonym != f"Asha {tag}"
