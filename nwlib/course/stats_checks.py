"""Checks for the exercise on local-linear regression, and the exercises' ``attempt``.

Like :mod:`nwlib.checks`, each check runs the learner's function on a small
seeded case, compares it with the library's answer and with typical mistakes,
and returns a :class:`~nwlib.course.feedback.Feedback` that names the mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..local_regression import local_linear
from ..pooling import nadaraya_watson
from .feedback import Feedback, answer_name, as_numpy, call_answer, close, reports, shape_message

__all__ = ["check_local_line", "attempt"]



def _case(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 5.0, 15))
    return x, 2 * np.sin(x) + x + rng.normal(0.0, 0.5, 15)


@reports
def check_local_line(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(q, x, y, h)``: the local-linear estimate at one query ``q``.

    Examples
    --------
    >>> def nw(q, x, y, h):
    ...     w = np.exp(-(x - q) ** 2 / (2 * h * h))
    ...     return w @ y / w.sum()
    >>> print(check_local_line(nw).messages[0][:40])
    This is Nadaraya-Watson's weighted mean:
    """
    x, y = _case()
    name = answer_name(fn)
    problems = []
    for q in (0.0, 2.5, 5.0):
        got = as_numpy(call_answer(fn, q, x.copy(), y.copy(), 0.6)).reshape(-1)
        if got.shape != (1,):
            return Feedback(name, "failed", [shape_message(got.shape, (), "one number")])
        want = float(local_linear([q], x, y, bandwidth=0.6)[0])
        if close(got, np.array([want])):
            continue
        w = np.exp(-((x - q) ** 2) / (2 * 0.36))
        slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(w))
        if close(got, nadaraya_watson([q], x, y, bandwidth=0.6)):
            problems.append("This is Nadaraya-Watson's weighted mean: fit a weighted line "
                            "a + b (x_i - q) instead and return its height a at q.")
        elif close(got, np.array([intercept])) and q != 0.0:
            problems.append("You returned the line's height at x = 0: centre the inputs at "
                            "the query (use x_i - q), so the intercept is the value at q.")
        elif close(got, np.array([slope])):
            problems.append("You returned the slope b; the estimate is the intercept a.")
        else:
            problems.append(f"At q = {q} the estimate is {got[0]:.6g}, expected {want:.6g} "
                            "(Gaussian weights exp(-(x_i - q)^2 / (2 h^2))).")
        break
    return Feedback(name, "failed" if problems else "passed", problems)


def attempt(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a task's function; print "not done yet" and return None for a stub.

    Lets an exercise notebook run from top to bottom before every task is done.

    >>> def stub():
    ...     raise NotImplementedError
    >>> attempt(stub) is None
    stub: not done yet (it still raises NotImplementedError).
    True
    """
    try:
        return fn(*args)
    except NotImplementedError:
        print(f"{answer_name(fn)}: not done yet (it still raises NotImplementedError).")
        return None
