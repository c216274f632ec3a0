"""Figures of the exercises: width learning curves and convergence rates."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..learning import WidthHistory
from .consistency import RateSimulation, rate_exponents

__all__ = ["plot_width_history", "plot_rate"]


def plot_width_history(
    history: WidthHistory, *, ax: Any = None, label: str = "", names: list[str] | None = None
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


def plot_rate(sim: RateSimulation, d: int, *, ax: Any = None) -> Any:
    """Log-log plot of the simulated MSE against n, with the fitted and the theoretical slope.

    Array types: none (reads a RateSimulation); returns the matplotlib Axes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> sim = RateSimulation(np.array([10, 100]), np.array([0.5, 0.3]), np.array([[1.0], [0.1]]))
    >>> plot_rate(sim, 1).get_xscale()
    'log'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    mean = sim.mse.mean(axis=1)
    line = ax.loglog(sim.ns, mean, "o", label=f"d = {d}: simulated, slope {sim.slope:.3f}")[0]
    theory = rate_exponents(d)[1]
    # The theoretical line passes through the geometric centre of the points.
    centre_n, centre_e = np.exp(np.mean(np.log(sim.ns))), np.exp(np.mean(np.log(mean)))
    ax.loglog(sim.ns, centre_e * (sim.ns / centre_n) ** theory, "--", color=line.get_color(),
              label=f"d = {d}: theory, slope {theory:.3f}")
    ax.set(xlabel="sample size n", ylabel="mean squared error")
    _plain_log_ticks(ax.xaxis)
    _plain_log_ticks(ax.yaxis)
    ax.legend(loc="upper right")
    return ax
