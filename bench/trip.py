"""One command's trip through the code: which of the project's files run when a leader
records a grievance (a new worker, her consent, the grievance) and lands on its page.

    python -m bench.trip [--list]

A collective, one worker and a leader's session are made through the application; then,
with a profiler on every thread, the app as ``organize serve`` builds it (Litestar's test
client, in process) takes the record form's final POST, the projection runner applies the
events, and the grievance page the POST redirects to is fetched. Every project file whose
code ran in those three steps (Python modules under ``organize/``, ``web/``, ``infra/``
and the Jinja templates, whose compiled code carries their path) is counted once.

It measures the layout, not speed: the count is how many files a reader follows from HTTP
to page. ``--list`` prints them.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import threading
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

from argon2 import PasswordHasher

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize import commands as c

ROOT = Path(__file__).resolve().parent.parent
PLACES = tuple(str(ROOT / p) + "/" for p in ("organize", "web", "infra"))


class Trip:
    """The project files entered while ``on``, on any thread started after ``install``."""

    def __init__(self) -> None:
        self.on = False
        self.files: set[str] = set()

    def __call__(self, frame, event, _arg):
        if self.on and event == "call":
            name = frame.f_code.co_filename
            if name.startswith(PLACES):
                self.files.add(str(Path(name).relative_to(ROOT)))

    def install(self) -> None:
        sys.setprofile(self)
        threading.setprofile(self)


async def walk(runtime, accounts, session, csrf, coll, worker, trip: Trip) -> str:
    from litestar.testing import AsyncTestClient

    from organize.accounts import AccountService  # noqa: F401  (the app's own import)
    from web.app import create_app

    today = datetime.now(UTC).date()
    form = [("csrf_token", csrf), ("command_id", str(uuid.uuid4())),
            ("started", today.isoformat()), ("worker_ids", str(worker)),
            ("new_pseudonym", "Nirmala"), ("new_phone", ""),
            ("category", "documents_confiscated"), ("description", "Passports kept."),
            ("place", "HK"), ("occurred_on", today.isoformat()), ("stage", "destination"),
            ("sector", "domestic_care"), ("consent_contact", "new:0"), ("step", "4"),
            ("go", "submit")]
    headers = {"Cookie": f"organize_session={session}"}
    async with AsyncTestClient(app=create_app(runtime, accounts)) as client:
        warm = await client.get(f"/c/{coll}/grievances/new", headers=headers)
        assert warm.status_code == 200, warm.status_code
        trip.on = True
        posted = await client.post(
            f"/c/{coll}/grievances/new", content=urlencode(form), follow_redirects=False,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
        assert posted.status_code == 303, posted.text[-2000:]
        await asyncio.to_thread(runtime.runner().catch_up)
        page = await client.get(posted.headers["location"], headers=headers)
        trip.on = False
        assert page.status_code == 200 and "Passports kept." in page.text
        assert re.search("Saved", page.text)
        return posted.headers["location"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the files")
    args = parser.parse_args()
    configure_logging("WARNING")
    from organize.accounts import AccountService

    with fresh_database() as db:
        runtime = open_runtime_on(db)[0]
        app = runtime.app
        coll = app.execute(c.CreateCollective(
            command_id=uuid.uuid4(), name="Trip sisters", kind="worker_collective",
            sectors=("domestic_care",), places=("HK",), languages=("en",))).id
        worker = app.execute(c.RegisterWorker(
            command_id=uuid.uuid4(), profile=c.Profile(pseudonym="Asha"),
            collective_id=coll, joined_on=date(2020, 1, 1))).id
        accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                             parallelism=1))
        account = accounts.create_account("trip-leader", "trip-password-long", role="leader",
                                          collective_ids=(coll,))
        session = accounts.start_session(account)
        runtime.runner().catch_up()
        trip = Trip()
        trip.install()
        asyncio.run(walk(runtime, accounts, session.token, session.csrf_token, coll, worker,
                         trip))
        sys.setprofile(None)
        threading.setprofile(None)
    files = sorted(trip.files)
    python = [f for f in files if f.endswith(".py")]
    print(f"files on the trip: {len(files)} ({len(python)} Python modules, "
          f"{len(files) - len(python)} templates)")
    if args.list:
        for f in files:
            print(f"  {f}")


if __name__ == "__main__":
    main()
