"""What a recall order can be refused for."""

from zhuisu.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class UnknownCode(InvalidInput):
    """Nothing is recorded about the code a recall names: there is nothing to recall."""

    code = "unknown_code"


class RecallNotFound(NotFound):
    """No such recall, or one outside the caller's lane (its existence is not told)."""

    code = "recall_not_found"


class NotYourProduct(PermissionDenied):
    """Only the brand owner recalls voluntarily, only a regulator supervising it orders a recall."""

    code = "not_your_product"


class NotYourRecall(PermissionDenied):
    """A holder reads its own lines of a recall, but closes nothing and downloads no report."""

    code = "not_your_recall"


class RecallClosed(Conflict):
    code = "recall_closed"
