"""The vocabulary of a grievance-trend table: which dimensions a researcher may ask for, at
which grains, how each value is labelled, and what is never published.

Pure: codes in, labels out; there is no free text to leak. The tables themselves are made
by ``organize.exports.releases``.
"""

from __future__ import annotations

from datetime import date

# The dimensions a trend table may have, in the order they are laid out. Every release is
# split by period: a table is always of whole, closed periods.
DIMENSIONS = ("period", "place", "sector", "stage", "category", "outcome", "escalation",
              "owed", "recovered")
DEFAULT_BY = ("period", "place", "sector", "stage", "category")
GRAINS: dict[str, tuple[str, ...]] = {
    "period": ("month", "quarter", "year"),
    "place": ("region", "country"),
    "category": ("category", "group"),
}
# Money owed and recovered are dimensions of bands (a currency and a power-of-ten range,
# ``organize.domain.money.band``), never amounts: what leaves is a count of grievances per
# band, under the same disclosure control as every count.
# Grains are fixed by the request, never chosen by looking at the data.
DEFAULT_GRAINS = {"period": "quarter", "place": "country", "category": "group"}
AUTO = "auto"  # accepted from older forms and scripts: the default grain
ALL = "all"  # the label of a margin in the published table

# Sensitive facts never leave in an export (issue 5): document status, age and health.
# Age and document status are not recorded on grievances at all; these categories would
# tell them, so their grievances are left out whole.
SENSITIVE_CATEGORIES = ("made_undocumented", "health_care_denied", "pregnancy_maternity")
# Outcomes that reveal legal status are published as "withheld" in the outcome split.
SENSITIVE_OUTCOMES = ("counter_charged", "deported")
WITHHELD = "withheld"
NO_OUTCOME = "none"


class ExportError(ValueError):
    """A request for an export that cannot be made as asked. ``code`` is stable (the web
    layer translates it), ``field`` names the parameter."""

    def __init__(self, message: str, *, field: str, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def period_label(month: date, grain: str) -> str:
    if grain == "month":
        return f"{month.year:04d}-{month.month:02d}"
    if grain == "quarter":
        return f"{month.year:04d}-Q{(month.month - 1) // 3 + 1}"
    return f"{month.year:04d}"


def place_label(place: str, grain: str) -> str:
    return place if grain == "region" else place.split("-", 1)[0]


__all__ = ["ALL", "AUTO", "DEFAULT_BY", "DEFAULT_GRAINS", "DIMENSIONS", "GRAINS", "ExportError",
           "NO_OUTCOME", "SENSITIVE_CATEGORIES", "SENSITIVE_OUTCOMES", "WITHHELD", "period_label",
           "place_label"]
