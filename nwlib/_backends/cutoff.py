"""The one planner of which keys are in reach of which queries.

Every fast path sorts queries and keys along one coordinate (:func:`sort_axis`),
finds for each query the slice of sorted keys within its reach along that
coordinate (:func:`key_slices`, rounding outward) and cuts the queries into
blocks that share the union of their slices (:func:`tiles`). A kernel of compact
support reaches its radius (:func:`plan_within`); the Gaussian reaches as far as a
weight can change a digit:

After the row-max shift a key's weight is ``exp(-g)``, with ``g`` its score's gap
to the row's smallest score. :func:`negligible_gap` says how large ``g`` must be
for the keys' weights to change no digit of the *denominator*; :class:`Plan` sorts
queries and keys so that the keys within that gap of a block of queries form one
slice. A skipped key may still carry a value large enough to move the
*numerator*, so :meth:`Plan.too_close` bounds what the skipped keys of each block
can add, with the largest ``|value|`` among them, and names the rows whose reach
must widen: the cut-off then adds at most ``2**-(p+3)`` of
``sum_i w_i |v_i|`` to any sum, an eighth of the dtype's rounding unit.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["negligible_gap", "Plan", "SKIP_SHARE", "tiles", "key_slices", "sort_axis",
           "plan_within", "RadiusPlan"]


#: Largest share of ``sum_i w_i |v_i|`` the skipped keys may add to a sum: 2**-(p+3).
SKIP_SHARE = 2.0**-3
#: A slice's reach is widened by this many rounding units, relatively, and by two
#: units in the last place at each end: more than the rounding of a scaled
#: difference ``fl(fl(q - k) / h)`` (two roundings) and of the reach itself.
REACH_ROUNDING = 8
#: A block's rows share the union of their slices while it stays within an eighth
#: of its first row's slice ...
UNION_GROWTH = 8
#: ... plus this many keys, so that rows with short slices still group together.
UNION_SLACK = 8
#: Allowance, in units of -log(weight), for the rounding of a row's smallest score
#: in the dtype when the shift is taken from :attr:`Plan.best` (besides 4 eps best).
SHIFT_SLACK = 1e-3


def sort_axis(keys: np.ndarray, inverse_width: np.ndarray) -> int:
    """Return the coordinate along which the keys spread over the most widths.

    There a query's reach cuts off the most keys. ``inverse_width`` is any positive
    multiple of ``1 / h`` per coordinate.

    Parameters
    ----------
    keys : ndarray, shape (n, d)
    inverse_width : ndarray, shape (d,)

    Returns
    -------
    int
        The coordinate.

    Examples
    --------
    >>> sort_axis(np.array([[0.0, 0.0], [1.0, 5.0]]), np.array([10.0, 1.0]))
    0
    """
    with np.errstate(over="ignore", invalid="ignore"):  # inf widths' worth is still the most
        spread = np.ptp(keys.astype(np.float64), axis=0) * inverse_width.astype(np.float64)
    return int(np.argmax(np.nan_to_num(spread, nan=0.0)))


def key_slices(q_axis: np.ndarray, k_axis: np.ndarray, reach: float | np.ndarray,
               eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Slices of sorted keys that hold every key within reach of each query.

    Sorted keys ``k_axis[lo[i]:hi[i]]`` hold every key within ``reach`` (a number, or
    one per query) of query ``i`` along the axis, even after rounding: the bounds are
    computed in float64 and widened by :data:`REACH_ROUNDING` ``eps`` relatively and
    two units in the last place.

    Parameters
    ----------
    q_axis : ndarray, shape (m,)
        The queries' coordinate along the axis.
    k_axis : ndarray, shape (n,)
        The keys' coordinate along the axis, sorted.
    reach : float or ndarray of shape (m,)
        How far each query reaches, in the data's units (``inf``: every key).
    eps : float
        The rounding unit of the data's dtype.

    Returns
    -------
    lo, hi : ndarray of int, shape (m,)

    Examples
    --------
    >>> k = np.array([0.0, 0.1, 0.2, 0.3])
    >>> key_slices(np.array([0.1]), k, 0.1, np.finfo(float).eps)  # both ends included
    (array([0]), array([3]))
    """
    q = q_axis.astype(np.float64)
    k = k_axis.astype(np.float64)
    r = np.asarray(reach, dtype=np.float64) * (1 + REACH_ROUNDING * eps)
    with np.errstate(invalid="ignore"):
        low = np.nextafter(np.nextafter(q - r, -np.inf), -np.inf)
        high = np.nextafter(np.nextafter(q + r, np.inf), np.inf)
    return np.searchsorted(k, low, side="left"), np.searchsorted(k, high, side="right")


def negligible_gap(n: int, dtype: np.dtype) -> float:
    """Score gap beyond which ``n`` Gaussian weights are negligible in ``dtype``.

    A key whose score ``|u|^2 / 2`` exceeds the row's smallest by more than
    ``g = ln n + (p + 8) ln 2`` (p the mantissa's bits) has a weight below
    ``2**-(p+8) / n`` of the row's largest, so all such keys together change each
    sum by less than ``2**-(p+8)`` of it: 1/256 of one rounding of the dtype.

    Examples
    --------
    >>> round(negligible_gap(20_000, np.float64), 2), round(negligible_gap(20_000, np.float32), 2)
    (52.19, 32.08)
    """
    bits = np.finfo(dtype).nmant + 1
    return math.log(max(n, 1)) + (bits + 8) * math.log(2.0)


class RadiusPlan(NamedTuple):
    """Sorted orders and blocks ``(rows, lo, hi)`` of a kernel of compact support."""

    key_order: np.ndarray
    query_order: np.ndarray
    blocks: list[tuple[slice, int, int]]


def plan_within(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray, radius: float,
                tile: int) -> RadiusPlan:
    """Blocks of sorted queries with every key within ``radius`` widths along the axis.

    A kernel of radius ``R`` is exactly 0 beyond ``u = R``, and ``u`` is at least the
    scaled distance along any one coordinate: every key outside a block's slice
    has weight 0 for all its queries.

    Parameters
    ----------
    queries, keys : ndarray, shapes (m, d) and (n, d)
    bandwidth : ndarray, shape (d,)
    radius : float
        The kernel's radius, in widths.
    tile : int
        Largest rows x keys of a block.

    Returns
    -------
    RadiusPlan

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [5.0]])
    >>> plan_within(x[:1], x, np.array([1.0]), 1.0, 100).blocks
    [(slice(0, 1, None), 0, 2)]
    """
    h = bandwidth.astype(np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        axis = sort_axis(keys, 1.0 / h)
    key_order = np.argsort(keys[:, axis], kind="stable")
    query_order = np.argsort(queries[:, axis], kind="stable")
    lo, hi = key_slices(queries[query_order, axis], keys[key_order, axis],
                        radius * float(h[axis]), float(np.finfo(keys.dtype).eps))
    return RadiusPlan(key_order, query_order, tiles(lo, hi, tile))


class Plan:
    """Queries and keys sorted along one coordinate, and the key slice of each block.

    ``blocks`` holds ``(rows, lo, hi)``: sorted query rows ``rows`` need only the
    sorted keys ``lo:hi``; every key outside has a negligible weight
    (:func:`negligible_gap`) for every one of those queries.
    """

    def __init__(self, queries: np.ndarray, keys: np.ndarray, scale: np.ndarray, tile: int) -> None:
        m, n = queries.shape[0], keys.shape[0]
        axis = sort_axis(keys, np.sqrt(scale))
        self.key_order = np.argsort(keys[:, axis], kind="stable")
        self.query_order = np.argsort(queries[:, axis], kind="stable")
        self.keys = keys[self.key_order]
        self.queries = queries[self.query_order]
        k_axis, q_axis = self.keys[:, axis], self.queries[:, axis]
        # An upper bound on each query's smallest score: its score to the keys on either
        # side of it along the axis (the exact smallest in 1-D).
        right = np.clip(np.searchsorted(k_axis, q_axis), 1, max(n - 1, 1))
        best, nearest = np.full(m, np.inf), right - 1
        with np.errstate(over="ignore"):
            for side in (right - 1, right if n > 1 else right - 1):
                diff = self.queries - self.keys[side]
                score = np.sum(scale.astype(float) * diff.astype(float) ** 2, axis=1)
                nearest = np.where(score < best, side, nearest)
                best = np.minimum(best, score)
        #: In 1-D, each sorted query's smallest score; in more dimensions an upper bound.
        self.best = best
        self._tile, self._scale = tile, float(scale[axis])
        self._k_axis, self._q_axis, self._nearest = k_axis, q_axis, nearest
        self.blocks = self._slices(np.full(m, negligible_gap(n, keys.dtype)))

    def _slices(self, gap: np.ndarray) -> list[tuple[slice, int, int]]:
        """Blocks whose slices hold every key within ``gap`` of each row's best score."""
        # A key j matters only if scale[axis] (q - k_j)^2 <= best + gap along the axis.
        with np.errstate(over="ignore", invalid="ignore"):
            reach = np.sqrt((self.best + gap) / self._scale)
        reach = np.where(np.isnan(reach), np.inf, reach)
        lo, hi = key_slices(self._q_axis, self._k_axis, reach, float(np.finfo(self.keys.dtype).eps))
        # The key that gave each row its best score is always in reach, however the
        # reach rounds: no row is left with an empty slice, and the smallest score a
        # block computes is never above ``best``.
        near = self._nearest
        return tiles(np.minimum(lo, near), np.maximum(hi, near + 1), self._tile)

    def too_close(self, sums: list[np.ndarray], magnitude: np.ndarray,
                  columns: slice) -> Plan | None:
        """Find the rows whose skipped keys could move a sum, and widen their reach.

        ``sums[b]`` are block b's sums ``sum_i w_i [..]`` over its slice, the weights
        shifted by at most the row's :attr:`best` score (up to the rounding of the
        shift in the dtype, allowed for here); ``sums[b][:, columns]`` are
        ``A = sum_i w_i |v_i|`` per value column and ``magnitude`` the sorted keys'
        ``|v|``, shape (n, c). Every skipped key has weight at most
        ``exp(-(lb - best))``, ``lb`` the score of the nearest skipped key along the
        axis, so the skipped keys add at most ``n_skip exp(-(lb - best)) V`` with
        ``V`` their largest ``|v|``. Where that exceeds ``2**-(p+3) A`` the row's
        reach grows to the gap that makes it small enough (all keys when ``A`` is 0).

        Returns
        -------
        A plan over those rows only (their sorted positions in ``rows``), or None.
        """
        n = len(self._k_axis)
        prefix = np.maximum.accumulate(magnitude, axis=0)
        suffix = np.maximum.accumulate(magnitude[::-1], axis=0)[::-1]
        bits = np.finfo(self.keys.dtype).nmant + 1
        log_share = math.log(SKIP_SHARE) - bits * math.log(2.0)
        eps = float(np.finfo(self.keys.dtype).eps)
        redo, need = [], []
        for (rows, lo, hi), s in zip(self.blocks, sums, strict=True):
            skipped = n - (hi - lo)
            if skipped == 0:
                continue
            big = np.zeros(magnitude.shape[1])
            if lo > 0:
                big = np.maximum(big, prefix[lo - 1])
            if hi < n:
                big = np.maximum(big, suffix[hi])
            if not big.any():
                continue
            q = self._q_axis[rows].astype(float)
            left = q - float(self._k_axis[lo - 1]) if lo > 0 else np.full(q.shape, np.inf)
            right = float(self._k_axis[hi]) - q if hi < n else np.full(q.shape, np.inf)
            near = np.maximum(np.minimum(left, right), 0.0)
            shift_slack = 4 * eps * self.best[rows] + SHIFT_SLACK
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                gap = self._scale * near**2 - self.best[rows] - shift_slack
                a = np.abs(s[:, columns]).astype(float)
                # log of the bound on the skipped keys' share of A, per row and column
                excess = math.log(skipped) + np.log(big)[None, :] - gap[:, None] - np.log(a)
            excess = np.where(np.isnan(excess), np.inf, excess)
            worst = excess.max(axis=1)
            bad = worst > log_share
            if bad.any():
                redo.append(np.arange(rows.start, rows.stop)[bad])
                need.append(gap[bad] + shift_slack[bad] + worst[bad] - log_share + 1.0)
        if not redo:
            return None
        return self._subset(np.concatenate(redo), np.concatenate(need))

    def _subset(self, rows: np.ndarray, gap: np.ndarray) -> Plan:
        sub = object.__new__(Plan)
        sub.__dict__.update(self.__dict__)
        sub.rows = rows
        sub.queries, sub.query_order = self.queries[rows], self.query_order[rows]
        sub.best, sub._q_axis, sub._nearest = self.best[rows], self._q_axis[rows], self._nearest[rows]
        sub.blocks = sub._slices(np.asarray(gap, dtype=float))
        return sub

    def pairs(self) -> int:
        """Query-key pairs whose kernel value is evaluated."""
        return sum((r.stop - r.start) * (hi - lo) for r, lo, hi in self.blocks)


def tiles(lo: np.ndarray, hi: np.ndarray, tile: int) -> list[tuple[slice, int, int]]:
    """Cut sorted queries with key slices ``lo[i]:hi[i]`` into blocks of rows.

    A block's rows share the union of their slices. Rows are added while the block
    fits one tile and its union stays within ``1 / UNION_GROWTH`` of its first row's
    slice (plus :data:`UNION_SLACK` keys), so few kernel values outside a row's own
    slice are computed.
    """
    lo_l, hi_l = lo.tolist(), hi.tolist()
    hi_max = np.maximum.accumulate(hi).tolist() if hi.size else []  # hi is almost sorted
    blocks, start, m = [], 0, len(lo_l)
    while start < m:
        base, own = lo_l[start], hi_l[start] - lo_l[start]
        longest = own + own // UNION_GROWTH + UNION_SLACK
        good, bad = start + 1, m + 1  # the largest stop that satisfies both bounds
        while bad - good > 1:
            mid = (good + bad) // 2
            union = hi_max[mid - 1] - base
            if (mid - start) * union <= tile and union <= longest:
                good = mid
            else:
                bad = mid
        blocks.append((slice(start, good), min(lo_l[start:good]), max(hi_l[start:good])))
        start = good
    return blocks
