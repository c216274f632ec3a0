"""A direct plug-in width for local-linear regression (Ruppert, Sheather and Wand 1995).

The asymptotic mean integrated squared error of the local-linear fit over the data's
range ``[a, b]`` (weight 1 there, design density ``p``, noise variance ``sigma^2``) is

``AMISE(h) = h^4 mu_2^2 theta_22 / 4 + sigma^2 R(K) (b - a) / (n h)``,

with ``theta_22 = int m''(x)^2 p(x) dx``: the squared bias ``(h^2 mu_2 m''/2)^2``
integrated against ``p(x) dx`` gives the first term, and the variance
``sigma^2 R(K) / (n h p(x))`` integrated against ``p(x) dx`` over ``[a, b]`` the
second. Setting the derivative ``h^3 mu_2^2 theta_22 - sigma^2 R(K) (b - a) / (n h^2)``
to zero gives

``h = [sigma^2 R(K) (b - a) / (n mu_2^2 theta_22)]^(1/5)``.

``mu_2`` and ``R(K)`` are the second moment and roughness of the kernel at nwlib's
width convention (:func:`nwlib.kernel_constants`; for the Gaussian ``mu_2 = 1`` and
``R = 1 / (2 sqrt(pi))``). The unknown ``theta_22`` and ``sigma^2`` are *plugged in*
from a parametric pilot: the sorted data are cut into ``N`` blocks of equal counts, a
quartic is fitted by least squares in each, ``theta_22`` is estimated by the average of
the squared second derivatives of the block quartics at the keys and ``sigma^2`` by
their residual sum of squares over ``n - 5 N``. ``N`` is chosen by Mallows' ``C_p``
among ``1 .. N_max``, ``N_max = max(min(n // 20, 5), 1)``, as in the paper's blocked
pilot. (The paper's full selector then refines these pilots by kernel estimates with
their own widths; this module stops at the blocked quartic, the paper's first stage.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import ArrayLike
from .asymptotics import kernel_constants
from .kernels import Kernel

__all__ = ["PluginWidth", "plugin_bandwidth"]


@dataclass(frozen=True)
class PluginWidth:
    """The direct plug-in width and the pilot estimates that gave it.

    Array types: none; holds Python floats and an int.

    Parameters
    ----------
    bandwidth : float
        The plug-in width ``h``.
    theta22 : float
        The blocked-quartic estimate of ``int m''(x)^2 p(x) dx``.
    noise_var : float
        The blocked-quartic estimate of the noise variance ``sigma^2``.
    blocks : int
        The number of blocks ``N`` chosen by Mallows' ``C_p``.
    """

    bandwidth: float
    theta22: float
    noise_var: float
    blocks: int


def _blocked_quartic(x: np.ndarray, y: np.ndarray, blocks: int) -> tuple[float, float]:
    """Residual sum of squares and sum of squared second derivatives over the blocks."""
    rss = curv = 0.0
    for idx in np.array_split(np.arange(x.size), blocks):
        xb, yb = x[idx], y[idx]
        mid, half = (xb[0] + xb[-1]) / 2, (xb[-1] - xb[0]) / 2
        if half <= 0:
            raise ValueError("a block holds a single distinct key; the blocked quartic "
                             "pilot needs at least 5 distinct keys per block.")
        u = (xb - mid) / half  # in [-1, 1]: a well-conditioned Vandermonde
        design = u[:, None] ** np.arange(5)
        coef, *_ = np.linalg.lstsq(design, yb, rcond=None)
        rss += float(np.sum((yb - design @ coef) ** 2))
        second = (2 * coef[2] + 6 * coef[3] * u + 12 * coef[4] * u**2) / half**2
        curv += float(np.sum(second**2))
    return rss, curv


def plugin_bandwidth(keys: ArrayLike, values: ArrayLike, *,
                     kernel: str | Kernel = "gaussian") -> PluginWidth:
    """Return the direct plug-in width of local-linear regression (one dimension).

    Array types: numpy (array-likes and CPU tensors are converted); returns a
    PluginWidth of Python floats.

    ``h = [sigma^2 R(K) (b - a) / (n mu_2^2 theta_22)]^(1/5)`` with ``theta_22`` and
    ``sigma^2`` from blocked quartic fits (see the module docstring for the derivation).

    Parameters
    ----------
    keys : numpy.typing.ArrayLike, shape (n,)
        The inputs; at least 10 distinct values.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel` (its ``mu_2`` and ``R(K)`` enter).

    Returns
    -------
    PluginWidth
        The width and the pilot estimates ``theta22``, ``noise_var`` and ``blocks``.

    Raises
    ------
    ValueError
        Keys not one-dimensional, too few keys, lengths that differ, or a pilot that
        finds no curvature (``theta_22 = 0``: a straight line wants an infinite width).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 5, 2000); y = 2 * np.sin(x) + x + rng.standard_normal(2000)
    >>> fit = plugin_bandwidth(x, y)
    >>> fit.blocks, round(fit.noise_var, 2), round(fit.bandwidth, 2)
    (2, 0.99, 0.18)
    """
    x = np.asarray(keys, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"keys has shape {x.shape}; the plug-in width is for one "
                         "dimension: pass shape (n,).")
    if y.shape != x.shape:
        raise ValueError(f"values has shape {y.shape} but keys has {x.shape}; pass one "
                         "value per key, shape (n,).")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("keys and values must be finite (no NaN or inf).")
    n = x.size
    if np.unique(x).size < 10:
        raise ValueError(f"{np.unique(x).size} distinct keys: the quartic pilot needs at "
                         "least 10 (5 coefficients and residual degrees of freedom).")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    n_max = max(min(n // 20, 5), 1)
    fits = {N: _blocked_quartic(x, y, N) for N in range(1, n_max + 1)}
    scale = fits[n_max][0] / (n - 5 * n_max)
    # Residuals at the rounding level of the values mean there is no noise to balance.
    if scale <= (1e3 * np.finfo(float).eps * np.abs(y).max()) ** 2:
        raise ValueError("the values lie on the block quartics to rounding error: there is "
                         "no noise to balance, so no finite width is optimal.")
    cp = {N: fits[N][0] / scale - (n - 10 * N) for N in fits}
    blocks = min(cp, key=cp.get)
    rss, curv = fits[blocks]
    theta22 = curv / n
    noise_var = rss / (n - 5 * blocks)
    if theta22 <= 0:
        raise ValueError("the pilot quartics have no curvature (theta_22 = 0); a line "
                         "fits the data and no finite width is optimal.")
    c = kernel_constants(kernel)
    h = (noise_var * c.roughness * (x[-1] - x[0]) / (n * c.mu2**2 * theta22)) ** 0.2
    return PluginWidth(float(h), float(theta22), float(noise_var), int(blocks))
