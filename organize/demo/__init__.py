"""The demo dataset: two years of organising by migrant women workers, made up but realistic.

``load_demo`` (``plan``) builds a fixed list of commands from a ``DemoPlan`` (a seeded
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

The package, by what it builds: ``plan`` (what to build, and running it), ``material`` (the
fixed collectives, organisations and names), ``builder`` (the working state and the order of
the steps), ``people`` (workers and their trajectories), ``grievances``, ``campaigns``,
``meetings`` (each with its own fixed texts), ``accounts`` (one login per role), ``scale``
(``--scale N``: a collective with years of history).
"""

from organize.demo.material import FED_DOMESTIC, FED_MEKONG, FED_SOUTH_ASIA, SPECS
from organize.demo.plan import DemoError, DemoPlan, DemoSummary, demo_commands, load_demo
from organize.demo.state import DEMO_NAMESPACE

__all__ = [
    "DEMO_NAMESPACE",
    "FED_DOMESTIC",
    "FED_MEKONG",
    "FED_SOUTH_ASIA",
    "SPECS",
    "DemoError",
    "DemoPlan",
    "DemoSummary",
    "demo_commands",
    "load_demo",
]
