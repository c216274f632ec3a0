"""Every form of a right answer passes a check; a wrong form is told the form the task asks.

A number may come back as a Python float or int, a numpy scalar, a Fraction or Decimal,
a 0-d or size-1 tensor or array; a pair as a tuple, a list, an array or a tensor.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import torch

from nwlib.course.checks import check_exponents, check_fit_exponent, check_width_rule
from nwlib.course.feedback import AnswerError, as_numpy
from nwlib.course.learned_checks import check_positive_variance

NUMBER_FORMS = {
    "float": float,
    "numpy float64": np.float64,
    "numpy float32 array of size 1": lambda v: np.array([v], dtype=np.float64),
    "0-d tensor": lambda v: torch.tensor(v, dtype=torch.float64),
    "size-1 tensor": lambda v: torch.tensor([v], dtype=torch.float64),
    "Decimal": lambda v: Decimal(repr(v)),
    "Fraction": lambda v: Fraction(v),
}


def exponent_pair(d):
    return Fraction(-1, d + 4), Fraction(-4, d + 4)


PAIR_FORMS = {
    "tuple of Fractions": lambda p: p,
    "list of Fractions": list,
    "tuple of floats": lambda p: tuple(float(t) for t in p),
    "tuple of numpy scalars": lambda p: tuple(np.float64(t) for t in p),
    "numpy array": lambda p: np.array([float(t) for t in p]),
    "tensor": lambda p: torch.tensor([float(t) for t in p], dtype=torch.float64),
    "tuple of 0-d tensors": lambda p: tuple(torch.tensor(float(t), dtype=torch.float64) for t in p),
    "mixed Fraction and int-free float": lambda p: (p[0], float(p[1])),
}


@pytest.mark.parametrize("form", PAIR_FORMS)
def test_check_exponents_accepts_every_form_of_a_pair(form):
    fb = check_exponents(lambda d: PAIR_FORMS[form](exponent_pair(d)))
    assert fb.passed, (form, fb)


@pytest.mark.parametrize("wrong", [None, "(-1/5, -4/5)", {"a": -0.2}, (-0.2,), (-0.2, -0.8, 0.0),
                                   np.zeros((2, 2)), ("a", "b")])
def test_check_exponents_names_the_pair_for_a_wrong_form(wrong):
    fb = check_exponents(lambda _d: wrong)
    assert fb.status == "failed"
    assert "pair of numbers (width exponent, MSE exponent)" in fb.messages[0], fb.messages


@pytest.mark.parametrize("form", NUMBER_FORMS)
def test_a_number_passes_in_every_form(form):
    wrap = NUMBER_FORMS[form]
    assert check_width_rule(lambda n, d: wrap(0.7 * n ** (-1 / (d + 4)))).passed, form
    assert check_fit_exponent(
        lambda ns, v: wrap(float(np.polyfit(np.log(ns), np.log(v), 1)[0]))).passed, form
    right = lambda q, k: np.exp(2 * q @ k) * (np.exp((q + k) @ (q + k)) - 1)  # noqa: E731
    assert check_positive_variance(lambda q, k: wrap(float(right(q, k)))).passed, form


@pytest.mark.parametrize("wrong", [None, "0.5", {"h": 0.5}, [0.5, "x"]])
def test_a_number_check_names_one_number_for_a_wrong_form(wrong):
    fb = check_width_rule(lambda _n, _d: wrong)
    assert fb.status == "failed" and "one number, the width" in fb.messages[0], fb.messages
    fb = check_fit_exponent(lambda _ns, _v: wrong)
    assert fb.status == "failed" and "one number, the slope" in fb.messages[0], fb.messages


def test_as_numpy_reads_numbers_in_any_form_and_names_the_asked_form():
    assert as_numpy((Fraction(-1, 5), Decimal("0.5"), np.float32(2), torch.tensor(3.0))).tolist() \
        == [-0.2, 0.5, 2.0, 3.0]
    assert as_numpy(torch.tensor(1.5, requires_grad=True)).item() == 1.5
    assert math.isclose(as_numpy([torch.tensor([0.25], requires_grad=True)]).item(), 0.25)
    for wrong, phrase in [(None, "returned None"), ("x", "not made of numbers"),
                          ([Fraction(1, 2), "y"], "not made of numbers"),
                          ([[1.0], [2.0, 3.0]], "cannot be read")]:
        with pytest.raises(AnswerError) as err:
            as_numpy(wrong, "a pair of numbers (a, b)")
        message = err.value.feedback.messages[0]
        assert phrase in message and "a pair of numbers (a, b)" in message, message
    with pytest.raises(AnswerError) as err:
        as_numpy([1j, 2.0])
    assert "complex" in err.value.feedback.messages[0]
