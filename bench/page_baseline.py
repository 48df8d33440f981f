"""The page bench's baseline: a bare Litestar + Jinja2 app that renders one HTML page from
one SQL query, served by uvicorn exactly as ``organize serve`` serves (bench/pages.py).

    GET /page?rows=N   N rows of the event log's notification ids and topics, as a table

``rows`` is chosen by the bench so that the page is as large as the project's pages.
Configured from the environment (BASELINE_DATABASE_URL), so uvicorn workers can import it.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

import asyncpg
from jinja2 import Environment
from litestar import Litestar, MediaType, Response, get

TEMPLATE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baseline</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Events</h1><table><thead><tr><th>#</th><th>topic</th><th>version</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.notification_id }}</td><td>{{ row.topic }}</td>
<td>{{ row.originator_version }}</td></tr>
{% endfor %}</tbody></table></main></body></html>
""")

POOL: dict[str, asyncpg.Pool] = {}


@asynccontextmanager
async def pool(_app: Litestar):
    POOL["pool"] = await asyncpg.create_pool(os.environ["BASELINE_DATABASE_URL"], min_size=1,
                                             max_size=int(os.environ.get("BASELINE_POOL", "5")))
    try:
        yield
    finally:
        await POOL["pool"].close()


@get("/page")
async def page(rows: int = 50) -> Response:
    async with POOL["pool"].acquire() as conn:
        found = await conn.fetch(
            "SELECT notification_id, topic, originator_version FROM organize_events "
            "ORDER BY notification_id LIMIT $1", rows)
    return Response(TEMPLATE.render(rows=found), media_type=MediaType.HTML)


def create_app() -> Litestar:
    return Litestar(route_handlers=[page], lifespan=[pool])
