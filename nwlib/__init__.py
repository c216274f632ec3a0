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
from .classify import class_densities, class_probabilities, parzen_posterior
from .maps import ProbabilityMap, plot_class_panel, plot_probability_map, probability_map
from .densityplot import plot_densities
from .attention import logsumexp, random_unit_vectors, sdpa_nadaraya_watson, softmax
from .widthgrad import descend_bandwidth, leave_one_out_loss
from .relative import coupled_modalities, relative_representation, retrieval_accuracy
from .adaptive import adaptive_bandwidths, attention_weights_per_key, nadaraya_watson_per_key
from .data import uneven_example, uneven_target
from .plotting import (axes_grid, plot_bias_variance, plot_fit, plot_kernel, plot_kernel_gallery,
                       plot_loo_curve, plot_weights)
from .widths import bias_variance, equivalent_bandwidth, kernel_variance
from .widgets import ExplorerResult, KernelExplorer, explore
from .learning import WidthHistory, learn_bandwidth, width_objective
from .consistency import RateSimulation, loglog_slope, rate_exponents, simulate_rate
from .exercise_plots import plot_rate, plot_width_history
from .data import irrelevant_coordinate_example
from . import checks
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
    "class_densities",
    "class_probabilities",
    "parzen_posterior",
    "ProbabilityMap",
    "plot_class_panel",
    "plot_probability_map",
    "probability_map",
    "plot_densities",
    "logsumexp",
    "random_unit_vectors",
    "sdpa_nadaraya_watson",
    "softmax",
    "descend_bandwidth",
    "leave_one_out_loss",
    "coupled_modalities",
    "relative_representation",
    "retrieval_accuracy",
    "adaptive_bandwidths",
    "attention_weights_per_key",
    "nadaraya_watson_per_key",
    "uneven_example",
    "uneven_target",
    "axes_grid",
    "plot_fit",
    "plot_kernel",
    "plot_kernel_gallery",
    "plot_loo_curve",
    "plot_weights",
    "plot_bias_variance",
    "equivalent_bandwidth",
    "kernel_variance",
    "bias_variance",
    "ExplorerResult",
    "KernelExplorer",
    "explore",
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
    "StaticWidthExplorer",
    "static_width_explorer",
]

__version__ = "0.1.0"

# Boundaries, local-linear regression and the smoother matrix (issue 12): core numerics.
from .local_linear import (SingularLocalDesignError, local_linear, local_linear_loo,
                           local_linear_weights)
from .smoother import (Band, bootstrap_band, confidence_band, effective_dof, gcv_bandwidth,
                       gcv_score, loo_residuals, noise_variance, pointwise_variance,
                       smoother_matrix)
from .kernel_ridge import kernel_ridge, kernel_ridge_weights
from .asymptotics import KernelConstants, amise, amise_bandwidth, kernel_constants, kernel_table

__all__ += [
    "SingularLocalDesignError", "local_linear", "local_linear_loo", "local_linear_weights",
    "Band", "bootstrap_band", "confidence_band", "effective_dof", "gcv_bandwidth",
    "gcv_score", "loo_residuals", "noise_variance", "pointwise_variance", "smoother_matrix",
    "kernel_ridge", "kernel_ridge_weights",
    "KernelConstants", "amise", "amise_bandwidth", "kernel_constants", "kernel_table",
]
