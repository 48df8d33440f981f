"""What the tests of this directory share (this module holds no tests itself)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from organize import commands as c
from tests.e2e.pages.conftest import World
from tests.integration.imports import support as s


def today() -> date:
    return datetime.now(UTC).date()


async def get(client, path: str, world: World, *, lang: str | None = None, who=None, **headers):
    client.cookies.clear()
    who = who or world.leader
    return await client.get(path, headers=who.headers(lang, **headers), follow_redirects=False)


async def post(client, path: str, world: World, data, *, lang: str | None = None, who=None,
               **headers):
    client.cookies.clear()
    who = who or world.leader
    if isinstance(data, dict):
        data = list(pairs_of(data))
    body = urlencode([("csrf_token", who.csrf), *data])
    return await client.post(path, content=body, follow_redirects=False, headers=who.headers(
        lang, **{"Content-Type": "application/x-www-form-urlencoded", **headers}))


def location(r) -> str:
    """Where a 303 answer sends her (failing, with the page, on any other answer)."""
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return r.headers["location"]


async def send_action(client, world, path: str, key: str, data: dict, lang=None):
    """POST one action form of a record page as the page offers it (its command id and the
    version it was drawn at), with ``data`` filled in."""
    form = form_of((await get(client, path, world)).text, f"{path}/{key}")
    return await post(client, f"{path}/{key}", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0], **data}, lang=lang)


def pairs_of(data: dict):
    for k, v in data.items():
        if isinstance(v, list | tuple):
            for each in v:
                yield k, str(each)
        elif v is not None:
            yield k, str(v)


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">', html)


def form_of(html: str, action: str) -> str:
    """The HTML of the form posting to ``action``."""
    start = html.index(f'action="{action}"')
    return html[start:html.index("</form>", start)]


def max_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def pages(world: World) -> dict[str, str]:
    o = world.ours
    base = f"/c/{o.collective}"
    return {
        "home": base,
        "grievances": f"{base}/grievances",
        "record (step 1)": f"{base}/grievances/new",
        "grievance": f"{base}/grievances/{o.grievances[0]}",
        "meetings": f"{base}/meetings",
        "plan a meeting": f"{base}/meetings/new",
        "meeting (to hold)": f"{base}/meetings/{o.upcoming[0]}",
        "meeting (held)": f"{base}/meetings/{o.meetings[-1]}",
        "campaigns": f"{base}/campaigns",
        "start a campaign": f"{base}/campaigns/new",
        "campaign": f"{base}/campaigns/{o.campaigns[0]}",
        "workers": f"{base}/workers",
        "worker": f"{base}/workers/{o.workers[2]}",
        "erase (confirm)": f"{base}/workers/{o.workers[2]}/erase",
        "self-assessment": f"{base}/assessment",
    }


def form_state(html: str) -> dict[str, list[str]]:
    """The hidden state of the record form, as the next POST would send it."""
    out: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        if name != "csrf_token":
            out.setdefault(name, []).append(value)
    return out


def with_fields(state: dict[str, list[str]], **more) -> list[tuple[str, str]]:
    pairs = [(k, v) for k, vs in state.items() if k not in more for v in vs]
    for k, v in more.items():
        pairs += [(k, str(x)) for x in (v if isinstance(v, list) else [v])]
    return pairs


async def fresh_grievance(app, world: World, workers: list) -> uuid.UUID:
    return app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=world.ours.collective, worker_ids=tuple(workers),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=today() - timedelta(days=30), description="Three months unpaid.")).id


async def grievance_action(client, world, gid, key: str, data: dict, *, lang=None):
    path = f"/c/{world.ours.collective}/grievances/{gid}"
    html = (await get(client, path, world)).text
    form = form_of(html, f"{path}/{key}")
    sent = {"command_id": hidden(form, "command_id")[0],
            "expected_version": hidden(form, "expected_version")[0], **data}
    return await post(client, f"{path}/{key}", world, sent, lang=lang)


def table_holding(app, text: str) -> list[str]:
    """Every table of the database whose rows hold ``text`` anywhere (as the adversary
    with a copy of the disk would look)."""
    found = []
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT table_schema, table_name FROM information_schema.tables "
                     "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
        for row in curs.fetchall():
            name = f'"{row["table_schema"]}"."{row["table_name"]}"'
            curs.execute(f"SELECT count(*) AS n FROM {name} t WHERE t::text LIKE %s",  # noqa: S608
                         (f"%{text}%",))
            if curs.fetchone()["n"]:
                found.append(name)
    return found


# -- the import page ----------------------------------------------------------------------

def import_files(b, with_mapping: bool = True) -> list:
    """Batch ``b`` as ODK Central files, with the form and (unless told not to) the mapping."""
    (name, data), extra = s.odk_csv(b)
    files = [("data", (name, data, "text/csv")),
             ("form", (s.FORM.name, s.FORM.read_bytes(), "application/octet-stream")),
             *[("repeat", (n, blob, "text/csv")) for n, blob in extra]]
    if with_mapping:
        files.append(("mapping", (s.MAPPING.name, s.MAPPING.read_bytes(), "application/toml")))
    return files


async def post_import(client, who, collective, b, action, **kw):
    """The import page's form posted by ``who``, with batch ``b``'s ODK Central files."""
    return await client.post(f"/c/{collective}/import", headers=who.headers(),
                             data={"csrf_token": who.csrf, "action": action},
                             files=import_files(b, **kw))
