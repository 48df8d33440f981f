"""The "History" section of every record page, in the reader's language.

The history itself is an application read (``organize.application.history.record_history``) made with the
page's own ``Authorised`` application; this module only puts it into words: what happened
(the timeline's phrases), which fields it set, the codes among them, which are erased, when (in
the collective's zone, labelled) and which kind of account did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from organize.application.history import CORRECTION, ERASURE, WITHDRAWAL, Entry, record_history
from web.i18n.formatting import format_datetime, zone_name
from web.i18n.labels import taxonomy_label
from web.i18n.messages import N_
from web.pages.common import CHANGED, EVENT_WORDS, Page

# Words the timeline's phrases lack: events only a history shows.
MORE_EVENT_WORDS = {
    "CollectiveInvited": N_("Another group invited"),
    "InvitationAccepted": N_("Invitation accepted"),
    "InvitationDeclined": N_("Invitation declined"),
    "Absorbed": N_("Another record of hers merged into this one"),
    "MergedInto": N_("Merged into another record of hers"),
    "MergeUndone": N_("Merge undone"),
}
ROLE_WORDS = {
    "leader": N_("by a collective leader"),
    "organiser": N_("by an organiser"),
    "admin": N_("by an administrator"),
}
NO_ROLE = N_("by the operator (or before roles were recorded)")
KIND_WORDS = {CORRECTION: N_("Correction"), WITHDRAWAL: N_("Withdrawal"), ERASURE: N_("Erasure")}
FIELD_WORDS = {
    "profile": N_("personal details"),
    "description": N_("description"),
    "category": N_("category"),
    "sector": N_("sector"),
    "place": N_("place"),
    "stage": N_("stage"),
    "worker_ids": N_("workers"),
    "organisation_ids": N_("organisations"),
    "organisation_id": N_("organisation"),
    "note": N_("note"),
    "notes": N_("notes"),
    "details": N_("details"),
    "status": N_("status"),
    "occupation": N_("occupation"),
    "decisions": N_("decisions"),
    "name": N_("name"),
    "outcome": N_("outcome"),
    "amount": N_("amount"),
    "on": N_("date"),
    "reason_code": N_("reason"),
    "collective_id": N_("group"),
}


@dataclass(frozen=True)
class Row:
    kind: str
    iso: str
    when: str
    what: str
    kind_text: str | None
    by: str
    fields: str
    erased: str


def _zone(name: str, lang: str) -> str:
    """The zone's name in her language, as the meeting pages show it ("Hong Kong Time")."""
    try:
        return zone_name(ZoneInfo(name), lang)
    except (ZoneInfoNotFoundError, ValueError):
        return name


def _row(page: Page, e: Entry) -> Row:
    what = page._(EVENT_WORDS.get(e.event) or MORE_EVENT_WORDS.get(e.event) or CHANGED)
    codes = [taxonomy_label(vocabulary, code, page.lang) for _, vocabulary, code in e.codes]
    if codes:
        what = f"{what} · {', '.join(codes)}"
    named = [page._(FIELD_WORDS[f]) for f in e.fields if f in FIELD_WORDS]
    erased = [page._(FIELD_WORDS[f]) for f in e.erased if f in FIELD_WORDS]
    if len(erased) < len(e.erased):
        erased.append(page._("other details"))
    return Row(
        kind=e.kind,
        iso=e.recorded_at.isoformat(),
        when=f"{format_datetime(e.recorded_at, page.lang, 'short')} ({_zone(e.zone, page.lang)})",
        what=what,
        kind_text=page._(KIND_WORDS[e.kind]) if e.kind in KIND_WORDS else None,
        by=page._(ROLE_WORDS.get(e.role or "", NO_ROLE)),
        fields=page._("Recorded: %(fields)s", fields=", ".join(named)) if named else "",
        erased=page._("Erased: %(fields)s", fields=", ".join(erased)) if erased else "",
    )


async def history_rows(
    page: Page, cls: type, aggregate_id: UUID, field: str, collective: Any = None,
    loaded: Any = None,
) -> list[Row]:
    """The record's history as this page's account may see it, newest first (``loaded``:
    the record as this page loaded it, through ``page.load``)."""
    entries = await page.call(
        record_history, page.organize, cls, aggregate_id, field=field, collective=collective,
        loaded=loaded,
    )
    return history_words(page, entries)


def history_words(page: Page, entries: list[Entry]) -> list[Row]:
    """Entries of ``record_history`` (oldest first) as the page shows them, newest first."""
    return [_row(page, e) for e in reversed(entries)]
