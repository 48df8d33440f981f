"""The import ledger's use cases in memory: a leader records what an imported row became
in her collective, and revises it after an edit; nobody reaches another collective's."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application import imports
from tests.unit.application.conftest import Case, case_tests, cid

PRINT = b"\x01" * 32


def _record(w, submission_id=None, workers=None):
    return c.RecordImportedSubmission(
        command_id=cid(), submission_id=submission_id or cid(), collective_id=w.a,
        fingerprint=PRINT, worker_ids=workers or (w.w1,))


def _recorded(w):
    submission_id = cid()
    w.run("app", _record(w, submission_id))
    return submission_id


CASES = {
    c.RecordImportedSubmission: Case(
        accept=_record, by="leader_a", event="Recorded",
        refuse=lambda w: _record(w, workers=(w.wb,)),  # her collective's workers only
        code="scope", outsider="leader_b", outsider_error="NotFound"),
    c.ReviseImportedSubmission: Case(
        accept=lambda w: c.ReviseImportedSubmission(
            command_id=cid(), submission_id=_recorded(w), fingerprint=b"\x02" * 32,
            worker_ids=(w.w1, w.w2)),
        by="leader_a", event="Revised",
        refuse=lambda w: c.ReviseImportedSubmission(
            command_id=cid(), submission_id=_recorded(w), fingerprint=b"\x02" * 32,
            worker_ids=(w.w2,)),  # an edit keeps its first worker
        code="invalid", outsider="leader_b", outsider_error="NotFound"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, imports.TABLE)


def test_an_organiser_never_records_an_import(world):
    with pytest.raises(Exception) as refused:
        world.run("organiser", _record(world))
    assert type(refused.value).__name__ == "Forbidden"
