"""Classification as attention pooling of one-hot labels, and its Bayes reading.

Pooling one-hot labels gives, at each query, the kernel-weighted share of every
class among the keys: a vector of class probabilities. The same numbers follow
from Bayes' rule with Parzen estimates of the class-conditional densities and
the class frequencies as priors, which is what :func:`parzen_posterior` computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import ArrayOrTensor, Width
from .density import parzen_log_density
from .kernels import Kernel
from .logspace import softmax
from .pooling import nadaraya_watson

__all__ = ["class_probabilities", "class_densities", "class_log_densities", "parzen_posterior",
           "one_hot"]


def one_hot(labels: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels 0..c-1 as an (n, c) float array.

    Array types: numpy (array-likes and CPU tensors are converted) integer labels; returns float64.

    Parameters
    ----------
    labels : numpy.typing.ArrayLike of int, shape (n,)
        Labels ``0 .. c-1``.
    n_classes : int or None
        Number of classes ``c``; by default ``max(labels) + 1``.

    Returns
    -------
    numpy.ndarray, shape (n, c)
        Float64, 1 in each row's label column and 0 elsewhere.

    Examples
    --------
    >>> one_hot(np.array([0, 2, 1]))
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or (labels.size and labels.min() < 0):
        raise ValueError("labels must be a 1-D array of non-negative integer class indices.")
    c = int(labels.max()) + 1 if n_classes is None else int(n_classes)
    if labels.size and labels.max() >= c:
        raise ValueError(f"a label is >= n_classes={c}; pass a larger n_classes.")
    return np.eye(c)[labels]


def _labels(labels: Any, n_classes: int | None) -> tuple[np.ndarray, int]:
    y = np.asarray(labels)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise TypeError(
            "labels must be a 1-D array of integer class indices 0..c-1; "
            "convert strings with np.unique(labels, return_inverse=True)."
        )
    c = int(y.max()) + 1 if n_classes is None else int(n_classes)
    return y, c


def class_probabilities(
    queries: ArrayOrTensor,
    keys: ArrayOrTensor,
    labels: ArrayOrTensor,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Width = 1.0,
    n_classes: int | None = None,
    empty: str = "raise",
) -> np.ndarray:
    """Nadaraya-Watson class probabilities: attention pooling of one-hot labels.

    Array types: numpy or torch; returns float64 (also for float32 input), a tensor for tensor input.

    Parameters
    ----------
    queries : array_like, shape (m, d)
    keys : array_like, shape (n, d)
        The labelled training points.
    labels : array_like of int, shape (n,)
        Class indices 0..c-1; pooled as one-hot vectors.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    n_classes : int, optional
        Number of classes c (default: the largest label + 1).
    empty : {"raise", "nan"}
        What a query no key reaches gets (compact kernels): an error, or NaN.

    Returns
    -------
    probabilities : (m, c) array
        Row ``j`` is query ``j``'s class probabilities: entries in [0, 1], summing to 1.

    Examples
    --------
    >>> p = class_probabilities([[0.0]], [[-1.0], [1.0], [1.2]], [0, 1, 1], bandwidth=10.0)
    >>> p.round(3).tolist()  # a very wide kernel: the class frequencies
    [[0.334, 0.666]]
    """
    y, c = _labels(labels, n_classes)
    pooled = nadaraya_watson(
        queries, keys, one_hot(y, c), kernel=kernel, bandwidth=bandwidth, empty=empty
    )
    # Dividing by the pooled row sum (equal to 1 up to rounding) guarantees entries
    # <= 1 exactly: a sum of non-negative floats is never below one of its terms.
    return pooled / pooled.sum(axis=1, keepdims=True)


def _check_classes(y: np.ndarray, c: int) -> None:
    missing = sorted(set(range(c)) - set(y.tolist()))
    if missing:
        raise ValueError(
            f"classes {missing} have no points, so their densities cannot be estimated; "
            "pass n_classes equal to the number of classes present."
        )


def class_densities(
    queries: ArrayOrTensor,
    keys: ArrayOrTensor,
    labels: ArrayOrTensor,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Width = 1.0,
    n_classes: int | None = None,
) -> np.ndarray:
    """Parzen estimates of each class-conditional density ``p(x | y = c)``.

    Array types: numpy or torch; returns a float64 numpy array (also for float32 or tensor input).

    Each class's density is estimated from that class's points alone, with the
    same kernel and width for every class.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The labelled points.
    labels : numpy.typing.ArrayLike of int, shape (n,)
        The class of each key, ``0 .. c-1``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    n_classes : int or None
        Number of classes ``c``; by default ``max(labels) + 1``.

    Returns
    -------
    densities : (m, c) array
        Column ``c`` is ``p(x | y = c)`` at the queries.

    Examples
    --------
    >>> dens = class_densities([[0.0]], [[0.0], [3.0]], [0, 1])
    >>> dens.round(4).tolist()  # N(0; 0, 1) and N(0; 3, 1)
    [[0.3989, 0.0044]]
    """
    log_dens = class_log_densities(queries, keys, labels, kernel=kernel, bandwidth=bandwidth,
                                   n_classes=n_classes)
    with np.errstate(under="ignore"):  # far from every point a density is exactly 0
        return np.exp(log_dens)


def class_log_densities(
    queries: ArrayOrTensor,
    keys: ArrayOrTensor,
    labels: ArrayOrTensor,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Width = 1.0,
    n_classes: int | None = None,
) -> np.ndarray:
    """Compute the logs of :func:`class_densities`, which do not underflow far from the points.

    Array types: numpy or torch; returns a float64 numpy array (also for float32 or tensor input).

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The labelled points.
    labels : numpy.typing.ArrayLike of int, shape (n,)
        The class of each key, ``0 .. c-1``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    n_classes : int or None
        Number of classes ``c``; by default ``max(labels) + 1``.

    Returns
    -------
    log_densities : (m, c) array, for ``parzen_posterior(..., log=True)``.

    Examples
    --------
    >>> log_dens = class_log_densities([[60.0]], [[0.0], [3.0]], [0, 1])
    >>> class_densities([[60.0]], [[0.0], [3.0]], [0, 1]).tolist()  # both underflow
    [[0.0, 0.0]]
    >>> parzen_posterior(log_dens, np.array([0.5, 0.5]), log=True).round(3).tolist()
    [[0.0, 1.0]]
    """
    y, c = _labels(labels, n_classes)
    _check_classes(y, c)
    pts = np.asarray(keys, dtype=float)
    return np.column_stack([
        parzen_log_density(queries, pts[y == k], kernel=kernel, bandwidth=bandwidth)
        for k in range(c)
    ])


def parzen_posterior(densities: np.ndarray, priors: np.ndarray, *, log: bool = False) -> np.ndarray:
    """Bayes' rule: ``p(y = c | x) = p(x | y = c) p(y = c) / sum_k p(x | y = k) p(y = k)``.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64.

    Parameters
    ----------
    densities : (m, c) array
        Class-conditional densities, e.g. from :func:`class_densities`; their logs
        (from :func:`class_log_densities`) with ``log=True``.
    priors : (c,) array
        Class probabilities ``p(y = c)``, e.g. the class frequencies.
    log : bool
        Whether ``densities`` are log densities: the posterior is then a softmax of
        ``log p(x | y = c) + log p(y = c)``, exact far from the points where the
        densities themselves underflow to 0.

    Returns
    -------
    posterior : (m, c) array whose rows sum to 1.

    Examples
    --------
    >>> parzen_posterior(np.array([[0.2, 0.1]]), np.array([0.25, 0.75])).round(2).tolist()
    [[0.4, 0.6]]
    """
    dens = np.asarray(densities, dtype=float)
    pri = np.asarray(priors, dtype=float)
    if dens.ndim != 2 or pri.shape != (dens.shape[1],):
        raise ValueError(
            f"densities has shape {dens.shape} and priors {pri.shape}; pass (m, c) "
            "densities and one prior per class, shape (c,)."
        )
    if log:
        with np.errstate(divide="ignore"):
            joint = dens + np.log(pri)
        if not np.all(np.isfinite(joint.max(axis=1))):
            raise ValueError(
                "some query has log density -inf under every class: a compact kernel "
                "reaches none of the points, so its posterior is 0/0; widen the bandwidth "
                "or use kernel='gaussian'."
            )
        return softmax(joint, axis=1)
    joint = dens * pri
    total = joint.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError(
            "some query has density 0 under every class, so its posterior is 0/0: a "
            "compact kernel reaches none of the points, or the densities underflowed far "
            "from them. Pass class_log_densities(...) with log=True, which does not "
            "underflow, or widen the bandwidth."
        )
    return joint / total
