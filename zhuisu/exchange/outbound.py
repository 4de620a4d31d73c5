"""Where this node may send requests of its own (subscription callbacks now, federation later): public addresses
only, unless the admin allow-lists a host or network (``subscriptions_allowed_hosts``).

A callback URL is resolved and every address it resolves to must be public (``ipaddress`` ``is_global``: not
loopback, private, link-local — 169.254.169.254, the cloud metadata address, is link-local — shared, reserved or
multicast), both when the subscription is made and again just before each delivery, since a name may be pointed
elsewhere later. Between the check and the connection the name is resolved once more by the HTTP client; a
resolver that answers differently within that instant is not defended against here.
"""

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit


class RefusedDestination(OSError):
    """Raised by a sender at delivery time: the delivery fails (and is retried) with this reason."""


def destination_problem(url: str, allowed: Sequence[str]) -> str | None:
    """Why ``url`` may not be sent to (in English), or None when it may."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL with a host"
    if host in {a.lower() for a in allowed}:
        return None
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError) as exc:
        return f"{host} does not resolve ({exc})"
    networks = [_network(a) for a in allowed]
    for text in sorted(addresses):
        address = ipaddress.ip_address(text.split("%")[0])
        if not address.is_global and not any(n is not None and address in n for n in networks):
            return f"{host} resolves to {address}, which is not a public address"
    return None


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None  # a host name
