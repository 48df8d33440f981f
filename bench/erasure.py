"""What one erasure costs with N workers' keys in the table (default 100,000).

An erasure now re-wraps every remaining data key under a fresh key-encryption key, writes
the keyring's snapshot and destroys the old KEK (organize/persistence/keys.py). Its cost grows with the
number of keys. Two baselines run in the same process on the same table:

- the erasure before the keyring: delete the key row, then ``VACUUM FULL`` the key table
  (which did not hold against the WAL or backups, but is the same job: make her key gone);
- an ordinary command on one worker (``UpdateWorkerProfile``), for scale.

    .venv/bin/python -m bench.erasure [--workers 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize import commands as c
from organize.persistence.keys import wrap_under


def fill(app, n: int) -> None:
    """``n`` data keys, each owned by its own worker id, wrapped under the current KEK."""
    with app.keys.datastore.transaction(commit=True) as curs:
        generation, kek = app.keys._current(curs)
    with app.keys.datastore.get_connection() as conn, conn.cursor() as curs:
        with curs.copy("COPY organize_data_keys (subject_id, owner_ids, wrapped, kek_generation) "
                       "FROM STDIN") as copy:
            for _ in range(n):
                subject = uuid.uuid4()
                copy.write_row((subject, [subject],
                                wrap_under(kek, generation, subject, os.urandom(32)), generation))
        conn.execute("ANALYZE organize_data_keys")


def register(app) -> uuid.UUID:
    return app.execute(c.RegisterWorker(command_id=uuid.uuid4(),
                                        profile=c.Profile(pseudonym="Bench"))).id


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("WARNING")
    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        app = runtime.app
        started = time.perf_counter()
        fill(app, args.workers)
        print(f"{args.workers} data keys in the table ({time.perf_counter() - started:.1f} s to fill)")
        ours, old, plain = [], [], []
        for _ in range(args.rounds):
            worker = register(app)
            plain.append(timed(lambda w=worker: app.execute(c.UpdateWorkerProfile(
                command_id=uuid.uuid4(), worker_id=w, profile=c.Profile(pseudonym="Bench 2")))))
            ours.append(timed(lambda w=worker: app.execute(
                c.EraseWorker(command_id=uuid.uuid4(), worker_id=w))))
            victim = register(app)

            def before_keyring(v=victim) -> None:
                with app.keys.datastore.get_connection() as conn:
                    conn.execute("DELETE FROM organize_data_keys WHERE subject_id = %s", (v,))
                    conn.execute("VACUUM FULL organize_data_keys")

            old.append(timed(before_keyring))
        snapshot = app.keys.keyring.snapshot_path
        m_ours, m_old, m_plain = (statistics.median(x) for x in (ours, old, plain))
        print(f"erasure (re-wrap under a new KEK): median {m_ours * 1000:8.1f} ms  "
              f"rounds {[round(x * 1000) for x in ours]}")
        print(f"before the keyring (delete + VACUUM FULL): median {m_old * 1000:8.1f} ms  "
              f"rounds {[round(x * 1000) for x in old]}")
        print(f"an ordinary command (UpdateWorkerProfile): median {m_plain * 1000:8.1f} ms")
        print(f"ratio erasure / before the keyring: {m_ours / m_old:.2f}x; "
              f"erasure / ordinary command: {m_ours / m_plain:.0f}x; "
              f"snapshot {snapshot.stat().st_size / 1e6:.1f} MB")
        runtime.close()


if __name__ == "__main__":
    main()
