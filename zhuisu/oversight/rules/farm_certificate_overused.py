"""``farm_certificate_overused``: the receipts recorded under one farm commitment certificate (承诺达标合格证,
bizTransaction ``BTT-compliance_certificate``) name more of its lot than the certificate covers — the certificate
was reused for other produce, or forged. One alert per certificate, whose evidence grows with each further
receipt; the answerable party is the issuer (its name is on the certificate), the buyers that received under it
read it too; the class is the certificate's, the region its origin."""

from sqlalchemy.orm import Session

from zhuisu.models import Event, FarmCertificate
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.farm import service as farm_service
from zhuisu.sectors.farm.documents import certificate_numbers


def find(session: Session, scope: Scope) -> list[Hit]:
    if scope.full:
        certificates = farm_service.all_certificates(session)
    else:
        numbers = sorted({n for e in scope.new if e.step == "receiving" for n in certificate_numbers(e.body)})
        certificates = list(farm_service.find_certificates(session, numbers).values())
    read = farm_service.receipts_of_all(session, certificates)
    return [hit for c in certificates if (hit := _check(c, read[c.number])) is not None]


def _check(certificate: FarmCertificate, receipts: list[Event]) -> Hit | None:
    received = farm_service.received_quantity(certificate, receipts)
    if received <= certificate.event_quantity + 1e-9:
        return None
    buyers = tuple(sorted({e.recorder_id for e in receipts} - {certificate.issuer_id}))
    return Hit(
        key=f"certificate:{certificate.number}",
        events=tuple(sorted(e.id for e in receipts)),
        codes=(certificate.code,),
        party_id=certificate.issuer_id,
        class_id=certificate.class_id,
        region=certificate.region,
        addressed=buyers,
        detail_zh=f"承诺达标合格证 {certificate.number}（{certificate.product}）开具 {certificate.event_quantity:g} "
        f"{certificate.uom}，收货方已凭其收货 {received:g} {certificate.uom}，超出合格证数量",
        detail_en=f"commitment certificate {certificate.number} ({certificate.product}) covers "
        f"{certificate.event_quantity:g} {certificate.uom}; {received:g} {certificate.uom} were received under it",
        facts={
            "certificate": certificate.number,
            "covered": certificate.event_quantity,
            "received": received,
            "uom": certificate.uom,
            "receipts": len(receipts),
        },
    )


RULE = RiskRule(
    id="farm_certificate_overused",
    severity="high",
    name_zh="合格证超量使用",
    name_en="commitment certificate overused",
    explanation_zh="凭同一张承诺达标合格证收货的数量超过合格证开具的数量：合格证可能被重复使用或伪造。",
    explanation_en="More produce was received under one commitment certificate than it covers: the certificate may "
    "have been reused for other produce, or forged.",
    timed=False,
    find=find,
)
