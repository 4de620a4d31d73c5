"""``split_view``: a child node's transparency log showed this node (its witness) a checkpoint, signed by its own
key, that does not extend the one this node cosigned before — a different root for the same size, or no valid
consistency proof. A log that can show two histories can show regulators one and consumers another.

Its evidence is not in the events: the witness endpoint announces it when it refuses the checkpoint
(``ledger.signals.split_view``) and ``alerts.record_split_view`` keeps the alert, with both checkpoints. Scans and
captures do not run it (it is in ``ALL_RULES``, not ``RULES``): the events hold nothing for ``find`` to find.
"""

from sqlalchemy.orm import Session

from zhuisu.oversight.rules.base import Hit, RiskRule, Scope


def find(session: Session, scope: Scope) -> list[Hit]:
    return []


RULE = RiskRule(
    id="split_view",
    severity="high",
    name_zh="下级节点日志分叉",
    name_en="child log split view",
    explanation_zh="下级节点的追溯日志向本节点（见证方）出示了用其自身密钥签名、却与本节点见证过的检查点不一致的检查点："
    "同一大小不同根，或无法证明一致。日志出现两种历史，可能对监管与消费者展示不同的记录。",
    explanation_en="A child node's log presented this node (its witness) a checkpoint signed with its own key that "
    "does not extend the one cosigned before: a different root for the same size, or no valid consistency proof. "
    "The log has shown two histories.",
    timed=True,
    find=find,
)
