"""Which keys can change a Gaussian Nadaraya-Watson answer, and which cannot.

After the row-max shift a key's weight is ``exp(-g)``, with ``g`` its score's gap
to the row's smallest score. :func:`negligible_gap` says how large ``g`` must be
for the weight to change no digit of the answer; :class:`Plan` sorts queries and
keys so that the keys within that gap of a block of queries form one slice.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["negligible_gap", "Plan", "tiles"]


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
        best = np.full(m, np.inf)
        for side in (right - 1, right if n > 1 else right - 1):
            diff = self.queries - self.keys[side]
            best = np.minimum(best, np.sum(scale * diff.astype(float) ** 2, axis=1))
        #: In 1-D, each sorted query's smallest score; in more dimensions an upper bound.
        self.best = best
        # A key j matters only if scale[axis] (q - k_j)^2 <= best + gap along the axis.
        reach = np.sqrt((best + negligible_gap(n, keys.dtype)) / float(scale[axis]))
        lo = np.searchsorted(k_axis, q_axis - reach, side="left")
        hi = np.searchsorted(k_axis, q_axis + reach, side="right")
        self.blocks = tiles(lo, hi, tile)

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
