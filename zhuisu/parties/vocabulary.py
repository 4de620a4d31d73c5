"""Fixed vocabularies of master data: party types, roles in the chain, licence types (code → zh-CN, English)."""

from zhuisu.kit.i18n import cpair, pair

PARTY_TYPES: dict[str, tuple[str, str]] = {
    "enterprise": pair("enterprise"),
    "individual": pair("sole trader or farmer"),
    "institution": pair("public institution"),
    "government": pair("government department"),
    "platform": pair("platform"),
}

#: What a party may do on this node (``parties.actor``), granted by an admin only.
ACTORS: dict[str, tuple[str, str]] = {
    "enterprise": pair("enterprise"),
    "platform": cpair("actor", "platform"),
    "regulator": pair("regulator"),
    "inspector": pair("inspection body"),
    "node": pair("zhuisu node"),
    "admin": pair("node administrator"),
}

#: Profile values that claim authority: only an admin sets them (a party could otherwise call itself a regulator).
RESERVED_PARTY_TYPES = frozenset({"government"})
RESERVED_ROLES = frozenset({"regulator", "inspection_body"})

ROLES: dict[str, tuple[str, str]] = {
    "producer": pair("producer"),
    "processor": pair("processor"),
    "wholesaler": pair("wholesaler"),
    "market": pair("market"),
    "retailer": pair("retailer"),
    "logistics": pair("logistics"),
    "ecommerce": pair("e-commerce"),
    "hospital": pair("hospital"),
    "pharmacy": pair("pharmacy"),
    "canteen": pair("canteen"),
    "importer": pair("importer"),
    "inspection_body": pair("inspection body"),
    "regulator": pair("regulator department"),
    "user": pair("user (operator of equipment, buyer of inputs)"),
}

#: Licence type → (zh-CN name, English name, code scheme its number must validate in, or None).
LICENCE_TYPES: dict[str, tuple[str, str, str | None]] = {
    "sc_food_production": (*pair("food production licence (SC)"), "sc-licence"),
    "food_business": (*pair("food business licence"), None),
    "drug_manufacturing": (*pair("drug manufacturing licence"), None),
    "drug_distribution": (*pair("drug distribution licence"), None),
    "medical_institution": (*pair("medical institution practice licence"), None),
    "pesticide_registration": (*pair("pesticide registration certificate"), None),
    "pesticide_production": (*pair("pesticide production licence"), None),
    "pesticide_business": (*pair("pesticide business licence"), None),
    "vet_drug_registration": (*pair("veterinary drug approval number"), None),
    "vet_drug_production": (*pair("veterinary drug production licence"), None),
    "feed_production": (*pair("feed production licence"), None),
    "fertilizer_registration": (*pair("fertilizer registration certificate"), None),
    "seed_production": (*pair("crop seed production and business licence"), None),
    "animal_epidemic_prevention": (*pair("animal epidemic prevention certificate"), None),
    "special_equipment_manufacture": (*pair("special equipment manufacturing licence"), None),
    "special_equipment_installation": (
        *pair("special equipment installation, alteration and repair licence"),
        None,
    ),
    "special_equipment_filling": (*pair("cylinder filling licence"), None),
    "hazardous_chemical_business": (*pair("hazardous chemicals business licence"), None),
    "hazardous_chemical_production": (
        *pair("hazardous chemicals production safety licence"),
        None,
    ),
    "toxic_chemical_purchase": (*pair("highly toxic chemicals purchase permit"), None),
    "precursor_purchase": (*pair("explosive precursor chemicals purchase record certificate"), None),
    "hazardous_chemical_use": (*pair("hazardous chemicals safe use licence"), None),
    "explosive_purchase": (*pair("civil explosives purchase permit"), None),
    "dangerous_goods_transport": (*pair("road dangerous goods transport permit"), None),
    "explosive_production": (*pair("civil explosives production licence"), None),
    "explosive_sale": (*pair("civil explosives sales licence"), None),
    "fireworks_business": (*pair("fireworks business licence"), None),
    "mining": (*pair("mining licence"), None),
    "customs_registration": (*pair("customs consignee/consignor registration"), None),
    "inspection_accreditation": (*pair("inspection body accreditation (CMA)"), None),
    "other": (*pair("other licence"), None),
}


def licence_type_name(licence_type: str) -> tuple[str, str]:
    """(zh-CN, English) name of a licence type; an unknown type by itself."""
    zh, en, _ = LICENCE_TYPES.get(licence_type, (licence_type, licence_type, None))
    return zh, en
