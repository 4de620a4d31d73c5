"""A token bucket per client address for the public pages: ``rate`` requests per second, bursts of ``burst``.

One limiter lives in each server process (on ``app.state``); with several workers each holds its own buckets, so
the effective limit is the per-process one times the number of workers. Buckets idle long enough to be full again
are dropped when the table grows past ``max_clients``, which bounds the memory a flood of addresses can take.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class TokenBucketLimiter:
    rate: float
    burst: int
    max_clients: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 when allowed, else the seconds until a token is available.

        >>> limiter = TokenBucketLimiter(rate=1.0, burst=2, clock=lambda: 0.0)
        >>> [limiter.take("a"), limiter.take("a"), limiter.take("a"), limiter.take("b")]
        [0.0, 0.0, 1.0, 0.0]
        """
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._prune(now)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        refill = self.burst / self.rate
        for client in [c for c, b in self._buckets.items() if now - b.stamp >= refill]:
            del self._buckets[client]
        if len(self._buckets) >= self.max_clients:
            self._buckets.clear()


def retry_after_header(seconds: float) -> str:
    """The ``Retry-After`` value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(seconds)))
