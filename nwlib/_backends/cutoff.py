"""Which keys can change a Gaussian Nadaraya-Watson answer, and which cannot.

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

import numpy as np

__all__ = ["negligible_gap", "Plan", "SKIP_SHARE", "tiles"]


#: Largest share of ``sum_i w_i |v_i|`` the skipped keys may add to a sum: 2**-(p+3).
SKIP_SHARE = 2.0**-3


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


class Plan:
    """Queries and keys sorted along one coordinate, and the key slice of each block.

    ``blocks`` holds ``(rows, lo, hi)``: sorted query rows ``rows`` need only the
    sorted keys ``lo:hi``; every key outside has a negligible weight
    (:func:`negligible_gap`) for every one of those queries.
    """

    def __init__(self, queries: np.ndarray, keys: np.ndarray, scale: np.ndarray, tile: int) -> None:
        m, n = queries.shape[0], keys.shape[0]
        # Sort along the coordinate with the most widths' worth of spread: there the
        # reach of a query cuts off the most keys.
        axis = int(np.argmax(np.ptp(keys, axis=0) * np.sqrt(scale)))
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
        lo = np.searchsorted(self._k_axis, self._q_axis - reach, side="left")
        hi = np.searchsorted(self._k_axis, self._q_axis + reach, side="right")
        # The key that gave each row its best score is always in reach, however the
        # reach rounds: no row is left with an empty slice, and the smallest score a
        # block computes is never above ``best``.
        near = self._nearest
        return tiles(np.minimum(lo, near), np.maximum(hi, near + 1), self._tile)

    def too_close(self, sums: list[np.ndarray], magnitude: np.ndarray,
                  columns: slice) -> "Plan | None":
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
        for (rows, lo, hi), s in zip(self.blocks, sums):
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
            shift_slack = 4 * eps * self.best[rows] + 1e-3
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

    def _subset(self, rows: np.ndarray, gap: np.ndarray) -> "Plan":
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
    fits one tile and its union stays within 1/8 of its first row's slice (plus 8
    keys), so few kernel values outside a row's own slice are computed.
    """
    lo_l, hi_l = lo.tolist(), hi.tolist()
    hi_max = np.maximum.accumulate(hi).tolist() if hi.size else []  # hi is almost sorted
    blocks, start, m = [], 0, len(lo_l)
    while start < m:
        base, own = lo_l[start], hi_l[start] - lo_l[start]
        longest = own + own // 8 + 8
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
