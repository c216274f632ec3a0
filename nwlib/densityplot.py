"""Draw 1-D density estimates against each other, with the samples as a rug."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

__all__ = ["plot_densities"]


def plot_densities(
    ax: Any,
    grid: Any,
    curves: Mapping[str, Any],
    samples: Any,
    *,
    title: str = "",
    ylabel: str = "density",
) -> None:
    """Plot each named density curve over ``grid`` and mark the samples below the axis.

    Parameters
    ----------
    ax : matplotlib Axes
    grid : array_like, shape (m,)
        Where the curves were evaluated.
    curves : mapping of label -> array of shape (m,)
        The first curve is drawn solid and thick, the others dashed on top, so
        curves that agree visibly overlap.
    samples : array_like, shape (n,)
        The data, drawn as short ticks (a rug plot).
    title, ylabel : str
        Axes title and y-axis label (the x-axis is labelled ``$x$``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> plot_densities(ax, [0.0, 1.0], {"a": [0.1, 0.2]}, [0.5])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('$x$', 'density')
    >>> plt.close(fig)
    """
    x = np.asarray(grid, dtype=float)
    if not curves:
        raise ValueError("curves is empty; pass at least one {label: density values}.")
    for i, (label, y) in enumerate(curves.items()):
        y = np.asarray(y, dtype=float)
        if y.shape != x.shape:
            raise ValueError(
                f"curve {label!r} has shape {y.shape} but grid has {x.shape}; evaluate "
                "every curve on the grid."
            )
        style = {"lw": 3, "alpha": 0.6} if i == 0 else {"lw": 1.5, "ls": "--"}
        ax.plot(x, y, label=label, **style)
    s = np.asarray(samples, dtype=float).ravel()
    ax.plot(s, np.zeros_like(s), "|", color="black", markersize=10, label="samples")
    ax.set_xlabel("$x$")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
