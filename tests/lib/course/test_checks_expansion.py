"""The Gaussian-expansion exercise's check: a right answer passes, each usual slip is named."""

import math

import numpy as np
import pytest
from scipy.special import eval_hermite, eval_hermitenorm

from nwlib.checks import check_gauss_series


def _series(u, t, order, *, poly=eval_hermitenorm, factorial=True, gaussian=True, extra=0):
    """Written independently of the check, with scipy's Hermite polynomials."""
    terms = [t**n / (math.factorial(n) if factorial else 1) * poly(n, u) for n in range(order + extra)]
    total = np.sum(terms, axis=0) if terms else np.zeros_like(u)
    return total * np.exp(-u**2 / 2) if gaussian else total


def test_the_right_series_passes_in_float64_and_float32():
    assert check_gauss_series(_series).status == "passed"
    assert check_gauss_series(lambda u, t, o: _series(u, t, o).astype(np.float32)).status == "passed"


def test_the_series_converges_to_the_gaussian():
    u = np.linspace(-3, 3, 13)
    assert np.allclose(_series(u, 0.5, 30), np.exp(-(u - 0.5) ** 2 / 2), rtol=0, atol=1e-15)


@pytest.mark.parametrize("answer, phrase", [
    (lambda u, t, o: _series(u, t, o, extra=1), "one term too many"),
    (lambda u, t, o: _series(u, t, o, extra=-1), "one term is missing"),
    (lambda u, t, _o: np.exp(-(u - t) ** 2 / 2), "the Gaussian itself"),
    (lambda u, t, o: _series(u, -t, o), "wrong sign"),
    (lambda u, t, o: _series(u, t, o, factorial=False), "divide term n by n!"),
    (lambda u, t, o: _series(u, t, o, gaussian=False), "multiply by"),
    (lambda u, t, o: _series(u, t, o, poly=eval_hermite), "physicists'"),
    (lambda u, _t, _o: np.ones_like(u), "values differ"),
])
def test_each_slip_gets_its_own_message(answer, phrase):
    fb = check_gauss_series(answer)
    assert fb.status == "failed" and phrase in repr(fb), repr(fb)


def test_a_stub_or_a_wrong_shape_is_reported_not_raised():
    def stub(u, t, order):
        raise NotImplementedError("your code here")

    assert check_gauss_series(stub).status != "passed"
    assert check_gauss_series(lambda _u, _t, _o: np.zeros(3)).status == "failed"
