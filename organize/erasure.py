"""Erasing a collective: for a worker centre that is raided or closes.

``erase_collective`` erases every worker who belongs (or belonged) to this collective and to
no other, each through the ordinary ``EraseWorker`` command (so each erasure is an event,
and views drop what they held of her). It then shreds the collective's own key (its
self-assessments' narratives) and every key it owns that no other collective shares: its
campaigns' texts (issue, demands, clauses, summary) and its meetings' decisions and
cancellation reasons (``organize.texts``). The key table is re-wrapped under a new KEK and
the old one destroyed, as for any erasure (``organize.persistence.keys``). The erasure is written to the
keyring's ledger, so a restore of an older backup erases again, and recorded on the
collective as a ``Collective.Erased`` event (no personal data in it), so views and pages
say the collective was erased and its texts read as "[erased]".

Counts already published in research releases stay what they were: an export is a file
outside the system. Later exports count no erased worker.

It is an operator's action (``organize erase-collective``), not a command of the API.
"""

from __future__ import annotations

import uuid
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from organize import commands as c
from organize.domain import Collective, Worker
from organize.errors import CommandError


class CollectiveErased(msgspec.Struct):
    collective_id: UUID
    workers_erased: list[UUID]
    keys_shredded: int


def members_ever(app, collective_id: UUID) -> list[UUID]:
    """Every worker who ever joined the collective, from the event log itself."""
    topics = [get_topic(Worker.Registered), get_topic(Worker.JoinedCollective)]
    found: dict[UUID, None] = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000, topics=topics)
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if getattr(event, "collective_id", None) == collective_id:
                found[event.originator_id] = None
        if len(page) < 1000:
            return list(found)
        start = page[-1].id + 1


def only_hers(worker: Worker, collective_id: UUID) -> bool:
    return all(m.collective_id == collective_id for m in worker.memberships)


def erase_collective(app, collective_id: UUID) -> CollectiveErased:
    app.load(Collective, collective_id, field="collective_id")  # NotFound for an unknown id
    erased = []
    for worker_id in members_ever(app, collective_id):
        worker = app.load(Worker, worker_id, field="worker_id")
        if worker.erased or not only_hers(worker, collective_id):
            continue
        try:
            app.execute(c.EraseWorker(command_id=uuid.uuid5(worker_id, "erase"),
                                      worker_id=worker_id))
        except CommandError:  # erased meanwhile
            continue
        erased.append(worker_id)
    shredded = app.keys.shred_for_collective(collective_id)
    collective = app.load(Collective, collective_id, field="collective_id")
    if not getattr(collective, "erased", False):  # a restore erases again: recorded once
        collective.record_erased()
        app.save(collective)
    return CollectiveErased(collective_id=collective_id, workers_erased=erased,
                            keys_shredded=len(shredded))
