"""zhuisu benchmarks: ``python -m bench --events N`` (``make bench EVENTS=N``)."""
