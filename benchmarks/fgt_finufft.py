"""The engine comparison of issue 23: the same 1-D Gaussian sums through FINUFFT.

    pip install finufft   # not a dependency of nwlib; this script only measures it
    .venv/bin/python benchmarks/fgt_finufft.py

Gaussian Nadaraya-Watson at n = m = 10^6, width 0.37 on [-2.5, 2.5]: the keys are
mapped onto one period (the data plus 9 widths of padding on each side, so the
periodic images are at least 18 widths away: exp(-162)), spread to Fourier modes
(type 1), multiplied by the Gaussian's Fourier series truncated where it falls below
exp(-40.5), and brought back to the queries (type 2). FINUFFT's ``eps`` is a relative
l2 tolerance over all outputs, not a bound per query.
"""

from __future__ import annotations

import time

import numpy as np
from case import data

from nwlib._backends import cpu_gauss


def main() -> None:
    import finufft

    n, h = 10**6, 0.37
    x, y, q = data(n, 1, "float64")
    x, q = x[:, 0], q[:, 0]
    start = time.perf_counter()
    period = 5.0 + 2 * 9 * h
    s = 2 * np.pi / period
    xs, qs = (x + 2.5) * s - np.pi, (q + 2.5) * s - np.pi
    modes = 2 * int(np.ceil(9.0 / (h * s))) + 1
    k = np.arange(-(modes // 2), modes // 2 + 1)
    series = np.sqrt(2 * np.pi) * h / period * np.exp(-np.square(k * s * h) / 2)
    columns = np.stack([y, np.ones(n)]).astype(np.complex128)
    spread = finufft.nufft1d1(xs, columns, modes, eps=1e-14, isign=-1)
    sums = finufft.nufft1d2(qs, spread * series, eps=1e-14, isign=1).real
    f = sums[0] / sums[1]
    seconds = time.perf_counter() - start
    rows = np.arange(0, n, 500)
    exact = cpu_gauss.gaussian_nadaraya_watson(q[rows, None], x[:, None],
                                               np.stack([y, np.abs(y)], axis=1), np.array([h]))
    err = float(np.max(np.abs(f[rows] - exact[:, 0]) / exact[:, 1]))
    print(f"finufft: {modes} modes, {seconds:.3g} s, largest error / S on 2,000 queries {err:.1e}")


if __name__ == "__main__":
    main()
