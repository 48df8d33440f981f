"""The plan's working state while it is built: the workers, their spells, grievances and
campaigns as the builder tracks them, and the date helpers the steps share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from organize import commands as c

DEMO_NAMESPACE = UUID("6f726761-6e69-7a65-8000-00000000de30")



@dataclass
class Spell:
    sector: str
    occupation: str
    place: str
    employer: UUID | None
    relationship: str
    paid: bool
    start: date
    end: date | None = None
    id: UUID | None = None


@dataclass(eq=False)
class PlannedWorker:
    home: str
    nat: str
    founder: bool
    reg: date
    attend: float
    pseudonym: str = ""
    id: UUID | None = None
    leader: bool = False
    stays: bool = True
    recruiter: UUID | None = None
    recruited_sector: str | None = None
    spells: list[Spell] = field(default_factory=list)
    moves: list[tuple[date, str, str | None, str]] = field(default_factory=list)
    memberships: list[list] = field(default_factory=list)  # [collective key, joined, left]
    statuses: list[tuple[date, str, str]] = field(default_factory=list)
    consents: set[str] = field(default_factory=set)
    attended: int = 0

    def spell(self, sector: str, occupation: str, place: str, employer: UUID | None,
              relationship: str, start: date, end: date | None = None) -> Spell:
        s = Spell(sector, occupation, place, employer, relationship,
                   relationship != "unpaid", start, end)
        self.spells.append(s)
        return s

    def move(self, on: date, to: str, frm: str | None, stage: str) -> None:
        self.moves.append((on, to, frm, stage))

    def member(self, key: str, on: date) -> bool:
        if on < self.reg:
            return False
        return any(m[0] == key and m[1] <= on and (m[2] is None or on < m[2])
                   for m in self.memberships)

    def stage_place(self, on: date, default_place: str) -> tuple[str, str]:
        stage, place = "destination", default_place
        for d, to, _frm, st in self.moves:
            if d <= on:
                stage, place = st, to
        return stage, place

    def employer_spell(self, on: date, lookback: bool) -> Spell | None:
        current = [s for s in self.spells if s.employer is not None and s.start <= on
                   and (s.end is None or on <= s.end)]
        if current:
            return current[-1]
        if lookback:
            past = [s for s in self.spells if s.employer is not None and s.end is not None
                    and s.end < on]
            if past:
                return max(past, key=lambda s: s.end)
        return None

    def current_sectors(self, on: date) -> list[str]:
        return [s.sector for s in self.spells
                if s.start <= on and (s.end is None or on <= s.end)]


@dataclass
class PlannedGrievance:
    id: UUID
    key: str
    category: str
    orgs: tuple[UUID, ...]
    sector: str
    raised: date
    parties: list[PlannedWorker]


@dataclass
class PlannedCampaign:
    id: UUID
    spec: dict
    keys: list[tuple[str, date]]  # collective key, from when
    launched: date
    closed: date | None


@dataclass(frozen=True)
class Built:
    commands: tuple[c.Command, ...]
    counts: dict[str, int]


def in_days(n: int) -> timedelta:
    return timedelta(days=n)


def month_after(start: date, n: int) -> date:
    y, m = divmod(start.month - 1 + n, 12)
    return date(start.year + y, m + 1, 1)


def nth_weekday(first: date, weekday: int, nth: int) -> date:
    return first + in_days((weekday - first.weekday()) % 7 + 7 * (nth - 1))



def cut_spells(w: PlannedWorker, on: date) -> None:
    """She stops everything she was doing on ``on`` (she moves away): spells that had not
    started yet are dropped, spells still running end that day."""
    w.spells = [s for s in w.spells if s.start < on]
    for s in w.spells:
        if s.end is None or s.end > on:
            s.end = on


class NoSpell:
    employer = None


NO_SPELL = NoSpell()


def in_minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
