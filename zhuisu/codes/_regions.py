"""GB/T 2260 administrative-division codes: the 34 provincial-level codes, and names of 6-digit codes.

Names of prefecture and county codes come from python-stdnum's ``cn/loc`` table (compiled from Wikipedia's
lists of GB/T 2260 codes, including abolished ones). Codes are never rejected because that table lacks them:
county codes change every year and several schemes use local codes (development zones) that GB/T 2260 does not
list.
"""

from functools import lru_cache
from typing import Any

from stdnum import numdb

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip


def province_name(code: str) -> str | None:
    """The name of a 2-digit provincial-level code, or None."""
    return PROVINCES.get(code[:2])


def region_info(code: str) -> dict[str, Any]:
    """Decode a 6-digit GB/T 2260 code into ``{"code", "province", "name"}`` (names None when unknown).

    >>> region_info("110105")
    {'code': '110105', 'province': '北京市', 'name': '朝阳区'}
    >>> region_info("370600")
    {'code': '370600', 'province': '山东省', 'name': '烟台市'}
    """
    name = _county_name(code) if len(code) == 6 and code.isascii() and code.isdigit() else None
    return {"code": code, "province": province_name(code), "name": name}


@lru_cache(maxsize=8192)
def _county_name(code: str) -> str | None:
    # numdb's lookup takes ~0.1 ms; issuing and capturing thousands of codes of one region asks for the same one.
    name: str | None = None
    for _part, props in numdb.get("cn/loc").info(code):
        county = props.get("county")
        if county:
            # "[1983-]烟台市" or "[-1990]甲,[1990-]乙": keep the latest name, without its validity range.
            name = county.split(",")[-1].split("]")[-1]
    return name


def region_label(code: str | None) -> str:
    """How a page names a GB/T 2260 code or prefix: province, prefecture and county names without repeats, else
    the code as it is.

    >>> region_label("370102"), region_label("3701"), region_label("37"), region_label("110105")
    ('山东省济南市历下区', '山东省济南市', '山东省', '北京市朝阳区')
    >>> region_label("379999"), region_label(None), region_label("unknown")
    ('山东省 379999', '', 'unknown')
    """
    if not code:
        return ""
    if not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6)):
        return code
    province = province_name(code)
    if province is None:
        return code
    parts = [province]
    if len(code) >= 4 and code[2:4] != "00":
        prefecture = _county_name(code[:4] + "00")
        if prefecture and prefecture not in parts and prefecture not in ("市辖区", "县", "省直辖县级行政区划"):
            parts.append(prefecture)
    if len(code) == 6 and code[4:] != "00":
        county = _county_name(code)
        if county is None:
            return f"{''.join(parts)} {code}"
        parts.append(county)
    elif len(code) == 6 and code[2:4] != "00" and _county_name(code) is None:
        return f"{''.join(parts)} {code}"
    return "".join(dict.fromkeys(parts))


@lru_cache(maxsize=1)
def _by_name() -> dict[str, list[str]]:
    """Name → the GB/T 2260 prefixes of that name (a province 2 digits, a prefecture 4, a county 6)."""
    found: dict[str, list[str]] = {}
    for _length, low, high, props, children in numdb.get("cn/loc").prefixes:
        if low != high:
            continue
        found.setdefault(props.get("province", ""), []).append(low)
        for _l, child, child_high, child_props, _c in children:
            name = (child_props.get("county") or "").split(",")[-1].split("]")[-1]
            if not name or child != child_high or child == "0000" or name in ("市辖区", "县"):
                continue
            code = low + child
            found.setdefault(name, []).append(code[:4] if code.endswith("00") else code)
    return {name: sorted(set(codes)) for name, codes in found.items() if name}


def find_regions(text: str) -> list[str]:
    """The GB/T 2260 codes or prefixes a person means by ``text``: digits as they are, else a name — a province,
    a prefecture or a county, alone or with the names above it (``历下区``, ``济南市历下区``, ``山东省济南市``).

    >>> find_regions("370102"), find_regions("历下区"), find_regions("山东省济南市历下区"), find_regions("济南市")
    (['370102'], ['370102'], ['370102'], ['3701'])
    >>> find_regions("山东省"), find_regions("no such place")
    (['37'], [])
    """
    text = "".join(text.split())
    if not text or (text.isascii() and text.isdigit()):
        return [text] if text else []
    index = _by_name()
    if text in index:
        return index[text]
    return sorted(
        code for name, codes in index.items() if text.endswith(name) for code in codes if region_label(code) == text
    )
