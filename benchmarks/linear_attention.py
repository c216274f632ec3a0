"""Exact Gaussian attention against linear attention at a fixed error; prints a table.

    .venv/bin/python benchmarks/linear_attention.py                 # a few minutes on 2 cores
    .venv/bin/python benchmarks/linear_attention.py --sizes 1000 4000

The setting favours linear attention (the page "Attention in linear time" explains
why): 8 coordinates, points from N(0, 0.5^2 I), width 1, so the exact cut-off skips
nothing. The number of Fourier features is the smallest power of two whose RMS error
at n = m = 1,000 is at most a tenth of the spread of the exact predictions. Times are
the best of three calls; read them on a quiet machine.
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np

import nwlib
from nwlib.features import linear_attention, random_features


def problem(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys, queries = rng.normal(0, 0.5, (n, 8)), rng.normal(0, 0.5, (n, 8))
    return queries, keys, np.sin(3 * keys[:, 0]) + keys[:, 1]


def best_of_three(run) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000, 16000])
    args = parser.parse_args()
    q, k, v = problem(1000, 0)
    exact = nwlib.nadaraya_watson(q, k, v, bandwidth=1.0)
    target = 0.1 * exact.std()
    for n_features in 2 ** np.arange(6, 16):
        phi = random_features(8, int(n_features), kind="fourier", bandwidth=1.0, seed=0)
        error = np.sqrt(np.mean((linear_attention(q, k, v, phi) - exact) ** 2))
        if error <= target:
            break
    print(f"D = {n_features} Fourier features, RMS error {error:.4f} (target {target:.4f})\n")
    print("| n = m | exact, library default (s) | linear attention (s) | ratio |")
    print("|---:|---:|---:|---:|")
    for n in args.sizes:
        q, k, v = problem(n, 1)
        t_exact = best_of_three(functools.partial(nwlib.nadaraya_watson, q, k, v, bandwidth=1.0))
        t_linear = best_of_three(functools.partial(linear_attention, q, k, v, phi))
        print(f"| {n:,} | {t_exact:.3f} | {t_linear:.3f} | {t_exact / t_linear:.2f} |")


if __name__ == "__main__":
    main()
