"""What the public portal keeps per server process: the rate limiter and the ledger key the story build checks
proofs with (on ``app.state``, built on first use), and the rate-limit dependency of the public routes."""

from dataclasses import dataclass

from starlette.requests import Request

from zhuisu.config import Settings
from zhuisu.errors import TooManyRequests
from zhuisu.portal.prebuild import ledger_key
from zhuisu.portal.service import LedgerKey
from zhuisu.web.ratelimit import TokenBucketLimiter, retry_after_header


@dataclass
class PortalState:
    """What the portal keeps in memory per server process."""

    limiter: TokenBucketLimiter
    key: LedgerKey


def portal_state(request: Request) -> PortalState:
    state: PortalState | None = getattr(request.app.state, "portal", None)
    if state is None:
        settings: Settings = request.app.state.settings
        state = PortalState(
            limiter=TokenBucketLimiter(rate=settings.portal_rate_per_second, burst=settings.portal_rate_burst),
            key=ledger_key(settings),
        )
        request.app.state.portal = state
    return state


async def rate_limit(request: Request) -> None:
    """Dependency of the public routes: one token per request from the client's address, else 429."""
    client = request.client.host if request.client else "-"
    wait = portal_state(request).limiter.take(client)
    if wait > 0:
        raise TooManyRequests(
            "请求过于频繁，请稍后再试",
            message_en="too many requests; try again shortly",
            retry_after=float(retry_after_header(wait)),
        )
