"""Likely duplicate workers within one collective: the same woman recorded twice (an import
and a form, two offline phones). Names and phones are compared opened, in memory, and
never leave this room: a suggestion says *why* (a similar pseudonym, the same phone, shared
grievances), never the values.

The merge itself is a pair of worker commands (``MergeWorkers``, ``UndoWorkerMerge``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher
from fractions import Fraction
from itertools import combinations
from unicodedata import normalize
from uuid import UUID

import msgspec

from organize import commands as c
from organize.domain import Worker

SIMILAR = 0.85  # SequenceMatcher ratio of two folded pseudonyms
# The weight of grievances two records share (``shared_grievances``) that makes them worth a
# look: 1 is one grievance naming only the two of them. Where two women often raise grievances
# together this suggests many pairs; 2 would ask for two such grievances.
SHARED_ENOUGH = 1
# Women who raise a grievance together are usually two women (the same employer, the same
# agency), so shared grievances alone never suggest a pair: they add weight to a pair whose
# pseudonyms are at least loosely alike (``loosely_alike``), or already similar.
LOOSELY = 0.6


def _fold(text: str) -> str:
    return " ".join(normalize("NFKC", text).casefold().split())


def _digits(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-8:] if len(digits) >= 6 else ""  # the subscriber part, without prefixes


def similar(a: c.Profile, b: c.Profile) -> str | None:
    """Why two profiles may be one woman, or None. Pseudonyms that differ in their digits
    ("Asha 2") are told apart on purpose."""
    if _digits(a.phone) and _digits(a.phone) == _digits(b.phone):
        return "same phone as"
    x, y = _fold(a.pseudonym), _fold(b.pseudonym)
    if x == y:
        return "pseudonym like"
    if re.sub(r"\D", "", x) == re.sub(r"\D", "", y):
        matcher = SequenceMatcher(None, x, y)
        if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR \
                and matcher.ratio() >= SIMILAR:
            return "pseudonym like"
    return None


def loosely_alike(a: c.Profile, b: c.Profile) -> bool:
    """Pseudonyms too far apart to be called similar, but close enough that a shared
    grievance makes the pair worth a look: a name of three letters or more in common
    ("Kalpana Rai", "K. Rai") or a SequenceMatcher ratio of at least ``LOOSELY``."""
    x, y = _fold(a.pseudonym), _fold(b.pseudonym)
    names = [{w for w in re.split(r"[^\w]+", z) if len(w) >= 3 and w.isalpha()} for z in (x, y)]
    return bool(names[0] & names[1]) or SequenceMatcher(None, x, y).ratio() >= LOOSELY


def block(profile: c.Profile) -> tuple[str, ...]:
    """The buckets a profile is compared within: its phone, and its pseudonym's first and
    last four letters with its digits (two similar pseudonyms share one end, and their
    digits), so a file of thousands is not compared pair by pair."""
    folded = _fold(profile.pseudonym)
    letters, digits = re.sub(r"[^\w]|\d", "", folded), re.sub(r"\D", "", folded)
    keys = (f"n:{letters[:4]}:{digits}", f"e:{letters[-4:]}:{digits}")
    return (f"p:{_digits(profile.phone)}", *keys) if _digits(profile.phone) else keys


class Index:
    """Profiles seen so far, each with a label, found again by ``like``."""

    def __init__(self) -> None:
        self._blocks: dict[str, list[tuple[object, c.Profile]]] = {}

    def add(self, label: object, profile: c.Profile) -> None:
        for key in block(profile):
            self._blocks.setdefault(key, []).append((label, profile))

    def like(self, profile: c.Profile) -> tuple[str, object] | None:
        for key in block(profile):
            for label, other in self._blocks.get(key, ()):
                why = similar(profile, other)
                if why:
                    return why, label
        return None


def shared_grievances(grievances: Mapping[UUID, Iterable[UUID]],
                      workers: Iterable[UUID]) -> set[frozenset[UUID]]:
    """The pairs of ``workers`` that the grievances name together closely enough to be worth
    a look. A grievance with ``n`` workers gives each of its pairs ``1 / (n - 1)``, and a
    pair reaching ``SHARED_ENOUGH`` is returned: the only two workers on a grievance, or two
    who keep being named together on small ones. A group grievance alone never is (ten
    women standing behind one wage claim are ten women, not forty-five possible
    duplicates)."""
    wanted = set(workers)
    weight: dict[frozenset[UUID], Fraction] = {}
    for parties in grievances.values():
        named = set(parties)
        share = Fraction(1, max(len(named) - 1, 1))
        for pair in combinations(sorted(named & wanted), 2):
            weight[frozenset(pair)] = weight.get(frozenset(pair), Fraction(0)) + share
    return {pair for pair, w in weight.items() if w >= SHARED_ENOUGH}


class Suggestion(msgspec.Struct, frozen=True):
    worker_ids: tuple[UUID, UUID]
    reasons: tuple[str, ...]


def suggest(app, collective_id: UUID, worker_ids: Iterable[UUID],
            grievances: Mapping[UUID, Iterable[UUID]] | None = None) -> list[Suggestion]:
    """Pairs of living, unmerged workers who are members of ``collective_id`` now and may be
    one woman: a similar pseudonym, the same phone, or shared grievances
    (``shared_grievances`` over ``grievances``, each grievance's workers: the collective's
    own grievances only, read within the reader's scope) between two records whose
    pseudonyms are loosely alike or that are suggested already."""
    profiles: dict[UUID, c.Profile] = {}
    held_by: dict[UUID, frozenset[UUID]] = {}  # her collectives now: a merge needs the same
    for worker_id in dict.fromkeys(worker_ids):
        agg = app.load(Worker, worker_id, field="worker_id")
        if agg.erased or agg.merged_into is not None or collective_id not in agg.collectives:
            continue
        opened = app.open(agg.id, agg.profile, c.Profile)
        if opened is not None:
            profiles[agg.id] = opened
            held_by[agg.id] = frozenset(agg.collectives)
    index = Index()
    found: dict[frozenset[UUID], list[str]] = {}
    for worker_id, profile in profiles.items():
        for key in block(profile):
            for other_id, other in index._blocks.get(key, ()):
                why = similar(profile, other)
                if why:
                    found.setdefault(frozenset((other_id, worker_id)), []).append(
                        {"same phone as": "same phone", "pseudonym like": "similar pseudonym"}[why])
        index.add(worker_id, profile)
    for pair in shared_grievances(grievances or {}, profiles):
        first, second = (profiles[w] for w in pair)
        if pair in found or loosely_alike(first, second):
            found.setdefault(pair, []).append("shared grievances")
    found = {pair: why for pair, why in found.items()
             if len({held_by[w] for w in pair}) == 1}  # only pairs ``MergeWorkers`` takes
    order = list(profiles)
    return [Suggestion(worker_ids=tuple(sorted(pair, key=order.index)),
                       reasons=tuple(dict.fromkeys(reasons)))
            for pair, reasons in sorted(found.items(), key=lambda kv: sorted(map(order.index, kv[0])))]
