"""Benchmark the fast Gauss transform route (issue 23); write results-fgt.md.

    .venv/bin/python benchmarks/fgt.py            # a few minutes on 2 quiet cores
    .venv/bin/python benchmarks/fgt.py --quick    # sizes up to 10^5 only

Each case times ``nwlib.nadaraya_watson`` (which takes the transform above its
crossover) and checks 2,000 of its answers against the exact brute-force path
(``nwlib._backends.cpu_gauss``) in the same run; that check's pairs per second are
the brute-force rate the speed-up is quoted against, next to the np.exp floor.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from case import data
from run import write_highlights

import nwlib
from nwlib._backends import cpu_gauss, cpu_loo, fgt

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-fgt.md"
#: The README's summary of the last full run, rewritten by it.
HIGHLIGHTS = ("<!-- fgt-highlights:start -->", "<!-- fgt-highlights:end -->")
CHECKED = 2_000
#: The width leave-one-out picks on the course's running example (benchmarks/run.py).
WIDTH_1D = 0.37


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def exp_floor() -> float:
    """np.exp evaluations per second on an in-cache block, one thread."""
    block = -np.random.default_rng(0).uniform(0, 50, 2**14)
    out = np.empty_like(block)
    reps = 2_000
    start = time.perf_counter()
    for _ in range(reps):
        np.exp(block, out=out)
    return reps * block.size / (time.perf_counter() - start)


def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def case(n: int, d: int, h: float) -> dict:
    """Time the transform at n = m and check CHECKED queries against the exact path."""
    x, y, q = data(n, d, "float64")
    hh = np.full(d, h)
    out, seconds = timed(lambda: nwlib.nadaraya_watson(q, x, y, bandwidth=h))
    left = []  # queries the transform sent to the exact path, counted in a second run

    def count(rows: np.ndarray) -> np.ndarray:
        left.append(rows.size)
        return np.zeros((rows.size, 1))

    fgt.pool(q, x, y[:, None], hh, exact=count)
    rows = np.random.default_rng(1).choice(n, size=min(CHECKED, n), replace=False)
    both = np.stack([y, np.abs(y)], axis=1)  # the answer and its scale, in one pass
    exact, brute_s = timed(lambda: cpu_gauss.gaussian_nadaraya_watson(q[rows], x, both, hh))
    exact, scale = exact[:, :1], exact[:, 1]
    err = float(np.max(np.abs(out[rows] - exact[:, 0]) / scale))
    brute_rate = rows.size * n / brute_s
    exact_share = sum(left) / n
    print(f"d={d} n={n} h={h}: {seconds:.3g} s, error/S {err:.1e}, to the exact path "
          f"{exact_share:.1%}, load {load()}", flush=True)
    return {"n": n, "d": d, "h": h, "s": seconds, "err": err, "brute_rate": brute_rate,
            "exact_share": exact_share,
            "brute_s": n * n / brute_rate, "rate": n * n / seconds}


def loo_width_2d() -> float:
    x, y, _ = data(2_000, 2, "float64")
    return float(f"{nwlib.loo_bandwidth(x, y, np.geomspace(0.02, 3.0, 60))[0]:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    before = load()
    floor = exp_floor()
    # Warm both paths (thread pool, imports) so the first row times the work alone.
    x, y, q = data(20_000, 1, "float64")
    nwlib.nadaraya_watson(q, x, y, bandwidth=WIDTH_1D)
    cpu_gauss.gaussian_nadaraya_watson(q[:500], x, y[:, None], np.array([WIDTH_1D]))
    sizes = [10_000, 30_000, 100_000] + ([] if quick else [300_000, 1_000_000])
    growth = [case(n, 1, WIDTH_1D) for n in sizes]
    h2 = loo_width_2d()
    big2 = case(20_000 if quick else 200_000, 2, h2)
    # Leave-one-out over 20 widths: timed at n = 10^5, checked against the exact
    # many-width pass at n = 10^4.
    widths = np.geomspace(0.05, 2.0, 20)
    x, y, _ = data(100_000, 1, "float64")
    _, loo_s = timed(lambda: fgt.loo_mse(x, y[:, None], widths))
    xs, ys, _ = data(10_000, 1, "float64")
    loo_err = float(np.max(np.abs(fgt.loo_mse(xs, ys[:, None], widths)
                                  / cpu_loo.gaussian_loo_mse(xs, ys[:, None], widths) - 1)))
    ns = np.array([g["n"] for g in growth], dtype=float)
    slope = float(np.polyfit(np.log(ns), np.log([g["s"] for g in growth]), 1)[0])
    after = load()
    lines = [
        "# Fast Gauss transform: results",
        "",
        "Written by `.venv/bin/python benchmarks/fgt.py`; do not edit by hand.",
        "",
        f"- {os.cpu_count()} cores online; load average before / after: {before} / {after} "
        "(other jobs on the machine inflate every time; the brute-force rate is measured "
        "in the same run, so the ratios are fair)",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- np.exp floor, one thread, in-cache block: {floor / 1e9:.2f} G/s",
        "",
        "Data on [-2.5, 2.5]^d (benchmarks/case.py), n keys and as many queries. "
        "\"Error\" is the largest |transform - exact| / S over 2,000 queries checked "
        "against the exact brute-force path, S = sum_i alpha_i |v_i| the answer's scale. "
        "\"Brute force\" is that path's time for all n m pairs at the rate it had on those "
        "queries. \"To the exact path\" is the share of queries whose computed bound "
        "missed the tolerance (answered exactly, inside the transform's time).",
        "",
        "| d | width | n = m | transform (s) | pairs/s | brute force (s, at its rate) "
        "| brute-force pairs/s | speed-up | error / S | to the exact path |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in growth + [big2]:
        lines.append(
            f"| {g['d']} | {g['h']:g} | {g['n']:,} | {g['s']:.3g} | {g['rate']:.3g} "
            f"| {g['brute_s']:.3g} | {g['brute_rate']:.3g} | {g['brute_s'] / g['s']:.0f}x "
            f"| {g['err']:.1e} | {g['exact_share']:.1%} |")
    lines += [
        "",
        f"- Time growth in 1-D from n = {growth[0]['n']:,} to {growth[-1]['n']:,}: "
        f"log-log slope {slope:.2f} (brute force: 2).",
        f"- Leave-one-out error over 20 widths (0.05 to 2) at n = 100,000 (1-D): {loo_s:.3g} s; "
        f"at n = 10,000 the errors agree with the exact many-width pass to {loo_err:.1e} (relative).",
        f"- The 2-D width {h2:g} is the one leave-one-out picks on 2,000 points of the same data.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))
    if not quick:
        top = growth[-1]
        write_highlights([
            f"Its last full run ({time.strftime('%Y-%m-%d', time.gmtime())}, load average "
            f"{before} before and {after} after, on {os.cpu_count()} cores):",
            "",
            f"- 1-D, n = m = {top['n']:,}, width {top['h']:g} (the leave-one-out width): "
            f"{top['s']:.3g} s, {top['brute_s'] / top['s']:.0f}x brute force at its rate in the "
            f"same run, within {top['err']:.1e} of the answer's scale; time grows with a log-log "
            f"slope of {slope:.2f} from n = {growth[0]['n']:,}.",
            f"- 2-D, n = m = {big2['n']:,}, width {big2['h']:g} (the leave-one-out width): "
            f"{big2['s']:.3g} s, {big2['brute_s'] / big2['s']:.0f}x brute force, within "
            f"{big2['err']:.1e}; {big2['exact_share']:.1%} of the queries went to the exact path.",
            f"- Leave-one-out over 20 widths at n = 100,000 (1-D): {loo_s:.3g} s.",
        ], HIGHLIGHTS)


if __name__ == "__main__":
    main()
