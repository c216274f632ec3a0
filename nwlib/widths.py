"""Comparing widths across kernels: a kernel's variance and equal-variance widths.

A compact kernel with width ``h`` smooths less than a Gaussian with ``sigma = h``:
the Epanechnikov kernel, for example, has standard deviation ``h / sqrt(5)``.
Matching the variances of the normalised kernels gives widths that smooth about
equally, which is how the chapters compare kernels fairly.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .kernels import Kernel, get_kernel

__all__ = ["kernel_variance", "equivalent_bandwidth"]


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
