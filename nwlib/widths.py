"""How the width smooths: kernel variances, equal-spread widths, bias and variance.

A compact kernel with width ``h`` smooths less than a Gaussian with ``sigma = h``:
the Epanechnikov kernel, for example, has standard deviation ``h / sqrt(5)``.
Matching the variances of the normalised kernels gives widths that smooth about
equally, which is how the chapters compare kernels fairly.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from .kernels import Kernel, get_kernel

__all__ = ["kernel_variance", "equivalent_bandwidth", "bias_variance"]


def kernel_variance(kernel: str | Kernel) -> float:
    """Variance of the 1-D density ``k(|u|) / c_1`` at width 1.

    Examples
    --------
    >>> round(kernel_variance("epanechnikov"), 6), round(kernel_variance("gaussian"), 6)
    (0.2, 1.0)
    """
    return _variance(get_kernel(kernel))


@lru_cache(maxsize=None)
def _variance(k: Kernel) -> float:
    if k.name == "constant":
        raise ValueError("kernel='constant' has infinite variance; it has no comparable width.")
    if k.name == "gaussian":
        return 1.0
    from scipy.integrate import quad

    # Symmetric, so twice the integral over [0, radius]; compact kernels only here.
    mass, _ = quad(lambda u: float(k(np.array(u))), 0.0, k.radius)
    second, _ = quad(lambda u: u * u * float(k(np.array(u))), 0.0, k.radius)
    return second / mass


def equivalent_bandwidth(kernel: str | Kernel, sigma: float) -> float:
    """The width at which ``kernel`` has the spread of a Gaussian of width ``sigma``.

    Examples
    --------
    >>> round(equivalent_bandwidth("boxcar", 0.5), 4)  # 0.5 * sqrt(3)
    0.866
    """
    if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma={sigma!r}: pass a positive Gaussian width.")
    return float(sigma) / math.sqrt(kernel_variance(kernel))


def bias_variance(bandwidths: Any, *, kernel: str | Kernel = "gaussian", n: int = 40,
                  repeats: int = 200, seed: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Squared bias and variance of the fit at each width, over fresh running examples.

    Draws ``repeats`` data sets ``running_example(n, seed=seed + r)``, fits each on
    the query grid, and averages over the queries the squared bias
    ``(mean fit - f)**2`` and the variance of the fits. A compact kernel too
    narrow for some draw raises :class:`~nwlib.NoKeyInReachError`.

    Returns
    -------
    bias2, variance : ndarrays, shape (len(bandwidths),)

    Examples
    --------
    >>> b, v = bias_variance([0.1, 1.0], repeats=20)
    >>> bool(b[0] < b[1]), bool(v[0] > v[1])  # narrow: small bias, large variance
    (True, True)
    """
    from .data import running_example
    from .pooling import nadaraya_watson

    widths = np.asarray(bandwidths, dtype=float).ravel()
    if widths.size == 0 or not np.all(np.isfinite(widths) & (widths > 0)):
        raise ValueError("bandwidths must be a non-empty list of positive widths.")
    if int(repeats) != repeats or repeats < 2:
        raise ValueError(f"repeats={repeats!r}: pass at least 2 repetitions to get a variance.")
    sets = [running_example(n, seed=seed + r) for r in range(int(repeats))]
    truth = sets[0].y_true
    bias2, variance = np.empty(widths.size), np.empty(widths.size)
    for i, h in enumerate(widths):
        fits = np.stack([nadaraya_watson(d.x_query, d.x_train, d.y_train, kernel=kernel,
                                         bandwidth=h) for d in sets])
        bias2[i] = np.mean((fits.mean(axis=0) - truth) ** 2)
        variance[i] = np.mean(fits.var(axis=0, ddof=1))
    return bias2, variance
