"""The cold-chain summary of a product page (冷链温度): the temperature readings on the product's journey — how
many, the lowest and highest, the range of its class, the minutes outside it, per site or carrier — and a thinned
series for a small chart. For the public: no devices, no files, no shipment numbers.

The readings counted are those of the journey's events (the story's trace) that name the code itself, another code
of the same product (its lot, its items: the same GTIN), or a logistic unit (SSCC) it travelled in; the readings of
other products on the trace (a transformation's inputs) are theirs, not this product's. Minutes outside are counted
as ``readings.excursions`` counts them (each reading outside holds until the next reading), each to the leg of the
reading that starts it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from zhuisu.epcis.identifiers import named_codes
from zhuisu.models import Event
from zhuisu.sectors.coldchain import repository, service
from zhuisu.sectors.coldchain.readings import Reading, excursions, in_order, minutes_outside, readings_of
from zhuisu.sectors.coldchain.schemas import PublicColdChainRead, PublicLegRead

SITE = "https://id.gs1.org/414/"
LOGISTIC_UNIT = "https://id.gs1.org/00/"
SERIES = 200


def related(code: str, named: Iterable[str]) -> bool:
    """Whether an event naming ``named`` concerns ``code``'s product (see the module docstring).

    >>> lot = "https://id.gs1.org/01/06901234567892/10/L1"
    >>> related(lot, ["https://id.gs1.org/01/06901234567892/21/7"]), related(lot, ["https://id.gs1.org/00/1"])
    (True, True)
    >>> related(lot, ["https://id.gs1.org/01/06901234567885/10/L1"])
    False
    """
    gtin = service.gtin_of(code)
    return any(
        n == code or n.startswith(LOGISTIC_UNIT) or (gtin is not None and service.gtin_of(n) == gtin) for n in named
    )


@dataclass
class _Leg:
    key: tuple[str, str]
    biz_step: str | None
    values: list[Reading] = field(default_factory=list)
    minutes: float = 0.0


def thin(values: list[Reading], limit: int = SERIES) -> list[Reading]:
    """At most ``limit`` readings, evenly spaced, the lowest and highest kept."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    keep = {int(n * step) for n in range(limit)} | {len(values) - 1}
    keep |= {min(range(len(values)), key=lambda n: values[n].celsius)}
    keep |= {max(range(len(values)), key=lambda n: values[n].celsius)}
    return [values[n] for n in sorted(keep)]


def public_summary(
    session: Session, code: str, class_id: str | None, events: Iterable[Event]
) -> PublicColdChainRead | None:
    """The cold-chain summary of ``code`` (a product of ``class_id``) from its journey's ``events``; None when no
    event of its product carries a temperature."""
    chosen = sorted(
        (e for e in events if "sensorElementList" in e.body and related(code, named_codes(e.body))),
        key=lambda e: (e.event_time, e.id),
    )
    values = in_order(r for e in chosen for r in readings_of(e.body, e.id))
    if not values:
        return None
    allowed = service.policy(session).range(class_id)
    by_event = {e.id: e for e in chosen}
    legs: dict[tuple[str, str], _Leg] = {}
    outside = minutes_outside(values, allowed) if allowed else [0.0] * len(values)
    for reading, minutes in zip(values, outside, strict=True):
        event = by_event[reading.ref]
        place = (event.body.get("bizLocation") or {}).get("id") or (event.body.get("readPoint") or {}).get("id")
        key = ("site", str(place)) if place else ("road", event.recorder_id)
        leg = legs.setdefault(key, _Leg(key, event.biz_step))
        leg.values.append(reading)
        leg.minutes += minutes
    names = repository.location_names(
        session, [k[1].removeprefix(SITE) for k in legs if k[0] == "site" and k[1].startswith(SITE)]
    )
    carriers = repository.party_names(session, [k[1] for k in legs if k[0] == "road"])
    found = excursions(values, allowed) if allowed else []
    return PublicColdChainRead(
        readings=len(values),
        first=values[0].time,
        last=values[-1].time,
        min_celsius=min(v.celsius for v in values),
        max_celsius=max(v.celsius for v in values),
        allowed=list(allowed) if allowed else None,
        minutes_outside=round(sum(outside), 2),
        excursions=len(found),
        legs=[
            PublicLegRead(
                label=_label(leg.key, names, carriers),
                on_road=leg.key[0] == "road",
                biz_step=leg.biz_step,
                first=leg.values[0].time,
                last=leg.values[-1].time,
                readings=len(leg.values),
                min_celsius=min(v.celsius for v in leg.values),
                max_celsius=max(v.celsius for v in leg.values),
                minutes_outside=round(leg.minutes, 2),
            )
            for leg in sorted(legs.values(), key=lambda g: g.values[0].time)
        ],
        series=[(v.time, v.celsius) for v in thin(values)],
    )


def _label(key: tuple[str, str], names: dict[str, str], carriers: dict[str, str]) -> str:
    kind, value = key
    if kind == "road":
        return carriers.get(value, "")
    return names.get(value.removeprefix(SITE), value)
