"""Every error code the application can raise has a message in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from organize.errors import Invalid
from web.i18n import ERROR_MESSAGES, FIELD_MESSAGES, LOCALES, error_message, field_message, message_for

ROOT = Path(__file__).resolve().parents[3]


def _codes_in_sources() -> set[str]:
    codes = {"invalid", "bad_taxonomy"}  # the defaults of DomainError / CommandError / TaxonomyError
    files = [*(ROOT / "organize").glob("*.py"),
             *(p for part in ("domain", "application", "persistence")
               for p in (ROOT / "organize" / part).glob("*.py")),
             *(ROOT / "web").glob("**/*.py")]
    for path in files:
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text(encoding="utf-8")))
    api = (ROOT / "web" / "api" / "errors.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'_respond\([^,]+,\s*"([a-z_]+)"', api))
    return codes


def test_the_scan_finds_the_codes():
    codes = _codes_in_sources()
    assert {"empty", "too_long", "stale_version", "no_consent", "internal", "invalid_input"} <= codes
    assert len(codes) > 35


def test_every_error_code_has_a_message():
    missing = _codes_in_sources() - set(ERROR_MESSAGES)
    assert missing == set()


@pytest.mark.parametrize("lang", [lang for lang in LOCALES if lang != "en"])
def test_every_message_is_translated(lang):
    for code, english in ERROR_MESSAGES.items():
        shown = error_message(code, lang)
        assert shown and shown != english, (lang, code)
    for kind, english in FIELD_MESSAGES.items():
        shown = field_message(kind, lang, max=200, first=1990, years=5)
        assert shown and shown != english, (lang, kind)


def test_unknown_codes_fall_back_to_the_general_message():
    assert error_message("no_such_code", "ne") == error_message("invalid", "ne")
    assert error_message(None) == ERROR_MESSAGES["invalid"]


def test_message_for_a_raised_error():
    error = Invalid("She has already given this consent.", field="purpose", code="already_given")
    assert message_for(error, "bn") == "তিনি এই সম্মতি আগেই দিয়েছেন।"


def test_field_messages_localise_their_numbers():
    assert field_message("too_long", "en", max=200) == "This is too long. Please use at most 200 characters."
    assert "२००" in field_message("too_long", "ne", max=200)
    assert "২০০" in field_message("too_long", "bn", max=200)
    assert field_message("required", "ar") == "يُرجى ملء هذا الحقل."
