"""Parzen-Rosenblatt kernel density estimates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _backends
from .arrays import ArrayOrTensor, Width
from .blocking import row_blocks
from .kernels import KERNELS, Kernel, get_kernel
from .logspace import logsumexp
from .scores import log_scores
from .validation import prepare

__all__ = ["parzen_density", "parzen_log_density"]


def parzen_density(
    queries: ArrayOrTensor,
    samples: ArrayOrTensor,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Width = 1.0,
) -> Any:
    """Kernel density estimate ``p(x) = 1/n sum_i K_h(x - x_i)`` at each query.

    Array types: numpy or torch (array-API, through array-api-compat); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    The kernel is scaled to integrate to 1 over R^d:
    ``K_h(x) = k(||x / h||) / (normaliser(d) * prod(h))``, so the Gaussian with
    width ``h`` is the normal density with standard deviation ``h`` in every
    coordinate. ``h`` is a width in the data's units, unlike the ``bw_method`` of
    ``scipy.stats.gaussian_kde``, which is a factor on the data's spread: its kernel
    has covariance ``bw_method**2`` times the samples' covariance (in 1-D, standard
    deviation ``bw_method * std``). In 1-D, ``parzen_density(q, x, bandwidth=h)``
    is ``gaussian_kde(x, bw_method=h / x.std(ddof=1))(q)``; passing the same number
    to both can differ many times over.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
        Where to evaluate the density.
    samples : array_like or torch.Tensor, shape (n,) or (n, d)
        The data the density is estimated from.
    kernel : str or Kernel
        Any kernel but ``"constant"``, which does not integrate to 1.
    bandwidth : float or array_like of shape (d,)

    Returns
    -------
    density : shape (m,)

    Examples
    --------
    >>> round(float(parzen_density([0.0], [0.0], bandwidth=1.0)[0]), 6)  # 1/sqrt(2 pi)
    0.398942
    """
    log_density = parzen_log_density(queries, samples, kernel=kernel, bandwidth=bandwidth)
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(log_density) if isinstance(log_density, np.ndarray) else log_density.exp()


def parzen_log_density(
    queries: ArrayOrTensor,
    samples: ArrayOrTensor,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Width = 1.0,
) -> Any:
    """Log of the kernel density estimate, by a blocked log-sum-exp over the samples.

    Array types: numpy or torch (array-API, through array-api-compat); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    ``log p(x) = logsumexp_i log k(||(x - x_i) / h||) - log(normaliser(d) n prod(h))``.
    Far from every sample the density underflows to 0 (``parzen_density([40.0],
    [0.0])`` is below the smallest float64), its log does not: compare classes or
    points by their log densities.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
        Where to evaluate the log density.
    samples : array_like or torch.Tensor, shape (n,) or (n, d)
        The data the density is estimated from.
    kernel : str or Kernel
        Any kernel but ``"constant"``, which does not integrate to 1.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The width ``h > 0``, or one width per coordinate.

    Returns
    -------
    log_density : shape (m,); ``-inf`` where a compact kernel reaches no sample.

    Examples
    --------
    >>> round(float(parzen_log_density([40.0], [0.0])[0]), 4)  # -800 - log(sqrt(2 pi))
    -800.9189
    """
    k = get_kernel(kernel)
    p = prepare(queries, samples, None, bandwidth)
    xp = p.xp
    n, d = p.keys.shape
    scale = k.normaliser(d)
    if not math.isfinite(scale):
        raise ValueError(
            f"kernel={k.name!r} does not integrate to a finite value, so it defines no "
            "density; choose e.g. 'gaussian' or 'epanechnikov'."
        )
    # In logs: a product of d tiny or huge widths could leave the float range.
    log_norm = math.log(scale) + math.log(n) + xp.sum(xp.log(p.bandwidth))
    if k is KERNELS["gaussian"]:
        fast = _backends.gaussian_log_sums(p)
        if fast is not None:
            return fast - log_norm.astype(fast.dtype)
    parts = []
    for b in row_blocks(p.queries.shape[0], n * d):
        scores = log_scores(p.queries[b], p.keys, p.bandwidth, k, xp)
        parts.append(logsumexp(scores, axis=1))
    if not parts:
        return xp.zeros((0,), dtype=p.keys.dtype, device=p.keys.device)
    return (xp.concat(parts) if len(parts) > 1 else parts[0]) - log_norm
