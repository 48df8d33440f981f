"""Imports of the Worker intake XLSForm's Kobo and ODK Central exports into a real
PostgreSQL: the counts of a dry run, the commit, a second import, an edit, a quarantined
row, and what lands (sealed workers, spells, consents, grievances)."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.domain import Grievance, Worker
from organize.imports import service
from organize.imports.errors import ImportFailed
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration

FORMATS = {
    "kobo_xlsx": lambda b: (s.kobo_xlsx(b), []),
    "kobo_json": lambda b: (s.kobo_json(b), []),
    "odk_csv": s.odk_csv,
}


def _import(app, collective_id, b, fmt: str, *, dry_run: bool):
    data, extra = FORMATS[fmt](b)
    prepared = service.prepare(app, data=data, extra=extra,
                               form=(s.FORM.name, s.FORM.read_bytes()),
                               mapping=(s.MAPPING.name, s.MAPPING.read_bytes()))
    return service.run(app, prepared, collective_id, dry_run=dry_run)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_dry_run_commit_again_and_edit(app, fmt):
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    dry = _import(app, collective, b, fmt, dry_run=True)
    assert dry.counts == {"new": 3, "updated": 0, "unchanged": 0, "quarantined": 1,
                          "duplicate_suspect": 0}
    bad = [r for r in dry.rows if r.outcome == "quarantined"]
    assert [(r.line, r.reason) for r in bad] == [
        (bad[0].line, "unknown choice 'fishing_boat' for 'sector'")]
    assert bad[0].line == (4 if fmt != "kobo_json" else 3)
    done = _import(app, collective, b, fmt, dry_run=False)
    assert done.counts == dry.counts  # the dry run said what the commit did
    assert [(r.line, r.outcome, r.reason) for r in done.rows] == \
        [(r.line, r.outcome, r.reason) for r in dry.rows]

    again = _import(app, collective, b, fmt, dry_run=False)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 3, "quarantined": 1,
                            "duplicate_suspect": 0}

    edit = s.edited(b)
    dry_edit = _import(app, collective, edit, fmt, dry_run=True)
    assert dry_edit.counts["updated"] == 1 and dry_edit.counts["new"] == 0
    assert _import(app, collective, edit, fmt, dry_run=False).counts == dry_edit.counts
    assert _import(app, collective, edit, fmt, dry_run=False).counts["unchanged"] == 3
