"""A meeting register's rows: the mapping of one submission to the meeting held and who
came (``[meeting]`` and ``[attendees]`` in the mapping), and the matching of each attendee
to a worker already known; and ``pair``, the same matching for the co-workers an edited
row names, so that an edit corrects each person's own record. ``organize.imports.commit``
schedules the meeting, records it held and corrects it through the ordinary commands.

An attendee is matched by the same phone, or (where either has no phone) the same
pseudonym, to exactly one worker: a member of the collective, an attendee of this row's
earlier version, or one an earlier row of the file registered. Otherwise she is registered,
her name and phone sealed under her own key; never a guess between two.

A register holds up to ``MAX_ATTENDEES`` people a meeting, what ``RecordMeetingHeld`` and
``CorrectAttendance`` carry: a big assembly has hundreds. The ledger entry of the row names
only the first ``LEDGER_WORKERS`` of them (its first keys the row's fingerprint); the
meeting itself names everyone, and an edit reads who came from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import msgspec

from organize import commands as c
from organize.imports.mapping import EMPTY, NOT_A_DATE, NOT_VALID, Quarantine

MAX_ATTENDEES = 500  # RecordMeetingHeld's and CorrectAttendance's attendee_ids
LEDGER_WORKERS = 50  # RecordImportedSubmission's worker_ids


class MeetingIn(msgspec.Struct, frozen=True):
    kind: str
    held_at: datetime
    language: str
    attendees: tuple[c.Profile, ...]


def read_meeting(reader, values: dict[str, str], repeats: dict[str, list[dict[str, str]]]
                 ) -> MeetingIn:
    """The meeting one submission records (``reader`` is the plan's, which reads choices,
    constants and profiles as the mapping says), or ``Quarantine``."""
    m = reader.mapping
    spec, at = m.section("meeting"), m.section("meeting").get("held_at")
    kind = reader.required(reader.choice(spec.get("kind"), values, "kind"), spec.get("kind"),
                           "kind")
    text = reader.required(reader.raw(at, values), at, "meeting time")
    try:
        held_at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Quarantine(NOT_A_DATE, question=at) from None
    if held_at.tzinfo is None:
        held_at = held_at.replace(tzinfo=UTC)
    who = m.section("attendees")
    attendees = tuple(reader.profile(who, item, f"attendee {i}")
                      for i, item in enumerate(repeats.get(who["repeat"], []), 1)
                      if any(item.values()))
    if not attendees:
        raise Quarantine(EMPTY, question=who["pseudonym"])
    if len(attendees) > MAX_ATTENDEES:  # what one meeting's commands can name
        raise Quarantine(NOT_VALID, question=who["repeat"])
    language = reader.raw(spec.get("language", "en"), values) or "en"
    return MeetingIn(kind=kind, held_at=held_at, language=language, attendees=attendees)


def same(a: c.Profile, b: c.Profile) -> bool:
    """The same person, for an attendee: the same phone; or, where either has no phone,
    the same pseudonym. Two phones that differ are two women, whatever their names."""
    def digits(p: c.Profile) -> str:
        return "".join(ch for ch in (p.phone or "") if ch.isdigit())

    if digits(a) and digits(b):
        return digits(a) == digits(b)
    return a.pseudonym.strip().casefold() == b.pseudonym.strip().casefold()


def match(profile: c.Profile, known: Sequence[tuple[UUID, c.Profile]]) -> UUID | None:
    """The one worker ``profile`` is; None when none is, or when several could be (she is
    registered then, and the duplicate suggestions offer the merge: never a guess)."""
    found = {wid for wid, p in known if same(profile, p)}
    return found.pop() if len(found) == 1 else None


def attendee_ids(app, cid, collective_id: UUID, held: MeetingIn,
                 known: Sequence[tuple[UUID, c.Profile]],
                 fresh: list[tuple[UUID, c.Profile]]) -> tuple[UUID, ...]:
    """Each attendee as a worker already known (a member, or an attendee of this row's
    earlier version), or registered now; names and phones sealed under her own key."""
    ids: list[UUID] = []
    for i, profile in enumerate(held.attendees):
        found = match(profile, known)
        if found is None:
            found = app.execute(c.RegisterWorker(
                command_id=cid(f"attendee:{i}"), profile=profile, collective_id=collective_id,
                joined_on=held.held_at.date())).id
            fresh.append((found, profile))
        ids.append(found)
    return tuple(dict.fromkeys(ids))


def pair(profiles: Sequence[c.Profile], before: Sequence[tuple[UUID, c.Profile | None]]
         ) -> list[UUID | None]:
    """For the people an edited row names (its co-workers), the record each one was: the one
    with the same phone or the same pseudonym (a corrected phone, or a corrected name), else
    the one in her place in the list if nobody took it; None for someone new. A person
    dropped from the list leaves her record alone, and never lends it to the next one."""
    def alike(a: c.Profile, b: c.Profile) -> bool:
        digits = ["".join(ch for ch in (p.phone or "") if ch.isdigit()) for p in (a, b)]
        return (digits[0] != "" and digits[0] == digits[1]) or \
            a.pseudonym.strip().casefold() == b.pseudonym.strip().casefold()

    free = {wid: p for wid, p in before if p is not None}  # erased records are never reused
    out: list[UUID | None] = []
    for profile in profiles:
        out.append(next((wid for wid, p in free.items() if alike(profile, p)), None))
        free.pop(out[-1], None)
    for i, wid in enumerate(out):
        if wid is None and i < len(before) and before[i][0] in free:
            out[i] = before[i][0]
            free.pop(out[i])
    return out
