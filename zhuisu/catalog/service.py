"""The catalog (目录) in effect: built-in national releases, releases loaded later, classes and rules on a date.

The national catalog ships as package data (``zhuisu/catalog/data/national-*.json``) and is always available;
releases loaded with ``load_release`` (a local catalog, or a newer national version) are stored in
``catalog_releases`` and never changed: loading the same version again with other content is a conflict.
"""

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson
from sqlalchemy.orm import Session

from zhuisu.catalog import permissions, repository
from zhuisu.catalog.errors import InvalidRelease, ReleaseExists, UnknownClass
from zhuisu.catalog.permissions import FlagScope
from zhuisu.catalog.rules import Catalog, CatalogClass, Release, Rule, compose, effective_releases, parse_release
from zhuisu.errors import NotFound
from zhuisu.kit.time import utc_now
from zhuisu.models import AuditEntry, CatalogRelease, EventFlag, Party

_DATA = "zhuisu.catalog.data"
_COMPOSED: dict[tuple[str, ...], Catalog] = {}
_COMPOSED_MAX = 64


def builtin_releases() -> list[Release]:
    """The national releases shipped with zhuisu."""
    return list(_builtin())


@lru_cache(maxsize=1)
def _builtin() -> tuple[Release, ...]:
    files = sorted(
        (p for p in resources.files(_DATA).iterdir() if p.name.startswith("national-") and p.name.endswith(".json")),
        key=lambda p: p.name,
    )
    return tuple(parse_release(orjson.loads(p.read_bytes())) for p in files)


def example_document(name: str) -> dict[str, Any]:
    """A release document shipped as an example (``zhuisu/catalog/data/examples/<name>.json``)."""
    path = resources.files(_DATA).joinpath("examples").joinpath(f"{name}.json")
    if not path.is_file():
        raise NotFound(f"没有示例目录 {name}", message_en=f"no example catalog {name}")
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    return document


def all_releases(session: Session) -> list[Release]:
    stored = [_stored_release(row) for row in repository.stored_releases(session)]
    builtin_keys = {(r.scope, r.region, r.version) for r in _builtin()}
    return [*_builtin(), *(r for r in stored if (r.scope, r.region, r.version) not in builtin_keys)]


def _stored_release(row: CatalogRelease) -> Release:
    return Release(row.scope, row.region, row.version, row.effective_from, row.digest, row.document)


def catalog_on(session: Session, on: date | None = None, *, region: str | None = None) -> Catalog:
    """The catalog in effect on ``on`` (today by default) for ``region`` (every local catalog when None)."""
    return compose_cached(effective_releases(all_releases(session), on or today(), region))


def compose_cached(releases: list[Release]) -> Catalog:
    """``compose`` with a cache: releases are immutable, so the digests identify the result."""
    key = tuple(r.digest for r in releases)
    found = _COMPOSED.get(key)
    if found is None:
        found = compose(releases)
        if len(_COMPOSED) >= _COMPOSED_MAX:
            _COMPOSED.pop(next(iter(_COMPOSED)))
        _COMPOSED[key] = found
    return found


def today() -> date:
    return utc_now().date()


def list_classes(session: Session, *, on: date | None = None, region: str | None = None) -> list[CatalogClass]:
    return list(catalog_on(session, on, region=region).classes.values())


def get_class(session: Session, class_id: str, *, on: date | None = None) -> CatalogClass:
    """A class in effect on ``on``. Raises UnknownClass."""
    found = catalog_on(session, on).classes.get(class_id)
    if found is None:
        raise UnknownClass(f"目录中没有类别 {class_id}", message_en=f"no catalog class {class_id}")
    return found


def list_rules(session: Session, *, on: date | None = None, class_id: str | None = None) -> list[Rule]:
    catalog = catalog_on(session, on)
    if class_id is None:
        return list(catalog.rules)
    get_class(session, class_id, on=on)
    chain = set(catalog.lineage(class_id))
    return [r for r in catalog.rules if r.class_id in chain]


def element_names(session: Session, *, on: date | None = None) -> dict[str, Any]:
    return {key: element.to_json() for key, element in catalog_on(session, on).elements.items()}


def list_releases(session: Session) -> list[Release]:
    return sorted(all_releases(session), key=lambda r: (r.scope != "national", r.region, r.effective_from))


def load_release(session: Session, document: Any, *, actor: Party | None = None) -> tuple[CatalogRelease | None, bool]:
    """Store a release (a local catalog or a newer national one); returns (row, created).

    Loading the same document again is a no-op (``created`` False); the same scope, region and version with
    different content raises ReleaseExists; a release that does not fit the catalog in effect on its date
    raises InvalidRelease; AdminOnly unless ``actor`` is the admin (None: the local operator). Writes an audit entry.
    """
    permissions.check_load_release(actor)
    release = parse_release(document)
    existing = [
        r
        for r in all_releases(session)
        if (r.scope, r.region, r.version) == (release.scope, release.region, release.version)
    ]
    if existing:
        if existing[0].digest != release.digest:
            raise ReleaseExists(
                f"目录 {release.label} 已存在且内容不同：新内容须使用新版本号",
                message_en=f"catalog {release.label} exists with other content: use a new version",
            )
        return repository.find_release(
            session, scope=release.scope, region=release.region, version=release.version
        ), False
    _check_fits(session, release)
    row = CatalogRelease(
        scope=release.scope,
        region=release.region,
        version=release.version,
        effective_from=release.effective_from,
        digest=release.digest,
        document=release.document,
        loaded_by=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action="catalog_release_loaded",
            subject=row.id,
            payload={
                "release": release.label,
                "effective_from": release.effective_from.isoformat(),
                "digest": release.digest,
            },
        )
    )
    return row, True


def _check_fits(session: Session, release: Release) -> None:
    others = [r for r in all_releases(session) if (r.scope, r.region) != (release.scope, release.region)]
    in_effect = effective_releases([*others, release], release.effective_from)
    if release not in in_effect:
        in_effect.append(release)
    if not any(r.scope == "national" for r in in_effect):
        raise InvalidRelease("该生效日期没有国家目录", message_en="no national catalog is in effect on that date")
    compose(in_effect)


def check_class(session: Session, class_id: str, *, on: date | None = None) -> str:
    """``class_id`` if the catalog in effect knows it. Raises UnknownClass."""
    return get_class(session, class_id, on=on).id


def list_flags(
    session: Session, *, scope: FlagScope, class_prefix: str | None = None, limit: int = 100, offset: int = 0
) -> list[tuple[EventFlag, str]]:
    """Flagged events (with their eventID) within ``scope`` (``permissions.flag_scope``), oldest first."""
    return repository.list_flags(session, class_prefix=class_prefix, limit=limit, offset=offset, scope=scope)
