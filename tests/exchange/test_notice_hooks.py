"""Notice hooks: a holder registers a webhook, a recall naming it is delivered there signed (issued, then closed),
a receiver that is down gets it later in order; another party can neither see nor remove the hook; bad input is
refused naming the field and writes nothing."""

import hashlib
import hmac
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.exchange.receiver import Receiver
from tests.recall import world
from tests.recall.world import B_SITE, ITEMS, LOT, PGLN
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.notices import delivery
from zhuisu.exchange.subscriptions.delivery import BACKOFF_BASE, Round, http_sender
from zhuisu.kit.time import utc_now
from zhuisu.models import NoticeHook, NoticeMessage

TOKEN = "a-hook-token-of-the-holder-0123456789"


def _count(maker: sessionmaker[Session], table: Any) -> int:
    with unit_of_work(maker, write=False) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_holder_is_told_of_the_recall_by_its_hook(
    client: TestClient, maker: sessionmaker[Session], receiver: Receiver
) -> None:
    # given: retailer B (a holder of items 1 and 2) registered a hook; retailer C did not
    cast = world.build(client, maker)
    made = client.post("/notices/hooks", json={"dest": receiver.url, "signature_token": TOKEN}, headers=cast.b.headers)
    assert made.status_code == 201, made.json()
    hook = made.json()
    assert (hook["owner_id"], hook["dest"], hook["topics"], hook["signature_token"]) == (
        cast.b.party_id, receiver.url, ["recall"], TOKEN,
    )  # fmt: skip
    # when: A recalls the lot, while B's receiver is down
    recall = client.post("/recalls", json=world.order(), headers=cast.a.headers).json()
    send = http_sender(timeout=2, allowed=["127.0.0.1"])
    now = utc_now()
    assert delivery.deliver_due(maker, send, now=now) == Round(0, 1)
    receiver.start()
    assert delivery.deliver_due(maker, send, now=now + BACKOFF_BASE / 2) == Round(0, 0)  # backing off
    assert delivery.deliver_due(maker, send, now=now + BACKOFF_BASE) == Round(1, 0)
    # then: one notice, signed with B's token, telling B what it holds and what to do
    (body, _), = receiver.bodies  # fmt: skip
    assert receiver_signature(receiver) == "sha256=" + hmac.new(TOKEN.encode(), body, hashlib.sha256).hexdigest()
    notice = json.loads(body)
    assert (notice["type"], notice["event"]) == ("RecallNotice", "issued")
    assert {k: notice["recall"][k] for k in ("id", "kind", "level", "status", "code", "reason", "link")} == {
        "id": recall["id"], "kind": "voluntary", "level": 2, "status": "open", "code": LOT,
        "reason": "菌落总数超标", "link": f"/recalls/{recall['id']}",
    }  # fmt: skip
    assert notice["holder"] == {
        "party": PGLN + world.B_PGLN, "name": "示范市乙超市", "quantity_out": 2.0, "uom": None, "things": 2,
    }  # fmt: skip
    assert "recalled" in notice["what_to_do_zh"]
    # the delivery log, as B reads it
    log = client.get(f"/notices/hooks/{hook['id']}/notices", headers=cast.b.headers).json()
    assert [(n["topic"], n["attempts"], n["delivered"], n["last_status"]) for n in log] == [("recall", 2, True, 204)]
    # when: B confirms and A closes the recall: B is told it is closed
    world.capture(client, cast.b, world.event(ITEMS[:2], B_SITE, 1, disposition="recalled"))
    closed = client.post(f"/recalls/{recall['id']}/close", json={"note": "完成"}, headers=cast.a.headers)
    assert closed.status_code == 200, closed.json()
    assert delivery.deliver_due(maker, send, now=now + 2 * BACKOFF_BASE) == Round(1, 0)
    last = json.loads(receiver.bodies[-1][0])
    assert (last["event"], last["recall"]["status"], last["recall"]["close_note"]) == ("closed", "closed", "完成")
    assert last["recall"]["completion_percent"] == 50.0  # B's 2 of the 4 items
    assert _count(maker, NoticeMessage) == 2


def receiver_signature(receiver: Receiver) -> str:
    return receiver.signatures[-1]


def test_another_party_can_neither_see_nor_remove_a_hook(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast = world.build(client, maker)
    hook = client.post("/notices/hooks", json={"dest": "https://b.example/hook"}, headers=cast.b.headers).json()
    assert len(hook["signature_token"]) >= 40  # made for B
    assert client.get("/notices/hooks", headers=cast.d.headers).json() == []
    assert [h["id"] for h in client.get("/notices/hooks", headers=cast.b.headers).json()] == [hook["id"]]
    assert [h["id"] for h in client.get("/notices/hooks", headers=cast.admin.headers).json()] == [hook["id"]]
    for method, path in (("delete", f"/notices/hooks/{hook['id']}"), ("get", f"/notices/hooks/{hook['id']}/notices")):
        refused = client.request(method, path, headers=cast.d.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_your_hook")
    assert "signature_token" not in client.get("/notices/hooks", headers=cast.b.headers).json()[0]
    assert _count(maker, NoticeHook) == 1
    assert client.delete(f"/notices/hooks/{hook['id']}", headers=cast.b.headers).status_code == 204
    assert _count(maker, NoticeHook) == 0
    assert client.delete(f"/notices/hooks/{hook['id']}", headers=cast.b.headers).status_code == 404


def test_bad_hooks_are_refused_naming_the_field(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast = world.build(client, maker)
    for body, field in (
        ({"dest": "ftp://b.example/hook"}, "dest"),
        ({"dest": "http://169.254.169.254/latest/meta-data"}, "dest"),
        ({"dest": "https://b.example/hook", "topics": ["alerts"]}, "topics"),
        ({"dest": "https://b.example/hook", "topics": []}, "topics"),
        ({"dest": "https://b.example/hook", "secret": "x"}, "secret"),
    ):
        refused = client.post("/notices/hooks", json=body, headers=cast.b.headers)
        assert refused.status_code in (400, 422), (body, refused.json())
        assert field in json.dumps(refused.json()), (body, refused.json())
    assert client.post("/notices/hooks", json={"dest": "https://b.example/hook"}).status_code == 401
    assert _count(maker, NoticeHook) == 0


def test_holders_without_a_hook_and_unregistered_holders_queue_nothing(
    client: TestClient, maker: sessionmaker[Session]
) -> None:
    cast = world.build(client, maker)
    client.post("/notices/hooks", json={"dest": "https://d.example/hook"}, headers=cast.d.headers)  # not a holder
    assert client.post("/recalls", json=world.order(), headers=cast.a.headers).status_code == 201
    assert _count(maker, NoticeMessage) == 0
