"""Feedback for a learner's answer: what the check found, in words.

A check runs the learner's function on small inputs and compares the result with
a reference and with the results of typical mistakes, so that it can say *which*
mistake was made, not only that something is wrong. An exercise stub raises
``NotImplementedError``; a check reports it as "not done yet" instead of failing,
so an unfinished exercise notebook still runs from top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Feedback", "call_answer", "as_numpy", "answer_name"]

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


def as_numpy(result: Any) -> np.ndarray:
    """Return the learner's result as a float numpy array (tensors are detached)."""
    if hasattr(result, "detach"):
        result = result.detach().cpu().numpy()
    return np.asarray(result, dtype=float)


def close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Tell whether two results have the same shape and agree within tolerance."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def shape_message(got: tuple[int, ...], want: tuple[int, ...], meaning: str) -> str:
    """Explain a wrong output shape."""
    hint = ""
    if got == want[::-1] and len(want) == 2:
        hint = " It looks transposed."
    elif len(got) == len(want) + 1 and got[-1] == 1 and got[:-1] == want:
        hint = " Drop the trailing axis of length 1 (e.g. with [:, 0] or .squeeze(-1))."
    return f"The result has shape {got}, expected {want}: {meaning}.{hint}"
