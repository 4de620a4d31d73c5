"""The message catalogs, with Babel: ``python -m scripts.i18n`` (``make i18n``) extracts every message of the code and
the templates, merges them into ``zhuisu/locale/<locale>/LC_MESSAGES/messages.po`` (new messages untranslated,
messages gone dropped) and compiles the ``.mo`` files the node reads; ``--check`` changes nothing and says what is
out of date or untranslated (the suite runs it).

The keywords are those of ``zhuisu.kit.i18n`` (``pair``, ``cpair``, ``N_``, ``gettext(lang, message)``,
``pgettext(lang, context, message)``) and of the templates (``_``, ``pgettext(context, message)``, ``ngettext``):
the two ``pgettext`` are told apart by their number of arguments. The ``.po`` files carry no line numbers, so an edit
elsewhere in a file changes nothing.
"""

import argparse
import copy
import io
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zhuisu"
LOCALE_DIR = PACKAGE / "locale"
LOCALES = ("zh_CN", "en")
DOMAIN = "messages"
KEYWORDS: dict[str, object] = {
    "_": None,
    "N_": None,
    "pair": None,
    "ngettext": (1, 2),
    "gettext": {2: (2,)},
    "pgettext": {2: ((1, "c"), 2), 3: ((2, "c"), 3)},
    "cpair": ((1, "c"), 2),
}
METHODS = [("web/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
#: The catalogs' creation date: fixed, so that regenerating them changes only what changed.
EPOCH = datetime(2026, 12, 4, tzinfo=UTC)


def _skip(path: str) -> bool:
    return "/static/" not in path.replace("\\", "/") + "/" and "__pycache__" not in path


def extract() -> Catalog:
    """Every message the code and templates mark, as a template catalog."""
    template = Catalog(project="zhuisu", creation_date=EPOCH, fuzzy=False)
    found = extract_from_dir(
        PACKAGE,
        method_map=METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,  # type: ignore[arg-type]
        directory_filter=_skip,
    )
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="zhuisu", creation_date=EPOCH, fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def merged(locale: str, template: Catalog) -> Catalog:
    """The locale's catalog with the template's messages: translations kept, new ones empty, gone ones dropped."""
    catalog = _read(locale)
    # Catalog.update adopts the template's new messages as they are: a copy each, or locales share their strings
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.revision_date = EPOCH
    catalog.fuzzy = False
    return catalog


def problems(locale: str, catalog: Catalog) -> list[str]:
    """What makes a catalog unusable: an untranslated or fuzzy message, a format string whose placeholders differ."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        label = f"{locale}: {message.id!r}" + (f" (context {message.context!r})" if message.context else "")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"{label} is not translated")
        if message.fuzzy:
            found.append(f"{label} is fuzzy")
        for error in message.check(catalog):
            found.append(f"{label}: {error}")
    return found


def check(template: Catalog | None = None) -> list[str]:
    """Everything out of date: catalogs whose messages differ from the code's, untranslated messages, stale ``.mo``."""
    template = template or extract()
    found: list[str] = []
    for locale in LOCALES:
        catalog = merged(locale, template)
        found.extend(problems(locale, catalog))
        po = po_path(locale)
        if not po.exists() or po.read_bytes() != _po_bytes(catalog):
            found.append(f"{po.relative_to(ROOT)} is out of date with the code: run make i18n")
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            found.append(f"{mo.relative_to(ROOT)} is out of date: run make i18n")
    return found


def update(locales: Iterable[str] = LOCALES) -> list[str]:
    """Write every catalog and its ``.mo``; returns the problems left (untranslated messages to fill in)."""
    template = extract()
    left: list[str] = []
    for locale in locales:
        catalog = merged(locale, template)
        po = po_path(locale)
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(_po_bytes(catalog))
        po.with_suffix(".mo").write_bytes(_mo_bytes(catalog))
        left.extend(problems(locale, catalog))
    return left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list what is out of date")
    args = parser.parse_args(argv)
    found = check() if args.check else update()
    for line in found:
        print(line, file=sys.stderr)
    if not args.check and found:
        print(f"{len(found)} messages to translate in zhuisu/locale/*/LC_MESSAGES/messages.po", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
