"""Figures of the exercises: width learning curves and power laws in log-log axes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import ArrayLike
from ..learning import WidthHistory
from .plotting import use_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_width_history", "plot_rate"]


def plot_width_history(
    history: WidthHistory, *, ax: Axes | None = None, label: str = "", names: list[str] | None = None
) -> Any:
    """Loss and width(s) against the optimiser step, on two log-scaled panels.

    Array types: none (reads a WidthHistory's numpy arrays); returns the matplotlib Axes.

    Parameters
    ----------
    history : WidthHistory
    ax : pair of matplotlib Axes, optional
        The loss and width panels to draw on (e.g. to overlay two runs); a new
        figure otherwise.
    label : str
        Legend label of this run.
    names : list of str, optional
        One name per learned width, e.g. ``["h_1", "h_2"]``.

    Returns
    -------
    The pair of Axes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> hist = WidthHistory(np.array([2.0, 1.0]), np.array([[1.0], [0.5], [0.25]]))
    >>> loss_ax, width_ax = plot_width_history(hist)
    >>> width_ax.get_ylabel()
    'width h'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    loss_ax, width_ax = ax
    loss_ax.plot(np.arange(history.loss.size), history.loss, label=label or None)
    loss_ax.set(xlabel="step", ylabel="loss (mean squared error)", yscale="log")
    widths = history.widths
    names = names or [label] * widths.shape[1]
    if len(names) != widths.shape[1]:
        raise ValueError(f"names has {len(names)} entries for {widths.shape[1]} widths.")
    for j in range(widths.shape[1]):
        width_ax.plot(np.arange(widths.shape[0]), widths[:, j], label=names[j] or None)
    width_ax.set(xlabel="step", ylabel="width h", yscale="log")
    for panel in ax:
        _plain_log_ticks(panel.yaxis)
        if panel.get_legend_handles_labels()[0]:
            panel.legend()
    return ax


def _plain_log_ticks(axis: Any) -> None:
    """Readable labels on a log axis: 1, 2, 5 per decade over a short range, else decades.

    Matplotlib's default labels some minor ticks too, and they overlap.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lo, hi = sorted(axis.get_view_interval())
    if lo > 0 and hi / lo < 1e3:
        axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_rate(
    ns: ArrayLike,
    values: ArrayLike,
    *,
    expected: float | None = None,
    label: str = "",
    ylabel: str = "mean squared error",
    ax: Axes | None = None,
) -> Any:
    """Log-log plot of ``values`` against the sample sizes ``ns``, with a line of slope ``expected``.

    The dashed line, drawn when ``expected`` is given, passes through the geometric
    centre of the points, so only its slope is compared with theirs.

    Array types: numpy (sample sizes and values; array-likes); returns the matplotlib
    Axes.

    Parameters
    ----------
    ns : numpy.typing.ArrayLike
        The sample sizes, positive.
    values : numpy.typing.ArrayLike
        One positive value per sample size.
    expected : float or None
        Slope of the reference line; none when None.
    label : str
        Legend label.
    ylabel : str
        The y-axis label.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_rate([10, 100], [1.0, 0.1], expected=-1.0, label="d = 1")
    >>> ax.get_xscale(), len(ax.get_lines())
    ('log', 2)
    """
    ns, values = np.asarray(ns, dtype=float), np.asarray(values, dtype=float)
    if ns.shape != values.shape or ns.ndim != 1 or np.any(ns <= 0) or np.any(values <= 0):
        raise ValueError("ns and values must be 1-D arrays of positive numbers, of equal length.")
    ax = use_axes(ax, figsize=(5.0, 4.0))
    line = ax.loglog(ns, values, "o", label=f"{label}: simulated" if label else "simulated")[0]
    if expected is not None:
        centre_n, centre_v = np.exp(np.mean(np.log(ns))), np.exp(np.mean(np.log(values)))
        ax.loglog(ns, centre_v * (ns / centre_n) ** expected, "--", color=line.get_color(),
                  label=f"{label}: slope {expected:.3f}" if label else f"slope {expected:.3f}")
    ax.set(xlabel="sample size n", ylabel=ylabel)
    _plain_log_ticks(ax.xaxis)
    _plain_log_ticks(ax.yaxis)
    ax.legend()
    return ax
