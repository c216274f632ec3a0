"""Learner check of the Gaussian-expansion exercise: the truncated Hermite series."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .feedback import Feedback, answer_array, answer_name, call_answer, close, reports

__all__ = ["check_gauss_series"]

#: (t, order) pairs the check asks for: keys on either side of the box's centre; order 1
#: last, where slips coincide (the constant term is the query's Gaussian alone).
_CASES = ((0.3, 2), (-0.45, 3), (0.5, 4), (-0.25, 7), (0.4, 1))


def _series(u: np.ndarray, t: float, order: int, *, hermite: str = "probabilists",
            factorial: bool = True, gaussian: bool = True) -> np.ndarray:
    """``sum_{n < order} t^n / n! He_n(u) e^{-u^2/2}`` and the usual slips' versions of it."""
    total = np.zeros_like(u)
    before, now = np.zeros_like(u), np.ones_like(u)
    for n in range(order):
        total = total + t**n / (float(np.prod(np.arange(1, n + 1))) if factorial else 1.0) * now
        if hermite == "probabilists":  # He_{n+1} = u He_n - n He_{n-1}
            before, now = now, u * now - n * before
        else:  # physicists': H_{n+1} = 2u H_n - 2n H_{n-1}
            before, now = now, 2 * u * now - 2 * n * before
    return total * np.exp(-u**2 / 2) if gaussian else total


@reports
def check_gauss_series(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(u, t, order)``: the first ``order`` terms of the expansion, shape like ``u``.

    ``u`` holds queries' offsets from a box's centre and ``t`` one key's offset, both in
    widths; the answer is ``sum_{n=0}^{order-1} t^n / n! He_n(u) e^{-u^2/2}`` with the
    probabilists' Hermite polynomials ``He_n``. Usual slips get their own message.

    Examples
    --------
    >>> import numpy as np
    >>> check_gauss_series(lambda u, t, order: np.zeros_like(u)).status
    'failed'
    """
    u = np.linspace(-3.0, 3.0, 13)
    name = answer_name(fn)
    for t, order in _CASES:
        got, rtol = answer_array(call_answer(fn, u.copy(), t, order), u.shape,
                                 "one value per query offset u")
        ref = _series(u, t, order)
        if close(got, ref, rtol):
            continue
        where = f"With t = {t} and order = {order}: "
        slips = [
            (_series(u, t, order + 1), "that has one term too many: order terms are n = 0, ..., "
             "order - 1 (order = 1 is the constant term alone)."),
            (_series(u, t, order - 1) if order > 1 else None,
             "one term is missing: order terms are n = 0, ..., order - 1."),
            (np.exp(-(u - t) ** 2 / 2), "that is the Gaussian itself, not its truncated series: "
             "sum only the first order terms."),
            (_series(u, -t, order), "the odd terms have the wrong sign: that is the expansion of "
             "exp(-(u + t)^2 / 2). The key sits at +t from the centre."),
            (_series(u, t, order, factorial=False), "divide term n by n!: the exponential "
             "exp(u t - t^2 / 2) generates He_n(u) t^n / n!."),
            (_series(u, t, order, gaussian=False), "the polynomial part is right; multiply by "
             "the query's own Gaussian e^{-u^2/2}."),
            (_series(u, t, order, hermite="physicists"), "those are the physicists' Hermite "
             "polynomials (H_1 = 2u). The width-h Gaussian exp(-(u - t)^2 / 2) takes the "
             "probabilists' He_n: He_1 = u, He_2 = u^2 - 1, He_{n+1} = u He_n - n He_{n-1}."),
        ]
        for wrong, message in slips:
            if wrong is not None and close(got, wrong, rtol):
                return Feedback(name, "failed", [where + message])
        bad = int(np.sum(~np.isclose(got, ref, rtol=rtol, atol=rtol * float(np.max(np.abs(ref))))))
        return Feedback(name, "failed", [
            where + f"{bad} of {u.size} values differ from sum_(n<order) t^n / n! He_n(u) "
            "e^{-u^2/2}. Check He_0 = 1, He_1 = u and the recurrence He_{n+1} = u He_n - n He_{n-1}."])
    return Feedback(name, "passed")
