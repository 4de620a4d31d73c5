"""Who may import logger files, and who sees what of them.

- **Importing** (``POST /api/v1/coldchain/logs``, the page ``/coldchain``): a signed-in enterprise, as itself (the
  recorder of the readings' events), at its own sites (``location``) or on the road (``shipment``); a regulator,
  an inspection body, a child node or the admin records no logger files (403). The events then pass capture's own
  checks like any other.
- **The imported files** (``GET /api/v1/coldchain/logs``, ``/logs/{id}``, the original ``/logs/{id}/file``, the
  list on ``/coldchain``): the admin every file; a regulator the files in its jurisdiction (the site's region, else
  the importer's: a GB/T 2260 prefix) of goods of a class its mandate covers (the goods' registered class, else the
  importer's); an enterprise its own; nobody signed in, nothing (401). Outside the lane a file does not exist for
  the reader (404).
- **The public** sees the cold-chain summary on the product page only (``summary.public_summary``: counts,
  extremes, the range, time outside it per site or carrier — no devices, no files, no shipment numbers).
- A reader of None is the local operator (the command line): every file.
"""

from sqlalchemy import ColumnElement, and_, false, or_, true

from zhuisu.auth.roles import in_class, is_admin
from zhuisu.models import LoggerFile, Party


def may_import(actor: Party) -> bool:
    """An enterprise records its own loggers' readings."""
    return actor.actor == "enterprise"


def lane(reader: Party | None) -> ColumnElement[bool]:
    """The logger files ``reader`` may read, as a condition on ``coldchain_logs``."""
    if reader is None or is_admin(reader):
        return true()
    if reader.actor == "regulator":
        found: list[ColumnElement[bool]] = []
        if reader.jurisdiction:
            found.append(LoggerFile.region.startswith(reader.jurisdiction, autoescape=True))
        if reader.mandate is not None:
            found.append(or_(false(), *(in_class(LoggerFile.class_id, c) for c in reader.mandate)))
        return and_(true(), *found)
    return LoggerFile.party_id == reader.id
