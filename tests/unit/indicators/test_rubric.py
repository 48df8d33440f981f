"""The rubric: the default loads, a federation's file overrides it entry by entry, and an
invalid rubric is refused with a message naming the file and the entry. No database."""

from __future__ import annotations

import copy
import tomllib
from datetime import date, timedelta
from importlib import resources
from uuid import uuid4

import pytest

from organize.domain.values import DIMENSIONS
from organize.projections.indicators.facts import Facts, MeetingFact
from organize.projections.indicators.measures import MEASURES
from organize.projections.indicators.rubric import (
    RubricError,
    build_rubric,
    load_rubric,
    parse_rubric,
)
from organize.projections.indicators.scoring import Scorer
from web.i18n.reasons import reason_text


def write(tmp_path, text: str):
    path = tmp_path / "federation-rubric.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text: str) -> RubricError:
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert str(path) in caught.value.message  # the message names the file...
    assert caught.value.source.startswith(str(path))
    return caught.value


def default_document() -> dict:
    text = resources.files("organize.projections.indicators").joinpath("rubric.toml").read_text()
    return tomllib.loads(text)


# -- the default ------------------------------------------------------------------------------


def test_the_default_rubric_loads_complete():
    rubric = load_rubric()
    assert rubric.name == "default"
    assert rubric.window_weeks == 12
    assert rubric.sparkline_weeks == 12
    assert tuple(rubric.dimensions) == DIMENSIONS
    for name, dim in rubric.dimensions.items():
        assert [lv.level for lv in dim.levels] == [0, 1, 2, 3, 4]
        assert all(lv.descriptor for lv in dim.levels)
        assert dim.levels[0].thresholds == {}
        assert all(set(lv.thresholds) <= set(MEASURES[name]) for lv in dim.levels)
    assert rubric.dimensions["safety_climate"].risk
    assert "risk" in rubric.descriptor("safety_climate", 4).lower()
    assert not rubric.dimensions["leadership"].risk


def test_the_digest_names_the_content_not_the_file(tmp_path):
    assert load_rubric().digest == load_rubric().digest
    same = load_rubric(write(tmp_path, "window_weeks = 12\n"))
    assert same.digest == load_rubric().digest
    assert len(same.sources) == 2


def test_the_rubric_as_data_has_windows_thresholds_and_descriptors():
    data = load_rubric().to_dict()
    assert data["window_weeks"] == 12 and data["digest"] == load_rubric().digest
    level3 = data["dimensions"]["leadership"]["levels"][3]
    assert level3["label"] == "established"
    assert level3["thresholds"] == {"distinct_facilitators": 3, "rotation_share": 0.4}
    assert level3["measures"]["rotation_share"].startswith("share of recent meetings")
    assert data["dimensions"]["safety_climate"]["levels"][4]["label"] == "severe risk"


# -- a federation's override ------------------------------------------------------------------------


def test_a_federation_override_changes_one_threshold_and_keeps_the_rest(tmp_path):
    path = write(tmp_path, """
name = "Mekong network"
[dimensions.leadership.levels.3]
distinct_facilitators = 4
""")
    rubric = load_rubric(path)
    default = load_rubric()
    level3 = rubric.dimensions["leadership"].levels[3]
    assert level3.thresholds == {"distinct_facilitators": 4, "rotation_share": 0.4}
    assert level3.descriptor == default.dimensions["leadership"].levels[3].descriptor
    assert rubric.dimensions["alliances"] == default.dimensions["alliances"]
    assert rubric.name == "Mekong network"
    assert rubric.digest != default.digest
    assert rubric.sources[-1] == str(path)

    # Three members taking turns are "established" by default, "growing" for this federation.
    who = [uuid4() for _ in range(3)]
    meetings = [MeetingFact(100 + i, date(2025, 3, 1) - timedelta(days=7 * i),
                            attendees=(who[f],), facilitators=(who[f],))
                for i, f in enumerate((0, 0, 0, 1, 2))]
    facts = Facts(meetings=meetings)
    week = date(2025, 2, 24)
    assert Scorer(facts, default).score(week)["leadership"].level == 3
    assert Scorer(facts, rubric).score(week)["leadership"].level == 2


def test_an_override_can_change_the_window_and_descriptors(tmp_path):
    rubric = load_rubric(write(tmp_path, """
window_weeks = 8
[dimensions.alliances.levels.1]
descriptor = "Emerging: a first ally."
"""))
    assert rubric.window_weeks == 8
    assert rubric.descriptor("alliances", 1) == "Emerging: a first ally."
    scores = Scorer(Facts(), rubric).score(date(2025, 3, 3))
    leadership = scores["leadership"].reasons
    assert [(r.code, dict(r.params)) for r in leadership] == [("no_meeting", {"weeks": 8})]
    assert reason_text(leadership[0].code, leadership[0].params) == "No meeting was held in the last 8 weeks."


def test_an_override_level_can_replace_its_thresholds():
    rubric = parse_rubric("""
[dimensions.negotiating_power.levels.2]
replace = true
wins = 1
""")
    level2 = rubric.dimensions["negotiating_power"].levels[2]
    assert level2.thresholds == {"wins": 1}
    assert level2.descriptor == load_rubric().descriptor("negotiating_power", 2)


def test_an_override_can_change_parameters():
    rubric = parse_rubric("""
[dimensions.alliances.params]
kinds = ["union", "ngo", "shelter", "womens_rights_group", "court"]
""")
    assert "court" in rubric.dimensions["alliances"].params["kinds"]


# -- refused ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "entry", "words"), [
    ("[dimensions.happiness.levels.1]\nsmiles = 1\n", "dimensions.happiness", "is not a dimension"),
    ("[dimensions.leadership.levels.2]\nmembers = 40\n", "dimensions.leadership.levels.2.members",
     "is not a measure of leadership"),
    ("[dimensions.leadership.levels.5]\ndescriptor = \"Beyond strong\"\n", "dimensions.leadership.levels.5",
     "levels run from 0"),
    ("[dimensions.leadership.levels.-1]\ndescriptor = \"Below\"\n", "dimensions.leadership.levels.-1",
     "levels run from 0"),
    ("[dimensions.leadership.levels.top]\ndescriptor = \"Top\"\n", "dimensions.leadership.levels.top",
     "levels run from 0"),
    ("[dimensions.leadership.levels.0]\ndistinct_facilitators = 1\n",
     "dimensions.leadership.levels.0.distinct_facilitators", "level 0 (not yet) is the floor"),
    ("[dimensions.leadership.levels.3]\nrotation_share = 0.1\n",
     "dimensions.leadership.levels.3.rotation_share", "must not go down"),
    ("[dimensions.alliances.levels.2]\nactive_alliances = 1\n", "dimensions.alliances.levels.2",
     "asks nothing more than level 1"),
    ("[dimensions.leadership.levels.2]\ndescriptor = \"\"\n",
     "dimensions.leadership.levels.2.descriptor", "must be a text"),
    ("[dimensions.leadership.levels.2]\nrotation_share = 1.5\n",
     "dimensions.leadership.levels.2.rotation_share", "shares take a number from 0 to 1"),
    ("[dimensions.leadership.levels.2]\ndistinct_facilitators = 2.5\n",
     "dimensions.leadership.levels.2.distinct_facilitators", "whole number"),
    ("[dimensions.leadership.levels.2]\ndistinct_facilitators = -1\n",
     "dimensions.leadership.levels.2.distinct_facilitators", "whole number"),
    ("[dimensions.leadership.levels.2]\ndistinct_facilitators = \"two\"\n",
     "dimensions.leadership.levels.2.distinct_facilitators", "must be a number"),
    ("window_weeks = 0\n", "window_weeks", "from 1 to 52"),
    ("window_weeks = 53\n", "window_weeks", "from 1 to 52"),
    ("window_weeks = \"12\"\n", "window_weeks", "from 1 to 52"),
    ("window_weeks = true\n", "window_weeks", "from 1 to 52"),
    ("sparkline_weeks = 0\n", "sparkline_weeks", "from 1 to 52"),
    ("targets = 100\n", "targets", "is not a rubric setting"),
    ("[dimensions.leadership]\nweight = 2\n", "dimensions.leadership.weight", "is not a dimension setting"),
    ("[dimensions.leadership.params]\nrecent_meetings = 0\n",
     "dimensions.leadership.params.recent_meetings", "whole number from 1"),
    ("[dimensions.alliances.params]\nkinds = \"union\"\n", "dimensions.alliances.params.kinds",
     "list of codes"),
    ("[dimensions.alliances.params]\nfriends = [\"union\"]\n", "dimensions.alliances.params.friends",
     "is not a parameter of alliances"),
    ("window_weeks = [\n", "file", "is not valid TOML"),
])
def test_an_invalid_rubric_is_refused_naming_file_and_entry(tmp_path, text, entry, words):
    error = refused(tmp_path, text)
    assert error.entry == entry
    assert entry in error.message  # ...and the entry
    assert words in error.message


def test_a_missing_descriptor_is_refused():
    doc = default_document()
    broken = copy.deepcopy(doc)
    del broken["dimensions"]["leadership"]["levels"]["3"]["descriptor"]
    with pytest.raises(RubricError) as caught:
        build_rubric([("our-rubric.toml", broken)])
    assert caught.value.message == ("Rubric our-rubric.toml: dimensions.leadership.levels.3.descriptor: "
                                    "is missing; say in a sentence what this level means.")


def test_a_rubric_missing_a_dimension_or_a_level_is_refused():
    doc = default_document()
    no_dimension = copy.deepcopy(doc)
    del no_dimension["dimensions"]["alliances"]
    with pytest.raises(RubricError, match=r"dimensions\.alliances: is missing"):
        build_rubric([("standalone.toml", no_dimension)])
    no_level = copy.deepcopy(doc)
    del no_level["dimensions"]["alliances"]["levels"]["4"]
    with pytest.raises(RubricError, match=r"dimensions\.alliances\.levels\.4: is missing"):
        build_rubric([("standalone.toml", no_level)])


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert caught.value.message.startswith(f"Rubric {path}: file: cannot be read")
