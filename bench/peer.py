"""``python -m bench.peer`` (``make bench-peer``): whole-process ``zhuisu import`` against QU4RTET, the Python EPCIS
repository, in one run, with ``../shared/bench/peer-quartet/run`` (it installs QU4RTET from PyPI into a temporary
virtualenv, kept in ``bench/results/peer-venv`` between runs); skipped when ``../shared`` is not beside the checkout.
``N`` events (default 5,000). Prints the script's lines and writes bench/results/peer.json.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench import history

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT.parent / "shared" / "bench" / "peer-quartet" / "run"
RESULTS = ROOT / "bench" / "results"


def main() -> int:
    if not SCRIPT.exists():
        print(f"skipped: {SCRIPT} is not there (../shared beside the checkout)")
        return 0
    RESULTS.mkdir(exist_ok=True)
    zhuisu = Path(sys.executable).parent / "zhuisu"
    env = {**os.environ, "ZS": str(zhuisu), "PEER_DIR": str(RESULTS / "peer-venv")}
    (RESULTS / "peer-venv").mkdir(exist_ok=True)
    done = subprocess.run(["bash", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    print("\n".join(lines))
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return done.returncode
    text = "\n".join(lines)
    peer = re.search(r"= ([\d,]+) events/s", lines[0]) if lines else None
    ours = re.search(r"zhuisu import: (\d+) events, ([\d,]+) events/s", text)
    ratio = re.search(r"zhuisu / QU4RTET = ([\d.]+)x", text)
    if not (peer and ours and ratio):
        print("could not read the script's figures", file=sys.stderr)
        return 1
    result = {
        "events": int(ours.group(1)),
        "quartet_events_per_s": int(peer.group(1).replace(",", "")),
        "zhuisu_events_per_s": int(ours.group(2).replace(",", "")),
        "ratio": float(ratio.group(1)),
    }
    (RESULTS / "peer.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    history.append(
        f"peer, {result['events']:,} events",
        f"zhuisu import {result['zhuisu_events_per_s']:,} ev/s, QU4RTET {result['quartet_events_per_s']:,} ev/s: "
        f"{result['ratio']}x (whole processes)",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
