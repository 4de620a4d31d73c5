"""Who sees what in the enterprise console: every signed-in party its own — its products, code batches, uploads
and the recalls naming it as a holder (``auth.permissions.SignedInParty`` signs it in; nobody sees another's)."""

from typing import Any

from sqlalchemy import Select

from zhuisu.models import ConsoleUpload, Event, Party


def mine(statement: Select[Any], party: Party) -> Select[Any]:
    """``statement`` over ``console_uploads``, narrowed to ``party``'s own."""
    return statement.where(ConsoleUpload.party_id == party.id)


def my_events(statement: Select[Any], party: Party) -> Select[Any]:
    """``statement`` over ``events``, narrowed to those ``party`` recorded (its own records: what it may correct)."""
    return statement.where(Event.recorder_id == party.id)
