"""The message catalogs: every text of the pages (and the tables of names the code holds) in zh-CN and English.

Messages are written in the code in English (``_('Product')`` in a template, ``pair('shipped')`` in a table) and
translated by gettext catalogs in ``zhuisu/locale/<locale>/LC_MESSAGES/messages.po``, extracted with Babel's
``pybabel`` (``make i18n``: extract, update, compile; ``babel.cfg`` says where messages are). zh-CN is the default
language of every page; the English catalog exists so that English wording is edited there, not in code, and a test
holds both complete. At run time the compiled ``.mo`` files are read by the standard library's ``gettext`` (Babel is a
development tool here), once per process and language.
"""

import gettext as _gettext
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
#: Page language (``zh``/``en``, what ``?lang=`` and the cookie say) → catalog locale.
LOCALES = {"zh": "zh_CN", "en": "en"}


@cache
def catalog(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of a page language (``zh`` for anything else than ``en``)."""
    locale = LOCALES.get(lang, LOCALES["zh"])
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale])


def gettext(lang: str, message: str) -> str:
    """``message`` (English, as written in the code) in ``lang``."""
    return catalog(lang).gettext(message)


def pgettext(lang: str, context: str, message: str) -> str:
    """``message`` in ``lang``, where the same English stands for different texts (the context says which)."""
    return catalog(lang).pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for extraction where it is translated later (a table of names read per request)."""
    return message


def pair(message: str) -> tuple[str, str]:
    """``(zh, en)`` of a message: for the tables whose readers take both (API fields ``name_zh``/``name_en``,
    spreadsheets that accept either)."""
    return gettext("zh", message), gettext("en", message)


def cpair(context: str, message: str) -> tuple[str, str]:
    """``pair`` of a message that needs a context."""
    return pgettext("zh", context, message), pgettext("en", context, message)
