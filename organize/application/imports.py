"""Imports: the ledger of what imported rows became (``organize.imports`` reads the files and
runs the ordinary commands; this room records, per row, the ids those commands made).

- ``RecordImportedSubmission``: leaders of the collective the rows are imported into; its
  workers must be in that collective.
- ``ReviseImportedSubmission``: the same leaders; a new fingerprint after an edited
  submission became correction events.

Neither has an API route: imports arrive through ``organize import`` and the import page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from organize import commands as c
from organize.application.base import Done, Use
from organize.application.policy import COLLECTIVE, LEADERS, Relation, Rule, touching
from organize.domain import Collective, ImportedSubmission, Worker
from organize.errors import Invalid

if TYPE_CHECKING:
    from organize.application import Organize


def _record(app: Organize, cmd: c.RecordImportedSubmission) -> Done:
    app.exists(Collective, cmd.collective_id, field="collective_id")
    for worker_id in cmd.worker_ids:
        if cmd.collective_id not in app.load(Worker, worker_id, field="worker_ids").collectives:
            raise Invalid("An imported worker must be in the collective imported into.",
                          field="worker_ids", code="scope")
    agg = ImportedSubmission.record(
        id=cmd.submission_id, collective_id=cmd.collective_id, fingerprint=cmd.fingerprint,
        worker_ids=cmd.worker_ids, grievance_id=cmd.grievance_id, spell_ids=cmd.spell_ids,
        alias_of=cmd.alias_of, version=cmd.version)
    return Done(agg.id, [agg])


def _revise(app: Organize, cmd: c.ReviseImportedSubmission) -> Done:
    agg = app.target(ImportedSubmission, cmd, "submission_id")
    agg.revise(cmd.fingerprint, cmd.worker_ids, cmd.spell_ids, cmd.version)
    return Done(agg.id, [agg])


SUBMISSION = touching(Relation.IMPORTED, "submission_id")

TABLE: dict[type[c.Command], Use] = {
    c.RecordImportedSubmission: Use(_record, Rule(LEADERS, COLLECTIVE), api=False),
    c.ReviseImportedSubmission: Use(_revise, Rule(LEADERS, SUBMISSION), api=False),
}
