"""The node's signing keys, kept in files outside the database: the log key and the witness (cosigner) key.

A key is a Go/C2SP ``PRIVATE+KEY+<name>+<id>+<seed>`` line in a file of mode 600, created on first use with
``O_EXCL`` (two processes starting together end up with the same key). Whoever can read the database still
cannot sign a checkpoint; whoever holds the key file alone cannot rewrite the stored log unnoticed.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from zhuisu.config import Settings
from zhuisu.ledger.cosignature import cosigner_vkey
from zhuisu.ledger.errors import InvalidKey
from zhuisu.ledger.keys import generate_key, is_valid_name, parse_skey, vkey_from_skey


@dataclass(frozen=True)
class NodeKey:
    """A signer key and its public vkey."""

    skey: str
    vkey: str

    @property
    def name(self) -> str:
        return parse_skey(self.skey).name


def log_origin(settings: Settings) -> str:
    """The log's origin: ``ledger_origin``, or ``<host[:port]><path>/ledger`` of ``base_url``."""
    if settings.ledger_origin:
        origin = settings.ledger_origin
    else:
        url = urlsplit(settings.base_url)
        origin = f"{url.netloc}{url.path.rstrip('/')}/ledger"
    if not is_valid_name(origin):
        raise InvalidKey(f"log origin {origin!r} is not a valid key name (no spaces, no '+')")
    return origin


def witness_name(settings: Settings) -> str:
    return f"{log_origin(settings)}/witness"


def log_key(settings: Settings) -> NodeKey:
    """The log's Ed25519 key (named after the origin), created on first use."""
    path = settings.ledger_key_file or settings.data_dir / "ledger.key"
    skey = load_or_create(path, log_origin(settings))
    return NodeKey(skey, vkey_from_skey(skey))


def witness_key(settings: Settings) -> NodeKey:
    """This node's witness key; its vkey is the cosigner (type 0x04) form."""
    path = settings.ledger_witness_key_file or settings.data_dir / "ledger-witness.key"
    skey = load_or_create(path, witness_name(settings))
    return NodeKey(skey, cosigner_vkey(skey))


def load_or_create(path: Path, name: str) -> str:
    """The skey stored at ``path``, creating a fresh Ed25519 key named ``name`` there if there is none.

    Raises ``InvalidKey`` if the file holds a malformed key or one with another name (the origin changed).
    """
    if not path.exists():
        _create(path, generate_key(name)[0])
    skey = path.read_text(encoding="ascii").strip()
    signer = parse_skey(skey)
    if signer.name != name:
        raise InvalidKey(f"the key in {path} is named {signer.name!r}, not {name!r}")
    return skey


def _create(path: Path, skey: str) -> None:
    # Written whole to a private temporary file, then linked into place: a reader never sees half a key,
    # and of two processes racing, the second link fails and both go on with the first key.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(skey + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
