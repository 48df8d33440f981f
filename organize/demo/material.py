"""The demo's fixed material: federations, collectives (``SPECS``), organisations,
households and alliances, and the names, places, recruiters and categories people and their
grievances are drawn from. Every name is fictional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

# == Fixed material ==========================================================================

FED_DOMESTIC = "Asian Migrant Domestic Workers' Federation"
FED_SOUTH_ASIA = "South Asia Women Workers' Network"
FED_MEKONG = "Mekong Migrant Workers' Network"
# Each collective's time zone (IANA), in which its meeting times are typed and shown.
ZONES = {"hk": "Asia/Hong_Kong", "dhaka": "Asia/Dhaka", "ktm": "Asia/Kathmandu",
         "kl": "Asia/Kuala_Lumpur", "bey": "Asia/Beirut", "skn": "Asia/Bangkok"}


@dataclass(frozen=True)
class CollectiveSpec:
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


def zone(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


SPECS: tuple[CollectiveSpec, ...] = (
    CollectiveSpec(
        "hk", "Kowloon Domestic Workers' Union Branch", "union_branch",
        ("domestic_care", "hospitality", "unpaid_care"), ("HK", "HK-KLN", "HK-NT"),
        ("tl", "id", "ne", "en"), FED_DOMESTIC, "HK", "HKD", zone(8),
        (("PH", 30), ("ID", 22), ("NP", 10)), 24, "growing", 6.0, 12.5, 6, 14,
        2, (3, 6, 9, 12, 15, 18, 21), 0.06, 0.35,
    ),
    CollectiveSpec(
        "dhaka", "Ashulia Women Garment Workers' Collective", "worker_collective",
        ("garment", "unpaid_care", "street_vending"), ("BD-DHA", "BD-GAZ"),
        ("bn",), FED_SOUTH_ASIA, "BD-DHA", "BDT", zone(6),
        (("BD", 52),), 18, "growing", 4.0, 9.0, 4, 15,
        2, (4, 8, 12, 16, 20), 0.06, 0.5,
    ),
    CollectiveSpec(
        "ktm", "Kathmandu Returnee Women's Self-Help Group", "self_help_group",
        ("domestic_care", "agriculture", "street_vending", "unpaid_care"), ("NP-KTM", "NP-SIN"),
        ("ne",), FED_SOUTH_ASIA, "NP-KTM", "NPR", zone(5, 45),
        (("NP", 32),), 14, "steady", 2.2, 3.0, 5, 11,
        2, (12,), 0.05, 0.3,
    ),
    CollectiveSpec(
        "kl", "Kuala Lumpur Migrant Women Workers' Centre", "worker_centre",
        ("manufacturing", "domestic_care", "hospitality"), ("MY-KUL", "MY-SGR"),
        ("ms", "en", "ne", "bn", "id", "my"), FED_DOMESTIC, "MY-KUL", "MYR", zone(8),
        (("ID", 11), ("NP", 12), ("BD", 9), ("MM", 14)), 15, "growing", 4.0, 8.0, 6, 15,
        2, (5, 10, 15, 20), 0.08, 0.4,
    ),
    CollectiveSpec(
        "bey", "Beirut Migrant Domestic Workers' Collective", "worker_collective",
        ("domestic_care", "hospitality"), ("LB-BEY",),
        ("ar", "en", "am", "si", "tl"), None, "LB-BEY", "USD", zone(2),
        (("ET", 12), ("LK", 6), ("BD", 4), ("NP", 3), ("PH", 5)), 24, "stalling", 5.0, 1.5, 6, 13,
        1, (), 0.2, 0.15,
    ),
    CollectiveSpec(
        "skn", "Mahachai Seafood Workers' Collective", "worker_collective",
        ("fishing", "garment", "unpaid_care"), ("TH-SKN", "TH-TAK"),
        ("my", "th"), FED_MEKONG, "TH-SKN", "THB", zone(7),
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
