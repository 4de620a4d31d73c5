"""实名: a buyer's ID number kept as HMAC-SHA256 under the node's key, and shown masked (GB 11643 numbers)."""

import hashlib
import hmac
import os
import secrets

from stdnum.cn import ric

from zhuisu.config import Settings
from zhuisu.errors import InvalidInput


def key(settings: Settings) -> bytes:
    """The node's key: ``hazardous_identity_key``, else ``data_dir/identity.key`` (made on first use, mode 600)."""
    configured = settings.hazardous_identity_key.get_secret_value()
    if configured:
        return configured.encode()
    path = settings.data_dir / "identity.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside, then linked in place: another process of this node sees the whole key or none, and the
        # first link wins (the loser reads the winner's)
        draft = path.with_name(f".identity.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def check_id_number(value: str) -> str:
    """A resident identity number (18 characters, GB 11643 check character), compact; else InvalidInput."""
    compact = value.strip().upper().replace(" ", "")
    if not ric.is_valid(compact) or len(compact) != 18:
        raise InvalidInput(
            "id_number：不是有效的 18 位居民身份证号码",
            message_en="id_number: not a valid 18-character resident ID number",
            field="id_number",
        )
    return compact


def digest(settings: Settings, id_number: str) -> str:
    """HMAC-SHA256 (hex) of the compact ID number under the node's key."""
    return hmac.new(key(settings), id_number.encode(), hashlib.sha256).hexdigest()


def mask(id_number: str) -> str:
    """The first four and last four characters, the rest starred.

    >>> mask("370102199001011234")
    '3701**********1234'
    """
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
