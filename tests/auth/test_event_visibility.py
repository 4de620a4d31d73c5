"""What each caller reads of the events: an enterprise its own and those naming it (its party GLN or locations as
business location, read point, source or destination), a regulator those recorded in its jurisdiction, the admin
all — in SQL, so single events, pages, browse lists and subscriptions agree."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.db.session import unit_of_work
from zhuisu.models import Event, OutboxMessage, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

# Party GLNs (417) and site GLNs (414) of A (a producer in 370602), B (A's customer) and C (unrelated, in Beijing).
# Not 6901234000016 for A: that is the default read point of ``object_event``, and a party's own GLN as a location
# is the party's site (every event would be in A's lane).
A_PGLN, B_PGLN, C_PGLN = "6901234000047", "6901234000023", "6901234000030"
A_SITE, B_SITE, C_SITE = "6901234000115", "6901234000122", "6901234000139"


def _dl(key: str, gln: str) -> str:
    return f"https://id.gs1.org/{key}/{gln}"


def _party(maker: sessionmaker[Session], name: str, pgln: str, site: str, region: str) -> Credentials:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=name, gln=pgln, region=region)
        masterdata.add_location(s, party, name=f"{name}仓库", gln=site, region=region)
        return Credentials(party.id, parties_service.issue_token(s, party=party).secret)


@pytest.fixture
def lanes(client: TestClient, maker: sessionmaker[Session], admin: Credentials) -> dict[str, Credentials]:
    a = _party(maker, "示范市甲食品有限公司", A_PGLN, A_SITE, "370602")
    b = _party(maker, "示范市乙超市", B_PGLN, B_SITE, "370602")
    c = _party(maker, "北京丙食品有限公司", C_PGLN, C_SITE, "110101")
    with unit_of_work(maker) as s:
        regulator = parties_service.create_party(s, name="示范市市场监督管理局")
        parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
        r = Credentials(regulator.id, parties_service.issue_token(s, party=regulator).secret)
    events = {
        a: [
            # at A's own site
            object_event(1, eventID="urn:uuid:a-own", bizLocation={"id": _dl("414", A_SITE)}, bizStep="commissioning"),
            # shipped by A to B (B's party GLN as destination)
            object_event(
                2,
                eventID="urn:uuid:a-to-b",
                sourceList=[{"type": "owning_party", "source": _dl("417", A_PGLN)}],
                destinationList=[{"type": "owning_party", "destination": _dl("417", B_PGLN)}],
            ),
        ],
        c: [object_event(3, eventID="urn:uuid:c-own", bizLocation={"id": _dl("414", C_SITE)})],
        # recorded by the admin (nobody else may record at A's site) at a read point on A's site, a sub-location
        admin: [object_event(4, eventID="urn:uuid:x-at-a", readPoint={"id": _dl("414", A_SITE) + "/254/dock1"})],
    }
    for owner, batch in events.items():
        assert client.post("/capture", json=document(*batch), headers=owner.headers).status_code == 202
    return {"A": a, "B": b, "C": c, "regulator": r, "admin": admin}


def _events(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


def _ids(client: TestClient, creds: Credentials, path: str = "/events", **params: Any) -> list[str]:
    response = client.get(path, params=params, headers=creds.headers)
    assert response.status_code == 200, response.json()
    return [e["eventID"] for e in _events(response.json())]


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("A", ["urn:uuid:a-own", "urn:uuid:a-to-b", "urn:uuid:x-at-a"]),
        ("B", ["urn:uuid:a-to-b"]),
        ("C", ["urn:uuid:c-own"]),
        ("regulator", ["urn:uuid:a-own", "urn:uuid:a-to-b"]),
        ("admin", ["urn:uuid:a-own", "urn:uuid:a-to-b", "urn:uuid:c-own", "urn:uuid:x-at-a"]),
    ],
)
def test_each_caller_reads_its_lane(
    client: TestClient, lanes: dict[str, Credentials], who: str, seen: list[str]
) -> None:
    assert _ids(client, lanes[who], orderBy="eventTime", orderDirection="ASC") == seen


def test_pages_and_counts_agree_with_the_lane(client: TestClient, lanes: dict[str, Credentials]) -> None:
    a = lanes["A"]
    first = client.get(
        "/events", params={"perPage": 2, "orderBy": "eventTime", "orderDirection": "ASC"}, headers=a.headers
    )
    link = first.headers["Link"].split(";")[0].strip("<>")
    second = client.get(link, headers=a.headers)
    pages = [
        [e["eventID"] for e in r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
        for r in (first, second)
    ]
    assert pages == [["urn:uuid:a-own", "urn:uuid:a-to-b"], ["urn:uuid:x-at-a"]]
    assert "Link" not in second.headers
    too_many = client.get("/events", params={"maxEventCount": 2}, headers=a.headers)
    assert too_many.status_code == 413
    assert client.get("/events", params={"maxEventCount": 3}, headers=a.headers).status_code == 200


def test_an_event_outside_the_lane_is_not_found(client: TestClient, lanes: dict[str, Credentials]) -> None:
    outside = client.get("/events/urn:uuid:c-own", headers=lanes["B"].headers)
    assert (outside.status_code, outside.json()["code"]) == (404, "not_found")
    assert _ids(client, lanes["B"], "/events/urn:uuid:a-to-b") == ["urn:uuid:a-to-b"]


def test_browse_lists_only_what_the_lane_names(client: TestClient, lanes: dict[str, Credentials]) -> None:
    b, c = lanes["B"], lanes["C"]
    assert client.get("/bizLocations", headers=c.headers).json()["member"] == [_dl("414", C_SITE)]
    assert client.get("/bizLocations", headers=b.headers).json()["member"] == []
    hidden = client.get(f"/bizLocations/{_dl('414', C_SITE).replace('/', '%2F')}/events", headers=b.headers)
    assert hidden.status_code == 404
    assert client.get("/epcs", headers=b.headers).json()["member"] == ["https://id.gs1.org/01/06901234123456/21/2"]


def test_subscribers_are_sent_only_their_lane(
    client: TestClient, lanes: dict[str, Credentials], session: Session
) -> None:
    # given B's stream subscription to every shipping event
    b, c = lanes["B"], lanes["C"]
    assert (
        client.post(
            "/queries", headers=b.headers, json={"name": "b-ship", "query": {"EQ_bizStep": ["shipping"]}}
        ).status_code
        == 201
    )
    hook = {"dest": "https://b.example/hook", "stream": True}
    assert client.post("/queries/b-ship/subscriptions", headers=b.headers, json=hook).status_code == 201
    # when C ships something of its own, and A ships to B
    client.post("/capture", json=document(object_event(5, eventID="urn:uuid:c-ship")), headers=c.headers)
    to_b = object_event(
        6, eventID="urn:uuid:a-to-b-2", destinationList=[{"type": "owning_party", "destination": _dl("417", B_PGLN)}]
    )
    client.post("/capture", json=document(to_b), headers=lanes["A"].headers)
    # then B's outbox holds A's shipment to B only
    queued = [pk for pks in session.scalars(select(OutboxMessage.event_pks)) for pk in pks]
    assert queued == list(session.scalars(select(Event.id).where(Event.event_id == "urn:uuid:a-to-b-2")))


def test_a_regulators_mandate_narrows_to_the_classes_recorders_are_registered_with(
    client: TestClient, lanes: dict[str, Credentials], maker: sessionmaker[Session]
) -> None:
    with unit_of_work(maker) as s:
        a = s.get(Party, lanes["A"].party_id)
        assert a is not None
        a.product_class = "food.dairy"
        found = {}
        for mandate in (["food"], ["food.dairy"], ["drug"], ["food.liquor"]):
            regulator = parties_service.create_party(s, name=f"示范市监管 {mandate[0]}")
            parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706", mandate=mandate)
            found[mandate[0]] = Credentials(regulator.id, parties_service.issue_token(s, party=regulator).secret)
    a_events = ["urn:uuid:a-own", "urn:uuid:a-to-b"]
    assert {m: _ids(client, c, orderBy="eventTime", orderDirection="ASC") for m, c in found.items()} == {
        "food": a_events,
        "food.dairy": a_events,
        "drug": [],
        "food.liquor": [],
    }
