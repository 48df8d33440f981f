"""Render the skeleton's pages in every language, without a server or a database: for the
tests, the browser check and a quick look (``python -m web.i18n.preview ar > /tmp/ar.html``).
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from web.i18n.locales import LOCALES
from web.i18n.messages import error_message, field_message
from web.i18n.templating import default_environment

SAMPLE_DATE = date(2025, 3, 7)
SAMPLE_NUMBER = 1234567
SAMPLE_MONEY = (Decimal("1500"), "QAR")

# A page made of the skeleton's parts: labels from the taxonomy and the rubric, a date, a
# number, an amount, and a form field with an error. It holds no words of its own.
_SAMPLE = """{% extends "base.html" %}
{% import "_macros.html" as m with context %}
{% block content %}
<h1>{{ label("sectors", "domestic_care") }}</h1>
<p class="meta"><time datetime="{{ day.isoformat() }}">{{ day|date("long") }}</time>
 · <span class="number">{{ number|number }}</span>
 · <span class="money">{{ money[0]|money(money[1]) }}</span></p>
<ul class="list">
{% for code, text in choices("category_groups") %}
<li><a href="#">{{ m.icon(group_icon(code)) }}<span>{{ text }}</span></a></li>
{% endfor %}
</ul>
<p>{{ dimension_label("collective_voice") }}: {{ level_label("collective_voice", 2) }},
 {{ trend_label("growing") }}</p>
{{ m.field("note", label("stages", "destination"), value="typed text",
           error=field_message("too_long", max=200)) }}
{% endblock %}
"""


def render_page(template_name: str, lang: str, **context) -> str:
    return default_environment().get_template(template_name).render(lang=lang, **context)


def render_sample(lang: str) -> str:
    template = default_environment().from_string(_SAMPLE)
    return template.render(lang=lang, day=SAMPLE_DATE, number=SAMPLE_NUMBER, money=SAMPLE_MONEY,
                           nav_active="home", current_path_override="/")


def preview(lang: str) -> dict[str, str]:
    """``{"base.html": html, "login.html": html, ...}`` for ``lang``."""
    return {
        "base.html": render_page("base.html", lang, current_path_override="/"),
        "login.html": render_page(
            "login.html", lang, values={"username": "sita"},
            errors={"password": field_message("required", lang)},
            form_error=error_message("login_failed", lang), current_path_override="/login"),
        "error.html": render_page("error.html", lang, status_code=404, code="not_found"),
        "weather.html": render_page("weather.html", lang),
        "sample.html": render_sample(lang),
    }


def preview_all() -> dict[str, dict[str, str]]:
    return {lang: preview(lang) for lang in LOCALES}


if __name__ == "__main__":  # pragma: no cover - a manual aid
    lang = sys.argv[1] if len(sys.argv) > 1 else "en"
    page = sys.argv[2] if len(sys.argv) > 2 else "sample.html"
    sys.stdout.write(preview(lang)[page])
