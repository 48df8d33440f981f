"""Money: an exact amount in one currency.

Wages owed, claimed, offered and recovered are what many grievances are about, and a sum
that is off by a cent is a sum a worker was cheated of twice. So an amount is a ``Decimal``
(never a float: 0.1 + 0.2 is not 0.3), always paired with its ISO 4217 currency, and two
amounts add only when their currencies agree: a total across currencies means nothing and
is never made (``totals`` keeps one per currency).

``Money`` is a frozen msgspec struct, so events carry it and the transcoder stores it as
``{"amount": "1200.50", "currency": "HKD"}``; the amount travels as a string and comes
back exact. ``money()`` is the one way in from outside: it checks every part and says
what is wrong in a sentence a person can act on.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import msgspec

from organize.domain.errors import DomainError

# ISO 4217 codes of the currencies in legal use in some territory (from CLDR, 2026).
# A code outside this list is a typing slip (HDK for HKD) far more often than a new currency.
CURRENCIES: frozenset[str] = frozenset({
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS",
    "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
})
PLACES_MAX = 4  # ISO 4217's largest minor unit (CLF, UYW); more is a slip, not a price
AMOUNT_MAX = Decimal(10) ** 12  # far above any real claim; catches slips of the keyboard


class Money(msgspec.Struct, frozen=True, kw_only=True):
    """An exact, non-negative amount in one ISO 4217 currency. Build it with ``money()``."""

    amount: Decimal
    currency: str

    def __add__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise DomainError(
                f"Amounts in {self.currency} and {other.currency} cannot be added together.",
                field="currency",
                code="mixed_currencies",
            )
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"


def money(amount: object, currency: object, *, field: str = "amount") -> Money:
    """Check an amount and its currency; ``field`` names the form field to mark."""
    return Money(amount=check_amount(amount, field=field), currency=check_currency(currency))


def check_amount(amount: object, *, field: str = "amount") -> Decimal:
    if amount is None or amount == "":
        raise DomainError("Please give the amount.", field=field, code="empty")
    # An int is exact, and so is a string of digits; a float is not, and is refused.
    if isinstance(amount, int) and not isinstance(amount, bool):
        amount = Decimal(amount)
    elif isinstance(amount, str):
        try:
            amount = Decimal(amount.strip())
        except InvalidOperation:
            amount = None
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DomainError("The amount must be an exact number, such as 1500 or 1500.50.", field=field)
    if amount < 0 or amount >= AMOUNT_MAX:
        raise DomainError(
            "The amount must be zero or more (and less than a trillion); please check it.",
            field=field,
            code="out_of_range",
        )
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES_MAX:
        raise DomainError(
            f"The amount has more than {PLACES_MAX} digits after the point; please check it.",
            field=field,
            code="too_precise",
        )
    # 1500.50 and 1500.5 are the same money; keep the digits as typed, but never "-0".
    return amount.copy_abs() if amount == 0 else amount


def check_currency(currency: object, *, field: str = "currency") -> str:
    if currency is None or currency == "":
        raise DomainError(
            "Please give the currency of the amount, such as HKD or PHP.", field=field, code="empty"
        )
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise DomainError(
            "The currency must be a three-letter ISO 4217 code in capitals, such as HKD, PHP or USD.",
            field=field,
        )
    return currency


def totals(amounts: Iterable[Money]) -> dict[str, Decimal]:
    """The exact sum per currency, currencies in alphabetical order; never one grand total."""
    sums: dict[str, Decimal] = {}
    for m in amounts:
        sums[m.currency] = sums.get(m.currency, Decimal(0)) + m.amount
    return dict(sorted(sums.items()))


# -- bands: how an amount leaves the collective ------------------------------------------
# Outside the collective that recorded it, an amount is never shown as itself (one worker's
# wages can name her): it is counted in a band of its own currency, and the counts go through
# the same disclosure control as every other count. The edges are powers of ten, fixed
# before any data is seen, so which bands exist never depends on who reported what.
NO_AMOUNT = "none"
BAND_EDGES = (0, 100, 1_000, 10_000, 100_000)


def band(m: Money | None) -> str:
    """The band label of an amount: ``HKD 1000-10000`` is at least 1000 and below 10000;
    ``HKD 100000+`` is 100000 or more; ``none`` without one."""
    if m is None:
        return NO_AMOUNT
    lows = [e for e in BAND_EDGES if m.amount >= e]
    low = lows[-1]
    at = BAND_EDGES.index(low)
    if at == len(BAND_EDGES) - 1:
        return f"{m.currency} {low}+"
    return f"{m.currency} {low}-{BAND_EDGES[at + 1]}"


def all_bands() -> list[str]:
    """Every band label there can be, data-independently (with ``none`` last)."""
    probes = [*BAND_EDGES]
    return [band(Money(amount=Decimal(p), currency=c)) for c in sorted(CURRENCIES)
            for p in probes] + [NO_AMOUNT]
