"""An extended-precision Nadaraya-Watson reference and the error bound it checks.

The inputs are floats, hence exact rationals; mpmath carries 256 bits and an
unbounded exponent, so scores like 1e600 and weights like exp(-1e600) are just
numbers. Besides the exact answer ``f`` the reference returns the error a
correct float computation may make: the cut-off may add ``2**-(p+3) S`` and the
rounding of the scores and sums, for a p-bit dtype with epsilon ``eps``, at most

``tol = 8 eps n S + sum_i alpha_i (e^delta_i - 1) |v_i - f| / sum_i alpha_i e^-delta_i + 4 n tiny``

with ``S = sum_i alpha_i |v_i|`` (the answer's scale), ``alpha_i`` the exact
weights and ``delta_i = 8 eps sigma_i`` the largest relative change of key i's
weight when its scaled squared distance ``s_i = |u_i|^2`` is rounded (a relative
error of (d + 3) eps) and the log-weights are shifted:
``sigma_i = (d + 3) |s_i (log k)'(s_i)| + |log k(s_i)| + |max_j log k(s_j)| + 2``.
Near the keys that is a few ulps of ``S``; a query far from every key (``s_i``
large) has weights only as exact as its rounded distances, as for any method
that rounds them (the bound then grows to the spread of the values, and the
tests check the answer stays among them).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

mpmath.mp.prec = 256

_PI2 = mpmath.pi / 2


def _log_k(name: str, s):
    """log k and d(log k)/ds at s = u^2 (None outside the support)."""
    if name == "gaussian":
        return -s / 2, mpmath.mpf(-0.5)
    if name == "constant":
        return mpmath.mpf(0), mpmath.mpf(0)
    if name == "boxcar":
        return (mpmath.mpf(0), mpmath.mpf(0)) if s <= 1 else (None, None)
    if s >= 1:
        return None, None
    r = mpmath.sqrt(s)
    if name == "triangular":
        return mpmath.log(1 - r), (-1 / (2 * r * (1 - r)) if r > 0 else mpmath.mpf(0))
    if name == "epanechnikov":
        return mpmath.log(1 - s), -1 / (1 - s)
    if name == "tricube":
        return 3 * mpmath.log(1 - s * r), -4.5 * r / (1 - s * r)
    if name == "cosine":
        return mpmath.log(mpmath.cos(_PI2 * r)), (
            -mpmath.tan(_PI2 * r) * _PI2 / (2 * r) if r > 0 else mpmath.mpf(0)
        )
    raise ValueError(name)


def exact_nw(queries, keys, values, bandwidth, kernel: str, dtype) -> list[tuple]:
    """For each query: (f, tol) as floats, or None where no key is in reach.

    ``queries`` (m, d), ``keys`` (n, d), ``values`` (n,), ``bandwidth`` (d,): numpy
    arrays already rounded to ``dtype``. ``tol`` is ``inf`` where a boxcar key sits
    within rounding of its edge (the weight jumps there: no float method can know).
    """
    fi = np.finfo(dtype)
    eps, tiny = mpmath.mpf(float(fi.eps)), mpmath.mpf(float(fi.smallest_subnormal))
    n, d = keys.shape
    k = [[mpmath.mpf(float(x)) for x in row] for row in keys]
    v = [mpmath.mpf(float(x)) for x in values]
    h = [mpmath.mpf(float(x)) for x in bandwidth]
    out = []
    for row in queries:
        q = [mpmath.mpf(float(x)) for x in row]
        s = [mpmath.fsum(((q[c] - ki[c]) / h[c]) ** 2 for c in range(d)) for ki in k]
        logs = [_log_k(kernel, si) for si in s]
        inside = [i for i in range(n) if logs[i][0] is not None]
        if not inside:
            # A key within rounding of the edge may count as in reach.
            edge = any(abs(si - 1) < 1e-5 for si in s)
            out.append((None, math.inf if edge else 0.0))
            continue
        top = max(logs[i][0] for i in inside)
        w = {i: mpmath.exp(logs[i][0] - top) for i in inside}
        total = mpmath.fsum(w.values())
        f = mpmath.fsum(w[i] * v[i] for i in inside) / total
        scale = mpmath.fsum(w[i] * abs(v[i]) for i in inside) / total
        # Each weight may be off by a factor exp(+-delta_i); the answer then moves by
        # at most sum_i alpha_i (e^delta_i - 1) |v_i - f| / sum_i alpha_i e^-delta_i.
        moved, kept = mpmath.mpf(0), mpmath.mpf(0)
        for i in inside:
            lk, dlk = logs[i]
            delta = 8 * eps * ((d + 3) * abs(s[i] * dlk) + abs(lk) + abs(top) + 2)
            moved += w[i] / total * mpmath.expm1(delta) * abs(v[i] - f)
            kept += w[i] / total * mpmath.exp(-delta)
        tol = 8 * eps * n * scale + moved / kept + 4 * n * tiny
        # A boxcar key within rounding of its edge may count or not.
        if kernel == "boxcar" and any(abs(si - 1) < 1e-5 for si in s):
            tol = mpmath.inf
        # For other compact kernels an out-of-reach key within rounding of the edge
        # would have a weight below eps times the kernel's slope: covered by tol.
        out.append((float(f), float(tol) if tol != mpmath.inf else math.inf))
    return out
