"""Checks that the exercise notebooks run on a learner's answers.

Each ``check_*`` function calls the learner's function on a small seeded case,
compares the result with a reference computed by ``nwlib``, and, when they
differ, with the results of the usual mistakes, so that the feedback can name
the mistake and the fix. A check never raises, whatever the answer returns: it
gives a :class:`~nwlib.course.feedback.Feedback` that prints as a short report
("passed", "not done yet" for a stub, "not right yet" with the reasons). Results
in float32 are compared at float32's precision.

One module per exercise holds its checks (in ``nwlib.course``); this module
gathers them under the one name the notebooks import.
"""

from __future__ import annotations

from .checks_boundary import check_boundary_bias, check_taylor_bias
from .checks_causal import check_memory, check_running_sums
from .checks_expansion import check_gauss_series
from .checks_localpoly import check_equivalent_kernel, check_scaled_weights
from .checks_parzen import check_nw_decisions, check_parzen_difference
from .checks_rates import check_exponents, check_fit_exponent, check_oracle_widths, check_width_rule
from .checks_smoother import check_krr_dof, check_krr_loo, check_krr_widths
from .checks_sphere import check_dot_attention_as_nw, check_effective_keys, check_sphere_attention
from .checks_widths import check_loo_predictions, check_loo_predictions_per_coordinate, check_sgd_log_width

__all__ = [
    "check_parzen_difference",
    "check_nw_decisions",
    "check_loo_predictions",
    "check_loo_predictions_per_coordinate",
    "check_sgd_log_width",
    "check_sphere_attention",
    "check_dot_attention_as_nw",
    "check_effective_keys",
    "check_exponents",
    "check_width_rule",
    "check_fit_exponent",
    "check_oracle_widths",
    "check_boundary_bias",
    "check_taylor_bias",
    "check_krr_loo",
    "check_krr_dof",
    "check_krr_widths",
    "check_equivalent_kernel",
    "check_scaled_weights",
    "check_running_sums",
    "check_memory",
    "check_gauss_series",
]
