"""Validation of EPCIS 2.0 XML against the GS1 XSDs shipped in ``xsd/`` (loaded once, never from the network)."""

from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from zhuisu.epcis.xml import names

_ROOTS = {
    names.EPCIS_2: "EPCglobal-epcis-2_0.xsd",
    names.QUERY_2: "EPCglobal-epcis-query-2_0.xsd",
    names.MASTERDATA_2: "EPCglobal-epcis-masterdata-2_0.xsd",
}


@cache
def _schema(filename: str) -> Any:
    path = resources.files("zhuisu.epcis.xml").joinpath("xsd", filename)
    with resources.as_file(path) as file:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.XMLSchema(etree.parse(str(file), parser))


def xsd_errors(root: Any) -> list[str]:
    """The XSD violations of an EPCIS 2.0 document (``[]`` when valid); EPCIS 1.2 and unknown roots: ``[]``."""
    namespace = etree.QName(root).namespace
    filename = _ROOTS.get(namespace or "")
    if filename is None:
        return []
    schema = _schema(filename)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
