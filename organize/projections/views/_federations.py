"""A mixin for views that scope reads by federation: a small table of each collective's
federation, kept from ``Collective.Created``."""

from __future__ import annotations

from organize.domain import Collective
from organize.projections.base import Tables, on


class KnowsFederations:
    @staticmethod
    def collectives_ddl(t: Tables) -> str:
        return f"CREATE TABLE IF NOT EXISTS {t.collectives} (id uuid PRIMARY KEY, federation text)"

    @on(Collective.Created)
    def collective_created(self, curs, e, _nid) -> None:
        curs.execute(f"INSERT INTO {self.t.collectives} (id, federation) VALUES (%s, %s) "
                     "ON CONFLICT (id) DO NOTHING", (e.originator_id, e.federation))
