"""The Jinja2 environment every page renders with: ``jinja2.ext.i18n`` backed by the Babel
catalogues, and the filters and globals for dates, numbers, labels and the page skeleton.

One environment serves every language. The gettext functions installed in it read the
language from the template context at call time: ``lang`` if the handler passed one, else
the negotiated locale of ``request`` (Litestar puts the request in every template's
context), else English. So a route handler renders a page without thinking about language:

    return Template("grievances/list.html", context={"items": items})

Templates that import macros must import them ``with context`` so that text inside the
macros is translated too: ``{% import "_macros.html" as m with context %}``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from itertools import groupby
from typing import Any
from urllib.parse import quote

from jinja2 import BaseLoader, Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from web.i18n import formatting, labels, messages
from web.i18n.catalogues import get_translations
from web.i18n.locales import (
    DEFAULT_LOCALE,
    LOCALE_NAMES,
    LOCALES,
    locale_from_request,
    safe_next,
    text_direction,
)
from web.i18n.messages import N_

CSRF_FIELD = "csrf_token"  # the form field and header web/auth checks (configurable below)
CSRF_HEADER = "X-CSRF-Token"
STATIC_PREFIX = "/static"


def context_lang(context: Mapping[str, Any]) -> str:
    """The language a template renders in: ``lang`` in its context, else the request's."""
    lang = context.get("lang")
    if isinstance(lang, str) and lang in LOCALES:
        return lang
    request = context.get("request")
    if request is not None and hasattr(request, "headers"):
        return locale_from_request(request)
    return DEFAULT_LOCALE


# -- gettext, reading the language from the context -------------------------------------


@pass_context
def _gettext(context: Context, message: str) -> str:
    return get_translations(context_lang(context)).gettext(message)


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """The templates' ``_()`` and ``{% trans %}``: what ``jinja2.ext.i18n``'s newstyle
    gettext gives (the translation, as markup when autoescaping, always read as a format
    string), in one call instead of three. A message of the catalogue without variables
    is formatted once per process (``CATALOGUE_MARKUP``); anything else every time."""
    translations = get_translations(context_lang(context))
    if not context.eval_ctx.autoescape:
        return translations.gettext(message) % variables
    if not variables:
        kept = CATALOGUE_MARKUP.get((translations, message))
        if kept is not None:
            return kept
        if message in getattr(translations, "_catalog", ()):
            kept = CATALOGUE_MARKUP[translations, message] = (
                Markup(translations.gettext(message)) % {})  # noqa: S704 - the catalogue's
            return kept
    return Markup(translations.gettext(message)) % variables  # noqa: S704 - the catalogue's


# (translations, msgid) -> the message as ``_()`` without variables gives it. Only the
# catalogue's own msgids are kept, so it is no bigger than the catalogues and never holds a
# text a page passes in (a worker's words are translated, as themselves, every time).
CATALOGUE_MARKUP: dict[tuple[Any, str], Markup] = {}


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return get_translations(context_lang(context)).ngettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, ctx: str, message: str) -> str:
    return get_translations(context_lang(context)).pgettext(ctx, message)


@pass_context
def _npgettext(context: Context, ctx: str, singular: str, plural: str, n: int) -> str:
    return get_translations(context_lang(context)).npgettext(ctx, singular, plural, n)


# -- filters ------------------------------------------------------------------------------


@pass_context
def _date(context: Context, value: Any, format: str = "medium") -> str:
    return formatting.format_date(value, context_lang(context), format)


@pass_context
def _datetime(context: Context, value: Any, format: str = "medium", zone: Any = None) -> str:
    """In ``zone``, else the page's collective's time zone (``zone`` in the context) when
    it has one: a meeting at 18:30 in Hong Kong reads 18:30 wherever the reader is."""
    return formatting.format_datetime(value, context_lang(context), format,
                                      tzinfo=zone if zone is not None else context.get("zone"))


@pass_context
def _zone_label(context: Context, zone: Any = None) -> str:
    """The name of a time zone in the reader's language ("Hong Kong Time")."""
    zone = zone if zone is not None else context.get("zone")
    return formatting.zone_name(zone, context_lang(context)) if zone is not None else ""


@pass_context
def _number(context: Context, value: Any) -> str:
    return formatting.format_number(value, context_lang(context))


@pass_context
def _money(context: Context, amount: Any, currency: str) -> str:
    return formatting.format_money(amount, currency, context_lang(context))


@pass_context
def _digits(context: Context, value: Any) -> str:
    return formatting.localise_digits(str(value), context_lang(context))


# -- globals ------------------------------------------------------------------------------


@pass_context
def _current_lang(context: Context) -> str:
    return context_lang(context)


@pass_context
def _text_dir(context: Context) -> str:
    return text_direction(context_lang(context))


@pass_context
def _current_path(context: Context) -> str:
    """This page's path and query (for the language switcher to come back to)."""
    path = context.get("current_path_override")
    if isinstance(path, str):
        return safe_next(path)
    request = context.get("request")
    url = getattr(request, "url", None)
    if url is None:
        return "/"
    query = getattr(url, "query", "")
    return safe_next(url.path + (f"?{query}" if query else ""))


@pass_context
def _lang_url(context: Context, code: str) -> str:
    return f"/lang/{quote(code)}?next={quote(_current_path(context), safe='')}"


@pass_context
def _label(context: Context, vocabulary: str, code: str) -> str:
    return labels.taxonomy_label(vocabulary, code, context_lang(context), taxonomy=context.get("taxonomy"))


@pass_context
def _place(context: Context, place: str) -> str:
    return labels.place_label(place, context_lang(context))


@pass_context
def _note(context: Context, vocabulary: str, code: str) -> str:
    return labels.taxonomy_note(vocabulary, code, context_lang(context), taxonomy=context.get("taxonomy"))


@pass_context
def _choices(context: Context, vocabulary: str) -> list[tuple[str, str]]:
    return labels.taxonomy_choices(vocabulary, context_lang(context), taxonomy=context.get("taxonomy"))


@pass_context
def _dimension_label(context: Context, dimension: str, title: str | None = None) -> str:
    return labels.dimension_label(dimension, context_lang(context), title)


@pass_context
def _level_label(context: Context, dimension: str, level: int) -> str:
    return labels.level_label(dimension, level, context_lang(context))


@pass_context
def _trend_label(context: Context, word: str) -> str:
    return labels.trend_label(word, context_lang(context))


@pass_context
def _error_message(context: Context, code: str | None) -> str:
    return messages.error_message(code, context_lang(context))


@pass_context
def _field_message(context: Context, kind: str, **params: Any) -> str:
    return messages.field_message(kind, context_lang(context), **params)


@pass_context
def _csrf_value(context: Context) -> str:
    """The CSRF token: ``csrf_token`` in the context, a string or (Litestar's template
    callable) a function; empty when there is none."""
    token = context.get("csrf_token")
    if callable(token):
        try:
            token = context.call(token)
        except Exception:  # no request in the context (a preview): no token
            return ""
    return token if isinstance(token, str) else ""


# -- small pieces a page draws many times ---------------------------------------------------
# A list of fifty grievances draws an icon and a status word in every row; as Jinja macros
# each call set up a macro frame and a context lookup, and they were a fifth of the list
# page's time. Here they are one string each. The templates still call them as
# ``m.icon(...)`` and ``ui.status(...)`` (_macros.html and pages/_ui.html name them).

ICONS_URL = f"{STATIC_PREFIX}/icons.svg"


def _icon(name: Any, label: Any = None, **attrs: Any) -> Markup:
    """An icon from the sprite, decorative unless given a label (then read out). ``class``
    (a keyword the templates pass) adds classes."""
    extra = attrs.get("class")
    if not extra and not label and type(name) is str:
        return _plain_icon(name)
    classes = f" {escape(extra)}" if extra else ""
    said = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'
    # Every value in it is escaped (escape() is markupsafe's, in C: str.format is slower).
    return Markup(f'<svg class="icon{classes}" focusable="false" {said}>'  # noqa: S704
                  f'<use href="{ICONS_URL}#{escape(name)}"></use></svg>')


@lru_cache(maxsize=512)
def _plain_icon(name: str) -> Markup:
    """A decorative icon, the same for every page (icon names are the templates' own)."""
    return Markup(f'<svg class="icon" focusable="false" aria-hidden="true">'  # noqa: S704
                  f'<use href="{ICONS_URL}#{escape(name)}"></use></svg>')


# A record's status as a short word (grievances, meetings, campaigns).
STATUS_WORDS = {
    "open": N_("Open"),
    "resolved": N_("Resolved"),
    "withdrawn": N_("Withdrawn"),
    "scheduled": N_("Planned"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
    "active": N_("Live"),
}
OTHER_STATUS = N_("Closed")


@pass_context
def _status(context: Context, code: Any) -> Markup:
    return _status_words(context_lang(context), code)


def _status_words(lang: str, code: Any) -> Markup:
    text = get_translations(lang).gettext(STATUS_WORDS.get(code, OTHER_STATUS))
    return Markup(f'<span class="tag {escape(code)}">{escape(text)}</span>')  # noqa: S704


# The form field every leaders' form is made of (``ui.f`` in pages/_ui.html): a worker's page
# draws forty of them, and as a Jinja macro it was a fifth of that page's time. Its output is
# the macro's, byte for byte: every value escaped (markupsafe), the words translated.


@lru_cache(maxsize=16)
def _field_words(lang: str) -> tuple[Markup, Markup]:
    """" (optional)" after a label and the empty choice of a select, in ``lang``. As with
    the templates' ``_()``, a translation is markup the catalogue vouches for."""
    words = get_translations(lang)
    return (Markup(' <span class="optional">') + Markup(words.gettext("(optional)")) % {}  # noqa: S704
            + Markup("</span>"),
            Markup('<option value="">') + Markup(words.gettext("Choose…")) % {}  # noqa: S704
            + Markup("</option>"))


@pass_context
def _field(context: Context, form: Any, name: str, label: Any, type: str = "text",  # noqa: A002
           required: bool = False, hint: Any = None, choices: Any = None, maxlength: Any = None,
           rows: Any = 3, inputmode: Any = None, attrs: Mapping[str, Any] | None = None) -> Markup:
    """A field of a form object (web/pages/forms.py): label, hint, its message and what she
    typed, ids made unique by the form's prefix. type: text, tel, date, datetime-local,
    textarea, select or radio."""
    optional, choose = _field_words(context_lang(context))
    fid = escape("f-" + (f"{form.prefix}-" if form.prefix else "") + str(name).replace(".", "-"))
    error = form.error(name)
    value = form.get(name)
    described = " ".join(([f"{fid}-hint"] if hint else []) + ([f"{fid}-error"] if error else []))
    described_by = f' aria-describedby="{described}"' if described else ""
    radio = type == "radio"
    out = ['<div class="field has-error">\n' if error else '<div class="field">\n',
           f"<fieldset{described_by}><legend>" if radio else f'<label for="{fid}">',
           escape(label), "" if required else optional, "</legend>" if radio else "</label>"]
    if hint:
        out.append(f'<p class="hint" id="{fid}-hint">{escape(hint)}</p>')
    if error:
        out.append(f'<p class="field-error" id="{fid}-error">{_plain_icon("alert")}'
                   f"<span>{escape(error)}</span></p>")
    common = (f' id="{fid}" name="{escape(name)}"'
              + (' required aria-required="true"' if required else "")
              + (' aria-invalid="true"' if error else "") + described_by
              + "".join(f' {escape(k)}="{escape(v)}"' for k, v in (attrs or {}).items()))
    longest = f' maxlength="{escape(maxlength)}"' if maxlength else ""
    if type == "textarea":
        out.append(f'<textarea{common} rows="{escape(rows)}"{longest}>{escape(value)}</textarea>\n')
    elif type == "select":
        out.append(f"<select{common}>\n")
        if not required or not value:
            out.append(choose)
        out.extend(f'<option value="{escape(c[0])}"{" selected" if str(c[0]) == value else ""}>'
                   f"{escape(c[1])}</option>" for c in choices or ())
        out.append("</select>\n")
    elif radio:
        out.append('<div class="choices">\n')
        must = " required" if required else ""
        out.extend(f'<label class="choice"><input type="radio" name="{escape(name)}" '
                   f'value="{escape(c[0])}"{" checked" if str(c[0]) == value else ""}{must}>'
                   f"<span>{escape(c[1])}</span></label>\n" for c in choices or ())
        out.append("</div></fieldset>\n")
    else:
        mode = f' inputmode="{escape(inputmode)}"' if inputmode else ""
        out.append(f'<input{common} type="{escape(type)}" value="{escape(value)}"{longest}{mode}>\n')
    out.append("</div>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped


def _hidden(name: Any, value: Any) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


@pass_context
def _form_opening(context: Context, form: Any, action: Any, version: Any = None,
                  htmx: bool = False, **options: Any) -> Markup:
    """The opening of a form (``ui.open``): CSRF, command_id (a double submit does the
    thing once), the version she is looking at (a stale edit is caught), and the message
    about the whole form. ``class`` (a keyword the templates pass) sets its classes."""
    action = escape(action)
    swap = f' hx-post="{action}" hx-target="this" hx-swap="outerHTML"' if htmx else ""
    out = [f'<form method="post" action="{action}" class="{escape(options.get("class", "stack"))}"'
           f"{swap}>\n",
           _hidden(context.get("csrf_field_name"), _csrf_value(context)), "\n",
           _hidden("command_id", form.get("command_id")), "\n"]
    if version is not None:
        out.append(_hidden("expected_version", form.get("expected_version") or version))
    if form.message:
        out.append(f'<p class="form-error" role="alert">{_plain_icon("alert")}'
                   f"<span>{escape(form.message)}</span></p>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped


@pass_context
def _organisations(context: Context, form: Any, name: Any, text: Any, organisations: Any,
                   multiple: bool = False, required: bool = False, hint: Any = None) -> Markup:
    """A select of organisations, by kind (``ui.orgs``): a page's list of employers holds
    every household, and a worker's page has two."""
    lang = context_lang(context)
    optional, choose = _field_words(lang)
    err = form.error(name)
    fid = escape("f-" + (f"{form.prefix}-" if form.prefix else "") + str(name))
    out = ['<div class="field has-error">\n' if err else '<div class="field">\n',
           f'<label for="{fid}">{escape(text)}{"" if required else optional}</label>\n']
    if hint:
        out.append(f'<p class="hint">{escape(hint)}</p>')
    if err:
        out.append(f'<p class="field-error">{_plain_icon("alert")}<span>{escape(err)}</span></p>')
    out.append(f'<select id="{fid}" name="{escape(name)}"'
               + (' multiple size="6"' if multiple else "") + (" required" if required else "")
               + (' aria-invalid="true"' if err else "") + ">\n")
    if not multiple:
        out.append(choose)
    chosen = set(form.all(name))
    groups, unchosen = _organisation_groups(context, organisations, lang)
    if not chosen:
        out.append(unchosen)
    else:
        for optgroup, options in groups:
            out.append(optgroup)
            out.extend(f'{head}{" selected" if sid in chosen else ""}{tail}'
                       for sid, head, tail in options)
            out.append("</optgroup>\n")
    out.append("</select>\n</div>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped


def _organisation_groups(context: Context, organisations: Any, lang: str) -> tuple[list, str]:
    """The organisations' options by kind, escaped, and all of them drawn with none chosen:
    sorted, grouped and escaped once for a page that draws them twice (a worker's page),
    kept with the page's render only."""
    kept = context.__dict__.setdefault("_organisation_groups", {})
    key = (id(organisations), lang)
    if key in kept and kept[key][0] is organisations:
        return kept[key][1]
    taxonomy = context.get("taxonomy")
    groups = []
    # As Jinja's groupby: sorted by kind (ignoring case), stable within a kind.
    for _, items in groupby(sorted(organisations, key=_kind_key), key=_kind_key):
        group = list(items)
        kind_label = labels.taxonomy_label("organisation_kinds", group[0].kind, lang,
                                           taxonomy=taxonomy)
        groups.append((f'<optgroup label="{escape(kind_label)}">\n',
                       [(str(o.id), f'<option value="{escape(o.id)}"',
                         f">{escape(o.name)}</option>") for o in group]))
    unchosen = "".join(optgroup + "".join(head + tail for _, head, tail in options)
                       + "</optgroup>\n" for optgroup, options in groups)
    kept[key] = (organisations, (groups, unchosen))
    return groups, unchosen


def _kind_key(organisation: Any) -> Any:
    kind = organisation.kind
    return kind.lower() if isinstance(kind, str) else kind


@pass_context
def _grievance_item(context: Context, g: Any, prefix: Any) -> Markup:
    """A grievance in a list (home, grievances): the icon of its group beside its category,
    the day, how many workers, its status."""
    return _grievance_li(g, escape(prefix), context_lang(context), context.get("taxonomy"),
                         {})


@pass_context
def _grievance_items(context: Context, grievances: Any, prefix: Any) -> Markup:
    """The grievances of a list (home, grievances), each as ``_grievance_item`` draws it, in
    one call: a list draws fifty, and the words its rows share (a status, "3 workers", a
    category, a day) are looked up once for the list, then forgotten with it."""
    lang, taxonomy, shared = context_lang(context), context.get("taxonomy"), {}
    prefix = escape(prefix)
    return Markup("").join(_grievance_li(g, prefix, lang, taxonomy, shared)  # noqa: S704
                           for g in grievances)


def _grievance_li(g: Any, prefix: Markup, lang: str, taxonomy: Any,
                  shared: dict[Any, Any]) -> Markup:
    key = ("row", g.category, g.category_group, g.parties, g.status)
    words = shared.get(key)
    if words is None:
        category = labels.taxonomy_label("categories", g.category, lang, taxonomy=taxonomy)
        workers = Markup(get_translations(lang).ngettext(  # noqa: S704 - the catalogue's markup
            "%(num)s worker", "%(num)s workers", g.parties)) % {
            "num": formatting.format_number(g.parties, lang)}
        words = shared[key] = (
            f"{_icon(labels.group_icon(g.category_group))}<span class=\"grow\">{escape(category)}",
            f"{workers}</span></span>{_status_words(lang, g.status)}</a></li>")
    day = shared.get(g.occurred_on)
    if day is None:
        day = shared[g.occurred_on] = (
            f'<br><span class="meta"><time datetime="{escape(g.occurred_on.isoformat())}">'
            f"{escape(formatting.format_date(g.occurred_on, lang))}</time> · ")
    return Markup(  # noqa: S704 - every value in it is escaped
        f'<li><a href="{prefix}/grievances/{escape(g.id)}">{words[0]}{day}{words[1]}')


@cache
def _static_version(name: str) -> str:
    try:
        data = resources.files("web").joinpath("static", name).read_bytes()
    except (FileNotFoundError, OSError):
        return ""
    return hashlib.sha256(data).hexdigest()[:10]


def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: cached for long, refreshed when it changes."""
    version = _static_version(name)
    return f"{STATIC_PREFIX}/{name}" + (f"?v={version}" if version else "")


def make_environment(loader: BaseLoader | None = None, *, auto_reload: bool = False,
                     csrf_field: str = CSRF_FIELD, csrf_header: str = CSRF_HEADER) -> Environment:
    """The environment for ``web/templates`` (or ``loader``), with i18n installed."""
    env = Environment(
        loader=loader or PackageLoader("web", "templates"),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext, newstyle=True,
    )
    # The newstyle gettext above without its two extra calls (``_`` resolves ``gettext``,
    # which calls the function installed): a page says some two hundred words.
    env.globals.update(gettext=template_gettext, _=template_gettext)
    env.filters.update(date=_date, datetime=_datetime, number=_number, money=_money, digits=_digits)
    env.globals["zone_label"] = _zone_label
    env.globals.update(
        current_lang=_current_lang,
        text_dir=_text_dir,
        current_path=_current_path,
        lang_url=_lang_url,
        locale_name=LOCALE_NAMES.get,
        locales=[{"code": c, "name": LOCALE_NAMES[c], "dir": text_direction(c)} for c in LOCALES],
        label=_label,
        place=_place,
        note=_note,
        choices=_choices,
        dimension_label=_dimension_label,
        level_label=_level_label,
        trend_label=_trend_label,
        error_message=_error_message,
        field_message=_field_message,
        group_icon=labels.group_icon,
        csrf_value=_csrf_value,
        csrf_field_name=csrf_field,
        csrf_header_name=csrf_header,
        static_url=static_url,
        icons_url=ICONS_URL,
        svg_icon=_icon,
        status_tag=_status,
        form_field=_field,
        form_opening=_form_opening,
        organisation_select=_organisations,
        grievance_row=_grievance_item,
        grievance_rows=_grievance_items,
    )
    return env


def render(template_name: str, lang: str = DEFAULT_LOCALE, *, env: Environment | None = None,
           **context: Any) -> str:
    """Render a template to a string in ``lang`` (for previews, tests and e-mails)."""
    return (env or default_environment()).get_template(template_name).render(lang=lang, **context)


@cache
def default_environment() -> Environment:
    return make_environment()


def template_config(**options: Any):
    """A Litestar ``TemplateConfig`` over this environment (``Litestar(template_config=...)``).
    Litestar adds ``request``, ``csrf_token()`` and ``url_for()`` to every template."""
    from litestar.plugins.jinja import JinjaTemplateEngine
    from litestar.template.config import TemplateConfig

    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment(**options)))
