"""Learner checks of the Parzen-window exercise: class decisions from kernel sums."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..density import parzen_density
from ..pooling import nadaraya_watson
from .feedback import Feedback, answer_array, answer_name, call_answer, close, reports

__all__ = ["check_parzen_difference", "check_nw_decisions"]

GAUSSIAN = "the Gaussian kernel exp(-||x - x_i||^2 / (2 h^2))"


def _case() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(0)
    # Unequal classes, so that joint and class-conditional densities disagree.
    points = np.vstack([rng.normal(0.0, 1.0, (12, 2)), rng.normal(1.0, 1.0, (28, 2))])
    labels = np.repeat([1, -1], [12, 28])
    return rng.normal(0.5, 1.5, (15, 2)), points, labels, 0.7


def _multiple(got: np.ndarray, ref: np.ndarray, rtol: float) -> float | None:
    """Return the factor c with got = c * ref (any sign), or None when there is none."""
    c = float(got @ ref / (ref @ ref))
    return c if close(got, c * ref, rtol) else None


@reports
def check_parzen_difference(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, points, labels, bandwidth)``, one number per query.

    ``queries`` is (m, 2), ``points`` (n, 2), ``labels`` (n,) of -1 and +1, and
    ``bandwidth`` the width of the Gaussian kernel. The check compares the result
    with the exercise's difference of Parzen estimates, and with what the usual
    mistakes give. A positive multiple of the right values passes, with a note.

    Examples
    --------
    >>> import nwlib
    >>> def wrong(queries, points, labels, bandwidth):
    ...     return nwlib.nadaraya_watson(queries, points, labels, bandwidth=bandwidth)
    >>> check_parzen_difference(wrong).status
    'failed'
    """
    queries, points, labels, h = _case()
    result = call_answer(fn, queries.copy(), points.copy(), labels.copy(), h)
    got, rtol = answer_array(result, (queries.shape[0],), "one number per query")
    dens = {y: parzen_density(queries, points[labels == y], bandwidth=h) for y in (1, -1)}
    ref = (dens[1] * np.sum(labels == 1) - dens[-1] * np.sum(labels == -1)) / labels.size
    name = answer_name(fn)
    if not np.any(got):
        return Feedback(name, "failed", [
            "Every value is 0. Sum the kernel over the points of each class at each query, "
            "divide by n, and subtract the class -1 sum from the class +1 sum."])
    c = _multiple(got, ref, rtol)
    if c is not None and c > 0:
        notes = [] if math.isclose(c, 1.0, rel_tol=10 * rtol) else [
            f"Your values are {c:.4g} times ours (we divide by the kernel's normalising "
            "constant); the sign, which decides the class, is the same."]
        return Feedback(name, "passed", notes)
    if c is not None:
        message = ("The sign is flipped: you computed p(x, y=-1) - p(x, y=+1). Subtract the "
                   "class -1 density from the class +1 density.")
    elif _multiple(got, dens[1] - dens[-1], rtol) is not None:
        message = ("You divided each class's sum by its own size, which gives the "
                   "class-conditional densities p(x | y). The exercise asks for the joint "
                   "p(x, y) = p(x | y) P(y): divide both sums by the same n. With unequal "
                   "classes the decisions differ.")
    elif close(got, nadaraya_watson(queries, points, labels.astype(float), bandwidth=h), rtol):
        message = ("You returned the Nadaraya-Watson estimate sum_i y_i k_i / sum_j k_j. "
                   "The difference of densities is not divided by sum_j k_j.")
    else:
        wrong_sign = int(np.sum(np.sign(got) != np.sign(ref)))
        message = (f"The values are not a positive multiple of p(x, +1) - p(x, -1) "
                   f"({GAUSSIAN}); the sign differs at {wrong_sign} of {ref.size} queries.")
    return Feedback(name, "failed", [message])


@reports
def check_nw_decisions(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, points, labels, bandwidth)``: a class, +1 or -1, per query.

    The decision must be that of Nadaraya-Watson classification with the Gaussian
    kernel of width ``bandwidth``: the class whose one-hot column gets the larger
    pooled value.

    Examples
    --------
    >>> import numpy as np
    >>> check_nw_decisions(lambda q, p, lab, h: np.ones(len(q))).status
    'failed'
    """
    queries, points, labels, h = _case()
    result = call_answer(fn, queries.copy(), points.copy(), labels.copy(), h)
    got, _ = answer_array(result, (queries.shape[0],), "one decision per query")
    ref = np.sign(nadaraya_watson(queries, points, labels.astype(float), bandwidth=h))
    name = answer_name(fn)
    if np.array_equal(got, ref):
        return Feedback(name, "passed")
    values = set(np.unique(got).tolist())
    if values <= {0.0, 1.0}:
        message = ("Return the labels +1 and -1, not the column index (0 or 1) of the "
                   "larger class probability: map the index back to its label.")
    elif not values <= {-1.0, 1.0}:
        message = ("Return a decision, +1 or -1, for each query, not a probability or a "
                   "score: take the class whose pooled one-hot value is larger.")
    elif np.array_equal(got, -ref):
        message = ("Every decision is swapped: check which one-hot column belongs to which "
                   "label (the columns follow the order of the class indices you passed).")
    else:
        message = (f"{int(np.sum(got != ref))} of {ref.size} decisions differ from "
                   f"Nadaraya-Watson classification with {GAUSSIAN} and width h.")
    return Feedback(name, "failed", [message])
