"""The demo's workers: who they are, and each one's trajectory from before she migrated
to the end of the plan (spells, moves, memberships, consents)."""

from __future__ import annotations

from datetime import date

from organize import commands as c
from organize.application import new_id
from organize.demo.material import (
    FAMILY_NAMES,
    FIRST_NAMES,
    HUBS,
    NOTES,
    ORIGINS,
    PHONE_PREFIX,
    RECRUITERS,
    SPECS,
)
from organize.demo.state import PlannedWorker, cut_spells, in_days


class PeopleSteps:
    """The builder's steps for people (mixed into ``organize.demo.builder.Builder``)."""

    # -- workers ------------------------------------------------------------------------------

    def make_workers(self) -> None:
        rng = self.rng
        roles: dict[str, list[PlannedWorker]] = {}
        for s in SPECS:
            nats = [nat for nat, n in s.quotas for _ in range(n)]
            rng.shuffle(nats)
            total = len(nats)
            group: list[PlannedWorker] = []
            for i, nat in enumerate(nats):
                founder = i < s.founders
                if founder:
                    # Existing members are entered in the first days, before the first
                    # assembly.
                    reg = self.start + in_days(rng.randint(0, 1))
                    joined = self.start - in_days(rng.randint(60, 1500))
                    attend = rng.choices((0.85, 0.45, 0.15), weights=(30, 35, 35))[0]
                else:
                    u = rng.random()
                    shape = {"growing": u ** 0.6, "emerging": u ** 0.5, "steady": u,
                             "stalling": 0.15 + 0.6 * u ** 1.8}[s.trend]
                    reg = self.start + in_days(int(25 + shape * (self.span - 60)))
                    joined = reg
                    attend = rng.choices((0.85, 0.45, 0.15), weights=(12, 40, 48))[0]
                w = PlannedWorker(home=s.key, nat=nat, founder=founder, reg=reg, attend=attend)
                w.memberships.append([s.key, joined, None])
                if i < s.leaders0:
                    # The founders who run the first meetings are registered on day one.
                    w.leader, w.attend, w.reg = True, 0.95, self.start
                group.append(w)
            roles[s.key] = group
            self.leaders[s.key] = [w for w in group if w.leader]
            assert len(group) == total
        # Who moves where: chosen among workers who are not leaders.
        movers = {
            "hk_return": self.choose(roles["hk"], 5, nat="NP"),
            "dhaka_abroad": self.choose(roles["dhaka"], 6),
            "bey_exit": self.choose(roles["bey"], 2, nat="NP")
            + self.choose(roles["bey"], 4, exclude_nat="NP"),
            "skn_tak": self.choose(roles["skn"], 3),
            "ktm_remigrate": self.choose(roles["ktm"], 2),
        }
        for s in SPECS:
            for w in roles[s.key]:
                getattr(self, f"traj_{s.key}")(w)
        for i, w in enumerate(movers["hk_return"]):
            self.hk_return(w, remigrate=i < 2)
        for i, w in enumerate(movers["dhaka_abroad"]):
            self.dhaka_abroad(w, "bey" if i < 3 else "kl")
        for i, w in enumerate(movers["bey_exit"]):
            self.bey_exit(w, goes_home=i < 4)
        for w in movers["skn_tak"]:
            self.skn_tak(w)
        for w in movers["ktm_remigrate"]:
            self.remigrate(w, self.start + in_days(rng.randint(200, 520)))
        # Ordinary leavers, then names and commands.
        for s in SPECS:
            for w in roles[s.key]:
                if w.stays and not w.leader and rng.random() < s.leave_rate:
                    left = w.reg + in_days(rng.randint(90, 600))
                    if left < self.end - in_days(10):
                        w.memberships[0][2] = left
                        w.stays = False
        used: set[str] = set()
        for s in SPECS:
            for w in roles[s.key]:
                w.pseudonym = self.pseudonym(w.nat, used)
                self.workers.append(w)
        for w in self.workers:
            self.emit_worker(w)
        self.counts["workers"] = len(self.workers)
        # A few changes later on: new phones, research consent withdrawn.
        for w in rng.sample(self.workers, 6):
            when = max(w.reg, self.start) + in_days(rng.randint(30, 400))
            if when <= self.end:
                self.emit(when, c.UpdateWorkerProfile, worker_id=w.id,
                          profile=self.profile(w, phone_always=True))
        withdrawers = [w for w in self.workers if "research" in w.consents]
        for w in rng.sample(withdrawers, 5):
            when = max(w.reg, self.start) + in_days(rng.randint(60, 500))
            if when <= self.end:
                self.emit(when, c.WithdrawConsent, worker_id=w.id, purpose="research",
                          on=self.at(w.home, when, 19))
                w.consents.discard("research")

    def choose(self, group: list[PlannedWorker], n: int, nat: str | None = None,
               exclude_nat: str | None = None) -> list[PlannedWorker]:
        pool = [w for w in group if not w.leader and w.stays
                and (nat is None or w.nat == nat) and (exclude_nat is None or w.nat != exclude_nat)
                and w.reg < self.start + in_days(420)]
        chosen = self.rng.sample(pool, min(n, len(pool)))
        for w in chosen:
            w.stays = False
        return chosen

    def pseudonym(self, nat: str, used: set[str]) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES[nat])
        if first not in used:
            used.add(first)
            return first
        for _ in range(30):
            name = f"{first} {rng.choice('ABCDEGHJKLMNPRSTW')}."
            if name not in used:
                used.add(name)
                return name
        name = f"{first} {len(used)}"
        used.add(name)
        return name

    def profile(self, w: PlannedWorker, phone_always: bool = False) -> c.Profile:
        rng = self.rng
        country = self.specs[w.home].home.split("-")[0]
        legal = phone = document = note = None
        if rng.random() < 0.3:
            legal = f"{w.pseudonym.split(' ')[0]} {rng.choice(FAMILY_NAMES[w.nat])}"
        if phone_always or rng.random() < 0.45:
            phone = f"{PHONE_PREFIX[country]} 5555 {rng.randint(100, 9999):04d}"
        if rng.random() < 0.1:
            document = f"DEMO-{rng.choice('PXE')}{rng.randint(100000, 999999)}"
        if rng.random() < 0.2:
            note = rng.choice(NOTES)
        return c.Profile(pseudonym=w.pseudonym, legal_name=legal, phone=phone,
                         document_number=document, note=note)

    def emit_worker(self, w: PlannedWorker) -> None:
        rng, end = self.rng, self.end
        first = w.memberships[0]
        cmd = self.emit(w.reg, c.RegisterWorker, profile=self.profile(w),
                        collective_id=self.collectives[first[0]], joined_on=first[1])
        w.id = new_id(cmd.command_id, "worker")
        if rng.random() < 0.92:
            self.emit(w.reg, c.GiveConsent, worker_id=w.id, purpose="contact",
                      on=self.at(w.home, w.reg, 15))
            w.consents.add("contact")
        if rng.random() < 0.7:
            when = min(end, w.reg + in_days(rng.randint(0, 40)))
            self.emit(when, c.GiveConsent, worker_id=w.id, purpose="research",
                      on=self.at(w.home, when, 16))
            w.consents.add("research")
        w.spells = [s for s in w.spells if s.start <= end]
        events: list[tuple[date, int, int, object]] = []
        for n, s in enumerate(w.spells):
            if s.end is not None and s.end > end:
                s.end = None
            events.append((s.start, 4, n, ("start", s)))
            if s.end is not None:
                events.append((s.end, 3, n, ("end", s)))
        for n, mv in enumerate(w.moves):
            if mv[0] <= end:
                events.append((mv[0], 0, n, ("move", mv)))
        for n, m in enumerate(w.memberships):
            if n and m[1] <= end:
                events.append((m[1], 2, n, ("join", m)))
            if m[2] is not None and m[2] <= end:
                events.append((m[2], 1, n, ("leave", m)))
        for n, st in enumerate(w.statuses):
            if st[0] <= end:
                events.append((st[0], 5, n, ("status", st)))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        for on, _p, _n, (what, data) in events:
            when = max(on, w.reg)
            if what == "start":
                s = data
                cmd = self.emit(when, c.StartSpell, worker_id=w.id, sector=s.sector,
                                occupation=s.occupation, place=s.place, employer_id=s.employer,
                                relationship=s.relationship, paid=s.paid, started_on=s.start)
                s.id = new_id(cmd.command_id, "spell")
            elif what == "end":
                self.emit(when, c.EndSpell, worker_id=w.id, spell_id=data.id, ended_on=data.end)
            elif what == "move":
                d, to, frm, stage = data
                self.emit(when, c.RecordMove, worker_id=w.id, to_place=to, from_place=frm,
                          stage=stage, moved_on=d)
            elif what == "join":
                self.emit(when, c.JoinCollective, worker_id=w.id,
                          collective_id=self.collectives[data[0]], on=data[1])
            elif what == "leave":
                self.emit(when, c.LeaveCollective, worker_id=w.id,
                          collective_id=self.collectives[data[0]], on=data[2])
            else:
                d, kind, status = data
                self.emit(when, c.ChangeStatus, worker_id=w.id,
                          change=c.StatusChange(status_kind=kind, status=status), on=d)

    # Trajectories. Each worker's story, from before she migrated to the end of the plan.

    def origin_life(self, w: PlannedWorker, origin: str, left: date) -> None:
        """Work at home before leaving: a family farm or a small trade, with unpaid care
        at the same time."""
        rng = self.rng
        farm_start = left - in_days(rng.randint(5 * 365, 14 * 365))
        roll = rng.random()
        if roll < 0.6:
            w.spell("agriculture", "Family rice and vegetable farm", origin, None, "unpaid",
                    farm_start, left - in_days(rng.randint(20, 90)))
        elif roll < 0.8:
            w.spell("street_vending", "Selling vegetables at the village market", origin, None,
                    "self_employed", farm_start, left - in_days(rng.randint(20, 90)))
        else:
            w.spell("garment", "Tailoring at home for neighbours", origin, None,
                    "self_employed", farm_start, left - in_days(rng.randint(20, 90)))
        w.spell("unpaid_care", "Caring for her children and parents-in-law", origin, None,
                "unpaid", left - in_days(rng.randint(2 * 365, 9 * 365)),
                left - in_days(rng.randint(1, 15)))

    def migrate(self, w: PlannedWorker, origin: str, to: str, arrive: date, recruiter: str,
                sector: str, transit: str | None = None) -> None:
        rng = self.rng
        hub = HUBS[w.nat]
        w.move(arrive - in_days(rng.randint(45, 150)), hub, origin, "recruitment")
        if transit:
            w.move(arrive - in_days(rng.randint(2, 10)), transit, hub, "transit")
        w.move(arrive, to, transit or hub, "destination")
        w.recruiter = self.orgs[recruiter]
        w.recruited_sector = sector

    def arrival(self, w: PlannedWorker) -> date:
        joined = w.memberships[0][1]
        longest = 2600 if w.founder else 800
        return joined - in_days(self.rng.randint(20, longest))

    def in_window(self, w: PlannedWorker, lo: int = 30, hi: int = 30) -> date | None:
        first = max(w.reg, self.start) + in_days(lo)
        last = self.end - in_days(hi)
        if first >= last:
            return None
        return first + in_days(self.rng.randint(0, (last - first).days))

    def traj_hk(self, w: PlannedWorker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS[w.nat])
        self.origin_life(w, origin, arrive)
        recruiter = RECRUITERS[w.nat] if rng.random() < 0.7 or w.nat == "NP" else "lion_gate"
        self.migrate(w, origin, "HK", arrive, recruiter, "domestic_care")
        start = arrive
        if arrive < self.start - in_days(900):
            hh, place = self.household("HK")
            change = arrive + in_days(rng.randint(500, 800))
            w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                    arrive, change)
            start = change + in_days(14)
        hh, place = self.household("HK")
        job = w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                      start)
        if rng.random() < 0.22:
            side = start + in_days(rng.randint(30, 300))
            w.spell("hospitality", "Made to work in the employer's family restaurant", place, hh,
                    "informal", side, side + in_days(rng.randint(60, 500)))
        if rng.random() < 0.12:
            when = self.in_window(w)
            if when:
                w.spell("street_vending", "Sells home-cooked food to other workers on Sundays",
                        "HK", None, "self_employed", when)
        if w.stays and rng.random() < 0.3:
            when = self.in_window(w, 30, 60)
            if when and when > job.start + in_days(30):
                job.end = when
                w.statuses.append((when, "employment",
                                   "Contract ended early; two weeks to find a new employer"))
                hh2, place2 = self.household("HK")
                w.spell("domestic_care", "Live-in domestic worker", place2, hh2,
                        "direct_employer", when + in_days(14))
        if rng.random() < 0.08:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "document", "Passport held by the employer"))

    def hk_return(self, w: PlannedWorker, remigrate: bool) -> None:
        rng = self.rng
        back = max(self.start + in_days(rng.randint(60, 330)), w.reg + in_days(45))
        cut_spells(w, back - in_days(3))
        w.memberships[0][2] = back
        w.move(back, "NP-KTM", "HK", "return")
        w.statuses.append((back, "employment", "Returned home when the contract ended"))
        w.memberships.append(["ktm", back + in_days(rng.randint(20, 60)), None])
        w.spell("unpaid_care", "Caring for her parents", "NP-KTM", None, "unpaid",
                back + in_days(5))
        w.spell("street_vending", "Tea and snack stall", "NP-KTM", None, "self_employed",
                back + in_days(rng.randint(40, 90)))
        if remigrate:
            self.remigrate(w, back + in_days(rng.randint(170, 260)))

    def remigrate(self, w: PlannedWorker, leave_on: date) -> None:
        """Back to recruitment and abroad again: the journey loops."""
        rng = self.rng
        leave_on = max(leave_on, w.reg + in_days(60))
        cut_spells(w, leave_on - in_days(5))
        for m in w.memberships:
            if m[0] == "ktm" and m[2] is None:
                m[2] = max(m[1], leave_on + in_days(20))
        arrive = leave_on + in_days(rng.randint(40, 60))
        w.move(leave_on, "NP-KTM", None, "recruitment")
        w.move(arrive, "MY-KUL", "NP-KTM", "destination")
        w.recruiter, w.recruited_sector = self.orgs["himal"], "manufacturing"
        w.memberships.append(["kl", arrive + in_days(rng.randint(10, 40)), None])
        w.spell("manufacturing", "Glove factory operator", "MY-SGR", self.orgs["seri"], "agency",
                arrive + in_days(5))
        w.stays = False

    def traj_dhaka(self, w: PlannedWorker) -> None:
        rng = self.rng
        came = self.arrival(w)
        origin = rng.choice(ORIGINS["BD"])
        self.origin_life(w, origin, came)
        w.move(came, "BD-DHA", origin, "destination")
        if rng.random() < 0.75:
            w.spell("unpaid_care", "Caring for her children and the household", "BD-DHA", None,
                    "unpaid", came + in_days(rng.randint(0, 400)))
        factories = ("sunrise", "sunrise", "sunrise", "meghna", "riverbank", "lalbagh",
                     "greenthread")
        start = came + in_days(rng.randint(10, 40))
        if came < self.start - in_days(700):
            change = came + in_days(rng.randint(300, 600))
            w.spell("garment", "Sewing helper", "BD-DHA", self.orgs[rng.choice(factories)],
                    "direct_employer", start, change)
            start = change + in_days(rng.randint(3, 30))
        factory = rng.choice(factories)
        place = "BD-GAZ" if factory == "greenthread" else "BD-DHA"
        job = w.spell("garment", rng.choice(("Sewing operator", "Quality checker",
                                              "Ironing and finishing", "Sewing operator")),
                      place, self.orgs[factory],
                      rng.choices(("direct_employer", "agency", "informal"), (8, 1, 1))[0], start)
        roll = rng.random()
        if roll < 0.12:
            w.spell("garment", "Home-based embroidery at piece rates", "BD-DHA", None, "informal",
                    start + in_days(rng.randint(60, 400)))
        elif roll < 0.22:
            w.spell("street_vending", "Selling snacks at the factory gate", "BD-DHA", None,
                    "self_employed", start + in_days(rng.randint(60, 400)))
        if w.stays and rng.random() < 0.15:
            when = self.in_window(w, 60, 60)
            if when and when > job.start:
                job.end = when
                other = rng.choice([f for f in factories if f != factory])
                w.spell("garment", "Sewing operator", "BD-DHA", self.orgs[other],
                        "direct_employer", when + in_days(rng.randint(7, 40)))

    def dhaka_abroad(self, w: PlannedWorker, to: str) -> None:
        """A garment worker migrates: to domestic work in Beirut or a factory in Malaysia."""
        rng = self.rng
        leave = max(self.start + in_days(rng.randint(120, 420)), w.reg + in_days(80))
        cut_spells(w, leave - in_days(rng.randint(20, 40)))
        w.memberships[0][2] = leave - in_days(10)
        arrive = leave + in_days(rng.randint(5, 20))
        w.move(leave - in_days(60), "BD-DHA", "BD-DHA", "recruitment")
        w.recruiter = self.orgs["golden_crown"]
        if to == "bey":
            w.move(arrive, "LB-BEY", "BD-DHA", "destination")
            hh, place = self.household("LB")
            w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                    arrive)
            w.recruited_sector = "domestic_care"
        else:
            w.move(arrive, "MY-KUL", "BD-DHA", "destination")
            w.spell("manufacturing", "Electronics assembly operator", "MY-SGR",
                    self.orgs[rng.choice(("kv_elec", "harbourline"))], "agency", arrive + in_days(3))
            w.recruited_sector = "manufacturing"
        w.memberships.append([to, arrive + in_days(rng.randint(20, 90)), None])

    def traj_ktm(self, w: PlannedWorker) -> None:
        rng = self.rng
        joined = w.memberships[0][1]
        back = joined - in_days(rng.randint(30, 2400 if w.founder else 700))
        origin = rng.choice(ORIGINS["NP"])
        abroad, sector = rng.choice((("HK", "domestic_care"), ("LB-BEY", "domestic_care"),
                                     ("KW", "domestic_care"), ("MY-SGR", "manufacturing"),
                                     ("QA", "domestic_care"), ("AE", "hospitality")))
        went = back - in_days(rng.randint(400, 1800))
        self.origin_life(w, origin, went)
        transit = "IN-DEL" if abroad in ("KW", "QA", "AE") and rng.random() < 0.5 else None
        recruiter = "himal" if rng.random() < 0.6 else "sindhu_agent"
        self.migrate(w, origin, abroad, went, recruiter, sector, transit)
        if abroad == "HK":
            employer, place = self.household("HK")
        elif abroad == "LB-BEY":
            employer, place = self.household("LB")
        elif abroad == "MY-SGR":
            employer, place = self.orgs[rng.choice(("seri", "harbourline"))], "MY-SGR"
        else:
            employer, place = None, abroad
        occupation = {"domestic_care": "Live-in domestic worker",
                      "manufacturing": "Glove factory operator",
                      "hospitality": "Hotel housekeeping"}[sector]
        w.spell(sector, occupation, place, employer,
                "agency" if sector != "domestic_care" else "direct_employer",
                went + in_days(3), back - in_days(rng.randint(1, 20)))
        home = "NP-KTM" if rng.random() < 0.6 else origin
        w.move(back, home, abroad, "return")
        w.spell("unpaid_care", "Caring for her children and parents", home, None, "unpaid",
                back + in_days(rng.randint(0, 30)))
        if rng.random() < 0.5:
            w.spell("agriculture", "Vegetable plot and goats", home, None, "self_employed",
                    back + in_days(rng.randint(30, 200)))
        if rng.random() < 0.4:
            w.spell("street_vending", "Tea and snack stall", "NP-KTM", None, "self_employed",
                    back + in_days(rng.randint(30, 300)))
        if rng.random() < 0.2:
            w.statuses.append((back, "immigration", "Came home without her final wages"))

    def traj_kl(self, w: PlannedWorker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS[w.nat])
        self.origin_life(w, origin, arrive)
        if w.nat == "ID":
            self.migrate(w, origin, "MY-KUL", arrive, "bintang", "domestic_care")
            hh, place = self.household("MY")
            job = w.spell("domestic_care", "Live-in domestic worker", place, hh,
                          "direct_employer", arrive)
        elif w.nat == "MM" and rng.random() < 0.3:
            self.migrate(w, origin, "MY-KUL", arrive, "golden_myanmar", "hospitality")
            job = w.spell("hospitality", "Hotel room attendant", "MY-KUL",
                          self.orgs[rng.choice(("bayview", "harbourline"))], "agency", arrive)
        else:
            self.migrate(w, origin, "MY-SGR", arrive, RECRUITERS[w.nat], "manufacturing")
            factory = rng.choice(("seri", "harbourline", "kv_elec", "harbourline"))
            job = w.spell("manufacturing", rng.choice(("Glove factory operator",
                          "Electronics assembly operator", "Packing line worker")), "MY-SGR",
                          self.orgs[factory], "agency", arrive + in_days(2))
        roll = rng.random()
        if roll < 0.18:
            w.spell("hospitality", "Weekend cleaning at the group's hotel", "MY-KUL",
                    self.orgs["harbourline"], "informal", arrive + in_days(rng.randint(60, 500)))
        elif roll < 0.3:
            side = arrive + in_days(rng.randint(60, 500))
            w.spell("construction", "Helper on a building site", "MY-KUL", self.orgs["maju"],
                    "informal", side, side + in_days(rng.randint(60, 300)))
        if w.stays and job.sector == "manufacturing" and rng.random() < 0.15:
            when = self.in_window(w, 60, 60)
            if when and when > job.start:
                job.end = when
                w.spell("hospitality", "Moved from the factory to the group's hotel", "MY-KUL",
                        self.orgs["harbourline"], "agency", when + in_days(1))
        roll = rng.random()
        if roll < 0.12:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "immigration",
                                   "Work permit not renewed by the agent; now undocumented"))
        elif roll < 0.22:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "document", "Passport held by the employer"))

    def traj_bey(self, w: PlannedWorker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS.get(w.nat, ("XX",)))
        self.origin_life(w, origin, arrive)
        recruiter = RECRUITERS[w.nat] if rng.random() < 0.7 else "beirut_office"
        self.migrate(w, origin, "LB-BEY", arrive, recruiter, "domestic_care")
        hh, place = self.household("LB")
        job = w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                      arrive)
        if w.founder and arrive < self.start - in_days(400) and rng.random() < 0.45:
            left = arrive + in_days(rng.randint(200, max(201, (self.start - arrive).days - 60)))
            job.end = left
            w.move(left, "LB-BEY", "LB-BEY", "exit")
            w.statuses.append((left + in_days(30), "immigration",
                               "Residence permit lapsed after leaving the sponsor's house"))
            w.spell("domestic_care", "Live-out cleaner for several households", "LB-BEY", None,
                    "informal", left + in_days(20))
            if rng.random() < 0.4:
                w.spell("hospitality", "Kitchen helper", "LB-BEY", self.orgs["corniche"],
                        "informal", left + in_days(rng.randint(30, 200)))

    def bey_exit(self, w: PlannedWorker, goes_home: bool) -> None:
        """She leaves the employer's house for the shelter; some go home."""
        rng = self.rng
        when = self.start + in_days(rng.randint(90, 420))
        when = max(when, w.reg + in_days(20))
        cut_spells(w, when)
        w.move(when, "LB-BEY", "LB-BEY", "exit")
        w.statuses.append((when + in_days(2), "employment", "Left the employer; in a shelter"))
        if not goes_home:
            return
        if rng.random() < 0.5:
            w.statuses.append((when + in_days(40), "custody",
                               "Held in immigration detention for three weeks"))
        back = when + in_days(rng.randint(60, 120))
        home = HUBS[w.nat] if w.nat != "NP" else "NP-KTM"
        w.move(back, home, "LB-BEY", "return")
        w.memberships[0][2] = back
        w.spell("unpaid_care", "Caring for her family", home, None, "unpaid", back + in_days(3))
        if w.nat == "NP":
            w.memberships.append(["ktm", back + in_days(rng.randint(20, 60)), None])

    def traj_skn(self, w: PlannedWorker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS["MM"])
        self.origin_life(w, origin, arrive)
        recruiter = "golden_myanmar" if rng.random() < 0.5 else "mahachai_broker"
        transit = "TH-TAK" if rng.random() < 0.4 else None
        self.migrate(w, origin, "TH-SKN", arrive, recruiter, "fishing", transit)
        shed = rng.choices(("siam_ocean", "shed4", "cold_storage", None), (40, 25, 20, 15))[0]
        w.spell("fishing", rng.choice(("Shrimp peeler", "Fish sorting and packing",
                                       "Squid cleaning")), "TH-SKN",
                self.orgs[shed] if shed else None,
                "informal" if shed is None else rng.choice(("agency", "direct_employer")),
                arrive + in_days(rng.randint(1, 10)))
        if rng.random() < 0.5:
            w.spell("unpaid_care", "Caring for her children in the workers' housing", "TH-SKN",
                    None, "unpaid", arrive + in_days(rng.randint(30, 500)))
        if rng.random() < 0.15:
            w.spell("street_vending", "Selling Myanmar snacks at the market", "TH-SKN", None,
                    "self_employed", arrive + in_days(rng.randint(60, 500)))
        if rng.random() < 0.2:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "document", "Work permit card kept by the broker"))

    def skn_tak(self, w: PlannedWorker) -> None:
        """From the peeling sheds to a garment factory in Mae Sot."""
        when = self.in_window(w, 90, 120) or max(w.reg, self.start) + in_days(60)
        cut_spells(w, when)
        w.move(when, "TH-TAK", "TH-SKN", "destination")
        w.spell("garment", "Sewing operator", "TH-TAK", self.orgs["moei"], "direct_employer",
                when + in_days(7))
