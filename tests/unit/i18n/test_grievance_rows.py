"""A list of grievances is drawn in one call (``grievance_items``), its rows sharing the
words they have in common: each row is the one ``grievance_item`` draws alone, byte for byte."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from web.i18n.locales import LOCALES
from web.i18n.templating import default_environment

CATEGORIES = (("wage_theft", "wages"), ("overwork", "hours"), ("unknown_code", "other"))


def _grievances(n: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=uuid.uuid4(), category=CATEGORIES[i % 3][0],
                            category_group=CATEGORIES[i % 3][1], parties=i % 4 + 1,
                            occurred_on=date(2025, 1, 1) + timedelta(days=i // 2),
                            status=("open", "resolved", "withdrawn", "other")[(i // 5) % 4])
            for i in range(n)]


@pytest.mark.parametrize("lang", LOCALES)
def test_a_list_in_one_call_draws_each_row_as_it_is_drawn_alone(lang):
    env = default_environment()
    alone = env.from_string("{% for g in gs %}{{ grievance_row(g, prefix) }}{% endfor %}")
    together = env.from_string("{{ grievance_rows(gs, prefix) }}")
    gs = _grievances(50)
    prefix = '/c/"<x>'  # escaped the same way in both
    drawn = together.render(gs=gs, prefix=prefix, lang=lang)
    assert drawn == alone.render(gs=gs, prefix=prefix, lang=lang)
    assert drawn.count("<li>") == 50 and "&#34;&lt;x&gt;" in drawn
    assert together.render(gs=[], prefix=prefix, lang=lang) == ""
