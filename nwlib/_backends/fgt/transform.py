"""Gaussian sums ``sum_i K(x, y_i) v_i`` in O(n + m) for d <= 3, with a proven bound.

The keys' box of space is cut into equal boxes of half-width ``r`` per coordinate.
Inside a box the Gaussian, as a function of one point, is interpolated by a
polynomial at ``p`` Chebyshev points (of the second kind) per coordinate. Each key
spreads its value onto its box's nodes with the interpolation weights, the kernel
carries the node sums from every node to every node (one small matrix per
coordinate: the Gaussian is a product over coordinates), and each query
interpolates from its box's nodes. The cost is ``(n + m) p^d`` plus the node grid's
``G^(d+1)`` with ``G = p`` times the boxes per coordinate.

The error bound (computed, per box of queries and per column):

- interpolation: for ``g(t) = exp(-(a - r t)^2 / 2h^2)``, analytic in every
  Bernstein ellipse ``E_rho`` where ``|g| <= exp(-(max(0, |a| - r A))^2 / 2h^2 +
  r^2 B^2 / 2h^2)`` (``A, B`` the ellipse's half-axes), the interpolant at ``p``
  Chebyshev points errs by at most ``4 M rho^(1-p) / (rho - 1)`` (Trefethen,
  *Approximation Theory and Approximation Practice*, Thm 8.2), minimised over rho;
  interpolating the other point too multiplies it by ``1 + Lambda`` (Lambda the
  Lebesgue constant, at most ``1 + 2/pi log p``, ibid. Thm 15.2);
- rounding of positions (centred coordinates, one rounding each) times the
  kernel's slope; of each exp, relative ``(3 a + 2) u`` for argument ``a``;
- rounding of the sums: ``gamma_N = N u / (1 - N u)`` times the same sums taken
  with absolute values, which are at most ``Lambda^(2d)`` times the kernel's
  largest value between the two boxes times the box's ``sum |v|`` (any order of
  summation, BLAS included: Higham, *Accuracy and Stability*, eq. 3.13).

Everything is computed in float64; the bound per pair of boxes depends only on
their offset, so it is a small table per coordinate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..cpu_gauss import parallel

__all__ = ["Grid", "plan_grid", "gaussian_sums", "interpolation_error", "rounding_share", "MAX_NODES"]

U = 2.0**-53  # unit roundoff of float64, in which everything is computed
TINY = float(np.finfo(np.float64).smallest_subnormal)
#: Box half-widths tried, in widths; the cheapest that meets the target is used.
RATIOS = (0.125, 0.25, 0.5, 1.0, 2.0)
#: Largest number of Chebyshev points per box and coordinate.
MAX_POINTS = 48
#: Largest node grid (entries per column): above it the route declines.
MAX_NODES = 2**23
#: Largest number of nodes along one coordinate: the kernel between them is one
#: dense matrix (32 MiB at this size).
MAX_AXIS_NODES = 2048
#: Keys summed by one product before the partial sums are added: the rounding bound
#: grows with the length of each sum, so long boxes are cut into pieces.
CHUNK = 512
#: Points per unit of work in the spread and the gather (whole pieces): their
#: Lagrange weights, BLOCK x p per coordinate, stay in the cache, and blocks are
#: shared by the threads of :func:`nwlib._backends.cpu_gauss.parallel`.
BLOCK = 4096
_RHO = np.exp(np.linspace(0.02, 6.0, 600))


def lebesgue(p: int) -> float:
    """Bound on the Lebesgue constant of ``p`` Chebyshev points of the second kind."""
    return 1.0 + 2.0 / math.pi * math.log(p)


def interpolation_error(ratio: float, p: int, near: np.ndarray | float = 0.0) -> np.ndarray:
    """Bound on ``|g - I_p g|`` on a box of half-width ``ratio`` (in widths).

    ``g(y) = exp(-(x - y)^2 / 2h^2)`` for a point ``x`` at least ``near`` widths
    from the box's centre; the kernel's largest value is 1.

    Examples
    --------
    >>> float(interpolation_error(0.5, 20)[0]) < 1e-16
    True
    """
    near = np.atleast_1d(np.asarray(near, dtype=float))[:, None]
    a = (_RHO + 1 / _RHO) / 2
    b = (_RHO - 1 / _RHO) / 2
    re = np.maximum(0.0, near - ratio * a)
    with np.errstate(over="ignore"):
        log_bound = (math.log(4.0) - re**2 / 2 + (ratio * b) ** 2 / 2
                     - (p - 1) * np.log(_RHO) - np.log(_RHO - 1))
    return np.minimum(np.exp(np.min(log_bound, axis=1)), 2.0)


def chebyshev(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev points of the second kind on [-1, 1] and their barycentric weights."""
    t = np.cos(np.pi * np.arange(p) / (p - 1)) if p > 1 else np.zeros(1)
    w = (-1.0) ** np.arange(p)
    w[0] /= 2
    w[-1] /= 2
    return t, w


def lagrange(t: np.ndarray, p: int) -> np.ndarray:
    """Values of the ``p`` Lagrange polynomials at ``t`` in [-1, 1], shape (len(t), p).

    The barycentric formula; a point on a node gets that node's indicator.
    """
    if p == 1:
        return np.ones((t.shape[0], 1))
    nodes, w = chebyshev(p)
    out = np.subtract(t[:, None], nodes[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(w, out, out=out)
        total = out.sum(axis=1)
        out *= (1.0 / total)[:, None]
    hit = ~np.isfinite(total)
    if hit.any():
        out[hit] = t[hit, None] == nodes[None, :]
    return out


@dataclass
class Grid:
    """Boxes per coordinate: ``nb`` boxes of half-width ``r`` from ``lo``, ``p`` points each."""

    lo: np.ndarray
    r: np.ndarray
    nb: np.ndarray
    p: int
    h: np.ndarray
    radius: np.ndarray  # largest |centred coordinate|, for the rounding of positions

    def boxes(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Box index per coordinate (clipped) and the position in it, in [-1, 1]."""
        s = (x - self.lo) / (2 * self.r)
        box = np.clip(np.floor(s), 0, self.nb - 1).astype(np.int64)
        t = np.clip(2 * (s - box) - 1, -1.0, 1.0)
        return box, t

    def nodes(self, axis: int) -> np.ndarray:
        t, _ = chebyshev(self.p)
        centres = self.lo[axis] + self.r[axis] * (2 * np.arange(self.nb[axis]) + 1)
        return (centres[:, None] + self.r[axis] * t[None, :]).ravel()


def _chain_length(longest: int, nb: np.ndarray, p: int) -> int:
    """Count the roundings a term of the final sums goes through, along the whole chain.

    The spread's sums (``longest`` keys, pieces included), the transfer's along each
    coordinate (``G_a = nb_a p`` nodes), the gather's one coordinate at a time (``p``
    terms and one product each, :func:`_gather`), each Lagrange value's own rounding
    (relative ``(p + 6) Lambda``, on either side), and 16 for the products and the
    positions.
    """
    d = len(nb)
    return (longest + int(np.sum(nb)) * p + d * (p + 1)
            + 2 * d * (p + 6) * math.ceil(lebesgue(p)) + 16)


def _gamma(length: int) -> float:
    """Higham's ``gamma_N = N u / (1 - N u)``: a bound on N roundings' relative effect."""
    return length * U / (1 - length * U)


def rounding_share(r: np.ndarray, h: np.ndarray, nb: np.ndarray, p: int, n: int) -> float:
    """Estimate the rounding bound's share of a query's scale, for even keys.

    The estimate is of the bound :func:`gaussian_sums` computes, for keys spread
    evenly over the grid. That bound counts every key of the boxes around a query
    at the kernel's peak between the boxes, times the weights' norms (at most
    Lambda^d on either side), where the scale counts it at its own kernel value:
    the ratio per coordinate is
    ``sum_k peak_k 2r / (sqrt(2 pi) h)``. Boxes much wider than the width make the
    ratio, and so the bound, large (in 3-D with boxes 3.5 widths wide it exceeded the
    float64 tolerance at every query).
    """
    ratio = 1.0
    for a in range(len(nb)):
        q = float(r[a] / h[a])
        k = np.arange(-int(nb[a]) + 1, int(nb[a]))
        peak = np.exp(-np.square(2 * q * np.maximum(np.abs(k) - 1, 0)) / 2)
        ratio *= float(peak.sum()) * 2 * q / math.sqrt(2 * math.pi)
    per_cell = min(CHUNK, -(-n // int(np.prod(nb)))) + 1
    return _gamma(_chain_length(per_cell, nb, p)) * lebesgue(p) ** (2 * len(nb)) * ratio


def plan_grid(keys: np.ndarray, lo: np.ndarray, hi: np.ndarray, h: np.ndarray,
              target: float, columns: int,
              rounding_limit: float = math.inf) -> tuple[Grid, float] | None:
    """Plan the cheapest grid over [lo, hi] whose interpolation error is below ``target``.

    Grids whose expected rounding bound (:func:`rounding_share`) is above
    ``rounding_limit`` of the scale come last, cheapest first among them: there most
    queries would fail the tolerance and go to the exact path.
    Returns the grid and its estimated cost (multiply-adds), or None if no grid of at
    most :data:`MAX_NODES` nodes meets the target.
    """
    n, d = keys.shape
    span = np.maximum(hi - lo, 1e-12 * h)
    best, best_rank = None, None
    for ratio in RATIOS:
        nb = np.maximum(1, np.ceil(span / (2 * ratio * h))).astype(np.int64)
        r = span / (2 * nb)
        worst = float(np.max(r / h))
        for p in range(2, MAX_POINTS + 1):
            if float(interpolation_error(worst, p)[0]) * (1 + lebesgue(p)) * d <= target:
                break
        else:
            continue
        g = nb * p
        if float(np.prod(g.astype(float))) > MAX_NODES or int(g.max()) > MAX_AXIS_NODES:
            continue
        cost = 4.0 * n * p**d * columns + float(np.prod(g.astype(float))) * float(g.sum()) * columns
        rank = (rounding_share(r, h, nb, p, n) > rounding_limit, cost)
        if best_rank is None or rank < best_rank:
            best, best_rank = (Grid(lo, r, nb, p, h, np.zeros(d)), cost), rank
    return best


def _cells(box: np.ndarray, nb: np.ndarray) -> np.ndarray:
    flat = np.zeros(box.shape[0], dtype=np.int64)
    for a in range(box.shape[1]):
        flat = flat * nb[a] + box[:, a]
    return flat


@dataclass
class _Pieces:
    """Points sorted by cell, each cell's run cut into pieces of at most :data:`CHUNK`.

    ``index`` (pieces, width) holds point numbers, ``n`` (one past the last point)
    where a piece is shorter than ``width``; ``cell`` is each piece's cell (sorted),
    ``first`` each cell's first piece, ``longest`` the longest run in one cell.
    """

    index: np.ndarray
    cell: np.ndarray
    first: np.ndarray
    longest: int

    def blocks(self) -> list[slice]:
        """Cut the pieces into runs of about :data:`BLOCK` points: one unit of work each."""
        per = max(1, BLOCK // self.index.shape[1])
        return [slice(i, i + per) for i in range(0, self.index.shape[0], per)]


def _pieces(cell: np.ndarray, ncells: int) -> _Pieces:
    n = cell.shape[0]
    order = np.argsort(cell, kind="stable")
    bounds = np.searchsorted(cell[order], np.arange(ncells + 1))
    counts = np.diff(bounds)
    pieces = np.maximum(1, -(-counts // CHUNK))  # an empty cell keeps one empty piece
    first_piece = np.cumsum(pieces) - pieces
    piece_cell = np.repeat(np.arange(ncells), pieces)
    start = np.repeat(bounds[:-1], pieces) + CHUNK * (
        np.arange(piece_cell.shape[0]) - np.repeat(first_piece, pieces))
    stop = np.minimum(start + CHUNK, np.repeat(bounds[1:], pieces))
    width = int(min(CHUNK, max(1, counts.max(initial=1))))
    idx = start[:, None] + np.arange(width)[None, :]
    index = np.concatenate([order, [n]])[np.where(idx < stop[:, None], idx, n)]
    longest = int(min(counts.max(initial=0), CHUNK) + pieces.max(initial=1))
    return _Pieces(index, piece_cell, first_piece, longest)


def _block_weights(t: np.ndarray, index: np.ndarray, p: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Lagrange weights per coordinate, (pieces, width, p) each, and their 1-norms' product.

    ``t`` carries one extra row (position 0) for the padding index ``n``.
    """
    ls = [lagrange(t[index.ravel(), a], p).reshape(index.shape + (p,)) for a in range(t.shape[1])]
    norm = np.prod([np.abs(la).sum(axis=2) for la in ls], axis=0)
    return ls, norm


def _products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Stacked matrix products ``a @ b`` as long dot products, without a threaded BLAS.

    ``np.matmul`` hands each small product to the BLAS, whose own threads, called
    from our threads or next to other jobs, spin and wait: at load 6 on 2 cores
    the spread's products took 20x longer than on one BLAS thread. ``np.vecdot``
    on rows laid out contiguously costs about what a one-thread BLAS does when the
    sums are long (the spread's: up to CHUNK keys).
    """
    rows = np.ascontiguousarray(a)[..., :, None, :]
    cols = np.ascontiguousarray(np.swapaxes(b, -1, -2))[..., None, :, :]
    return np.vecdot(rows, cols)


def _spread(grid: Grid, keys: np.ndarray, v: np.ndarray,
            magnitude: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Spread the keys' columns onto their boxes' nodes.

    Returns the node sums ``sum_i L(y_i) v_i`` per cell, shape (cells, p^d, c), the
    longest sum, and ``sum_i ||L(y_i)||_1 magnitude_i`` per cell, shape (cells, b).
    Blocks of whole pieces go to threads; each piece is one product.
    """
    n, d = keys.shape
    box, t = grid.boxes(keys)
    ncells = int(np.prod(grid.nb))
    pieces = _pieces(_cells(box, grid.nb), ncells)
    # One padding row: a key at position 0 with values 0 adds nothing.
    t = np.concatenate([t, np.zeros((1, d))])
    vv = np.concatenate([v, np.zeros((1, v.shape[1]))])
    mag = np.concatenate([magnitude, np.zeros((1, magnitude.shape[1]))])

    def work(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        index = pieces.index[rows]
        ls, norm = _block_weights(t, index, grid.p)
        # sum_i L1(y_i) (L2(y_i) x ... x v_i): the other coordinates' weights times
        # the values first, so no (keys, p^d) array is ever formed.
        rest = vv[index]
        for la in reversed(ls[1:]):
            rest = (la[..., :, None] * rest[..., None, :]).reshape(index.shape + (-1,))
        parts = _products(ls[0].transpose(0, 2, 1), rest)
        return parts, np.einsum("pk,pkb->pb", norm, mag[index])

    done = parallel(work, pieces.blocks())
    parts = np.concatenate([part for part, _ in done])
    out = np.add.reduceat(parts, pieces.first, axis=0).reshape(ncells, grid.p**d, v.shape[1])
    spread_mag = np.add.reduceat(np.concatenate([m for _, m in done]), pieces.first, axis=0)
    return out, pieces.longest, spread_mag


def _transfer(grid: Grid, sums: np.ndarray, c: int) -> np.ndarray:
    """Carry the node sums through the kernel between every pair of nodes."""
    d, p, nb = len(grid.nb), grid.p, grid.nb
    # (cells, p^d, c) -> (nb_1, .., nb_d, p, .., p, c) -> node grid (G_1, ..., G_d, c)
    shape = tuple(int(x) for x in nb) + (p,) * d + (c,)
    t = sums.reshape(shape)
    perm = [i for a in range(d) for i in (a, d + a)] + [2 * d]
    t = t.transpose(perm).reshape(tuple(int(x) * p for x in nb) + (c,))
    for a in range(d):
        z = grid.nodes(a)
        kern = np.exp(-np.square((z[:, None] - z[None, :]) / grid.h[a]) / 2)
        t = np.moveaxis(np.tensordot(kern, t, axes=([1], [a])), 0, a)
    t = t.reshape(tuple(v for x in nb for v in (int(x), p)) + (c,))
    inv = [2 * a for a in range(d)] + [2 * a + 1 for a in range(d)] + [2 * d]
    return np.ascontiguousarray(t.transpose(inv)).reshape(int(np.prod(nb)), p**d, c)


def _gather(grid: Grid, queries: np.ndarray,
            nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolate the node values at the queries: (m, c), their cells and weights' norms.

    Queries are grouped by cell like the keys in :func:`_spread`; a piece's nodes are
    contracted one coordinate at a time (a product for the first, then a weighted
    sum per further coordinate), never forming the (queries, p^d) weights.
    """
    m, d = queries.shape
    p, c = grid.p, nodes.shape[2]
    box, t = grid.boxes(queries)
    cell = _cells(box, grid.nb)
    pieces = _pieces(cell, nodes.shape[0])
    t = np.concatenate([t, np.zeros((1, d))])
    out = np.empty((m + 1, c))  # the last row takes the padding's answers
    norm = np.empty(m + 1)

    def work(rows: slice) -> None:
        index = pieces.index[rows]
        ls, norm[index] = _block_weights(t, index, p)
        # Short sums (p terms): einsum's own loop beats both vecdot and the BLAS here.
        part = np.einsum("pqj,pjk->pqk", ls[0], nodes[pieces.cell[rows]].reshape(index.shape[0], p, -1))
        for la in ls[1:]:
            part = np.einsum("pqj,pqjk->pqk", la, part.reshape(index.shape + (p, -1)))
        out[index] = part

    parallel(work, pieces.blocks())
    return out[:m], cell, norm[:m]


def _axis_tables(grid: Grid, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Per box offset k: the error bound ``e[k]`` and the kernel's largest size ``m[k]``."""
    p, nb = grid.p, int(grid.nb[a])
    q = float(grid.r[a] / grid.h[a])  # half-width in widths
    k = np.arange(nb, dtype=float)
    lam = lebesgue(p)
    near = q * np.maximum(2 * k - 1, 0)  # from the other box to this box's centre
    closest = 2 * q * np.maximum(k - 1, 0)
    farthest = 2 * q * (k + 1)
    peak = np.exp(-closest**2 / 2)
    interp = (1 + lam) * interpolation_error(q, p, near)
    # Each centred coordinate is one rounding from the exact one, its box position t
    # two more, a node's position two: each point moves by ``shift`` widths at most.
    shift = 4 * U * (float(grid.radius[a]) + 2 * float(grid.r[a])) / float(grid.h[a])
    slope = np.minimum(math.exp(-0.5), farthest * peak)
    position = (lam**2 + 2) * 2 * shift * slope
    exp_rounding = lam**2 * (3 * farthest**2 / 2 + 2) * U * peak
    e = interp + position + exp_rounding
    # |interpolated kernel| <= |kernel| + its error <= peak + e.
    return e, peak + e


def _box_transfer(boxes: np.ndarray, tables: list[np.ndarray]) -> np.ndarray:
    """Apply ``T_a[|i - j|]`` along each box axis of ``boxes`` (nb_1, ..., nb_d, c)."""
    out = boxes
    for a, table in enumerate(tables):
        idx = np.arange(table.shape[0])
        mat = table[np.abs(idx[:, None] - idx[None, :])]
        out = np.moveaxis(np.tensordot(mat, out, axes=([1], [a])), 0, a)
    return out


def gaussian_sums(grid: Grid, queries: np.ndarray, keys: np.ndarray,
                  columns: np.ndarray, magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compute ``sum_i K(x, y_i) columns_i`` at each query and a bound on its error.

    ``magnitude`` (n, b) holds the ``|column|`` whose box sums bound the error;
    the bound has shape (m, b). Queries must lie in the grid.
    """
    d, c = keys.shape[1], columns.shape[1]
    sums, longest, spread_mag = _spread(grid, keys, columns, magnitude)
    nodes = _transfer(grid, sums, c)
    out, qcell, query_norm = _gather(grid, queries, nodes)
    # The bound: per box of keys, sum |column|, carried by the per-offset tables.
    box, _ = grid.boxes(keys)
    cell = _cells(box, grid.nb)
    ncells = int(np.prod(grid.nb))
    mags = np.stack([np.bincount(cell, weights=magnitude[:, j], minlength=ncells)
                     for j in range(magnitude.shape[1])], axis=1)
    mags = mags.reshape(tuple(int(x) for x in grid.nb) + (magnitude.shape[1],))
    tables = [_axis_tables(grid, a) for a in range(d)]
    gamma = _gamma(_chain_length(longest, grid.nb, grid.p))
    # Rounding: gamma_N times the same sums with absolute values: at most
    # ||L(x)||_1 sum_i ||L(y_i)||_1 |column_i| times the kernel's peak between the boxes.
    rounding = _box_transfer(spread_mag.reshape(mags.shape), [m for _, m in tables])
    # Truncation and rounded inputs: the product of the per-coordinate kernels errs
    # by at most sum_a e_a prod_{b != a} m_b.
    truncation = 0.0
    for a in range(d):
        truncation = truncation + _box_transfer(mags, [tables[b][0] if b == a else tables[b][1]
                                             for b in range(d)])
    per_query = (truncation.reshape(ncells, -1)[qcell]
                 + gamma * query_norm[:, None] * rounding.reshape(ncells, -1)[qcell])
    per_query = per_query + 4 * (keys.shape[0] + nodes.size) * TINY
    return out, per_query
