"""What every leaders' page shares: the ``page`` dependency (the account's application,
the read pool, the pseudonym opener, the scope and the language, in one object), loading an
aggregate within scope, reading views, read-your-writes, rendering and redirecting.

Pages live under ``/c/{collective_id}``. An id of another collective, or one that does not
exist, answers the same 404 page. Paths carry opaque ids only; pseudonyms and whatever a
leader types travel in POST bodies.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

import anyio
import asyncpg
from litestar import MediaType, Request, Response
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotFoundException

from organize.application.access import Authorised
from organize.application.reading import events_since
from organize.domain import Collective, Worker
from organize.domain.dates import day_of
from organize.domain.limits import CORRECTION_REASONS
from organize.errors import CommandError, NotFound
from organize.projections.reads import EVENTS_TABLE, Scope, generations_for_request, wait_for
from organize.projections.views.worker_directory import sealed_profiles
from organize.time_zones import today_in, zone_of
from web.api.projection_reads import WAIT_SECONDS  # one bound for pages and API
from web.auth.pages import error_page
from web.i18n import get_translations, locale_from_request
from web.i18n.messages import N_
from web.i18n.templating import default_environment
from web.pages.forms import execute

T = TypeVar("T")

NOTICE_PARAM = "n"  # ?n=<notification id>: the page waits for it, then says "Saved."
# A server listens before its views have caught up with the log; its pages say so meanwhile.
CATCHING_UP = N_("The lists are still catching up with the latest records; some recent "
                 "changes may be missing. Reload in a moment.")


class Unavailable(Exception):  # noqa: N818 - answered as a 503 page
    """A view's tables do not exist yet (the app is still building them)."""


def today() -> date:
    return datetime.now(UTC).date()


# The collectives' records (names, languages, time zones, alliances: nothing personal) as
# this process last loaded them, with the version each was loaded at. A page reads the stored
# version first, so a change made by any process is seen on the next page.
_COLLECTIVES: dict[UUID, tuple[int, Collective]] = {}
_KEPT_COLLECTIVES = 256
_COLLECTIVE_VERSION = (f"SELECT max(originator_version) FROM {EVENTS_TABLE} "
                       "WHERE originator_id = $1")
# ... and the views' live generations in the same round trip, as ``tables`` reads them
# (organize.projections.reads.generations_for_request): the version in the row without a name.
_GENERATIONS_AND_VERSION = ("SELECT name, generation::bigint FROM organize_projections "
                            f"UNION ALL {_COLLECTIVE_VERSION.replace('max(', 'NULL, max(', 1)}")


def _keep_collective(found: Collective) -> None:
    if len(_COLLECTIVES) >= _KEPT_COLLECTIVES and found.id not in _COLLECTIVES:
        _COLLECTIVES.pop(next(iter(_COLLECTIVES)))  # the longest kept
    _COLLECTIVES[found.id] = (found.version, _own_copy(found))


def _own_copy(found: Collective) -> Collective:
    """A copy of a collective's record that shares nothing mutable with it: its lists and
    dicts (alliances, past alliances, pending events) are copied, and what they hold (ids,
    days, tuples of them) cannot change. A twelfth of ``copy.deepcopy`` (7 against 85 us)."""
    mine = copy.copy(found)
    own = vars(mine)
    for name, value in own.items():
        if isinstance(value, (list, dict, set)):
            own[name] = value.copy()
    return mine


@dataclass
class Page:
    """One request to a leaders' page, with what it may use."""

    request: Request
    organize: Any  # the application as this account may use it (organize.application.access.Authorised)
    pool: asyncpg.Pool
    reveal: Any  # organize.persistence.reveal.Revealer
    scope: Scope
    rubric: Any
    csrf: str | None
    lang: str
    notice: str | None = None
    # The time zone of the collective the page is about, once loaded (``collective``):
    # meeting times are typed and shown in it, and "today" is its today.
    zone: tzinfo | None = None
    # The primary's and the replica's pools (organize.projections.replica.ReadPools), if any.
    pools: Any = None
    # One pooled connection serves every read of the request: taken at the first read and
    # given back when the handler ends (``provide_page``), instead of a take-and-reset
    # round trip to the pool for each of a page's reads. Rendering is synchronous, so
    # holding it meanwhile keeps nothing else waiting.
    _conn: asyncpg.Connection | None = field(default=None, init=False, repr=False)
    _conn_pool: asyncpg.Pool | None = field(default=None, init=False, repr=False)
    # The views' live generations, read once for the request (organize.projections.reads).
    _generations: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    # -- small helpers ---------------------------------------------------------------------

    def _(self, message: str, **params: Any) -> str:
        text = get_translations(self.lang).gettext(message)
        return text % params if params else text

    @property
    def htmx(self) -> bool:
        """An htmx request (it swaps the fragment it gets back into the page)."""
        return self.request.headers.get("hx-request") == "true"

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run something synchronous (the application) off the event loop."""
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run something that records (a command, a use case) off the event loop, with the
        request's read connection given back first: a write holds its own connection of the
        event store for as long as it runs, and an idle read connection held meanwhile is
        one of the pool's few (a later read of the page takes one again)."""
        await self.release()
        return await self.call(fn, *args, **kwargs)

    async def execute(self, command: Any, form: Any, *, fields: Iterable[str] = ()) -> Any:
        """A command from ``form`` (web.pages.forms.execute), the read connection given back
        first (``write``): the result, or None with the refusal on the form."""
        await self.release()
        return await execute(self.organize, command, form, self.lang, fields=fields)

    async def load(self, cls: type[T], aggregate_id: UUID, field: str = "id",
                   events: list | None = None) -> T:
        """An aggregate, if this account may see it; NotFound (a 404 page) otherwise.
        ``events`` receives the stored events it was built from (for its history)."""
        if events is None:
            return await self.call(self.organize.load, cls, aggregate_id, field=field)
        return await self.call(self.organize.load, cls, aggregate_id, field=field, events=events)

    async def collective(self, collective_id: UUID) -> Collective:
        found = await self._kept_collective(collective_id)
        if found is None:
            found = await self.load(Collective, collective_id, "collective_id")
            _keep_collective(found)
        self.zone = zone_of(found)
        return found

    async def _kept_collective(self, collective_id: UUID) -> Collective | None:
        """The collective's record as this process last loaded it, when its version is still
        the stored one (one indexed query, with the views' generations, instead of a load
        in a thread) and this account may read it; None otherwise (``load`` it, and answer
        its refusals). Only with no replica: the version is read where writes land."""
        organize = self.organize
        if not isinstance(organize, Authorised) or not organize.principal.organises:
            return None
        if self.pools is not None and self.pools.replica is not None:
            return None
        kept = _COLLECTIVES.get(collective_id)
        if kept is None:
            return None
        if self._conn is not None:
            version = await self._read_version(self._conn, collective_id)
        else:
            # A connection of its own, given back at once: a page that held one from here
            # would hold it while ``settle`` takes another from the same pool, and with every
            # connection held so, no page would ever get its second (seen under 50 clients).
            async with self.pool.acquire() as conn:
                version = await self._read_version(conn, collective_id)
        if version != kept[0]:
            # Moved on (renamed, erased...): the old record is not kept a moment longer.
            _COLLECTIVES.pop(collective_id, None)
            return None
        found = _own_copy(kept[1])  # the page's own: nothing it does reaches the kept one
        organize.visibility.seen(found)  # as ``Authorised.load``: seen, then in scope
        return found if organize.visibility.readable(found) else None

    async def _read_version(self, conn: asyncpg.Connection, collective_id: UUID) -> int | None:
        if self._generations:
            return await conn.fetchval(_COLLECTIVE_VERSION, collective_id)
        version = None  # with the views' live generations, which the page's reads need next
        for row in await conn.fetch(_GENERATIONS_AND_VERSION, collective_id):
            if row["name"] is None:
                version = row["generation"]
            else:
                self._generations[row["name"]] = row["generation"]
        self._generations.setdefault("", 0)  # read, as ``tables`` marks it
        return version

    @property
    def today(self) -> date:
        """Today in the page's collective (UTC before one is loaded)."""
        return today_in(self.zone)

    async def connection(self) -> asyncpg.Connection:
        """The request's connection to the views (taken from the pool at first use)."""
        if self._conn is None:
            self._conn = await self.pool.acquire()
            self._conn_pool = self.pool
        return self._conn

    async def release(self) -> None:
        """Give the request's connection back to its pool (a later read takes one again)."""
        conn, pool = self._conn, self._conn_pool
        self._conn = self._conn_pool = None
        if conn is not None and pool is not None:
            await pool.release(conn)

    async def read(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """A read function of the views, on the request's connection; the collective texts
        the views keep sealed are opened for this page (``Revealer.open``), never stored."""
        return await self.open(await self.read_sealed(fn, *args, **kwargs))

    async def read_sealed(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """``read`` with the sealed texts left sealed: a page that reads several views opens
        their answers together (``open``), with one look-up of their keys."""
        conn = await self.connection()
        try:
            with generations_for_request(self._generations):
                return await fn(conn, *args, **kwargs)
        except asyncpg.UndefinedTableError:
            raise Unavailable() from None

    async def open(self, found: T) -> T:
        """``found`` (answers of ``read_sealed``, a tuple of several) with its sealed texts
        opened for this page, never stored."""
        return await self.reveal.open(found, conn=await self.connection())

    async def settle(self, views: Iterable[str]) -> None:
        """Read-your-writes: when the page was reached after a command (``?n=``), wait (up
        to 2 s) for the views it reads to apply it, and say so. With a replica, the views
        are read there once it holds what the page needs (organize.projections.replica)."""
        views = list(views)
        raw = self.request.query_params.get(NOTICE_PARAM)
        wanted = int(raw) if raw and raw.isdigit() else None
        if self.pools is not None and self.pools.replica is not None:
            chosen = await self.pools.choose(views, wanted)
            if chosen is not self.pool:  # ``db_pool`` may have been the replica, or not
                await self.release()  # read from the chosen pool from now on
                self._generations.clear()
                self.pool = chosen
            if chosen is self.pools.replica:
                self.notice = self._("Saved.") if wanted else self.notice
                return
        if not wanted:
            if self.pools is not None and await self.pools.lag.behind(self.pool, views):
                self.notice = self._(CATCHING_UP)
            return
        reached = await wait_for(self.pool, views, wanted, timeout=WAIT_SECONDS)
        self._generations.clear()  # the views' generations are read again after the wait
        self.notice = self._("Saved.") if reached else self._("Still updating. Reload in a moment.")

    async def pseudonyms(self, worker_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Pseudonyms for these workers: from the directory view, opened with their keys; a
        worker the view does not hold yet is read from her own record."""
        ids = list(dict.fromkeys(worker_ids))
        if not ids:
            return {}
        sealed = await self.read(sealed_profiles, ids)
        found = await self.reveal.pseudonyms([(i, sealed[i]) for i in ids if i in sealed],
                                             conn=await self.connection())
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(await self.call(self._read_pseudonyms, missing))
        return found

    def _read_pseudonyms(self, worker_ids: list[UUID]) -> dict[UUID, str]:
        from organize.application.reading import worker_view

        out = {}
        for worker_id in worker_ids:
            try:
                out[worker_id] = worker_view(self.organize, self.organize.load(
                    Worker, worker_id, field="worker_id")).profile.pseudonym
            except CommandError:  # not hers to see: a mark, not a name
                out[worker_id] = "…"
        return out

    # -- answering -------------------------------------------------------------------------

    def html(self, template: str, *, status: int = 200, **context: Any) -> Response:
        if not isinstance(status, int):  # ``status`` is the HTTP status, never a context value
            raise TypeError(f"status must be an HTTP status code, not {status!r}")
        body = default_environment().get_template(template).render(
            request=self.request, lang=self.lang, csrf_token=self.csrf or "", zone=self.zone,
            notice=context.pop("notice", None) or self.notice, **context)
        return Response(body, status_code=status, media_type=MediaType.HTML)

    def go(self, path: str, result: Any = None) -> Response:
        """After a command: to ``path``, which waits for the command's last event. htmx gets
        a full navigation (``HX-Redirect``) rather than a page inside the form."""
        nid = getattr(result, "notification_id", None)
        if nid:
            path += ("&" if "?" in path else "?") + f"{NOTICE_PARAM}={nid}"
        if self.htmx:
            return Response("", status_code=200, headers={"HX-Redirect": path})
        return Response("", status_code=303, headers={"Location": path})


async def provide_page(request: Request, organize: NamedDependency[Any],
                       db_pool: NamedDependency[asyncpg.Pool], reveal: NamedDependency[Any],
                       reader_scope: NamedDependency[Scope], rubric: NamedDependency[Any],
                       csrf_token: NamedDependency[str | None],
                       read_pools: NamedDependency[Any] = None) -> AsyncGenerator[Page, None]:
    page = Page(request=request, organize=organize, pool=db_pool, reveal=reveal,
                scope=reader_scope, rubric=rubric, csrf=csrf_token,
                lang=locale_from_request(request), pools=read_pools)
    try:
        yield page
    finally:  # also when the handler failed or the client went away
        await page.release()


PAGE_DEPENDENCIES = {"page": Provide(provide_page)}


# -- error pages ------------------------------------------------------------------------------


def _error_page(request: Request, status: int, code: str) -> Response:
    return error_page(request, status, code)  # one render path for every error page


def not_found(request: Request, _exc: Exception) -> Response:
    return _error_page(request, 404, "not_found")


def refused(request: Request, exc: CommandError) -> Response:
    status = {"not_found": 404, "conflict": 409, "forbidden": 403}.get(exc.kind, 422)
    return _error_page(request, status, exc.code)


def unavailable(request: Request, _exc: Exception) -> Response:
    return _error_page(request, 503, "unavailable")


def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return not_found(request, exc)
    return _error_page(request, exc.status_code, "http_error")


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    NotFound: not_found,
    NotFoundException: not_found,
    CommandError: refused,
    Unavailable: unavailable,
    asyncpg.UndefinedTableError: unavailable,
}


def nav(collective_id: UUID, active: str) -> dict[str, Any]:
    return {"nav_prefix": f"/c/{collective_id}", "nav_active": active}


# -- what happened to a record, in words --------------------------------------------------------

# Event name -> a short phrase, for timelines and for "what changed" after a stale edit.
EVENT_WORDS = {
    "Raised": N_("Grievance raised"),
    "Joined": N_("Joined the grievance"),
    "EvidenceNoted": N_("Evidence noted"),
    "Referred": N_("Referred"),
    "Escalated": N_("Escalated"),
    "NegotiationRecorded": N_("Negotiation recorded"),
    "OutcomeRecorded": N_("Outcome recorded"),
    "RetaliationReported": N_("Retaliation reported"),
    "Withdrawn": N_("Withdrawn"),
    "Reopened": N_("Reopened"),
    "Scheduled": N_("Meeting planned"),
    "Held": N_("Recorded as held"),
    "Corrected": N_("Corrected"),
    "AttendanceCorrected": N_("Attendance corrected"),
    "DecisionsCorrected": N_("Decisions corrected"),
    "DemandCorrected": N_("Demand corrected"),
    "DemandWithdrawn": N_("Demand withdrawn"),
    "Cancelled": N_("Cancelled"),
    "Launched": N_("Campaign started"),
    "DemandAdded": N_("Demand added"),
    "CollectiveJoined": N_("Another group joined"),
    "GrievanceLinked": N_("Grievance linked"),
    "ActionTaken": N_("Action taken"),
    "DemandResolved": N_("Demand resolved"),
    "AgreementSigned": N_("Agreement signed"),
    "Closed": N_("Closed"),
    "Registered": N_("Worker added"),
    "ProfileUpdated": N_("Details changed"),
    "JoinedCollective": N_("Joined a group"),
    "LeftCollective": N_("Left a group"),
    "ConsentGiven": N_("Consent given"),
    "ConsentWithdrawn": N_("Consent withdrawn"),
    "SpellStarted": N_("Work period added"),
    "SpellEnded": N_("Work period ended"),
    "MoveRecorded": N_("Move recorded"),
    "StatusChanged": N_("Status changed"),
    "Erased": N_("Erased"),
    "Recorded": N_("Assessment recorded"),
    "Revised": N_("Assessment changed"),
    "AmountStated": N_("Amount recorded"),
    "AmountCorrected": N_("Amount corrected"),
    "KnowledgeRecorded": N_("When she learned of it"),
    "StepTaken": N_("Step taken"),
    "ProcedureFollowed": N_("Procedure chosen"),
    "DeparturePlanned": N_("Departure planned"),
    "BreachCited": N_("A breached clause cited"),
}
CHANGED = N_("Changed")


def event_name(event: Any) -> str:
    return type(event).__name__


@dataclass(frozen=True)
class Change:
    day: date
    text: str


async def changes_since(page: Page, aggregate_id: UUID, version: int) -> list[Change]:
    """What was recorded on an aggregate after ``version`` (the one her form was made from),
    in her language: the page shows it when a stale form comes back."""

    events = await page.call(events_since, page.organize, aggregate_id, version)
    return [Change(day=day_of(e), text=page._(EVENT_WORDS.get(event_name(e), CHANGED)))
            for e in events]


async def stale_edit(page: Page, aggregate_id: UUID, form: Any) -> tuple[list[Change], int]:
    """Her form was made from an older version: what changed since (in her language), and
    that version. The form is readied to go again against the version the page now shows."""
    try:
        version = int(form.get("expected_version"))
    except (TypeError, ValueError):  # missing or garbled: show everything
        version = 0
    changes = await changes_since(page, aggregate_id, version)
    form.set("expected_version", None)  # the page puts the current version in
    return changes, version


# Why a record was corrected, in her words (organize.domain.meeting.CORRECTION_REASONS).
REASON_WORDS = {
    "typing_mistake": N_("A typing mistake"),
    "wrong_day_or_time": N_("The wrong day or time"),
    "wrong_person": N_("The wrong person"),
    "came_to_light": N_("We learned more later"),
    "other": N_("Another reason"),
}


def correction_reasons(page: Page) -> list[tuple[str, str]]:
    """The reasons a correction may give, as (code, her words) choices."""
    return [(code, page._(REASON_WORDS[code])) for code in CORRECTION_REASONS]


def stale_notice(page: Page) -> str:
    return page._("Someone else changed this while you were working on it. Here is what changed:")
