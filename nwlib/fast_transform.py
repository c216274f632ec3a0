"""The fast Gauss transform in the open: its interpolation, its grid, its sums and bounds.

For d <= 3, :func:`nwlib.nadaraya_watson`, :func:`nwlib.parzen_log_density` and
:func:`nwlib.loo_bandwidth` take a fast Gauss transform above a measured crossover
(:mod:`nwlib._backends`): the kernel is interpolated at Chebyshev points in boxes
about one width across, so the cost is linear in the numbers of keys and queries,
and each query's error is bounded; queries whose bound misses nwlib's guarantee go
to the exact path. These functions show the pieces by asking the same code:

- :func:`chebyshev_nodes`, :func:`lagrange_basis` and :func:`interpolation_bound`:
  the interpolation of one box and the bound on its error;
- :func:`gauss_transform`: the sums ``sum_i K(q, k_i) v_i`` and ``sum_i K(q, k_i)``
  with a proven bound for each, and the queries the route hands to the exact path;
- :func:`transform_plan`: the grid the route plans, and so its cost per point.
"""

from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np

from . import _backends
from .validation import prepare

__all__ = ["chebyshev_nodes", "lagrange_basis", "interpolation_bound", "GaussTransform",
           "gauss_transform", "TransformPlan", "transform_plan"]


def _order(order: Any) -> int:
    try:
        p = operator.index(order)
    except TypeError:
        raise ValueError(f"order={order!r}: pass a whole number of points, at least 1.") from None
    if p < 1:
        raise ValueError(f"order={order!r}: pass a whole number of points, at least 1.")
    return p


def _positive(value: Any, name: str, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not (0.0 < x < math.inf):
        raise ValueError(f"{name}={value!r}: pass {what}.")
    return x


def _target(target: Any, dtype: Any) -> float:
    if target is None:  # the route's own: 2**-(p + 11) for a dtype of p mantissa bits
        return 2.0 ** -(np.finfo(dtype).nmant + 12)
    x = _positive(target, "target", "a positive share of the kernel's peak, such as 1e-12")
    if x >= 1.0:
        raise ValueError(f"target={target!r}: pass a share of the kernel's peak below 1, such as 1e-12.")
    return x


def chebyshev_nodes(order: int) -> np.ndarray:
    """Return the ``order`` Chebyshev points (of the second kind) on [-1, 1] the transform uses.

    Array types: none; returns numpy float64.

    Parameters
    ----------
    order : int
        Number of points ``p`` (per box and coordinate), at least 1.

    Returns
    -------
    ndarray, shape (order,)
        ``cos(pi j / (p - 1))`` for ``j = 0, ..., p - 1``, from 1 down to -1 (0 for p = 1).

    Examples
    --------
    >>> chebyshev_nodes(3).round(12).tolist()
    [1.0, 0.0, -1.0]
    """
    return _backends.chebyshev(_order(order))[0].copy()


def lagrange_basis(points: Any, order: int) -> np.ndarray:
    """Evaluate the Lagrange polynomials of :func:`chebyshev_nodes` at ``points``.

    Row ``i`` holds ``L_1(t_i), ..., L_p(t_i)``, so ``lagrange_basis(t, p) @ f(nodes)``
    is the polynomial that interpolates ``f`` at the nodes, evaluated at ``t``.

    Array types: numpy; returns numpy float64.

    Parameters
    ----------
    points : array_like, shape (s,)
        Positions ``t`` in [-1, 1] (a box scaled to that interval).
    order : int
        Number of Chebyshev points ``p``, at least 1.

    Returns
    -------
    ndarray, shape (s, order)
        Each row sums to 1.

    Raises
    ------
    ValueError
        Naming ``points`` when they are not finite or leave [-1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(-1.0, 1.0, 5)
    >>> nodes = chebyshev_nodes(4)
    >>> bool(np.allclose(lagrange_basis(t, 4) @ nodes**3, t**3))  # cubics are exact
    True
    """
    p = _order(order)
    t = np.asarray(points, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError(f"points has shape {t.shape}; pass a 1-D array of positions in [-1, 1].")
    if not np.all(np.isfinite(t) & (np.abs(t) <= 1.0)):
        raise ValueError("points must be finite and within [-1, 1]: scale the box to that interval.")
    return _backends.lagrange(t, p)


def interpolation_bound(ratio: float, order: int) -> float:
    """Bound the error of interpolating a Gaussian at ``order`` Chebyshev points of a box.

    The box has half-width ``ratio`` widths; the function is ``y -> exp(-(q - y)^2 / 2h^2)``
    for any point ``q``, so its peak is 1. The bound is
    ``min over rho > 1 of 4 M_rho rho^(1-p) / (rho - 1)``, ``M_rho`` the Gaussian's largest
    size on the Bernstein ellipse ``E_rho`` of the box (Trefethen, *Approximation Theory
    and Approximation Practice*, Thm 8.2), minimised over a grid of ``rho``; it never
    exceeds 2.

    Array types: none; returns a Python float.

    Parameters
    ----------
    ratio : float
        The box's half-width ``r / h``, positive.
    order : int
        Number of Chebyshev points ``p``, at least 1.

    Returns
    -------
    float
        ``|K - I_p K| <= interpolation_bound(ratio, p)`` on the box.

    Examples
    --------
    >>> interpolation_bound(0.5, 20) < 1e-16 < interpolation_bound(0.5, 10)
    True
    """
    r = _positive(ratio, "ratio", "a positive box half-width in widths, such as 0.5")
    return float(_backends.interpolation_error(r, _order(order))[0])


class GaussTransform(NamedTuple):
    """Gaussian sums from the fast transform, their proven bounds, and the route's choice.

    Array types: none; holds numpy float64 arrays and Python numbers.

    Parameters
    ----------
    sums : ndarray, shape (m,) or (m, c)
        ``sum_i K(q, k_i) v_i`` per query (the shape of ``values`` decides).
    sum_bounds : ndarray, like ``sums``
        Proven bounds on the error of ``sums``.
    kernel_sums : ndarray, shape (m,)
        ``sum_i K(q, k_i)``: the Nadaraya-Watson denominator.
    kernel_sum_bounds : ndarray, shape (m,)
        Proven bounds on the error of ``kernel_sums``.
    exact : ndarray of bool, shape (m,)
        Queries whose bound misses nwlib's guarantee, so that the route (planned for
        the data's dtype) answers them on the exact path instead.
    order : int
        Chebyshev points per box and coordinate, ``p``.
    boxes : tuple of int
        Boxes per coordinate.
    """

    sums: np.ndarray
    sum_bounds: np.ndarray
    kernel_sums: np.ndarray
    kernel_sum_bounds: np.ndarray
    exact: np.ndarray
    order: int
    boxes: tuple[int, ...]


def gauss_transform(queries: Any, keys: Any, values: Any, *, bandwidth: Any,
                    target: float | None = None) -> GaussTransform:
    """Compute Gaussian sums at every query by the fast transform, each with a proven bound.

    The same interpolation, grid and bound as the route :func:`nwlib.nadaraya_watson`
    takes for d <= 3 above its crossover, on a grid over the keys and all the queries.
    ``sums / kernel_sums`` is the Nadaraya-Watson estimate. Far queries and tiny
    denominators are where the bound is large next to the answer: see ``exact``.

    Array types: numpy; returns numpy float64.

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
        The points to sum at, d <= 3.
    keys : array_like, shape (n,) or (n, d)
        The kernel's centres.
    values : array_like, shape (n,) or (n, c)
        Weights of the keys.
    bandwidth : float or array_like, shape (d,)
        The Gaussian kernel's width ``h``.
    target : float, optional
        The interpolation error per query-key pair the grid is planned for, as a share of
        the kernel's peak 1; a smaller target takes more points per box. Default: the
        route's own, ``2**-(b + 11)`` for data with ``b`` mantissa bits.

    Returns
    -------
    GaussTransform
        The sums, their bounds, the queries left to the exact path, and the grid used.

    Raises
    ------
    ValueError
        Naming the argument: bad arrays or width, a target outside (0, 1), d > 3, or a
        width so narrow next to the points' span that no grid fits.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-2.5, 2.5, 2_000); y = np.sin(2 * x)
    >>> q = np.array([0.0, 1.0])
    >>> out = gauss_transform(q, x, y, bandwidth=0.37)
    >>> w = np.exp(-((q[:, None] - x) / 0.37) ** 2 / 2)
    >>> bool(np.all(np.abs(out.kernel_sums - w.sum(axis=1)) <= out.kernel_sum_bounds))
    True
    >>> bool(np.allclose(out.sums / out.kernel_sums, w @ y / w.sum(axis=1), rtol=0, atol=1e-13))
    True
    """
    p, found = _run(queries, keys, values, bandwidth, target, with_sums=True)
    sums, bounds = found["sums"], found["bounds"]
    c = p.values.shape[1]
    pick = (lambda a: a[:, 0]) if p.values_were_1d else (lambda a: a[:, :c])
    return GaussTransform(pick(sums), pick(bounds), sums[:, c].copy(), bounds[:, c].copy(),
                          found["exact"], found["order"], found["boxes"])


class TransformPlan(NamedTuple):
    """The grid the fast transform plans, and what it costs per point.

    Array types: none; holds Python numbers.

    Parameters
    ----------
    order : int
        Chebyshev points per box and coordinate, ``p``.
    boxes : tuple of int
        Boxes per coordinate.
    nodes_per_point : int
        ``p^d``: the nodes each key spreads onto and each query gathers from.
    grid_nodes : int
        Nodes of the whole grid, ``prod(boxes * p)``: the kernel carries sums between
        them, at a cost that grows like ``grid_nodes`` times the nodes per coordinate,
        whatever the number of points.
    """

    order: int
    boxes: tuple[int, ...]
    nodes_per_point: int
    grid_nodes: int


def transform_plan(queries: Any, keys: Any, *, bandwidth: Any,
                   target: float | None = None) -> TransformPlan | None:
    """Plan the grid :func:`gauss_transform` would use, without computing any sum.

    Array types: numpy; returns Python numbers.

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
        The points to sum at.
    keys : array_like, shape (n,) or (n, d)
        The kernel's centres.
    bandwidth : float or array_like, shape (d,)
        The Gaussian kernel's width ``h``.
    target : float, optional
        As in :func:`gauss_transform`.

    Returns
    -------
    TransformPlan or None
        None where no grid fits: d > 3, or too many nodes for the width.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(-2.5, 2.5, (1_000, 2))
    >>> plan = transform_plan(x, x, bandwidth=0.37)
    >>> plan.nodes_per_point == plan.order**2, transform_plan(x, x, bandwidth=1e-4)
    (True, None)
    """
    try:
        _, found = _run(queries, keys, None, bandwidth, target, with_sums=False)
    except _NoGrid:
        return None
    order, boxes = found["order"], found["boxes"]
    return TransformPlan(order, boxes, order ** len(boxes), math.prod(b * order for b in boxes))


class _NoGrid(ValueError):
    pass


def _run(queries: Any, keys: Any, values: Any, bandwidth: Any, target: Any,
         with_sums: bool) -> tuple[Any, dict[str, Any]]:
    if values is None:
        values = np.zeros(np.shape(keys)[:1])
    p = prepare(queries, keys, values, bandwidth)
    if p.is_torch:
        raise TypeError("the fast transform runs on numpy arrays: pass queries.numpy(), keys.numpy(), ...")
    d = p.keys.shape[1]
    if d > 3:
        raise _NoGrid(f"keys have d={d} coordinates: the fast transform serves d <= 3 "
                      "(its cost grows like p^d); use nwlib.nadaraya_watson.")
    found = _backends.gaussian_transform(p, _target(target, p.keys.dtype), with_sums)
    if found is None:
        raise _NoGrid(f"bandwidth={bandwidth!r}: no grid of the transform fits a width this narrow "
                      "next to the points' span; pass a wider bandwidth or a larger target, or use "
                      "nwlib.nadaraya_watson.")
    return p, found
