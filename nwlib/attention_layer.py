"""A small multi-head attention layer: learned queries, keys and values.

Head ``h`` scores a query token ``x`` against a key token ``x'`` with
``(W_q^h x) . (W_k^h x') / sqrt(d_head)``, normalises the scores with a softmax over
the keys, and pools the learned values ``W_v^h x'``; an output matrix ``W_o`` mixes
the heads. With ``shared=True`` each head uses ``W_k^h = W_q^h``, so its score is a
symmetric positive semidefinite kernel of the tokens; without it the score is a
general bilinear form. Parameters are drawn from a seeded generator, so a layer and
its training run are the same on every run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = ["AttentionLayer", "train_attention"]


class AttentionLayer(torch.nn.Module):
    """Multi-head attention from query tokens to key tokens.

    Array types: numpy or torch; returns float64 torch tensors (outputs and weights) for any input.

    Parameters
    ----------
    d_in : int
        Size of a token (queries and keys alike).
    d_out : int
        Size of the output of each query.
    heads : int
        Number of heads, each with its own ``W_q``, ``W_k``, ``W_v``.
    d_head : int
        Size of each head's queries, keys and values.
    shared : bool
        Tie ``W_k = W_q`` in every head (a learned metric, still a kernel).
    seed : int
        Seed of the initial parameters.

    Examples
    --------
    >>> layer = AttentionLayer(6, 1, heads=2, d_head=4, seed=0)
    >>> out, weights = layer(torch.zeros(3, 8, 6), torch.zeros(3, 24, 6))
    >>> tuple(out.shape), tuple(weights.shape)
    ((3, 8, 1), (3, 2, 8, 24))
    """

    def __init__(self, d_in: int, d_out: int, *, heads: int = 1, d_head: int = 4,
                 shared: bool = False, seed: int = 0) -> None:
        super().__init__()
        for name, value in (("d_in", d_in), ("d_out", d_out), ("heads", heads), ("d_head", d_head)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name}={value!r}: pass a positive whole number.")
        self.d_in, self.d_out, self.heads, self.d_head = int(d_in), int(d_out), int(heads), int(d_head)
        self.shared = bool(shared)
        gen = torch.Generator().manual_seed(int(seed))

        def draw(*shape: int) -> torch.nn.Parameter:
            # Scaled so that a projection keeps the size of its input (fan-in scaling).
            return torch.nn.Parameter(torch.randn(*shape, generator=gen, dtype=torch.float64)
                                      / math.sqrt(shape[-1]))

        self.w_q = draw(heads, d_head, d_in)
        self.w_k = None if shared else draw(heads, d_head, d_in)
        self.w_v = draw(heads, d_head, d_in)
        self.w_o = draw(d_out, heads * d_head)

    def key_projection(self) -> torch.Tensor:
        """``W_k`` of every head, shape (heads, d_head, d_in)."""
        return self.w_q if self.w_k is None else self.w_k

    def scores(self, queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores before the softmax, shape (..., heads, m, n)."""
        q = torch.einsum("hed,...md->...hme", self.w_q, queries)
        k = torch.einsum("hed,...nd->...hne", self.key_projection(), keys)
        return q @ k.transpose(-1, -2) / math.sqrt(self.d_head)

    def forward(self, queries: Any, keys: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the outputs (..., m, d_out) and attention weights (..., heads, m, n).

        ``queries`` is (..., m, d_in) and ``keys`` is (..., n, d_in), with the same
        leading (batch) shape; numpy arrays are converted to float64 tensors.
        """
        q = _tokens(queries, "queries", self.d_in)
        k = _tokens(keys, "keys", self.d_in)
        if q.shape[:-2] != k.shape[:-2]:
            raise ValueError(f"queries have batch shape {tuple(q.shape[:-2])} but keys "
                             f"{tuple(k.shape[:-2])}; pass the same leading shape.")
        weights = torch.softmax(self.scores(q, k), dim=-1)
        v = torch.einsum("hed,...nd->...hne", self.w_v, k)
        pooled = weights @ v  # (..., heads, m, d_head)
        pooled = pooled.transpose(-3, -2).reshape(*pooled.shape[:-3], pooled.shape[-2], -1)
        return pooled @ self.w_o.T, weights


def _tokens(x: Any, name: str, d_in: int) -> torch.Tensor:
    t = x if torch.is_tensor(x) else torch.as_tensor(np.asarray(x, dtype=float))
    t = t.to(torch.float64)
    if t.ndim < 2 or t.shape[-1] != d_in:
        raise ValueError(f"{name} has shape {tuple(t.shape)}; pass (..., tokens, {d_in}).")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or infinity; pass finite numbers.")
    return t


def train_attention(layer: AttentionLayer, queries: Any, keys: Any, values: Any, *,
                    steps: int = 400, lr: float = 0.02) -> np.ndarray:
    """Train ``layer`` in place by full-batch Adam on the mean squared error.

    Array types: numpy or torch; returns a float64 numpy array of losses for any input.

    No random numbers are drawn (the batch is all the data), so two runs from
    layers with the same seed give the same losses.

    Parameters
    ----------
    layer : AttentionLayer
        The layer to train; its parameters change in place.
    queries : numpy.typing.ArrayLike or torch.Tensor, shape (..., m, d_in)
        The query tokens.
    keys : numpy.typing.ArrayLike or torch.Tensor, shape (..., n, d_in)
        The key tokens, with the same leading (batch) shape.
    values : numpy.typing.ArrayLike or torch.Tensor, shape (..., m, d_out)
        What the layer should output for each query (the regression values).
    steps : int
        Number of Adam steps, ``>= 0``.
    lr : float
        Adam's learning rate.

    Returns
    -------
    losses : ndarray, shape (steps + 1,)
        The loss before each step and after the last.

    Examples
    --------
    >>> layer = AttentionLayer(2, 1, seed=0)
    >>> x = torch.randn(4, 3, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    >>> losses = train_attention(layer, x, x, x[..., :1], steps=50)
    >>> bool(losses[-1] < losses[0])
    True
    """
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps={steps!r}: pass a whole number of steps >= 0.")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr={lr!r}: pass a positive learning rate, e.g. 0.02.")
    y = _tokens(values, "values", layer.d_out)
    optimiser = torch.optim.Adam(layer.parameters(), lr=lr)
    losses = []
    for _ in range(int(steps)):
        optimiser.zero_grad()
        out, _ = layer(queries, keys)
        if out.shape != y.shape:
            raise ValueError(f"values has shape {tuple(y.shape)} but the layer outputs "
                             f"{tuple(out.shape)}; pass one row of values per query.")
        loss = ((out - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        out, _ = layer(queries, keys)
        losses.append(((out - y) ** 2).mean().item())
    return np.array(losses)
