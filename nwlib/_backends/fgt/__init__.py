"""Exact Gaussian sums in linear time for d <= 3: the fast transform's routes.

:mod:`.transform` computes ``sum_i K(x, y_i) [v_i, 1, |v_i|]`` at every query with
a proven bound on each sum's error. From those bounds each route decides, query
by query, whether its answer meets the tolerance

``|f - f_exact| <= tau S``, ``tau = max(2**-(p+1), 4 n 2**-52)``,

with ``S = sum_i alpha_i |v_i|`` the answer's scale (p the dtype's mantissa bits):
half a unit of the dtype in float32; in float64 half of the envelope ``8 eps n S``
that every route is tested against (the worst case of summing n terms in the
dtype). Queries that fail it (far from the keys, a denominator too small for the
bound, values whose sizes differ wildly) are answered by the exact path.

Routes: :func:`pool` (Nadaraya-Watson), :func:`log_kernel_sums` (Parzen densities
and attention weights' normalisers), :func:`loo_mse` (leave-one-out error for many
widths). :func:`worthwhile` is the crossover ``method="auto"`` uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .transform import Grid, gaussian_sums, plan_grid, rounding_share

__all__ = ["pool", "log_kernel_sums", "loo_mse", "worthwhile", "serves", "tolerance", "CROSSOVER", "MIN_KEYS"]

U = 2.0**-53
#: Queries farther than this many widths beyond the keys' box are left to the exact
#: path: their Gaussian sums are below exp(-72) of a key's weight.
MARGIN_WIDTHS = 12.0
#: Widths so narrow next to the data that a grid cannot hold them.
MAX_SPAN_WIDTHS = 1e5
#: ``method="auto"`` takes the transform when ``m n >= CROSSOVER[d] (m + n)``: the
#: brute-force cost grows like m n, the transform's like (m + n) p^d. Measured on 2
#: cores at n = m, brute force against the transform in the same process:
#:
#: - 1-D (load about 5): 0.040 s / 0.017 s at 2,000 and 0.124 s / 0.016 s at 4,000,
#:   so m n / (m + n) of about 1,000 to 2,000.
#: - 2-D, width 0.154 (leave-one-out's on the benchmark data), load 3.8: 1.14 s /
#:   1.28 s at 20,000 (every query failed the tolerance), 9.2 s / 2.3 s at 50,000 (30%
#:   did), 29 s / 0.56 s at 10^5 and 82 s / 0.48 s at 2 x 10^5 (none did).
#: - 3-D, width 0.235 (leave-one-out's on the same data in 3-D), load 7.5: every
#:   query failed float64's tolerance at n = m = 5,000 to 10^5, so the transform only
#:   added its own cost. The rounding bound (Lambda^6 gamma_N times the neighbour
#:   boxes' mass) was 1.2e-9 of the scale against tau = 4.4e-11 at 5 x 10^4; grids
#:   with smaller boxes lower it, but not below tau, and exceed MAX_NODES. So
#:   ``method="auto"`` never takes it in 3-D; :func:`pool` still serves float32 there.
CROSSOVER = {1: 2_000.0, 2: 20_000.0, 3: math.inf}
#: ... and only with at least this many keys: below, float64's bound (4 n eps of the
#: scale) is too tight for the transform's worst-case rounding and nearly every query
#: would go to the exact path (2-D: see above).
MIN_KEYS = {1: 10_000, 2: 50_000, 3: 50_000}


def tolerance(n: int, dtype: np.dtype) -> float:
    """Return the share of the answer's scale a fast answer may miss by (see the module).

    Examples
    --------
    >>> tolerance(10**6, np.float64) == 4e6 * 2.0**-52, tolerance(10, np.float32) == 2.0**-25
    (True, True)
    """
    bits = np.finfo(dtype).nmant + 1
    return max(2.0 ** -(bits + 1), 4.0 * n * 2.0**-52)


#: The grid's interpolation error per pair of points, as a share of the tolerance
#: ``tau`` (the kernel's peak is 1). A query's interpolation bound is that error times
#: the ``|v|`` mass of the boxes around it, a few times its scale S on ordinary data,
#: so 2**-8 leaves it well inside ``tau S``. Asking for more does not pay: it needs
#: more points per box, which lengthens every sum and so raises the rounding bound.
#: At n = m = 2 x 10^5 in 2-D (width 0.154) 2**-(p+11) of the peak, the old target,
#: needed p = 26 and sent 1,908 queries to the exact path; 2**-8 tau needs p = 19
#: and sends none.
TARGET_SHARE = 2.0**-8
#: The grid is chosen so that, for evenly spread keys, the rounding bound takes at
#: most this share of ``tau`` (:func:`.transform.plan_grid`): boxes far wider than the
#: width count too many keys at the kernel's peak. Denser and sparser spots than the
#: average still pass with room to spare.
ROUNDING_SHARE = 0.25
#: ``method="auto"`` declines the transform where even the chosen grid's expected
#: rounding bound exceeds this share of ``tau``: most queries would then fail their
#: bound and be answered twice. Measured (load 3, float64, width 0.03-0.1 on
#: [-2.5, 2.5]): in 1-D at n = m = 10^4 a share of 0.86 tau sent 86% of the queries to
#: the exact path (1.6x slower than the cut-off alone) and 1.05 tau 99%, while 0.16 to
#: 0.24 tau sent none; in 2-D (width 0.154) 1.4 tau sent 30% at n = 5 x 10^4, 6.8
#: and 14 tau all.
DECLINE_SHARE = 0.5


def _target(n: int, dtype: np.dtype) -> float:
    """Interpolation error per pair the grid aims for (see :data:`TARGET_SHARE`)."""
    return TARGET_SHARE * tolerance(n, dtype)


def grid_for(queries: np.ndarray, keys: np.ndarray, h: np.ndarray, dtype: np.dtype, columns: int,
             target: float | None = None,
             ) -> tuple[Grid, np.ndarray, np.ndarray, np.ndarray, float] | None:
    """Centre the points, pick the queries in reach and plan the grid (float64).

    ``target``: the interpolation error per pair, as a share of the kernel's peak; by
    default the routes' own (:data:`TARGET_SHARE` of the tolerance, box sizes ranked
    by :data:`ROUNDING_SHARE`). A target given is met over every query, far ones too.
    Returns the grid, the centred queries and keys, which queries are in reach, and
    the planned cost; None where no grid serves.
    """
    n, d = keys.shape
    if d > 3 or n == 0 or not np.all(np.isfinite(h) & (h > 0)):
        return None
    k = keys.astype(np.float64)
    q = queries.astype(np.float64)
    centre = (k.min(axis=0) + k.max(axis=0)) / 2
    k, q = k - centre, q - centre
    kmin, kmax = k.min(axis=0), k.max(axis=0)
    margin = MARGIN_WIDTHS * h if target is None else np.inf
    near = np.all((q >= kmin - margin) & (q <= kmax + margin), axis=1)
    lo, hi = kmin, kmax
    if near.any():
        lo, hi = np.minimum(lo, q[near].min(axis=0)), np.maximum(hi, q[near].max(axis=0))
    if np.any((hi - lo) / h > MAX_SPAN_WIDTHS):
        return None
    if target is None:
        planned = plan_grid(k, lo, hi, h, _target(n, dtype), columns,
                            rounding_limit=ROUNDING_SHARE * tolerance(n, dtype))
    else:
        planned = plan_grid(k, lo, hi, h, target, columns)
    if planned is None:
        return None
    grid, cost = planned
    grid.radius = np.maximum(np.abs(lo), np.abs(hi))
    return grid, q, k, near, cost


def serves(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> bool:
    """Whether the grid leaves room for most queries' bounds (see :data:`DECLINE_SHARE`).

    Examples
    --------
    >>> x = np.linspace(-2.5, 2.5, 10_000)[:, None]
    >>> serves(x, x, np.array([0.37])), serves(x, x, np.array([0.05]))
    (True, False)
    """
    n = keys.shape[0]
    planned = grid_for(queries, keys, bandwidth.astype(np.float64), keys.dtype, 1)
    if planned is None:
        return False
    grid = planned[0]
    share = rounding_share(grid.r, grid.h, grid.nb, grid.p, n)
    return share <= DECLINE_SHARE * tolerance(n, keys.dtype)


def worthwhile(m: int, n: int, d: int) -> bool:
    """Whether ``method="auto"`` should take the transform for m queries and n keys."""
    return (d in CROSSOVER and n >= MIN_KEYS[d]
            and float(m) * float(n) >= CROSSOVER[d] * (float(m) + float(n)))


def _scaled(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Values times a power of two (exact) so that the largest is about 1."""
    v = values.astype(np.float64)
    top = float(np.max(np.abs(v))) if v.size else 0.0
    if top == 0.0 or not math.isfinite(top):
        return v, 1.0
    factor = 2.0 ** -math.frexp(top)[1]
    return v * factor, factor


def _nw_from_sums(num, den, scale, e_num, e_den, tau):
    """Answers ``num / den`` and whether each row's bound meets ``tau`` of its scale."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        den_low = den - e_den
        f = num / den[:, None]
        s_up = (scale + e_num) / den_low[:, None]
        s_low = (scale - e_num) / (den + e_den)[:, None]
        bound = (e_num + s_up * e_den[:, None]) / den[:, None] + 2 * U * np.abs(f)
        ok = (den_low > 0) & np.all(bound <= tau * s_low, axis=1)
    return f, ok


def pool(queries: np.ndarray, keys: np.ndarray, values: np.ndarray, bandwidth: np.ndarray,
         exact: Callable[[np.ndarray], np.ndarray | None]) -> np.ndarray | None:
    """Gaussian Nadaraya-Watson for prepared (m, d), (n, d), (n, c) numpy arrays.

    ``exact(rows)`` answers the queries ``rows`` on the exact path (or returns None,
    and so does this function). Returns None where the transform does not serve.

    Examples
    --------
    >>> x = np.linspace(0, 5, 20_000)[:, None]; y = np.sin(3 * x)
    >>> q = np.array([[1.0], [2.5]]); h = np.array([0.3])
    >>> w = np.exp(-((q - x.T) / h) ** 2 / 2)
    >>> f = pool(q, x, y, h, exact=lambda rows: None)  # None: every query served
    >>> float(np.max(np.abs(f - w @ y / w.sum(axis=1, keepdims=True)))) < 1e-14
    True
    """
    n, c = values.shape
    h = bandwidth.astype(np.float64)
    planned = grid_for(queries, keys, h, keys.dtype, 2 * c + 1)
    if planned is None:
        return None
    grid, q, k, near, _ = planned
    v, factor = _scaled(values)
    cols = np.concatenate([v, np.ones((n, 1)), np.abs(v)], axis=1)
    mags = np.concatenate([np.abs(v), np.ones((n, 1))], axis=1)
    out = np.full((queries.shape[0], c), np.nan)
    ok = np.zeros(queries.shape[0], dtype=bool)
    if near.any():
        sums, err = gaussian_sums(grid, q[near], k, cols, mags)
        f, good = _nw_from_sums(sums[:, :c], sums[:, c], sums[:, c + 1:], err[:, :c],
                                err[:, c], tolerance(n, keys.dtype))
        rows = np.flatnonzero(near)
        out[rows[good]] = f[good] / factor
        ok[rows[good]] = True
    rest = np.flatnonzero(~ok)
    if rest.size:
        answer = exact(rest)
        if answer is None:
            return None
        out[rest] = answer
    return out.astype(values.dtype, copy=False)


def log_kernel_sums(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> np.ndarray | None:
    """``log sum_i exp(-|u_i|^2 / 2)`` per query, for prepared (m, d), (n, d) arrays.

    The Parzen density's log (up to its normaliser) and the log of attention
    weights' normaliser. Within ``tau`` (relative) of the exact sum, or computed
    exactly (blocked, shifted by each row's smallest distance). None where the
    transform does not serve.
    """
    n = keys.shape[0]
    h = bandwidth.astype(np.float64)
    planned = grid_for(queries, keys, h, keys.dtype, 1)
    if planned is None:
        return None
    grid, q, k, near, _ = planned
    out = np.full(queries.shape[0], np.nan)
    ok = np.zeros(queries.shape[0], dtype=bool)
    if near.any():
        ones = np.ones((n, 1))
        sums, err = gaussian_sums(grid, q[near], k, ones, ones)
        den, e = sums[:, 0], err[:, 0]
        good = e <= tolerance(n, keys.dtype) * (den - e)
        rows = np.flatnonzero(near)
        out[rows[good]] = np.log(den[good])
        ok[rows[good]] = True
    rest = np.flatnonzero(~ok)
    if rest.size:
        out[rest] = _exact_log_sums(q[rest], k, h)
    return out.astype(keys.dtype, copy=False)


def _exact_log_sums(q: np.ndarray, k: np.ndarray, h: np.ndarray) -> np.ndarray:
    out = np.empty(q.shape[0])
    step = max(1, 2**20 // max(k.shape[0], 1))
    for start in range(0, q.shape[0], step):
        s = np.sum(np.square((q[start:start + step, None, :] - k[None]) / h), axis=2) / 2
        low = s.min(axis=1)
        out[start:start + step] = np.log(np.exp(low[:, None] - s).sum(axis=1)) - low
    return out


def loo_mse(keys: np.ndarray, values: np.ndarray, widths: np.ndarray) -> np.ndarray | None:
    """Leave-one-out mean squared error for each width (shape (w,) or (w, d)).

    Each point's prediction from the others is ``(N_i - v_i) / (D_i - 1)`` from the
    full sums (``K(y_i, y_i) = 1``), checked against the tolerance like
    :func:`pool`; the points that fail it, where the own weight dominates the sum,
    are predicted on the exact path with their own key left out. A width where the
    transform does not serve gets NaN (the caller's exact path scores it); None if
    it serves none.
    """
    n, d = keys.shape
    c = values.shape[1]
    widths = np.asarray(widths, dtype=np.float64)
    widths = np.broadcast_to(widths[:, None], (widths.shape[0], d)) if widths.ndim == 1 else widths
    v, factor = _scaled(values)
    cols = np.concatenate([v, np.ones((n, 1)), np.abs(v)], axis=1)
    mags = np.concatenate([np.abs(v), np.ones((n, 1))], axis=1)
    tau = tolerance(n - 1, keys.dtype)
    mse = np.full(widths.shape[0], np.nan)
    for w, h in enumerate(widths):
        planned = grid_for(keys, keys, h, keys.dtype, 2 * c + 1)
        if planned is None:
            continue
        grid, q, k, _, _ = planned
        sums, err = gaussian_sums(grid, q, k, cols, mags)
        den = sums[:, c] - 1
        e_den = err[:, c] + 2 * U * (sums[:, c] + 1)
        num = sums[:, :c] - v
        scale = sums[:, c + 1:] - np.abs(v)
        e_num = err[:, :c] + 2 * U * (np.abs(sums[:, :c]) + np.abs(v))
        f, good = _nw_from_sums(num, den, scale, e_num, e_den, tau)
        rest = np.flatnonzero(~good)
        if rest.size:
            f[rest] = _exact_loo(k, v, h, rest)
        if not np.all(np.isfinite(f)):
            continue
        mse[w] = float(np.sum(np.square(f / factor - values.astype(np.float64)))) / n
    return None if np.all(np.isnan(mse)) else mse


def _exact_loo(k: np.ndarray, v: np.ndarray, h: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Leave-one-out predictions of ``rows``, their own key excluded before the shift."""
    out = np.empty((rows.shape[0], v.shape[1]))
    step = max(1, 2**20 // max(k.shape[0], 1))
    for start in range(0, rows.shape[0], step):
        r = rows[start:start + step]
        s = np.sum(np.square((k[r, None, :] - k[None]) / h), axis=2) / 2
        s[np.arange(r.shape[0]), r] = np.inf
        w = np.exp(s.min(axis=1, keepdims=True) - s)
        out[start:start + step] = (w @ v) / w.sum(axis=1, keepdims=True)
    return out
