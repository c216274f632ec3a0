"""Seeded Monte Carlo simulations over fresh draws of the running example.

Every simulation redraws the running example (new keys and new noise) with the
seeds ``seed, seed + 1, ...``, so a chapter prints the same numbers every run:
:func:`pointwise_bias` (bias and spread of the fit at each query, the one Monte
Carlo of the fit's bias), :func:`bias_variance` (its averages over the queries, for
a list of widths) and :func:`coverage_simulation` (how often confidence bands cover
the truth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import ArrayLike
from ..kernels import Kernel
from ..smoother import confidence_band, smoother_matrix
from .data import running_example

__all__ = ["PointwiseBias", "pointwise_bias", "bias_variance", "Coverage", "coverage_simulation"]


@dataclass(frozen=True)
class PointwiseBias:
    """Mean fit minus truth, and the spread of the fits, at each query.

    Array types: none; holds float64 numpy arrays.

    Parameters
    ----------
    queries : numpy.ndarray, shape (m,)
        The query grid.
    bias : numpy.ndarray, shape (m,)
        Mean fit minus the truth.
    sd : numpy.ndarray, shape (m,)
        Standard deviation of the fits.

    """

    queries: np.ndarray
    bias: np.ndarray
    sd: np.ndarray


def pointwise_bias(*, bandwidth: float, estimator: str = "nadaraya_watson",
                   kernel: str | Kernel = "gaussian", repeats: int = 200, n: int = 40,
                   seed: int = 1000) -> PointwiseBias:
    """Measure the bias and standard deviation of the fit at each query of the running example.

    Array types: none (draws its own data); returns a PointwiseBias of float64 numpy arrays.

    Parameters
    ----------
    bandwidth : float
        The width ``h > 0`` of every fit.
    estimator : {"nadaraya_watson", "local_linear"}
        The smoother, as in :func:`nwlib.smoother_matrix`.
    kernel : str or Kernel
        The kernel of the fit.
    repeats : int
        Number of draws, at least 2.
    n : int
        Number of keys in each draw.
    seed : int
        Seed of the first draw; draw ``r`` uses ``seed + r``.

    Returns
    -------
    PointwiseBias
        The query grid, the mean fit minus the truth, and the standard deviation of
        the fits (``ddof=1``), each of shape (50,).

    Examples
    --------
    >>> r = pointwise_bias(bandwidth=0.4, repeats=20)
    >>> r.bias.shape, bool(r.bias[0] > 0.5)  # pulled up at x = 0
    ((50,), True)
    """
    if int(repeats) != repeats or repeats < 2:
        raise ValueError(f"repeats={repeats!r}: pass at least 2 repetitions.")
    fits = []
    for r in range(int(repeats)):
        d = running_example(n, seed=seed + r)
        w = smoother_matrix(d.x_query, d.x_train, kernel=kernel, bandwidth=bandwidth,
                            estimator=estimator)
        fits.append(w @ d.y_train)
    fits = np.array(fits)
    first = running_example(n, seed=seed)  # every draw shares the queries and the truth
    return PointwiseBias(first.x_query, fits.mean(axis=0) - first.y_true, fits.std(axis=0, ddof=1))


def bias_variance(candidates: ArrayLike, *, kernel: str | Kernel = "gaussian", n: int = 40,
                  repeats: int = 200, seed: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Squared bias and variance of the Nadaraya-Watson fit at each width.

    Array types: numpy (``candidates`` as an array-like); returns float64 numpy arrays (also for float32
    input).

    For each width, :func:`pointwise_bias` over ``repeats`` draws
    ``running_example(n, seed=seed + r)``, averaged over the query grid: the
    squared bias ``(mean fit - f)**2`` and the variance of the fits. A compact
    kernel too narrow for some draw raises :class:`~nwlib.NoKeyInReachError`.

    Parameters
    ----------
    candidates : numpy.typing.ArrayLike, shape (w,)
        The widths, each ``> 0``.
    kernel : str or Kernel
        The kernel of the fit.
    n : int
        Number of keys in each draw.
    repeats : int
        Number of draws, at least 2.
    seed : int
        Seed of the first draw.

    Returns
    -------
    bias2 : numpy.ndarray, shape (w,)
        The squared bias averaged over the queries, one per width.
    variance : numpy.ndarray, shape (w,)
        The variance of the fits averaged over the queries, one per width.

    Examples
    --------
    >>> b, v = bias_variance([0.1, 1.0], repeats=20)
    >>> bool(b[0] < b[1]), bool(v[0] > v[1])  # narrow: small bias, large variance
    (True, True)
    """
    widths = np.asarray(candidates, dtype=float).ravel()
    if widths.size == 0 or not np.all(np.isfinite(widths) & (widths > 0)):
        raise ValueError("candidates must be a non-empty list of positive widths.")
    bias2, variance = np.empty(widths.size), np.empty(widths.size)
    for i, h in enumerate(widths):
        r = pointwise_bias(bandwidth=h, kernel=kernel, repeats=repeats, n=n, seed=seed)
        bias2[i], variance[i] = np.mean(r.bias**2), np.mean(r.sd**2)
    return bias2, variance


@dataclass(frozen=True)
class Coverage:
    """How often pointwise bands covered the true function, query by query.

    Array types: none; holds numpy arrays (float64 coverage and widths).

    Parameters
    ----------
    queries : numpy.ndarray, shape (m,)
        The query grid.
    covered : numpy.ndarray, shape (m,)
        Fraction of draws whose band held the truth.
    width : numpy.ndarray, shape (m,)
        Mean band width.
    level : float
        The nominal coverage.

    """

    queries: np.ndarray
    covered: np.ndarray  # fraction of draws whose band contained f(q), per query
    width: np.ndarray  # average band width per query
    level: float

    @property
    def average(self) -> float:
        """Coverage averaged over the queries."""
        return float(self.covered.mean())


def coverage_simulation(*, bandwidth: float, level: float = 0.95,
                        estimator: str = "nadaraya_watson", kernel: str | Kernel = "gaussian",
                        repeats: int = 300, n: int = 40, seed: int = 2000) -> Coverage:
    """Draw the running example ``repeats`` times and count covered truths.

    Array types: none (draws its own data); returns a Coverage of numpy arrays.

    Each draw gets the normal band of :func:`nwlib.smoother.confidence_band`
    (plug-in noise variance) at the given width.

    Parameters
    ----------
    bandwidth : float
        The width ``h > 0`` of every fit.
    level : float
        The nominal coverage of each pointwise band, in (0, 1).
    estimator : {"nadaraya_watson", "local_linear"}
        The smoother, as in :func:`nwlib.smoother_matrix`.
    kernel : str or Kernel
        The kernel of the fit.
    repeats : int
        Number of draws, at least 2.
    n : int
        Number of keys in each draw.
    seed : int
        Seed of the first draw; draw ``r`` uses ``seed + r``.

    Returns
    -------
    Coverage
        Per query, the fraction of draws whose band held the truth, and the mean
        band width.

    Examples
    --------
    >>> c = coverage_simulation(bandwidth=0.4, repeats=20)
    >>> c.covered.shape, 0 <= c.average <= 1
    ((50,), True)
    """
    if int(repeats) != repeats or repeats < 2:
        raise ValueError(f"repeats={repeats!r}: pass at least 2 repetitions.")
    hits, widths = 0.0, 0.0
    for r in range(int(repeats)):
        d = running_example(n, seed=seed + r)
        band = confidence_band(d.x_query, d.x_train, d.y_train, kernel=kernel,
                               bandwidth=bandwidth, level=level, estimator=estimator)
        hits = hits + ((band.lower <= d.y_true) & (d.y_true <= band.upper))
        widths = widths + (band.upper - band.lower)
    d = running_example(n, seed=seed)
    return Coverage(d.x_query, hits / repeats, widths / repeats, level)
