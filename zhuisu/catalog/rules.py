"""The catalog (目录) and its data-element rules, as data: parse release documents and compose the catalog in effect.

A release is a JSON document (format ``zhuisu-catalog/1``; the national one ships in ``zhuisu/catalog/data``) with
``classes`` (the hierarchical product classes), ``elements`` (data elements: a zh-CN and an English name and the
places in an EPCIS event any of which carries the element) and ``rules`` (for a class and the kinds of event named
by their CBV bizStep, the elements an event must carry). The catalog in effect on a date is the national release
with the latest ``effective_from`` on or before it, plus the latest release of each local catalog (a province or
city), whose classes extend national ones and must sit below them (``food.pastry`` under ``food``). A newer
release never rewrites an older one: records keep the release they were checked under.

This module is pure (no database); ``zhuisu.catalog.service`` reads the releases and applies the rules at capture.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal, TypeVar

import orjson

from zhuisu.catalog.errors import InvalidRelease

FORMAT = "zhuisu-catalog/1"
T = TypeVar("T")
Mode = Literal["refuse", "flag"]
_MODES = ("refuse", "flag")
_NAME = re.compile(r"^[a-z][a-z_]{0,39}$")
_LOCATOR_KINDS = ("path", "bizTransaction", "ilmd", "extension", "code", "gs1")
TOP_CLASSES = ("edible_agri", "food", "drug", "agri_input", "special_equipment", "hazardous", "rare_earth", "imported")


def for_class(table: Mapping[str, T], class_id: str | None) -> T | None:
    """The entry of ``table`` for ``class_id``: its own, else its nearest ancestor's, else ``*``.

    >>> for_class({"*": 1, "food": 2, "food.dairy": 3}, "food.dairy"), for_class({"*": 1, "food": 2}, "food.rice")
    (3, 2)
    >>> for_class({"*": 1}, None), for_class({"drug": 5}, "food")
    (1, None)
    """
    parts = (class_id or "").split(".")
    while parts and parts[0]:
        key = ".".join(parts)
        if key in table:
            return table[key]
        parts.pop()
    return table.get("*")


@dataclass(frozen=True)
class Release:
    """One release document, validated."""

    scope: str
    region: str
    version: str
    effective_from: date
    digest: str
    document: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.scope}:{self.region}:{self.version}"


@dataclass(frozen=True)
class CatalogClass:
    id: str
    name: str
    name_en: str
    parent: str | None
    level: str
    region: str
    key: bool
    coverage_target: float
    department: str
    department_en: str
    code_schemes: tuple[str, ...]
    enforcement: Mode
    identified_by_schemes: tuple[str, ...]
    release: str
    #: Whether a child node reports this class's events to its parent (``events``) or keeps them (``none``).
    upward: str = "events"
    #: Top-level event members a child node withholds from its parent (commercially sensitive: ``ilmd``,
    #: ``bizTransactionList`` …).
    withhold: tuple[str, ...] = ()
    #: The storage and transport temperature range in °C (min, max) the class's own release gives it (``"temperature":
    #: {"min": 0, "max": 6}``); the classes under it inherit it (``sectors.coldchain.readings.allowed_range``).
    temperature: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "parent": self.parent,
            "level": self.level,
            "region": self.region or None,
            "key": self.key,
            "coverage_target": self.coverage_target,
            "department": self.department,
            "department_en": self.department_en,
            "code_schemes": list(self.code_schemes),
            "enforcement": self.enforcement,
            "release": self.release,
            "upward": self.upward,
            "withhold": list(self.withhold),
        } | ({"temperature": {"min": self.temperature[0], "max": self.temperature[1]}} if self.temperature else {})


@dataclass(frozen=True)
class Element:
    key: str
    name: str
    name_en: str
    any_of: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "name_en": self.name_en, "any_of": list(self.any_of)}


@dataclass(frozen=True)
class Rule:
    id: str
    class_id: str
    biz_steps: frozenset[str]
    event_types: frozenset[str]
    elements: tuple[str, ...]
    mode: Mode | None
    name: str
    name_en: str
    release: str
    #: Licence types (``parties.vocabulary.LICENCE_TYPES``) of which the recorder must hold one, valid on the
    #: event's date, confirmed by its issuing authority and covering the class; empty: no licence rule.
    licences: tuple[str, ...] = ()
    #: Interlocks (``zhuisu.sectors.interlocks``: checks of the state an event's things are in, derived from their
    #: earlier events — a cylinder filled after it was scrapped) the event must pass; empty: none.
    interlocks: tuple[str, ...] = ()

    def applies_to(self, event_type: str, biz_step: str | None) -> bool:
        return (not self.biz_steps or biz_step in self.biz_steps) and (
            not self.event_types or event_type in self.event_types
        )

    def to_json(self) -> dict[str, Any]:
        return (
            {
                "id": self.id,
                "class": self.class_id,
                "biz_steps": sorted(self.biz_steps),
                "event_types": sorted(self.event_types),
                "elements": list(self.elements),
                "mode": self.mode,
                "name": self.name,
                "name_en": self.name_en,
                "release": self.release,
            }
            | ({"licences": list(self.licences)} if self.licences else {})
            | ({"interlocks": list(self.interlocks)} if self.interlocks else {})
        )


@dataclass
class Catalog:
    """The catalog in effect: classes by id, data elements by key, rules, and the releases they come from."""

    releases: tuple[Release, ...]
    classes: dict[str, CatalogClass] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)

    def lineage(self, class_id: str) -> list[str]:
        """The class and its ancestors, nearest first."""
        out: list[str] = []
        current: str | None = class_id
        while current is not None and current in self.classes and current not in out:
            out.append(current)
            current = self.classes[current].parent
        return out

    def top(self, class_id: str) -> str | None:
        chain = self.lineage(class_id)
        return chain[-1] if chain else None

    def rules_for(self, class_id: str, event_type: str, biz_step: str | None) -> list[Rule]:
        chain = set(self.lineage(class_id))
        return [r for r in self.rules if r.class_id in chain and r.applies_to(event_type, biz_step)]

    def mode_of(self, rule: Rule, class_id: str) -> Mode:
        return rule.mode or self.classes[class_id].enforcement

    @cached_property
    def scheme_classes(self) -> dict[str, str]:
        """Code schemes that by themselves tell a product's class (a 药品追溯码 is a drug)."""
        return {scheme: c.id for c in self.classes.values() for scheme in c.identified_by_schemes}


def digest_of(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def parse_release(document: Any) -> Release:
    """Check a release document's shape and return it as a ``Release``. Raises ``InvalidRelease``."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidRelease(f"目录文件格式应为 {FORMAT}", message_en=f"a catalog release must have format {FORMAT}")
    scope, region = document.get("scope"), document.get("region") or ""
    if scope not in ("national", "local"):
        raise InvalidRelease("scope 应为 national 或 local", message_en="scope must be national or local")
    if (scope == "local") != (isinstance(region, str) and len(region) == 6 and region.isdigit()):
        raise InvalidRelease(
            "地方目录须有 6 位行政区划代码，国家目录不得有",
            message_en="a local catalog needs a 6-digit region code; the national one has none",
        )
    version = document.get("version")
    if not isinstance(version, str) or not version or len(version) > 40:
        raise InvalidRelease("缺少版本号 version", message_en="missing version")
    try:
        effective = date.fromisoformat(str(document.get("effective_from")))
    except ValueError:
        raise InvalidRelease(
            "effective_from 应为日期（YYYY-MM-DD）", message_en="effective_from must be a date (YYYY-MM-DD)"
        ) from None
    for key in ("classes", "rules"):
        if not isinstance(document.get(key, []), list):
            raise InvalidRelease(f"{key} 应为列表", message_en=f"{key} must be a list")
    if not isinstance(document.get("elements", {}), dict):
        raise InvalidRelease("elements 应为对象", message_en="elements must be an object")
    return Release(scope, region, version, effective, digest_of(document), document)


def effective_releases(releases: list[Release], on: date, region: str | None = None) -> list[Release]:
    """The national release in effect on ``on`` and, per local catalog, its release in effect; ``region``
    keeps only the local catalogs covering that region (a province's covers its cities and districts)."""
    latest: dict[tuple[str, str], Release] = {}
    for release in releases:
        if release.effective_from > on:
            continue
        key = (release.scope, release.region)
        if key not in latest or release.effective_from > latest[key].effective_from:
            latest[key] = release
    chosen = [r for (scope, _), r in latest.items() if scope == "national"]
    locals_ = [
        r for (scope, _), r in latest.items() if scope == "local" and (region is None or covers(r.region, region))
    ]
    return chosen + sorted(locals_, key=lambda r: (len(r.region.rstrip("0")), r.region))


def covers(catalog_region: str, region: str) -> bool:
    """Whether a local catalog (or a node) of ``catalog_region`` covers ``region`` (GB/T 2260: trailing zero pairs
    widen).

    >>> covers("440000", "440305"), covers("440300", "440305"), covers("440300", "440100")
    (True, True, False)
    """
    return region.startswith(region_prefix(catalog_region))


def region_prefix(region: str) -> str:
    """A GB/T 2260 code as the prefix of the codes under it.

    >>> region_prefix("370100"), region_prefix("370000"), region_prefix("370102")
    ('3701', '37', '370102')
    """
    while region.endswith("00") and len(region) > 2:
        region = region[:-2]
    return region


def compose(releases: list[Release]) -> Catalog:
    """The catalog made of ``releases`` (national first). Raises ``InvalidRelease`` when a local release does not
    fit the national directory."""
    catalog = Catalog(releases=tuple(releases))
    for release in releases:
        _add_classes(catalog, release)
        _add_elements(catalog, release)
        _add_rules(catalog, release)
    return catalog


def _add_classes(catalog: Catalog, release: Release) -> None:
    local = release.scope == "local"
    for raw in release.document.get("classes", []):
        class_id, parent = raw.get("id"), raw.get("parent")
        if not isinstance(class_id, str) or not class_id:
            raise InvalidRelease("类别缺少 id", message_en="a class has no id")
        if class_id in catalog.classes:
            raise InvalidRelease(f"类别 {class_id} 重复定义", message_en=f"class {class_id} is defined twice")
        if parent is not None and (parent not in catalog.classes or not class_id.startswith(parent + ".")):
            raise InvalidRelease(
                f"类别 {class_id} 的上级 {parent} 不存在或编号不在其下",
                message_en=f"class {class_id}: parent {parent} unknown or id not below it",
            )
        if parent is None and local:
            raise InvalidRelease(
                f"地方目录的类别 {class_id} 须挂在国家目录的类别下",
                message_en=f"local class {class_id} must extend a national class",
            )
        catalog.classes[class_id] = _make_class(catalog, release, raw)


def _make_class(catalog: Catalog, release: Release, raw: dict[str, Any]) -> CatalogClass:
    parent = catalog.classes.get(raw.get("parent") or "")
    enforcement = raw.get("enforcement") or (parent.enforcement if parent else "refuse")
    if enforcement not in _MODES:
        raise InvalidRelease(
            f"类别 {raw['id']} 的 enforcement 应为 refuse 或 flag",
            message_en=f"class {raw['id']}: enforcement must be refuse or flag",
        )
    target = raw.get("coverage_target", parent.coverage_target if parent else 0.6)
    if not isinstance(target, int | float) or not 0 <= target <= 1:
        raise InvalidRelease(
            f"类别 {raw['id']} 的覆盖率目标应在 0 到 1 之间",
            message_en=f"class {raw['id']}: coverage_target must be between 0 and 1",
        )
    upward = raw.get("upward") or (parent.upward if parent else "events")
    withhold = raw.get("withhold", list(parent.withhold) if parent else [])
    if upward not in ("events", "none") or not (
        isinstance(withhold, list) and all(isinstance(w, str) and w for w in withhold)
    ):
        raise InvalidRelease(
            f"类别 {raw['id']} 的 upward 应为 events 或 none，withhold 应为事件字段名的列表",
            message_en=f"class {raw['id']}: upward must be events or none, withhold a list of event member names",
        )
    temperature = _temperature(raw)
    return CatalogClass(
        id=raw["id"],
        name=str(raw.get("name") or raw["id"]),
        name_en=str(raw.get("name_en") or raw["id"]),
        parent=raw.get("parent"),
        level=release.scope,
        region=release.region,
        key=bool(raw.get("key", True)),
        coverage_target=float(target),
        department=str(raw.get("department") or (parent.department if parent else "")),
        department_en=str(raw.get("department_en") or (parent.department_en if parent else "")),
        code_schemes=tuple(raw.get("code_schemes") or (parent.code_schemes if parent else ())),
        enforcement=enforcement,
        identified_by_schemes=tuple(raw.get("identified_by_schemes") or ()),
        release=release.label,
        upward=upward,
        withhold=tuple(withhold),
        temperature=temperature,
    )


def _temperature(raw: dict[str, Any]) -> tuple[float, float] | None:
    value = raw.get("temperature")
    if value is None:
        return None
    low: Any = value.get("min") if isinstance(value, dict) else None
    high: Any = value.get("max") if isinstance(value, dict) else None
    if not (_number(low) and _number(high) and low <= high):
        raise InvalidRelease(
            f'类别 {raw["id"]} 的 temperature 应为 {{"min": 最低温度, "max": 最高温度}}（°C，min ≤ max）',
            message_en=f'class {raw["id"]}: temperature must be {{"min": …, "max": …}} in °C with min ≤ max',
        )
    return float(low), float(high)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _add_elements(catalog: Catalog, release: Release) -> None:
    for key, raw in release.document.get("elements", {}).items():
        if key in catalog.elements:
            raise InvalidRelease(f"数据元素 {key} 重复定义", message_en=f"data element {key} is defined twice")
        locators = raw.get("any_of") if isinstance(raw, dict) else None
        if not isinstance(locators, list) or not locators or not all(_valid_locator(x) for x in locators):
            raise InvalidRelease(f"数据元素 {key} 的 any_of 无效", message_en=f"data element {key}: invalid any_of")
        catalog.elements[key] = Element(
            key, str(raw.get("name") or key), str(raw.get("name_en") or key), tuple(locators)
        )


def _valid_locator(locator: Any) -> bool:
    return isinstance(locator, dict) and any(isinstance(locator.get(k), str) for k in _LOCATOR_KINDS)


def _add_rules(catalog: Catalog, release: Release) -> None:
    own_classes = {c["id"] for c in release.document.get("classes", [])}
    for raw in release.document.get("rules", []):
        rule_id, class_id = raw.get("id"), raw.get("class")
        if class_id not in catalog.classes or (release.scope == "local" and class_id not in own_classes):
            raise InvalidRelease(
                f"规则 {rule_id} 的类别 {class_id} 不存在（地方规则只能用于本目录新增的类别）",
                message_en=f"rule {rule_id}: class {class_id} unknown (local rules apply to the "
                "classes their catalog adds)",
            )
        missing = [e for e in raw.get("elements", []) if e not in catalog.elements]
        licences = raw.get("licences") or []
        if not isinstance(licences, list) or not all(isinstance(x, str) and x for x in licences):
            raise InvalidRelease(
                f"规则 {rule_id} 的 licences 应为许可证类型列表",
                message_en=f"rule {rule_id}: licences must list licence types",
            )
        interlocks = raw.get("interlocks") or []
        if not isinstance(interlocks, list) or not all(isinstance(x, str) and _NAME.match(x) for x in interlocks):
            raise InvalidRelease(
                f"规则 {rule_id} 的 interlocks 应为联锁检查名称列表（小写字母和下划线）",
                message_en=f"rule {rule_id}: interlocks must list interlock names (lower-case letters and underscores)",
            )
        if missing or not (raw.get("elements") or licences or interlocks):
            raise InvalidRelease(
                f"规则 {rule_id} 引用了未定义的数据元素 {missing}",
                message_en=f"rule {rule_id} names undefined data elements {missing}",
            )
        mode = raw.get("mode")
        if mode is not None and mode not in _MODES:
            raise InvalidRelease(
                f"规则 {rule_id} 的 mode 应为 refuse 或 flag", message_en=f"rule {rule_id}: mode must be refuse or flag"
            )
        catalog.rules.append(
            Rule(
                id=str(rule_id),
                class_id=class_id,
                biz_steps=frozenset(raw.get("biz_steps") or ()),
                event_types=frozenset(raw.get("event_types") or ()),
                elements=tuple(raw.get("elements") or ()),
                mode=mode,
                name=str(raw.get("name") or rule_id),
                name_en=str(raw.get("name_en") or rule_id),
                release=release.label,
                licences=tuple(licences),
                interlocks=tuple(interlocks),
            )
        )
