"""The demo's grievances: raised by one or several workers, followed through (evidence,
referrals, escalations, negotiations, outcomes, withdrawals, retaliation), with their texts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from organize import commands as c
from organize.application import new_id
from organize.demo.material import (
    CATEGORY_WEIGHTS,
    NO_ORG_CATEGORIES,
    RECRUITER_CATEGORIES,
    SPECS,
    CollectiveSpec,
)
from organize.demo.state import NO_SPELL, PlannedGrievance, PlannedWorker, in_days, month_after

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "wages_unpaid_late": (
        "Wages for the last two months not paid; the employer keeps saying 'next month'.",
        "Wages paid three to six weeks late every month since she started.",
        "Final wages not paid when the contract ended.",
        "Overtime for the peak season never paid.",
    ),
    "pay_below_rate": (
        "Paid below the minimum wage; the payslip shows more than she receives.",
        "Piece rate cut without notice; daily earnings now below the legal minimum.",
    ),
    "illegal_deductions": (
        "Deductions for food, uniform and 'agency fees' taken from every wage.",
        "Money deducted for a broken plate and for the days she was sick.",
    ),
    "recruitment_fees_debt": (
        "Paid a placement fee far above the legal limit; repaying a loan at high interest.",
        "The agency took seven months of wages as 'training fees'; the debt at home remains.",
        "Borrowed against the family land to pay the recruiter; the debt keeps growing.",
    ),
    "pay_below_local": ("Paid less than local workers doing the same job on the same line.",),
    "excessive_hours": (
        "Works from six in the morning until after midnight, seven days a week.",
        "Compulsory overtime of four to six hours a day during the export rush.",
        "Shifts of fourteen hours at the peeling tables in the peak season.",
    ),
    "no_weekly_rest": (
        "No weekly rest day for months; when she goes out she must be back by noon.",
        "Rest day cancelled whenever the family has guests.",
    ),
    "no_leave": (
        "Annual leave refused; statutory holidays worked without pay.",
        "Not allowed to go home when her mother was ill.",
    ),
    "no_sleep": (
        "Sleeps fewer than five hours; woken at night to care for the employer's father.",
        "No room of her own; sleeps in the kitchen and is woken before dawn.",
    ),
    "documents_confiscated": (
        "Passport kept by the employer 'for safekeeping' and not returned when asked.",
        "The agency holds her passport until the 'loan' is repaid.",
        "Work permit card kept by the broker.",
    ),
    "certificates_confiscated": ("School certificates kept by the factory since she was hired.",),
    "locked_in": (
        "Locked inside the house when the family goes out.",
        "Not allowed to leave the hostel except in a group with the supervisor.",
    ),
    "isolation": ("Phone taken away; no contact with her family for weeks.",),
    "cannot_change_employer": (
        "The sponsor refuses to sign her release, so she cannot change employer.",
        "The agency says she will be reported if she looks for another employer.",
    ),
    "physical_violence": (
        "Hit by a member of the household; the bruises were photographed by a friend.",
        "Pushed and slapped by the supervisor on the line.",
    ),
    "sexual_harassment_violence": (
        "Repeated sexual harassment by a man in the household.",
        "The supervisor harasses women on the night shift; complaints are ignored.",
    ),
    "verbal_abuse": (
        "Shouted at and insulted every day, including about her religion and family.",
        "The supervisor insults workers who ask for toilet breaks.",
    ),
    "threats_intimidation": (
        "Threatened with a police report if she complains.",
        "Told she would be sent home if she joins the union.",
    ),
    "deceived_job_terms": (
        "Promised a job in a hotel; placed as a live-in domestic worker for less pay.",
        "Told the wage would be twice what she receives.",
    ),
    "contract_substitution": (
        "Signed one contract at home and was made to sign another on arrival.",
        "Contract replaced on arrival with lower pay and longer hours.",
    ),
    "fraudulent_recruiter": (
        "Paid a sub-agent who disappeared; no job and no refund.",
        "The agency closed and reopened under a new name after taking the fees.",
    ),
    "unsafe_work": (
        "No gloves or boots in the cold room; several workers have skin infections.",
        "Fire exits locked during shifts.",
        "Made to clean the outside of high-rise windows.",
    ),
    "food": ("Given only leftovers; not enough food to work a full day.",),
    "accommodation": (
        "Twelve workers share one hostel room with one toilet.",
        "Sleeps on the floor of the storeroom.",
    ),
    "health_care_denied": (
        "Not taken to a doctor after an injury at work.",
        "Medical leave refused; wages cut for sick days.",
    ),
    "pregnancy_maternity": (
        "Dismissed after telling the employer she was pregnant.",
        "Maternity leave pay refused.",
    ),
    "discrimination_gender": ("Women passed over for the better-paid machine jobs.",),
    "discrimination_caste": ("Refused a place in the savings group and at the well because of caste.",),
    "discrimination_nationality": ("Given the worst shifts and tasks because of her nationality.",),
    "discrimination_language": ("Instructions and payslips only in a language she cannot read.",),
    "counter_charge": (
        "The employer filed a theft complaint after she asked for her wages.",
        "Reported on a charge of 'absconding' after she left to get away from abuse.",
    ),
    "detention": ("Detained for three weeks after an immigration check; wages never paid.",),
    "deportation": ("Threatened with deportation when she asked for her passport.",),
    "made_undocumented": (
        "The agent did not renew her work permit; she is now undocumented through no fault "
        "of her own.",
    ),
    "retaliation": ("Shifts cut after she spoke at the workers' assembly.",),
    "freedom_of_association_denied": (
        "Workers told they will lose their jobs if they attend union meetings.",
    ),
    "abuse_of_vulnerability": (
        "The employer used her debt and lack of papers to make her work without pay.",
    ),
}
EVIDENCE = (
    "Payslips and bank transfer records collected.",
    "Photos of the contract and the fee receipt, kept by the collective, not on her phone.",
    "Two co-workers gave written statements.",
    "Voice messages from the agency saved by the committee.",
    "Timesheets copied by a co-worker.",
    "A doctor's note obtained.",
    "A calendar of hours worked, kept by the worker herself.",
)
NEGOTIATION_NOTES = (
    "The employer offered half the arrears; members refused and asked for a written schedule.",
    "The agency agreed to refund part of the fee in two instalments.",
    "Management agreed to meet the committee again in two weeks.",
    "The employer denied the claim; next step is the labour office.",
    "The household agreed to a weekly rest day from next month.",
    "Agreement to pay overdue wages by the end of the month.",
)
RETALIATION = (
    ("dismissal", "Dismissed a week after the complaint was filed."),
    ("threat", "The employer threatened to report her to immigration."),
    ("wage_cut", "Shifts cut after she joined the complaint."),
    ("blacklisting", "The agency put her name on a list so other employers refuse her."),
    ("eviction", "Evicted from employer housing after the meeting with management."),
    ("counter_charge", "A theft complaint was filed against her after she refused to withdraw."),
)
WITHDRAW_REASONS = ("fear_of_retaliation", "found_other_work", "left_the_country",
                    "settled_privately", "family_pressure")

# Where each collective refers each group of grievances ("consulate" = by nationality).
REFERRALS: dict[str, dict[str, tuple[str, ...]]] = {
    "hk": {"pay": ("hk_labour", "hk_legal"), "recruitment": ("hk_legal", "hk_labour"),
           "documents_movement": ("consulate", "hk_legal"), "violence": ("hk_shelter", "hk_women"),
           "working_time": ("hk_labour", "hk_union"), "conditions": ("hk_legal", "hk_women"),
           "status_justice": ("hk_legal",), "discrimination": ("hk_women",)},
    "dhaka": {"pay": ("bd_labour", "bd_clinic", "bd_union"), "working_time": ("bd_union",),
              "violence": ("bd_women",), "conditions": ("bd_labour", "bd_clinic"),
              "status_justice": ("bd_clinic", "bd_union"), "discrimination": ("bd_women",),
              "documents_movement": ("bd_clinic",), "recruitment": ("bd_clinic",)},
    "ktm": {"recruitment": ("np_labour", "np_ngo"), "pay": ("np_ngo", "np_labour"),
            "violence": ("np_women", "np_shelter"), "discrimination": ("np_women",),
            "documents_movement": ("np_ngo",), "status_justice": ("np_ngo", "np_shelter"),
            "conditions": ("np_ngo",), "working_time": ("np_ngo",)},
    "kl": {"pay": ("my_labour", "my_ngo"), "documents_movement": ("my_ngo", "consulate"),
           "recruitment": ("my_ngo", "my_union"), "working_time": ("my_union",),
           "violence": ("my_shelter",), "conditions": ("my_union", "my_ngo"),
           "status_justice": ("my_ngo",), "discrimination": ("my_ngo",)},
    "bey": {"pay": ("lb_legal", "lb_labour"), "documents_movement": ("lb_legal", "consulate"),
            "violence": ("lb_shelter", "lb_women"), "status_justice": ("lb_legal", "lb_shelter"),
            "working_time": ("lb_legal",), "recruitment": ("lb_legal",),
            "conditions": ("lb_women",), "discrimination": ("lb_women",)},
    "skn": {"pay": ("th_labour", "th_ngo"), "documents_movement": ("th_ngo", "mm_embassy_th"),
            "working_time": ("th_union", "th_labour"), "conditions": ("th_ngo",),
            "recruitment": ("th_ngo",), "violence": ("th_women",),
            "status_justice": ("th_ngo",), "discrimination": ("th_women",)},
}
CONSULATES = {("hk", "PH"): "ph_consulate", ("hk", "ID"): "id_consulate",
              ("kl", "NP"): "np_embassy_my", ("bey", "BD"): "bd_embassy_lb",
              ("bey", "ET"): "et_consulate_lb"}
ESCALATIONS = {"hk": ("labour_office", "court", "employer"), "dhaka": ("employer", "labour_office",
               "court", "media"), "ktm": ("labour_office", "court", "media"),
               "kl": ("labour_office", "employer", "media"), "bey": ("labour_office", "media"),
               "skn": ("employer", "labour_office", "media")}
# Outcomes by category group: (code, weight).
OUTCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    "pay": (("wages_recovered", 45), ("employer_commitment", 15), ("no_result", 20),
            ("compensation", 5), ("changed_employer", 6), ("referred_on", 6),
            ("counter_charged", 2)),
    "recruitment": (("compensation", 30), ("no_result", 35), ("referred_on", 20),
                    ("employer_commitment", 10), ("policy_change", 5)),
    "documents_movement": (("documents_returned", 50), ("changed_employer", 18),
                           ("no_result", 15), ("referred_on", 10), ("deported", 3),
                           ("counter_charged", 4)),
    "working_time": (("employer_commitment", 45), ("changed_employer", 20), ("no_result", 25),
                     ("policy_change", 5), ("compensation", 5)),
    "violence": (("changed_employer", 35), ("referred_on", 25), ("compensation", 10),
                 ("no_result", 20), ("employer_commitment", 10)),
    "conditions": (("employer_commitment", 40), ("reinstated", 8), ("compensation", 10),
                   ("no_result", 27), ("policy_change", 10), ("changed_employer", 5)),
    "discrimination": (("employer_commitment", 30), ("no_result", 50), ("referred_on", 20)),
    "status_justice": (("referred_on", 30), ("no_result", 30), ("reinstated", 10),
                       ("deported", 8), ("counter_charged", 6), ("employer_commitment", 16)),
}
AMOUNTS = {"HKD": (1500, 38000, 10), "BDT": (4000, 65000, 50), "NPR": (25000, 250000, 500),
           "MYR": (600, 7500, 10), "USD": (150, 3000, 10), "THB": (2500, 40000, 50)}


class GrievanceSteps:
    """The builder's steps for grievances (mixed into ``organize.demo.builder.Builder``)."""

    # -- grievances ---------------------------------------------------------------------------

    def members(self, key: str, on: date) -> list[PlannedWorker]:
        return [w for w in self.workers if w.member(key, on)]

    def make_grievances(self) -> None:
        rng = self.rng
        for s in SPECS:
            weights = CATEGORY_WEIGHTS[s.key]
            for m in range(self.months):
                rate = s.rate0 + (s.rate1 - s.rate0) * m / (self.months - 1)
                n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
                first = month_after(self.start, m)
                for _ in range(n):
                    raised = first + in_days(rng.randint(0, 27))
                    if raised <= self.end:
                        self.grievance(s, raised, self.pick(weights))
        self.counts["grievances"] = len(self.grievances)
        for (worker_id, purpose), (first, key) in self.referral_consents.items():
            when = first - in_days(1)
            self.emit(when, c.GiveConsent, worker_id=worker_id, purpose=purpose,
                      on=self.at(key, when, 18))

    def grievance(self, s: CollectiveSpec, raised: date, category: str) -> None:
        rng = self.rng
        members = self.members(s.key, raised)
        rng.shuffle(members)
        primary = None
        same: list[PlannedWorker] = []
        orgs: tuple[UUID, ...] = ()
        sector = s.sectors[0]
        occurred = raised - in_days(rng.randint(0, 45))
        if category in RECRUITER_CATEGORIES:
            for w in members:
                if w.recruiter is not None:
                    primary = w
                    break
            if primary is not None:
                occurred = raised - in_days(rng.randint(20, 500 if s.key == "ktm" else 150))
                orgs = (primary.recruiter,)
                sector = primary.recruited_sector or sector
                if category == "contract_substitution":
                    sp = primary.employer_spell(raised, lookback=True)
                    if sp is not None and sp.employer != primary.recruiter:
                        orgs = (primary.recruiter, sp.employer)
                same = [w for w in members if w is not primary and w.recruiter == primary.recruiter]
        if primary is None and category not in NO_ORG_CATEGORIES:
            for w in members:
                sp = w.employer_spell(occurred, lookback=s.key in ("ktm", "bey"))
                if sp is not None:
                    primary, orgs, sector = w, (sp.employer,), sp.sector
                    same = [o for o in members if o is not w
                            and (o.employer_spell(occurred, False) or NO_SPELL).employer == sp.employer]
                    break
        if primary is None:
            if not members:
                return
            primary = members[0]
            sectors = primary.current_sectors(raised)
            sector = sectors[0] if sectors else s.sectors[0]
            same = []
        stage, place = primary.stage_place(raised, s.home)
        if stage == "origin":
            stage = "return"
        parties = [primary]
        # Raising grievances together becomes more common where organising grows.
        frac = self.frac(raised)
        together = s.multi * {"growing": 0.6 + 0.8 * frac, "emerging": 0.4 + 1.2 * frac,
                              "steady": 1.0, "stalling": 1.3 - 1.0 * frac}[s.trend]
        if same and rng.random() < together:
            parties += rng.sample(same, min(len(same), rng.randint(1, 5)))
            same = [w for w in same if w not in parties]
        description = rng.choice(DESCRIPTIONS.get(category, ("A grievance was raised.",)))
        cmd = self.emit(raised, c.RaiseGrievance, collective_id=self.collectives[s.key],
                        worker_ids=tuple(w.id for w in parties), category=category,
                        sector=sector, place=place, stage=stage, organisation_ids=orgs,
                        occurred_on=occurred, description=description)
        g = PlannedGrievance(new_id(cmd.command_id, "grievance"), s.key, category, orgs, sector,
                       raised, parties)
        self.grievances.append(g)
        self.follow_through(s, g, same)

    def follow_through(self, s: CollectiveSpec, g: PlannedGrievance, same: list[PlannedWorker]) -> None:
        """What happened next, step by step, each after the one before."""
        rng, end = self.rng, self.end
        group = self.taxonomy.category_group(g.category)
        frac = self.frac(g.raised)
        t = g.raised

        def step(lo: int, hi: int) -> date | None:
            nonlocal t
            t = t + in_days(rng.randint(lo, hi))
            return t if t <= end else None

        if same and rng.random() < 0.3:
            for joiner in rng.sample(same, min(len(same), rng.randint(1, 3))):
                if (when := step(3, 25)) is None:
                    return
                if joiner.reg > when:
                    continue
                self.emit(when, c.JoinGrievance, grievance_id=g.id, worker_ids=(joiner.id,))
                g.parties.append(joiner)
        if rng.random() < 0.55:
            if (when := step(2, 20)) is None:
                return
            self.emit(when, c.NoteEvidence, grievance_id=g.id, note=rng.choice(EVIDENCE), on=when)
        p_refer = 0.3 if group in ("violence", "status_justice", "documents_movement") else 0.14
        if rng.random() < p_refer:
            if (when := step(5, 30)) is None:
                return
            self.refer(s, g, group, when)
        if rng.random() < 0.15:
            if (when := step(5, 40)) is None:
                return
            self.emit(when, c.EscalateGrievance, grievance_id=g.id,
                      target=rng.choice(ESCALATIONS[s.key]), on=when)
        p_negotiate = {"growing": 0.2 + 0.3 * frac, "emerging": 0.1 + 0.35 * frac,
                       "steady": 0.25, "stalling": 0.2 - 0.12 * frac}[s.trend]
        if rng.random() < p_negotiate:
            if (when := step(7, 45)) is None:
                return
            self.emit(when, c.RecordNegotiation, grievance_id=g.id,
                      with_organisation_id=g.orgs[0] if g.orgs else None, held_on=when,
                      notes=rng.choice(NEGOTIATION_NOTES))
        if rng.random() < 0.15:
            if (when := step(5, 30)) is None:
                return
            self.emit(when, c.NoteEvidence, grievance_id=g.id, note=rng.choice(EVIDENCE), on=when)
        if rng.random() < {"bey": 0.09, "kl": 0.05, "skn": 0.05, "dhaka": 0.05}.get(s.key, 0.03):
            when = g.raised + in_days(rng.randint(5, 200))
            if when <= end:
                kind, details = rng.choice(RETALIATION)
                self.emit(when, c.ReportRetaliation, grievance_id=g.id, details=details,
                          kind=kind, on=when)
        p_withdraw = 0.12 if s.key == "bey" else 0.06
        roll = rng.random()
        if roll < p_withdraw:
            if (when := step(10, 90)) is None:
                return
            self.emit(when, c.WithdrawGrievance, grievance_id=g.id, on=when,
                      reason=rng.choice(WITHDRAW_REASONS))
            if rng.random() < 0.3:
                if (when := step(20, 120)) is None:
                    return
                self.emit(when, c.ReopenGrievance, grievance_id=g.id, on=when)
                if rng.random() < 0.6:
                    if (when := step(20, 120)) is None:
                        return
                    self.outcome(s, g, group, when)
        elif roll < 0.64:
            if (when := step(15, 150)) is None:
                return
            outcome = self.outcome(s, g, group, when)
            if outcome in ("employer_commitment", "no_result") and rng.random() < 0.08:
                if (when := step(30, 120)) is None:
                    return
                self.emit(when, c.ReopenGrievance, grievance_id=g.id, on=when)
                if rng.random() < 0.6:
                    if (when := step(20, 120)) is None:
                        return
                    self.outcome(s, g, group, when, allow=("wages_recovered", "compensation",
                                                           "changed_employer", "no_result"))

    def refer(self, s: CollectiveSpec, g: PlannedGrievance, group: str, when: date) -> None:
        rng = self.rng
        choices = REFERRALS[s.key].get(group, REFERRALS[s.key]["pay"])
        key = rng.choice(choices)
        if key == "consulate":
            key = CONSULATES.get((s.key, g.parties[0].nat), choices[-1] if choices[-1] !=
                                 "consulate" else choices[0])
        org = self.orgs[key]
        referred = g.parties if rng.random() < 0.5 else g.parties[:1]
        purpose = f"referral:{org}"
        for w in referred:
            # Grievances are planned one by one, not in time order, so the consent is
            # emitted later, before the earliest referral it covers.
            known = self.referral_consents.get((w.id, purpose))
            if known is None or when < known[0]:
                self.referral_consents[(w.id, purpose)] = (when, s.key)
        self.emit(when, c.ReferGrievance, grievance_id=g.id, organisation_id=org,
                  worker_ids=tuple(w.id for w in referred), on=when)

    def outcome(self, s: CollectiveSpec, g: PlannedGrievance, group: str, when: date,
                allow: tuple[str, ...] | None = None) -> str:
        rng = self.rng
        weights = OUTCOMES[group]
        if allow:
            weights = tuple((code, n) for code, n in weights if code in allow) or (("no_result", 1),)
        if s.trend == "stalling" and self.frac(when) > 0.4:
            weights = (*weights, ("no_result", 25), ("deported", 4))
        if g.category == "wages_unpaid_late" and s.trend == "growing":
            weights = (*weights, ("wages_recovered", 15))
        outcome = self.pick(weights)
        amount = currency = None
        if self.taxonomy.outcome_needs_amount(outcome):
            lo, hi, unit = AMOUNTS[s.currency]
            amount = Decimal(rng.randint(lo // unit, hi // unit) * unit * len(g.parties[:3]))
            currency = s.currency
        self.emit(when, c.RecordOutcome, grievance_id=g.id, outcome=outcome, amount=amount,
                  currency=currency, on=when)
        return outcome
