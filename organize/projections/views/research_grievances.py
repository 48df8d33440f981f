"""The research base: what the anonymised trend exports are computed from, and nothing more.

Researchers learn trends, never anyone's story (DOMAIN.md, "Privacy and safety"), so this
view keeps only what a trend table can use, in a form that lets an export be reproduced at
any earlier position of the event log:

- ``grievances``: one row per grievance, codes and the date it happened; no collective, no
  organisation, no free text (the descriptions are sealed in the events and never reach
  any view);
- ``states``: the grievance's outcome and escalation after each change, stamped with the
  notification id, so "as of position N" is a ``DISTINCT ON`` away;
- ``parties``: who is party to it (ids only) and from which notification id;
- ``workers``: whether she consents to research *now*, and whether she was erased;
- ``places``: the places collectives say they work in. Organisational, not personal: the
  differentially private mode takes its list of places from here, so that which places
  appear in a table does not depend on who reported what.

Consent and erasure are deliberately not temporal: an export reproduced at an old position
still leaves out a worker who has since withdrawn her consent or been erased. Her wish
applies to every export made after it, including re-runs of old ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from organize.domain import Collective, Grievance, Worker
from organize.projections.base import Tables, View, on
from organize.projections.reads import positions, tables
from organize.projections.registry import register

RESEARCH = "research"  # the consent purpose


@register
class ResearchGrievancesView(View):
    name = "research_grievances"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, category text NOT NULL, sector text NOT NULL,"
            " place text NOT NULL, stage text NOT NULL, occurred_on date NOT NULL,"
            " raised_nid bigint NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.states} ("
            " grievance_id uuid NOT NULL, nid bigint NOT NULL, outcome text,"
            " escalated boolean NOT NULL, PRIMARY KEY (grievance_id, nid))",
            f"CREATE TABLE IF NOT EXISTS {t.parties} ("
            " grievance_id uuid NOT NULL, worker_id uuid NOT NULL, nid bigint NOT NULL,"
            " PRIMARY KEY (grievance_id, worker_id))",
            f"CREATE INDEX IF NOT EXISTS {t.parties}_worker_idx ON {t.parties} (worker_id)",
            f"CREATE TABLE IF NOT EXISTS {t.places} ("
            " collective_id uuid PRIMARY KEY, places text[] NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.workers} ("
            " id uuid PRIMARY KEY, research boolean NOT NULL DEFAULT false,"
            " erased boolean NOT NULL DEFAULT false)",
        ]

    # -- collectives' places ---------------------------------------------------------------

    @on(Collective.Created, Collective.ProfileUpdated)
    def collective_places(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.places} (collective_id, places) VALUES (%s, %s::text[])"
            " ON CONFLICT (collective_id) DO UPDATE SET places = EXCLUDED.places",
            (e.originator_id, list(e.places)))

    # -- grievances ---------------------------------------------------------------------------

    @on(Grievance.Raised)
    def raised(self, curs, e, nid) -> None:
        # One round trip: the grievance, its first state and its parties.
        curs.execute(
            f"WITH g AS (INSERT INTO {self.t.grievances} (id, category, sector, place, stage,"
            " occurred_on, raised_nid) VALUES (%(id)s, %(category)s, %(sector)s, %(place)s,"
            " %(stage)s, %(occurred_on)s, %(nid)s) ON CONFLICT (id) DO NOTHING),"
            f" s AS (INSERT INTO {self.t.states} (grievance_id, nid, outcome, escalated)"
            " VALUES (%(id)s, %(nid)s, NULL, false) ON CONFLICT DO NOTHING)"
            f" INSERT INTO {self.t.parties} (grievance_id, worker_id, nid)"
            " SELECT %(id)s, w, %(nid)s FROM unnest(%(workers)s::uuid[]) AS w ON CONFLICT DO NOTHING",
            {"id": e.originator_id, "category": e.category, "sector": e.sector, "place": e.place,
             "stage": e.stage, "occurred_on": e.occurred_on, "nid": nid,
             "workers": list(e.worker_ids)})

    @on(Grievance.Joined)
    def joined(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.parties} (grievance_id, worker_id, nid)"
            " SELECT %s, w, %s FROM unnest(%s::uuid[]) AS w ON CONFLICT DO NOTHING",
            (e.originator_id, nid, list(e.worker_ids)))

    def _state(self, curs, e, nid, outcome: str, escalated: str, params: tuple = ()) -> None:
        # The new state is the latest one with one field changed.
        curs.execute(
            f"INSERT INTO {self.t.states} (grievance_id, nid, outcome, escalated)"
            f" SELECT grievance_id, %s, {outcome}, {escalated} FROM {self.t.states}"
            " WHERE grievance_id = %s ORDER BY nid DESC LIMIT 1 ON CONFLICT DO NOTHING",
            (nid, *params, e.originator_id))

    @on(Grievance.OutcomeRecorded)
    def outcome_recorded(self, curs, e, nid) -> None:
        self._state(curs, e, nid, "%s", "escalated", (e.outcome,))

    @on(Grievance.Reopened)
    def reopened(self, curs, e, nid) -> None:
        self._state(curs, e, nid, "NULL", "escalated")

    @on(Grievance.Escalated)
    def escalated(self, curs, e, nid) -> None:
        self._state(curs, e, nid, "outcome", "true")

    # -- workers ------------------------------------------------------------------------------

    @on(Worker.ConsentGiven)
    def consent_given(self, curs, e, _nid) -> None:
        if e.purpose == RESEARCH:
            curs.execute(
                f"INSERT INTO {self.t.workers} (id, research) VALUES (%s, true)"
                f" ON CONFLICT (id) DO UPDATE SET research = NOT {self.t.workers}.erased",
                (e.originator_id,))

    @on(Worker.ConsentWithdrawn)
    def consent_withdrawn(self, curs, e, _nid) -> None:
        if e.purpose == RESEARCH:
            curs.execute(
                f"INSERT INTO {self.t.workers} (id, research) VALUES (%s, false)"
                " ON CONFLICT (id) DO UPDATE SET research = false", (e.originator_id,))

    @on(Worker.Erased)
    def erased(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.workers} (id, research, erased) VALUES (%s, false, true)"
            " ON CONFLICT (id) DO UPDATE SET research = false, erased = true", (e.originator_id,))


# -- reads -------------------------------------------------------------------------------------

# A grievance counts only if every party to it (as of the export's position) consents to
# research now and none was erased. A grievance with a party who did not consent says
# something about her too, so it is left out whole.
_ELIGIBLE = """
    g.raised_nid <= $1
    AND NOT (g.category = ANY($2::text[]))
    AND EXISTS (SELECT 1 FROM {parties} p WHERE p.grievance_id = g.id AND p.nid <= $1)
    AND NOT EXISTS (
        SELECT 1 FROM {parties} p LEFT JOIN {workers} w ON w.id = p.worker_id
        WHERE p.grievance_id = g.id AND p.nid <= $1
          AND (w.id IS NULL OR NOT w.research OR w.erased))
"""

_LATEST_STATE = """
    SELECT DISTINCT ON (grievance_id) grievance_id, outcome, escalated FROM {states}
    WHERE nid <= $1 ORDER BY grievance_id, nid DESC
"""


async def position(conn: asyncpg.Connection) -> int:
    """The last notification id the research base has applied."""
    return (await positions(conn, [ResearchGrievancesView.name]))[ResearchGrievancesView.name]


async def fine_counts(conn: asyncpg.Connection, *, at: int, exclude_categories: Sequence[str],
                      since: date | None = None, until: date | None = None,
                      ) -> list[asyncpg.Record]:
    """Eligible grievances as of notification id ``at``, counted at the finest grain: month,
    place, category, sector, stage, outcome (as of ``at``) and escalation. Everything
    coarser is a sum of these rows."""
    t = await tables(conn, ResearchGrievancesView.name)
    sql = (
        f"WITH s AS ({_LATEST_STATE.format(states=t.states)})"
        " SELECT date_trunc('month', g.occurred_on)::date AS month, g.place, g.category,"
        " g.sector, g.stage, s.outcome, s.escalated, count(*)::int AS n"
        f" FROM {t.grievances} g JOIN s ON s.grievance_id = g.id"
        f" WHERE {_ELIGIBLE.format(parties=t.parties, workers=t.workers)}"
        " AND ($3::date IS NULL OR g.occurred_on >= $3)"
        " AND ($4::date IS NULL OR g.occurred_on <= $4)"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7")
    return await conn.fetch(sql, at, list(exclude_categories), since, until)


async def public_places(conn: asyncpg.Connection) -> list[str]:
    """Every place a collective works in, sorted."""
    t = await tables(conn, ResearchGrievancesView.name)
    return [r[0] for r in await conn.fetch(
        f"SELECT DISTINCT unnest(places) FROM {t.places} ORDER BY 1")]
