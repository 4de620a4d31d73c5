"""The CBV 2.0 business steps and dispositions by their Chinese names, as the events spreadsheet offers them (its
dropdowns) and reads them back: an enterprise fills in 发货 or 已售出, the event says ``shipping`` or
``retail_sold``. The CBV short names (and URIs) are read as they are; the portal's names of steps (``零售``,
``赋码/生产`` …) are read too."""

from zhuisu.epcis import cbv
from zhuisu.portal.vocabulary import BIZ_STEPS as PORTAL_STEPS

#: CBV 2.0 business step → its name in the spreadsheet (every term of the standard).
BIZ_STEPS: dict[str, str] = {
    "accepting": "验收",
    "arriving": "到达",
    "assembling": "组装",
    "collecting": "收集",
    "commissioning": "赋码",
    "consigning": "寄售",
    "creating_class_instance": "生产",
    "cycle_counting": "循环盘点",
    "decommissioning": "停用注销",
    "departing": "出发",
    "destroying": "销毁",
    "disassembling": "拆解",
    "dispensing": "调剂发药",
    "encoding": "编码",
    "entering_exiting": "进出场",
    "holding": "暂扣",
    "inspecting": "检验",
    "installing": "安装",
    "killing": "标签灭活",
    "loading": "装车",
    "other": "其他",
    "packing": "包装",
    "picking": "拣货",
    "receiving": "收货",
    "removing": "移除",
    "repackaging": "重新包装",
    "repairing": "维修",
    "replacing": "更换",
    "reserving": "预留",
    "retail_selling": "销售",
    "sampling": "抽样",
    "sensor_reporting": "传感器上报",
    "shipping": "发货",
    "staging_outbound": "备货待发",
    "stock_taking": "盘库",
    "stocking": "上架",
    "storing": "入库",
    "transporting": "运输",
    "unloading": "卸货",
    "unpacking": "拆包",
    "void_shipping": "撤销发货",
}
#: CBV 2.0 disposition → its name in the spreadsheet (every term of the standard).
DISPOSITIONS: dict[str, str] = {
    "active": "在用",
    "available": "可用",
    "completeness_inferred": "完整性推定",
    "completeness_verified": "完整性已核实",
    "conformant": "合格",
    "container_closed": "容器已封闭",
    "container_open": "容器已打开",
    "damaged": "损坏",
    "destroyed": "已销毁",
    "dispensed": "已调剂",
    "disposed": "已处置",
    "encoded": "已编码",
    "expired": "已过期",
    "in_progress": "处理中",
    "in_transit": "运输中",
    "inactive": "未激活",
    "mismatch_class": "品类不符",
    "mismatch_instance": "单品不符",
    "mismatch_quantity": "数量不符",
    "needs_replacement": "需更换",
    "no_pedigree_match": "谱系不符",
    "non_conformant": "不合格",
    "non_sellable_other": "不可销售",
    "partially_dispensed": "部分调剂",
    "recalled": "已召回",
    "reserved": "已预留",
    "retail_sold": "已售出",
    "returned": "已退回",
    "sellable_accessible": "可销售",
    "sellable_not_accessible": "可销售但不可取用",
    "stolen": "被盗",
    "unavailable": "不可用",
    "unknown": "未知",
}

_STEP_BY_NAME = {name: term for term, name in BIZ_STEPS.items()} | {
    zh: term for term, (zh, _en) in PORTAL_STEPS.items() if zh not in BIZ_STEPS.values()
}
_DISPOSITION_BY_NAME = {name: term for term, name in DISPOSITIONS.items()}


def biz_step(value: str) -> str:
    """The CBV business step a cell names: a Chinese name, else the value as it is (a CBV name or a URI).

    >>> biz_step("发货"), biz_step("零售"), biz_step("shipping"), biz_step("urn:example:step:x")
    ('shipping', 'retail_selling', 'shipping', 'urn:example:step:x')
    """
    return _STEP_BY_NAME.get(value.strip(), value.strip())


def disposition(value: str) -> str:
    """The CBV disposition a cell names: a Chinese name, else the value as it is.

    >>> disposition("已售出"), disposition("in_transit")
    ('retail_sold', 'in_transit')
    """
    return _DISPOSITION_BY_NAME.get(value.strip(), value.strip())


def _check() -> None:
    """Every CBV term has a name, and no two terms share one (the tests run this)."""
    assert set(BIZ_STEPS) == set(cbv.BIZ_STEP.words), set(cbv.BIZ_STEP.words) ^ set(BIZ_STEPS)
    assert set(DISPOSITIONS) == set(cbv.DISPOSITION.words), set(cbv.DISPOSITION.words) ^ set(DISPOSITIONS)
    assert len(set(BIZ_STEPS.values())) == len(BIZ_STEPS)
    assert len(set(DISPOSITIONS.values())) == len(DISPOSITIONS)
