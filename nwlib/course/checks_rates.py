"""Learner checks of the consistency exercise: exponents, power-law fits, oracle widths.

The messages guide towards the bias-variance balance without stating its result:
the exercise asks the learner to derive it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .consistency import RateSimulation
from .feedback import (
    Feedback,
    answer_array,
    answer_name,
    answer_number,
    as_numpy,
    call_answer,
    reports,
)

__all__ = ["check_exponents", "check_width_rule", "check_fit_exponent", "check_oracle_widths"]

DIMENSIONS = (1, 2, 3, 5)


PAIR = ("a pair of numbers (width exponent, MSE exponent), for instance (Fraction(-1, 3), -2.0), "
        "a tuple, a list or an array")




def _width_problem(a: float, d: int) -> str | None:
    """Say what is wrong with a width exponent a in d dimensions, or None."""
    if math.isclose(a, -1 / (d + 4), rel_tol=1e-6):
        return None
    if a >= 0:
        return "The width must shrink as n grows: its exponent is negative."
    if math.isclose(a, -1 / (d + 2), rel_tol=1e-6):
        return ("You balanced the variance 1/(n h^d) against the bias h^2 itself; the MSE "
                "holds the squared bias (h^2)^2, so balance that against the variance.")
    if math.isclose(a, -1 / 5, rel_tol=1e-6):
        return "The exponent must depend on d: the variance is of order 1/(n h^d)."
    return ("The width exponent is off: write MSE(h) = B^2 h^4 + V / (n h^d), set its "
            "derivative in h to 0 and solve for h as a power of n.")


@reports
def check_exponents(fn: Callable[[int], Any]) -> Feedback:
    """Check ``fn(d) -> (a, b)``: the best width shrinks like n**a, the MSE like n**b.

    Tried for d = 1, 2, 3 and 5; a wrong pair gets a hint about the step of the
    bias-variance argument that went wrong.

    Examples
    --------
    >>> print(check_exponents(lambda d: (0.5, 0.5)).messages[0][:26])
    For d=1: The width must sh
    """
    name = answer_name(fn)
    for d in DIMENSIONS:
        answer = as_numpy(call_answer(fn, d), PAIR)
        if answer.size != 2:
            return Feedback(name, "failed", [f"fn({d}) returned {answer.size} number(s) of shape "
                                             f"{answer.shape}; return {PAIR}."])
        a, b = (answer_number(t, "an exponent") for t in answer.reshape(2))
        problem = _width_problem(a, d)
        if problem is None and not math.isclose(b, 4 * a, rel_tol=1e-6):
            problem = ("The width exponent is right. At the balance both terms of the MSE are "
                       "of the same order as the squared bias: what power of h is that?")
        if problem:
            return Feedback(name, "failed", [f"For d={d}: {problem}"])
    return Feedback(name, "passed")


@reports
def check_width_rule(fn: Callable[[int, int], Any]) -> Feedback:
    """Check ``fn(n, d) -> h``: a width rule c * n**a with the exponent of the balance.

    Tried at n from 100 to 100,000 and d = 1, 2, 3, 5: the widths must be positive
    numbers on a straight line in log-log axes, with the right slope.

    Examples
    --------
    >>> check_width_rule(lambda n, d: 0.5).status
    'failed'
    """
    name = answer_name(fn)
    ns = np.array([100, 1_000, 10_000, 100_000])
    for d in DIMENSIONS:
        widths = []
        for n in ns:
            widths.append(answer_number(call_answer(fn, int(n), d), "the width"))
        widths = np.array(widths)
        if np.any(widths <= 0):
            return Feedback(name, "failed", [f"For d={d} a width is not positive "
                                             f"({widths.tolist()}): a width must be > 0."])
        slope, intercept = np.polyfit(np.log(ns), np.log(widths), 1)
        if np.max(np.abs(np.log(widths) - (slope * np.log(ns) + intercept))) > 1e-6:
            return Feedback(name, "failed", [f"For d={d} the widths are not a power of n: use "
                                             "h = c * n**a with a constant c."])
        problem = _width_problem(float(slope), d)
        if problem:
            return Feedback(name, "failed", [f"For d={d}: {problem}"])
    return Feedback(name, "passed")


@reports
def check_fit_exponent(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(ns, values) -> exponent``: the slope of least squares in log-log axes.

    A power law ``values = C * ns**b`` is a straight line of slope b through the
    points (log n, log value); ``fn`` must return that slope, a single number.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_fit_exponent(lambda n, e: np.polyfit(n, e, 1)[0]).messages[0][:40])
    You fitted a line to n and the values th
    """
    ns = np.array([100, 200, 400, 800, 1600], dtype=float)
    values = 3.0 * ns**-0.7 * np.exp(np.array([0.05, -0.03, 0.02, -0.04, 0.01]))
    name = answer_name(fn)
    slope = answer_number(call_answer(fn, ns.copy(), values.copy()), "the slope")
    ref = float(np.polyfit(np.log(ns), np.log(values), 1)[0])
    if math.isclose(slope, ref, rel_tol=1e-6):
        return Feedback(name, "passed")
    if math.isclose(slope, float(np.polyfit(np.log(values), np.log(ns), 1)[0]), rel_tol=1e-6):
        message = "You regressed log n on log value: put log n on the x axis."
    elif math.isclose(slope, float(np.polyfit(ns, values, 1)[0]), rel_tol=1e-6):
        message = "You fitted a line to n and the values themselves: take logs of both first."
    elif any(math.isclose(slope, ref * f, rel_tol=1e-6) for f in (math.log(10), 1 / math.log(10))):
        message = "Use the same logarithm on both axes (the slope depends on it otherwise)."
    else:
        message = (f"Fitted to values that fall like n**-0.7 the slope is about {ref:.3f}; "
                   f"you returned {slope:.3f}.")
    return Feedback(name, "failed", [message])


def _oracle_case() -> RateSimulation:
    """Build a small simulation result whose answers the usual mistakes get wrong."""
    rng = np.random.default_rng(5)
    ns, factors = np.array([100, 400, 1600]), np.geomspace(0.5, 2.0, 5)
    base = 0.5 * ns.astype(float) ** -0.3
    widths = base[:, None] * factors[None, :]
    best = np.array([1, 2, 3])  # the index of the best factor moves with n
    curve = 1.0 + (np.arange(5)[None, :] - best[:, None]) ** 2
    mse = curve[:, :, None] * rng.uniform(0.8, 1.2, (3, 5, 4))
    mse[:, :, 0] *= np.where(np.arange(5) == 0, 0.05, 1.0)  # one repetition favours the smallest
    return RateSimulation(ns, factors, widths, mse / ns[:, None, None])


@reports
def check_oracle_widths(fn: Callable[[RateSimulation], Any]) -> Feedback:
    """Check ``fn(sim) -> widths``: per sample size, the width with the lowest mean MSE.

    ``sim`` is a :class:`~nwlib.course.consistency.RateSimulation`; the result has one
    width per sample size, shape (len(sim.ns),), the mean being taken over the
    repetitions.

    Examples
    --------
    >>> check_oracle_widths(lambda sim: sim.factors).status
    'failed'
    """
    sim = _oracle_case()
    name = answer_name(fn)
    got, rtol = answer_array(call_answer(fn, sim), sim.ns.shape, "one width per sample size")
    rows = np.arange(sim.ns.size)
    mean = sim.mse.mean(axis=2)
    ref = sim.widths[rows, mean.argmin(axis=1)]
    if np.allclose(got, ref, rtol=rtol, atol=0):
        return Feedback(name, "passed")
    if np.allclose(got, sim.factors[mean.argmin(axis=1)], rtol=rtol, atol=0):
        message = "You returned the factor; return the width, sim.widths[i, j_best]."
    elif np.array_equal(got, mean.argmin(axis=1)):
        message = "You returned the index of the best width; return the width itself."
    elif np.allclose(got, mean.min(axis=1), rtol=rtol, atol=0):
        message = "You returned the lowest MSE; return the width at which it is reached."
    elif np.allclose(got, sim.widths[rows, sim.mse[:, :, 0].argmin(axis=1)], rtol=rtol, atol=0):
        message = ("You used one repetition; average the MSE over the repetitions "
                   "(the last axis) before taking the minimum.")
    else:
        message = ("For each sample size, average sim.mse over the repetitions (last axis), "
                   "find the width index with the smallest mean, and return sim.widths at it.")
    return Feedback(name, "failed", [message])
