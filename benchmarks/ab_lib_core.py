"""Interleaved A/B timing of two nwlib trees on the issue-21 cases (a busy machine's way).

    .venv/bin/python benchmarks/ab_lib_core.py OLD_TREE NEW_TREE [ROUNDS]

Each round runs every case once in a fresh interpreter per tree, A then B then B
then A (alternating the order), so both trees see the same load; the report gives
per case the median and the spread (min-max) of each tree's times and the ratio
of the medians. Cases: the 1-D Gaussian cut-off route (``nadaraya_watson``'s exact
path below the fast transform's crossover, called directly so that both trees run it)
at n = m = 20,000 (the data of benchmarks/case.py) at widths 0.05 and 0.37 in float64
and float32, and the leave-one-out search over 50 widths at n = 2,000.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

CASE = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
import numpy as np
import nwlib
from case import data
kind = sys.argv[3]
if kind == "loo":
    x, y, _ = data(2000, 1, "float64")
    widths = np.geomspace(0.005, 2.0, 50)
    nwlib.loo_bandwidth(x[:20], y[:20], widths[:2])
    t = time.perf_counter(); nwlib.loo_bandwidth(x, y, widths); dt = time.perf_counter() - t
else:
    dtype, h = kind.split("@")
    x, y, q = data(20000, 1, dtype)
    # The cut-off route itself: above 10^4 points nadaraya_watson now takes the fast
    # transform, which the old tree lacks.
    from nwlib._backends.cpu_gauss import gaussian_nadaraya_watson
    from nwlib.validation import prepare
    p = prepare(q, x, y, float(h))
    gaussian_nadaraya_watson(p.queries[:100], p.keys, p.values, p.bandwidth)
    best = []
    for _ in range(2):
        t = time.perf_counter(); gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
        best.append(time.perf_counter() - t)
    dt = min(best)
assert nwlib.__file__.startswith(sys.argv[1]), nwlib.__file__
print(json.dumps(dt))
"""
CASES = ["float64@0.05", "float64@0.37", "float32@0.05", "float32@0.37", "loo"]


def once(tree: str, case: str) -> float:
    out = subprocess.run([sys.executable, "-c", CASE, tree, f"{tree}/benchmarks", case],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times: dict = {(t, c): [] for t in ("old", "new") for c in CASES}
    for r in range(rounds):
        order = [("old", old), ("new", new)] if r % 2 == 0 else [("new", new), ("old", old)]
        for case in CASES:
            for name, tree in order:
                times[name, case].append(once(tree, case))
        print(f"round {r + 1} done", file=sys.stderr, flush=True)
    print("| case | old median (min-max) s | new median (min-max) s | new/old |")
    print("|---|---|---|---|")
    for case in CASES:
        a, b = times["old", case], times["new", case]
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"| {case} | {ma:.3f} ({min(a):.3f}-{max(a):.3f}) | {mb:.3f} ({min(b):.3f}-{max(b):.3f})"
              f" | {mb / ma:.2f} |")
    print(json.dumps({f"{t}:{c}": v for (t, c), v in times.items()}))


if __name__ == "__main__":
    main()
