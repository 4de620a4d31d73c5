"""Errors of the tamper-evident ledger (RFC 9162 proofs, C2SP signed notes, checkpoints, tlog-proof files).

``LedgerError`` is the root. Like ``zhuisu.codes.errors``, ``str(exc)`` is the English detail and
``exc.message`` (``exc.localized("zh")``) the zh-CN message, so the web layer renders any of them as a
problem document.

>>> err = InvalidProof("wrong proof size 3, want 2")
>>> str(err), err.message, err.code, err.status_code
('wrong proof size 3, want 2', '证明无效：wrong proof size 3, want 2', 'invalid_proof', 422)
>>> isinstance(UnverifiedNote("x"), InvalidSignature), isinstance(OutOfRange("x"), ValueError)
(True, True)
"""

from typing import ClassVar

from zhuisu.errors import ZhuisuError


class LedgerError(ZhuisuError):
    """Root of every ledger error."""

    code: ClassVar[str] = "ledger_error"
    status_code: ClassVar[int] = 500
    default_zh: ClassVar[str] = "账本错误"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"{self.default_zh}：{detail}", message_en=detail)

    def __str__(self) -> str:
        return self.detail


class InvalidProof(LedgerError):
    """An inclusion or consistency proof does not verify, or is malformed (wrong length, hash size)."""

    code = "invalid_proof"
    status_code = 422
    problem_type = "epcisException:ValidationException"
    default_zh = "证明无效"


class InconsistentTree(InvalidProof):
    """Two tree heads of one log cannot both be honest: the log forked or rewrote history."""

    code = "inconsistent_tree"
    status_code = 409
    default_zh = "账本树不一致"


class OutOfRange(LedgerError, ValueError):
    """A leaf index or tree size outside the tree it is asked of."""

    code = "out_of_range"
    status_code = 422
    problem_type = "epcisException:ValidationException"
    default_zh = "索引或树大小超出范围"


class NotYetSigned(LedgerError):
    """No signed checkpoint covers the entry yet: it was written by a path that does not sign (a bulk load, a
    session without the node's settings); the node's worker signs the grown log within a poll interval."""

    code = "not_yet_signed"
    status_code = 409
    default_zh = "尚无已签名的检查点包含该条目"


class MissingNode(LedgerError):
    """The hash store did not return a node hash a computation needs."""

    code = "ledger_node_missing"
    default_zh = "账本缺少节点哈希"


class MalformedNote(LedgerError):
    """Text that is not a well-formed C2SP signed note."""

    code = "malformed_note"
    status_code = 400
    problem_type = "epcisException:ValidationException"
    default_zh = "签名注记格式错误"


class MalformedCheckpoint(MalformedNote):
    """A note text that is not a well-formed C2SP checkpoint."""

    code = "malformed_checkpoint"
    default_zh = "检查点格式错误"


class MalformedProofFile(LedgerError):
    """Text that is not a well-formed ``c2sp.org/tlog-proof@v1`` file."""

    code = "malformed_proof_file"
    status_code = 400
    problem_type = "epcisException:ValidationException"
    default_zh = "证明文件格式错误"


class InvalidTilePath(LedgerError):
    """A path that is not a tlog-tiles tile or entry-bundle path."""

    code = "invalid_tile_path"
    status_code = 404
    problem_type = "epcisException:NoSuchResourceException"
    default_zh = "瓦片路径无效"


class MalformedWitnessRequest(LedgerError):
    """An add-checkpoint request body that breaks c2sp.org/tlog-witness (400 Bad Request)."""

    code = "malformed_witness_request"
    status_code = 400
    problem_type = "epcisException:ValidationException"
    default_zh = "见证请求格式错误"


class UnknownLog(LedgerError):
    """A checkpoint for an origin the witness does not follow (404 Not Found)."""

    code = "unknown_log"
    status_code = 404
    problem_type = "epcisException:NoSuchResourceException"
    default_zh = "未知的日志"


class WitnessConflict(LedgerError):
    """The request's old size is not the witness's latest size, or equal sizes have different roots (409)."""

    code = "witness_conflict"
    status_code = 409
    problem_type = "epcisException:ConflictException"
    default_zh = "与见证人记录冲突"

    def __init__(self, detail: str, known_size: int) -> None:
        self.known_size = known_size
        super().__init__(detail)


class InvalidKey(LedgerError):
    """A malformed signer or verifier key, a key ID that does not match its key, or an ambiguous key set."""

    code = "invalid_key"
    status_code = 400
    problem_type = "epcisException:ValidationException"
    default_zh = "密钥无效"


class InvalidSignature(LedgerError):
    """A signature by a known key does not verify."""

    code = "invalid_signature"
    status_code = 403
    problem_type = "epcisException:SecurityException"
    default_zh = "签名无效"


class UnverifiedNote(InvalidSignature):
    """No signature on the note is by a known key."""

    code = "unverified_note"
    default_zh = "没有可验证的签名"


class InsufficientCosignatures(InvalidSignature):
    """Fewer valid witness cosignatures than the policy's quorum."""

    code = "insufficient_cosignatures"
    default_zh = "见证人联署不足"


class SplitView(LedgerError):
    """Mixin of the witness's refusals that prove a split view: a checkpoint signed by the log's own key that does
    not extend the one the witness cosigned for it (a different root for the same size, or no valid consistency
    proof to it). The log has shown two histories; the node's readers are told (``signals.split_view``)."""


class ForkedCheckpoint(WitnessConflict, SplitView):
    """A signed checkpoint of the size the witness cosigned, with a different root (409)."""


class InconsistentCheckpoint(InvalidProof, SplitView):
    """A signed checkpoint the log proves no consistency to from the one the witness cosigned (422)."""
