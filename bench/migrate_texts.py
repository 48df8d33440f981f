"""What the one-time upgrade of collective texts costs on the demo's data.

A store from before collective texts were sealed holds campaigns' issues, demands, clauses
and summaries, narratives and cancellation reasons in the clear (version 1 events). At
startup ``organize.migrations`` rewrites each such event once, sealed. This loads the demo,
turns those events back into version 1 (the texts opened and stored in the clear, as an
older release wrote them), then times the upgrade, round after round. The baseline, in the
same process on the same events: a rewrite that changes nothing (decrypt, decode, encode,
encrypt, update each event), the floor of any in-place rewrite.

    .venv/bin/python -m bench.migrate_texts [--rounds 5]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time
import uuid

import msgspec
from eventsourcing.utils import get_topic

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize.domain import Assessment, Campaign, Meeting
from organize.migrations import (
    _ENCODER,
    _unwrap,
    _wrap,
    seal_clear_campaign_texts,
    seal_clear_cancel_reasons,
    seal_clear_narratives,
)

TOPICS = {
    get_topic(t): t.__name__
    for t in (
        Campaign.Launched,
        Campaign.DemandAdded,
        Campaign.AgreementSigned,
        Campaign.Closed,
        Meeting.Cancelled,
        Assessment.Recorded,
        Assessment.Revised,
    )
}


def _rows(curs, table: str):
    curs.execute(
        f"SELECT originator_id, originator_version, topic, state FROM {table} "  # noqa: S608
        "WHERE topic = ANY(%s) ORDER BY originator_id, originator_version",
        (list(TOPICS),),
    )
    return curs.fetchall()


def as_version_1(app) -> int:
    """Every collective-text event stored as version 1, its texts in the clear."""
    table = app.recorder.events_table_name
    assessments: dict = {}

    def opened(subject, sealed: str) -> str:  # bytes are base64 in a stored event
        return app.sealer.open(subject, base64.b64decode(sealed)).decode()

    n = 0
    with app.recorder.datastore.transaction(commit=True) as curs:
        for row in _rows(curs, table):
            state = msgspec.json.decode(_unwrap(app.mapper, bytes(row["state"])))
            if state.pop("class_version", 1) < 2:
                continue
            me, name = row["originator_id"], TOPICS[row["topic"]]
            if name == "Launched":
                state["issue"] = opened(me, state.pop("sealed_issue"))
            for demand in state.get("demands", []) + ([state["demand"]] if "demand" in state else []):
                demand["text"] = opened(me, demand.pop("sealed_text"))
            for field, clear in (
                ("sealed_clauses", "clauses"),
                ("sealed_summary", "summary"),
                ("sealed_reason", "reason"),
                ("sealed_narrative", "narrative"),
            ):
                if field not in state:
                    continue
                sealed = state.pop(field)
                if name == "Recorded":
                    assessments[me] = uuid.UUID(state["collective_id"])
                subject = assessments.get(me, me) if clear == "narrative" else me
                text = None if sealed is None else opened(subject, sealed)
                state[clear] = (
                    msgspec.json.decode(text)
                    if clear == "clauses" and text
                    else text or ("" if clear == "narrative" else None)
                )
            state.pop("clause_count", None)
            curs.execute(
                f"UPDATE {table} SET state = %s WHERE originator_id = %s "  # noqa: S608
                "AND originator_version = %s",
                (_wrap(app.mapper, _ENCODER.encode(state)), me, row["originator_version"]),
            )
            n += 1
        curs.execute(
            "DELETE FROM organize_migrations WHERE name LIKE 'seal_campaign_texts:%%' "
            "OR name LIKE 'seal_narratives:%%' OR name = 'seal_cancel_reasons'"
        )
    return n


def upgrade(app) -> int:
    return seal_clear_campaign_texts(app) + seal_clear_narratives(app) + seal_clear_cancel_reasons(app)


def rewrite_unchanged(app) -> int:
    """The baseline: every one of those events decrypted, decoded, encoded, encrypted and
    written back unchanged, in one transaction."""
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction(commit=True) as curs:
        rows = _rows(curs, table)
        for row in rows:
            state = msgspec.json.decode(_unwrap(app.mapper, bytes(row["state"])))
            curs.execute(
                f"UPDATE {table} SET state = %s WHERE originator_id = %s "  # noqa: S608
                "AND originator_version = %s",
                (_wrap(app.mapper, _ENCODER.encode(state)), row["originator_id"], row["originator_version"]),
            )
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("WARNING")
    from organize.demo import load_demo

    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        app = runtime.app
        load_demo(app)
        upgrades, baselines, events = [], [], 0
        for _ in range(args.rounds):
            events = as_version_1(app)
            started = time.perf_counter()
            rewritten = upgrade(app)
            upgrades.append(time.perf_counter() - started)
            assert rewritten == events, (rewritten, events)
            started = time.perf_counter()
            rewrite_unchanged(app)
            baselines.append(time.perf_counter() - started)
        up, base = statistics.median(upgrades), statistics.median(baselines)
        print(f"demo events rewritten by the upgrade: {events}")
        print(
            f"upgrade (seal in place), median of {args.rounds}: {up * 1000:.0f} ms "
            f"({up / max(events, 1) * 1e6:.0f} us per event)"
        )
        print(f"baseline (rewrite unchanged), median: {base * 1000:.0f} ms")
        print(f"ratio upgrade / baseline: {up / base:.1f}x")
        runtime.app.close()


if __name__ == "__main__":
    main()
