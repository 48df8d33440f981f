"""A quarantine reason names a choice only when it is one of the form's own choice names:
a select question's cell holding anything else (a file whose columns slipped puts a name or
a phone there) is never echoed into the report, the page or the command's output."""

from __future__ import annotations

from dataclasses import replace

import pytest

from organize.imports.plan import Report
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("question", ["problem", "consent"])
def test_a_name_in_a_choice_question_is_never_echoed(app, question):
    collective = h.collective(app)
    b = s.batch(unknown_choice=False)
    slipped = b.subs[1]
    b.subs[1] = replace(slipped, **{question: f"{slipped.name} {slipped.phone}"})
    report: Report = s.run_import(app, collective, b, "kobo_json", dry_run=True)
    row = next(r for r in report.rows if r.outcome == "quarantined")
    assert row.why is not None and row.why.template is not None
    said = repr(report)
    for secret in (slipped.name, slipped.phone, *slipped.name.split(), slipped.phone[-6:]):
        assert secret not in said, secret
    # A choice name of the form that the mapping does not know is still named.
    report = s.run_import(app, collective, s.batch(), "kobo_json", dry_run=True)
    assert [r.reason for r in report.rows if r.outcome == "quarantined"] == [
        "an unknown choice in 'sector'"]
