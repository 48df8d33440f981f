"""The dry run of an import: its plan, row by row.

``plan`` maps every submission (``organize.imports.mapping``) and sorts it: **new** (no row
with its source id was imported), **updated** (imported before, its values changed, or an
edit naming it in ``deprecatedID`` / ``rootUuid``), **unchanged**, or **quarantined** (with
its line and the reason: an unknown choice, a missing answer, a bad date). A new row whose
worker, or a co-worker it names, looks like one recorded or an earlier row's is also a
**duplicate suspect**, with the reason (never the name). Nothing is written.

``organize.imports.commit`` carries the plan out through the ordinary commands, each row
whole or not at all; a meeting register's row (a ``[meeting]`` mapping, read and its
attendees matched in ``organize.imports.meetings``) schedules its meeting and records it held.

The source id is kept only as a keyed digest (``KeyStore.import_key``); the row's
fingerprint keys its personal values under the first worker's own data key, so erasing
her leaves no digest anyone could test a guessed name against.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid5

import msgspec

from organize import commands as c
from organize.domain import ImportedSubmission, Worker
from organize.errors import CommandError
from organize.imports.form import Form
from organize.imports.mapping import (
    EMPTY,
    FAR,
    LIKE_KNOWN,
    LIKE_LINE,
    NO_ID,
    NOT_A_DATE,
    NOT_GPS,
    NOT_VALID,
    PERSONAL,
    PURPOSE,
    UNKNOWN_CHOICE,
    UNKNOWN_VALUE,
    UNMAPPED,
    VOCABULARY,
    Mapping,
    Quarantine,
    as_date,
    km,
)
from organize.imports.meetings import MeetingIn, read_meeting, same
from organize.imports.sources import Submission

NAMESPACE = UUID("6f726761-6e69-7a65-8000-00000000a001")
REASON = "came_to_light"  # why an edited submission corrects what was imported
OUTCOMES = ("new", "updated", "unchanged", "quarantined")


class SpellIn(msgspec.Struct, frozen=True):
    sector: str
    occupation: str
    place: str
    started_on: date
    relationship: str
    paid: bool


class GrievanceIn(msgspec.Struct, frozen=True):
    category: str
    sector: str
    place: str
    stage: str
    occurred_on: date
    description: str


class Mapped(msgspec.Struct, frozen=True):
    worker: c.Profile | None  # None for a meeting register
    joined_on: date
    consents: tuple[str, ...]
    consent_purposes: tuple[str, ...]  # the purposes the consent question can tick
    spells: tuple[SpellIn, ...]
    coworkers: tuple[c.Profile, ...]
    grievance: GrievanceIn | None
    meeting: MeetingIn | None = None

    def personal(self) -> bytes:
        return msgspec.json.encode([self.worker, self.coworkers, [s.occupation for s in self.spells],
                                    self.grievance.description if self.grievance else None,
                                    *([self.meeting.attendees] if self.meeting else [])])

    def clear(self) -> bytes:
        held = [[self.meeting.kind, self.meeting.held_at, self.meeting.language]] \
            if self.meeting else []
        return msgspec.json.encode([*held, self.joined_on, self.consents,
                                    [msgspec.structs.replace(s, occupation="") for s in self.spells],
                                    msgspec.structs.replace(self.grievance, description="")
                                    if self.grievance else None])


class Why(msgspec.Struct, frozen=True):
    """A reason as its English template and parameters (the page translates it), or as the
    code of an application error (``web.i18n.error_message``)."""

    template: str | None = None
    params: dict[str, str] = {}
    code: str | None = None


class RowResult(msgspec.Struct, kw_only=True):
    line: int
    outcome: str
    reason: str | None = None
    suspect: str | None = None  # why a new row may be a worker already recorded
    why: Why | None = None  # ``reason``, to translate
    why_suspect: Why | None = None  # ``suspect``, to translate


class Report(msgspec.Struct, kw_only=True):
    committed: bool
    rows: list[RowResult]
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    # The last event a commit wrote (None for a dry run, or when nothing was written): a page
    # after it waits for the views to hold it.
    last_notification_id: int | None = None

    def count(self) -> Report:
        self.counts = {o: sum(r.outcome == o for r in self.rows) for o in OUTCOMES}
        self.counts["duplicate_suspect"] = sum(r.suspect is not None for r in self.rows)
        return self


# -- mapping one submission ------------------------------------------------------------------

@dataclass
class _Reader:
    form: Form | None
    mapping: Mapping
    taxonomy: object

    def is_question(self, spec: object, values: dict[str, str]) -> bool:
        if not isinstance(spec, str):
            return False
        return (self.form.question(spec) is not None) if self.form is not None else spec in values

    def raw(self, spec, values: dict[str, str]) -> str | None:
        if spec is None:
            return None
        if self.is_question(spec, values):
            return values.get(spec, "").strip() or None
        return str(spec)

    def choice(self, spec, values: dict[str, str], field_: str) -> str | None:
        """A code for ``field_`` (sector, category...): a choice translated by the mapping,
        or a constant; an unknown choice quarantines the row."""
        value = self.raw(spec, values)
        if value is None:
            return None
        if self.is_question(spec, values):
            q = self.form.question(spec) if self.form is not None else None
            table = self.mapping.choices.get(q.list_name if q else spec) \
                or self.mapping.choices.get(spec)
            if table is not None:
                if value not in table:
                    raise self.unknown(value, spec)
                value = table[value]
            elif q is None and field_ not in VOCABULARY:  # a sheet's free text, never a place
                raise self.unknown(value, spec)
        vocabulary = VOCABULARY.get(field_)
        if vocabulary is not None and not self.taxonomy.has(vocabulary, value):
            raise self.unknown(value, spec)
        return value

    def unknown(self, value: str, spec: str) -> Quarantine:
        """An unknown choice: named when it is one of the form's choice names (a code), never
        when it is whatever a plain sheet's cell held."""
        q = self.form.question(spec) if self.form is not None else None
        # A select question's cell may hold anything (a file whose columns slipped puts a
        # name there): named only when it is one of the form's choice names.
        if q is not None and q.select and value in self.form.choices.get(q.list_name or "", {}):
            return Quarantine(UNKNOWN_CHOICE, value=value, question=spec)
        return Quarantine(UNKNOWN_VALUE, question=spec)

    def required(self, value, spec, what: str):
        if value is None:
            raise Quarantine(EMPTY, question=spec) if spec else Quarantine(UNMAPPED, field=what)
        return value

    def day(self, spec, values: dict[str, str], what: str) -> date:
        text = self.required(self.raw(spec, values), spec, what)
        try:
            return as_date(text)
        except ValueError:
            raise Quarantine(NOT_A_DATE, question=spec) from None

    def place(self, spec, values: dict[str, str]) -> str:
        q = self.form.question(spec) if self.form is not None and isinstance(spec, str) else None
        if q is not None and q.type == "geopoint":
            return self.nearest(self.required(self.raw(spec, values), spec, "place"), spec)
        return self.required(self.choice(spec, values, "place"), spec, "place")

    def nearest(self, point: str, spec: str) -> str:
        """A GPS point as the nearest place code of the mapping; never kept raw."""
        try:
            lat, lon = (float(x) for x in point.split()[:2])
        except ValueError:
            raise Quarantine(NOT_GPS, question=spec) from None
        best = min(((km(lat, lon, *at), code) for code, at in self.mapping.places.items()),
                   default=None)
        if best is None or best[0] > self.mapping.radius_km:
            raise Quarantine(FAR, question=spec)
        return best[1]

    def profile(self, section: dict, values: dict[str, str], what: str) -> c.Profile:
        fields = {k: self.raw(section.get(k), values) for k in PERSONAL if section.get(k)}
        fields = {k: v for k, v in fields.items() if v is not None}
        if "pseudonym" not in fields:
            raise Quarantine(EMPTY, question=section["pseudonym"])
        try:
            return msgspec.convert(fields, c.Profile)
        except msgspec.ValidationError as e:
            where = str(e).rsplit("$.", 1)[-1].rstrip("`")
            raise Quarantine(NOT_VALID, question=section.get(where, where)) from None

    def paid(self, spec, values: dict[str, str]) -> bool:
        if isinstance(spec, bool):
            return spec
        answer = (self.raw(spec, values) or "").lower()
        return answer in ("yes", "true", "1", "paid", "y")


def map_submission(reader: _Reader, sub: Submission) -> Mapped:
    m, v = reader.mapping, sub.values
    if m.section("meeting"):  # a meeting register's row
        held = read_meeting(reader, v, sub.repeats)
        return Mapped(worker=None, joined_on=held.held_at.date(), consents=(),
                      consent_purposes=(), spells=(), coworkers=(), grievance=None, meeting=held)
    worker = reader.profile(m.section("worker"), v, "the worker")
    joined = m.section("worker").get("joined_on")
    joined_on = reader.day(joined, v, "joining date") if joined else date.today()
    consent = m.section("consent")
    consents: list[str] = []
    table = {str(k): str(p) for k, p in (consent.get("choices") or {}).items()}
    if consent.get("question"):
        for value in (reader.raw(consent["question"], v) or "").split():
            if value not in table:
                raise reader.unknown(value, consent["question"])
            consents.append(table[value])
    for purpose in consents:
        try:
            msgspec.convert(purpose, c.Purpose)
        except msgspec.ValidationError:
            raise Quarantine(PURPOSE, value=purpose) from None
    spells_map = m.section("spells")
    spells = []
    for item in sub.repeats.get(spells_map.get("repeat", ""), []) if spells_map else []:
        sector = reader.required(reader.choice(spells_map.get("sector"), item, "sector"),
                                 spells_map.get("sector"), "sector")
        spells.append(SpellIn(
            sector=sector,
            occupation=(reader.raw(spells_map.get("occupation"), item)
                        or reader.taxonomy.label("sectors", sector))[:120],
            place=reader.place(spells_map.get("place"), item),
            started_on=reader.day(spells_map.get("started_on"), item, "start date"),
            relationship=reader.required(
                reader.choice(spells_map.get("relationship"), item, "relationship"),
                spells_map.get("relationship"), "relationship"),
            paid=reader.paid(spells_map.get("paid", True), item)))
    co_map = m.section("coworkers")
    coworkers = tuple(reader.profile(co_map, item, f"co-worker {i}")
                      for i, item in enumerate(sub.repeats.get(co_map.get("repeat", ""), []), 1)
                      if any(item.values())) if co_map else ()
    coworkers = tuple(p for p in coworkers if not same(p, worker))  # she listed herself too
    g = m.section("grievance")
    grievance = None
    if g:
        sector = reader.choice(g.get("sector"), v, "sector") or (spells[0].sector if spells else None)
        grievance = GrievanceIn(
            category=reader.required(reader.choice(g.get("category"), v, "category"),
                                     g.get("category"), "category"),
            sector=reader.required(sector, g.get("sector"), "sector"),
            place=reader.place(g.get("place"), v),
            stage=reader.required(reader.choice(g.get("stage", "destination"), v, "stage"),
                                  g.get("stage"), "stage"),
            occurred_on=reader.day(g.get("occurred_on"), v, "date"),
            description=reader.required(reader.raw(g.get("description"), v),
                                        g.get("description"), "description")[:2000])
    return Mapped(worker=worker, joined_on=joined_on, consents=tuple(sorted(set(consents))),
                  consent_purposes=tuple(sorted(set(table.values()))), spells=tuple(spells),
                  coworkers=coworkers, grievance=grievance)


# -- the plan --------------------------------------------------------------------------------

@dataclass
class Row:
    line: int
    outcome: str
    reason: str | None = None
    why: Why | None = None
    why_suspect: Why | None = None
    mapped: Mapped | None = None
    submission_id: UUID | None = None
    ledger: ImportedSubmission | None = None  # what it became, for an update
    alias_id: UUID | None = None  # a new instance id of an edited submission
    version: bytes | None = None  # a keyed digest of the row's instance id
    suspect: str | None = None


@dataclass
class Plan:
    collective_id: UUID
    rows: list[Row] = field(default_factory=list)
    members: list[tuple[UUID, c.Profile]] = field(default_factory=list)  # for attendees

    def report(self, committed: bool) -> Report:
        return Report(committed=committed, rows=[
            RowResult(line=r.line, outcome=r.outcome, reason=r.reason, suspect=r.suspect,
                      why=r.why, why_suspect=r.why_suspect)
            for r in self.rows]).count()


def _digest(app, collective_id: UUID, form_id: str, source_id: str) -> UUID:
    """The submission's ledger id: per collective, so one file imported into two
    collectives never reaches across them."""
    mac = hmac.new(app.keys.import_key(), f"{collective_id}\x00{form_id}\x00{source_id}".encode(),
                   hashlib.sha256)
    return uuid5(NAMESPACE, mac.hexdigest())


def _version(app, collective_id: UUID, form_id: str, instance_id: str | None) -> bytes | None:
    if not instance_id:
        return None
    return hmac.new(app.keys.import_key(),
                    f"version\x00{collective_id}\x00{form_id}\x00{instance_id}".encode(),
                    hashlib.sha256).digest()


def fingerprint(app, mapped: Mapped, worker_id: UUID) -> bytes:
    key = app.keys.get(worker_id) or b""
    personal = hmac.new(key, mapped.personal(), hashlib.sha256).digest() if key else b""
    return hmac.new(app.keys.import_key(), mapped.clear() + personal, hashlib.sha256).digest()


def ledger_for(app, collective_id: UUID, form_id: str, source_id: str) -> ImportedSubmission | None:
    """What the submission with this source id became in this collective, if imported."""
    return ledger_of(app, _digest(app, collective_id, form_id, source_id))


def ledger_of(app, submission_id: UUID) -> ImportedSubmission | None:
    """The ledger entry with this id, an alias followed to what it names; None if none."""
    try:
        found = app.load(ImportedSubmission, submission_id, field="submission_id")
    except CommandError:
        return None
    if found.alias_of is not None:
        return ledger_of(app, found.alias_of)
    return found


def known_workers(app, worker_ids: Iterable[UUID], *, collective_id: UUID) -> Known:
    """The living, unmerged workers among ``worker_ids`` (a collective's, from the worker
    directory) who are members of ``collective_id`` now, opened for the duplicate check;
    each loaded as ``app`` may see it. A worker who left is never compared: her profile now
    is what another collective recorded since."""
    members = []
    for worker_id in worker_ids:
        agg = app.load(Worker, worker_id, field="worker_id")
        if not agg.erased and agg.merged_into is None and collective_id in agg.collectives:
            opened = app.open(agg.id, agg.profile, c.Profile)
            if opened is not None:
                members.append((agg.id, opened))
    return Known([p for _, p in members], members)


class Known:
    """Workers already recorded in the collective, opened in memory for the duplicate check
    (``organize.application.duplicates`` compares them)."""

    def __init__(self, profiles: Iterable[c.Profile] = (),
                 members: Iterable[tuple[UUID, c.Profile]] = ()):
        from organize.application.duplicates import Index

        self.members = list(members)  # (worker id, profile): what attendees are matched to
        self.index = Index()
        for p in profiles:
            self.index.add(None, p)

    def like(self, profile: c.Profile) -> str | None:
        found = self.index.like(profile)
        return None if found is None else found[0]


def plan(app, form: Form | None, mapping: Mapping, submissions: Sequence[Submission],
         collective_id: UUID, known: Known | None = None,
         progress: Callable[[int], None] | None = None) -> Plan:
    """Sort every submission; write nothing."""
    reader = _Reader(form, mapping, app.taxonomy)
    known = known or Known()
    result = Plan(collective_id, members=known.members)
    seen: dict[UUID, bytes] = {}
    from organize.application.duplicates import Index

    earlier = Index()
    for sub in submissions:
        result.rows.append(_plan_row(app, reader, mapping, collective_id, sub, seen, known,
                                       earlier))
        if progress:
            progress(1)
    return result


def _plan_row(app, reader, mapping, collective_id, sub, seen, known, earlier) -> Row:
    source = ((sub.values.get(mapping.id_column) or sub.instance_id) if mapping.id_column
              else (sub.root_id or sub.instance_id))
    if not source:
        return Row(sub.line, "quarantined", NO_ID, why=Why(NO_ID))
    try:
        mapped = map_submission(reader, sub)
    except Quarantine as e:
        return Row(sub.line, "quarantined", str(e), why=Why(e.template, e.params))
    submission_id = _digest(app, collective_id, mapping.form_id, source)
    row = Row(sub.line, "new", mapped=mapped, submission_id=submission_id,
              version=_version(app, collective_id, mapping.form_id, sub.instance_id))
    ledger = ledger_of(app, submission_id)
    if ledger is None and sub.deprecated_id and not sub.root_id:
        ledger = ledger_of(app, _digest(app, collective_id, mapping.form_id, sub.deprecated_id))
        if ledger is not None:
            row.alias_id, row.submission_id = submission_id, ledger.id
    canonical = mapped.clear() + mapped.personal()
    if row.submission_id in seen:  # the same submission twice in one file
        row.outcome = "unchanged" if seen[row.submission_id] == canonical else "updated"
        row.ledger = ledger
    elif ledger is not None:
        row.ledger = ledger
        older = row.version is not None and row.version.hex() in ledger.versions[:-1]
        same = older or fingerprint(app, mapped, ledger.worker_ids[0]) == ledger.fingerprint
        row.outcome = "unchanged" if same else "updated"  # an older version never undoes an edit
    elif mapped.worker is not None:  # she, or someone she names, may be recorded already
        for person in (mapped.worker, *mapped.coworkers):
            already = known.like(person)
            here = None if already else earlier.like(person)
            row.why_suspect = Why(LIKE_KNOWN[already]) if already else Why(
                LIKE_LINE[here[0]], {"line": str(here[1])}) if here else None
            if row.why_suspect is not None:
                row.suspect = row.why_suspect.template % row.why_suspect.params
                break
        for person in (mapped.worker, *mapped.coworkers):
            earlier.add(sub.line, person)
    seen[row.submission_id] = canonical
    return row
