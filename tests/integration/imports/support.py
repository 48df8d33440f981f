"""Submissions of the "Worker intake" XLSForm (``data/worker_intake.xlsx``: repeat groups
``jobs`` and ``coworkers``, a select_multiple consent, labels in English, Nepali, Bengali
and Arabic), written out as KoboToolbox and ODK Central export them: Kobo CSV, Kobo XLSX
(repeats on their own sheets, ``_parent_index``), Kobo JSON (the API's ``results``), and
ODK Central CSV with one file per repeat group (``PARENT_KEY``).

Each test gets its own names and phones (a tag), so a raw-bytes scan can look for them.

What every sample form's submissions share (the household survey's and the meeting
register's too) comes first: ``Batch``, ``Edited``, ``new_instance``, ``import_files`` and
``ledger``.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from openpyxl import Workbook

DATA = Path(__file__).resolve().parent / "data"
FORM = DATA / "worker_intake.xlsx"
MAPPING = DATA / "worker_intake.toml"
VERSION = "2024061501"


# -- what every sample form's submissions share -------------------------------------------

def new_instance() -> str:
    """A new submission's instance id, as ODK Collect and Enketo write it."""
    return f"uuid:{uuid.uuid4()}"


class Edited:
    """A submission that an edit on the server may replace: ``root`` names the first version
    (``meta/rootUuid``), ``deprecated`` the one it replaces; ``root_id`` is its id through
    edits."""

    instance: str
    root: str | None

    @property
    def root_id(self) -> str:
        return self.root or self.instance


S = TypeVar("S")


@dataclass
class Batch(Generic[S]):
    """One test's submissions and the tag in all their names and phones: ``names`` and
    ``phones`` are every person's (each submission's own, then the people it lists,
    ``listed()``), for a raw-bytes scan."""

    tag: str
    subs: list[S] = field(default_factory=list)

    def names(self) -> list[str]:
        return [s.name for s in self.subs] + [n for s in self.subs for n, _ in s.listed()]

    def phones(self) -> list[str]:
        return [p for p in [s.phone for s in self.subs]
                + [p for s in self.subs for _, p in s.listed()] if p]


def import_files(app, collective_id, files: tuple[Any, list], form: tuple[str, bytes],
                 mapping: tuple[str, bytes | str], *, dry_run: bool, known=None):
    """Import one export (its main file and the repeats' files) with a form and its mapping."""
    from organize.imports import service

    data, extra = files
    prepared = service.prepare(app, data=data, extra=extra, form=form, mapping=mapping)
    return service.run(app, prepared, collective_id, dry_run=dry_run, known=known)


def ledger(app, collective_id, form_id: str, sub: Edited):
    """The ledger entry of one submission (None when it never landed)."""
    from organize.imports.plan import ledger_for

    return ledger_for(app, collective_id, form_id, sub.root_id)


# -- the worker intake form ---------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    sector: str
    job_title: str
    job_place: str
    job_start: str
    relationship: str


@dataclass(frozen=True)
class Sub(Edited):
    instance: str
    name: str
    phone: str
    location: str  # "lat lon alt accuracy"
    consent: str
    problem: str
    story: str
    problem_on: str
    jobs: tuple[Job, ...] = ()
    coworkers: tuple[tuple[str, str], ...] = ()
    root: str | None = None
    deprecated: str | None = None
    device: str = "collect:Xy12AbCdEf"
    submitted_by: str = "field_officer_7"

    def listed(self) -> tuple[tuple[str, str], ...]:
        return self.coworkers


def batch(unknown_choice: bool = True) -> Batch[Sub]:
    """Four submissions; the third picks a sector the mapping does not know."""
    tag = uuid.uuid4().hex[:8]
    n = int(tag, 16) % 10**6
    subs = [
        Sub(new_instance(), f"Asha Gurung {tag}", f"+977 984{n:06d}1", "27.7000 85.3300 1300 5",
            "contact research", "unpaid", f"Seven months unpaid at the Lee house {tag}",
            "2024-05-20",
            jobs=(Job("domestic", f"Cook for the Lee family {tag}", "hk", "2022-03-01", "agency"),),
            coworkers=((f"Mina Rai {tag}", f"+852 61{n:06d}"),)),
        Sub(new_instance(), f"Rekha Tamang {tag}", f"+977 985{n:06d}2", "22.3000 114.1700 10 8",
            "contact", "passport", f"Passport kept by the agent {tag}", "2024-04-02",
            jobs=(Job("garment", f"Machinist {tag}", "ktm", "2019-01-10", "direct"),
                  Job("construction", f"Helper {tag}", "hk", "2021-07-01", "agency"))),
        Sub(new_instance(), f"Sabina Khatun {tag}", f"+880 171{n:06d}3", "22.3100 114.1800 10 8",
            "research", "hours", f"Eighteen hours a day {tag}", "2024-03-15",
            jobs=(Job("fishing_boat" if unknown_choice else "garment", f"Sorter {tag}", "hk",
                      "2023-02-01", "direct"),)),
        Sub(new_instance(), f"Fatema Begum {tag}", f"+880 181{n:06d}4", "22.2900 114.1600 10 8",
            "", "hours", f"No day off since March {tag}", "2024-06-01",
            jobs=(Job("domestic", f"Carer {tag}", "hk", "2020-09-01", "direct"),)),
    ]
    return Batch(tag, subs)


def edited(b: Batch[Sub], *, with_root: bool = True) -> Batch[Sub]:
    """The first submission edited on the server: a new instance id naming the old one, a new
    phone, a corrected job place and a longer story."""
    first = b.subs[0]
    job = replace(first.jobs[0], job_place="ktm")
    new = replace(first, instance=new_instance(), root=first.root_id if with_root else None,
                  deprecated=first.instance, phone=first.phone[:-1] + "9", jobs=(job,),
                  story=first.story + " and the agent took a fee")
    return Batch(b.tag, [new, *b.subs[1:]])


# -- Kobo ------------------------------------------------------------------------------------

_KOBO_MAIN = ["start", "end", "deviceid", "name", "phone", "location", "_location_latitude",
              "_location_longitude", "_location_altitude", "_location_precision", "consent",
              "consent/contact", "consent/research", "problem", "story", "problem_on",
              "__version__", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID", "_id",
              "_uuid", "_submission_time", "_submitted_by", "_status", "_index"]


def _kobo_row(s: Sub, index: int) -> list:
    lat, lon, alt, acc = s.location.split()
    return ["2024-06-15T09:00:00.000+05:45", "2024-06-15T09:20:00.000+05:45", s.device, s.name,
            s.phone, s.location, lat, lon, alt, acc, s.consent,
            int("contact" in s.consent.split()), int("research" in s.consent.split()),
            s.problem, s.story, s.problem_on, "vGz7wnC8XjXo5jV8", s.instance,
            s.root or "", s.deprecated or "", 1000 + index, s.instance.removeprefix("uuid:"),
            "2024-06-15T03:40:00", s.submitted_by, "submitted_via_web", index]


_JOB_COLUMNS = ["jobs/sector", "jobs/job_title", "jobs/job_place", "jobs/job_start",
                "jobs/relationship"]


def kobo_csv(b: Batch) -> tuple[str, bytes]:
    """Kobo's CSV export (";"-separated, groups as ``group/question``); it has no repeats."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow(_KOBO_MAIN)
    for i, s in enumerate(b.subs, 1):
        w.writerow(_kobo_row(s, i))
    return "worker_intake_-_all_versions_-_labels.csv", out.getvalue().encode()


def kobo_xlsx(b: Batch) -> tuple[str, bytes]:
    """Kobo's XLSX export: the main sheet, then one sheet per repeat group."""
    wb = Workbook()
    main = wb.active
    main.title = "Worker intake"
    main.append(_KOBO_MAIN)
    jobs = wb.create_sheet("jobs")
    jobs.append([*_JOB_COLUMNS, "_index", "_parent_table_name", "_parent_index",
                 "_submission__uuid"])
    cow = wb.create_sheet("coworkers")
    cow.append(["coworkers/coworker_name", "coworkers/coworker_phone", "_index",
                "_parent_table_name", "_parent_index", "_submission__uuid"])
    j = c = 0
    for i, s in enumerate(b.subs, 1):
        main.append(_kobo_row(s, i))
        for job in s.jobs:
            j += 1
            jobs.append([job.sector, job.job_title, job.job_place, job.job_start,
                         job.relationship, j, "Worker intake", i, s.instance])
        for name, phone in s.coworkers:
            c += 1
            cow.append([name, phone, c, "Worker intake", i, s.instance])
    buf = io.BytesIO()
    wb.save(buf)
    return "worker_intake.xlsx", buf.getvalue()


def kobo_json(b: Batch) -> tuple[str, bytes]:
    """Kobo's API (``/api/v2/assets/<uid>/data.json``): ``results``, repeats as lists."""
    results = []
    for i, s in enumerate(b.subs, 1):
        lat, lon, *_ = s.location.split()
        results.append({
            "_id": 1000 + i, "start": "2024-06-15T09:00:00.000+05:45", "deviceid": s.device,
            "name": s.name, "phone": s.phone, "location": s.location, "consent": s.consent,
            "problem": s.problem, "story": s.story, "problem_on": s.problem_on,
            "jobs": [{f"jobs/{k}": v for k, v in job.__dict__.items()} for job in s.jobs],
            "coworkers": [{"coworkers/coworker_name": n, "coworkers/coworker_phone": p}
                          for n, p in s.coworkers],
            "__version__": "vGz7wnC8XjXo5jV8", "meta/instanceID": s.instance,
            **({"meta/rootUuid": s.root} if s.root else {}),
            **({"meta/deprecatedID": s.deprecated} if s.deprecated else {}),
            "_uuid": s.instance.removeprefix("uuid:"), "_submitted_by": s.submitted_by,
            "_attachments": [{"download_url": "https://kf.example/photo.jpg",
                              "filename": "photo.jpg"}],
            "_geolocation": [float(lat), float(lon)], "_status": "submitted_via_web",
        })
    return "data.json", json.dumps({"count": len(results), "next": None, "previous": None,
                                    "results": results}, ensure_ascii=False).encode()


# -- ODK Central -----------------------------------------------------------------------------

def odk_csv(b: Batch) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    """ODK Central's CSV zip, unpacked: the main file and one per repeat group. ``KEY`` is
    the submission's id through edits; the geopoint is split into four columns."""
    main = io.StringIO()
    w = csv.writer(main)
    w.writerow(["SubmissionDate", "start", "end", "deviceid", "name", "phone",
                "location-Latitude", "location-Longitude", "location-Altitude",
                "location-Accuracy", "consent", "problem", "story", "problem_on",
                "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits",
                "FormVersion"])
    jobs, cow = io.StringIO(), io.StringIO()
    jw, cw = csv.writer(jobs), csv.writer(cow)
    jw.writerow(["sector", "job_title", "job_place", "job_start", "relationship", "PARENT_KEY",
                 "KEY"])
    cw.writerow(["coworker_name", "coworker_phone", "PARENT_KEY", "KEY"])
    for s in b.subs:
        key = s.root_id
        lat, lon, alt, acc = s.location.split()
        w.writerow(["2024-06-15T03:40:00.000Z", "2024-06-15T09:00:00.000+05:45",
                    "2024-06-15T09:20:00.000+05:45", s.device, s.name, s.phone, lat, lon, alt,
                    acc, s.consent, s.problem, s.story, s.problem_on, s.instance, key, "17",
                    s.submitted_by, "0", "0", "", "", s.device, "1" if s.deprecated else "0",
                    VERSION])
        for i, job in enumerate(s.jobs, 1):
            jw.writerow([job.sector, job.job_title, job.job_place, job.job_start,
                         job.relationship, key, f"{key}/jobs[{i}]"])
        for i, (name, phone) in enumerate(s.coworkers, 1):
            cw.writerow([name, phone, key, f"{key}/coworkers[{i}]"])
    return (("worker_intake.csv", main.getvalue().encode()),
            [("worker_intake-jobs.csv", jobs.getvalue().encode()),
             ("worker_intake-coworkers.csv", cow.getvalue().encode())])


def landed(app, collective_id, sub: Sub):
    return ledger(app, collective_id, "worker_intake", sub)


FORMATS = {
    "kobo_xlsx": lambda b: (kobo_xlsx(b), []),
    "kobo_json": lambda b: (kobo_json(b), []),
    "odk_csv": odk_csv,
}


def run_import(app, collective_id, b: Batch[Sub], fmt: str, *, dry_run: bool):
    """Import a batch in one of ``FORMATS`` with the form and its mapping."""
    return import_files(app, collective_id, FORMATS[fmt](b), (FORM.name, FORM.read_bytes()),
                        (MAPPING.name, MAPPING.read_bytes()), dry_run=dry_run)


# -- the write-ahead log ---------------------------------------------------------------------

def wal_position(url: str) -> str:
    """Where the server's write-ahead log stands now (its LSN)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]


def wal_since(url: str, start: str) -> dict[str, bytes]:
    """Raw bytes of every WAL segment written from ``start`` (an LSN) to now: what a copy
    of ``pg_wal`` would hold of an import (the server's, so other databases' too)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_switch_wal()")  # close the segment being written
        first, last = conn.execute(
            "SELECT pg_walfile_name(%s::pg_lsn), pg_walfile_name(pg_current_wal_lsn())",
            (start,)).fetchone()
        names = [n for (n,) in conn.execute("SELECT name FROM pg_ls_waldir() ORDER BY name")
                 if len(n) == 24 and first <= n <= last]
        return {n: bytes(conn.execute("SELECT pg_read_binary_file(%s)",
                                      (f"pg_wal/{n}",)).fetchone()[0]) for n in names}


# -- workbooks that are small files and huge grids -------------------------------------

_NS = "http://schemas.openxmlformats.org/"
PARTS = {
    "[Content_Types].xml":
        f'<?xml version="1.0"?><Types xmlns="{_NS}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<?xml version="1.0"?><workbook xmlns="{_NS}spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets><sheet name="S" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook(last_cell: str, last_row: int) -> bytes:
    """A header cell at A1 and one more cell at ``last_cell``."""
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{_NS}spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
             f'<row r="{last_row}"><c r="{last_cell}" t="inlineStr"><is><t>x</t></is></c>'
             '</row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            z.writestr(name, text)
    return buf.getvalue()


def ods(rows: int, cols: int) -> bytes:
    """An OpenDocument sheet: a header, then one cell with a value repeated ``cols`` times on
    a row repeated ``rows`` times."""
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
        f'"{ns}:office:1.0" xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>name</text:p>'
        f'</table:table-cell></table:table-row><table:table-row table:number-rows-repeated='
        f'"{rows}"><table:table-cell table:number-columns-repeated="{cols}" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                f'"{ns}:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()
