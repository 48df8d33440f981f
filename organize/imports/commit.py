"""The commit of an import's plan (``organize.imports.plan``).

``commit`` does what the plan says, row by row, through the ordinary commands: a new row
registers its workers (names and phones sealed under each one's key), her consents, her
work spells and the grievance, then records the ledger entry
(``RecordImportedSubmission``); an updated row becomes correction commands
(``UpdateWorkerProfile``, ``CorrectSpell``, ``CorrectGrievance``, consents given or
withdrawn) and ``ReviseImportedSubmission``. Command ids derive from the row's keyed
digest, so a run stopped half-way and started again finishes the row instead of doubling
it. Each row's commands run in one block of a ``Batch`` (``organize.application.batch``):
a row lands whole or not at all (one its last command refuses leaves nothing of itself and
is quarantined; the others land), and the good rows are written ``ROWS`` to a transaction.

Before each transaction's rows run, the command log is read for the ids they may use in
one query (``_expected``; ``Batch.expect_ids``), and a new row's ledger entry, which the
plan has just read and found missing, is not read again (``Batch.absent``) unless the log
shows its command since; the data keys of what new rows create (and of the workers whose
keys an update's fingerprint needs) are asked for in one query too (``_made``).

A meeting register's row schedules its meeting and records it held; the meeting's id
derives from the row's, and an edited row becomes ``CorrectAttendance`` / ``CorrectMeeting``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from uuid import UUID, uuid5

from organize import commands as c
from organize.application import Organize, new_id
from organize.application.access import Authorised
from organize.application.batch import Batch
from organize.domain import Grievance, ImportedSubmission, Meeting, Worker
from organize.errors import CommandError
from organize.imports.meetings import LEDGER_WORKERS, attendee_ids, pair
from organize.imports.plan import REASON, GrievanceIn, Plan, Report, Row, SpellIn, Why, fingerprint, ledger_of

# -- the commit ------------------------------------------------------------------------------

ROWS = 200  # rows written to a transaction


def batched(app, size: int) -> tuple[Batch, Organize]:
    """A batch over the application, and the batch seen as ``app`` was: through the same
    account's access rules when ``app`` is an account's view."""
    if isinstance(app, Authorised):
        batch = Batch(app._app, size=size)
        return batch, batch.authorised(app.principal)
    batch = Batch(app, size=size)
    return batch, batch


def commit(app, the_plan: Plan, progress: Callable[[int], None] | None = None,
           rows: int | None = None) -> Report:
    """Carry the plan out, ``rows`` rows to a transaction; each row lands whole or not at
    all: a row a command refuses leaves nothing of itself and is quarantined with the
    command's reason."""
    rows = rows or ROWS
    batch, view = batched(app, size=10**9)  # committed by rows, below, never mid-row
    written: list[int | None] = []
    for done, row in enumerate(the_plan.rows, start=1):
        if (done - 1) % rows == 0:  # the log read once for the transaction's rows
            _expect(batch, the_plan.rows[done - 1:done - 1 + rows])
        fresh: list[tuple[UUID, c.Profile]] = []  # attendees registered by this row
        try:
            with batch.whole():
                if row.outcome in ("new", "updated") and row.mapped.meeting is not None:
                    _meeting(view, the_plan.collective_id, row, the_plan.members, fresh)
                elif row.outcome == "new":
                    _create(view, the_plan.collective_id, row)
                elif row.outcome == "updated":
                    _update(view, the_plan.collective_id, row)
                elif row.outcome == "unchanged" and row.alias_id is not None:
                    _alias(view, row, row.ledger or ledger_of(view, row.submission_id))
        except CommandError as e:
            row.outcome, row.reason, row.why = "quarantined", e.message, Why(code=e.code)
        else:  # a later row's attendee is matched to one this row registered
            the_plan.members.extend(fresh)
        if done % rows == 0:
            written += batch.commit()
        if progress:
            progress(1)
    written += batch.commit()
    report = the_plan.report(committed=True)
    report.last_notification_id = max((n for n in written if n), default=None)
    return report


def _expect(batch: Batch, rows: Sequence[Row]) -> None:
    """Read the command log once for every id these rows' commands may carry; mark the new
    rows' ledger entries, which the plan found missing, as absent unless the log now shows
    the entry's command (another run of the same file got there since)."""
    batch.keys.get_many([*(r.ledger.worker_ids[0] for r in rows
                           if r.outcome == "updated" and r.ledger is not None),
                         *(i for r in rows if r.outcome == "new" for i in _made(r))])
    batch.expect_ids(i for r in rows for i in _expected(batch, r))
    batch.absent(r.submission_id for r in rows
                 if r.outcome == "new" and not batch.logged(_ids(r)("ledger")))


def _made(row: Row) -> Iterable[UUID]:
    """The ids of what a new row's commands create under data keys of their own (workers,
    attendees, the grievance): their keys are read in the transaction's one query."""
    m, first = row.mapped, _ids(row)
    yield new_id(first("worker"), "worker")
    yield new_id(first("grievance"), "grievance")
    yield from (new_id(first(f"coworker:{i}"), "worker") for i in range(len(m.coworkers)))
    yield from (new_id(first(f"attendee:{i}"), "worker")
                for i in range(len(m.meeting.attendees) if m.meeting else 0))


# -- the steps of a row's commands -------------------------------------------------------------
# Each command a row runs takes its id from the row's (``_ids``): ``uuid5(submission id,
# step)``, the step being a name, or ``name:key`` for one taken per consent, spell, coworker
# or attendee, and tagged with the new fingerprint on an edit. ``STEPS`` names every step
# once, with the row's parts it is taken over on a new row and on an edit (None: not then):
# ``_expected`` derives from it the ids to read the command log for, and ``_ids`` refuses a
# step it does not list, so the two cannot drift apart.

def _once(row: Row) -> Iterable[object]:
    return (None,)


def _consents(row: Row) -> Iterable[object]:
    return row.mapped.consents


def _purposes(row: Row) -> Iterable[object]:  # given or withdrawn on an edit
    return dict.fromkeys([*row.mapped.consent_purposes, *row.mapped.consents])


def _spells_of(row: Row) -> Iterable[object]:
    return range(len(row.mapped.spells))


def _coworkers(row: Row) -> Iterable[object]:
    return range(len(row.mapped.coworkers))


def _attendees(row: Row) -> Iterable[object]:
    return range(len(row.mapped.meeting.attendees) if row.mapped.meeting else 0)


def _ledger_spells(row: Row) -> Iterable[object]:
    return range(len(row.ledger.spell_ids) if row.ledger is not None else 0)


Over = Callable[[Row], Iterable[object]] | None
STEPS: dict[str, tuple[Over, Over]] = {  # step: (on a new row, on an edit)
    "worker": (_once, None), "ledger": (_once, None),
    "meeting": (_once, None), "held": (_once, None),
    "grievance": (_once, _once),
    "consent": (_consents, _purposes), "spell": (_spells_of, _spells_of),
    "coworker": (_coworkers, _coworkers), "attendee": (_attendees, _attendees),
    "profile": (None, _once), "join": (None, _once), "correct-grievance": (None, _once),
    "revise": (None, _once), "attendance": (None, _once), "correct-meeting": (None, _once),
    "withdraw": (None, _purposes), "correct-spell": (None, _spells_of),
    "withdraw-spell": (None, _ledger_spells),
}


def _steps(row: Row, edit: bool) -> Iterable[str]:
    for name, over in STEPS.items():
        keys = over[edit]
        if keys is not None:
            yield from (name if k is None else f"{name}:{k}" for k in keys(row))


def _expected(app, row: Row) -> Iterable[UUID]:
    """The command ids ``_create``, ``_update``, ``_meeting`` and ``_alias`` may give this
    row's commands (a few more than they will: an id never used costs nothing)."""
    if row.outcome not in ("new", "updated", "unchanged"):
        return
    if row.alias_id is not None:
        yield uuid5(row.alias_id, "alias")
    if row.outcome == "unchanged":
        return
    yield from map(_ids(row), _steps(row, edit=False))
    if row.outcome != "updated" or row.ledger is None:
        return
    tag = ":" + fingerprint(app, row.mapped, row.ledger.worker_ids[0]).hex()[:24]
    yield from map(_ids(row, tag), _steps(row, edit=True))


def _ids(row: Row, tag: str = "") -> Callable[[str], UUID]:
    def command_id(step: str) -> UUID:
        if step.partition(":")[0] not in STEPS:  # read for by ``_expected``: listed there
            raise KeyError(f"an import step not in STEPS: {step.partition(':')[0]}")
        return uuid5(row.submission_id, f"{step}{tag}")
    return command_id


def _create(app, collective_id: UUID, row: Row) -> None:
    # A row already created (the same submission earlier in this file) is an update now.
    ledger = ledger_of(app, row.submission_id)
    if ledger is not None:
        row.ledger = ledger
        if fingerprint(app, row.mapped, ledger.worker_ids[0]) != ledger.fingerprint:
            _update(app, collective_id, row)
        return
    m, cid = row.mapped, _ids(row)
    worker_id = app.execute(c.RegisterWorker(command_id=cid("worker"), profile=m.worker,
                                             collective_id=collective_id,
                                             joined_on=m.joined_on)).id
    for purpose in m.consents:
        app.execute(c.GiveConsent(command_id=cid(f"consent:{purpose}"), worker_id=worker_id,
                                  purpose=purpose))
    spell_ids = [_start_spell(app, cid(f"spell:{i}"), worker_id, s) for i, s in enumerate(m.spells)]
    workers = [worker_id, *(
        app.execute(c.RegisterWorker(command_id=cid(f"coworker:{i}"), profile=p,
                                     collective_id=collective_id, joined_on=m.joined_on)).id
        for i, p in enumerate(m.coworkers))]
    grievance_id = None
    if m.grievance is not None:
        grievance_id = _raise(app, cid("grievance"), collective_id, workers, m.grievance)
    app.execute(c.RecordImportedSubmission(
        command_id=cid("ledger"), submission_id=row.submission_id, collective_id=collective_id,
        fingerprint=fingerprint(app, m, worker_id), worker_ids=tuple(workers),
        grievance_id=grievance_id, spell_ids=tuple(spell_ids), version=row.version))


def _start_spell(app, command_id: UUID, worker_id: UUID, s: SpellIn) -> UUID:
    app.execute(c.StartSpell(command_id=command_id, worker_id=worker_id, sector=s.sector,
                             occupation=s.occupation, place=s.place, relationship=s.relationship,
                             paid=s.paid, started_on=s.started_on))
    return new_id(command_id, "spell")


def _raise(app, command_id: UUID, collective_id: UUID, workers: list[UUID], g: GrievanceIn) -> UUID:
    return app.execute(c.RaiseGrievance(
        command_id=command_id, collective_id=collective_id, worker_ids=tuple(workers),
        category=g.category, sector=g.sector, place=g.place, stage=g.stage,
        occurred_on=g.occurred_on, description=g.description)).id


def _update(app, collective_id: UUID, row: Row) -> None:
    # Read again: an earlier row of this file may have revised it since the plan.
    ledger, m = ledger_of(app, row.submission_id) or row.ledger, row.mapped
    worker_id = ledger.worker_ids[0]
    new_print = fingerprint(app, m, worker_id)
    cid = _ids(row, ":" + new_print.hex()[:24])
    worker = app.load(Worker, worker_id, field="worker_ids")
    _profile(app, cid("profile"), worker, m.worker)
    for purpose in sorted(set(m.consents) - set(worker.consents)):
        app.execute(c.GiveConsent(command_id=cid(f"consent:{purpose}"), worker_id=worker_id,
                                  purpose=purpose))
    for purpose in sorted((set(worker.consents) & set(m.consent_purposes)) - set(m.consents)):
        app.execute(c.WithdrawConsent(command_id=cid(f"withdraw:{purpose}"), worker_id=worker_id,
                                      purpose=purpose))
    spell_ids = _spells(app, cid, worker, ledger.spell_ids, m.spells)
    workers = [worker_id]
    before = [(w.id, app.open(w.id, w.profile, c.Profile)) for w in
              (app.load(Worker, wid, field="worker_ids") for wid in ledger.worker_ids[1:])]
    for i, (p, other) in enumerate(zip(m.coworkers, pair(m.coworkers, before), strict=True)):
        if other is not None:  # the same person, by phone or pseudonym, else by place
            _profile(app, cid(f"coworker:{i}"), app.load(Worker, other, field="worker_ids"), p)
            workers.append(other)
        else:
            workers.append(app.execute(c.RegisterWorker(
                command_id=cid(f"coworker:{i}"), profile=p, collective_id=collective_id,
                joined_on=m.joined_on)).id)
    grievance_id = ledger.grievance_id
    if m.grievance is not None and grievance_id is None:
        grievance_id = _raise(app, cid("grievance"), collective_id, workers, m.grievance)
    elif m.grievance is not None:
        _grievance(app, cid, grievance_id, workers, m.grievance)
    app.execute(c.ReviseImportedSubmission(
        command_id=cid("revise"), submission_id=ledger.id, fingerprint=new_print,
        worker_ids=tuple(dict.fromkeys([*workers, *ledger.worker_ids])),
        spell_ids=tuple(spell_ids), version=row.version))
    if row.alias_id is not None:
        _alias(app, row, app.load(ImportedSubmission, ledger.id, field="submission_id"))


def _alias(app, row: Row, ledger: ImportedSubmission) -> None:
    app.execute(c.RecordImportedSubmission(
        command_id=uuid5(row.alias_id, "alias"), submission_id=row.alias_id,
        collective_id=ledger.collective_id, fingerprint=ledger.fingerprint, alias_of=ledger.id))


def _profile(app, command_id: UUID, worker: Worker, profile: c.Profile) -> None:
    if app.open(worker.id, worker.profile, c.Profile) != profile:
        app.execute(c.UpdateWorkerProfile(command_id=command_id, worker_id=worker.id,
                                          profile=profile))


def _spells(app, cid, worker: Worker, before: Sequence[UUID], spells: Sequence[SpellIn]) -> list[UUID]:
    kept: list[UUID] = []
    for i, s in enumerate(spells):
        current = worker.spells.get(before[i]) if i < len(before) else None
        if current is None:
            kept.append(_start_spell(app, cid(f"spell:{i}"), worker.id, s))
            continue
        kept.append(current.spell_id)
        occupation = (app.sealer.open(worker.id, current.sealed_occupation) or b"").decode() \
            if current.sealed_occupation else current.occupation
        changed = (current.sector, current.place, current.started_on) != (s.sector, s.place, s.started_on)
        if changed or occupation != s.occupation:
            app.execute(c.CorrectSpell(
                command_id=cid(f"correct-spell:{i}"), worker_id=worker.id,
                spell_id=current.spell_id, sector=s.sector,
                occupation=None if occupation == s.occupation else s.occupation,
                place=s.place, started_on=s.started_on, ended_on=current.ended_on, reason=REASON))
    for i, spell_id in enumerate(before[len(spells):], start=len(spells)):
        if spell_id in worker.spells:
            app.execute(c.WithdrawSpell(command_id=cid(f"withdraw-spell:{i}"),
                                        worker_id=worker.id, spell_id=spell_id, reason=REASON))
    return kept


def _grievance(app, cid, grievance_id: UUID, workers: list[UUID], g: GrievanceIn) -> None:
    agg = app.load(Grievance, grievance_id, field="grievance_id")
    missing = tuple(w for w in workers if w not in agg.worker_ids)
    if missing:
        app.execute(c.JoinGrievance(command_id=cid("join"), grievance_id=grievance_id,
                                    worker_ids=missing))
    text = app.sealer.open(grievance_id, agg.description)
    described = None if text is not None and text.decode() == g.description else g.description
    if (agg.category, agg.sector, agg.place, agg.stage, agg.occurred_on) != (
            g.category, g.sector, g.place, g.stage, g.occurred_on) or described is not None:
        app.execute(c.CorrectGrievance(
            command_id=cid("correct-grievance"), grievance_id=grievance_id, category=g.category,
            sector=g.sector, place=g.place, stage=g.stage, occurred_on=g.occurred_on,
            description=described, reason=REASON))


# -- a meeting register ----------------------------------------------------------------------

def _meeting(app, collective_id: UUID, row: Row, members: Sequence[tuple[UUID, c.Profile]],
             fresh: list[tuple[UUID, c.Profile]]) -> None:
    """A new row schedules the meeting and records it held; an edited one corrects who came
    (``CorrectAttendance``) and its kind or time (``CorrectMeeting``). The meeting's id
    derives from the row's, so a second import finds it."""
    held, first = row.mapped.meeting, _ids(row)
    ledger = ledger_of(app, row.submission_id)
    if ledger is None:
        ids = attendee_ids(app, first, collective_id, held, members, fresh)
        meeting_id = app.execute(c.ScheduleMeeting(
            command_id=first("meeting"), kind=held.kind, collective_ids=(collective_id,),
            scheduled_for=held.held_at, language=held.language)).id
        app.execute(c.RecordMeetingHeld(
            command_id=first("held"), meeting_id=meeting_id, held_at=held.held_at,
            attendee_ids=ids, facilitator_ids=ids[:1], language=held.language))
        app.execute(c.RecordImportedSubmission(
            command_id=first("ledger"), submission_id=row.submission_id,
            collective_id=collective_id, fingerprint=fingerprint(app, row.mapped, ids[0]),
            worker_ids=ids[:LEDGER_WORKERS], version=row.version))
        return
    new_print = fingerprint(app, row.mapped, ledger.worker_ids[0])
    if new_print == ledger.fingerprint:
        return
    cid = _ids(row, ":" + new_print.hex()[:24])
    agg = app.load(Meeting, new_id(first("meeting"), "meeting"), field="meeting_id")
    came = dict.fromkeys([*ledger.worker_ids, *agg.attendee_ids])  # the ledger names 50 at most
    before = [(w.id, app.open(w.id, w.profile, c.Profile)) for w in
              (app.load(Worker, wid, field="worker_ids") for wid in came)]
    ids = attendee_ids(app, cid, collective_id, held,
                        [(wid, p) for wid, p in before if p is not None] + list(members), fresh)
    if tuple(ids) != tuple(agg.attendee_ids):
        leads = tuple(f for f in agg.facilitator_ids if f in ids) or ids[:1]
        app.execute(c.CorrectAttendance(
            command_id=cid("attendance"), meeting_id=agg.id, attendee_ids=ids,
            facilitator_ids=leads, speaker_ids=tuple(s for s in agg.speaker_ids if s in ids),
            reason=REASON))
    if (agg.kind, agg.held_at) != (held.kind, held.held_at):
        app.execute(c.CorrectMeeting(
            command_id=cid("correct-meeting"), meeting_id=agg.id, kind=held.kind,
            scheduled_for=agg.scheduled_for, held_at=held.held_at, reason=REASON))
    app.execute(c.ReviseImportedSubmission(
        command_id=cid("revise"), submission_id=ledger.id, fingerprint=new_print,
        worker_ids=tuple(dict.fromkeys([ledger.worker_ids[0], *ids, *ledger.worker_ids]))[
            :LEDGER_WORKERS],
        version=row.version))
    if row.alias_id is not None:
        _alias(app, row, app.load(ImportedSubmission, ledger.id, field="submission_id"))
