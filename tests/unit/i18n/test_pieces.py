"""The pieces of a leaders' page drawn in Python (web/i18n/templating.py: the form field, the
opening of a form, the select of organisations, the grievance row): whatever she typed or
named is escaped, and their words are in the reader's language."""

from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

from web.i18n.templating import default_environment
from web.pages.forms import Form

UI = '{% import "pages/_ui.html" as ui with context %}'
TYPED = '"><script>x</script>'


def draw(source: str, lang: str = "en", **context) -> str:
    return default_environment().from_string(UI + source).render(lang=lang, **context)


def test_a_field_escapes_what_she_typed_and_what_it_is_told():
    form = Form.blank(name=TYPED).keyed('k"')
    form.errors["name"] = TYPED
    for kind in ("text", "textarea", "select", "radio"):
        html = draw('{{ ui.f(form, "name", label, kind, hint=label, choices=[(typed, typed)],'
                    ' attrs={"data-x": typed}) }}', form=form, label=TYPED, kind=kind, typed=TYPED)
        assert "<script>" not in html and "&lt;script&gt;" in html, kind
        assert 'f-k&#34;-name-error' in html, kind


def test_a_field_says_optional_and_choose_in_her_language():
    html = draw('{{ ui.f(form, "kind", "x", "select", choices=[("a", "A")]) }}', "ar",
                form=Form.blank())
    assert "(اختياري)" in html and "يُرجى الاختيار…" in html and "(optional)" not in html


def test_a_form_opening_escapes_its_action_and_keeps_her_token():
    html = draw('{{ ui.open(form, action, version=3, htmx=True, class="row") }}',
                form=Form.blank(), action=TYPED, csrf_token="tok")
    assert "<script>" not in html and 'name="expected_version" value="3"' in html
    assert 'name="csrf_token" value="tok"' in html and 'class="row"' in html


def test_organisations_are_escaped_grouped_and_chosen():
    chosen, other = uuid.uuid4(), uuid.uuid4()
    organisations = [SimpleNamespace(id=other, name=TYPED, kind="recruiter"),
                     SimpleNamespace(id=chosen, name="Household 1", kind="employer")]
    html = draw('{{ ui.orgs(form, "organisation_id", "To whom", organisations) }}',
                form=Form.blank(organisation_id=str(chosen)), organisations=organisations)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index("Household 1") < html.index("&lt;script&gt;")  # by kind
    assert f'<option value="{chosen}" selected>' in html and f'<option value="{other}">' in html


class Counted(list):
    """A list that counts how often it is read through."""

    reads = 0

    def __iter__(self):
        self.reads += 1
        return super().__iter__()


def test_organisations_drawn_twice_on_a_page_are_sorted_once_and_drawn_alike():
    chosen = uuid.uuid4()
    organisations = Counted(SimpleNamespace(id=uuid.uuid4(), name=f"{kind} {n}", kind=kind)
                            for n, kind in enumerate(["union", "Employer", "recruiter", "employer"]))
    organisations.append(SimpleNamespace(id=chosen, name=TYPED, kind="union"))
    one = '{{ ui.orgs(a, "employer_id", "Employer", organisations) }}'
    other = '{{ ui.orgs(b, "organisation_id", "To whom", organisations, required=True) }}'
    a, b = Form.blank(), Form.blank(organisation_id=str(chosen))
    for lang in ("en", "ar"):
        organisations.reads = 0
        both = draw(f"{one}|{other}", lang, a=a, b=b, organisations=organisations)
        assert organisations.reads == 1, lang
        alone = (draw(one, lang, a=a, b=b, organisations=list(organisations)),
                 draw(other, lang, a=a, b=b, organisations=list(organisations)))
        assert both == "|".join(alone), lang
        assert both.count(" selected>") == 1 and both.count("&lt;script&gt;") == 2


def test_a_grievance_row_escapes_and_speaks_her_language():
    g = SimpleNamespace(id=uuid.uuid4(), category="wages_unpaid_late", category_group="wages",
                        occurred_on=date(2025, 3, 7), parties=2, status="open")
    html = draw("{{ ui.grievance_item(g, prefix) }}", "ar", g=g, prefix=TYPED)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "عاملتان" in html and '<span class="tag open">مفتوحة</span>' in html



def test_the_templates_gettext_is_jinjas_newstyle_gettext_and_keeps_no_typed_text():
    from jinja2 import Environment

    from web.i18n.templating import CATALOGUE_MARKUP, _gettext

    # The reference: jinja2.ext.i18n's own newstyle gettext over the same catalogues.
    plain = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    plain.install_gettext_callables(gettext=_gettext, ngettext=None, newstyle=True)  # type: ignore[attr-defined]
    source = ('{{ _("Trend") }}|{{ _("Choose…") }}|{{ _(typed) }}|{{ _("Trend", x=typed) }}'
              '|{% trans %}Why{% endtrans %}|{{ _("100%% sure") }}|{{ _(typed) }}')
    for lang in ("en", "ar", "ne"):
        for _ in range(2):  # the second time from what was kept
            ours = default_environment().from_string(source).render(lang=lang, typed=TYPED)
            assert ours == plain.from_string(source).render(lang=lang, typed=TYPED), lang
    assert "100% sure" in ours
    # Words of the catalogue are kept; a text the page passes in never is.
    assert any(message == "Trend" for _, message in CATALOGUE_MARKUP)
    assert not any(TYPED in message for _, message in CATALOGUE_MARKUP)


def test_a_due_row_is_what_the_home_template_drew():
    from web.pages.grievances import DEPARTURE_WORDS, URGENCY_WORDS
    from web.pages.home import due_row, due_rows

    template = (  # home.html's row before it was drawn in Python
        '{% for d in due %}<li{% if d.urgency == "overdue" %} class="risk"{% endif %}><a href="'
        '{{ nav_prefix }}/grievances/{{ d.grievance_id }}#h-deadlines"><span class="grow"><strong>'
        '{{ _(urgency_words[d.urgency]) }}</strong> · <time datetime="{{ d.due_on.isoformat() }}">'
        '{{ d.due_on|date }}</time><br>\n<span class="meta">{% if d.step == "departure" %}'
        '{{ _(departure_words) }}{% else %}<span dir="auto">{{ d.step_name or d.step }}</span>'
        '{% endif %}{% if due_names.get(d.grievance_id) %} · {{ label("categories", '
        'due_names[d.grievance_id]) }}{% endif %}</span></span></a></li>\n{% endfor %}')
    drawn = "{% for d in due %}{{ due_row(d, nav_prefix, due_names) }}\n{% endfor %}"
    ids = [uuid.uuid4() for _ in range(4)]
    due = [SimpleNamespace(grievance_id=ids[0], urgency="overdue", due_on=date(2025, 3, 7),
                           step="departure", step_name=None),
           SimpleNamespace(grievance_id=ids[1], urgency="due_soon", due_on=date(2025, 12, 31),
                           step="s1", step_name=TYPED),
           SimpleNamespace(grievance_id=ids[2], urgency="due_soon", due_on=date(2026, 1, 2),
                           step="s2", step_name=None),
           SimpleNamespace(grievance_id=ids[3], urgency="overdue", due_on=date(2024, 2, 29),
                           step="s3", step_name="")]
    context = dict(due=due, nav_prefix=TYPED, due_names={ids[0]: "wages_unpaid_late",
                   ids[1]: "no_such_category"}, urgency_words=URGENCY_WORDS,
                   departure_words=DEPARTURE_WORDS, due_row=due_row)
    for lang in ("en", "ar", "ne"):
        ours = draw(drawn, lang, **context)
        assert ours == draw(template, lang, **context), lang
    assert "<script>" not in ours and ours.count("&lt;script&gt;") == 5
    # The whole list in one call, its rows sharing their words: rows of other grievances
    # with the same words, and rows of the same grievance with other words.
    again = [SimpleNamespace(**{**vars(d), "grievance_id": uuid.uuid4()}) for d in due]
    flip = {"overdue": "due_soon", "due_soon": "overdue"}
    other = [SimpleNamespace(**{**vars(d), "urgency": flip[d.urgency]}) for d in due]
    names = {**context["due_names"], again[0].grievance_id: "wages_unpaid_late"}
    context.update(due=due + again + other, due_names=names, due_rows=due_rows)
    for lang in ("en", "ar", "ne"):
        ours = draw("{{ due_rows(due, nav_prefix, due_names) }}", lang, **context)
        assert ours == draw(template, lang, **context), lang
