"""The parts of the pages that need no database: forms decoded from what was typed, and the
pictures drawn on the server."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources

import pytest

from organize import commands as c
from web.pages.forms import Form, decode, latin_digits
from web.pages.svg import Bar, GridCell, heat_grid, lanes, sparkline, timeline

TEMPLATES = resources.files("web").joinpath("templates", "pages")
ORGANISING = resources.files("web").joinpath("templates", "organising")


def form(**values) -> Form:
    f = Form()
    for k, v in values.items():
        f.set(k, v)
    return f


def test_a_form_becomes_its_command():
    gid = uuid.uuid4()
    f = form(command_id=uuid.uuid4(), expected_version="3", outcome="wages_recovered",
             amount="१,५००.५०", currency="qar", on="2025-03-07")
    command = decode(c.RecordOutcome, f, "en", fixed={"grievance_id": gid})
    assert f.errors == {} and isinstance(command, c.RecordOutcome)
    assert command.grievance_id == gid and command.expected_version == 3
    assert command.amount == Decimal("1500.50") and command.currency == "QAR"
    assert command.on == date(2025, 3, 7)


def test_fixed_values_are_never_read_from_the_form():
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    f = form(command_id=uuid.uuid4(), grievance_id=theirs, target="court", on="2025-03-07")
    command = decode(c.EscalateGrievance, f, "en", fixed={"grievance_id": mine})
    assert command.grievance_id == mine


def test_each_field_gets_its_message_in_her_language_and_keeps_what_she_typed():
    f = form(command_id=uuid.uuid4(), outcome="", amount="lots", currency="QAR", on="7 March")
    assert decode(c.RecordOutcome, f, "ne", fixed={"grievance_id": uuid.uuid4()}) is None
    assert f.errors == {"outcome": "कृपया यो भर्नुहोस्।", "amount": "कृपया सङ्ख्या दिनुहोस्।",
                        "on": "कृपया मिति दिनुहोस्।"}
    assert f.get("amount") == "lots" and f.get("on") == "7 March"


def test_lists_lengths_and_lines():
    f = form(command_id=uuid.uuid4(), campaign_id=uuid.uuid4(), with_organisation_id=uuid.uuid4(),
             signed_on="2025-01-02", clauses="A rest day\n\n  Overtime paid  \n")
    command = decode(c.SignAgreement, f, "en", lines=("clauses",))
    assert command.clauses == ("A rest day", "Overtime paid")
    f = form(command_id=uuid.uuid4(), campaign_id=uuid.uuid4(), text="x" * 301)
    assert decode(c.AddDemand, f, "bn") is None
    assert f.errors["text"] == "এটি খুব লম্বা। দয়া করে ৩০০ অক্ষরের বেশি লিখবেন না।"
    f = form(command_id=uuid.uuid4(), grievance_id=uuid.uuid4(), worker_ids=["not-an-id"])
    assert decode(c.JoinGrievance, f, "en") is None and "worker_ids" in f.errors


def test_nested_fields_and_times():
    f = form(command_id=uuid.uuid4(), **{"profile.pseudonym": "Rina", "profile.phone": "+977 98"})
    command = decode(c.RegisterWorker, f, "en")
    assert command.profile == c.Profile(pseudonym="Rina", phone="+977 98")
    f = form(**{"profile.pseudonym": "", "profile.phone": "call me"}, command_id=uuid.uuid4())
    assert decode(c.RegisterWorker, f, "en") is None
    assert set(f.errors) == {"profile.pseudonym", "profile.phone"}
    f = form(command_id=uuid.uuid4(), kind="assembly", collective_ids=[uuid.uuid4()],
             scheduled_for="2025-03-07T18:30", language="ne")
    command = decode(c.ScheduleMeeting, f, "en")
    assert command.scheduled_for == datetime(2025, 3, 7, 18, 30, tzinfo=UTC)


def test_only_checks_one_step():
    f = form(category="", description="")
    assert decode(c.RaiseGrievance, f, "en", only={"category"}) is None
    assert set(f.errors) == {"category"}


def test_native_digits_are_read():
    assert latin_digits("२०२५-०३-०७ ১২ ٣٤") == "2025-03-07 12 34"


def test_sparkline_is_an_inline_svg_with_a_label():
    svg = str(sparkline([0, 1, 2, 2, 3, 4], label="growing <b>"))
    assert svg.startswith('<svg class="spark"') and 'aria-label="growing &lt;b&gt;"' in svg
    assert "<polyline" in svg and "style" not in svg and "script" not in svg


def test_overlapping_spells_sit_in_lanes_side_by_side():
    today = date(2025, 6, 1)
    bars = [Bar("a", "Domestic", "a", date(2023, 1, 1), None, True),
            Bar("b", "Garment", "b", date(2023, 6, 1), date(2024, 1, 1), True),
            Bar("c", "Care", "c", date(2024, 1, 1), date(2024, 6, 1), False),  # starts as b ends
            Bar("d", "Vending", "d", date(2024, 3, 1), date(2024, 4, 1), True)]
    rows = lanes(bars, today)
    assert [[b.key for b in row] for row in rows] == [["a"], ["b", "c"], ["d"]]
    svg = str(timeline(bars, today=today, label="Her work <over> time"))
    assert 'aria-label="Her work &lt;over&gt; time"' in svg
    assert svg.count('<g class="bar') == 4 and '<g class="bar unpaid">' in svg
    tops = re.findall(r'<rect x="[^"]*" y="(\d+)" width="[^"]*" height="\d+" rx="4"/>', svg)
    assert len(set(tops)) == 3 and "style" not in svg


def test_the_timeline_mirrors_for_right_to_left():
    bars = [Bar("a", "A", "a", date(2024, 1, 1), date(2024, 2, 1), True),
            Bar("b", "B", "b", date(2024, 11, 1), date(2025, 1, 1), True)]
    ltr = str(timeline(bars, today=date(2025, 1, 1), label="x"))
    rtl = str(timeline(bars, today=date(2025, 1, 1), label="x", rtl=True))
    first = re.compile(r'<title>a</title><clipPath[^>]*><rect x="([\d.]+)"')
    assert float(first.search(ltr).group(1)) < 20  # the earliest work on the left...
    assert float(first.search(rtl).group(1)) > 280  # ...and on the right in Arabic


def test_the_heat_grid_draws_each_move_with_small_counts_marked_not_shown():
    sectors = ["Domestic and care work", "Hospitality, entertainment and tourism", "A <b>"]
    cells = {(0, 1): GridCell(text="12", shade=5, title="From domestic to hospitality: 12"),
             (1, 0): GridCell(text="<10", shade=0, title="fewer than 10", suppressed=True)}
    svg = str(heat_grid(sectors, cells, label="Moves & more"))
    assert svg.startswith('<svg class="heat"') and 'role="img" aria-label="Moves &amp; more"' in svg
    assert svg.count('class="diag"') == 3  # a sector to itself does not apply
    assert '<g class="h5"><title>From domestic to hospitality: 12</title>' in svg
    assert '<g class="sup"><title>fewer than 10</title>' in svg and "&lt;10" in svg
    assert "A &lt;b&gt;" in svg and "<b>" not in svg  # every text escaped
    assert "Hospitality, entertainm…" in svg  # long names cut; the table gives them whole
    assert "style" not in svg and "<script" not in svg


def test_the_heat_grid_mirrors_for_right_to_left():
    cells = {(0, 1): GridCell(text="12", shade=5, title="x")}
    first = re.compile(r'<g class="h5"><title>x</title><rect x="([\d.]+)"')
    ltr = str(heat_grid(["Garment", "Fishing"], cells, label="x"))
    rtl = str(heat_grid(["Garment", "Fishing"], cells, label="x", rtl=True))
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', ltr).group(1))
    assert float(first.search(ltr).group(1)) > width / 2  # the second column right of the first
    assert float(first.search(rtl).group(1)) < width / 2  # ...and left of it in Arabic


@pytest.mark.parametrize("template", sorted(
    [p.name for p in TEMPLATES.iterdir() if p.name.endswith(".html")]
    + [f"../organising/{p.name}" for p in ORGANISING.iterdir() if p.name.endswith(".html")]))
def test_templates_keep_to_the_csp(template):
    text = TEMPLATES.joinpath(template).read_text(encoding="utf-8")
    assert not re.search(r"<script|\sstyle\s*=|<style\b|\son[a-z]+\s*=|javascript:", text, re.I)
