"""Time nwlib.local_linear against statsmodels' KernelReg(reg_type="ll").

Usage::

    python benchmarks/local_linear.py [--n 2000] [--d 1]

Prints the time of each, their largest difference and the peak memory of nwlib's
blocked computation above the interpreter (measured in a fresh process would be
cleaner; here the statsmodels run comes second so it does not inflate nwlib's peak).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--d", type=int, default=1)
    args = parser.parse_args()
    from statsmodels.nonparametric.kernel_regression import KernelReg

    from nwlib.local_regression import local_linear

    rng = np.random.default_rng(0)
    n, d = args.n, args.d
    x = rng.uniform(-2.5, 2.5, (n, d))
    y = np.sin(2 * x).sum(axis=1) + rng.normal(0, 0.3, n)
    q = rng.uniform(-2.0, 2.0, (n, d))
    h = 0.2 * d**0.5
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    ours = local_linear(q, x, y, bandwidth=h)
    t_ours = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    t0 = time.perf_counter()
    ref, _ = KernelReg(y, x, var_type="c" * d, reg_type="ll", bw=[h] * d).fit(q)
    t_ref = time.perf_counter() - t0
    print(f"n = m = {n}, d = {d}, h = {h:.3f}")
    print(f"nwlib.local_linear: {t_ours:.3f} s (peak memory +{peak:.0f} MiB)")
    print(f"statsmodels KernelReg ll: {t_ref:.3f} s ({t_ref / t_ours:.0f}x slower)")
    print(f"largest difference: {np.max(np.abs(ours - ref)):.1e}")


if __name__ == "__main__":
    main()
