"""Draw 1-D density estimates against each other, with the samples as a rug."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import ArrayLike
from .plotting import use_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_densities"]


def plot_densities(
    grid: ArrayLike,
    curves: Mapping[str, Any],
    samples: ArrayLike,
    *,
    ax: Axes | None = None,
    overlay: Mapping[str, Any] | None = None,
    title: str = "",
    ylabel: str = "density",
) -> Any:
    """Plot named density curves over ``grid`` and mark the samples below them.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    grid : array_like, shape (m,)
        Where the curves were evaluated.
    curves : mapping of label -> array of shape (m,)
        Drawn as solid lines.
    samples : array_like, shape (n,)
        The data, drawn as short ticks (a rug plot).
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure otherwise.
    overlay : mapping of label -> array of shape (m,), optional
        Curves to compare with ``curves``: the i-th is drawn dashed in the colour
        of the i-th solid curve, which is then drawn thick and light, so a pair
        that agrees shows as a dashed line inside a thick band.
    title : str
        Axes title.
    ylabel : str
        The y-axis label (the x-axis is labelled ``$x$``).

    Returns
    -------
    The matplotlib Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_densities([0.0, 1.0], {"a": [0.1, 0.2]}, [0.5], ax=ax, overlay={"b": [0.1, 0.2]})
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.lines[1].get_linestyle()
    ('$x$', 'density', '--')
    >>> plt.close(fig)
    """
    x = np.asarray(grid, dtype=float)
    ax = use_axes(ax, figsize=(5.0, 3.5))
    if not curves:
        raise ValueError("curves is empty; pass at least one {label: density values}.")
    overlay = dict(overlay or {})
    solid_style = {"lw": 4, "alpha": 0.45} if overlay else {"lw": 1.8}
    colours = []
    for label, y in curves.items():
        (line,) = ax.plot(x, _on_grid(y, x, label), label=label, **solid_style)
        colours.append(line.get_color())
    for i, (label, y) in enumerate(overlay.items()):
        colour = colours[i] if i < len(colours) else None
        ax.plot(x, _on_grid(y, x, label), "--", lw=1.5, color=colour, label=label)
    s = np.asarray(samples, dtype=float).ravel()
    ax.plot(s, np.zeros_like(s), "|", color="black", markersize=10, label="samples")
    ax.set_xlabel("$x$")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def _on_grid(y: Any, x: np.ndarray, label: str) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.shape != x.shape:
        raise ValueError(
            f"curve {label!r} has shape {y.shape} but grid has {x.shape}; evaluate "
            "every curve on the grid."
        )
    return y
