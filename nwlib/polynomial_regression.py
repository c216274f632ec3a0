"""Local polynomial regression of any degree, and its derivative estimates.

At a query ``q`` a polynomial of degree ``p`` in the scaled offset ``z = (k - q) / h``
is fitted to the values by kernel-weighted least squares,

``minimise sum_i K(z_i) (v_i - beta_0 - beta_1 z_i - ... - beta_p z_i^p)^2``,

and ``beta_0`` is the estimate of ``m(q)``. Degree 0 is Nadaraya-Watson and degree 1
is local-linear regression (:func:`nwlib.local_linear`, which also covers ``d``
dimensions and torch). Because the polynomial is a Taylor expansion in ``z``, the
``r``-th derivative is estimated by ``m^(r)(q) = r! beta_r / h^r`` (Fan and Gijbels
1996, ch. 3).

Numerics: centring at the query and scaling by ``h`` keeps the local Vandermonde
matrix well conditioned (its columns are powers of numbers of order 1 within the
kernel's reach); the weighted problem is solved by a singular value decomposition
of ``diag(sqrt(w)) X``, never by forming the normal equations, whose condition number
is the square of the design's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .arrays import ArrayLike, Width
from .blocking import row_blocks
from .kernels import Kernel, get_kernel
from .local_regression import SingularLocalDesignError
from .pooling import NoKeyInReachError
from .scores import shifted_weights
from .validation import prepare

__all__ = ["local_polynomial"]


def _check_order(degree: Any, deriv: Any) -> tuple[int, int]:
    for name, value in [("degree", degree), ("deriv", deriv)]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}={value!r}: pass a whole number >= 0.")
    if deriv > degree:
        raise ValueError(f"deriv={deriv} exceeds degree={degree}: a polynomial of degree "
                         f"{degree} estimates derivatives up to order {degree} only; raise "
                         "the degree (degree = deriv + 1 is the usual choice).")
    return int(degree), int(deriv)


def _singular_message(count: int, kernel: Kernel, h: float, degree: int) -> str:
    return (f"{count} quer{'y sees' if count == 1 else 'ies see'} fewer than {degree + 1} "
            f"distinct keys with non-negligible weight within the {kernel.name!r} kernel's "
            f"reach (bandwidth {h:g}): a polynomial of degree {degree} needs {degree + 1}. "
            "Use a wider bandwidth, a lower degree, or keep the queries inside the data.")


def local_polynomial(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *,
                     bandwidth: Width, degree: int, kernel: str | Kernel = "gaussian",
                     deriv: int = 0) -> np.ndarray:
    """Local polynomial regression of degree ``degree`` (one dimension).

    Array types: numpy (a torch tensor raises TypeError); returns float64 (float32 input
    stays float32).

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, 1)
        Where to estimate.
    keys : array_like, shape (n,) or (n, 1)
        The inputs of the data.
    values : array_like, shape (n,) or (n, c)
        The responses; each column is fitted separately.
    bandwidth : float
        The kernel width ``h > 0``.
    degree : int
        Degree ``p >= 0`` of the local polynomial: 0 is Nadaraya-Watson, 1 local-linear.
    kernel : str or Kernel
        A name from ``KERNELS`` (default ``"gaussian"``).
    deriv : int
        Order ``r <= degree`` of the derivative to estimate, ``r! beta_r / h^r``;
        0 (the default) estimates ``m(q)`` itself.

    Returns
    -------
    numpy.ndarray
        Shape (m,) for values of shape (n,), else (m, c).

    Raises
    ------
    NoKeyInReachError
        A compact kernel leaves some query with no key in reach.
    SingularLocalDesignError
        Some query has fewer than ``degree + 1`` distinct keys in reach (or the weighted
        design is singular to working precision: singular values below ``sqrt(eps)``
        times the largest).
    ValueError
        Keys in more than one dimension, a bad degree or derivative order.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 9)
    >>> local_polynomial([0.0, 0.5], x, x**3, bandwidth=0.5, degree=3).round(12)
    array([0.   , 0.125])
    >>> local_polynomial([0.5], x, x**3, bandwidth=0.5, degree=3, deriv=1).round(12)
    array([0.75])
    """
    degree, deriv = _check_order(degree, deriv)
    p = prepare(queries, keys, values, bandwidth)
    if p.is_torch:
        raise TypeError("local_polynomial works on numpy arrays; pass tensor.numpy() "
                        "(nwlib.local_linear takes tensors for degree 1).")
    if p.keys.shape[1] != 1:
        raise ValueError(f"keys have d={p.keys.shape[1]} coordinates; local_polynomial fits "
                         "in one dimension (nwlib.local_linear fits a hyperplane in d).")
    k = get_kernel(kernel)
    h = float(p.bandwidth[0])
    order = np.argsort(p.keys[:, 0], kind="stable")
    x = p.keys[order, 0]
    # Duplicated keys carry equal weights, so counting the first of each run counts
    # the distinct keys in reach.
    first = np.ones(x.shape[0], dtype=bool)
    first[1:] = x[1:] != x[:-1]
    # Centring the values keeps an offset of the values out of the rounding errors.
    offset = p.values.mean(axis=0, keepdims=True)
    y = (p.values - offset)[order]
    powers = np.arange(degree + 1)
    eps = float(np.finfo(x.dtype).eps)
    m = p.queries.shape[0]
    out = np.empty((m, y.shape[1]), dtype=x.dtype)
    for block in row_blocks(m, x.shape[0] * (degree + 3)):
        z = (x[None, :] - p.queries[block, 0][:, None]) / h
        scores = k.log_profile(z * z, np)
        w, _, empty = shifted_weights(scores, np)
        if empty.any():
            count = int(empty.sum())
            raise NoKeyInReachError(
                f"{count} quer{'y has' if count == 1 else 'ies have'} no key within reach "
                f"of the {k.name!r} kernel (bandwidth {h:g}). Use a wider bandwidth or "
                "kernel='gaussian'.")
        few = ((w > 0) & first).sum(axis=1) < degree + 1
        if few.any():
            raise SingularLocalDesignError(_singular_message(int(few.sum()), k, h, degree))
        root = np.sqrt(w)
        design = root[:, :, None] * z[:, :, None] ** powers  # (b, n, p + 1)
        u, s, vt = np.linalg.svd(design, full_matrices=False)
        bad = s[:, -1] <= math.sqrt(eps) * s[:, 0]
        if bad.any():
            raise SingularLocalDesignError(_singular_message(int(bad.sum()), k, h, degree))
        # beta = V diag(1/s) U^T diag(sqrt w) y; only row ``deriv`` of beta is needed.
        proj = np.einsum("bni,bn,nc->bic", u, root, y) / s[:, :, None]
        out[block] = np.einsum("bi,bic->bc", vt[:, :, deriv], proj)
    out *= math.factorial(deriv) / h**deriv
    if deriv == 0:
        out += offset
    return out[:, 0] if p.values_were_1d else out
