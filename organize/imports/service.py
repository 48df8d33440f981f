"""One import, from files held in memory to a report: what ``organize import`` and the
import page both call. A form arrives as bytes too; pyxform reads it from a temporary file
that is removed before this returns, so no uploaded file outlives the request."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from organize.imports.commit import commit
from organize.imports.errors import ImportFailed
from organize.imports.form import Form, read_form
from organize.imports.mapping import Mapping, load_mapping, parse_mapping
from organize.imports.plan import Known, Plan, Report, plan
from organize.imports.sources import Submission, read_submissions

File = tuple[str, bytes]  # a file's name and its bytes
__all__ = ["File", "ImportFailed", "Prepared", "prepare", "run"]


@dataclass
class Prepared:
    form: Form | None
    mapping: Mapping
    submissions: list[Submission]


def form_from_bytes(name: str, data: bytes) -> Form:
    suffix = Path(name).suffix.lower() or ".xlsx"
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:  # removed on leaving
        tmp.write(data)
        tmp.flush()
        return read_form(tmp.name)


def prepare(app, *, data: File, mapping: File, form: File | None = None,
            extra: Sequence[File] = ()) -> Prepared:
    """Read the form, the mapping and the submissions, or raise ``ImportFailed``."""
    the_form = form_from_bytes(*form) if form is not None else None
    the_mapping = load_mapping(parse_mapping(*mapping), the_form, app.taxonomy)
    subs = read_submissions(the_form, data, extra, id_column=the_mapping.id_column)
    return Prepared(the_form, the_mapping, subs)


def run(app, prepared: Prepared, collective_id: UUID, *, dry_run: bool,
        known: Known | None = None, progress: Callable[[int], None] | None = None) -> Report:
    """The dry run's report, or, with ``dry_run=False``, the commit's."""
    the_plan: Plan = plan(app, prepared.form, prepared.mapping, prepared.submissions,
                          collective_id, known=known, progress=None if not dry_run else progress)
    if dry_run:
        return the_plan.report(committed=False)
    return commit(app, the_plan, progress=progress)
