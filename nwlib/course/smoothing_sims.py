"""Seeded Monte Carlo simulations of the chapters on boundaries and smoothers.

Every simulation redraws the running example (new keys and new noise) with the
seeds ``seed, seed + 1, ...``, so a chapter prints the same numbers every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..smoother import confidence_band, smoother_matrix
from .data import running_example

__all__ = ["PointwiseBias", "pointwise_bias", "Coverage", "coverage_simulation"]


@dataclass(frozen=True)
class PointwiseBias:
    """Mean fit minus truth, and the spread of the fits, at each query.

    Array types: none; holds float64 numpy arrays.
    """

    queries: np.ndarray
    bias: np.ndarray
    sd: np.ndarray


def pointwise_bias(bandwidth: float, *, estimator: str = "nadaraya_watson",
                   kernel: str = "gaussian", repeats: int = 200, n: int = 40,
                   seed: int = 1000) -> PointwiseBias:
    """Bias and standard deviation of the fit at each query of the running example.

    Array types: none (draws its own data); returns a PointwiseBias of float64 numpy arrays.

    Examples
    --------
    >>> r = pointwise_bias(0.4, repeats=20)
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


@dataclass(frozen=True)
class Coverage:
    """How often pointwise bands covered the true function, query by query.

    Array types: none; holds numpy arrays (float64 coverage and widths).
    """

    queries: np.ndarray
    covered: np.ndarray  # fraction of draws whose band contained f(q), per query
    width: np.ndarray  # average band width per query
    level: float

    @property
    def average(self) -> float:
        """Coverage averaged over the queries."""
        return float(self.covered.mean())


def coverage_simulation(bandwidth: float, *, level: float = 0.95,
                        estimator: str = "nadaraya_watson", kernel: str = "gaussian",
                        repeats: int = 300, n: int = 40, seed: int = 2000) -> Coverage:
    """Draw the running example ``repeats`` times and count covered truths.

    Array types: none (draws its own data); returns a Coverage of numpy arrays.

    Each draw gets the normal band of :func:`nwlib.smoother.confidence_band`
    (plug-in noise variance) at the given width.

    Examples
    --------
    >>> c = coverage_simulation(0.4, repeats=20)
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
