"""Random features: kernels as dot products of feature maps, and attention in linear time.

- **Random Fourier features** (Rahimi and Recht, 2007): with ``w ~ N(0, I / h^2)`` and
  ``b ~ U(0, 2 pi)``, ``E[2 cos(w.q + b) cos(w.k + b)] = exp(-|q - k|^2 / (2 h^2))``.
  The features ``sqrt(2 / D) cos(W x + b)`` can be negative, and so can the
  approximate kernel.
- **Positive random features** (Choromanski et al., 2021): with ``w ~ N(0, I)``,
  ``E[exp(w.q - |q|^2 / 2) exp(w.k - |k|^2 / 2)] = exp(q.k)``, the softmax kernel.
  Every feature is positive. Multiplying by ``exp(-|x|^2 / (2 h^2))`` on both sides
  turns ``exp(q.k / h^2)`` into the Gaussian kernel of width ``h``.

:func:`linear_attention` (Katharopoulos et al., 2020) then pools values with the
approximate kernel ``phi(q) . phi(k)`` without forming the (m, n) matrix:
numerator ``phi(Q) (phi(K)^T V)`` and denominator ``phi(Q) (phi(K)^T 1)`` cost
``O((m + n) D c)`` instead of ``O(m n)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import ArrayLike, ArrayOrTensor
from .logspace import shifted_exp
from .validation import check_choice, prepare

__all__ = ["FEATURE_KINDS", "RandomFeatures", "random_features", "feature_kernel", "linear_attention",
           "orthogonal_features", "cos_sin_kernel"]

#: ``"fourier"``: Gaussian kernel, cosine features; ``"positive"``: Gaussian kernel,
#: positive features; ``"softmax"``: ``exp(q.k / h^2)``, positive features.
FEATURE_KINDS = ("fourier", "positive", "softmax")


@dataclass(frozen=True)
class RandomFeatures:
    """A drawn feature map ``x -> phi(x)`` of ``D`` random features.

    Array types: none; holds float64 numpy arrays; called on points it returns their float
    dtype (a tensor for tensor input).

    Parameters
    ----------
    kind : str
        One of ``FEATURE_KINDS``.
    frequencies : numpy.ndarray, shape (d, D)
        The random frequencies ``W``.
    offsets : numpy.ndarray, shape (D,)
        The random phases ``b`` (zeros for positive features).
    bandwidth : float
        The width ``h``.

    Attributes
    ----------
    kind : str
        One of :data:`FEATURE_KINDS`.
    frequencies : ndarray, shape (d, D)
        The random directions ``w``, already divided by the width.
    offsets : ndarray, shape (D,)
        The phases ``b`` (zeros for the positive kinds).
    bandwidth : float
    """

    kind: str
    frequencies: np.ndarray
    offsets: np.ndarray
    bandwidth: float

    @property
    def n_features(self) -> int:
        """``D``, the number of random features."""
        return self.frequencies.shape[1]

    def __call__(self, x: Any) -> Any:
        """Features of points ``x`` (shape (n, d), or (n,) when d = 1): shape (n, D).

        A torch tensor gives a tensor on its device and dtype (differentiable);
        anything else gives a numpy array.
        """
        p = prepare(x, x)
        z = p.keys
        xp = p.xp
        w = _like(self.frequencies, z)
        if w.shape[0] != z.shape[1]:
            raise ValueError(f"x has d={z.shape[1]} coordinates but the features were drawn for "
                             f"d={w.shape[0]}; draw them with random_features({z.shape[1]}, ...).")
        projected = z @ w
        scale = 1.0 / math.sqrt(self.n_features)
        if self.kind == "fourier":
            return math.sqrt(2.0) * scale * xp.cos(projected + _like(self.offsets, z))
        return scale * xp.exp(self._log_positive(z, projected, xp))

    def _log_positive(self, z: Any, projected: Any, xp: Any) -> Any:
        sq = xp.sum(z * z, axis=1, keepdims=True) / self.bandwidth**2
        # w.x/h - |x|^2/(2h^2) for softmax; the Gaussian kind adds another -|x|^2/(2h^2).
        return projected - (sq if self.kind == "positive" else 0.5 * sq)

    def shifted(self, x: Any, *, per_row: bool) -> Any:
        """Features up to a positive factor, computed without overflow or underflow.

        Positive features are exponentials; their logarithms are shifted so that the
        largest is 0, per row (``per_row=True``, for queries: the factor cancels in each
        query's ratio) or over the whole array (for keys: one factor for all keys).
        Fourier features are returned as they are.
        """
        if self.kind == "fourier":
            return self(x)
        p = prepare(x, x)
        z, xp = p.keys, p.xp
        logs = self._log_positive(z, z @ _like(self.frequencies, z), xp)
        return shifted_exp(logs, axis=1 if per_row else None)


def _like(a: np.ndarray, z: Any) -> Any:
    if hasattr(z, "detach"):
        import torch

        return torch.as_tensor(a, dtype=z.dtype, device=z.device)
    return a.astype(z.dtype, copy=False)


def random_features(d: int, n_features: int, *, kind: str = "fourier", bandwidth: float = 1.0,
                    seed: int = 0) -> RandomFeatures:
    """Draw a random feature map for a kernel on ``d`` coordinates.

    Array types: none; returns a RandomFeatures holding float64 numpy arrays.

    Parameters
    ----------
    d : int
        Number of input coordinates.
    n_features : int
        ``D``, the number of random features. With Fourier features the error of
        each kernel entry falls like ``1 / sqrt(D)`` (one feature's product has
        variance at most 2). Positive features are unbiased too, but one product's
        relative variance is ``exp(|q + k|^2 / h^2) - 1`` (with ``q`` and ``k``
        measured from the keys' mean), heavy-tailed: ``1 / sqrt(D)`` holds only for
        very large ``D``. At :func:`linear_attention`'s example setting (h = 0.3 on
        [0, 1]) the error falls only about like ``D**-0.25`` to ``D**-0.35`` over
        D = 64 to 4096, so a quadrupled D buys far less than half the error.
    kind : {"fourier", "positive", "softmax"}
        Random Fourier features or positive features for the Gaussian kernel of width
        ``bandwidth``, or positive features for the softmax kernel ``exp(q.k / h^2)``.
    bandwidth : float
        The width ``h``.
    seed : int
        Seed of the draw: the same seed gives the same features, in numpy and torch.

    Returns
    -------
    RandomFeatures
        The feature map; call it on points to get their (m, D) features.

    Examples
    --------
    >>> phi = random_features(1, 20_000, bandwidth=0.5, seed=0)
    >>> q, k = np.array([[0.0]]), np.array([[0.3]])
    >>> exact = np.exp(-0.3**2 / (2 * 0.5**2))
    >>> bool(abs((phi(q) @ phi(k).T)[0, 0] - exact) < 0.02)
    True
    """
    check_choice(kind, "kind", FEATURE_KINDS)
    _check_sizes(d, n_features, bandwidth)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((int(d), int(n_features))) / bandwidth
    b = rng.uniform(0.0, 2 * np.pi, int(n_features)) if kind == "fourier" else np.zeros(int(n_features))
    return RandomFeatures(kind, w, b, float(bandwidth))


def feature_kernel(queries: ArrayOrTensor, keys: ArrayOrTensor, features: RandomFeatures) -> Any:
    """Return the approximate kernel matrix ``phi(Q) phi(K)^T``, shape (m, n).

    Array types: numpy or torch; returns the input's float dtype (a tensor for tensor input).

    Parameters
    ----------
    queries : numpy.typing.ArrayLike or torch.Tensor, shape (m,) or (m, d)
        The query points.
    keys : numpy.typing.ArrayLike or torch.Tensor, shape (n,) or (n, d)
        The key points.
    features : RandomFeatures
        From :func:`random_features`.

    Returns
    -------
    array or torch.Tensor, shape (m, n)
        The approximate kernel, in the input's float dtype.

    Examples
    --------
    >>> phi = random_features(2, 5, kind="positive", seed=1)
    >>> bool((feature_kernel(np.zeros((3, 2)), np.ones((4, 2)), phi) > 0).all())
    True
    """
    p = prepare(queries, keys)
    q, k = _centred(p.queries, p.keys, features)
    return features(q) @ features(k).T


def _centred(queries: Any, keys: Any, features: RandomFeatures) -> tuple[Any, Any]:
    """Move the origin to the keys' mean for positive Gaussian features.

    The Gaussian kernel does not change when both points move, but the variance of
    its positive features grows like ``exp(|q + k|^2 / h^2)``: measured from a
    far-away origin the estimate is useless. Fourier features do not care, and the
    softmax kernel ``exp(q.k)`` is not shift-invariant, so it is left alone.
    """
    if features.kind != "positive":
        return queries, keys
    centre = keys.mean(axis=0) if not hasattr(keys, "detach") else keys.mean(dim=0)
    return queries - centre, keys - centre


def linear_attention(queries: ArrayOrTensor, keys: ArrayOrTensor, values: ArrayOrTensor,
                     features: RandomFeatures, *, return_denominator: bool = False) -> Any:
    """Nadaraya-Watson with the kernel ``phi(q) . phi(k)``, in time linear in n.

    Array types: numpy or torch; returns the input's float dtype (a tensor for tensor input).

    Parameters
    ----------
    queries : array_like or Tensor, shape (m,) or (m, d)
    keys : array_like or Tensor, shape (n,) or (n, d)
    values : array_like or Tensor, shape (n,) or (n, c)
    features : RandomFeatures
        From :func:`random_features`.
    return_denominator : bool
        Also return each query's denominator ``phi(q) . sum_i phi(k_i)``. With
        Fourier features it can be near 0 or negative, and the prediction then
        means nothing: look at it before trusting a result.

    Returns
    -------
    predictions : shape (m,) or (m, c); and the (m,) denominators if asked (for
        positive features, up to a positive factor per query).

    Raises
    ------
    ValueError
        If a denominator is exactly 0 or not finite, instead of returning NaN.

    Examples
    --------
    >>> x = np.linspace(0, 1, 50); y = np.sin(3 * x)
    >>> phi = random_features(1, 4000, kind="positive", bandwidth=0.3, seed=0)
    >>> approx = linear_attention([0.5], x, y, phi)
    >>> from nwlib.pooling import nadaraya_watson
    >>> bool(abs(approx[0] - nadaraya_watson([0.5], x, y, bandwidth=0.3)[0]) < 0.01)
    True
    """
    if not isinstance(features, RandomFeatures):
        raise TypeError("features must come from random_features(d, n_features, ...).")
    p = prepare(queries, keys, values)
    xp = p.xp
    q, k = _centred(p.queries, p.keys, features)
    phi_q, phi_k = features.shifted(q, per_row=True), features.shifted(k, per_row=False)
    numerator = phi_q @ (phi_k.T @ p.values)  # (m, D) @ (D, c): the (m, n) matrix never exists
    denominator = phi_q @ xp.sum(phi_k, axis=0)
    bad = int(xp.sum(xp.astype(~(xp.abs(denominator) > 0) | ~xp.isfinite(denominator), xp.int64)))
    if bad:
        raise ValueError(
            f"{bad} quer{'y has' if bad == 1 else 'ies have'} a denominator of 0 (or not finite): "
            f"the {features.n_features} random features see no key near "
            f"{'it' if bad == 1 else 'them'}. Use more features, a wider bandwidth, or the "
            "exact nwlib.nadaraya_watson.")
    out = numerator / denominator[:, None]
    out = out[:, 0] if p.values_were_1d else out
    return (out, denominator) if return_denominator else out


def _orthogonal_directions(d: int, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """(d, D) frequencies: blocks of d orthogonal columns, each with a chi(d) norm."""
    blocks = []
    for _ in range(-(-n_features // d)):
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        # Without the sign fix numpy's QR is not Haar-distributed (R's diagonal is signed).
        q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
        blocks.append(q * np.sqrt(rng.chisquare(d, size=d)))
    return np.concatenate(blocks, axis=1)[:, :n_features]


def orthogonal_features(d: int, n_features: int, *, bandwidth: float = 1.0,
                        seed: int = 0) -> RandomFeatures:
    """Orthogonal random Fourier features for the Gaussian kernel (Yu et al., 2016).

    Array types: none; returns a RandomFeatures holding float64 numpy arrays.

    The frequencies come in blocks of ``d``: the columns of a Haar-random orthogonal
    matrix (QR of a Gaussian matrix, with the signs of R's diagonal fixed), each scaled
    by an independent chi-distributed length with ``d`` degrees of freedom. Each
    column is then exactly ``N(0, I / h^2)`` as in :func:`random_features`, so the
    kernel estimate stays unbiased; within a block the directions cannot crowd
    together, which lowers the variance.

    Parameters
    ----------
    d : int
        Number of input coordinates.
    n_features : int
        ``D``; the last block is cut short when ``D`` is not a multiple of ``d``.
    bandwidth : float
        The width ``h``.
    seed : int
        Seed of the draw.

    Returns
    -------
    RandomFeatures
        Of kind ``"fourier"`` (random phases ``b``); :func:`cos_sin_kernel` uses its
        frequencies without the phases.

    Examples
    --------
    >>> phi = orthogonal_features(4, 8, seed=0)
    >>> block = phi.frequencies[:, :4]
    >>> gram = block.T @ block
    >>> bool(np.allclose(gram - np.diag(np.diag(gram)), 0))
    True
    """
    _check_sizes(d, n_features, bandwidth)
    rng = np.random.default_rng(seed)
    w = _orthogonal_directions(int(d), int(n_features), rng) / bandwidth
    b = rng.uniform(0.0, 2 * np.pi, int(n_features))
    return RandomFeatures("fourier", w, b, float(bandwidth))


def cos_sin_kernel(queries: ArrayLike, keys: ArrayLike, features: RandomFeatures) -> np.ndarray:
    """Estimate the Gaussian kernel with the feature pair ``[cos(w.x), sin(w.x)]``.

    Array types: numpy; returns float64 numpy arrays.

    With ``phi(x) = [cos(W^T x), sin(W^T x)] / sqrt(D)`` (2D numbers per point), the
    product is ``(1 / D) sum_l cos(w_l . (q - k))``: the random phase of
    ``sqrt(2) cos(w.x + b)`` and its extra term ``cos(w.(q + k) + 2 b)``, of
    variance 1/2 per feature, are gone.

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
    keys : array_like, shape (n,) or (n, d)
    features : RandomFeatures
        Of kind ``"fourier"``, from :func:`random_features` or
        :func:`orthogonal_features`; its phases are not used.

    Returns
    -------
    numpy.ndarray, shape (m, n)

    Examples
    --------
    >>> phi = random_features(1, 4000, bandwidth=0.5, seed=0)
    >>> bool(abs(cos_sin_kernel([0.0], [0.3], phi)[0, 0] - np.exp(-0.18)) < 0.02)
    True
    """
    if not isinstance(features, RandomFeatures) or features.kind != "fourier":
        raise TypeError("features must be Fourier features: random_features(d, D) or "
                        "orthogonal_features(d, D).")
    p = prepare(np.asarray(queries, dtype=np.float64), np.asarray(keys, dtype=np.float64))
    if p.queries.shape[1] != features.frequencies.shape[0]:
        raise ValueError(f"the points have d={p.queries.shape[1]} coordinates but the features "
                         f"were drawn for d={features.frequencies.shape[0]}.")
    aq, ak = p.queries @ features.frequencies, p.keys @ features.frequencies
    return (np.cos(aq) @ np.cos(ak).T + np.sin(aq) @ np.sin(ak).T) / features.n_features


def _check_sizes(d: int, n_features: int, bandwidth: float) -> None:
    """Refuse a dimension or feature count that is not a positive whole number, or a bad width."""
    for name, value in (("d", d), ("n_features", n_features)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name}={value!r}: pass a positive whole number.")
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise ValueError(f"bandwidth={bandwidth!r}: pass a positive width h.")
