"""Languages and the page skeleton: which language a request gets, the Babel catalogues
(English, Nepali, Bengali, Arabic), the Jinja2 environment with gettext installed, dates
and numbers in the reader's language, words for taxonomy codes and indicator levels, the
user-facing error messages, and the routes for the language switch, the quick-exit landing
page and the static files.

Pages render with ``Template("page.html", context={...})``; the language comes from the
request (the ``lang`` cookie, then ``Accept-Language``) unless ``lang`` is in the context.
"""

from web.i18n.catalogues import get_translations
from web.i18n.formatting import format_date, format_datetime, format_money, format_number, localise_digits
from web.i18n.labels import (
    GROUP_ICONS,
    dimension_label,
    group_icon,
    level_label,
    taxonomy_choices,
    taxonomy_label,
    taxonomy_note,
    trend_label,
)
from web.i18n.locales import (
    DEFAULT_LOCALE,
    LANG_COOKIE,
    LOCALE_NAMES,
    LOCALES,
    locale_from_request,
    negotiate,
    parse_accept_language,
    safe_next,
    text_direction,
)
from web.i18n.messages import ERROR_MESSAGES, FIELD_MESSAGES, error_message, field_message, message_for
from web.i18n.templating import make_environment, render, static_url, template_config

__all__ = [
    "DEFAULT_LOCALE",
    "ERROR_MESSAGES",
    "FIELD_MESSAGES",
    "GROUP_ICONS",
    "LANG_COOKIE",
    "LOCALES",
    "LOCALE_NAMES",
    "dimension_label",
    "error_message",
    "field_message",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "get_translations",
    "group_icon",
    "level_label",
    "locale_from_request",
    "localise_digits",
    "make_environment",
    "message_for",
    "negotiate",
    "parse_accept_language",
    "render",
    "safe_next",
    "static_url",
    "taxonomy_choices",
    "taxonomy_label",
    "taxonomy_note",
    "template_config",
    "text_direction",
    "trend_label",
]
