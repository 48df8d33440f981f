"""The demo's grievance procedures, money and a departure (mixed into the builder).

Each collective sets up its procedure on the first day (a written complaint within 30 days
of learning of it, a meeting with the employer within 14 days of the complaint, a claim at
the labour office within a year of the incident). Pay grievances carry the money they are
about: what she was owed, often what was claimed, sometimes what was offered and what came
back. Half of them had their complaint made the day they were raised, so the home page
shows meetings due soon and overdue. In each collective one worker party to an open pay
grievance plans to leave a few weeks after the demo's last day: her departure is the
binding deadline.

Its own random stream, and run after every other step, so the rest of the demo (its ids and
its draws) stays exactly as it was.
"""

from __future__ import annotations

import random
from decimal import Decimal

from organize import commands as c
from organize.demo.grievances import AMOUNTS
from organize.demo.material import SPECS
from organize.demo.state import in_days

STEPS = (
    c.ProcedureStep(code="written_complaint", name="Written complaint to the employer", days=30,
                    clock="knowledge"),
    c.ProcedureStep(code="meeting", name="Meeting with the employer to settle it", days=14,
                    clock="previous_step"),
    c.ProcedureStep(code="labour_claim", name="Claim at the labour office", days=365,
                    clock="incident"),
)


class DeadlineSteps:
    """The builder's steps for procedures, amounts and departures."""

    def make_money_and_deadlines(self) -> None:
        rng = random.Random(self.plan.seed + 20)  # noqa: S311  (demo data, not secrets)
        for s in SPECS:
            self.emit(self.start, c.DefineProcedure, collective_id=self.collectives[s.key],
                      name=f"{s.name}: grievance steps", steps=STEPS)
        departing: dict[str, bool] = {}
        for g in self.grievances:
            if self.taxonomy.category_group(g.category) != "pay":
                continue
            s = self.specs[g.key]
            lo, hi, unit = AMOUNTS[s.currency]
            owed = Decimal(rng.randint(lo // unit, hi // unit) * unit) + Decimal(rng.randint(0, 99)) / 100
            self.emit(g.raised, c.StateAmount, grievance_id=g.id, kind="owed", amount=owed,
                      currency=s.currency, on=g.raised)
            self.counts["amounts"] += 1
            if rng.random() < 0.5:  # the complaint made the day it was raised
                self.emit(g.raised, c.TakeStep, grievance_id=g.id, step="written_complaint",
                          on=g.raised)
            if rng.random() < 0.6:
                self.emit(g.raised, c.StateAmount, grievance_id=g.id, kind="claimed",
                          amount=owed, currency=s.currency, on=g.raised)
            later = g.raised + in_days(rng.randint(20, 120))
            if later <= self.end and rng.random() < 0.35:
                offered = (owed * Decimal(rng.choice((30, 50, 60))) / 100).quantize(Decimal("0.01"))
                self.emit(later, c.StateAmount, grievance_id=g.id, kind="offered",
                          amount=offered, currency=s.currency, on=later)
                back = later + in_days(rng.randint(10, 60))
                if back <= self.end and rng.random() < 0.5:
                    self.emit(back, c.StateAmount, grievance_id=g.id, kind="recovered",
                              amount=offered, currency=s.currency, on=back)
            # The last weeks' pay grievances are the open ones: one of their workers leaves.
            if not departing.get(g.key) and (self.end - g.raised).days < 30:
                departing[g.key] = True
                self.emit(self.end, c.PlanDeparture, worker_id=g.parties[0].id,
                          leaves_on=self.end + in_days(rng.randint(10, 40)))
                self.counts["departures"] += 1
