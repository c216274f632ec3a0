"""What exists for the book: data sets, figures, widgets, learner checks, simulations.

Nothing in the core of :mod:`nwlib` imports this package; it builds on the core.

Grouped by job:

- data sets: :mod:`.data` (the running example and friends) and :mod:`.learned_data`
  (the learned-attention chapters), all seeded;
- figures: :mod:`.plotting` (fits, weights, kernels, CV curves, and ``use_axes``, the
  one axes helper every figure module uses), :mod:`.densityplot`, :mod:`.maps`,
  :mod:`.stats_plots` and :mod:`.exercise_plots`; each ``plot_x(..., *, ax=None)``
  returns its Axes;
- interactive figures: :mod:`.widgets` (needs a kernel) and :mod:`.static_explorer`
  (works in the HTML book);
- simulations: :mod:`.smoothing_sims` (the one Monte Carlo of a fit's bias and
  variance over fresh draws, and band coverage) and :mod:`.consistency` (convergence
  rates);
- learner checks: :mod:`.checks`, :mod:`.learned_checks`, :mod:`.stats_checks` and
  :mod:`.feedback`.

Notebooks call these as ``nwlib.course.plot_fit``, ``nwlib.course.running_example`` and
so on (or import them from :mod:`nwlib.course`); :mod:`nwlib` itself exports the numerics
only.
"""

from . import (
    checks,
    consistency,
    data,
    densityplot,
    exercise_plots,
    feedback,  # noqa: F401  (reached as nwlib.course.feedback)
    learned_checks,
    learned_data,
    maps,
    plotting,
    smoothing_sims,
    static_explorer,
    stats_checks,
    stats_plots,
    widgets,
)
from .consistency import *  # noqa: F403
from .data import *  # noqa: F403
from .densityplot import *  # noqa: F403
from .exercise_plots import *  # noqa: F403
from .learned_data import *  # noqa: F403
from .maps import *  # noqa: F403
from .plotting import *  # noqa: F403
from .smoothing_sims import *  # noqa: F403
from .static_explorer import *  # noqa: F403
from .stats_plots import *  # noqa: F403
from .widgets import *  # noqa: F403

__all__ = [
    "checks", "learned_checks", "stats_checks",
    *consistency.__all__, *data.__all__, *densityplot.__all__, *exercise_plots.__all__,
    *learned_data.__all__,
    *maps.__all__, *plotting.__all__, *static_explorer.__all__,
    *widgets.__all__, *smoothing_sims.__all__, *stats_plots.__all__,
]
