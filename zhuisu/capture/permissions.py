"""Who may see a capture job: the party that captured it, and the node's admin (a job lists the events it was sent
and why each was refused)."""

from zhuisu.auth.roles import is_admin
from zhuisu.errors import PermissionDenied
from zhuisu.models import CaptureJob, Party


class NotYourCapture(PermissionDenied):
    code = "not_your_capture"


def check_job(actor: Party, job: CaptureJob) -> None:
    if actor.id != job.recorder_id and not is_admin(actor):
        raise NotYourCapture(
            f"采集任务 {job.id} 属于其他主体", message_en=f"the capture job {job.id} belongs to another party"
        )
