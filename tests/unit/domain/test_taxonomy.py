"""The taxonomy: the packaged default loads and says what DOMAIN.md says; each rule for
taxonomy files rejects a bad file with a message naming the file and the entry; and a
federation's extension can add entries but never redefine one."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organize.domain import DomainError, Taxonomy, TaxonomyError, load_taxonomy
from organize.domain.taxonomy import VOCABULARIES

T = load_taxonomy()


def write(tmp_path: Path, text: str, name: str = "federation.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the default -----------------------------------------------------------------------


def test_default_loads_every_vocabulary_non_empty() -> None:
    assert isinstance(T, Taxonomy)
    for name in VOCABULARIES:
        assert T.codes(name), name
    assert T.sources == ("taxonomy.toml (default)",)


def test_default_codes_match_the_brief() -> None:
    assert T.codes("collective_kinds") == (
        "worker_collective",
        "union_branch",
        "worker_centre",
        "self_help_group",
    )
    assert T.codes("sectors") == (
        "domestic_care",
        "garment",
        "manufacturing",
        "construction",
        "agriculture",
        "fishing",
        "hospitality",
        "street_vending",
        "sex_work",
        "unpaid_care",
    )
    assert T.codes("stages") == (
        "origin",
        "recruitment",
        "transit",
        "destination",
        "exit",
        "return",
    )
    assert T.codes("relationships") == (
        "direct_employer",
        "agency",
        "informal",
        "self_employed",
        "unpaid",
    )
    assert len(T.codes("ilo_indicators")) == 11
    assert T.codes("category_groups") == (
        "pay",
        "working_time",
        "documents_movement",
        "violence",
        "recruitment",
        "conditions",
        "discrimination",
        "status_justice",
    )
    assert T.codes("escalation_targets") == ("employer", "labour_office", "court", "media")
    assert T.codes("campaign_action_kinds") == (
        "petition",
        "delegation",
        "employer_meeting",
        "public_action",
        "strike",
    )
    assert T.codes("meeting_kinds") == (
        "assembly",
        "one_to_one",
        "committee",
        "training",
        "negotiation",
        "cross_sector",
    )
    assert T.codes("demand_results") == ("won", "partly_won", "lost")
    assert "womens_rights_group" in T.codes("organisation_kinds")
    # A household counts as an employer, and is a person: a kind of its own (organize.application.policy).
    assert "household" in T.codes("organisation_kinds")


def test_no_enforcement_kind_of_organisation() -> None:
    # There are no enforcement roles (DOMAIN.md, privacy and safety).
    assert not {"police", "immigration"} & set(T.codes("organisation_kinds"))


def test_only_money_outcomes_need_an_amount() -> None:
    needing = {c for c in T.codes("outcomes") if T.outcome_needs_amount(c)}
    assert needing == {"wages_recovered", "compensation"}
    assert len(T.codes("outcomes")) == 12


def test_every_category_has_a_known_group_and_ilo_mappings_follow_the_brief() -> None:
    groups = set(T.codes("category_groups"))
    indicators = set(T.codes("ilo_indicators"))
    for code in T.codes("categories"):
        assert T.category_group(code) in groups
        ilo = T.category_ilo(code)
        assert ilo is None or ilo in indicators
    assert T.category_ilo("wages_unpaid_late") == "withholding_wages"
    assert T.category_ilo("recruitment_fees_debt") == "debt_bondage"
    assert T.category_ilo("documents_confiscated") == "retention_of_documents"
    assert T.category_ilo("sexual_harassment_violence") == "physical_sexual_violence"
    assert T.category_ilo("verbal_abuse") is None
    assert T.category_group("counter_charge") == "status_justice"
    assert T.categories_in_group("discrimination") == tuple(
        f"discrimination_{w}" for w in ("gender", "caste", "ethnicity", "religion", "nationality", "language")
    )
    # Every ILO indicator is reachable from at least one category.
    assert indicators == {T.category_ilo(c) for c in T.codes("categories")} - {None}


def test_words_that_matter() -> None:
    text = " ".join(e.label + " " + (e.note or "") for n in VOCABULARIES for e in T.entries(n))
    assert not re.search(r"victim|runaway", text, re.IGNORECASE)
    # "absconding" appears only as the name of a legal charge.
    assert [e.code for e in T.entries("categories") if "abscond" in e.label] == ["counter_charge"]


def test_label_and_codes() -> None:
    assert T.label("sectors", "domestic_care") == "Domestic and care work"
    assert T.has("sectors", "garment")
    assert not T.has("sectors", "Garment")
    assert not T.has("sectors", 3)
    with pytest.raises(KeyError):
        T.label("sectors", "nope")
    with pytest.raises(KeyError):
        T.codes("no_such_vocabulary")


def test_require_returns_known_code() -> None:
    assert T.require("stages", "transit", field="stage") == "transit"


def test_require_refuses_unknown_code_naming_field_and_valid_codes() -> None:
    with pytest.raises(DomainError) as info:
        T.require("sectors", "textiles", field="sector")
    err = info.value
    assert err.code == "unknown_code"
    assert err.field == "sector"
    assert "sector" in err.message and "'textiles'" in err.message
    assert "domestic_care" in err.message and "more" in err.message


@given(st.text(max_size=80))
def test_require_accepts_exactly_the_known_codes(code: str) -> None:
    if code in T.codes("outcomes"):
        assert T.require("outcomes", code, field="outcome") == code
    else:
        with pytest.raises(DomainError):
            T.require("outcomes", code, field="outcome")


def test_taxonomy_is_immutable() -> None:
    with pytest.raises(AttributeError):
        T.sources = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        T.vocabularies["sectors"] = ()  # type: ignore[index]


# --- extensions ------------------------------------------------------------------------

EXTENSION = """
[[category_groups]]
code = "care_chain"
label = "Care chain"

[[categories]]
code = "left_children_unpaid_care"
label = "Care of her own children not paid for"
group = "care_chain"

[[categories]]
code = "wage_theft_by_broker"
label = "Wages taken by a broker"
group = "pay"
ilo = "withholding_wages"

[[sectors]]
code = "domestic_cleaning"
label = "Domestic cleaning by the hour"
"""


def test_extension_adds_a_group_categories_and_a_sector(tmp_path: Path) -> None:
    t = load_taxonomy(write(tmp_path, EXTENSION))
    assert t.codes("categories")[-2:] == ("left_children_unpaid_care", "wage_theft_by_broker")
    assert t.category_group("left_children_unpaid_care") == "care_chain"
    assert t.category_ilo("wage_theft_by_broker") == "withholding_wages"
    assert t.codes("sectors")[-1] == "domestic_cleaning"
    assert t.codes("sectors")[:10] == T.codes("sectors")  # the default order is kept
    assert t.sources == ("taxonomy.toml (default)", "federation.toml")
    # Loading an extension leaves the default untouched.
    assert "domestic_cleaning" not in load_taxonomy().codes("sectors")


def test_extensions_merge_in_order_and_a_later_one_may_use_an_earlier_group(
    tmp_path: Path,
) -> None:
    first = write(tmp_path, '[[category_groups]]\ncode = "land"\nlabel = "Land"\n', "a.toml")
    second = write(
        tmp_path,
        '[[categories]]\ncode = "land_grab"\nlabel = "Land grab"\ngroup = "land"\n',
        "b.toml",
    )
    t = load_taxonomy(first, str(second))
    assert t.category_group("land_grab") == "land"


def test_extension_with_outcome_states_needs_amount(tmp_path: Path) -> None:
    t = load_taxonomy(
        write(
            tmp_path,
            '[[outcomes]]\ncode = "back_pay_ordered"\nlabel = "Back pay ordered"\nneeds_amount = true\n',
        )
    )
    assert t.outcome_needs_amount("back_pay_ordered")


BAD_FILES = {
    "unknown top-level key": (
        '[[sector]]\ncode = "x_y"\nlabel = "X"\n',
        "unknown top-level key 'sector'",
    ),
    "not an array of tables": ('sectors = "garment"\n', "array of tables"),
    "missing code": ('[[sectors]]\nlabel = "Tea picking"\n', "missing 'code'"),
    "missing label": ('[[sectors]]\ncode = "tea_picking"\n', "missing 'label'"),
    "empty label": ('[[sectors]]\ncode = "tea_picking"\nlabel = " "\n', "label"),
    "bad code": ('[[sectors]]\ncode = "Tea-Picking"\nlabel = "Tea picking"\n', "'Tea-Picking'"),
    "code too short": ('[[sectors]]\ncode = "t"\nlabel = "Tea"\n', "snake_case"),
    "code not text": ('[[sectors]]\ncode = 7\nlabel = "Seven"\n', "snake_case"),
    "duplicate code": (
        '[[sectors]]\ncode = "tea"\nlabel = "Tea"\n\n[[sectors]]\ncode = "tea"\nlabel = "Tea 2"\n',
        "repeats code 'tea'",
    ),
    "redefines a default code": (
        '[[sectors]]\ncode = "garment"\nlabel = "Clothes"\n',
        "redefines code 'garment'",
    ),
    "unknown group": (
        '[[categories]]\ncode = "tea_debt"\nlabel = "Tea debt"\ngroup = "tea"\n',
        "group 'tea'",
    ),
    "unknown ilo": (
        '[[categories]]\ncode = "tea_debt"\nlabel = "Tea debt"\ngroup = "pay"\nilo = "slavery"\n',
        "ILO indicator 'slavery'",
    ),
    "category without group": (
        '[[categories]]\ncode = "tea_debt"\nlabel = "Tea debt"\n',
        "missing 'group'",
    ),
    "outcome without needs_amount": (
        '[[outcomes]]\ncode = "apology"\nlabel = "Apology"\n',
        "missing 'needs_amount'",
    ),
    "needs_amount not a boolean": (
        '[[outcomes]]\ncode = "apology"\nlabel = "Apology"\nneeds_amount = "no"\n',
        "needs_amount",
    ),
    "unknown field in entry": (
        '[[sectors]]\ncode = "tea"\nlable = "Tea"\nlabel = "Tea"\n',
        "unknown field(s) lable",
    ),
    "empty vocabulary": ("sectors = []\n", "vocabulary 'sectors' is empty"),
    "not toml": ("[[sectors]\ncode = ", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_extension_is_rejected_with_file_and_entry(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write(tmp_path, text, "bad.toml"))
    message = info.value.message
    assert message.startswith("bad.toml: "), message
    assert expected in message, message
    assert isinstance(info.value, DomainError)


def test_missing_extension_file_is_a_taxonomy_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="missing.toml: cannot read"):
        load_taxonomy(tmp_path / "missing.toml")
