"""Asymptotic bias and variance of kernel regression in one dimension.

For a density kernel ``K`` (the kernel divided by its normaliser), width ``h``,
design density ``p`` and noise variance ``sigma^2``, at an interior point
(Wand and Jones 1995, ch. 5):

- Nadaraya-Watson bias ``h^2 mu_2(K) (f''/2 + f' p'/p)``, local-linear bias
  ``h^2 mu_2(K) f''/2``;
- variance ``sigma^2 R(K) / (n h p(x))`` for both,

with ``mu_2(K) = int u^2 K(u) du`` and ``R(K) = int K(u)^2 du``. Integrating the
squared bias plus the variance gives the AMISE, minimised by a width of order
``n^(-1/5)`` with error of order ``n^(-4/5)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from .kernels import KERNELS, Kernel, get_kernel, kernel_variance

__all__ = ["KernelConstants", "kernel_constants", "kernel_table", "amise",
           "amise_bandwidth"]


@dataclass(frozen=True)
class KernelConstants:
    """``mu_2``, ``R`` and the AMISE efficiency of one kernel (1-D, width 1).

    Array types: none; holds Python floats.

    ``efficiency`` is ``(sigma_E R_E) / (sigma_K R_K)`` with ``sigma = sqrt(mu_2)``
    and E the Epanechnikov kernel: K with n keys reaches the optimal AMISE that E
    reaches with ``efficiency * n`` keys (the optimal AMISE is proportional to
    ``(sigma_K R_K / n)^(4/5)``). It does not depend on how widths are scaled;
    ``r_equal_spread = R * sigma_K`` is R of the kernel rescaled to unit
    variance, the width convention of the kernels chapter.

    Parameters
    ----------
    name : str
        The kernel's name.
    mu2 : float
        ``mu_2 = int u^2 K(u) du``, the kernel's second moment.
    roughness : float
        ``R = int K(u)^2 du``.
    r_equal_spread : float
        ``R * sqrt(mu_2)``: R of the kernel rescaled to unit variance.
    efficiency : float
        AMISE efficiency relative to the Epanechnikov kernel, at most 1.

    """

    name: str
    mu2: float
    roughness: float
    r_equal_spread: float
    efficiency: float


@cache
def _roughness(k: Kernel) -> float:
    if k.name == "gaussian":
        return 1.0 / (2.0 * math.sqrt(math.pi))
    from scipy.integrate import quad

    c = k.normaliser(1)
    sq, _ = quad(lambda u: float(k(np.array(u))) ** 2, 0.0, k.radius)
    return 2.0 * sq / c**2


def kernel_constants(kernel: str | Kernel) -> KernelConstants:
    """Compute the constants of ``kernel`` that enter the asymptotic bias and variance.

    Array types: none; returns a KernelConstants of Python floats.

    Raises ValueError for the constant kernel, which is not integrable.

    Parameters
    ----------
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.

    Returns
    -------
    KernelConstants
        Its ``mu_2``, ``R`` and efficiency.

    Examples
    --------
    >>> c = kernel_constants("epanechnikov")
    >>> round(c.mu2, 6), round(c.roughness, 6), c.efficiency  # 1/5, 3/5
    (0.2, 0.6, 1.0)
    """
    k = get_kernel(kernel)
    if k.name == "constant":
        raise ValueError("kernel='constant' is not integrable: it has no mu_2 or R(K).")
    mu2 = kernel_variance(k)
    rough = _roughness(k)
    spread = rough * math.sqrt(mu2)
    if k.name == "epanechnikov":
        return KernelConstants(k.name, mu2, rough, spread, 1.0)
    ref = kernel_constants("epanechnikov").r_equal_spread
    return KernelConstants(k.name, mu2, rough, spread, ref / spread)


def kernel_table() -> list[KernelConstants]:
    """:func:`kernel_constants` of every integrable kernel in ``KERNELS``.

    Array types: none; returns a list of KernelConstants.

    Returns
    -------
    list of KernelConstants
        One per kernel of ``KERNELS`` that integrates to a finite value.

    Examples
    --------
    >>> [c.name for c in kernel_table()][:2]
    ['gaussian', 'boxcar']
    """
    return [kernel_constants(name) for name in KERNELS if name != "constant"]


def _check(n: float, noise_var: float, bias_integral: float, variance_integral: float) -> None:
    for name, value in [("n", n), ("noise_var", noise_var), ("bias_integral", bias_integral),
                        ("variance_integral", variance_integral)]:
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r}: pass a positive finite number.")


def amise(n: float, *, bandwidth: float, kernel: str | Kernel = "gaussian", noise_var: float,
          bias_integral: float, variance_integral: float) -> float:
    """Asymptotic mean integrated squared error at width ``h``.

    Array types: none; returns a Python float.

    ``h^4 mu_2^2 B + sigma^2 R(K) V / (n h)`` with ``B = int b(x)^2 w(x) dx`` the
    integrated squared bias factor (``b = f''/2 + f' p'/p`` for Nadaraya-Watson,
    ``f''/2`` for local-linear) and ``V = int w(x) / p(x) dx``, for a weight
    ``w`` over the queries.

    Parameters
    ----------
    n : float
        Number of keys.
    bandwidth : float
        The width ``h > 0``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    noise_var : float
        The noise variance ``sigma^2 > 0``.
    bias_integral : float
        ``B``, the integrated squared bias factor, ``> 0``.
    variance_integral : float
        ``V``, the integrated variance factor, ``> 0``.

    Returns
    -------
    float
        The asymptotic mean integrated squared error.

    Examples
    --------
    The squared bias 0.5**4 plus the variance R/50:

    >>> round(amise(100, bandwidth=0.5, noise_var=1.0, bias_integral=1.0, variance_integral=1.0), 4)
    0.0681
    """
    _check(n, noise_var, bias_integral, variance_integral)
    c = kernel_constants(kernel)
    h = float(bandwidth)
    return h**4 * c.mu2**2 * bias_integral + noise_var * c.roughness * variance_integral / (n * h)


def amise_bandwidth(n: float, *, kernel: str | Kernel = "gaussian", noise_var: float,
                    bias_integral: float, variance_integral: float) -> float:
    """Return the width minimising :func:`amise`, of order ``n^(-1/5)``.

    Array types: none; returns a Python float.

    ``h = (sigma^2 R(K) V / (4 n mu_2^2 B))^(1/5)``.

    Parameters
    ----------
    n : float
        Number of keys.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    noise_var : float
        The noise variance ``sigma^2 > 0``.
    bias_integral : float
        ``B``, the integrated squared bias factor, ``> 0``.
    variance_integral : float
        ``V``, the integrated variance factor, ``> 0``.

    Returns
    -------
    float
        The width ``(sigma^2 R V / (4 n mu_2^2 B))^(1/5)``.

    Examples
    --------
    >>> h1 = amise_bandwidth(100, noise_var=1.0, bias_integral=1.0, variance_integral=1.0)
    >>> h2 = amise_bandwidth(3200, noise_var=1.0, bias_integral=1.0, variance_integral=1.0)
    >>> round(h1 / h2, 6)  # 32**(1/5)
    2.0
    """
    _check(n, noise_var, bias_integral, variance_integral)
    c = kernel_constants(kernel)
    return (noise_var * c.roughness * variance_integral / (4 * n * c.mu2**2 * bias_integral)) ** 0.2
