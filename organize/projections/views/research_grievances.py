"""The research base: what the anonymised grievance releases are computed from, and nothing
more.

Researchers learn trends, never anyone's story (DOMAIN.md, "Privacy and safety"), so this
view keeps only what a trend table can use, shaped so that a release is one set-based
``GROUP BY`` over one table (``organize.exports.releases``):

- ``grievances``: one row per grievance: codes, the date it happened, its current outcome
  and escalation, the *bands* of the money owed and recovered (``organize.domain.money.band``:
  a currency and a power-of-ten range, never an amount), whether it may be counted now
  (``eligible``), and its **record key**
  (``ckey``) for the cell-key method. No collective, no organisation, no free text (the
  descriptions are sealed in the events and never reach any view);
- ``parties``: who is party to it (ids only);
- ``workers``: whether she consents to research *now*, and whether she was erased;
- ``places``: the places collectives say they work in. Organisational, not personal: the
  differentially private mode takes its list of places from here, so that which places
  appear in a table does not depend on who reported what.

``eligible`` is kept up to date here rather than worked out at every export (that took
most of an export's time): a grievance counts when it has a party and every party consents
to research now and none was erased. A withdrawal applies to every release made after it;
releases already stored are handed back as they were issued (a re-computed one could be
differenced against the stored one to find her).

The record key is a keyed hash of the grievance id under a secret drawn once per
installation (``organize_research_secret``, outside the view's generations, so a rebuild
keeps every key): the same grievances always make the same cell key, however the cell is
reached, and without the secret nobody can work a key out from an id.
"""

from __future__ import annotations

import asyncpg

from organize.domain import Collective, Grievance, Worker
from organize.domain.money import band
from organize.projections.base import Tables, View, on
from organize.projections.reads import positions, tables

RESEARCH = "research"  # the consent purpose
SECRET_TABLE = "organize_research_secret"  # noqa: S105 - a table name, not a secret
CELL_KEY_MODULUS = 1 << 16  # record keys are 0 .. 2^16 - 1; cell keys are sums modulo this
BANDED = {"owed": "owed_band", "recovered": "recovered_band"}  # amount kind -> its column

class ResearchGrievancesView(View):
    name = "research_grievances"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {SECRET_TABLE} ("
            " one boolean PRIMARY KEY DEFAULT true CHECK (one), secret text NOT NULL)",
            f"INSERT INTO {SECRET_TABLE} (secret)"
            " SELECT gen_random_uuid()::text || gen_random_uuid()::text ON CONFLICT DO NOTHING",
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, category text NOT NULL, sector text NOT NULL,"
            " place text NOT NULL, stage text NOT NULL, occurred_on date NOT NULL,"
            " raised_nid bigint NOT NULL, outcome text, escalated boolean NOT NULL DEFAULT false,"
            " eligible boolean NOT NULL DEFAULT false, ckey integer NOT NULL,"
            " owed_band text NOT NULL DEFAULT 'none', recovered_band text NOT NULL DEFAULT 'none')",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_eligible_idx ON {t.grievances}"
            " (occurred_on) WHERE eligible",
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

    def table_names(self) -> list[str]:
        # The secret outlives every generation: a rebuild must give every grievance the same
        # record key again, and dropping an old generation must not drop the secret.
        return [name for name in super().table_names() if name != SECRET_TABLE]

    # -- collectives' places ---------------------------------------------------------------

    @on(Collective.Created, Collective.ProfileUpdated)
    def collective_places(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.places} (collective_id, places) VALUES (%s, %s::text[])"
            " ON CONFLICT (collective_id) DO UPDATE SET places = EXCLUDED.places",
            (e.originator_id, list(e.places)))

    # -- grievances ---------------------------------------------------------------------------

    def _refresh(self, curs, where: str, params: tuple) -> None:
        """Work out again whether the grievances ``where`` picks may be counted."""
        t = self.t
        curs.execute(
            f"UPDATE {t.grievances} g SET eligible ="
            f" EXISTS (SELECT 1 FROM {t.parties} p WHERE p.grievance_id = g.id)"
            f" AND NOT EXISTS (SELECT 1 FROM {t.parties} p LEFT JOIN {t.workers} w"
            "  ON w.id = p.worker_id WHERE p.grievance_id = g.id"
            "  AND (w.id IS NULL OR NOT w.research OR w.erased))"
            f" WHERE {where}", params)

    @on(Grievance.Raised)
    def raised(self, curs, e, nid) -> None:
        # Set aside with the batch's others (``View.insert``): the grievance (whether it may
        # be counted, worked out from its parties' consent; its record key, the first 16 bits
        # of md5(secret || id)) and its parties.
        t = self.t
        workers = list(e.worker_ids)
        self.insert(
            curs, t.grievances,
            "id uuid, category text, sector text, place text, stage text, occurred_on date,"
            " nid bigint, workers uuid[]",
            (e.originator_id, e.category, e.sector, e.place, e.stage, e.occurred_on, nid, workers),
            into="id, category, sector, place, stage, occurred_on, raised_nid, eligible, ckey",
            select="x.id, x.category, x.sector, x.place, x.stage, x.occurred_on, x.nid,"
                   " cardinality(x.workers::uuid[]) > 0 AND NOT EXISTS (SELECT 1 FROM"
                   f" unnest(x.workers::uuid[]) AS y(w) LEFT JOIN {t.workers} k ON k.id = y.w"
                   "  WHERE k.id IS NULL OR NOT k.research OR k.erased),"
                   f" ('x' || substr(md5((SELECT secret FROM {SECRET_TABLE}) || x.id::text), 1, 4))"
                   "::bit(16)::int",
            conflict="ON CONFLICT (id) DO NOTHING")
        for worker_id in workers:
            self.insert(curs, t.parties, "grievance_id uuid, worker_id uuid, nid bigint",
                        (e.originator_id, worker_id, nid), conflict="ON CONFLICT DO NOTHING")

    @on(Grievance.Joined)
    def joined(self, curs, e, nid) -> None:
        # A new party who does not consent takes the grievance out; one who does changes
        # nothing. One round trip.
        t = self.t
        curs.execute(
            f"WITH p AS (INSERT INTO {t.parties} (grievance_id, worker_id, nid)"
            " SELECT %(id)s, w, %(nid)s FROM unnest(%(workers)s::uuid[]) AS w ON CONFLICT DO NOTHING)"
            f" UPDATE {t.grievances} SET eligible = false WHERE id = %(id)s AND eligible"
            f" AND EXISTS (SELECT 1 FROM unnest(%(workers)s::uuid[]) AS x(w) LEFT JOIN {t.workers} k"
            "  ON k.id = x.w WHERE k.id IS NULL OR NOT k.research OR k.erased)",
            {"id": e.originator_id, "nid": nid, "workers": list(e.worker_ids)})

    @on(Grievance.Corrected)
    def corrected(self, curs, e, _nid) -> None:
        # Releases already made keep what they said (stored byte for byte); the next one
        # counts the grievance as corrected.
        curs.execute(f"UPDATE {self.t.grievances} SET category = %s, sector = %s, place = %s,"
                     " stage = %s, occurred_on = %s WHERE id = %s",
                     (e.category, e.sector, e.place, e.stage, e.occurred_on, e.originator_id))

    def _update(self, curs, e, assignments: str, columns: str = "",
                values: tuple = ()) -> None:
        # One statement per kind per batch (``View.update``).
        self.update(curs, self.t.grievances, "id uuid" + (", " + columns if columns else ""),
                    assignments, (e.originator_id, *values))

    @on(Grievance.OutcomeRecorded)
    def outcome_recorded(self, curs, e, _nid) -> None:
        self._update(curs, e, "outcome = x.outcome", "outcome text", (e.outcome,))

    @on(Grievance.Reopened)
    def reopened(self, curs, e, _nid) -> None:
        self._update(curs, e, "outcome = NULL")

    @on(Grievance.Escalated)
    def escalated(self, curs, e, _nid) -> None:
        self._update(curs, e, "escalated = true")

    @on(Grievance.AmountStated, Grievance.AmountCorrected)
    def amount_changed(self, curs, e, _nid) -> None:
        # Only owed and recovered are researched; an amount leaves as its band, no finer.
        if e.kind in BANDED:
            self._update(curs, e, f"{BANDED[e.kind]} = x.band", "band text", (band(e.amount),))

    # -- workers ------------------------------------------------------------------------------

    def _worker_changed(self, curs, worker_id) -> None:
        self._refresh(curs, f"g.id IN (SELECT grievance_id FROM {self.t.parties}"
                            " WHERE worker_id = %s)", (worker_id,))

    @on(Worker.ConsentGiven)
    def consent_given(self, curs, e, _nid) -> None:
        if e.purpose == RESEARCH:
            curs.execute(
                f"INSERT INTO {self.t.workers} (id, research) VALUES (%s, true)"
                f" ON CONFLICT (id) DO UPDATE SET research = NOT {self.t.workers}.erased",
                (e.originator_id,))
            self._worker_changed(curs, e.originator_id)

    @on(Worker.ConsentWithdrawn)
    def consent_withdrawn(self, curs, e, _nid) -> None:
        if e.purpose == RESEARCH:
            curs.execute(
                f"INSERT INTO {self.t.workers} (id, research) VALUES (%s, false)"
                " ON CONFLICT (id) DO UPDATE SET research = false", (e.originator_id,))
            self._worker_changed(curs, e.originator_id)

    @on(Worker.Erased)
    def erased(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.workers} (id, research, erased) VALUES (%s, false, true)"
            " ON CONFLICT (id) DO UPDATE SET research = false, erased = true", (e.originator_id,))
        self._worker_changed(curs, e.originator_id)


# -- reads -------------------------------------------------------------------------------------

async def position(conn: asyncpg.Connection) -> int:
    """The last notification id the research base has applied."""
    return (await positions(conn, [ResearchGrievancesView.name]))[ResearchGrievancesView.name]


async def research_tables(conn: asyncpg.Connection) -> Tables:
    """The live generation's tables (the release SQL is written in ``exports.releases``)."""
    return await tables(conn, ResearchGrievancesView.name)


async def public_places(conn: asyncpg.Connection) -> list[str]:
    """Every place a collective works in, sorted."""
    t = await tables(conn, ResearchGrievancesView.name)
    return [r[0] for r in await conn.fetch(
        f"SELECT DISTINCT unnest(places) FROM {t.places} ORDER BY 1")]
