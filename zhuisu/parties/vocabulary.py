"""Fixed vocabularies of master data: party types, roles in the chain, licence types (code → zh-CN, English)."""

PARTY_TYPES: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "enterprise"),
    "individual": ("个体工商户/农户", "sole trader or farmer"),
    "institution": ("事业单位", "public institution"),
    "government": ("政府部门", "government department"),
    "platform": ("平台", "platform"),
}

#: What a party may do on this node (``parties.actor``), granted by an admin only.
ACTORS: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "enterprise"),
    "platform": ("第三方平台", "platform"),
    "regulator": ("监管部门", "regulator"),
    "inspector": ("检验检测机构", "inspection body"),
    "node": ("追溯节点", "zhuisu node"),
    "admin": ("节点管理员", "node administrator"),
}

#: Profile values that claim authority: only an admin sets them (a party could otherwise call itself a regulator).
RESERVED_PARTY_TYPES = frozenset({"government"})
RESERVED_ROLES = frozenset({"regulator", "inspection_body"})

ROLES: dict[str, tuple[str, str]] = {
    "producer": ("生产者（种植养殖、制造）", "producer"),
    "processor": ("加工者（屠宰、加工）", "processor"),
    "wholesaler": ("批发商", "wholesaler"),
    "market": ("批发市场/农贸市场", "market"),
    "retailer": ("零售商", "retailer"),
    "logistics": ("物流/运输", "logistics"),
    "ecommerce": ("电子商务", "e-commerce"),
    "hospital": ("医疗机构", "hospital"),
    "pharmacy": ("药店", "pharmacy"),
    "canteen": ("集体用餐单位/食堂", "canteen"),
    "importer": ("进口商", "importer"),
    "inspection_body": ("检验检测机构", "inspection body"),
    "regulator": ("监管部门", "regulator department"),
    "user": ("使用单位", "user (operator of equipment, buyer of inputs)"),
}

#: Licence type → (zh-CN name, English name, code scheme its number must validate in, or None).
LICENCE_TYPES: dict[str, tuple[str, str, str | None]] = {
    "sc_food_production": ("食品生产许可证（SC）", "food production licence (SC)", "sc-licence"),
    "food_business": ("食品经营许可证", "food business licence", None),
    "drug_manufacturing": ("药品生产许可证", "drug manufacturing licence", None),
    "drug_distribution": ("药品经营许可证", "drug distribution licence", None),
    "medical_institution": ("医疗机构执业许可证", "medical institution practice licence", None),
    "pesticide_registration": ("农药登记证", "pesticide registration certificate", None),
    "pesticide_production": ("农药生产许可证", "pesticide production licence", None),
    "pesticide_business": ("农药经营许可证", "pesticide business licence", None),
    "vet_drug_registration": ("兽药产品批准文号", "veterinary drug approval number", None),
    "vet_drug_production": ("兽药生产许可证", "veterinary drug production licence", None),
    "feed_production": ("饲料生产许可证", "feed production licence", None),
    "fertilizer_registration": ("肥料登记证", "fertilizer registration certificate", None),
    "seed_production": ("农作物种子生产经营许可证", "crop seed production and business licence", None),
    "animal_epidemic_prevention": ("动物防疫条件合格证", "animal epidemic prevention certificate", None),
    "special_equipment_manufacture": ("特种设备生产许可证（制造）", "special equipment manufacturing licence", None),
    "special_equipment_installation": (
        "特种设备生产许可证（安装改造修理）",
        "special equipment installation, alteration and repair licence",
        None,
    ),
    "special_equipment_filling": ("移动式压力容器/气瓶充装许可证", "cylinder filling licence", None),
    "hazardous_chemical_business": ("危险化学品经营许可证", "hazardous chemicals business licence", None),
    "hazardous_chemical_production": (
        "危险化学品安全生产许可证",
        "hazardous chemicals production safety licence",
        None,
    ),
    "toxic_chemical_purchase": ("剧毒化学品购买许可证", "highly toxic chemicals purchase permit", None),
    "dangerous_goods_transport": ("道路危险货物运输许可证", "road dangerous goods transport permit", None),
    "explosive_production": ("民用爆炸物品生产许可证", "civil explosives production licence", None),
    "explosive_sale": ("民用爆炸物品销售许可证", "civil explosives sales licence", None),
    "fireworks_business": ("烟花爆竹经营许可证", "fireworks business licence", None),
    "mining": ("采矿许可证", "mining licence", None),
    "customs_registration": ("海关进出口货物收发货人备案", "customs consignee/consignor registration", None),
    "inspection_accreditation": ("检验检测机构资质认定证书（CMA）", "inspection body accreditation (CMA)", None),
    "other": ("其他许可证", "other licence", None),
}
