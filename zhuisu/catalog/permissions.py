"""Who may change the catalog (目录): loading a release, national or local, is the node's admin's (or the local
operator's, ``actor=None``). Reading the catalog in effect is open to everyone. The flags left on events accepted with
missing data elements are their recorder's, and within a regulator's jurisdiction and mandate theirs too."""

from dataclasses import dataclass

from zhuisu.auth.roles import check_admin, is_admin
from zhuisu.models import Party


def check_load_release(actor: Party | None) -> None:
    """Raises AdminOnly unless ``actor`` is the admin."""
    check_admin(actor)


@dataclass(frozen=True)
class FlagScope:
    """Which flags a caller may read: one recorder's (``recorder_id``), those of recorders registered in a region
    (``region_prefix``) and of the ``classes`` of a mandate (None: every class), or all."""

    recorder_id: str | None = None
    region_prefix: str | None = None
    classes: tuple[str, ...] | None = None


def flag_scope(actor: Party) -> FlagScope:
    """The admin reads every flag, a regulator those of its jurisdiction and mandate, anyone else its own."""
    if is_admin(actor):
        return FlagScope()
    if actor.actor == "regulator":
        classes = tuple(actor.mandate) if actor.mandate is not None else None
        return FlagScope(region_prefix=actor.jurisdiction or None, classes=classes)
    return FlagScope(recorder_id=actor.id)
