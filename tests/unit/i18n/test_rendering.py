"""The skeleton's pages in each language: direction, translated words, localised dates and
numbers, and forms that keep what was typed."""

from __future__ import annotations

import re
from datetime import date

import pytest

from web.i18n import LOCALES, format_date, format_money, format_number, render
from web.i18n.preview import preview

EXIT = {"en": "Exit", "ne": "निस्कनुहोस्", "bn": "বের হন", "ar": "خروج"}
LOG_IN = {"en": "Log in", "ne": "लग इन गर्नुहोस्", "bn": "লগ ইন করুন", "ar": "تسجيل الدخول"}


@pytest.fixture(scope="module")
def pages():
    return {lang: preview(lang) for lang in LOCALES}


@pytest.mark.parametrize("lang", LOCALES)
def test_direction_is_rtl_only_for_arabic(pages, lang):
    for name, html in pages[lang].items():
        expected = "rtl" if lang == "ar" else "ltr"
        assert f'<html lang="{lang}" dir="{expected}">' in html, name


@pytest.mark.parametrize("lang", LOCALES)
def test_base_and_login_are_translated(pages, lang):
    base, login = pages[lang]["base.html"], pages[lang]["login.html"]
    assert f"<span>{EXIT[lang]}</span>" in base
    assert f"<h1>{LOG_IN[lang]}</h1>" in login
    # Quick exit is the first link on the page, so it is first in the tab order.
    assert re.search(r"<body>\s*<header[^>]*>\s*<a href=\"/exit\" class=\"quick-exit\">", base)
    # The bottom nav is there for leaders and absent from the login page.
    assert 'class="bottom-nav"' in base and 'class="bottom-nav"' not in login
    if lang != "en":
        for english in (">Grievances<", ">Meetings<", ">Password<", ">Username<"):
            assert english not in base + login, (lang, english)


@pytest.mark.parametrize("lang", LOCALES)
def test_text_inside_imported_macros_is_translated(pages, lang):
    optional = {"en": "(optional)", "ne": "(ऐच्छिक)", "bn": "(ঐচ্ছিক)", "ar": "(اختياري)"}[lang]
    assert optional in pages[lang]["sample.html"]


def test_login_keeps_the_username_and_shows_each_error(pages):
    login = pages["ar"]["login.html"]
    assert 'name="username"' in login and 'value="sita"' in login
    # The password is never sent back, and its error sits with it.
    assert re.search(r'<input[^>]*name="password"[^>]*type="password" value=""', login)
    assert 'id="f-password-error"' in login and "يُرجى ملء هذا الحقل." in login
    assert 'aria-describedby="f-password-error"' in login
    assert "اسم المستخدم أو كلمة المرور غير صحيحة." in login  # the form-level message
    assert 'name="csrf_token"' in login


def test_csrf_token_reaches_meta_and_form():
    html = render("login.html", "en", csrf_token="tok123")
    assert '<meta name="csrf-token" content="tok123" data-header="X-CSRF-Token">' in html
    assert '<input type="hidden" name="csrf_token" value="tok123">' in html


def test_nav_prefix_and_active_page():
    html = render("base.html", "en", nav_prefix="/c/abc", nav_active="meetings")
    assert '<a href="/c/abc/meetings" aria-current="page">' in html
    assert '<a href="/c/abc/">' in html


def test_error_page_uses_the_code_message():
    html = render("error.html", "bn", status_code=404, code="not_found")
    assert "পাতাটি পাওয়া যায়নি" in html and "এটি পাওয়া যায়নি। হয়তো সরিয়ে ফেলা হয়েছে।" in html


def test_typed_values_are_escaped():
    html = render("login.html", "en", values={"username": '"><script>x</script>'})
    assert "<script>x" not in html and "&lt;script&gt;" in html


DAY = date(2025, 3, 7)


@pytest.mark.parametrize(("lang", "month", "year", "number"), [
    ("en", "March", "2025", "1,234,567"),
    ("ne", "मार्च", "२०२५", "१२,३४,५६७"),      # Devanagari digits, Indian grouping
    ("bn", "মার্চ", "২০২৫", "১২,৩৪,৫৬৭"),      # Bengali digits, Indian grouping
    ("ar", "مارس", "2025", "1,234,567"),        # CLDR's default for ar is Latin digits
])
def test_dates_and_numbers_are_localised(pages, lang, month, year, number):
    long_date = format_date(DAY, lang, "long")
    assert month in long_date and year in long_date
    assert format_number(1234567, lang) == number
    sample = pages[lang]["sample.html"]
    assert long_date in sample and number in sample
    assert format_date("2025-03-07", lang, "long") == long_date
    assert format_date(None, lang) == ""


def test_money_is_localised():
    assert format_money("1500", "qar", "en") == "QAR1,500.00"
    assert "१,५००" in format_money(1500, "QAR", "ne")
    assert "১,৫০০" in format_money(1500, "QAR", "bn")
    assert "ر.ق." in format_money(1500, "QAR", "ar")


def test_field_macro_kinds_keep_the_choice():
    env_page = """{% import "_macros.html" as m with context %}
{{ m.field("sector", "Sector", value="garment", type="select", choices=choices("sectors"), required=True) }}
{{ m.field("group", "Group", value="pay", type="radio", error="x",
           choices=[("pay", label("category_groups", "pay"), group_icon("pay"))]) }}
{{ m.field("notes", "Notes", value="a<b", type="textarea") }}"""
    from web.i18n.templating import default_environment

    html = default_environment().from_string(env_page).render(lang="bn")
    assert '<option value="garment" selected>পোশাক, বস্ত্র ও জুতা</option>' in html
    assert 'value="pay" checked>' in html and "icons.svg#money" in html and "মজুরি" in html
    assert '<fieldset aria-describedby="f-group-error">' in html
    assert ">a&lt;b</textarea>" in html
