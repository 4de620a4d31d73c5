"""The speed of this machine at the moment of a measurement: a fixed pure-Python workload (300,000 dictionary
inserts of fresh strings, then a sum; the best of five), in milliseconds.

The benchmark machine shares its host: the same code measured an hour apart differs by up to 2× (this probe
itself went from 73 to 141 ms within one session). A figure is comparable to another only with its probe beside
it; each benchmark records one right after its impact measurements (``machine_probe_ms``).
"""

import time


def machine_probe_ms(rounds: int = 5) -> float:
    def once() -> float:
        started = time.perf_counter()
        found = {str(i): i for i in range(300_000)}
        sum(found.values())
        return (time.perf_counter() - started) * 1000

    return round(min(once() for _ in range(rounds)), 1)
