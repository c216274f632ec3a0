"""nwlib: Nadaraya-Watson kernel regression seen as attention pooling.

The public API, used by every chapter and exercise of the course:

- :func:`attention_weights`, :func:`nadaraya_watson`: kernel attention pooling;
- :func:`parzen_density`: kernel density estimates;
- :data:`KERNELS`, :class:`Kernel`, :func:`get_kernel`: the similarity kernels;
- :func:`silverman_bandwidth`, :func:`scott_bandwidth`, :func:`loo_bandwidth`:
  choosing the width;
- :func:`running_example`, :func:`target_function`, :func:`toy_classification`,
  :func:`one_hot`: the course's seeded data sets;
- :func:`static_width_explorer`: a width slider that works in the HTML book, no kernel.
"""

from .bandwidth import loo_bandwidth, scott_bandwidth, silverman_bandwidth
from .data import RegressionData, one_hot, running_example, target_function, toy_classification
from .density import parzen_density
from .kernels import KERNELS, Kernel, get_kernel
from .pooling import NoKeyInReachError, attention_weights, nadaraya_watson
from .static_explorer import StaticWidthExplorer, static_width_explorer

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
    "StaticWidthExplorer",
    "static_width_explorer",
]

__version__ = "0.1.0"
