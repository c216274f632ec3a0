"""Similarity kernels as functions of the scaled distance ``u = ||(q - k) / h||``.

Each kernel is stored through its *log-profile* as a function of ``s = u**2``.
Working with ``s`` avoids a square root (whose derivative is infinite at 0,
which would poison gradients when a query sits on a key), and working in log
space lets the pooling code subtract each row's maximum before exponentiating,
exactly as a numerically stable softmax does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

__all__ = ["Kernel", "KERNELS", "get_kernel", "kernel_variance", "equivalent_bandwidth"]


def _safe_sqrt(s: Any, xp: Any) -> Any:
    """Sqrt with a finite gradient at 0 (where the true gradient is multiplied by 0)."""
    positive = s > 0
    return xp.where(positive, xp.sqrt(xp.where(positive, s, xp.ones_like(s))), xp.zeros_like(s))


def _compact(inside_profile: Callable[[Any, Any], Any], *, closed: bool = False):
    """Build a log-profile that is ``log(inside_profile)`` on the support, else -inf.

    ``closed`` says whether the boundary ``u = 1`` belongs to the support (boxcar).
    """

    def log_profile(s: Any, xp: Any) -> Any:
        inside = (s <= 1) if closed else (s < 1)
        safe = xp.where(inside, s, xp.zeros_like(s))
        value = inside_profile(safe, xp)
        return xp.where(inside, xp.log(value), xp.full_like(s, -math.inf))

    return log_profile


@dataclass(frozen=True)
class Kernel:
    """A radial similarity kernel ``k(u)`` of the scaled distance ``u``.

    Array types: numpy; calling it returns float64 (``log_profile`` runs in the namespace its caller passes,
    numpy or torch).

    Parameters
    ----------
    name : str
        Name used in ``KERNELS``.
    log_profile : callable
        ``log k`` as a function of ``s = u**2`` and an array namespace.
    radius : float
        Largest ``u`` with ``k(u) > 0`` (``inf`` for the Gaussian).
    formula : str
        The kernel in words, for plots and error messages.

    Examples
    --------
    >>> import numpy as np
    >>> KERNELS["epanechnikov"](np.array([0.0, 0.5, 1.0, 2.0]))
    array([1.  , 0.75, 0.  , 0.  ])
    """

    name: str
    log_profile: Callable[[Any, Any], Any] = field(repr=False)
    radius: float
    formula: str

    def __call__(self, u: Any) -> np.ndarray:
        """Evaluate ``k(u)`` (numpy) at scaled distances ``u``."""
        import array_api_compat

        u = np.asarray(u, dtype=float)
        xp = array_api_compat.array_namespace(u)
        return np.exp(self.log_profile(u * u, xp))

    @property
    def compact(self) -> bool:
        """True when the kernel vanishes beyond a finite distance."""
        return math.isfinite(self.radius)

    def normaliser(self, d: int = 1) -> float:
        """Integral of ``k(||x||)`` over R^d, so ``k / normaliser`` is a density.

        Infinite for the constant kernel, which is not integrable.

        >>> round(KERNELS["epanechnikov"].normaliser(1), 6)  # 1 / (3/4)
        1.333333
        """
        return _normaliser(self, int(d))


@cache
def _normaliser(kernel: Kernel, d: int) -> float:
    if d < 1:
        raise ValueError(f"d={d}: the dimension must be a positive integer.")
    # Closed forms for the built-in kernels, recognised by identity: a user's kernel
    # that reuses a name gets the integral of its own profile.
    if kernel is KERNELS["constant"]:
        return math.inf
    if kernel is KERNELS["gaussian"]:
        return (2 * math.pi) ** (d / 2)
    # Radial integral: |S^{d-1}| * int_0^radius k(r) r^{d-1} dr, and
    # |S^{d-1}| = d * (volume of the unit ball).
    from scipy.integrate import quad

    ball = math.pi ** (d / 2) / math.gamma(d / 2 + 1)
    radial, _ = quad(lambda r: float(kernel(np.array(r))) * r ** (d - 1), 0.0, kernel.radius)
    return d * ball * radial


KERNELS: dict[str, Kernel] = {
    k.name: k
    for k in [
        Kernel("gaussian", lambda s, _xp: -0.5 * s, math.inf, "exp(-u^2/2)"),
        Kernel(
            "boxcar",
            _compact(lambda s, xp: xp.ones_like(s), closed=True),
            1.0,
            "1 if u <= 1 else 0",
        ),
        Kernel(
            "triangular",
            _compact(lambda s, xp: 1 - _safe_sqrt(s, xp)),
            1.0,
            "max(0, 1 - u)",
        ),
        Kernel("epanechnikov", _compact(lambda s, _xp: 1 - s), 1.0, "max(0, 1 - u^2)"),
        Kernel(
            "tricube",
            _compact(lambda s, xp: (1 - s * _safe_sqrt(s, xp)) ** 3),
            1.0,
            "max(0, 1 - u^3)^3",
        ),
        Kernel(
            "cosine",
            _compact(lambda s, xp: xp.cos((math.pi / 2) * _safe_sqrt(s, xp))),
            1.0,
            "cos(pi u / 2) if u < 1 else 0",
        ),
        Kernel("constant", lambda s, xp: xp.zeros_like(s), math.inf, "1"),
    ]
}
"""The kernels known by name; every public function accepts these names."""


def get_kernel(kernel: str | Kernel) -> Kernel:
    """Return the :class:`Kernel` for a name (or pass a Kernel through).

    Array types: none; returns a Kernel.

    Parameters
    ----------
    kernel : str or Kernel
        A name from ``KERNELS``, or a Kernel.

    Returns
    -------
    Kernel
        The kernel.

    Examples
    --------
    >>> get_kernel("gaussian").formula
    'exp(-u^2/2)'
    """
    if isinstance(kernel, Kernel):
        return kernel
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(
            f"kernel={kernel!r} is unknown; choose one of {', '.join(map(repr, KERNELS))} "
            "or pass a nwlib.Kernel."
        )
    return KERNELS[kernel]


def kernel_variance(kernel: str | Kernel) -> float:
    """Variance of the 1-D density ``k(|u|) / c_1`` at width 1.

    Array types: none; returns a Python float.

    A compact kernel with width ``h`` smooths less than a Gaussian with
    ``sigma = h``: the Epanechnikov kernel has standard deviation ``h / sqrt(5)``.

    Parameters
    ----------
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.

    Returns
    -------
    float
        ``int u^2 k(|u|) du / c_1``.

    Examples
    --------
    >>> round(kernel_variance("epanechnikov"), 6), round(kernel_variance("gaussian"), 6)
    (0.2, 1.0)
    """
    return _variance(get_kernel(kernel))


@cache
def _variance(k: Kernel) -> float:
    if k is KERNELS["constant"]:
        raise ValueError("kernel='constant' has infinite variance; it has no comparable width.")
    if k is KERNELS["gaussian"]:
        return 1.0
    from scipy.integrate import quad

    # Symmetric, so the ratio of the integrals over [0, radius].
    mass, _ = quad(lambda u: float(k(np.array(u))), 0.0, k.radius)
    second, _ = quad(lambda u: u * u * float(k(np.array(u))), 0.0, k.radius)
    return second / mass


def equivalent_bandwidth(kernel: str | Kernel, sigma: float) -> float:
    """Return the width at which ``kernel`` has the spread of a Gaussian of width ``sigma``.

    Array types: none; returns a Python float.

    Matching the variances of the normalised kernels gives widths that smooth
    about equally, which is how the chapters compare kernels fairly.

    Parameters
    ----------
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    sigma : float
        The width of the Gaussian to match, ``> 0``.

    Returns
    -------
    float
        ``sigma / sqrt(kernel_variance(kernel))``.

    Examples
    --------
    >>> round(equivalent_bandwidth("boxcar", 0.5), 4)  # 0.5 * sqrt(3)
    0.866
    """
    if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma={sigma!r}: pass a positive Gaussian width.")
    return float(sigma) / math.sqrt(kernel_variance(kernel))
