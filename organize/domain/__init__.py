"""The pure domain of organize: aggregates, their events and invariants, value objects
and the taxonomy.

This room knows nothing of storage, HTTP, logging or the clock (beyond the timestamps
eventsourcing puts on events). Every command checks its input before it triggers an
event, so a refused command raises ``DomainError`` and records nothing. Personal data
arrives sealed (``sealed_*`` bytes) and the domain never reads it.
"""

from organize.domain.account import ROLES, Account, RoleGrant
from organize.domain.assessment import Assessment
from organize.domain.bargaining import Bargaining
from organize.domain.campaign import Campaign
from organize.domain.collective import Collective
from organize.domain.errors import DomainError, TaxonomyError
from organize.domain.grievance import Grievance
from organize.domain.imported import ImportedSubmission
from organize.domain.meeting import Meeting
from organize.domain.organisation import Organisation
from organize.domain.privacy_budget import PrivacyBudget
from organize.domain.procedure import Procedure
from organize.domain.taxonomy import Entry, Taxonomy, load_taxonomy
from organize.domain.values import (
    DIMENSIONS,
    Action,
    Agreement,
    ConsentChange,
    Demand,
    DemandResult,
    DimensionLevel,
    Escalation,
    Evidence,
    Invitation,
    Membership,
    Move,
    Negotiation,
    Outcome,
    Referral,
    Retaliation,
    Spell,
    StatusChange,
)
from organize.domain.worker import Worker, check_purpose, referral_purpose

AGGREGATES = (
    Account,
    Assessment,
    Campaign,
    Collective,
    Grievance,
    Meeting,
    Organisation,
    Worker,
    PrivacyBudget,
    Bargaining,
    Procedure,
    ImportedSubmission,
)

__all__ = [
    "AGGREGATES",
    "ROLES",
    "Account",
    "DIMENSIONS",
    "Action",
    "Agreement",
    "Assessment",
    "Bargaining",
    "Campaign",
    "Collective",
    "ConsentChange",
    "Demand",
    "DemandResult",
    "DimensionLevel",
    "DomainError",
    "Entry",
    "Escalation",
    "Evidence",
    "Invitation",
    "Grievance",
    "ImportedSubmission",
    "Meeting",
    "Membership",
    "Move",
    "Negotiation",
    "Organisation",
    "Outcome",
    "PrivacyBudget",
    "Procedure",
    "Referral",
    "Retaliation",
    "RoleGrant",
    "Spell",
    "StatusChange",
    "Taxonomy",
    "TaxonomyError",
    "Worker",
    "check_purpose",
    "load_taxonomy",
    "referral_purpose",
]
