"""Kernel ridge regression, the posterior mean of a Gaussian process.

Nadaraya-Watson *normalises* the kernel row of a query; kernel ridge
regression *solves a linear system* with the Gram matrix of the keys:

``f(q) = k(q, K) (K + lambda I)^{-1} y``,  ``K_ij = exp(-|k_i - k_j|^2 / (2 h^2))``.

It is the posterior mean of a Gaussian process with that covariance and noise
variance ``lambda`` (zero prior mean, or the mean of ``y`` with ``center=True``).
Its weights ``k(q, K) (K + lambda I)^{-1}`` need not sum to 1 nor be positive.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from .arrays import ArrayLike, Width
from .validation import prepare

__all__ = ["kernel_ridge", "kernel_ridge_weights", "gp_posterior_variance"]


def _gram(a: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
    diff = (a[:, None, :] - b[None, :, :]) / h
    return np.exp(-0.5 * np.sum(diff * diff, axis=-1))


def kernel_ridge_weights(queries: ArrayLike, keys: ArrayLike, *, bandwidth: Width = 1.0,
                         ridge: float = 1.0) -> np.ndarray:
    """Compute the weights of each query over the keys, ``k(q, K) (K + ridge I)^{-1}``, shape (m, n).

    Array types: numpy (a torch tensor raises TypeError); returns a float64 numpy array.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    ridge : float
        The ridge ``lambda > 0`` added to the kernel matrix's diagonal.

    Returns
    -------
    numpy.ndarray, shape (m, n)
        The weights, float64.

    Examples
    --------
    >>> w = kernel_ridge_weights([0.0], [0.0, 1.0], bandwidth=1.0, ridge=1e-9)
    >>> w.round(6).tolist()  # a query on a key: (almost) interpolation
    [[1.0, 0.0]]
    """
    if not (np.isfinite(ridge) and ridge > 0):
        raise ValueError(f"ridge={ridge!r}: pass a positive ridge (the noise variance of the "
                         "Gaussian process); 0 would interpolate the noise.")
    p = prepare(queries, keys, None, bandwidth)
    if p.is_torch:
        raise TypeError("kernel_ridge works on numpy arrays; pass tensor.numpy().")
    # The Cholesky solve needs float64 whatever the input's precision.
    queries, keys, h = (np.asarray(a, dtype=np.float64) for a in (p.queries, p.keys, p.bandwidth))
    gram = _gram(keys, keys, h)
    gram[np.diag_indices_from(gram)] += ridge
    factor = cho_factor(gram, lower=True)
    return cho_solve(factor, _gram(queries, keys, h).T).T


def kernel_ridge(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *, bandwidth: Width = 1.0,
                 ridge: float = 1.0, center: bool = False) -> np.ndarray:
    """Kernel ridge regression with the Gaussian kernel: ``f(q) = w(q) @ y``.

    Array types: numpy (a torch tensor raises TypeError); returns a float64 numpy array.

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
    keys : array_like, shape (n,) or (n, d)
    values : array_like, shape (n,) or (n, c)
    bandwidth : float or array_like of shape (d,)
        The length scale ``h`` of ``exp(-|q - k|^2 / (2 h^2))``.
    ridge : float
        ``lambda > 0``: the noise variance relative to the prior variance 1.
    center : bool
        Subtract the mean of the values first and add it back (a Gaussian
        process whose prior mean is the data's mean); far from every key the fit
        then returns to that mean instead of to 0.

    Returns
    -------
    numpy.ndarray, shape (m,) or (m, c)
        The fit at each query, float64.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0]); y = np.array([1.0, 2.0, 3.0])
    >>> kernel_ridge([10.0], x, y, bandwidth=0.5, ridge=0.1, center=True).round(6)
    array([2.])
    """
    p = prepare(queries, keys, values, bandwidth)
    offset = p.values.mean(axis=0, keepdims=True) if center else np.zeros((1, p.values.shape[1]))
    w = kernel_ridge_weights(p.queries, p.keys, bandwidth=p.bandwidth, ridge=ridge)
    out = offset + w @ (p.values - offset)
    return out[:, 0] if p.values_were_1d else out


def gp_posterior_variance(queries: ArrayLike, keys: ArrayLike, *, bandwidth: Width = 1.0,
                          noise_var: float = 1.0, signal_var: float = 1.0) -> np.ndarray:
    """Posterior variance of a Gaussian process at each query: what the data leave unknown about f.

    Array types: numpy (a torch tensor raises TypeError); returns a float64 numpy array.

    With the prior ``f ~ GP(0, signal_var * exp(-|x - x'|^2 / (2 h^2)))`` and noise of
    variance ``noise_var``, the posterior variance of ``f(q)`` is
    ``signal_var * (1 - k_q^T (K + lambda I)^{-1} k_q)`` with ``lambda = noise_var /
    signal_var``, the ridge of :func:`kernel_ridge` (whose fit is the posterior mean).
    It depends on where the keys are, not on their values; far from every key it
    returns to ``signal_var``.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to evaluate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The length scale ``h``.
    noise_var : float
        The noise variance ``sigma_eps^2 > 0``.
    signal_var : float
        The prior variance of ``f`` at any point, ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (m,)
        The posterior variance of ``f`` (not of a new observation: add ``noise_var``
        for that), clipped at 0 against rounding.

    Examples
    --------
    >>> v = gp_posterior_variance([0.0, 50.0], [0.0, 0.1], bandwidth=1.0, noise_var=0.01)
    >>> bool(v[0] < 0.01) and round(float(v[1]), 6)
    1.0
    """
    for name, value in (("noise_var", noise_var), ("signal_var", signal_var)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r}: pass a positive variance.")
    p = prepare(queries, keys, None, bandwidth)
    if p.is_torch:
        raise TypeError("gp_posterior_variance works on numpy arrays; pass tensor.numpy().")
    queries, keys, h = (np.asarray(a, dtype=np.float64) for a in (p.queries, p.keys, p.bandwidth))
    gram = _gram(keys, keys, h)
    gram[np.diag_indices_from(gram)] += noise_var / signal_var
    # With the Cholesky factor L, k_q^T (K + lambda I)^{-1} k_q = |L^{-1} k_q|^2 >= 0.
    factor = cho_factor(gram, lower=True)
    cross = _gram(queries, keys, h).T
    explained = np.sum(cross * cho_solve(factor, cross), axis=0)
    return np.maximum(signal_var * (1.0 - explained), 0.0)
