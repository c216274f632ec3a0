"""Feedback for a learner's answer: what the check found, in words.

A check runs the learner's function on small inputs and compares the result with
a reference and with the results of typical mistakes, so that it can say *which*
mistake was made, not only that something is wrong. An exercise stub raises
``NotImplementedError``; a check reports it as "not done yet" instead of failing,
so an unfinished exercise notebook still runs from top to bottom.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

__all__ = ["Feedback", "AnswerError", "call_answer", "answer_number", "as_numpy", "precision", "close",
           "finite_message", "ARRAY", "shape_message", "reports", "answer_array", "answer_name", "unusable"]

STATUSES = ("passed", "todo", "failed")


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check, printed as a short report.

    Attributes
    ----------
    name : str
        What was checked (usually the learner's function name).
    status : {"passed", "todo", "failed"}
    messages : list of str
        Explanations: what is wrong and how to fix it, or notes on a pass.

    Examples
    --------
    >>> Feedback("f", "failed", ["The sign is flipped."])
    f: not right yet.
      - The sign is flipped.
    >>> bool(Feedback("f", "passed"))
    True
    """

    name: str
    status: str
    messages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Reject a status the notebooks would not know how to show."""
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r} is not one of {STATUSES}.")

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return self.status == "passed"

    def __bool__(self) -> bool:
        """Let ``if feedback:`` read as ``if feedback.passed:``."""
        return self.passed

    def __repr__(self) -> str:
        """Show the verdict and its messages, as a learner reads them."""
        head = {
            "passed": "all checks passed.",
            "todo": "not done yet.",
            "failed": "not right yet.",
        }[self.status]
        return "\n".join([f"{self.name}: {head}"] + [f"  - {m}" for m in self.messages])


class AnswerError(Exception):
    """Carries the feedback for an answer that could not be run."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(repr(feedback))
        self.feedback = feedback


def answer_name(fn: Any) -> str:
    """Name a learner's function in feedback: its ``__name__``, else its type's."""
    return getattr(fn, "__name__", type(fn).__name__)


def call_answer(fn: Callable[..., Any], *args: Any) -> Any:
    """Call the learner's ``fn(*args)``; turn a stub or a crash into feedback.

    Raises
    ------
    AnswerError
        Holding "todo" feedback when ``fn`` raises ``NotImplementedError``, and
        "failed" feedback naming the exception for any other error.

    Examples
    --------
    >>> def stub(x):
    ...     raise NotImplementedError
    >>> try:
    ...     call_answer(stub, 1)
    ... except AnswerError as e:
    ...     print(e.feedback.status)
    todo
    """
    name = answer_name(fn)
    if not callable(fn):
        raise AnswerError(Feedback(name, "failed", [f"Pass the function itself, not {fn!r}."]))
    try:
        return fn(*args)
    except NotImplementedError:
        raise AnswerError(
            Feedback(
                name,
                "todo",
                [
                    "It still raises NotImplementedError: replace that line with your "
                    "code, then rerun this cell."
                ],
            )
        ) from None
    except Exception as exc:  # a learner's bug can be anything; report it, do not crash
        raise AnswerError(
            Feedback(name, "failed", [f"It raised {type(exc).__name__}: {exc}"])
        ) from None


ARRAY = "a numpy array or a torch tensor"


def _real(element: Any) -> float:
    """One element of an object array as a float: a Fraction, Decimal, numpy or 0-d torch number."""
    if hasattr(element, "detach"):
        element = element.detach().cpu()
        if element.numel() != 1:
            raise TypeError("an element holds more than one number")
        element = element.reshape(()).item()
    if isinstance(element, np.ndarray) and element.size == 1 and element.dtype.kind in "iuf":
        element = element.reshape(()).item()
    if isinstance(element, (bool, np.bool_)) or not isinstance(element, (numbers.Real, Decimal)):
        raise TypeError(f"an element is of type {type(element).__name__}")
    return float(element)


def as_numpy(result: Any, form: str = ARRAY) -> np.ndarray:
    """Return the learner's result as a float numpy array (tensors are detached).

    Every form of a number is accepted: Python and numpy numbers, ``Fraction`` and
    ``Decimal``, 0-d tensors, and tuples or lists of them.

    Parameters
    ----------
    result : object
        What the learner's function returned.
    form : str
        The form the task asks for ("a pair of numbers (a, b)", "one number per
        query"...), named by the message of a result that is not numbers.

    Raises
    ------
    AnswerError
        With "failed" feedback that names the problem when the result is not an
        array of real numbers (None, text, a ragged list, complex numbers).

    Examples
    --------
    >>> from fractions import Fraction
    >>> as_numpy((Fraction(-1, 5), Fraction(-4, 5))).tolist()
    [-0.2, -0.8]
    >>> try:
    ...     as_numpy(None)
    ... except AnswerError as e:
    ...     print(e.feedback.messages[0][:33])
    The function returned None: did y
    """
    if result is None:
        raise unusable(f"The function returned None: did you forget the `return` line? "
                       f"Return {form}.")
    if hasattr(result, "detach"):
        if result.is_complex():
            raise unusable("The result holds complex numbers; the answer is real.")
        result = result.detach().cpu()
        result = result.double().numpy() if result.is_floating_point() else result.numpy()
    elif isinstance(result, (list, tuple)) and any(hasattr(e, "detach") for e in result):
        result = [as_numpy(e, form) if hasattr(e, "detach") else e for e in result]
    try:
        array = np.asarray(result)
    except ValueError as exc:  # a ragged list of lists
        raise unusable(f"The result cannot be read as numbers ({exc}): return {form}.") from None
    if array.dtype.kind == "c" or any(isinstance(e, complex) for e in array.ravel()[:1000]
                                      if array.dtype.kind == "O"):
        raise unusable("The result holds complex numbers; the answer is real.")
    if array.dtype.kind == "O":
        try:
            array = np.array([_real(e) for e in array.ravel()], dtype=float).reshape(array.shape)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise unusable(f"The result is not made of numbers ({exc}): return {form}.") from None
    if array.dtype.kind not in "biuf":
        raise unusable(
            f"The result is not made of numbers (its elements are of type "
            f"{array.dtype}): return {form}."
        )
    return array.astype(float)


def unusable(message: str) -> AnswerError:
    """Wrap ``message`` as the "failed" feedback of an answer that cannot be compared."""
    return AnswerError(Feedback("answer", "failed", [message]))


def precision(result: Any) -> str:
    """Name the floating-point precision the learner computed in: "double", "single" or "half".

    Integers and Python floats count as double.

    >>> import numpy as np
    >>> precision(np.ones(2, dtype=np.float32)), precision([1.0])
    ('single', 'double')
    """
    dtype = getattr(result, "dtype", None)
    itemsize = getattr(dtype, "itemsize", None)
    if dtype is not None and itemsize is None:  # a torch dtype
        itemsize = dtype.itemsize
    if dtype is None or not (getattr(dtype, "is_floating_point", False)
                             or getattr(dtype, "kind", "") == "f"):
        return "double"
    return {2: "half", 4: "single"}.get(itemsize, "double")


# Relative tolerance of a comparison, by the precision of the answer: a few hundred
# rounding errors of that type, far below the gap any typical mistake makes.
RTOL = {"double": 1e-6, "single": 1e-4}


def close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-6, atol: float | None = None) -> bool:
    """Tell whether a and b have the same shape and agree within tolerance.

    ``atol`` defaults to ``rtol`` times max |b|.

    >>> import numpy as np
    >>> close(np.array([1.0, 1e-12]), np.array([1.0, 0.0]))
    True
    """
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    atol = rtol * scale if atol is None else atol
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def finite_message(got: np.ndarray) -> str | None:
    """Say where the result holds NaN or infinity, or None when it is finite."""
    bad = ~np.isfinite(got)
    if not bad.any():
        return None
    kinds = " and ".join(k for k, m in (("NaN", np.isnan(got)), ("infinity", np.isinf(got))) if m.any())
    return (f"The result holds {kinds} at {int(bad.sum())} of {got.size} entries: look for a "
            "division by 0 (weights that all underflow) or a log of 0; the softmax of the "
            "scores stays finite.")


def shape_message(got: tuple[int, ...], want: tuple[int, ...], meaning: str) -> str:
    """Explain a wrong output shape."""
    hint = ""
    if got == want[::-1] and len(want) == 2:
        hint = " It looks transposed."
    elif len(got) == len(want) + 1 and got[-1] == 1 and got[:-1] == want:
        hint = " Drop the trailing axis of length 1 (e.g. with [:, 0] or .squeeze(-1))."
    elif len(got) == len(want) - 1 and got == want[:-1] + () and want[-1] == 1:
        hint = " Keep the last axis (of length 1)."
    return f"The result has shape {got}, expected {want}: {meaning}.{hint}"


def reports(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Decorate a check so that the AnswerError of a stub or a bad result is its return value.

    >>> @reports
    ... def check_f(fn):
    ...     return Feedback(answer_name(fn), "passed") if as_numpy(fn()).size else None
    >>> check_f(lambda: None).status
    'failed'
    """

    @functools.wraps(check)
    def wrapper(fn: Any) -> Feedback:
        try:
            return check(fn)
        except AnswerError as err:
            return Feedback(answer_name(fn), err.feedback.status, err.feedback.messages)

    return wrapper


def answer_array(result: Any, want: tuple[int, ...], meaning: str,
                 form: str = ARRAY) -> tuple[np.ndarray, float]:
    """Return the result as a float array of shape ``want`` and the tolerance its precision allows.

    Raises
    ------
    AnswerError
        With a specific message for a result that is not numbers, has the wrong
        shape, holds NaN or infinity, or was computed in half precision.

    Examples
    --------
    >>> import numpy as np
    >>> got, rtol = answer_array(np.zeros(3, dtype=np.float32), (3,), "one per point")
    >>> rtol
    0.0001
    """
    got = as_numpy(result, form)
    if got.shape != tuple(want):
        raise unusable(shape_message(got.shape, tuple(want), meaning))
    problem = finite_message(got)
    if problem:
        raise unusable(problem)
    level = precision(result)
    if level == "half":
        raise unusable("The result is in half precision (16 bits), too coarse to compare: "
                        "compute in float32 or float64.")
    return got, RTOL[level]


def answer_number(result: object, meaning: str) -> float:
    """Return a single finite number from the learner's result.

    Any number will do: a Python or numpy float, a ``Fraction``, a 0-d tensor, a size-1 array.
    """
    got = as_numpy(result, f"one number, {meaning}")
    if got.size == 2:
        raise unusable(f"Return one number, {meaning}, not a pair (np.polyfit gives "
                        "[slope, intercept]: take its first element).")
    if got.size != 1:
        raise unusable(f"Return one number, {meaning}; the result has shape {got.shape}.")
    problem = finite_message(got)
    if problem:
        raise unusable(problem)
    return float(got.reshape(()))
