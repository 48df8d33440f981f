"""The PrivacyBudget aggregate: how much differential privacy one researcher may spend.

Why it is an aggregate: every noisy release lets a researcher learn a little more about
the workers counted in it, and those little amounts add up (sequential composition).
Averaging twenty noisy copies of one table came within 0.65 of the true counts. So what
each researcher has spent is recorded as events, one per release, and a spend that would
pass her total is refused before any table leaves.

- ``total_milli`` and ``spent_milli`` are thousandths of epsilon: whole numbers, so no
  rounding lets a long run of small spends slip past the total.
- A spend names the *measurement* it pays for (the stored noisy table, ``organize.exports
  .releases``). Paying for a measurement she already paid for costs nothing: the stored
  release is handed back byte for byte, with no new noise, so she learns nothing new.
- ``MAX_RELEASE_MILLI`` caps one release at epsilon 1: above that the noise is too small
  to protect a single grievance (epsilon 10 added almost none).
"""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import check_uuid

MAX_RELEASE_MILLI = 1000  # epsilon 1 per release
MIN_RELEASE_MILLI = 10  # epsilon 0.01
DEFAULT_TOTAL_MILLI = 3000  # epsilon 3 per researcher unless an admin sets another total
MAX_TOTAL_MILLI = 20000
MEASUREMENT_MAX = 80


def check_milli(value: object, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"Epsilon must be between {low / 1000:g} and {high / 1000:g}.",
                          field=field, code="out_of_range")
    return value


class PrivacyBudget(Aggregate):
    @classmethod
    def open(cls, *, id: UUID, account_id: UUID, total_milli: int = DEFAULT_TOTAL_MILLI
             ) -> "PrivacyBudget":
        return cls(id=check_uuid(id, field="id"),
                   account_id=check_uuid(account_id, field="account_id"),
                   total_milli=check_milli(total_milli, field="total", low=0,
                                           high=MAX_TOTAL_MILLI))

    @event("Opened")
    def __init__(self, id: UUID, account_id: UUID, total_milli: int) -> None:
        self.account_id = account_id
        self.total_milli = total_milli
        self.spent_milli = 0
        self.measurements: set[str] = set()

    @property
    def left_milli(self) -> int:
        return max(0, self.total_milli - self.spent_milli)

    def has_paid_for(self, measurement: str) -> bool:
        return measurement in self.measurements

    def spend(self, measurement: str, epsilon_milli: int) -> bool:
        """Pay for one measurement; False (and nothing recorded) when it was paid for
        already. Refuses an epsilon above the cap and a spend past the total."""
        if not isinstance(measurement, str) or not 0 < len(measurement) <= MEASUREMENT_MAX:
            raise DomainError("Name the release to pay for.", field="measurement", code="invalid")
        epsilon_milli = check_milli(epsilon_milli, field="epsilon", low=MIN_RELEASE_MILLI,
                                    high=MAX_RELEASE_MILLI)
        if measurement in self.measurements:
            return False
        if self.spent_milli + epsilon_milli > self.total_milli:
            raise DomainError(
                f"This release needs epsilon {epsilon_milli / 1000:g}, but only "
                f"{self.left_milli / 1000:g} of this researcher's budget of "
                f"{self.total_milli / 1000:g} is left.", field="epsilon", code="over_budget")
        self._spent(measurement=measurement, epsilon_milli=epsilon_milli)
        return True

    @event("Spent")
    def _spent(self, measurement: str, epsilon_milli: int) -> None:
        self.spent_milli += epsilon_milli
        self.measurements.add(measurement)

    def set_total(self, total_milli: int) -> None:
        total_milli = check_milli(total_milli, field="total", low=0, high=MAX_TOTAL_MILLI)
        if total_milli == self.total_milli:
            raise DomainError("The budget already has this total.", field="total",
                              code="unchanged")
        self._total_set(total_milli=total_milli)

    @event("TotalSet")
    def _total_set(self, total_milli: int) -> None:
        self.total_milli = total_milli


__all__ = ["DEFAULT_TOTAL_MILLI", "MAX_RELEASE_MILLI", "MIN_RELEASE_MILLI", "PrivacyBudget"]
