"""Parzen-Rosenblatt kernel density estimates."""

from __future__ import annotations

import math
from typing import Any

from .blocking import row_blocks
from .kernels import Kernel, get_kernel
from .pooling import log_scores
from .validation import prepare

__all__ = ["parzen_density"]


def parzen_density(
    queries: Any,
    samples: Any,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Any = 1.0,
) -> Any:
    """Kernel density estimate ``p(x) = 1/n sum_i K_h(x - x_i)`` at each query.

    Array types: numpy or torch (array-API, through array-api-compat); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    The kernel is scaled to integrate to 1 over R^d:
    ``K_h(x) = k(||x / h||) / (normaliser(d) * prod(h))``, so the Gaussian with
    width ``h`` is the normal density with standard deviation ``h`` in every
    coordinate, as in ``scipy.stats.gaussian_kde``.

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
    norm = scale * n * xp.prod(p.bandwidth)
    parts = [
        xp.sum(xp.exp(log_scores(p.queries[b], p.keys, p.bandwidth, k, xp)), axis=1)
        for b in row_blocks(p.queries.shape[0], n * d)
    ]
    if not parts:
        return xp.zeros((0,), dtype=p.keys.dtype, device=p.keys.device)
    total = xp.concat(parts) if len(parts) > 1 else parts[0]
    return total / norm
