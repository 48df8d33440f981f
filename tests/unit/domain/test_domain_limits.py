"""The shared input checks: lengths around every limit, sealed bytes, lists, dates,
codes and language tags."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organize.domain import DomainError
from organize.domain.limits import (
    LIST_MAX,
    NAME_MAX,
    SEALED_MAX,
    TEXT_MAX,
    check_code,
    check_date,
    check_datetime,
    check_ids,
    check_language,
    check_optional_text,
    check_sealed,
    check_text,
    check_texts,
)

# Printable text without surrounding whitespace, so its length is what is checked.
WORD = st.text(alphabet=st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=1)


def code_of(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


def test_limits_are_as_agreed() -> None:
    assert (NAME_MAX, TEXT_MAX, SEALED_MAX, LIST_MAX) == (120, 2000, 16384, 50)


@given(st.integers(min_value=1, max_value=NAME_MAX + 40), WORD)
def test_text_length_around_the_limit(length: int, char: str) -> None:
    value = char * length
    if length <= NAME_MAX:
        assert check_text(value, field="name", max_len=NAME_MAX) == value
    else:
        with pytest.raises(DomainError) as info:
            check_text(value, field="name", max_len=NAME_MAX)
        assert (info.value.code, info.value.field) == ("too_long", "name")
        assert str(NAME_MAX) in info.value.message


@given(st.text(alphabet=" \t\n\r", max_size=10))
def test_blank_text_is_empty(blank: str) -> None:
    assert code_of(lambda: check_text(blank, field="name", max_len=10)) == "empty"
    assert check_optional_text(blank, field="name", max_len=10) is None
    assert check_text(blank, field="name", max_len=10, required=False) == ""


def test_text_is_stripped_and_control_characters_refused() -> None:
    assert check_text("  Ana\nMaria ", field="f", max_len=20) == "Ana\nMaria"
    assert code_of(lambda: check_text("a\x00b", field="f", max_len=20)) == "invalid"
    assert code_of(lambda: check_text(b"abc", field="f", max_len=20)) == "invalid"


@given(st.integers(min_value=0, max_value=SEALED_MAX + 8))
def test_sealed_length_around_the_limit(length: int) -> None:
    value = b"\x00" * length
    if length == 0:
        assert code_of(lambda: check_sealed(value, field="sealed_note")) == "empty"
    elif length <= SEALED_MAX:
        assert check_sealed(value, field="sealed_note") == value
    else:
        assert code_of(lambda: check_sealed(value, field="sealed_note")) == "too_long"


def test_sealed_must_be_bytes() -> None:
    assert code_of(lambda: check_sealed("plain text", field="sealed_note")) == "invalid"
    assert check_sealed(memoryview(b"ab"), field="sealed_note") == b"ab"


@given(st.integers(min_value=0, max_value=LIST_MAX + 5))
def test_list_length_around_the_limit(length: int) -> None:
    ids = [uuid4() for _ in range(length)]
    if length == 0:
        assert code_of(lambda: check_ids(ids, field="ids", min_items=1)) == "empty"
    elif length <= LIST_MAX:
        assert check_ids(ids, field="ids", min_items=1) == tuple(ids)
    else:
        assert code_of(lambda: check_ids(ids, field="ids")) == "too_many"


def test_texts_and_ids_refuse_wrong_shapes() -> None:
    assert code_of(lambda: check_texts("one", field="clauses", max_len=10)) == "invalid"
    assert code_of(lambda: check_ids(uuid4(), field="ids")) == "invalid"
    assert code_of(lambda: check_ids(["x"], field="ids")) == "invalid"


def test_dates_and_times() -> None:
    assert check_date(date(2024, 1, 1), field="on") == date(2024, 1, 1)
    assert code_of(lambda: check_date(datetime(2024, 1, 1), field="on")) == "invalid"
    assert code_of(lambda: check_date("2024-01-01", field="on")) == "invalid"
    aware = datetime(2024, 1, 1, tzinfo=UTC)
    assert check_datetime(aware, field="at") == aware
    assert code_of(lambda: check_datetime(datetime(2024, 1, 1), field="at")) == "invalid"


@given(st.from_regex(r"[a-z][a-z0-9_]{1,47}", fullmatch=True))
def test_codes_accepted(code: str) -> None:
    assert check_code(code, field="kind") == code


@pytest.mark.parametrize("bad", ["", "a", "1abc", "Abc", "a-b", "a b", "a" * 49, None, 3])
def test_codes_refused(bad: object) -> None:
    assert code_of(lambda: check_code(bad, field="kind")) == "invalid"


@pytest.mark.parametrize("tag", ["en", "fil", "zh-Hant", "ar-EG", "sr-Latn-RS", "es-419"])
def test_language_tags_accepted(tag: str) -> None:
    assert check_language(tag, field="language") == tag


@pytest.mark.parametrize("bad", ["", "e", "EN", "english", "en_US", "en-", "en-a", 3])
def test_language_tags_refused(bad: object) -> None:
    assert code_of(lambda: check_language(bad, field="language")) == "invalid"
