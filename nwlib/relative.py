"""Relative representations: describe an item by its similarities to anchors.

This is the idea behind ASIF (Norelli et al. 2022): two unrelated encoders, one
per modality, place their items in spaces that cannot be compared directly.
But a *coupled* set of anchors (pairs that show the same thing in both
modalities) gives each space the same reference points, so an item is
described in either space by the same kind of vector: its (sparsified)
similarities to the anchors, indexed by anchor pair. Those vectors can be
compared across modalities, with no training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import ArrayLike

__all__ = ["coupled_modalities", "relative_representation", "retrieval_accuracy"]


def _random_encoder(rng: np.random.Generator, d_in: int, d_out: int):
    """Build a random two-layer network: one fixed nonlinear view of the latent."""
    w1 = rng.standard_normal((d_in, 4 * d_in)) / np.sqrt(d_in)
    b1 = 0.5 * rng.standard_normal(4 * d_in)
    w2 = rng.standard_normal((4 * d_in, d_out)) / np.sqrt(4 * d_in)
    return lambda z: np.tanh(z @ w1 + b1) @ w2


def coupled_modalities(
    n: int,
    *,
    latent_dim: int = 6,
    dims: tuple[int, int] = (40, 24),
    noise: float = 0.05,
    seed: int = 7,
) -> tuple[np.ndarray, np.ndarray]:
    """Two synthetic "modalities" of the same ``n`` items.

    Array types: none; returns float64 numpy arrays.

    Each item is a latent vector ``z ~ N(0, I)``; modality A sees it through one
    random two-layer network, modality B through another with a different output
    dimension, each plus a little independent noise. Row ``i`` of both arrays
    shows the same item: the pairs are coupled.

    Parameters
    ----------
    n : int
        Number of items.
    latent_dim : int
        Size of each item's latent vector.
    dims : tuple of int
        Sizes of the two modalities' vectors.
    noise : float
        Standard deviation of the independent noise of each modality.
    seed : int
        Seed of the random draw.

    Returns
    -------
    a : (n, dims[0]) array
    b : (n, dims[1]) array

    Examples
    --------
    >>> a, b = coupled_modalities(5)
    >>> a.shape, b.shape
    ((5, 40), (5, 24))
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass a positive whole number of items.")
    if noise < 0:
        raise ValueError(f"noise={noise!r}: a standard deviation cannot be negative.")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((int(n), latent_dim))
    views = []
    for d_out in dims:
        encode = _random_encoder(rng, latent_dim, d_out)
        clean = encode(z)
        views.append(clean + noise * clean.std() * rng.standard_normal(clean.shape))
    return views[0], views[1]


def _unit_rows(x: np.ndarray, name: str) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} has a zero row, whose direction (cosine) is undefined.")
    return x / norms


def relative_representation(
    items: Any, anchors: ArrayLike, *, top_k: int | None = None, power: float = 1.0
) -> np.ndarray:
    """Cosine similarities of each item to each anchor, sparsified as in ASIF.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64.

    Both arrays are centred on the anchors' mean first, so "similar" means
    "on the same side of the typical item". Then each row keeps its ``top_k``
    largest similarities (the rest set to 0), raises them to ``power``
    (sharpening, like a narrower kernel), and is scaled to unit length.

    Parameters
    ----------
    items : array_like, shape (m, d)
    anchors : array_like, shape (a, d)
        The anchors in the same space as the items.
    top_k : int, optional
        How many anchor similarities to keep per item (default: all).
    power : float
        Exponent applied to the kept (non-negative) similarities.

    Returns
    -------
    (m, a) array with unit-length rows: column ``j`` refers to anchor ``j``.

    Examples
    --------
    >>> anchors = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> relative_representation([[2.0, 0.1]], anchors, top_k=1).round(3).tolist()
    [[1.0, 0.0, 0.0]]
    """
    x = np.asarray(items, dtype=float)
    anc = np.asarray(anchors, dtype=float)
    if x.ndim != 2 or anc.ndim != 2 or x.shape[1] != anc.shape[1]:
        raise ValueError(
            f"items {x.shape} and anchors {anc.shape} must be (m, d) and (a, d) with the "
            "same d: represent each modality with its own anchors."
        )
    a = anc.shape[0]
    k = a if top_k is None else int(top_k)
    if not 1 <= k <= a:
        raise ValueError(f"top_k={top_k!r}: pass a number of anchors between 1 and {a}.")
    if power <= 0:
        raise ValueError(f"power={power!r}: pass a positive exponent.")
    centre = anc.mean(axis=0)
    sims = _unit_rows(x - centre, "items") @ _unit_rows(anc - centre, "anchors").T
    # Keep each row's k largest similarities; partition avoids a full sort.
    cut = np.partition(sims, a - k, axis=1)[:, a - k : a - k + 1]
    kept = np.where(sims >= cut, np.clip(sims, 0.0, None), 0.0) ** power
    norms = np.linalg.norm(kept, axis=1, keepdims=True)
    return kept / np.where(norms > 0, norms, 1.0)


def retrieval_accuracy(source: ArrayLike, target: ArrayLike) -> float:
    """Fraction of items whose most similar target row is their own partner.

    Array types: numpy (array-likes and CPU tensors are converted); returns a Python float.

    Row ``i`` of ``source`` is matched with the row of ``target`` of largest
    dot product; it counts as correct when that row is ``i``. Guessing at
    random scores ``1 / n`` on average.

    Parameters
    ----------
    source : numpy.typing.ArrayLike, shape (n, a)
        One representation of the items.
    target : numpy.typing.ArrayLike, shape (n, a)
        Another, row ``i`` the partner of source row ``i``.

    Returns
    -------
    float
        The fraction in [0, 1].

    Examples
    --------
    >>> retrieval_accuracy(np.eye(3), np.eye(3)[[0, 2, 1]])
    0.3333333333333333
    """
    s = np.asarray(source, dtype=float)
    t = np.asarray(target, dtype=float)
    if s.ndim != 2 or s.shape != t.shape:
        raise ValueError(
            f"source {s.shape} and target {t.shape} must have the same (n, a) shape: "
            "row i of each describes item i."
        )
    best = np.argmax(s @ t.T, axis=1)
    return float(np.mean(best == np.arange(s.shape[0])))
