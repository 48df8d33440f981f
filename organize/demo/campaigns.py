"""The demo's issue campaigns: demands, actions, results and agreements, with their plan."""

from __future__ import annotations

from datetime import date

from organize import commands as c
from organize.application import new_id
from organize.demo.state import PlannedCampaign, PlannedGrievance, in_days, month_after

# Campaigns. Months are counted from the plan's start. Demand results: (demand index,
# result, month). Actions: (kind, month, collective keys).
CAMPAIGNS: tuple[dict, ...] = (
    {
        "key": "fees", "issue": "Refund illegal recruitment fees and end debt bondage",
        "collectives": ("hk", "ktm"), "joins": (("kl", 5),),
        "sectors": ("domestic_care", "manufacturing"), "month": 2,
        "demands": (
            "Himal Overseas Manpower refunds every fee above the legal ceiling",
            "No placement fee in Hong Kong above 10% of the first month's wage",
            "Recruiters return the passports and certificates they hold",
            "The Department of Foreign Employment publishes agencies' violation records",
        ),
        "added": (("Fee refunds are paid without deductions or 'processing charges'", 9),),
        "categories": ("recruitment_fees_debt", "fraudulent_recruiter", "deceived_job_terms"),
        "orgs": ("himal", "sindhu_agent", "pacific_star", "bintang", "lion_gate"),
        "actions": (("petition", 3, ("hk", "ktm")), ("delegation", 5, ("hk",)),
                    ("public_action", 8, ("hk", "ktm", "kl")), ("delegation", 10, ("ktm",)),
                    ("employer_meeting", 11, ("ktm", "kl"))),
        "results": ((2, "won", 12), (0, "partly_won", 13), (1, "lost", 14),
                    (3, "partly_won", 16), (4, "partly_won", 16)),
        "agreement": ("himal", 13, (
            "Fees above the legal ceiling are refunded to the workers listed within 90 days.",
            "The agency holds no passports or certificates.",
            "A complaint desk is held with the Returnee Women's Group every month.",
        )),
        "close": (18, "Refunds paid to most of the workers listed; the fee ceiling in Hong "
                      "Kong was not changed. The issue continues in the reintegration campaign."),
    },
    {
        "key": "sunrise", "issue": "Wages on time and maternity rights at Sunrise Apparels",
        "collectives": ("dhaka",), "joins": (), "sectors": ("garment",), "month": 1,
        "demands": (
            "Wages paid by the 7th of each month",
            "All arrears since August 2024 paid in full",
            "Maternity leave paid as the law requires",
            "A harassment committee with elected women workers",
        ),
        "added": (),
        "categories": ("wages_unpaid_late", "pregnancy_maternity", "sexual_harassment_violence",
                       "excessive_hours"),
        "orgs": ("sunrise",),
        "actions": (("petition", 2, ("dhaka",)), ("employer_meeting", 3, ("dhaka",)),
                    ("strike", 5, ("dhaka",)), ("employer_meeting", 6, ("dhaka",)),
                    ("public_action", 7, ("dhaka",))),
        "results": ((0, "won", 7), (1, "partly_won", 7), (2, "won", 9), (3, "partly_won", 10)),
        "agreement": ("sunrise", 7, (
            "Wages are paid by the 7th of each month; late payment carries a penalty.",
            "Arrears are paid in three instalments, the last within four months.",
            "Maternity leave is paid in full, in two parts, as the law provides.",
            "A harassment committee is formed with a majority of elected women workers.",
        )),
        "close": (12, "Wages now arrive on time; arrears mostly paid; the harassment "
                      "committee meets but management still chairs it."),
    },
    {
        "key": "restday", "issue": "A real weekly rest day: 24 hours off, every week",
        "collectives": ("hk",), "joins": (), "sectors": ("domestic_care",), "month": 4,
        "demands": (
            "24 consecutive hours of rest each week, spent outside the employer's home",
            "No deductions or threats for taking statutory holidays",
            "The Labour Department acts on rest-day complaints within 30 days",
        ),
        "added": (),
        "categories": ("no_weekly_rest", "no_leave", "excessive_hours", "no_sleep"),
        "orgs": (),
        "actions": (("petition", 5, ("hk",)), ("public_action", 6, ("hk",)),
                    ("delegation", 9, ("hk",)), ("public_action", 14, ("hk",)),
                    ("delegation", 19, ("hk",))),
        "results": ((1, "partly_won", 15), (2, "lost", 20)),
        "agreement": None,
        "close": None,
    },
    {
        "key": "passports", "issue": "Our passports stay with us",
        "collectives": ("kl", "skn"), "joins": (("hk", 9),),
        "sectors": ("manufacturing", "fishing", "domestic_care"), "month": 6,
        "demands": (
            "Every employer returns passports held 'for safekeeping'",
            "Lockers under the workers' own control in every hostel",
            "The labour office inspects document retention at Harbourline Group sites",
        ),
        "added": (),
        "categories": ("documents_confiscated", "locked_in", "cannot_change_employer"),
        "orgs": ("harbourline", "seri", "siam_ocean", "golden_myanmar", "mahachai_broker",
                 "kv_elec"),
        "actions": (("petition", 7, ("kl", "skn")), ("delegation", 8, ("kl",)),
                    ("employer_meeting", 10, ("kl",)), ("public_action", 12, ("kl", "skn", "hk")),
                    ("employer_meeting", 15, ("skn",))),
        "results": ((1, "won", 11), (0, "partly_won", 16), (2, "lost", 18)),
        "agreement": ("harbourline", 11, (
            "Passports are returned to every worker at the group's factory, hotel and sites.",
            "Each worker gets a locker with her own key in the hostel.",
            "No deduction or penalty for workers who keep their own documents.",
        )),
        "close": None,
    },
    {
        "key": "sheds", "issue": "Safe hours and clean water at the peeling sheds",
        "collectives": ("skn",), "joins": (), "sectors": ("fishing",), "month": 10,
        "demands": (
            "No shift longer than 10 hours",
            "Clean drinking water and a break every two hours",
            "Gloves and boots provided free of charge",
        ),
        "added": (),
        "categories": ("excessive_hours", "unsafe_work", "health_care_denied"),
        "orgs": ("siam_ocean", "shed4", "cold_storage"),
        "actions": (("petition", 11, ("skn",)), ("employer_meeting", 13, ("skn",)),
                    ("strike", 16, ("skn",)), ("employer_meeting", 17, ("skn",))),
        "results": ((2, "won", 14), (1, "won", 17), (0, "partly_won", 18)),
        "agreement": ("siam_ocean", 17, (
            "Shifts end after 10 hours; overtime is voluntary and paid at the legal rate.",
            "Drinking water and a ten-minute break every two hours on every line.",
            "Gloves and boots are provided free and replaced when worn.",
        )),
        "close": (22, "Most demands won at Siam Ocean Foods; the other sheds have not signed."),
    },
    {
        "key": "kafala", "issue": "Change employer without the sponsor's release",
        "collectives": ("bey",), "joins": (), "sectors": ("domestic_care",), "month": 2,
        "demands": (
            "Domestic workers can change employer without the sponsor's release",
            "An end to 'absconding' complaints used to punish workers who leave",
            "Unpaid wages are settled before anyone is deported",
        ),
        "added": (),
        "categories": ("cannot_change_employer", "counter_charge", "documents_confiscated",
                       "locked_in"),
        "orgs": (),
        "actions": (("petition", 3, ("bey",)), ("public_action", 5, ("bey",)),
                    ("delegation", 8, ("bey",))),
        "results": ((2, "partly_won", 11), (0, "lost", 13), (1, "lost", 13)),
        "agreement": None,
        "close": (14, "Paused: after the raids few members could come, and the ministry "
                      "would not meet again. Wage settlements before deportation were won "
                      "in some cases."),
    },
    {
        "key": "reintegration", "issue": "Recognise our skills and relieve our debts",
        "collectives": ("ktm",), "joins": (("hk", 12),),
        "sectors": ("agriculture", "street_vending", "domestic_care"), "month": 8,
        "demands": (
            "Municipal recognition of the care and cooking skills learned abroad",
            "Low-interest loans to clear recruitment debt",
            "Stall permits for returnee women at the Saturday market",
        ),
        "added": (),
        "categories": ("recruitment_fees_debt", "fraudulent_recruiter",
                       "discrimination_gender", "abuse_of_vulnerability"),
        "orgs": (),
        "actions": (("delegation", 9, ("ktm",)), ("petition", 11, ("ktm",)),
                    ("public_action", 15, ("ktm", "hk")), ("delegation", 18, ("ktm",))),
        "results": ((2, "won", 16), (1, "partly_won", 20)),
        "agreement": None,
        "close": None,
    },
    {
        "key": "maternity",
        "issue": "Maternity protection for every woman worker, whatever her sector",
        "collectives": ("kl", "dhaka", "hk"), "joins": (("skn", 17),),
        "sectors": ("manufacturing", "garment", "domestic_care", "hospitality", "fishing"),
        "month": 15,
        "demands": (
            "No dismissal for pregnancy",
            "Paid maternity leave for migrant workers on the same terms as local workers",
        ),
        "added": (),
        "categories": ("pregnancy_maternity", "health_care_denied"),
        "orgs": (),
        "actions": (("public_action", 16, ("kl", "dhaka", "hk")), ("petition", 17,
                    ("kl", "dhaka", "hk", "skn")), ("delegation", 20, ("kl", "hk"))),
        "results": ((0, "partly_won", 21),),
        "agreement": None,
        "close": None,
    },
)


class CampaignSteps:
    """The builder's steps for campaigns (mixed into ``organize.demo.builder.Builder``)."""

    # -- campaigns ------------------------------------------------------------------------------

    def make_campaigns(self) -> None:
        rng = self.rng
        for spec in CAMPAIGNS:
            launched = month_after(self.start, spec["month"]) + in_days(rng.randint(2, 12))
            if launched > self.end:
                continue
            cmd = self.emit(launched, c.LaunchCampaign, issue=spec["issue"],
                            demands=spec["demands"],
                            collective_ids=tuple(self.collectives[k] for k in spec["collectives"]),
                            sectors=spec["sectors"], launched_on=launched)
            camp = PlannedCampaign(new_id(cmd.command_id, "campaign"), spec,
                             [(k, launched) for k in spec["collectives"]], launched, None)
            self.campaigns[spec["key"]] = camp
            demands = [new_id(cmd.command_id, f"demand:{i}") for i in range(len(spec["demands"]))]
            closed = None
            if spec["close"]:
                closed = month_after(self.start, spec["close"][0]) + in_days(rng.randint(5, 20))
                camp.closed = closed
            last = min(closed or self.end, self.end)
            # (date, order, kind, data): the campaign's steps, in date order.
            steps: list[tuple[date, int, str, object]] = []
            for key, month in spec["joins"]:
                steps.append((month_after(self.start, month) + in_days(3), 0, "join", key))
            for text, month in spec["added"]:
                steps.append((month_after(self.start, month) + in_days(6), 1, "add", text))
            for kind, month, keys in spec["actions"]:
                steps.append((month_after(self.start, month) + in_days(rng.randint(8, 20)), 2, "action",
                              (kind, keys)))
            for index, result, month in spec["results"]:
                steps.append((month_after(self.start, month) + in_days(24), 3, "result", (index, result)))
            if spec["agreement"]:
                org, month, clauses = spec["agreement"]
                steps.append((month_after(self.start, month) + in_days(22), 4, "agreement",
                              (org, clauses)))
            linked = self.campaign_grievances(camp)
            for when, g in linked:
                steps.append((when, 1, "link", g))
            steps.sort(key=lambda x: (x[0], x[1]))
            for when, _o, kind, data in steps:
                if when > last:
                    continue
                if kind == "join":
                    self.emit(when, c.JoinCampaign, campaign_id=camp.id,
                              collective_id=self.collectives[data])
                    camp.keys.append((data, when))
                elif kind == "add":
                    add = self.emit(when, c.AddDemand, campaign_id=camp.id, text=data)
                    demands.append(new_id(add.command_id, "demand"))
                elif kind == "link":
                    self.emit(when, c.LinkGrievance, campaign_id=camp.id, grievance_id=data.id)
                elif kind == "action":
                    self.action(camp, when, *data, linked)
                elif kind == "result":
                    index, result = data
                    if index < len(demands):
                        self.emit(when, c.ResolveDemand, campaign_id=camp.id,
                                  demand_id=demands[index], result=result, on=when)
                else:
                    org, clauses = data
                    self.emit(when, c.SignAgreement, campaign_id=camp.id,
                              with_organisation_id=self.orgs[org], signed_on=when,
                              clauses=clauses)
            if closed is not None and closed <= self.end:
                self.emit(closed, c.CloseCampaign, campaign_id=camp.id, on=closed,
                          summary=spec["close"][1])
        self.counts["campaigns"] = len(self.campaigns)

    def campaign_grievances(self, camp: PlannedCampaign) -> list[tuple[date, PlannedGrievance]]:
        spec = camp.spec
        keys = set(spec["collectives"]) | {k for k, _m in spec["joins"]}
        orgs = {self.orgs[o] for o in spec["orgs"]}
        last = camp.closed or self.end
        found = [g for g in self.grievances
                 if g.key in keys and g.category in spec["categories"]
                 and (not orgs or orgs.intersection(g.orgs))
                 and camp.launched - in_days(120) <= g.raised <= last - in_days(10)]
        chosen = self.rng.sample(found, min(len(found), 25))
        chosen.sort(key=lambda g: g.raised)
        return [(max(g.raised, camp.launched) + in_days(self.rng.randint(1, 10)), g)
                for g in chosen]

    def action(self, camp: PlannedCampaign, when: date, kind: str, keys: tuple[str, ...],
               linked: list[tuple[date, PlannedGrievance]]) -> None:
        rng = self.rng
        keys = tuple(k for k in keys if any(k == key and since <= when for key, since in camp.keys))
        if not keys:
            return
        size = {"petition": 50, "public_action": 45, "strike": 50, "delegation": 7,
                "employer_meeting": 5}[kind]
        concerned = [w for _d, g in linked for w in g.parties
                     if any(w.member(k, when) for k in keys)]
        everyone = [w for k in keys for w in self.members(k, when)]
        ordered = list(dict.fromkeys(
            [w for w in everyone if w.leader] + concerned
            + sorted(everyone, key=lambda w: -w.attend - rng.random() * 0.5)))
        participants = ordered[:size]
        if not participants:
            return
        self.emit(when, c.TakeAction, campaign_id=camp.id, kind=kind, taken_on=when,
                  participant_ids=tuple(w.id for w in participants),
                  collective_ids=tuple(self.collectives[k] for k in keys))
        if kind == "employer_meeting":
            self.negotiations.append((when, camp, tuple(participants), keys[0]))
