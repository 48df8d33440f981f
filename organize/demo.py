"""The demo dataset: two years of organising by migrant women workers, made up but realistic.

``load_demo`` builds a fixed list of commands from a ``DemoPlan`` (a seeded
``random.Random``, fixed dates, command ids derived from the seed and a counter) and runs
them in order through ``Organize.execute``. Because the ids are deterministic and commands
are idempotent, a second run appends nothing: every command comes back as replayed.

What the data holds, so the organising-strength indicators have something to show:

- six collectives in six places (Hong Kong, Dhaka, Kathmandu, Kuala Lumpur, Beirut,
  Samut Sakhon), in two federations, across domestic, garment, manufacturing, fishing,
  hospitality, construction, agriculture, street vending and unpaid care work;
- organisations of every kind (households are named "Household 17"), alliances formed
  and one ended;
- about 250 workers known by pseudonyms, with overlapping and cross-sector work spells,
  moves that loop (leave, return, re-migrate), moves between collectives, consents given
  item by item (referral consent before each referral), a few status changes;
- over 650 grievances, many raised or joined by several workers, where the same category
  against the same recruiter or employer recurs across collectives and sectors, followed
  through with evidence, referrals, escalations, negotiations, outcomes, withdrawals,
  reopenings and, on a few, retaliation;
- eight issue campaigns (several across collectives and sectors) with demands, actions,
  results and agreements;
- about 260 meetings: organising grows in Hong Kong, Dhaka and Kuala Lumpur (rotating and
  new facilitators, rising attendance), emerges in Samut Sakhon, holds steady in
  Kathmandu, and stalls in Beirut (one facilitator every time, falling attendance);
- each collective's own assessments, with narratives.

Every name is fictional. Nothing here calls a worker a "victim" or a "runaway";
"absconding" appears only as the name of a charge.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from decimal import Decimal
from functools import lru_cache
from uuid import UUID, uuid5

from organize import commands as c
from organize.application import new_id
from organize.domain import DIMENSIONS, load_taxonomy
from organize.errors import CommandError

DEMO_NAMESPACE = UUID("6f726761-6e69-7a65-8000-00000000de30")

__all__ = [
    "DEMO_NAMESPACE",
    "DemoError",
    "DemoPlan",
    "DemoSummary",
    "demo_commands",
    "load_demo",
]


@dataclass(frozen=True)
class DemoPlan:
    """What to build. Fixed dates (never today's), so the data is the same on every run."""

    seed: int = 2026
    start: date = date(2024, 11, 1)
    end: date = date(2026, 10, 31)

    def total_commands(self) -> int:
        """The exact number of commands ``load_demo`` executes for this plan."""
        return len(_build(self).commands)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds and what this run did. No personal data."""

    start: date
    end: date
    collectives: int
    countries: int
    sectors: int
    organisations: int
    workers: int
    grievances: int
    campaigns: int
    meetings: int
    assessments: int
    commands: int
    commands_applied: int
    commands_replayed: int
    events_appended: int
    seconds: float

    def describe(self) -> str:
        return "\n".join(
            [
                f"Demo data, {self.start.isoformat()} to {self.end.isoformat()}: "
                f"{self.collectives} collectives in {self.countries} countries, "
                f"{self.sectors} sectors.",
                f"{self.workers} workers (pseudonyms), {self.organisations} organisations, "
                f"{self.grievances} grievances, {self.campaigns} campaigns, "
                f"{self.meetings} meetings, {self.assessments} self-assessments.",
                f"{self.commands} commands: {self.commands_applied} applied "
                f"({self.events_appended} events appended), {self.commands_replayed} "
                f"already loaded. {self.seconds:.1f} s.",
            ]
        )


class DemoError(Exception):
    """A demo command was refused: the demo and the domain disagree. A bug, not bad luck."""


def demo_commands(plan: DemoPlan | None = None) -> tuple[c.Command, ...]:
    """The commands ``load_demo`` runs, in order (for tests and inspection)."""
    return _build(plan or DemoPlan()).commands


def load_demo(
    app,
    plan: DemoPlan | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> DemoSummary:
    """Run the demo's commands in order through ``app.execute``, calling ``progress(1)``
    after each. Idempotent: commands already in the command log come back as replayed
    (read from the log while catching up), so a second run appends nothing."""
    plan = plan or DemoPlan()
    built = _build(plan)
    began = time.perf_counter()
    before = app.recorder.max_notification_id() or 0
    applied = replayed = 0
    # While the commands are already in the command log (a second run, or a run that was
    # interrupted), read their first results straight from the log instead of running the
    # handlers again; from the first new command on, execute (itself idempotent).
    replay = getattr(app, "replay", None)
    for position, command in enumerate(built.commands, start=1):
        try:
            result = replay(command) if replay is not None else None
            if result is None:
                replay = None
                result = app.execute(command)
        except CommandError as e:
            raise DemoError(
                f"Demo command {position} ({type(command).__name__}) was refused: "
                f"{e.message} (field={e.field}, code={e.code})"
            ) from e
        if result.replayed:
            replayed += 1
        else:
            applied += 1
        progress(1)
    after = app.recorder.max_notification_id() or 0
    counts = built.counts
    return DemoSummary(
        start=plan.start,
        end=plan.end,
        collectives=counts.get("collectives", 0),
        countries=counts.get("countries", 0),
        sectors=counts.get("sectors", 0),
        organisations=counts.get("organisations", 0),
        workers=counts.get("workers", 0),
        grievances=counts.get("grievances", 0),
        campaigns=counts.get("campaigns", 0),
        meetings=counts.get("meetings", 0),
        assessments=counts.get("assessments", 0),
        commands=len(built.commands),
        commands_applied=applied,
        commands_replayed=replayed,
        # Exact when nobody else writes at the same time (the CLI's case).
        events_appended=max(0, after - before) if applied else 0,
        seconds=time.perf_counter() - began,
    )


# == Fixed material ==========================================================================

FED_DOMESTIC = "Asian Migrant Domestic Workers' Federation"
FED_SOUTH_ASIA = "South Asia Women Workers' Network"
FED_MEKONG = "Mekong Migrant Workers' Network"
# Each collective's time zone (IANA), in which its meeting times are typed and shown.
ZONES = {"hk": "Asia/Hong_Kong", "dhaka": "Asia/Dhaka", "ktm": "Asia/Kathmandu",
         "kl": "Asia/Kuala_Lumpur", "bey": "Asia/Beirut", "skn": "Asia/Bangkok"}


@dataclass(frozen=True)
class _CSpec:
    key: str
    name: str
    kind: str
    sectors: tuple[str, ...]
    places: tuple[str, ...]
    languages: tuple[str, ...]
    federation: str | None
    home: str
    currency: str
    tz: timezone
    quotas: tuple[tuple[str, int], ...]  # nationality, number of workers
    founders: int
    trend: str  # growing | steady | stalling | emerging
    rate0: float  # grievances a month at the start
    rate1: float  # ... and at the end
    weekday: int  # the members' day off (Monday = 0)
    hour: int
    leaders0: int  # facilitators at the start
    new_leader_months: tuple[int, ...]
    leave_rate: float
    multi: float  # chance a grievance is raised by several workers together


def _tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


SPECS: tuple[_CSpec, ...] = (
    _CSpec(
        "hk", "Kowloon Domestic Workers' Union Branch", "union_branch",
        ("domestic_care", "hospitality", "unpaid_care"), ("HK", "HK-KLN", "HK-NT"),
        ("tl", "id", "ne", "en"), FED_DOMESTIC, "HK", "HKD", _tz(8),
        (("PH", 30), ("ID", 22), ("NP", 10)), 24, "growing", 6.0, 12.5, 6, 14,
        2, (3, 6, 9, 12, 15, 18, 21), 0.06, 0.35,
    ),
    _CSpec(
        "dhaka", "Ashulia Women Garment Workers' Collective", "worker_collective",
        ("garment", "unpaid_care", "street_vending"), ("BD-DHA", "BD-GAZ"),
        ("bn",), FED_SOUTH_ASIA, "BD-DHA", "BDT", _tz(6),
        (("BD", 52),), 18, "growing", 4.0, 9.0, 4, 15,
        2, (4, 8, 12, 16, 20), 0.06, 0.5,
    ),
    _CSpec(
        "ktm", "Kathmandu Returnee Women's Self-Help Group", "self_help_group",
        ("domestic_care", "agriculture", "street_vending", "unpaid_care"), ("NP-KTM", "NP-SIN"),
        ("ne",), FED_SOUTH_ASIA, "NP-KTM", "NPR", _tz(5, 45),
        (("NP", 32),), 14, "steady", 2.2, 3.0, 5, 11,
        2, (12,), 0.05, 0.3,
    ),
    _CSpec(
        "kl", "Kuala Lumpur Migrant Women Workers' Centre", "worker_centre",
        ("manufacturing", "domestic_care", "hospitality"), ("MY-KUL", "MY-SGR"),
        ("ms", "en", "ne", "bn", "id", "my"), FED_DOMESTIC, "MY-KUL", "MYR", _tz(8),
        (("ID", 11), ("NP", 12), ("BD", 9), ("MM", 14)), 15, "growing", 4.0, 8.0, 6, 15,
        2, (5, 10, 15, 20), 0.08, 0.4,
    ),
    _CSpec(
        "bey", "Beirut Migrant Domestic Workers' Collective", "worker_collective",
        ("domestic_care", "hospitality"), ("LB-BEY",),
        ("ar", "en", "am", "si", "tl"), None, "LB-BEY", "USD", _tz(2),
        (("ET", 12), ("LK", 6), ("BD", 4), ("NP", 3), ("PH", 5)), 24, "stalling", 5.0, 1.5, 6, 13,
        1, (), 0.2, 0.15,
    ),
    _CSpec(
        "skn", "Mahachai Seafood Workers' Collective", "worker_collective",
        ("fishing", "garment", "unpaid_care"), ("TH-SKN", "TH-TAK"),
        ("my", "th"), FED_MEKONG, "TH-SKN", "THB", _tz(7),
        (("MM", 30),), 8, "emerging", 2.0, 5.0, 6, 18,
        1, (9, 14, 19), 0.05, 0.45,
    ),
)

# key, name, kind, place. Every name is made up.
ORGANISATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("himal", "Himal Overseas Manpower", "recruiter", "NP-KTM"),
    ("sindhu_agent", "Sub-agent network (Sindhupalchok)", "recruiter", "NP-SIN"),
    ("golden_crown", "Golden Crown Recruiting Agency", "recruiter", "BD-DHA"),
    ("pacific_star", "Pacific Star Placement", "recruiter", "PH-MNL"),
    ("lion_gate", "Lion Gate Employment Agency", "recruiter", "HK-KLN"),
    ("bintang", "Bintang Jaya Recruitment", "recruiter", "ID-JKT"),
    ("golden_myanmar", "Golden Myanmar Overseas Employment", "recruiter", "MM-YGN"),
    ("mahachai_broker", "Broker network (Mahachai)", "recruiter", "TH-SKN"),
    ("addis_link", "Addis Link Employment Agency", "recruiter", "ET-AA"),
    ("lanka_gulf", "Lanka Gulf Manpower", "recruiter", "LK-COL"),
    ("beirut_office", "Beirut Home Services Office", "recruiter", "LB-BEY"),
    ("sunrise", "Sunrise Apparels Ltd", "employer", "BD-DHA"),
    ("meghna", "Meghna Knit Composite", "employer", "BD-DHA"),
    ("riverbank", "Riverbank Denim Ltd", "employer", "BD-DHA"),
    ("lalbagh", "Lalbagh Sweaters", "employer", "BD-DHA"),
    ("greenthread", "Green Thread Garments", "employer", "BD-GAZ"),
    ("harbourline", "Harbourline Group", "employer", "MY-SGR"),
    ("seri", "Seri Gloves Sdn Bhd", "employer", "MY-SGR"),
    ("kv_elec", "Klang Valley Electronics", "employer", "MY-SGR"),
    ("bayview", "Bayview Hotel", "employer", "MY-KUL"),
    ("maju", "Maju Construction Sdn Bhd", "employer", "MY-KUL"),
    ("siam_ocean", "Siam Ocean Foods", "employer", "TH-SKN"),
    ("shed4", "Shrimp peeling shed 4", "employer", "TH-SKN"),
    ("cold_storage", "Mahachai Cold Storage Co.", "employer", "TH-SKN"),
    ("moei", "Moei Garment Factory", "employer", "TH-TAK"),
    ("corniche", "Hotel Corniche", "employer", "LB-BEY"),
    ("cedar", "Cedar Cleaning Services", "employer", "LB-BEY"),
    ("hk_union", "Harbour Workers' Union Federation", "union", "HK"),
    ("bd_union", "Ashulia Garment Workers' Union", "union", "BD-DHA"),
    ("my_union", "Selangor Manufacturing Workers' Union", "union", "MY-SGR"),
    ("th_union", "Mahachai Labour Union", "union", "TH-SKN"),
    ("np_union", "Kathmandu Workers' Union Council", "union", "NP-KTM"),
    ("hk_legal", "Migrant Legal Aid Centre", "ngo", "HK"),
    ("bd_clinic", "Dhaka Labour Rights Clinic", "ngo", "BD-DHA"),
    ("my_ngo", "Migrant Care Network", "ngo", "MY-KUL"),
    ("np_ngo", "Returnee Support Centre", "ngo", "NP-KTM"),
    ("th_ngo", "Seafood Workers' Rights Project", "ngo", "TH-SKN"),
    ("lb_legal", "Beirut Legal Aid for Migrants", "ngo", "LB-BEY"),
    ("hk_women", "Women Workers' Solidarity Forum", "womens_rights_group", "HK"),
    ("bd_women", "Dhaka Women's Rights Alliance", "womens_rights_group", "BD-DHA"),
    ("np_women", "Nepal Women's Rights Forum", "womens_rights_group", "NP-KTM"),
    ("lb_women", "Feminist Collective of Beirut", "womens_rights_group", "LB-BEY"),
    ("th_women", "Mekong Women's Network", "womens_rights_group", "TH-SKN"),
    ("hk_shelter", "Harbour Shelter for Migrant Women", "shelter", "HK"),
    ("lb_shelter", "Beirut Women's Shelter", "shelter", "LB-BEY"),
    ("my_shelter", "Safe House Kuala Lumpur", "shelter", "MY-KUL"),
    ("np_shelter", "Returnee Transit Home", "shelter", "NP-KTM"),
    ("hk_labour", "Labour Department (Hong Kong)", "labour_office", "HK"),
    ("bd_labour", "Factory inspection office (Dhaka)", "labour_office", "BD-DHA"),
    ("np_labour", "Department of Foreign Employment (Nepal)", "labour_office", "NP-KTM"),
    ("my_labour", "Labour Department (Selangor)", "labour_office", "MY-SGR"),
    ("lb_labour", "Ministry of Labour (Lebanon)", "labour_office", "LB-BEY"),
    ("th_labour", "Labour protection office (Samut Sakhon)", "labour_office", "TH-SKN"),
    ("hk_court", "Labour Tribunal (Hong Kong)", "court", "HK"),
    ("bd_court", "Labour Court (Dhaka)", "court", "BD-DHA"),
    ("my_court", "Industrial Court (Kuala Lumpur)", "court", "MY-KUL"),
    ("np_court", "Foreign Employment Tribunal (Kathmandu)", "court", "NP-KTM"),
    ("ph_consulate", "Consulate of the Philippines (Hong Kong)", "embassy", "HK"),
    ("id_consulate", "Consulate of Indonesia (Hong Kong)", "embassy", "HK"),
    ("np_embassy_my", "Embassy of Nepal (Kuala Lumpur)", "embassy", "MY-KUL"),
    ("bd_embassy_lb", "Embassy of Bangladesh (Beirut)", "embassy", "LB-BEY"),
    ("et_consulate_lb", "Consulate of Ethiopia (Beirut)", "embassy", "LB-BEY"),
    ("mm_embassy_th", "Embassy of Myanmar (Bangkok)", "embassy", "TH-BKK"),
)

# Households are employers too, named neutrally: country, how many, places, and the
# collective that records them (a household is a person: only that collective sees it).
HOUSEHOLDS: tuple[tuple[str, int, tuple[str, ...], str], ...] = (
    ("HK", 70, ("HK-KLN", "HK-HKI", "HK-NT"), "hk"),
    ("MY", 14, ("MY-KUL", "MY-SGR"), "kl"),
    ("LB", 36, ("LB-BEY", "LB-MTN"), "bey"),
)

# collective, organisation, since (days from the start; negative = before), until.
ALLIANCES: tuple[tuple[str, str, int, int | None], ...] = (
    ("hk", "hk_union", -420, None),
    ("hk", "hk_legal", -700, None),
    ("hk", "hk_women", 120, None),
    ("hk", "hk_shelter", 300, None),
    ("hk", "my_ngo", 430, None),
    ("dhaka", "bd_union", -300, None),
    ("dhaka", "bd_clinic", 60, None),
    ("dhaka", "bd_women", 210, None),
    ("ktm", "np_ngo", -500, None),
    ("ktm", "np_women", 90, None),
    ("ktm", "np_union", 450, None),
    ("kl", "my_ngo", -200, None),
    ("kl", "my_union", 150, None),
    ("kl", "my_shelter", 250, None),
    ("kl", "th_ngo", 500, None),
    ("bey", "lb_legal", -600, 320),
    ("bey", "lb_women", -300, None),
    ("bey", "lb_shelter", -200, None),
    ("skn", "th_ngo", -100, None),
    ("skn", "th_union", 280, None),
    ("skn", "th_women", 420, None),
)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "PH": ("Rina", "Maricel", "Joy", "Lorna", "Jocelyn", "Analyn", "Cherry", "Marites",
           "Grace", "Rowena", "Elvie", "Nenita", "Mylene", "Rosalie", "Divina", "Liza"),
    "ID": ("Sri", "Dewi", "Ani", "Yuli", "Siti", "Wati", "Eni", "Rini", "Nur", "Tari",
           "Lestari", "Umi", "Ratna", "Yanti", "Endang", "Murni"),
    "NP": ("Mala", "Sita", "Gita", "Laxmi", "Sarita", "Sunita", "Kamala", "Bishnu", "Radha",
           "Mina", "Parbati", "Durga", "Anita", "Januka", "Rama", "Pabitra"),
    "BD": ("Rokeya", "Shirin", "Nasima", "Parvin", "Shahana", "Moriom", "Rupa", "Taslima",
           "Jesmin", "Shefali", "Kulsum", "Nazma", "Rehana", "Salma", "Shilpi", "Aklima"),
    "MM": ("Aye", "Thida", "Moe", "Khin", "Nilar", "Su", "Hnin", "Ei", "Zin", "May",
           "Thandar", "Sandar", "Yamin", "Phyu", "Wai", "Myint"),
    "ET": ("Meseret", "Tigist", "Hirut", "Selam", "Almaz", "Bethlehem", "Tsehay", "Genet",
           "Mekdes", "Hana", "Yeshi", "Aster"),
    "LK": ("Kumari", "Nirmala", "Chandrika", "Malini", "Sriyani", "Dilrukshi", "Anoma",
           "Pushpa"),
}
FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "PH": ("Dela Paz", "Manalo", "Baylon", "Sarmiento"),
    "ID": ("Rahayuningsih", "Wulansari", "Susantini"),
    "NP": ("Tamang", "Gurung", "Rai", "Magar"),
    "BD": ("Akter", "Khatun", "Begum"),
    "MM": ("Aye Win", "Thida Oo", "Moe Moe"),
    "ET": ("Tesfamariam", "Alemayehu", "Bekelech"),
    "LK": ("Weerasinghe", "Gunawardhana", "Jayalath"),
}
PHONE_PREFIX = {"HK": "+852", "BD": "+880", "NP": "+977", "MY": "+60", "LB": "+961",
                "TH": "+66"}
LANGUAGE_OF = {"PH": "tl", "ID": "id", "NP": "ne", "BD": "bn", "MM": "my", "ET": "am",
               "LK": "si"}
ORIGINS: dict[str, tuple[str, ...]] = {
    "PH": ("PH-ILO", "PH-PAN", "PH-ISA", "PH-CAV"),
    "ID": ("ID-JI", "ID-LA", "ID-NB", "ID-JT"),
    "NP": ("NP-SIN", "NP-DHD", "NP-MKP", "NP-NUW"),
    "BD": ("BD-KUR", "BD-RAN", "BD-MYM", "BD-BAR"),
    "MM": ("MM-MON", "MM-AYE", "MM-BAG", "MM-KAY"),
    "ET": ("ET-AM", "ET-OR", "ET-TI"),
    "LK": ("LK-KUR", "LK-NUW", "LK-BAT"),
}
HUBS = {"PH": "PH-MNL", "ID": "ID-JKT", "NP": "NP-KTM", "BD": "BD-DHA", "MM": "MM-YGN",
        "ET": "ET-AA", "LK": "LK-COL"}
RECRUITERS = {"PH": "pacific_star", "ID": "bintang", "NP": "himal", "BD": "golden_crown",
              "MM": "golden_myanmar", "ET": "addis_link", "LK": "lanka_gulf"}
NOTES = (
    "Prefers voice messages; reads little English.",
    "Call only on her day off; the employer checks her phone.",
    "Shares a phone with her sister.",
    "Speaks Cantonese well and helps new members.",
    "Has asked that nobody visit her at the employer's home.",
    "Can come to meetings only after the evening shift.",
)

# Grievance categories, weighted by what each collective meets most.
CATEGORY_WEIGHTS: dict[str, tuple[tuple[str, int], ...]] = {
    "hk": (("wages_unpaid_late", 14), ("no_weekly_rest", 12), ("excessive_hours", 10),
           ("recruitment_fees_debt", 12), ("documents_confiscated", 8), ("illegal_deductions", 6),
           ("verbal_abuse", 5), ("food", 5), ("accommodation", 6), ("no_sleep", 3),
           ("sexual_harassment_violence", 3), ("threats_intimidation", 2),
           ("physical_violence", 2), ("pregnancy_maternity", 2), ("health_care_denied", 3),
           ("counter_charge", 2), ("deceived_job_terms", 3), ("no_leave", 3),
           ("contract_substitution", 2), ("discrimination_nationality", 1), ("locked_in", 1)),
    "dhaka": (("wages_unpaid_late", 20), ("excessive_hours", 14), ("pay_below_rate", 8),
              ("illegal_deductions", 6), ("sexual_harassment_violence", 6), ("verbal_abuse", 8),
              ("unsafe_work", 8), ("pregnancy_maternity", 6), ("no_leave", 5),
              ("freedom_of_association_denied", 4), ("retaliation", 3),
              ("certificates_confiscated", 2), ("discrimination_gender", 3),
              ("health_care_denied", 2), ("physical_violence", 1)),
    "ktm": (("recruitment_fees_debt", 25), ("deceived_job_terms", 14),
            ("fraudulent_recruiter", 10), ("wages_unpaid_late", 12),
            ("contract_substitution", 7), ("documents_confiscated", 5),
            ("discrimination_caste", 6), ("discrimination_gender", 4),
            ("abuse_of_vulnerability", 4), ("physical_violence", 2),
            ("sexual_harassment_violence", 3), ("made_undocumented", 2), ("deportation", 2)),
    "kl": (("recruitment_fees_debt", 14), ("documents_confiscated", 14),
           ("wages_unpaid_late", 12), ("excessive_hours", 10), ("accommodation", 8),
           ("illegal_deductions", 8), ("pay_below_local", 4), ("unsafe_work", 5),
           ("no_weekly_rest", 4), ("made_undocumented", 3), ("threats_intimidation", 3),
           ("contract_substitution", 4), ("cannot_change_employer", 3),
           ("health_care_denied", 3), ("sexual_harassment_violence", 2), ("detention", 2)),
    "bey": (("wages_unpaid_late", 18), ("documents_confiscated", 14), ("locked_in", 10),
            ("cannot_change_employer", 10), ("no_weekly_rest", 6), ("verbal_abuse", 6),
            ("physical_violence", 5), ("sexual_harassment_violence", 4), ("food", 4),
            ("isolation", 4), ("counter_charge", 5), ("made_undocumented", 4),
            ("detention", 3), ("deportation", 3), ("recruitment_fees_debt", 4)),
    "skn": (("excessive_hours", 14), ("wages_unpaid_late", 12), ("documents_confiscated", 12),
            ("recruitment_fees_debt", 10), ("unsafe_work", 10), ("illegal_deductions", 8),
            ("pay_below_rate", 8), ("accommodation", 6), ("health_care_denied", 4),
            ("pregnancy_maternity", 4), ("threats_intimidation", 4),
            ("freedom_of_association_denied", 3), ("discrimination_nationality", 3),
            ("discrimination_language", 2)),
}
RECRUITER_CATEGORIES = frozenset(
    {"recruitment_fees_debt", "deceived_job_terms", "fraudulent_recruiter",
     "contract_substitution"}
)
NO_ORG_CATEGORIES = frozenset({"discrimination_caste"})

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

DECISIONS: dict[str, tuple[str, ...]] = {
    "assembly": (
        "Collect payslips and contracts from everyone affected before the next meeting.",
        "Take the unpaid-wage cases to the labour office together, not one by one.",
        "Set up a phone tree for members who cannot come on the day off.",
        "Two members go with anyone facing a counter-charge to every hearing.",
        "Start a savings circle to cover transport to hearings.",
        "Invite the shelter to talk about safety at the next assembly.",
        "Join the petition and collect signatures at the park.",
        "Share only first names in the group chat.",
        "Welcome new members in their own language at the start of each assembly.",
        "Visit members in the new hostel block before the next assembly.",
    ),
    "committee": (
        "Rotate the facilitator at every meeting.",
        "Two new members shadow the committee this quarter.",
        "Prepare the letter of demands for the employer meeting.",
        "Review the open grievances and give each one a buddy.",
        "Keep meeting notes off phones; one paper copy stays at the centre.",
        "Ask the alliance partner for a lawyer for the tribunal case.",
    ),
    "training": (
        "Repeat the negotiation role-play next month.",
        "Each participant explains the wage rules to two co-workers.",
        "Translate the rights leaflet into two more languages.",
    ),
    "negotiation": (
        "Accept the payment schedule if the first instalment arrives within 14 days.",
        "Reject the offer and return with the full list of arrears.",
        "Put every point agreed in writing, signed by both sides.",
    ),
    "cross_sector": (
        "Hold a joint action on passports with factory and seafood workers.",
        "Share the list of recruiters with complaints across all collectives.",
        "Put maternity protection forward as a common demand across sectors.",
        "Exchange trainers: garment organisers visit the domestic workers' assembly.",
    ),
    "one_to_one": ("Follow up on her claim next week.", "Introduce her to the legal clinic."),
}
CANCEL_REASONS = (
    "Police checks near the meeting place; postponed for safety.",
    "Typhoon signal; members told to stay home.",
    "The venue was not available.",
    "Too few members could get the day off.",
    "Curfew in the area.",
)

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

# Self-assessments: collective, month, levels in DIMENSIONS order (None = not judged).
ASSESSMENTS: tuple[tuple[str, int, tuple[int | None, ...], str], ...] = (
    ("hk", 5, (2, 2, 1, 2, 1, 1, 2, 2),
     "The same two of us still run most meetings. Many members have wage and rest-day "
     "problems but few dare to raise them together. We have started a petition on rest days."),
    ("hk", 11, (3, 2, 2, 2, 2, 1, 3, 2),
     "More members come on Sundays and four people have now facilitated. The fee refund "
     "campaign brought Indonesian and Nepali members into the same room for the first time."),
    ("hk", 17, (3, 3, 3, 3, 2, 2, 3, 2),
     "New members facilitate after shadowing the committee. We negotiate with agencies as a "
     "group now. Two members were threatened after the refund agreement; we went with them."),
    ("hk", 23, (4, 3, 3, 3, 3, 3, 3, 1),
     "Leadership rotates every meeting. We work with the Kuala Lumpur centre on passports "
     "and maternity. Retaliation is still a risk and we keep names off the group chat."),
    ("dhaka", 5, (2, 2, 1, 2, 2, 1, 1, 2),
     "The strike at Sunrise showed we can act together. Most women still leave after the "
     "shift to care for children, so meetings are short and on Fridays."),
    ("dhaka", 11, (3, 3, 2, 3, 3, 1, 2, 2),
     "We won wages on time at Sunrise and part of the arrears. New women lead the line "
     "meetings. Harassment is still hard to raise in front of supervisors."),
    ("dhaka", 17, (3, 3, 3, 3, 3, 2, 3, 2),
     "Members who went to Beirut and Kuala Lumpur keep in touch; their stories changed how "
     "we talk about recruitment. The women's rights alliance helps with the committee."),
    ("dhaka", 23, (3, 4, 3, 3, 3, 2, 3, 2),
     "Grievances are raised by whole lines, not one worker. Maternity is our common demand "
     "with the domestic workers now."),
    ("ktm", 7, (2, 2, 2, 2, 1, 1, 2, None),
     "Returnees meet every Saturday. Debt is what everyone talks about; some are ashamed to "
     "come. The recruiter complaint desk is a start."),
    ("ktm", 19, (2, 3, 2, 2, 2, 2, 3, 2),
     "We won stall permits at the market. Some members left again for Malaysia and keep in "
     "touch with the centre there. Leadership is still mostly the two founders."),
    ("kl", 6, (2, 2, 2, 2, 1, 2, 1, 2),
     "Factory, hotel and domestic workers come to the centre on different days. Passports "
     "are the issue that brings everyone together."),
    ("kl", 14, (3, 3, 2, 3, 3, 3, 2, 2),
     "The Harbourline agreement returned passports at the factory, the hotel and the "
     "sites. New facilitators from the Myanmar and Nepali groups."),
    ("kl", 22, (3, 3, 3, 3, 3, 4, 3, 2),
     "Cross-sector meetings with Hong Kong and Mahachai are regular. Undocumented members "
     "still fear coming to the centre after raids in the area."),
    ("bey", 4, (2, 2, 1, 2, 1, 1, 2, 2),
     "Many members, but one person organises everything. The kafala campaign has started."),
    ("bey", 12, (1, 1, 1, 1, 1, 0, 2, 3),
     "After the raids fewer members come, and the legal aid partner closed its project. "
     "Nobody else wants to facilitate; people are afraid to be seen."),
    ("bey", 20, (1, 1, 1, 1, 0, 0, 1, 3),
     "We keep a small group going. Several members were deported or went home. We need new "
     "ways to meet that are safe."),
    ("skn", 8, (1, 1, 1, 1, 1, 0, 1, 2),
     "One organiser does everything. Women work long shifts and come only in the evenings."),
    ("skn", 20, (3, 2, 2, 2, 3, 2, 2, 2),
     "The shed campaign won water, breaks and gloves. Three new women now facilitate. The "
     "passport campaign links us with the Kuala Lumpur centre."),
)


# == The plan's working state ==================================================================


@dataclass
class _Spell:
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
class _Worker:
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
    spells: list[_Spell] = field(default_factory=list)
    moves: list[tuple[date, str, str | None, str]] = field(default_factory=list)
    memberships: list[list] = field(default_factory=list)  # [collective key, joined, left]
    statuses: list[tuple[date, str, str]] = field(default_factory=list)
    consents: set[str] = field(default_factory=set)
    attended: int = 0

    def spell(self, sector: str, occupation: str, place: str, employer: UUID | None,
              relationship: str, start: date, end: date | None = None) -> _Spell:
        s = _Spell(sector, occupation, place, employer, relationship,
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

    def employer_spell(self, on: date, lookback: bool) -> _Spell | None:
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
class _Grievance:
    id: UUID
    key: str
    category: str
    orgs: tuple[UUID, ...]
    sector: str
    raised: date
    parties: list[_Worker]


@dataclass
class _Campaign:
    id: UUID
    spec: dict
    keys: list[tuple[str, date]]  # collective key, from when
    launched: date
    closed: date | None


@dataclass(frozen=True)
class _Built:
    commands: tuple[c.Command, ...]
    counts: dict[str, int]


@lru_cache(maxsize=4)
def _build(plan: DemoPlan) -> _Built:
    return _Builder(plan).build()


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _month(start: date, n: int) -> date:
    y, m = divmod(start.month - 1 + n, 12)
    return date(start.year + y, m + 1, 1)


def _weekday(first: date, weekday: int, nth: int) -> date:
    return first + _days((weekday - first.weekday()) % 7 + 7 * (nth - 1))


class _Builder:
    def __init__(self, plan: DemoPlan) -> None:
        self.plan = plan
        self.start, self.end = plan.start, plan.end
        self.span = (plan.end - plan.start).days
        self.months = (plan.end.year - plan.start.year) * 12 + plan.end.month - plan.start.month + 1
        self.rng = random.Random(plan.seed)  # noqa: S311  (demo data, not secrets)
        self.taxonomy = load_taxonomy()
        self.counter = 0
        self.items: list[tuple[date, int, c.Command]] = []
        self.specs = {s.key: s for s in SPECS}
        self.collectives: dict[str, UUID] = {}
        self.orgs: dict[str, UUID] = {}
        self.households: dict[str, list[tuple[UUID, str]]] = {}
        self.workers: list[_Worker] = []
        self.grievances: list[_Grievance] = []
        self.campaigns: dict[str, _Campaign] = {}
        self.negotiations: list[tuple[date, _Campaign, tuple[_Worker, ...], str]] = []
        self.leaders: dict[str, list[_Worker]] = {}
        self.last_facilitated: dict[int, date] = {}
        self.counts: Counter[str] = Counter()
        self.referral_consents: dict[tuple[UUID, str], tuple[date, str]] = {}

    # -- plumbing --------------------------------------------------------------------------

    def emit(self, when: date, cls: type[c.Command], **fields) -> c.Command:
        assert when <= self.end, (cls.__name__, when)
        self.counter += 1
        command_id = uuid5(DEMO_NAMESPACE, f"{self.plan.seed}:{self.counter}")
        command = cls(command_id=command_id, **fields)
        self.items.append((max(when, self.start), self.counter, command))
        return command

    def frac(self, on: date) -> float:
        return min(1.0, max(0.0, (on - self.start).days / self.span))

    def at(self, key: str, on: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(on, clock(hour, minute), tzinfo=self.specs[key].tz)

    def pick(self, weights: Sequence[tuple[str, int]]) -> str:
        codes = [w[0] for w in weights]
        return self.rng.choices(codes, weights=[w[1] for w in weights])[0]

    def build(self) -> _Built:
        self.organisations()
        self.make_workers()
        self.make_grievances()
        self.make_campaigns()
        self.make_meetings()
        self.make_assessments()
        # Last, so that the command ids of everything before stay as they were.
        self.make_joint_cluster()
        self.items.sort(key=lambda item: (item[0], item[1]))
        countries = {s.home.split("-")[0] for s in SPECS}
        sectors = {x for _w, _n, cmd in self.items
                   if isinstance(cmd, (c.CreateCollective, c.UpdateCollectiveProfile))
                   for x in cmd.sectors}
        self.counts.update(collectives=len(SPECS), countries=len(countries),
                           sectors=len(sectors))
        return _Built(tuple(item[2] for item in self.items), dict(self.counts))

    # -- collectives and organisations ------------------------------------------------------

    def organisations(self) -> None:
        for s in SPECS:
            cmd = self.emit(self.start, c.CreateCollective, name=s.name, kind=s.kind,
                            sectors=s.sectors, places=s.places, languages=s.languages,
                            federation=s.federation, time_zone=ZONES[s.key])
            self.collectives[s.key] = new_id(cmd.command_id, "collective")
        for key, name, kind, place in ORGANISATIONS:
            cmd = self.emit(self.start, c.CreateOrganisation, name=name, kind=kind, place=place)
            self.orgs[key] = new_id(cmd.command_id, "organisation")
        number = 0
        for country, n, places, recorder in HOUSEHOLDS:
            self.households[country] = []
            for i in range(n):
                number += 1
                place = places[i % len(places)]
                cmd = self.emit(self.start, c.CreateOrganisation, name=f"Household {number}",
                                kind="household", place=place,
                                collective_id=self.collectives[recorder])
                self.households[country].append((new_id(cmd.command_id, "organisation"), place))
        self.counts["organisations"] = len(ORGANISATIONS) + number
        for key, org, since, until in ALLIANCES:
            began = self.start + _days(since)
            if began > self.end:
                continue
            self.emit(began, c.FormAlliance, collective_id=self.collectives[key],
                      organisation_id=self.orgs[org], since=began)
            ended = None if until is None else self.start + _days(until)
            if ended is not None and ended <= self.end:
                self.emit(ended, c.EndAlliance, collective_id=self.collectives[key],
                          organisation_id=self.orgs[org], until=ended)
        # The Kuala Lumpur centre starts organising on building sites too.
        when = self.start + _days(310)
        if when <= self.end:
            self.emit(when, c.UpdateCollectiveProfile, collective_id=self.collectives["kl"],
                      sectors=("manufacturing", "domestic_care", "hospitality", "construction"),
                      places=("MY-KUL", "MY-SGR"), languages=self.specs["kl"].languages)

    def household(self, country: str) -> tuple[UUID, str]:
        return self.rng.choice(self.households[country])

    # -- workers ------------------------------------------------------------------------------

    def make_workers(self) -> None:
        rng = self.rng
        roles: dict[str, list[_Worker]] = {}
        for s in SPECS:
            nats = [nat for nat, n in s.quotas for _ in range(n)]
            rng.shuffle(nats)
            total = len(nats)
            group: list[_Worker] = []
            for i, nat in enumerate(nats):
                founder = i < s.founders
                if founder:
                    # Existing members are entered in the first days, before the first
                    # assembly.
                    reg = self.start + _days(rng.randint(0, 1))
                    joined = self.start - _days(rng.randint(60, 1500))
                    attend = rng.choices((0.85, 0.45, 0.15), weights=(30, 35, 35))[0]
                else:
                    u = rng.random()
                    shape = {"growing": u ** 0.6, "emerging": u ** 0.5, "steady": u,
                             "stalling": 0.15 + 0.6 * u ** 1.8}[s.trend]
                    reg = self.start + _days(int(25 + shape * (self.span - 60)))
                    joined = reg
                    attend = rng.choices((0.85, 0.45, 0.15), weights=(12, 40, 48))[0]
                w = _Worker(home=s.key, nat=nat, founder=founder, reg=reg, attend=attend)
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
            self.remigrate(w, self.start + _days(rng.randint(200, 520)))
        # Ordinary leavers, then names and commands.
        for s in SPECS:
            for w in roles[s.key]:
                if w.stays and not w.leader and rng.random() < s.leave_rate:
                    left = w.reg + _days(rng.randint(90, 600))
                    if left < self.end - _days(10):
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
            when = max(w.reg, self.start) + _days(rng.randint(30, 400))
            if when <= self.end:
                self.emit(when, c.UpdateWorkerProfile, worker_id=w.id,
                          profile=self.profile(w, phone_always=True))
        withdrawers = [w for w in self.workers if "research" in w.consents]
        for w in rng.sample(withdrawers, 5):
            when = max(w.reg, self.start) + _days(rng.randint(60, 500))
            if when <= self.end:
                self.emit(when, c.WithdrawConsent, worker_id=w.id, purpose="research",
                          on=self.at(w.home, when, 19))
                w.consents.discard("research")

    def choose(self, group: list[_Worker], n: int, nat: str | None = None,
               exclude_nat: str | None = None) -> list[_Worker]:
        pool = [w for w in group if not w.leader and w.stays
                and (nat is None or w.nat == nat) and (exclude_nat is None or w.nat != exclude_nat)
                and w.reg < self.start + _days(420)]
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

    def profile(self, w: _Worker, phone_always: bool = False) -> c.Profile:
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

    def emit_worker(self, w: _Worker) -> None:
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
            when = min(end, w.reg + _days(rng.randint(0, 40)))
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

    def origin_life(self, w: _Worker, origin: str, left: date) -> None:
        """Work at home before leaving: a family farm or a small trade, with unpaid care
        at the same time."""
        rng = self.rng
        farm_start = left - _days(rng.randint(5 * 365, 14 * 365))
        roll = rng.random()
        if roll < 0.6:
            w.spell("agriculture", "Family rice and vegetable farm", origin, None, "unpaid",
                    farm_start, left - _days(rng.randint(20, 90)))
        elif roll < 0.8:
            w.spell("street_vending", "Selling vegetables at the village market", origin, None,
                    "self_employed", farm_start, left - _days(rng.randint(20, 90)))
        else:
            w.spell("garment", "Tailoring at home for neighbours", origin, None,
                    "self_employed", farm_start, left - _days(rng.randint(20, 90)))
        w.spell("unpaid_care", "Caring for her children and parents-in-law", origin, None,
                "unpaid", left - _days(rng.randint(2 * 365, 9 * 365)),
                left - _days(rng.randint(1, 15)))

    def migrate(self, w: _Worker, origin: str, to: str, arrive: date, recruiter: str,
                sector: str, transit: str | None = None) -> None:
        rng = self.rng
        hub = HUBS[w.nat]
        w.move(arrive - _days(rng.randint(45, 150)), hub, origin, "recruitment")
        if transit:
            w.move(arrive - _days(rng.randint(2, 10)), transit, hub, "transit")
        w.move(arrive, to, transit or hub, "destination")
        w.recruiter = self.orgs[recruiter]
        w.recruited_sector = sector

    def arrival(self, w: _Worker) -> date:
        joined = w.memberships[0][1]
        longest = 2600 if w.founder else 800
        return joined - _days(self.rng.randint(20, longest))

    def in_window(self, w: _Worker, lo: int = 30, hi: int = 30) -> date | None:
        first = max(w.reg, self.start) + _days(lo)
        last = self.end - _days(hi)
        if first >= last:
            return None
        return first + _days(self.rng.randint(0, (last - first).days))

    def traj_hk(self, w: _Worker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS[w.nat])
        self.origin_life(w, origin, arrive)
        recruiter = RECRUITERS[w.nat] if rng.random() < 0.7 or w.nat == "NP" else "lion_gate"
        self.migrate(w, origin, "HK", arrive, recruiter, "domestic_care")
        start = arrive
        if arrive < self.start - _days(900):
            hh, place = self.household("HK")
            change = arrive + _days(rng.randint(500, 800))
            w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                    arrive, change)
            start = change + _days(14)
        hh, place = self.household("HK")
        job = w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                      start)
        if rng.random() < 0.22:
            side = start + _days(rng.randint(30, 300))
            w.spell("hospitality", "Made to work in the employer's family restaurant", place, hh,
                    "informal", side, side + _days(rng.randint(60, 500)))
        if rng.random() < 0.12:
            when = self.in_window(w)
            if when:
                w.spell("street_vending", "Sells home-cooked food to other workers on Sundays",
                        "HK", None, "self_employed", when)
        if w.stays and rng.random() < 0.3:
            when = self.in_window(w, 30, 60)
            if when and when > job.start + _days(30):
                job.end = when
                w.statuses.append((when, "employment",
                                   "Contract ended early; two weeks to find a new employer"))
                hh2, place2 = self.household("HK")
                w.spell("domestic_care", "Live-in domestic worker", place2, hh2,
                        "direct_employer", when + _days(14))
        if rng.random() < 0.08:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "document", "Passport held by the employer"))

    def hk_return(self, w: _Worker, remigrate: bool) -> None:
        rng = self.rng
        back = max(self.start + _days(rng.randint(60, 330)), w.reg + _days(45))
        _cut(w, back - _days(3))
        w.memberships[0][2] = back
        w.move(back, "NP-KTM", "HK", "return")
        w.statuses.append((back, "employment", "Returned home when the contract ended"))
        w.memberships.append(["ktm", back + _days(rng.randint(20, 60)), None])
        w.spell("unpaid_care", "Caring for her parents", "NP-KTM", None, "unpaid",
                back + _days(5))
        w.spell("street_vending", "Tea and snack stall", "NP-KTM", None, "self_employed",
                back + _days(rng.randint(40, 90)))
        if remigrate:
            self.remigrate(w, back + _days(rng.randint(170, 260)))

    def remigrate(self, w: _Worker, leave_on: date) -> None:
        """Back to recruitment and abroad again: the journey loops."""
        rng = self.rng
        leave_on = max(leave_on, w.reg + _days(60))
        _cut(w, leave_on - _days(5))
        for m in w.memberships:
            if m[0] == "ktm" and m[2] is None:
                m[2] = max(m[1], leave_on + _days(20))
        arrive = leave_on + _days(rng.randint(40, 60))
        w.move(leave_on, "NP-KTM", None, "recruitment")
        w.move(arrive, "MY-KUL", "NP-KTM", "destination")
        w.recruiter, w.recruited_sector = self.orgs["himal"], "manufacturing"
        w.memberships.append(["kl", arrive + _days(rng.randint(10, 40)), None])
        w.spell("manufacturing", "Glove factory operator", "MY-SGR", self.orgs["seri"], "agency",
                arrive + _days(5))
        w.stays = False

    def traj_dhaka(self, w: _Worker) -> None:
        rng = self.rng
        came = self.arrival(w)
        origin = rng.choice(ORIGINS["BD"])
        self.origin_life(w, origin, came)
        w.move(came, "BD-DHA", origin, "destination")
        if rng.random() < 0.75:
            w.spell("unpaid_care", "Caring for her children and the household", "BD-DHA", None,
                    "unpaid", came + _days(rng.randint(0, 400)))
        factories = ("sunrise", "sunrise", "sunrise", "meghna", "riverbank", "lalbagh",
                     "greenthread")
        start = came + _days(rng.randint(10, 40))
        if came < self.start - _days(700):
            change = came + _days(rng.randint(300, 600))
            w.spell("garment", "Sewing helper", "BD-DHA", self.orgs[rng.choice(factories)],
                    "direct_employer", start, change)
            start = change + _days(rng.randint(3, 30))
        factory = rng.choice(factories)
        place = "BD-GAZ" if factory == "greenthread" else "BD-DHA"
        job = w.spell("garment", rng.choice(("Sewing operator", "Quality checker",
                                              "Ironing and finishing", "Sewing operator")),
                      place, self.orgs[factory],
                      rng.choices(("direct_employer", "agency", "informal"), (8, 1, 1))[0], start)
        roll = rng.random()
        if roll < 0.12:
            w.spell("garment", "Home-based embroidery at piece rates", "BD-DHA", None, "informal",
                    start + _days(rng.randint(60, 400)))
        elif roll < 0.22:
            w.spell("street_vending", "Selling snacks at the factory gate", "BD-DHA", None,
                    "self_employed", start + _days(rng.randint(60, 400)))
        if w.stays and rng.random() < 0.15:
            when = self.in_window(w, 60, 60)
            if when and when > job.start:
                job.end = when
                other = rng.choice([f for f in factories if f != factory])
                w.spell("garment", "Sewing operator", "BD-DHA", self.orgs[other],
                        "direct_employer", when + _days(rng.randint(7, 40)))

    def dhaka_abroad(self, w: _Worker, to: str) -> None:
        """A garment worker migrates: to domestic work in Beirut or a factory in Malaysia."""
        rng = self.rng
        leave = max(self.start + _days(rng.randint(120, 420)), w.reg + _days(80))
        _cut(w, leave - _days(rng.randint(20, 40)))
        w.memberships[0][2] = leave - _days(10)
        arrive = leave + _days(rng.randint(5, 20))
        w.move(leave - _days(60), "BD-DHA", "BD-DHA", "recruitment")
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
                    self.orgs[rng.choice(("kv_elec", "harbourline"))], "agency", arrive + _days(3))
            w.recruited_sector = "manufacturing"
        w.memberships.append([to, arrive + _days(rng.randint(20, 90)), None])

    def traj_ktm(self, w: _Worker) -> None:
        rng = self.rng
        joined = w.memberships[0][1]
        back = joined - _days(rng.randint(30, 2400 if w.founder else 700))
        origin = rng.choice(ORIGINS["NP"])
        abroad, sector = rng.choice((("HK", "domestic_care"), ("LB-BEY", "domestic_care"),
                                     ("KW", "domestic_care"), ("MY-SGR", "manufacturing"),
                                     ("QA", "domestic_care"), ("AE", "hospitality")))
        went = back - _days(rng.randint(400, 1800))
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
                went + _days(3), back - _days(rng.randint(1, 20)))
        home = "NP-KTM" if rng.random() < 0.6 else origin
        w.move(back, home, abroad, "return")
        w.spell("unpaid_care", "Caring for her children and parents", home, None, "unpaid",
                back + _days(rng.randint(0, 30)))
        if rng.random() < 0.5:
            w.spell("agriculture", "Vegetable plot and goats", home, None, "self_employed",
                    back + _days(rng.randint(30, 200)))
        if rng.random() < 0.4:
            w.spell("street_vending", "Tea and snack stall", "NP-KTM", None, "self_employed",
                    back + _days(rng.randint(30, 300)))
        if rng.random() < 0.2:
            w.statuses.append((back, "immigration", "Came home without her final wages"))

    def traj_kl(self, w: _Worker) -> None:
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
                          self.orgs[factory], "agency", arrive + _days(2))
        roll = rng.random()
        if roll < 0.18:
            w.spell("hospitality", "Weekend cleaning at the group's hotel", "MY-KUL",
                    self.orgs["harbourline"], "informal", arrive + _days(rng.randint(60, 500)))
        elif roll < 0.3:
            side = arrive + _days(rng.randint(60, 500))
            w.spell("construction", "Helper on a building site", "MY-KUL", self.orgs["maju"],
                    "informal", side, side + _days(rng.randint(60, 300)))
        if w.stays and job.sector == "manufacturing" and rng.random() < 0.15:
            when = self.in_window(w, 60, 60)
            if when and when > job.start:
                job.end = when
                w.spell("hospitality", "Moved from the factory to the group's hotel", "MY-KUL",
                        self.orgs["harbourline"], "agency", when + _days(1))
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

    def traj_bey(self, w: _Worker) -> None:
        rng = self.rng
        arrive = self.arrival(w)
        origin = rng.choice(ORIGINS.get(w.nat, ("XX",)))
        self.origin_life(w, origin, arrive)
        recruiter = RECRUITERS[w.nat] if rng.random() < 0.7 else "beirut_office"
        self.migrate(w, origin, "LB-BEY", arrive, recruiter, "domestic_care")
        hh, place = self.household("LB")
        job = w.spell("domestic_care", "Live-in domestic worker", place, hh, "direct_employer",
                      arrive)
        if w.founder and arrive < self.start - _days(400) and rng.random() < 0.45:
            left = arrive + _days(rng.randint(200, max(201, (self.start - arrive).days - 60)))
            job.end = left
            w.move(left, "LB-BEY", "LB-BEY", "exit")
            w.statuses.append((left + _days(30), "immigration",
                               "Residence permit lapsed after leaving the sponsor's house"))
            w.spell("domestic_care", "Live-out cleaner for several households", "LB-BEY", None,
                    "informal", left + _days(20))
            if rng.random() < 0.4:
                w.spell("hospitality", "Kitchen helper", "LB-BEY", self.orgs["corniche"],
                        "informal", left + _days(rng.randint(30, 200)))

    def bey_exit(self, w: _Worker, goes_home: bool) -> None:
        """She leaves the employer's house for the shelter; some go home."""
        rng = self.rng
        when = self.start + _days(rng.randint(90, 420))
        when = max(when, w.reg + _days(20))
        _cut(w, when)
        w.move(when, "LB-BEY", "LB-BEY", "exit")
        w.statuses.append((when + _days(2), "employment", "Left the employer; in a shelter"))
        if not goes_home:
            return
        if rng.random() < 0.5:
            w.statuses.append((when + _days(40), "custody",
                               "Held in immigration detention for three weeks"))
        back = when + _days(rng.randint(60, 120))
        home = HUBS[w.nat] if w.nat != "NP" else "NP-KTM"
        w.move(back, home, "LB-BEY", "return")
        w.memberships[0][2] = back
        w.spell("unpaid_care", "Caring for her family", home, None, "unpaid", back + _days(3))
        if w.nat == "NP":
            w.memberships.append(["ktm", back + _days(rng.randint(20, 60)), None])

    def traj_skn(self, w: _Worker) -> None:
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
                arrive + _days(rng.randint(1, 10)))
        if rng.random() < 0.5:
            w.spell("unpaid_care", "Caring for her children in the workers' housing", "TH-SKN",
                    None, "unpaid", arrive + _days(rng.randint(30, 500)))
        if rng.random() < 0.15:
            w.spell("street_vending", "Selling Myanmar snacks at the market", "TH-SKN", None,
                    "self_employed", arrive + _days(rng.randint(60, 500)))
        if rng.random() < 0.2:
            when = self.in_window(w)
            if when:
                w.statuses.append((when, "document", "Work permit card kept by the broker"))

    def skn_tak(self, w: _Worker) -> None:
        """From the peeling sheds to a garment factory in Mae Sot."""
        when = self.in_window(w, 90, 120) or max(w.reg, self.start) + _days(60)
        _cut(w, when)
        w.move(when, "TH-TAK", "TH-SKN", "destination")
        w.spell("garment", "Sewing operator", "TH-TAK", self.orgs["moei"], "direct_employer",
                when + _days(7))

    # -- grievances ---------------------------------------------------------------------------

    def members(self, key: str, on: date) -> list[_Worker]:
        return [w for w in self.workers if w.member(key, on)]

    def make_grievances(self) -> None:
        rng = self.rng
        for s in SPECS:
            weights = CATEGORY_WEIGHTS[s.key]
            for m in range(self.months):
                rate = s.rate0 + (s.rate1 - s.rate0) * m / (self.months - 1)
                n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
                first = _month(self.start, m)
                for _ in range(n):
                    raised = first + _days(rng.randint(0, 27))
                    if raised <= self.end:
                        self.grievance(s, raised, self.pick(weights))
        self.counts["grievances"] = len(self.grievances)
        for (worker_id, purpose), (first, key) in self.referral_consents.items():
            when = first - _days(1)
            self.emit(when, c.GiveConsent, worker_id=worker_id, purpose=purpose,
                      on=self.at(key, when, 18))

    def grievance(self, s: _CSpec, raised: date, category: str) -> None:
        rng = self.rng
        members = self.members(s.key, raised)
        rng.shuffle(members)
        primary = None
        same: list[_Worker] = []
        orgs: tuple[UUID, ...] = ()
        sector = s.sectors[0]
        occurred = raised - _days(rng.randint(0, 45))
        if category in RECRUITER_CATEGORIES:
            for w in members:
                if w.recruiter is not None:
                    primary = w
                    break
            if primary is not None:
                occurred = raised - _days(rng.randint(20, 500 if s.key == "ktm" else 150))
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
                            and (o.employer_spell(occurred, False) or _NONE).employer == sp.employer]
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
        g = _Grievance(new_id(cmd.command_id, "grievance"), s.key, category, orgs, sector,
                       raised, parties)
        self.grievances.append(g)
        self.follow_through(s, g, same)

    def follow_through(self, s: _CSpec, g: _Grievance, same: list[_Worker]) -> None:
        """What happened next, step by step, each after the one before."""
        rng, end = self.rng, self.end
        group = self.taxonomy.category_group(g.category)
        frac = self.frac(g.raised)
        t = g.raised

        def step(lo: int, hi: int) -> date | None:
            nonlocal t
            t = t + _days(rng.randint(lo, hi))
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
            when = g.raised + _days(rng.randint(5, 200))
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

    def refer(self, s: _CSpec, g: _Grievance, group: str, when: date) -> None:
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

    def outcome(self, s: _CSpec, g: _Grievance, group: str, when: date,
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

    # -- campaigns ------------------------------------------------------------------------------

    def make_campaigns(self) -> None:
        rng = self.rng
        for spec in CAMPAIGNS:
            launched = _month(self.start, spec["month"]) + _days(rng.randint(2, 12))
            if launched > self.end:
                continue
            cmd = self.emit(launched, c.LaunchCampaign, issue=spec["issue"],
                            demands=spec["demands"],
                            collective_ids=tuple(self.collectives[k] for k in spec["collectives"]),
                            sectors=spec["sectors"], launched_on=launched)
            camp = _Campaign(new_id(cmd.command_id, "campaign"), spec,
                             [(k, launched) for k in spec["collectives"]], launched, None)
            self.campaigns[spec["key"]] = camp
            demands = [new_id(cmd.command_id, f"demand:{i}") for i in range(len(spec["demands"]))]
            closed = None
            if spec["close"]:
                closed = _month(self.start, spec["close"][0]) + _days(rng.randint(5, 20))
                camp.closed = closed
            last = min(closed or self.end, self.end)
            # (date, order, kind, data): the campaign's steps, in date order.
            steps: list[tuple[date, int, str, object]] = []
            for key, month in spec["joins"]:
                steps.append((_month(self.start, month) + _days(3), 0, "join", key))
            for text, month in spec["added"]:
                steps.append((_month(self.start, month) + _days(6), 1, "add", text))
            for kind, month, keys in spec["actions"]:
                steps.append((_month(self.start, month) + _days(rng.randint(8, 20)), 2, "action",
                              (kind, keys)))
            for index, result, month in spec["results"]:
                steps.append((_month(self.start, month) + _days(24), 3, "result", (index, result)))
            if spec["agreement"]:
                org, month, clauses = spec["agreement"]
                steps.append((_month(self.start, month) + _days(22), 4, "agreement",
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

    def campaign_grievances(self, camp: _Campaign) -> list[tuple[date, _Grievance]]:
        spec = camp.spec
        keys = set(spec["collectives"]) | {k for k, _m in spec["joins"]}
        orgs = {self.orgs[o] for o in spec["orgs"]}
        last = camp.closed or self.end
        found = [g for g in self.grievances
                 if g.key in keys and g.category in spec["categories"]
                 and (not orgs or orgs.intersection(g.orgs))
                 and camp.launched - _days(120) <= g.raised <= last - _days(10)]
        chosen = self.rng.sample(found, min(len(found), 25))
        chosen.sort(key=lambda g: g.raised)
        return [(max(g.raised, camp.launched) + _days(self.rng.randint(1, 10)), g)
                for g in chosen]

    def action(self, camp: _Campaign, when: date, kind: str, keys: tuple[str, ...],
               linked: list[tuple[date, _Grievance]]) -> None:
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

    # -- meetings -------------------------------------------------------------------------------

    def make_meetings(self) -> None:
        rng = self.rng
        planned: list[tuple[date, int, str, tuple[str, ...], object]] = []
        n = 0
        for s in SPECS:
            for m in range(self.months):
                first = _month(self.start, m)
                kinds = ["assembly"]
                if (s.key == "hk" and m >= 1) or (s.key == "dhaka" and m >= 2) or (
                        s.key == "kl" and m % 2 == 0) or (
                        s.key == "skn" and m >= 9 and m % 2 == 1):
                    kinds.append("committee")
                if (s.key == "hk" and m % 3 == 1) or (s.key == "dhaka" and m % 4 == 2) or (
                        s.key == "kl" and m % 4 == 1) or (s.key == "ktm" and m % 6 == 3) or (
                        s.key == "bey" and m in (2, 8)) or (s.key == "skn" and m % 6 == 4):
                    kinds.append("training")
                for kind in kinds:
                    nth = {"assembly": 1, "training": 2, "committee": 3}[kind]
                    day = _weekday(first, s.weekday, nth)
                    if day <= self.end:
                        n += 1
                        planned.append((day, n, kind, (s.key,), None))
            if s.key in ("hk", "kl"):
                for m in rng.sample(range(2, self.months), min(5, max(0, self.months - 2))):
                    day = _weekday(_month(self.start, m), s.weekday, 2) + _days(1)
                    if day <= self.end:
                        n += 1
                        planned.append((day, n, "one_to_one", (s.key,), None))
        cross = (("hk", "kl", "dhaka"), ("kl", "skn", "ktm"), ("hk", "ktm", "bey"),
                 ("dhaka", "kl", "skn"), ("hk", "kl", "skn", "dhaka"), ("ktm", "kl", "hk"),
                 ("kl", "dhaka", "skn", "bey"))
        for i, keys in enumerate(cross):
            day = _weekday(_month(self.start, 3 * (i + 1)), 6, 4)
            if day <= self.end:
                n += 1
                planned.append((day, n, "cross_sector", keys, None))
        for when, camp, participants, key in self.negotiations:
            n += 1
            planned.append((when, n, "negotiation", (key,), (camp, participants)))
        planned.sort(key=lambda p: (p[0], p[1]))
        for day, _n, kind, keys, extra in planned:
            self.meeting(day, kind, keys, extra)
        self.counts["meetings"] = len(planned)

    def meeting(self, day: date, kind: str, keys: tuple[str, ...], extra) -> None:
        rng = self.rng
        s = self.specs[keys[0]]
        scheduled_for = self.at(s.key, day, s.hour)
        booked = max(self.start, day - _days(rng.randint(5, 12)))
        language = "en" if kind == "cross_sector" else (
            s.languages[0] if len(s.languages) == 1 or rng.random() < 0.7
            else rng.choice(s.languages))
        agenda_g: tuple[UUID, ...] = ()
        agenda_c: tuple[UUID, ...] = ()
        if kind in ("assembly", "committee"):
            recent = [g for g in self.grievances
                      if g.key == s.key and booked - _days(60) <= g.raised <= booked]
            agenda_g = tuple(g.id for g in rng.sample(recent, min(len(recent), rng.randint(0, 3))))
        active = [camp for camp in self.campaigns.values()
                  if any(k in keys and since <= booked for k, since in camp.keys)
                  and camp.launched <= booked and (camp.closed is None or camp.closed > day)]
        if extra is not None:
            agenda_c = (extra[0].id,)
        elif active and kind in ("assembly", "committee", "cross_sector"):
            agenda_c = tuple(camp.id for camp in active[:2])
        cmd = self.emit(booked, c.ScheduleMeeting, kind=kind,
                        collective_ids=tuple(self.collectives[k] for k in keys),
                        scheduled_for=scheduled_for, language=language,
                        agenda_grievance_ids=agenda_g, agenda_campaign_ids=agenda_c)
        meeting_id = new_id(cmd.command_id, "meeting")
        frac = self.frac(day)
        cancel = 0.25 if s.trend == "stalling" and frac > 0.45 else 0.03
        if kind not in ("negotiation", "one_to_one") and rng.random() < cancel:
            self.emit(max(booked, day - _days(rng.randint(0, 3))), c.CancelMeeting,
                      meeting_id=meeting_id, reason=rng.choice(CANCEL_REASONS))
            return
        for key in keys:
            self.grow_leaders(key, day)
        attendees, facilitators = self.attendance(day, kind, keys, extra)
        if not attendees:
            self.emit(max(booked, day - _days(1)), c.CancelMeeting, meeting_id=meeting_id,
                      reason="Too few members could get the day off.")
            return
        for w in attendees:
            w.attended += 1
        for f in facilitators:
            self.last_facilitated[id(f)] = day
        pool = [w for w in attendees if w not in facilitators]
        speakers = list(facilitators[:1])
        if s.trend == "stalling":
            speakers += rng.sample(pool, min(len(pool), rng.randint(0, 1)))
        else:
            speakers += rng.sample(pool, min(len(pool), rng.randint(1, 4)))
        most = 1 if s.trend == "stalling" and frac > 0.4 else 3
        decisions = tuple(rng.sample(DECISIONS[kind], min(len(DECISIONS[kind]),
                                                          rng.randint(0, most))))
        if kind in ("assembly", "negotiation", "cross_sector") and not decisions and most > 1:
            decisions = (rng.choice(DECISIONS[kind]),)
        self.emit(day, c.RecordMeetingHeld, meeting_id=meeting_id,
                  held_at=scheduled_for + _minutes(rng.choice((0, 10, 20, 30))),
                  attendee_ids=tuple(w.id for w in attendees),
                  facilitator_ids=tuple(w.id for w in facilitators),
                  speaker_ids=tuple(w.id for w in speakers), language=language,
                  decisions=decisions)

    def grow_leaders(self, key: str, day: date) -> None:
        """New facilitators emerge over time where organising grows."""
        s = self.specs[key]
        month = (day.year - self.start.year) * 12 + day.month - self.start.month
        due = sum(1 for m in s.new_leader_months if m <= month)
        while len(self.leaders[key]) < s.leaders0 + due:
            candidates = [w for w in self.members(key, day)
                          if not w.leader and w.stays and w.home == key and w.attended >= 2]
            if not candidates:
                return
            candidates.sort(key=lambda w: (-w.attended - self.rng.random() * 3, w.founder))
            new = candidates[0]
            new.leader, new.attend = True, max(new.attend, 0.85)
            self.leaders[key].append(new)

    def attendance(self, day: date, kind: str, keys: tuple[str, ...],
                   extra) -> tuple[list[_Worker], list[_Worker]]:
        rng = self.rng
        frac = self.frac(day)
        attendees: list[_Worker] = []
        leaders: list[_Worker] = []
        for key in keys:
            s = self.specs[key]
            members = self.members(key, day)
            here = [w for w in self.leaders[key] if w in members]
            leaders += here
            factor = {"growing": 0.8 + 0.35 * frac, "emerging": 0.55 + 0.6 * frac,
                      "steady": 0.9, "stalling": 1.1 - 0.85 * frac}[s.trend]
            if kind == "negotiation":
                chosen = [w for w in extra[1] if w.member(key, day)][:6]
                chosen += [w for w in here[:2] if w not in chosen]
            elif kind == "one_to_one":
                chosen = rng.sample(members, 1) if members else []
            elif kind == "cross_sector":
                chosen = here[:3] + [w for w in members if not w.leader
                                     and len({x.sector for x in w.spells if x.paid}) > 1
                                     and rng.random() < 0.3][:4]
            elif kind == "committee":
                chosen = [w for w in members
                          if (w.leader and rng.random() < 0.92)
                          or (not w.leader and w.attend >= 0.8 and rng.random() < 0.6 * factor)]
            elif kind == "training":
                chosen = [w for w in members
                          if rng.random() < 0.5 * w.attend * factor
                          + (0.35 if (day - w.reg).days < 120 else 0)]
            else:
                chosen = [w for w in members if rng.random() < w.attend * factor]
            attendees += [w for w in chosen if w not in attendees]
        s = self.specs[keys[0]]
        if s.trend == "stalling" and kind != "cross_sector":
            facilitators = leaders[:1]
        else:
            order = sorted(leaders, key=lambda w: (self.last_facilitated.get(id(w), date.min),
                                                   rng.random()))
            k = 2 if kind == "assembly" and rng.random() < 0.5 else 1
            if kind == "cross_sector":
                k = min(3, len(keys))
            facilitators = order[:k]
        if kind == "one_to_one":
            facilitators = facilitators[:1]
        for f in facilitators:
            if f not in attendees:
                attendees.insert(0, f)
        if attendees and not facilitators:
            facilitators = attendees[:1]
        return attendees[:500], facilitators

    # -- self-assessments -----------------------------------------------------------------------

    def make_assessments(self) -> None:
        for key, month, levels, narrative in ASSESSMENTS:
            when = _month(self.start, month) + _days(20)
            if when > self.end:
                continue
            self.emit(when, c.RecordAssessment, collective_id=self.collectives[key],
                      assessed_on=when,
                      levels=tuple(c.Level(dimension=d, level=lv)
                                   for d, lv in zip(DIMENSIONS, levels, strict=True)
                                   if lv is not None),
                      narrative=narrative)
            self.counts["assessments"] += 1


    def make_joint_cluster(self) -> None:
        """A common grievance no campaign has taken up yet, for an organiser to find: the
        same recruiter (Bintang Jaya) holds the passports of Indonesian women in domestic
        work in Hong Kong and in a glove factory near Kuala Lumpur. Two collectives of one
        federation, two sectors: the case for a joint campaign (issue 6)."""
        recruiter = self.orgs["bintang"]
        for key, sector, place, day in (("hk", "domestic_care", "HK-KLN", 0),
                                         ("kl", "manufacturing", "MY-SGR", 9)):
            raised = date(2026, 9, 6) + _days(day)
            if raised > self.end:
                return
            women = [w for w in self.workers
                     if w.nat == "ID" and w.id is not None and w.member(key, raised)
                     and w.stays][:4]
            for i, pair in enumerate((women[:2], women[2:4])):
                if not pair:
                    continue
                on = raised + _days(7 * i)
                self.emit(on, c.RaiseGrievance, collective_id=self.collectives[key],
                          worker_ids=tuple(w.id for w in pair), category="documents_confiscated",
                          sector=sector, place=place, stage="destination",
                          organisation_ids=(recruiter,), occurred_on=on - _days(3),
                          description="The agency kept our passports after placement and "
                                      "will not return them.")
                self.counts["grievances"] += 1


def _cut(w: _Worker, on: date) -> None:
    """She stops everything she was doing on ``on`` (she moves away): spells that had not
    started yet are dropped, spells still running end that day."""
    w.spells = [s for s in w.spells if s.start < on]
    for s in w.spells:
        if s.end is None or s.end > on:
            s.end = on


class _NoSpell:
    employer = None


_NONE = _NoSpell()


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
