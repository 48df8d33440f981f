"""What an import leaves on the server: after importing the Worker intake exports in every
format, the database's files (every table, index and TOAST relation, dead tuples too) hold
no name, phone, story, device id, submitter, raw source id or GPS point from the files;
and the uploaded form's temporary file is gone."""

from __future__ import annotations

import tempfile

import pytest

from organize.imports import service
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


def test_raw_bytes_hold_nothing_from_the_files(app, database, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    for fmt in s.FORMATS:
        s.run_import(app, collective, b, fmt, dry_run=False)
        s.run_import(app, collective, s.edited(b), fmt, dry_run=False)
    assert list(tmp_path.iterdir()) == []  # the form's temporary copy was removed
    assert s.landed(app, collective, b.subs[0]) is not None
    needles = set()
    for sub in [*b.subs, *s.edited(b).subs]:
        needles |= {sub.name, sub.phone, sub.phone.replace(" ", ""), sub.story, sub.device,
                    sub.submitted_by, sub.instance, sub.instance.removeprefix("uuid:"),
                    *sub.location.split()[:2], *(j.job_title for j in sub.jobs)}
        needles |= {x for pair in sub.coworkers for x in pair}
    h.catch_up(app)  # the views too: they hold what the events carry in the clear
    files = h.relation_files(database.url)
    found = [(needle, name) for needle in sorted(needles)
             for name, blob in files.items() if needle.encode() in blob]
    assert found == []
    # The scan sees what is stored in the clear: the views' rows of this collective.
    assert any(collective.bytes in blob for name, blob in files.items() if "grievance" in name)


def test_a_form_that_is_not_an_xlsform_is_refused_plainly(app, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(service.ImportFailed) as e:
        service.prepare(app, data=s.kobo_json(s.batch()), form=("form.xlsx", b"not a workbook"),
                        mapping=(s.MAPPING.name, s.MAPPING.read_bytes()))
    assert e.value.message.startswith("The form could not be read as an XLSForm")
    assert list(tmp_path.iterdir()) == []
