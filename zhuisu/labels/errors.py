"""Errors of the labels domain: data that cannot be put into a symbol or onto a sheet."""

from zhuisu.errors import InvalidInput


class NotEncodable(InvalidInput):
    """The encoder refused the data: most often it does not fit in the largest symbol of the symbology."""

    code = "not_encodable"


class InvalidSheetLayout(InvalidInput):
    """A label sheet layout that leaves no room for a symbol (too many labels per page)."""

    code = "invalid_sheet_layout"


class UnreadableImage(InvalidInput):
    """An uploaded picture that is not an image Pillow can open (or is too large to decode)."""

    code = "unreadable_image"
