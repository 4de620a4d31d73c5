"""Catalog releases: a local catalog extends the national one; a new version takes effect on its date."""

import copy
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog.test_catalog_capture import CONTEXT, PRODUCTS, btt, dl
from tests.conftest import Credentials
from tests.support.epcis import document
from zhuisu.catalog import service
from zhuisu.catalog.errors import InvalidRelease, ReleaseExists
from zhuisu.db.session import unit_of_work
from zhuisu.models import CatalogRelease, Event, EventFlag
from zhuisu.parties import masterdata

ZS = "https://zhuisu.cn/ns/epcis/"


def local_release(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "zhuisu-catalog/1",
        "scope": "local",
        "region": "370600",
        "version": "2026.1",
        "effective_from": "2026-01-01",
        "classes": [{"id": "food.pastry", "name": "糕点", "name_en": "Pastry", "parent": "food", "key": True}],
        "elements": {
            "additives": {
                "name": "食品添加剂清单",
                "name_en": "food additive list",
                "any_of": [{"extension": "additives", "ns": ZS}],
            }
        },
        "rules": [
            {
                "id": "food.pastry.additives",
                "class": "food.pastry",
                "biz_steps": ["shipping"],
                "elements": ["additives"],
            }
        ],
    }
    doc.update(overrides)
    return doc


def national_release(version: str, effective: str) -> dict[str, Any]:
    doc = copy.deepcopy(service.builtin_releases()[0].document)
    doc.update(version=version, effective_from=effective)
    doc["rules"].append(
        {
            "id": "food.trade_document",
            "class": "food",
            "biz_steps": ["shipping"],
            "elements": ["trade_document"],
            "name": "食品销售须有交易凭证",
            "name_en": "food sales carry a trade document",
        }
    )
    return doc


def release_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(CatalogRelease)) or 0)


class TestLocalCatalog:
    def test_extends_national(self, session: Session) -> None:
        # given
        national = {c.id for c in service.list_classes(session)}
        # when
        _, created = service.load_release(session, local_release())
        # then
        assert created is True
        covered = {c.id: c for c in service.list_classes(session, region="370602")}
        assert set(covered) == national | {"food.pastry"}
        pastry = covered["food.pastry"]
        assert (pastry.level, pastry.region, pastry.parent, pastry.coverage_target, pastry.enforcement) == (
            "local",
            "370600",
            "food",
            0.6,
            "refuse",
        )
        assert {c.id for c in service.list_classes(session, region="110101")} == national
        assert len(national) == 46
        assert [r.id for r in service.list_rules(session, class_id="food.pastry")] == [
            "food.production",
            "food.production.licence",
            "food.circulation",
            "food.pastry.additives",
        ]

    @pytest.mark.parametrize(
        ("_case", "overrides"),
        [
            ("unknown parent", {"classes": [{"id": "toys.dolls", "parent": "toys"}], "rules": [], "elements": {}}),
            ("id not below parent", {"classes": [{"id": "pastry", "parent": "food"}], "rules": [], "elements": {}}),
            ("top-level local class", {"classes": [{"id": "toys", "parent": None}], "rules": [], "elements": {}}),
            ("local rule on a national class", {"rules": [{"id": "x", "class": "drug", "elements": ["additives"]}]}),
            ("redefines a national element", {"elements": {"batch": {"name": "批", "any_of": [{"path": "x"}]}}}),
            ("no region", {"region": ""}),
        ],
    )
    def test_incompatible_release_refused(self, _case: str, overrides: dict[str, Any], session: Session) -> None:
        with pytest.raises(InvalidRelease):
            service.load_release(session, local_release(**overrides))
        assert release_count(session) == 0

    def test_reload_is_harmless_and_changed_content_conflicts(self, session: Session) -> None:
        service.load_release(session, local_release())
        assert service.load_release(session, local_release())[1] is False
        with pytest.raises(ReleaseExists):
            service.load_release(session, local_release(effective_from="2026-02-01"))
        assert release_count(session) == 1

    def test_local_rule_applies_at_capture(
        self, client: TestClient, creds: Credentials, session: Session, maker: sessionmaker[Session]
    ) -> None:
        # given
        with unit_of_work(maker) as s:
            service.load_release(s, local_release())
            masterdata.register_product(s, name="桃酥", class_id="food.pastry", gtin=PRODUCTS["food.dairy"])
        shipped = {
            "type": "ObjectEvent",
            "eventTime": "2026-06-01T08:00:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "quantityList": [{"epcClass": dl("food.dairy")}],
        }
        # when
        refused = client.post("/capture", json=document(shipped, context=CONTEXT), headers=creds.headers)
        accepted = client.post(
            "/capture", json=document({**shipped, "zs:additives": "无"}, context=CONTEXT), headers=creds.headers
        )
        # then
        assert refused.status_code == 400
        assert "缺少必填数据元素「食品添加剂清单」" in refused.json()["errors"][0]["message"]
        assert "local:370600:2026.1" in refused.json()["errors"][0]["message"]
        assert accepted.status_code == 202


class TestNewVersion:
    def test_takes_effect_on_its_date(self, session: Session) -> None:
        service.load_release(session, national_release("2027.1", "2027-01-01"))
        before = [r.id for r in service.list_rules(session, on=date(2026, 12, 31), class_id="food")]
        after = [r.id for r in service.list_rules(session, on=date(2027, 1, 1), class_id="food")]
        assert before == ["food.production", "food.production.licence", "food.circulation"]
        assert after == ["food.production", "food.production.licence", "food.circulation", "food.trade_document"]
        assert {r.label for r in service.list_releases(session)} == {"national::2026.1", "national::2027.1"}

    def test_capture_uses_the_version_in_effect_and_old_records_stay(
        self, client: TestClient, creds: Credentials, session: Session, maker: sessionmaker[Session]
    ) -> None:
        # given: an event and a flag recorded under 2026.1
        with unit_of_work(maker) as s:
            for class_id in ("food.dairy", "rare_earth.smelted"):
                masterdata.register_product(s, name=class_id, class_id=class_id, gtin=PRODUCTS[class_id])

        def shipped(day: str, cls: str = "food.dairy", **extra: Any) -> dict[str, Any]:
            return {
                "type": "ObjectEvent",
                "eventTime": f"{day}T10:00:00.000+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "quantityList": [{"epcClass": dl(cls)}],
                **extra,
            }

        old = client.post(
            "/capture",
            json=document(shipped("2026-12-30"), shipped("2026-12-30", "rare_earth.smelted"), context=CONTEXT),
            headers=creds.headers,
        )
        assert old.status_code == 202
        stored = {e.event_hash: e.body for e in session.scalars(select(Event))}
        # when: 2027.1 requires a trade document for food shipping from 2027-01-01
        with unit_of_work(maker) as s:
            service.load_release(s, national_release("2027.1", "2027-01-01"))
        before_date = client.post(
            "/capture", json=document(shipped("2026-12-31"), context=CONTEXT), headers=creds.headers
        )
        on_date = client.post("/capture", json=document(shipped("2027-01-01"), context=CONTEXT), headers=creds.headers)
        with_doc = client.post(
            "/capture",
            json=document(shipped("2027-01-02", bizTransactionList=[btt("po", "PO1")]), context=CONTEXT),
            headers=creds.headers,
        )
        # then
        assert (before_date.status_code, on_date.status_code, with_doc.status_code) == (202, 400, 202)
        assert "缺少必填数据元素「交易凭证号」" in on_date.json()["errors"][0]["message"]
        assert "national::2027.1" in on_date.json()["errors"][0]["message"]
        assert {e.event_hash: e.body for e in session.scalars(select(Event)) if e.event_hash in stored} == stored
        assert [(f.release, f.elements) for f in session.scalars(select(EventFlag))] == [
            ("national::2026.1", ["trade_document"])
        ]
