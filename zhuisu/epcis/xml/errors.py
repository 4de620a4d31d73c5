"""Errors of the EPCIS XML binding."""

from zhuisu.errors import InvalidInput


class InvalidXml(InvalidInput):
    """The body is not well-formed XML, or not an EPCIS document this node can read."""

    code = "invalid_xml"
