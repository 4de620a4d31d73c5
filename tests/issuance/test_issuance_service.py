"""Tests for zhuisu.issuance.service: ranges, schemes, lots, commissioning events, errors that change nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.issuance import service
from zhuisu.issuance.errors import InvalidIssueField, NotYourBatch, PrefixTaken
from zhuisu.models import AuditEntry, CodeBatch, CodeCounter, Event, EventEpc, Party
from zhuisu.parties import service as parties_service

GTIN = "6901234567892"
GTIN14 = "06901234567892"
PREFIX = "6901234"


def _party(session: Session, name: str = "示范市食品有限公司", uscc: str | None = "91110000600037341L") -> Party:
    return parties_service.create_party(session, name=name, uscc=uscc)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestZhuisuScheme:
    def test_codes_carry_region_party_number_and_serial(self, session: Session) -> None:
        party = _party(session)

        issued = service.issue_codes(session, party=party, product_code="RICE-5KG", product_name="五常大米", count=3)

        assert issued.codes == [
            "ZS11100000000010000000001D",
            "ZS11100000000010000000002B",
            "ZS111000000000100000000039",
        ]
        batch = issued.batch
        assert (batch.scheme, batch.counter, batch.first_serial, batch.last_serial, batch.count) == (
            "zhuisu",
            "zhuisu/110000/000001/1",
            1,
            3,
            3,
        )
        assert (batch.party_id, batch.issued_by_id, batch.product_code, batch.product_name, batch.lot_code) == (
            party.id,
            party.id,
            "RICE-5KG",
            "五常大米",
            None,
        )

    def test_second_batch_continues_the_range(self, session: Session) -> None:
        party = _party(session)
        service.issue_codes(session, party=party, product_code="A", count=2)

        issued = service.issue_codes(session, party=party, product_code="B", count=1)

        assert issued.codes == ["ZS111000000000100000000039"]
        assert (issued.batch.first_serial, issued.batch.last_serial) == (3, 3)

    def test_parties_of_one_region_get_successive_numbers(self, session: Session) -> None:
        service.issue_codes(session, party=_party(session), product_code="A", count=1)
        other = parties_service.create_party(session, name="另一家公司", region="110000")

        issued = service.issue_codes(session, party=other, product_code="A", count=1)

        assert issued.codes == ["ZS11100000000020000000001Z"]

    def test_lot_gets_one_kind_2_code_reused_by_later_batches(self, session: Session) -> None:
        party = _party(session)

        first = service.issue_codes(session, party=party, product_code="A", lot="L2026-01", count=1)
        second = service.issue_codes(session, party=party, product_code="A", lot="L2026-01", count=1)

        assert first.batch.lot_code == second.batch.lot_code == "ZS211000000000100000000018"

    def test_party_without_region_is_refused_and_nothing_is_written(self, session: Session) -> None:
        party = _party(session, uscc=None)
        before = (_count(session, CodeBatch), _count(session, CodeCounter), _count(session, Event))

        with pytest.raises(InvalidIssueField) as caught:
            service.issue_codes(session, party=party, product_code="A", count=1)

        assert caught.value.field == "region"
        assert (_count(session, CodeBatch), _count(session, CodeCounter), _count(session, Event)) == before


class TestGs1Scheme:
    def test_sgtin_digital_links_and_lot_code(self, session: Session) -> None:
        party = _party(session)
        service.set_gs1_prefix(session, party=party, prefix=PREFIX)

        issued = service.issue_codes(session, party=party, gtin=GTIN, lot="B7", count=2)

        assert issued.codes == [f"https://id.gs1.org/01/{GTIN14}/21/1", f"https://id.gs1.org/01/{GTIN14}/21/2"]
        assert (issued.batch.scheme, issued.batch.gtin, issued.batch.counter, issued.batch.lot_code) == (
            "gs1",
            GTIN14,
            f"gs1/01/{GTIN14}",
            f"https://id.gs1.org/01/{GTIN14}/10/B7",
        )

    def test_gtin_without_registered_prefix_is_refused(self, session: Session) -> None:
        party = _party(session)

        with pytest.raises(InvalidIssueField) as caught:
            service.issue_codes(session, party=party, gtin=GTIN, count=1)

        assert caught.value.field == "gtin"
        assert _count(session, CodeCounter) == 0

    def test_gtin_of_another_prefix_is_refused(self, session: Session) -> None:
        party = _party(session)
        service.set_gs1_prefix(session, party=party, prefix="6909999")

        with pytest.raises(InvalidIssueField) as caught:
            service.issue_codes(session, party=party, gtin=GTIN, count=1)

        assert (caught.value.field, caught.value.message_en) == (
            "gtin",
            f"GTIN {GTIN14} is not under the party's company prefix 6909999",
        )

    def test_bad_check_digit_names_the_field(self, session: Session) -> None:
        party = _party(session)
        service.set_gs1_prefix(session, party=party, prefix=PREFIX)

        with pytest.raises(InvalidIssueField) as caught:
            service.issue_codes(session, party=party, gtin="6901234567893", count=1)

        assert (caught.value.field, caught.value.message_en) == (
            "gtin",
            "invalid GTIN '6901234567893': check digit should be 2, got 3",
        )

    def test_overlapping_prefix_of_another_party_conflicts(self, session: Session) -> None:
        service.set_gs1_prefix(session, party=_party(session), prefix=PREFIX)
        other = _party(session, "另一家公司", None)

        with pytest.raises(PrefixTaken):
            service.set_gs1_prefix(session, party=other, prefix="69012345")


class TestCommissioning:
    def test_events_chunked_by_limit_with_lot_in_ilmd(self, session: Session) -> None:
        party = _party(session)

        issued = service.issue_codes(
            session, party=party, product_code="A", lot="L1", count=5, limits=service.Limits(event_epc_limit=2)
        )

        events = list(
            session.scalars(select(Event).where(Event.capture_id == issued.batch.capture_id).order_by(Event.id))
        )
        assert [len(e.body["epcList"]) for e in events] == [2, 2, 1]
        assert {(e.action, e.biz_step, e.disposition, e.recorder_id) for e in events} == {
            ("ADD", "commissioning", "active", party.id)
        }
        assert events[0].body["ilmd"] == {"cbvmda:lotNumber": "L1"}
        assert events[0].body["epcList"][0] == "urn:zhuisu:code:" + issued.codes[0]
        assert issued.batch.event_count == 3
        indexed = session.scalars(
            select(EventEpc.value).where(EventEpc.event_pk.in_([e.id for e in events]), EventEpc.role == "epc")
        ).all()
        assert sorted(indexed) == sorted("urn:zhuisu:code:" + c for c in issued.codes)

    def test_audit_entry_records_the_range(self, session: Session) -> None:
        party = _party(session)

        issued = service.issue_codes(session, party=party, product_code="A", count=4)

        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "codes_issued"))
        assert entry is not None
        assert (entry.actor_id, entry.subject, entry.payload) == (
            party.id,
            issued.batch.id,
            {"party": party.id, "counter": "zhuisu/110000/000001/1", "first": 1, "count": 4, "lot": None},
        )


class TestRequestChecks:
    @pytest.mark.parametrize(
        ("_case", "kwargs", "field"),
        [
            ("none", {"count": 1}, "gtin"),
            ("both", {"gtin": GTIN, "product_code": "A", "count": 1}, "gtin"),
            ("zero", {"product_code": "A", "count": 0}, "count"),
            ("too many", {"product_code": "A", "count": 11}, "count"),
            ("lot alphabet", {"product_code": "A", "lot": "批次1", "count": 1}, "lot"),
            ("lot length", {"product_code": "A", "lot": "L" * 21, "count": 1}, "lot"),
        ],
    )
    def test_invalid_field_is_named_and_nothing_written(
        self, session: Session, _case: str, kwargs: dict[str, object], field: str
    ) -> None:
        party = _party(session)

        with pytest.raises(InvalidIssueField) as caught:
            service.issue_codes(session, party=party, limits=service.Limits(max_count=10), **kwargs)  # type: ignore[arg-type]

        assert caught.value.field == field
        assert (_count(session, CodeBatch), _count(session, CodeCounter)) == (0, 0)


class TestCheckCode:
    def test_item_and_lot_codes_are_found_in_their_batch(self, session: Session) -> None:
        party = _party(session)
        service.set_gs1_prefix(session, party=party, prefix=PREFIX)
        gs1 = service.issue_codes(session, party=party, gtin=GTIN, lot="B7", count=3)
        zs = service.issue_codes(session, party=party, product_code="A", lot="L1", count=3)

        found = {
            text: service.check_code(session, text).batch
            for text in [
                gs1.codes[1],
                f"(01){GTIN14}(21)3",
                f"urn:epc:id:sgtin:{PREFIX}.0{GTIN14[8:13]}.2",
                f"https://id.gs1.org/01/{GTIN14}/10/B7",
                zs.codes[2],
                str(zs.batch.lot_code),
                f"https://id.gs1.org/01/{GTIN14}/21/4",
                f"https://id.gs1.org/01/{GTIN14}/21/01",
                "ZS11100000000010000000009Y",
                "not a code",
            ]
        }

        assert [b.id if b else None for b in found.values()] == [
            gs1.batch.id,
            gs1.batch.id,
            gs1.batch.id,
            gs1.batch.id,
            zs.batch.id,
            zs.batch.id,
            None,
            None,
            None,
            None,
        ]

    def test_batch_of_another_party_is_not_readable(self, session: Session) -> None:
        issued = service.issue_codes(session, party=_party(session), product_code="A", count=1)
        other = _party(session, "另一家公司", None)

        with pytest.raises(NotYourBatch):
            service.get_batch(session, issued.batch.id, actor=other)
