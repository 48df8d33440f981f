"""Submissions of a "Meeting register" XLSForm (built here with openpyxl: when, what kind,
and a repeat group ``attendees`` of pseudonyms and phones), written out as KoboToolbox's CSV
(with the repeat's own CSV, ``_parent_index``) and ODK Central's CSV (one file per repeat
group, ``PARENT_KEY``); and its mapping."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, replace

from openpyxl import Workbook

from tests.integration.imports.support import Edited, import_files, ledger, new_instance

VERSION = "2026010101"
MAPPING = f'''form_id = "meeting_register"
version = "{VERSION}"

[meeting]
kind = "kind"
held_at = "held_at"
language = "ne"

[attendees]
repeat = "attendees"
pseudonym = "attendee_name"
phone = "attendee_phone"

[choices.kind]
general = "assembly"
committee = "committee"
'''.encode()


def form() -> tuple[str, bytes]:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in (["type", "name", "label"],
                ["select_one kind", "kind", "Kind of meeting"],
                ["dateTime", "held_at", "When it was held"],
                ["begin_repeat", "attendees", "Who came"],
                ["text", "attendee_name", "Name"],
                ["text", "attendee_phone", "Phone"],
                ["end_repeat", "", ""],
                ["deviceid", "deviceid", ""]):
        survey.append(row)
    choices = wb.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["kind", "general", "General meeting"],
                ["kind", "committee", "Committee"], ["kind", "picnic", "Picnic"]):
        choices.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["meeting_register", VERSION, "Meeting register"])
    buf = io.BytesIO()
    wb.save(buf)
    return "meeting_register.xlsx", buf.getvalue()


@dataclass(frozen=True)
class Held(Edited):
    instance: str
    kind: str
    held_at: str
    attendees: tuple[tuple[str, str], ...]
    root: str | None = None
    deprecated: str | None = None


def register(member: tuple[str, str] | None = None) -> tuple[str, list[Held]]:
    """Three submissions: a general meeting (with ``member``, already recorded, among those
    who came), a committee, and a picnic, a kind the mapping does not know."""
    tag = uuid.uuid4().hex[:8]
    n = int(tag, 16) % 10**6
    first = ((f"Gita Lama {tag}", f"+852 51{n:06d}"), (f"Nisha Magar {tag}", f"+852 52{n:06d}"))
    return tag, [
        Held(new_instance(), "general", "2026-03-01T18:00:00.000+08:00",
             first + ((member,) if member else ())),
        Held(new_instance(), "committee", "2026-03-08T10:30:00.000+08:00",
             ((f"Gita Lama {tag}", f"+852 51{n:06d}"), (f"Sunita Rai {tag}", f"+852 53{n:06d}"))),
        Held(new_instance(), "picnic", "2026-03-15T12:00:00.000+08:00",
             ((f"Parbati Thapa {tag}", f"+852 54{n:06d}"),)),
    ]


def with_attendee(subs: list[Held], who: tuple[str, str]) -> list[Held]:
    """The first submission edited on the server: one more attendee."""
    first = subs[0]
    new = replace(first, instance=new_instance(), root=first.root_id, deprecated=first.instance,
                  attendees=(*first.attendees, who))
    return [new, *subs[1:]]


def kobo_csv(subs: list[Held]) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    main, rep = io.StringIO(), io.StringIO()
    w, r = csv.writer(main, delimiter=";"), csv.writer(rep, delimiter=";")
    w.writerow(["start", "deviceid", "kind", "held_at", "meta/instanceID", "meta/rootUuid",
                "meta/deprecatedID", "_id", "_uuid", "_submitted_by", "_index"])
    r.writerow(["attendees/attendee_name", "attendees/attendee_phone", "_index",
                "_parent_table_name", "_parent_index", "_submission__uuid"])
    k = 0
    for i, s in enumerate(subs, 1):
        w.writerow(["2026-03-01T17:00:00.000+08:00", "collect:Zz9", s.kind, s.held_at,
                    s.instance, s.root or "", s.deprecated or "", 500 + i,
                    s.instance.removeprefix("uuid:"), "officer_3", i])
        for name, phone in s.attendees:
            k += 1
            r.writerow([name, phone, k, "Meeting register", i, s.instance])
    return (("meeting_register_-_all_versions.csv", main.getvalue().encode()),
            [("attendees.csv", rep.getvalue().encode())])


def odk_csv(subs: list[Held]) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    main, rep = io.StringIO(), io.StringIO()
    w, r = csv.writer(main), csv.writer(rep)
    w.writerow(["SubmissionDate", "deviceid", "kind", "held_at", "meta-instanceID", "KEY",
                "SubmitterID", "SubmitterName", "Edits", "FormVersion"])
    r.writerow(["attendee_name", "attendee_phone", "PARENT_KEY", "KEY"])
    for s in subs:
        key = s.root_id
        w.writerow(["2026-03-01T10:00:00.000Z", "collect:Zz9", s.kind, s.held_at, s.instance,
                    key, "17", "officer_3", "1" if s.deprecated else "0", VERSION])
        for i, (name, phone) in enumerate(s.attendees, 1):
            r.writerow([name, phone, key, f"{key}/attendees[{i}]"])
    return (("meeting_register.csv", main.getvalue().encode()),
            [("meeting_register-attendees.csv", rep.getvalue().encode())])


FORMATS = {"kobo_csv": kobo_csv, "odk_csv": odk_csv}


def run_import(app, collective_id, subs: list[Held], fmt: str, *, dry_run: bool, known=None):
    return import_files(app, collective_id, FORMATS[fmt](subs), form(),
                        ("meeting_register.toml", MAPPING), dry_run=dry_run, known=known)


def landed(app, collective_id, sub: Held):
    return ledger(app, collective_id, "meeting_register", sub)
