"""Keep the message catalogues in step with the code.

    python -m web.i18n.catalog extract   # sources -> web/i18n/messages.pot
    python -m web.i18n.catalog update    # messages.pot -> each locale's messages.po
    python -m web.i18n.catalog compile   # each messages.po -> messages.mo
    python -m web.i18n.catalog check     # fails if a catalogue is out of step or incomplete
    python -m web.i18n.catalog all       # extract, update, compile, check

What is extracted is set in ``babel.cfg`` (Python and templates under web/, and the English
labels of the taxonomy and the rubric). English is the source language, so ``update`` fills
the English catalogue's empty entries with the English text itself; the other languages
need a translator. ``check`` is what the tests run.
"""

from __future__ import annotations

import copy
import os
import sys
from gettext import GNUTranslations
from pathlib import Path

from babel import __version__ as babel_version
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from web.i18n.catalogues import DOMAIN
from web.i18n.locales import DEFAULT_LOCALE, LOCALE_NAMES, LOCALES

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONFIG = HERE / "babel.cfg"
TEMPLATE = HERE / f"{DOMAIN}.pot"
LOCALE_DIR = HERE / "locale"
SEARCHED = ("web", "organize")  # the top-level folders extraction walks
WIDTH = 100


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _directory_filter(root: Path):
    def keep(dirpath: str | os.PathLike[str]) -> bool:
        parts = Path(os.path.relpath(dirpath, root)).parts
        if not parts or parts == (".",):
            return True
        return parts[0] in SEARCHED and not any(p.startswith((".", "_")) for p in parts)

    return keep


def extract_template(root: Path = ROOT) -> Catalog:
    """Every translatable message in the sources, as a template catalogue."""
    with CONFIG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(CONFIG))
    template = Catalog(project="organize", charset="utf-8", fuzzy=False)
    found = extract_from_dir(str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS,
                             comment_tags=("Translators:",), strip_comment_tags=True,
                             directory_filter=_directory_filter(root))
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def message_keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    """(msgid, context) of every live message (the header and obsolete ones left out)."""
    return {(m.id, m.context) for m in catalog if m.id}


def read_catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _write_po(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=WIDTH, sort_output=True, ignore_obsolete=True)


def extract() -> Catalog:
    template = extract_template()
    with TEMPLATE.open("wb") as f:
        write_po(f, template, width=WIDTH, sort_output=True)
    print(f"{len(message_keys(template))} messages -> {TEMPLATE.relative_to(ROOT)}")
    return template


def update(template: Catalog | None = None) -> None:
    if template is None:
        with TEMPLATE.open("rb") as f:
            template = read_po(f)
    for lang in LOCALES:
        path = po_path(lang)
        if path.exists():
            catalog = read_catalogue(lang)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="organize", fuzzy=False)
        # No fuzzy matching: a guessed translation of a different sentence is worse than none.
        # A copy of the template each time: ``Catalog.update`` adopts the template's own
        # Message objects for new messages, so filling English in below would otherwise leak
        # English msgstrs into the languages updated after it (new messages must stay empty
        # there, for ``check`` to catch them).
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == DEFAULT_LOCALE:
            for message in catalog:
                if message.id and not _translated(message.string):
                    message.string = message.id
        catalog.fuzzy = False
        _set_header(catalog, lang)
        _write_po(catalog, path)
        print(f"{lang}: {path.relative_to(ROOT)}")


def _set_header(catalog: Catalog, lang: str) -> None:
    catalog.project = "organize"
    catalog.version = "0.1.0"
    catalog.copyright_holder = "the organize contributors"
    catalog.msgid_bugs_address = ""
    catalog.language_team = f"{LOCALE_NAMES[lang]} ({lang})"
    if lang != DEFAULT_LOCALE and catalog.last_translator.startswith("FULL NAME"):
        catalog.last_translator = "first draft, to be reviewed by a native speaker"
    catalog.header_comment = (
        f"# {LOCALE_NAMES[lang]} ({lang}) messages of organize.\n"
        "# Refresh with: python -m web.i18n.catalog all\n"
        "# Words matter: a person is a worker (never a victim, never a runaway); short plain\n"
        "# sentences; keep %(name)s placeholders as they are."
    )


def compile_catalogues() -> None:
    for lang in LOCALES:
        catalog = read_catalogue(lang)
        mo = po_path(lang).with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        print(f"{lang}: {mo.relative_to(ROOT)}")


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return bool(string) and all(isinstance(s, str) and s.strip() for s in string)
    return isinstance(string, str) and bool(string.strip())


def problems(template: Catalog | None = None) -> list[str]:
    """Why the catalogues are not complete and current, one line each; empty when fine."""
    template = template or extract_template()
    wanted = message_keys(template)
    found: list[str] = []
    for lang in LOCALES:
        if not po_path(lang).exists():
            found.append(f"{lang}: no catalogue")
            continue
        catalog = read_catalogue(lang)
        have = message_keys(catalog)
        for key in sorted(wanted - have, key=str):
            found.append(f"{lang}: missing {key!r}")
        for key in sorted(have - wanted, key=str):
            found.append(f"{lang}: not in the sources any more {key!r}")
        for message in catalog:
            if not message.id:
                continue
            if not _translated(message.string):
                found.append(f"{lang}: untranslated {message.id!r}")
            elif message.fuzzy:
                found.append(f"{lang}: fuzzy {message.id!r}")
            elif isinstance(message.id, tuple) and len(message.string) != catalog.num_plurals:
                found.append(f"{lang}: {catalog.num_plurals} plural forms needed for {message.id!r}")
        for message, errors in catalog.check():
            for error in errors:
                found.append(f"{lang}: {message.id!r}: {error}")
        if not _compiled_matches(catalog, po_path(lang).with_suffix(".mo")):
            found.append(f"{lang}: messages.mo is missing or differs from messages.po (run compile)")
    return found


def _compiled_matches(catalog: Catalog, mo: Path) -> bool:
    """Whether the compiled catalogue says what the .po says (by content, not by file
    times, which a fresh clone does not keep)."""
    if not mo.exists():
        return False
    with mo.open("rb") as f:
        compiled = GNUTranslations(f)._catalog  # type: ignore[attr-defined]  # the parsed table
    for message in catalog:
        if not message.id or not _translated(message.string):
            continue
        prefix = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            pairs = [((prefix + message.id[0], i), s) for i, s in enumerate(message.string)]
        else:
            pairs = [(prefix + message.id, message.string)]
        if any(compiled.get(key) != text for key, text in pairs):
            return False
    return True


def check() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)" if found else "catalogues complete")
    return 1 if found else 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_catalogues()
    elif command == "check":
        return check()
    elif command == "all":
        update(extract())
        compile_catalogues()
        return check()
    else:
        print(__doc__)
        print(f"(babel {babel_version})")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
