"""ISO 3166-1 alpha-2 codes with their zh-CN and English names, from the CLDR data Babel ships (not a copy of it).

China itself is left out: an import's country of origin is another one. So are CLDR's codes that are not countries
of ISO 3166-1 (``EU``, ``UN``, ``ZZ``, the exceptionally reserved ``AC``, ``CP``, ``DG``, ``EA``, ``IC``, ``TA`` …).
Hong Kong, Macao and Taiwan are listed by their codes (goods from them enter through customs as imports do), Taiwan
under the name China's official usage gives it.
"""

from functools import cache

from babel import Locale

_NOT_COUNTRIES = frozenset({"AC", "CN", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})
_NAMED: dict[str, dict[str, str]] = {"TW": {"zh": "中国台湾", "en": "Taiwan, China"}}


@cache
def countries() -> dict[str, tuple[str, str]]:
    """Code → (zh-CN name, English name), in code order; read from CLDR on first use (not at start-up: every node
    start imports the pages that name it)."""
    zh, en = Locale.parse("zh_Hans_CN").territories, Locale.parse("en").territories
    keys = [c for c in en if isinstance(c, str)]  # Babel types the keys loosely: they are region codes
    codes = sorted(c for c in keys if len(c) == 2 and c.isalpha() and c.isupper() and c not in _NOT_COUNTRIES)
    return {c: (_NAMED.get(c, {}).get("zh", zh[c]), _NAMED.get(c, {}).get("en", en[c])) for c in codes}
