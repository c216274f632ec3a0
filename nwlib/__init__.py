"""nwlib: Nadaraya-Watson kernel regression seen as attention pooling.

The public API, used by every chapter and exercise of the course:

- :func:`attention_weights`, :func:`nadaraya_watson`: kernel attention pooling;
- :func:`parzen_density`: kernel density estimates;
- :data:`KERNELS`, :class:`Kernel`, :func:`get_kernel`: the similarity kernels;
- :func:`silverman_bandwidth`, :func:`scott_bandwidth`, :func:`loo_bandwidth`:
  choosing the width;
- :func:`running_example`, :func:`target_function`, :func:`toy_classification`,
  :func:`one_hot`: the course's seeded data sets.
"""

from .bandwidth import loo_bandwidth, scott_bandwidth, silverman_bandwidth
from .data import RegressionData, one_hot, running_example, target_function, toy_classification
from .density import parzen_density
from .kernels import KERNELS, Kernel, get_kernel
from .pooling import NoKeyInReachError, attention_weights, nadaraya_watson
from .learning import WidthHistory, learn_bandwidth, width_objective
from .consistency import RateSimulation, loglog_slope, rate_exponents, simulate_rate
from .exercise_plots import plot_rate, plot_width_history
from .data import irrelevant_coordinate_example
from . import checks

__all__ = [
    "KERNELS",
    "Kernel",
    "NoKeyInReachError",
    "RegressionData",
    "attention_weights",
    "get_kernel",
    "loo_bandwidth",
    "nadaraya_watson",
    "one_hot",
    "parzen_density",
    "running_example",
    "scott_bandwidth",
    "silverman_bandwidth",
    "target_function",
    "toy_classification",
    "WidthHistory",
    "learn_bandwidth",
    "width_objective",
    "RateSimulation",
    "loglog_slope",
    "rate_exponents",
    "simulate_rate",
    "plot_rate",
    "plot_width_history",
    "irrelevant_coordinate_example",
    "checks",
]

__version__ = "0.1.0"
