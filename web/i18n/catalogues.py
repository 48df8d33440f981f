"""The compiled message catalogues, loaded once per language through importlib.resources
(so they are found in a checkout and in an installed wheel alike).

A catalogue is ``locale/<lang>/LC_MESSAGES/messages.mo``. If the ``.mo`` is missing but the
``.po`` is there (a checkout where nobody ran ``catalog.py compile``), the ``.po`` is
compiled in memory instead, so a forgotten build step never shows English by surprise.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from web.i18n.locales import DEFAULT_LOCALE, LOCALES

DOMAIN = "messages"
PACKAGE = "web.i18n"


def catalogue_file(lang: str, suffix: str = "mo"):
    """The packaged resource (a Traversable) of one language's catalogue."""
    return resources.files(PACKAGE).joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.{suffix}")


@cache
def get_translations(lang: str) -> NullTranslations:
    """The Babel translations for ``lang``; English's for anything unsupported."""
    if lang not in LOCALES:
        lang = DEFAULT_LOCALE
    mo = catalogue_file(lang, "mo")
    if mo.is_file():
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    po = catalogue_file(lang, "po")
    if po.is_file():
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


def gettext(lang: str, message: str) -> str:
    return get_translations(lang).gettext(message)


def pgettext(lang: str, context: str, message: str) -> str:
    return get_translations(lang).pgettext(context, message)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return get_translations(lang).ngettext(singular, plural, n)
