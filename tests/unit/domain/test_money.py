"""Money: exact amounts with their currency; refusals say what is wrong; totals never mix
currencies; the value survives msgspec and the stored-event transcoder exactly."""

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from organize.domain.errors import DomainError
from organize.domain.money import CURRENCIES, Money, money, totals


def test_exact_amounts_from_decimal_int_and_string() -> None:
    assert money(Decimal("1200.50"), "HKD") == Money(amount=Decimal("1200.50"), currency="HKD")
    assert money(1500, "NPR").amount == Decimal(1500)
    assert money(" 0.10 ", "USD").amount == Decimal("0.10")
    assert money("0", "USD").amount == 0


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        (0.1, "invalid"),  # a float is never money
        (True, "invalid"),
        ("12,5", "invalid"),
        ("abc", "invalid"),
        (Decimal("NaN"), "invalid"),
        (Decimal("Infinity"), "invalid"),
        (Decimal("-1"), "out_of_range"),
        (Decimal(10) ** 12, "out_of_range"),
        (Decimal("1.00001"), "too_precise"),
    ],
)
def test_bad_amounts_are_refused_with_a_code_and_field(amount: object, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        money(amount, "HKD", field="owed")
    assert caught.value.code == code
    assert caught.value.field == "owed"


@pytest.mark.parametrize("currency", [None, "", "hkd", "HK", "HKDD", "XYZ", "HDK", 344])
def test_bad_currencies_are_refused(currency: object) -> None:
    with pytest.raises(DomainError) as caught:
        money(Decimal(1), currency)
    assert caught.value.field == "currency"


def test_the_currencies_workers_are_paid_in_are_known() -> None:
    for code in ("HKD", "PHP", "NPR", "BDT", "SAR", "AED", "QAR", "MYR", "THB", "IDR", "USD", "EUR", "KWD"):
        assert code in CURRENCIES


def test_adding_keeps_exact_cents_and_refuses_mixed_currencies() -> None:
    total = money("0.1", "USD") + money("0.2", "USD")
    assert total == Money(amount=Decimal("0.3"), currency="USD")
    with pytest.raises(DomainError) as caught:
        money(1, "USD") + money(1, "HKD")
    assert caught.value.code == "mixed_currencies"


def test_totals_are_per_currency_never_across() -> None:
    amounts = [money("0.10", "USD"), money("100", "HKD"), money("0.20", "USD"), money("0.05", "HKD")]
    assert totals(amounts) == {"HKD": Decimal("100.05"), "USD": Decimal("0.30")}
    assert totals([]) == {}


def test_round_trips_through_msgspec_json_exactly() -> None:
    value = money("1234567890.1234", "KWD")
    raw = msgspec.json.encode(value)
    assert raw == b'{"amount":"1234567890.1234","currency":"KWD"}'
    assert msgspec.json.decode(raw, type=Money) == value


def test_a_struct_carrying_money_decodes_typed() -> None:
    holder = msgspec.defstruct("Holder", [("owed", Money)])
    raw = msgspec.json.encode(holder(owed=money("0.30", "USD")))
    assert msgspec.json.decode(raw, type=holder).owed == Money(amount=Decimal("0.30"), currency="USD")


@given(
    st.lists(
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        max_size=30,
    )
)
def test_sums_are_exact_whatever_the_order(values: list[Decimal]) -> None:
    forward = totals(money(v, "HKD") for v in values)
    backward = totals(money(v, "HKD") for v in reversed(values))
    assert forward == backward
    assert forward.get("HKD", Decimal(0)) == sum(values, Decimal(0))


def test_bands_are_fixed_powers_of_ten_in_the_amount_s_own_currency() -> None:
    from organize.domain.money import NO_AMOUNT, all_bands, band  # noqa: PLC0415

    assert band(None) == NO_AMOUNT
    assert band(money("0", "HKD")) == "HKD 0-100"
    assert band(money("99.99", "HKD")) == "HKD 0-100"
    assert band(money("100", "HKD")) == "HKD 100-1000"
    assert band(money("99999.99", "NPR")) == "NPR 10000-100000"
    assert band(money("100000", "NPR")) == "NPR 100000+"
    bands = all_bands()
    assert len(bands) == len(set(bands)) == 5 * len(CURRENCIES) + 1
    some = {band(money(v, c)) for v in ("1", "150", "2500", "45000", "999999") for c in ("PHP", "SAR")}
    assert some <= set(bands)
