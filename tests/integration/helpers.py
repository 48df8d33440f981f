"""Small builders shared by integration and API tests: each returns a command with a fresh
command id, so tests sharing one database never collide."""

from __future__ import annotations

import uuid
from datetime import date

from organize import commands as c


def cid() -> uuid.UUID:
    return uuid.uuid4()


def create_collective(**kw) -> c.CreateCollective:
    base = dict(command_id=cid(), name="Kowloon domestic workers", kind="union_branch",
                sectors=("domestic_care",), places=("HK",), languages=("en", "ne"),
                federation="fed-hk")
    base.update(kw)
    return c.CreateCollective(**base)


def create_organisation(**kw) -> c.CreateOrganisation:
    base = dict(command_id=cid(), name="Household 7", kind="employer", place="HK")
    base.update(kw)
    return c.CreateOrganisation(**base)


def register_worker(collective_id=None, **profile) -> c.RegisterWorker:
    p = dict(pseudonym="Rina")
    p.update(profile)
    return c.RegisterWorker(
        command_id=cid(), profile=c.Profile(**p), collective_id=collective_id,
        joined_on=date(2025, 1, 5) if collective_id else None,
    )


def raise_grievance(collective_id, worker_ids, **kw) -> c.RaiseGrievance:
    base = dict(command_id=cid(), collective_id=collective_id, worker_ids=tuple(worker_ids),
                category="wages_unpaid_late", sector="domestic_care", place="HK",
                stage="destination", occurred_on=date(2025, 3, 1),
                description="Wages unpaid for three months.")
    base.update(kw)
    return c.RaiseGrievance(**base)
