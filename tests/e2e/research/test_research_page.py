"""The researchers' page over real HTTP and a real PostgreSQL: the page in her language with
her privacy budget, a zip that holds the release (and nobody's story), the same bytes again
on a repeat and through the API, a request snapped to whole closed periods or refused with
the reason in her language, each bad choice refused on its field, and every other role
refused."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tempfile
import uuid
import zipfile
from pathlib import Path

import asyncpg
import pytest

from organize import commands as c
from organize.exports.package import CAVEAT, FORMATS
from organize.exports.releases import TEMP_PREFIX
from organize.exports.trends import DEFAULT_BY, DIMENSIONS
from organize.projections.disclosure import DEFAULT_K
from organize.projections.views.research_grievances import position
from tests.support import settle_views
from web.i18n import get_translations, localise_digits
from web.research import form as forms
from web.research.routes import CAVEAT_TEXT

pytestmark = pytest.mark.integration

PAGE = "/research"
EXPORTS = "/research/exports"


async def get(client, person, path=PAGE, lang="en"):
    client.cookies.clear()
    headers = person.headers(lang) if person else {"Accept-Language": lang}
    return await client.get(path, headers=headers, follow_redirects=False)


async def post(client, person, data, *, lang="en", csrf=True):
    client.cookies.clear()
    body = {**data, "csrf_token": person.csrf} if csrf and person else dict(data)
    headers = person.headers(lang) if person else {"Accept-Language": lang}
    return await client.post(EXPORTS, data=body, headers=headers, follow_redirects=False)


async def base_position(runtime) -> int:
    conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
    try:
        return await position(conn)
    finally:
        await conn.close()


def csp_problems(text: str) -> list[str]:
    found = [m.group(0)[:60] for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
             if "src=" not in m.group(1) or m.group(2).strip()]
    found += re.findall(r"<[^>]*\s(?:on[a-z]+|style)\s*=", text)
    found += re.findall(r"<style\b|javascript:", text)
    return found


def our_temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*")}


def unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return {name: z.read(name) for name in z.namelist()}


# -- the page ---------------------------------------------------------------------------------


async def test_the_page_in_english(client, people, runtime, research_world):
    settle_views(runtime)
    r = await get(client, people["researcher"])
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert '<html lang="en" dir="ltr">' in page
    assert "Grievance trends for research" in page
    assert html.escape(CAVEAT, quote=False) in page  # the caveat, whole
    assert "Low counts do not mean little abuse." in page
    # Where the research base is: at the head of the log, and which position.
    at = await base_position(runtime)
    assert at > 0
    assert f'data-position="{at}" data-behind="0"' in page
    assert "Up to date with the event log." in page and f"Position: {at}." in page
    # The form: a plain POST with the session's CSRF token; every dimension, the defaults
    # ticked; k, the grains, epsilon, the dates and the formats.
    assert '<form method="post" action="/research/exports"' in page
    assert f'name="csrf_token" value="{people["researcher"].csrf}"' in page
    for d in DIMENSIONS:
        ticked = f'name="by" value="{d}" checked' in page
        assert f'name="by" value="{d}"' in page and ticked == (d in DEFAULT_BY), d
    assert 'name="k" required' in page and f'value="{DEFAULT_K}"' in page and 'min="5"' in page
    for name in ("grain_period", "grain_place", "grain_category", "epsilon", "since", "until"):
        assert f'name="{name}"' in page, name
    for fmt in FORMATS:
        assert f'name="format" value="{fmt}"' in page, fmt
    assert csp_problems(page) == []
    # The default five dimensions hide most cells: said before she asks, with coarser choices.
    assert "With 5 dimensions most counts will be hidden" in page
    assert "for example category and period" in page
    # Nothing of anyone in it.
    assert not [s for s in research_world.secrets + research_world.ids() if s in page]


async def test_the_page_in_nepali_and_arabic(client, people):
    english = (await get(client, people["researcher"])).text
    for lang, direction in (("ne", "ltr"), ("ar", "rtl")):
        r = await get(client, people["admin"], lang=lang)
        assert r.status_code == 200
        page = r.text
        assert f'<html lang="{lang}" dir="{direction}">' in page
        t = get_translations(lang)
        caveat = t.gettext(CAVEAT_TEXT)
        assert caveat != CAVEAT and html.escape(caveat, quote=False) in page, lang
        title = t.gettext("Grievance trends for research")
        assert title != "Grievance trends for research" and title in page
        assert "Grievance trends for research" not in page
        # Every dimension, grain and format is shown in her words, none in English.
        for words in (*forms.DIMENSION_WORDS.values(), *forms.GRAIN_WORDS.values(),
                      *forms.FORMAT_WORDS.values()):
            if words not in ("Parquet",):
                assert html.escape(words, quote=False) in english
                assert html.escape(words, quote=False) not in page, (lang, words)


async def test_the_page_says_how_far_behind_the_base_is(client, people, runtime, app,
                                                         research_world):
    settle_views(runtime)
    at = await base_position(runtime)
    app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=research_world.workers[-1],
                              purpose="contact"))
    behind = (app.recorder.max_notification_id() or 0) - at
    assert behind >= 1
    try:
        page = (await get(client, people["researcher"])).text
        assert f'data-position="{at}" data-behind="{behind}"' in page
        noun = "event" if behind == 1 else "events"
        assert f"{behind} {noun} behind the event log." in page
        assert "Up to date" not in page
        bengali = html.unescape((await get(client, people["researcher"], lang="bn")).text)
        said = get_translations("bn").ngettext(
            "%(num)s event behind the event log. An export counts what the research base has "
            "reached.", "%(num)s events behind the event log. An export counts what the research "
            "base has reached.", behind) % {"num": localise_digits(str(behind), "bn")}
        assert "event" not in said and said in bengali
    finally:
        settle_views(runtime)


def test_the_page_shows_the_caveat_the_packages_ship():
    assert CAVEAT_TEXT == CAVEAT


# -- a valid export ------------------------------------------------------------------------------


async def test_a_valid_export_is_a_zip_with_manifest_and_hxl(client, people, runtime,
                                                             research_world):
    settle_views(runtime)
    at = await base_position(runtime)
    before = our_temp_dirs()
    r = await post(client, people["researcher"], {"by": list(DEFAULT_BY), "k": "5",
                                                  "grain_period": "month", "grain_place": "auto",
                                                  "grain_category": "auto", "format": "csv"})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/zip"
    assert re.fullmatch(rf'attachment; filename="grievance-trends-{at}-[0-9a-f]{{8}}\.zip"',
                        r.headers["content-disposition"])
    assert r.headers["cache-control"] == "no-store"
    files = unzip(r.content)
    assert set(files) == {"grievance_trends.csv", "manifest.json", "README.md"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["position"]["notification_id"] == at
    assert manifest["parameters"]["k"] == 5 and manifest["parameters"]["by"] == list(DEFAULT_BY)
    assert manifest["parameters"]["grains"]["period"] == "month"
    assert manifest["mechanism"]["name"] == "cell_key"
    assert manifest["mechanism"]["epsilon_spent"] == 0
    assert manifest["privacy_budget"] == {"total": 3.0, "spent": 0.0, "left": 3.0}
    assert all(check["passed"] for check in manifest["checks"])
    assert manifest["caveat"] == CAVEAT and CAVEAT in files["README.md"].decode()
    rows = list(csv.reader(io.StringIO(files["grievance_trends.csv"].decode())))
    assert rows[0] == [*DEFAULT_BY, "count"]
    assert rows[1][0] == "#date+month" and all(tag.startswith("#") for tag in rows[1])
    counts = [int(row[-1]) for row in rows[2:]]
    assert counts and min(counts) >= 5, "a count below k (or a zero) was published"
    # Our big cell (24 grievances in March 2025) is published, perturbed by at most 2.
    ours = [row for row in rows[2:] if row[:4] == ["2025-03", "HK", "domestic_care", "destination"]
            and row[4] in ("wages_unpaid_late", "pay")]
    assert ours and int(ours[0][-1]) >= 22
    # Asked again: the same bytes, from the store.
    again = await post(client, people["researcher"], {"by": list(DEFAULT_BY), "k": "5",
                                                      "grain_period": "month", "grain_place": "auto",
                                                      "grain_category": "auto", "format": "csv"})
    assert again.content == r.content
    assert our_temp_dirs() <= before, "the export left its directory behind"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_every_format_downloads_and_holds_nobody(client, people, runtime, research_world, fmt):
    settle_views(runtime)
    r = await post(client, people["admin"], {"by": ["period", "sector", "category"], "k": "10",
                                             "format": fmt, "since": "2024-01-01",
                                             "until": "2025-12-31"})
    assert r.status_code == 200, r.text[:500]
    files = unzip(r.content)
    manifest = json.loads(files["manifest.json"])
    assert sorted(files) == sorted(manifest["files"])
    assert manifest["parameters"]["format"] == fmt
    assert manifest["parameters"]["since"] == "2024-01-01"
    # No pseudonym, name, free text or id in any byte: the zip as sent, and every file in it.
    blobs = [r.content, *files.values()]
    for secret in [*research_world.secrets, *research_world.ids(), research_world.tag]:
        assert not any(secret.encode() in blob for blob in blobs), (fmt, secret)


async def test_differential_privacy_mode(client, people, runtime):
    r = await post(client, people["admin"], {"by": ["period", "category"], "k": "5",
                                             "epsilon": "0.5", "format": "csv"})
    assert r.status_code == 200, r.text[:500]
    manifest = json.loads(unzip(r.content)["manifest.json"])
    assert manifest["parameters"]["epsilon"] == 0.5
    assert manifest["mechanism"]["name"] == "differential_privacy"
    assert manifest["mechanism"]["epsilon_spent"] == 0.5
    assert manifest["privacy_budget"]["left"] == 2.5
    page = (await get(client, people["admin"])).text
    assert 'data-left="2.5"' in page and "Left: 2.5 of 3 (epsilon). Spent: 0.5." in page


# -- bad choices --------------------------------------------------------------------------------

GOOD = {"by": ["period", "sector"], "k": "7", "grain_period": "quarter", "grain_place": "auto",
        "grain_category": "auto", "epsilon": "", "since": "", "until": "", "format": "parquet"}

BAD = [
    # (what is changed, the field, the message in English)
    ({"by": ["period", "nationality"]}, "by", "Choose dimensions from the list."),
    ({"by": []}, "by", "Choose at least one dimension."),
    ({"by": ["period", "period"]}, "by", "Choose each dimension only once."),
    ({"by": ["period"] * 40}, "by", "Choose each dimension only once."),
    ({"k": "4"}, "k", "The smallest count shown must be at least 5."),
    ({"k": "0"}, "k", "The smallest count shown must be at least 5."),
    ({"k": "-10"}, "k", "Give a whole number, such as 10."),
    ({"k": "ten"}, "k", "Give a whole number, such as 10."),
    ({"k": "7.5"}, "k", "Give a whole number, such as 10."),
    ({"k": ""}, "k", "Give the smallest count to show."),
    ({"k": "1001"}, "k", "The smallest count shown can be at most 1,000."),
    ({"k": "9" * 30}, "k", "The smallest count shown can be at most 1,000."),
    ({"k": "9" * 5000}, "k", "This is too long. Choose from the form."),
    ({"grain_period": "week"}, "grain_period", "Choose one of the options."),
    ({"grain_place": "region'; DROP TABLE x"}, "grain_place", "Choose one of the options."),
    ({"grain_category": "group "}, None, None),  # trimmed: fine
    ({"epsilon": "0"}, "epsilon", "Epsilon must be between 0.01 and 1."),
    ({"epsilon": "10"}, "epsilon", "Epsilon can be at most 1 in one release: a larger epsilon "
                                   "adds too little noise to protect one grievance."),
    ({"epsilon": "1.5"}, "epsilon", "Epsilon can be at most 1 in one release: a larger epsilon "
                                    "adds too little noise to protect one grievance."),
    ({"epsilon": "1e308"}, "epsilon", "Epsilon can be at most 1 in one release: a larger "
                                      "epsilon adds too little noise to protect one grievance."),
    ({"epsilon": "nan"}, "epsilon", "Give a number, such as 1 or 0.5, or leave it empty."),
    ({"epsilon": "inf"}, "epsilon", "Give a number, such as 1 or 0.5, or leave it empty."),
    ({"epsilon": "lots"}, "epsilon", "Give a number, such as 1 or 0.5, or leave it empty."),
    ({"since": "2025-05-01", "until": "2025-01-01"}, "since", "The start must not be after the end."),
    ({"since": "yesterday"}, "since", "Give a date, or leave it empty."),
    ({"until": "2025-02-30"}, "until", "Give a date, or leave it empty."),
    ({"until": "9999-12-31"}, "until", "Give a date between 1900 and 2100."),
    ({"format": "xlsx"}, "format", "Choose one of the formats."),
]


@pytest.mark.parametrize(("change", "field", "text"), BAD,
                         ids=[f"{f}:{'|'.join(map(str, ch.values()))[:20]}" for ch, f, _ in BAD])
async def test_a_bad_choice_comes_back_on_its_field(client, people, change, field, text):
    before = our_temp_dirs()
    data = {**GOOD, **change}
    r = await post(client, people["researcher"], data)
    if field is None:
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        return
    assert r.status_code == 400, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert "Some choices need changing. See the messages below." in page
    error = re.search(rf'id="f-{field}-error">.*?<span>(.*?)</span>', page, re.S)
    assert error, f"no message on {field}"
    assert html.unescape(error.group(1)) == text
    assert len(re.findall(r'class="field-error"', page)) == 1, "a message on another field"
    if field == "format":  # radios: the fieldset points at the message
        assert f'<fieldset aria-describedby="f-{field}-error">' in page
    elif field != "by":
        assert re.search(rf'id="f-{field}" name="{field}"[^>]* aria-invalid="true"', page)
    # Her other choices are kept.
    if field != "by":
        assert 'name="by" value="period" checked' in page
        assert 'name="by" value="sector" checked' in page
        assert 'name="by" value="place" checked' not in page
    if field != "format":
        assert 'name="format" value="parquet" checked' in page
    if field != "k":
        assert 'name="k"' in page and 'value="7"' in page
    if field not in ("grain_period",):
        assert '<option value="quarter" selected>' in page
    # What was typed is never echoed in a message, and never unescaped.
    assert "DROP TABLE" not in page.replace("region&#39;; DROP TABLE x", "")
    assert "<script" not in page.split("</head>")[1]
    assert our_temp_dirs() <= before


async def test_messages_come_in_her_language(client, people):
    r = await post(client, people["researcher"], {**GOOD, "k": "3", "format": "pdf"}, lang="bn")
    assert r.status_code == 400
    t = get_translations("bn")
    page = html.unescape(r.text)
    assert t.gettext("Some choices need changing. See the messages below.") in page
    too_small = t.gettext("The smallest count shown must be at least %(min)s.") % {"min": "৫"}
    assert too_small in page and "at least" not in page
    assert t.gettext("Choose one of the formats.") in page
    assert t.gettext("Choose one of the formats.") != "Choose one of the formats."


async def test_a_table_too_big_for_differential_privacy_is_refused_on_the_dimensions(
        client, people):
    before = our_temp_dirs()
    r = await post(client, people["researcher"], {
        "by": list(DIMENSIONS), "k": "5", "grain_period": "month", "grain_place": "region",
        "grain_category": "category", "epsilon": "1", "since": "1990-01-01",
        "until": "2025-12-31", "format": "csv"})
    assert r.status_code == 400, r.text[:300]
    error = re.search(r'id="f-by-error">.*?<span>(.*?)</span>', r.text, re.S)
    assert error and html.unescape(error.group(1)).startswith(
        "With differential privacy this table would be too large.")
    assert 'name="epsilon"' in r.text and 'value="1"' in r.text
    assert our_temp_dirs() <= before, "the refused export left its directory behind"


async def test_a_file_where_a_value_belongs_is_refused(client, people):
    client.cookies.clear()
    person = people["researcher"]
    data = {**{n: v for n, v in GOOD.items() if n != "k"}, "csrf_token": person.csrf}
    r = await client.post(EXPORTS, data=data,
                          files={"k": ("k.txt", b"10", "text/plain")},
                          headers=person.headers(), follow_redirects=False)
    assert r.status_code == 400, r.text[:300]
    error = re.search(r'id="f-k-error">.*?<span>(.*?)</span>', r.text, re.S)
    assert error and html.unescape(error.group(1)) == "Give the smallest count to show."


async def test_while_the_research_base_is_built_the_form_says_so(client, people, monkeypatch):
    import web.research.routes as routes

    def not_yet(*args, **kwargs):
        raise asyncpg.UndefinedTableError("relation does not exist")

    monkeypatch.setattr(routes, "release_for", not_yet)
    r = await post(client, people["researcher"], GOOD, lang="ne")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
    assert html.escape(get_translations("ne").gettext(
        "This page is not ready yet. Please try again in a minute."), quote=False) in r.text
    assert 'value="7"' in r.text  # her choices kept


# -- who may -----------------------------------------------------------------------------------


async def test_without_the_csrf_token_nothing_is_exported(client, people):
    data = {"by": ["period"], "k": "10", "format": "csv"}
    missing = await post(client, people["researcher"], data, csrf=False)
    assert missing.status_code == 403 and "zip" not in missing.headers["content-type"]
    wrong = await post(client, people["researcher"], {**data, "csrf_token": "not-the-token"},
                       csrf=False)
    assert wrong.status_code == 403
    other = await post(client, people["researcher"], {**data, "csrf_token": people["admin"].csrf},
                       csrf=False)
    assert other.status_code == 403
    ok = await post(client, people["researcher"], data)
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/zip"


async def test_leaders_organisers_and_strangers_are_refused(client, people):
    data = {"by": ["period"], "k": "10", "format": "csv"}
    for role in ("leader", "organiser"):
        page = await get(client, people[role])
        assert page.status_code == 403, role
        assert "Grievance trends" not in page.text
        export = await post(client, people[role], data)
        assert export.status_code == 403, role
        assert export.headers["content-type"].startswith("text/html")
    anonymous_page = await get(client, None)
    assert anonymous_page.status_code == 303 and anonymous_page.headers["location"] == "/login"
    anonymous_export = await post(client, None, data)
    assert anonymous_export.status_code == 303
    assert anonymous_export.headers["location"] == "/login"


async def test_a_researcher_reaches_nothing_else(client, people, research_world):
    researcher = people["researcher"]
    for path in ("/c", f"/c/{research_world.collective}", f"/c/{research_world.collective}/workers"):
        r = await get(client, researcher, path)
        assert r.status_code == 403, path
    client.cookies.clear()
    api = await client.get("/api/v1/views/grievances",
                           headers=researcher.headers(csrf_header=True))
    assert api.status_code == 403


# -- releases: snapping, the budget, repeats and the API ----------------------------------------


async def test_the_page_shows_her_budget_in_her_language(client, people):
    page = (await get(client, people["researcher"], lang="ar")).text
    t = get_translations("ar")
    assert html.escape(t.gettext("Your privacy budget"), quote=False) in page
    said = t.gettext("Left: %(left)s of %(total)s (epsilon). Spent: %(spent)s.") % {
        "left": localise_digits("3", "ar"), "total": localise_digits("3", "ar"),
        "spent": localise_digits("0", "ar")}
    assert html.escape(said, quote=False) in page and "Left:" not in page


@pytest.mark.parametrize("lang", ["ne", "ar"])
async def test_a_snapped_request_says_why_in_her_language_then_downloads(client, people, lang):
    asked = {**GOOD, "by": ["sector"], "since": "2025-02-10", "until": "2025-08-20",
             "format": "csv"}
    r = await post(client, people["researcher"], asked, lang=lang)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    t = get_translations(lang)
    page = html.unescape(r.text)
    assert t.gettext("Your request was adjusted to whole, closed periods. Check it and download "
                     "again.") in page
    since = t.gettext(forms.NOTE_WORDS["since"]) % {
        "asked": localise_digits("2025-02-10", lang), "released": localise_digits("2025-01-01", lang)}
    until = t.gettext(forms.NOTE_WORDS["until"]) % {
        "asked": localise_digits("2025-08-20", lang), "released": localise_digits("2025-09-30", lang)}
    added = t.gettext(forms.NOTE_WORDS["period_added"])
    for words in (since, until, added):
        assert words in page, words
    assert "moved" not in page  # nothing left in English
    # The form now holds the adjusted request: sent again, it downloads.
    assert 'value="2025-01-01"' in r.text and 'value="2025-09-30"' in r.text
    assert 'name="by" value="period" checked' in r.text
    again = await post(client, people["researcher"], {**asked, "by": ["period", "sector"],
                                                      "since": "2025-01-01",
                                                      "until": "2025-09-30"}, lang=lang)
    assert again.status_code == 200 and again.headers["content-type"] == "application/zip"
    manifest = json.loads(unzip(again.content)["manifest.json"])
    assert (manifest["parameters"]["since"], manifest["parameters"]["until"]) == (
        "2025-01-01", "2025-09-30")


async def test_a_period_still_running_is_refused_in_her_language(client, people):
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    r = await post(client, people["researcher"], {**GOOD, "since": today.isoformat(),
                                                  "until": today.isoformat()}, lang="bn")
    assert r.status_code == 400
    t = get_translations("bn")
    assert html.escape(t.gettext(forms.MESSAGES[("until", "not_closed")]), quote=False) in r.text


async def test_over_budget_is_refused_in_her_language(client, people, app, role_ids):
    researcher = people["researcher"]
    app.execute(c.SetPrivacyBudget(command_id=uuid.uuid4(), account_id=role_ids["researcher"],
                                   total_milli=900))
    try:
        ok = await post(client, researcher, {**GOOD, "by": ["period", "stage"], "epsilon": "0.6",
                                             "format": "csv"})
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/zip"
        r = await post(client, researcher, {**GOOD, "by": ["period", "place"], "epsilon": "0.6",
                                            "format": "csv"}, lang="bn")
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
        t = get_translations("bn")
        said = t.gettext(forms.MESSAGES[("epsilon", "over_budget")]) % {
            "need": localise_digits("0.6", "bn"), "left": localise_digits("0.3", "bn")}
        assert html.escape(said, quote=False) in r.text
        assert "Refused" not in r.text
        # What she already has still comes, and costs nothing.
        again = await post(client, researcher, {**GOOD, "by": ["period", "stage"],
                                                "epsilon": "0.6", "format": "csv"})
        assert again.content == ok.content
        budget = await client.get("/api/v1/research/budget", headers=researcher.headers())
        assert budget.json() == {"total": 0.9, "spent": 0.6, "left": pytest.approx(0.3)}
    finally:
        app.execute(c.SetPrivacyBudget(command_id=uuid.uuid4(), account_id=role_ids["researcher"],
                                       total_milli=3000))


async def test_the_api_hands_back_the_same_release_as_the_form(client, people):
    researcher = people["researcher"]
    form = await post(client, researcher, {**GOOD, "by": ["period", "sector"], "format": "csv"})
    assert form.status_code == 200
    client.cookies.clear()
    body = {"by": ["period", "sector"], "k": 7, "period": "quarter", "format": "csv"}
    api = await client.post("/api/v1/research/releases", json=body,
                            headers=researcher.headers(csrf_header=True))
    assert api.status_code == 200 and api.headers["content-type"] == "application/zip"
    assert api.content == form.content
    assert api.headers["x-organize-snapped"] == "none"
    client.cookies.clear()
    high = await client.post("/api/v1/research/releases", json={**body, "epsilon": 1.5},
                             headers=researcher.headers(csrf_header=True))
    assert high.status_code == 422 and high.json()["error"] == "above_cap"
    client.cookies.clear()
    snapped = await client.post("/api/v1/research/releases",
                                json={**body, "since": "2025-02-02", "until": "2025-02-03"},
                                headers=researcher.headers(csrf_header=True))
    assert snapped.status_code == 200 and snapped.headers["x-organize-snapped"] == "until,since"
    for role in ("leader", "organiser"):
        client.cookies.clear()
        refused = await client.post("/api/v1/research/releases", json=body,
                                    headers=people[role].headers(csrf_header=True))
        assert refused.status_code == 403, role
        client.cookies.clear()
        assert (await client.get("/api/v1/research/budget",
                                 headers=people[role].headers())).status_code == 403


async def test_a_researcher_cannot_spend_another_researchers_budget(app, role_ids):
    from organize.accounts import Principal
    from organize.errors import Forbidden
    from web.research.routes import execute_as

    me = Principal(account_id=role_ids["researcher"], username="r", role="researcher",
                   collective_ids=frozenset(), federation=None, via="session")
    run = execute_as(app, me)
    with pytest.raises(Forbidden):
        run(c.SpendPrivacyBudget(command_id=uuid.uuid4(), account_id=role_ids["admin"],
                                 measurement="ab" * 16, epsilon_milli=100))
    with pytest.raises(Forbidden):
        run(c.SetPrivacyBudget(command_id=uuid.uuid4(), account_id=role_ids["researcher"],
                               total_milli=20000))
