"""Learner checks of the SGD-widths exercise: leave-one-out predictions and the SGD loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .feedback import AnswerError, Feedback, answer_array, answer_name, call_answer, close, reports, unusable

__all__ = ["check_loo_predictions", "check_loo_predictions_per_coordinate", "check_sgd_log_width"]

GAUSSIAN = "the Gaussian kernel exp(-d^2 / (2 h^2))"

LOO_MISTAKES = {
    "in-sample": "Each point is still inside its own estimate, so a tiny width lets it predict "
    "itself. Give the weight of x_i in its own estimate the value 0 (e.g. set the diagonal "
    "of the score matrix to -inf before the softmax).",
    "denominator": "You left x_i out of the weighted sum but not out of the normaliser, so "
    "the weights sum to less than 1. Leave it out of both.",
    "unnormalised": "The weights are not normalised: divide by the sum of the weights over "
    "the other points (or use a softmax over the scores).",
    "h^2": "Your kernel is exp(-d^2 / h^2); the course uses exp(-d^2 / (2 h^2)).",
    "variance": "Your kernel is exp(-d^2 / (2 h)): h is the width, so divide by 2 h^2.",
    "one width": "You used one width for every coordinate: divide coordinate c by its own "
    "width h[c] before taking distances.",
}


def _data(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 5.0, 12) if d == 1 else rng.uniform(0.0, 5.0, (12, d))
    first = x if d == 1 else x[:, 0]
    y = 2 * np.sin(first) + first + rng.normal(0.0, 0.5, 12)
    return x, y, np.array(0.6) if d == 1 else np.array([0.6, 1.7])


def _sq_dist(x: Any, scale: Any) -> Any:
    """Squared distances between the rows of x / scale (x of shape (n,) or (n, d))."""
    z = x / scale
    if z.ndim == 1:
        return (z[:, None] - z[None, :]) ** 2
    return ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)


def _loo_torch(x: Any, y: Any, h: Any) -> Any:
    """Compute the right answer in torch (the reference of the SGD check)."""
    import torch

    scores = -_sq_dist(x, h) / 2
    scores = scores.masked_fill(torch.eye(x.shape[0], dtype=torch.bool), -torch.inf)
    return torch.softmax(scores, dim=1) @ y


def _references(x: np.ndarray, y: np.ndarray, h: np.ndarray) -> dict[str, np.ndarray]:
    """Leave-one-out predictions and what the usual mistakes give instead."""
    off = 1.0 - np.eye(x.shape[0])

    def loo(d2: np.ndarray, keep_self: bool = False, full_norm: bool = False,
            norm: bool = True) -> np.ndarray:
        # The case keeps every exponent above -100: no weight underflows.
        k = np.exp(-d2)
        kept = k if keep_self else k * off
        return kept @ y / ((k if full_norm else kept).sum(axis=1) if norm else 1.0)

    half = _sq_dist(x, h) / 2
    refs = {
        "right": loo(half),
        "in-sample": loo(half, keep_self=True),
        "denominator": loo(half, full_norm=True),
        "unnormalised": loo(half, norm=False),
        "h^2": loo(2 * half),
        "variance": loo(_sq_dist(x, np.sqrt(h)) / 2),
    }
    if h.ndim:
        refs["one width"] = loo(_sq_dist(x, float(h.mean())) / 2)
        refs["one width, first"] = loo(_sq_dist(x, float(h[0])) / 2)
    return refs


def _check_loo(fn: Callable[..., Any], d: int) -> Feedback:
    import torch

    x_np, y_np, h_np = _data(d)
    h = torch.tensor(h_np, dtype=torch.float64, requires_grad=True)
    result = call_answer(fn, torch.from_numpy(x_np.copy()), torch.from_numpy(y_np.copy()), h)
    got, rtol = answer_array(result, (y_np.size,), "one prediction per point")
    refs = _references(x_np, y_np, h_np)
    name = answer_name(fn)
    if not close(got, refs["right"], rtol):
        mistake = next((k for k in refs if k != "right" and close(got, refs[k], rtol)), None)
        message = LOO_MISTAKES[mistake.split(",")[0]] if mistake else (
            f"The predictions differ from the leave-one-out estimate with {GAUSSIAN} "
            f"(largest gap {np.max(np.abs(got - refs['right'])):.3g}).")
        return Feedback(name, "failed", [message])
    if not isinstance(result, torch.Tensor) or not result.requires_grad:
        return Feedback(name, "failed", [
            "The values are right, but the result does not depend on h through autograd: "
            "build it from torch operations on the tensors you were given (numpy, float() "
            "or .item() break the chain)."])
    try:
        (grad,) = torch.autograd.grad(result.sum(), h, allow_unused=True)
    except RuntimeError as exc:
        return Feedback(name, "failed", [f"Autograd could not differentiate the result with "
                                         f"respect to h: {exc}"])
    if grad is None:
        return Feedback(name, "failed", [
            "The values are right, but they do not depend on the h you were given: you made "
            "a new width tensor (torch.tensor(h), h.detach(), h.clone().requires_grad_()), "
            "which cuts the link. Compute with h itself."])
    h_ref = h.detach().clone().requires_grad_(True)
    (want,) = torch.autograd.grad(_loo_torch(torch.from_numpy(x_np), torch.from_numpy(y_np),
                                             h_ref).sum(), h_ref)
    if not torch.all(torch.isfinite(grad)):
        return Feedback(name, "failed", ["The gradient with respect to h is not finite; "
                                         "compute the weights with a softmax of the scores."])
    if not close(grad.double().numpy().reshape(-1), want.numpy().reshape(-1), 100 * rtol):
        return Feedback(name, "failed", ["The values are right but their gradient with respect "
                                         "to h is not: part of the computation is cut from the "
                                         "graph (a .detach() or a numpy step)."])
    return Feedback(name, "passed")


@reports
def check_loo_predictions(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, h)``: leave-one-out Nadaraya-Watson predictions in torch.

    ``x`` and ``y`` are (n,) float64 tensors, ``h`` a scalar tensor that requires
    grad; the result must be the (n,) tensor of ``f_{-i}(x_i)`` for the Gaussian
    kernel, differentiable with respect to ``h``.

    Examples
    --------
    >>> def in_sample(x, y, h):
    ...     w = (-(x[:, None] - x[None, :]) ** 2 / (2 * h**2)).softmax(dim=1)
    ...     return w @ y
    >>> print(check_loo_predictions(in_sample).messages[0][:34])
    Each point is still inside its own
    """
    return _check_loo(fn, 1)


@reports
def check_loo_predictions_per_coordinate(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, h)`` with ``x`` of shape (n, 2) and one width per coordinate, ``h`` (2,).

    As :func:`check_loo_predictions`, with the distance of coordinate c measured
    in units of its own width ``h[c]``.

    Examples
    --------
    >>> def one_width(x, y, h):
    ...     d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1) / h.mean() ** 2
    ...     import torch
    ...     eye = torch.eye(len(y), dtype=torch.bool)
    ...     return (-d2 / 2).masked_fill(eye, -torch.inf).softmax(1) @ y
    >>> print(check_loo_predictions_per_coordinate(one_width).messages[0][:32])
    You used one width for every coo
    """
    return _check_loo(fn, 2)


def _descend(x: Any, y: Any, init: Any, lr: float, steps: int, how: str) -> tuple[Any, Any]:
    """Full-batch descent for the SGD check: right, or as a typical mistake does it."""
    import torch

    t = torch.log(torch.as_tensor(init, dtype=torch.float64))
    h = t.exp()
    widths, losses, total = [h.clone()], [], torch.zeros_like(t)
    for _ in range(steps):
        param = (h if how == "on h" else t).clone().requires_grad_(True)
        width = param if how == "on h" else param.exp()
        loss = torch.mean((_loo_torch(x, y, width) - y) ** 2)
        (grad,) = torch.autograd.grad(loss, param)
        total = total + grad if how == "accumulate" else grad
        step = lr * total * (-1.0 if how == "ascent" else 1.0)
        if how == "on h":
            h = (param - step).detach()
        else:
            t = (param - step).detach()
            h = t.exp()
        widths.append(h.clone())
        losses.append(loss.detach())
    return torch.stack(widths).numpy(), torch.stack(losses).numpy()


SGD_MISTAKES = {
    "on h": "Your steps move h itself. Take them on t = log h (h = exp(t)): a step then "
    "changes h by a factor, and h stays positive.",
    "ascent": "The width moves uphill: the loss grows. Step against the gradient, "
    "t <- t - lr * dL/dt.",
    "accumulate": "The gradients add up from step to step: zero them after each step "
    "(t.grad.zero_() or optimizer.zero_grad()), or use torch.autograd.grad.",
}


def _pair(result: Any, steps: int, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, float]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise unusable("Return a pair (widths, losses): the width before every step and "
                        "after the last, and the loss of every step.")
    widths, rtol = answer_array(result[0], (steps + 1,) + shape,
                                "widths holds the starting width and the width after each step")
    losses, rtol_l = answer_array(result[1], (steps,), "one loss per step")
    return widths, losses, max(rtol, rtol_l)


def _full_batch_mistake(x: Any, y: Any, init: Any, widths: np.ndarray, losses: np.ndarray,
                        rtol: float, lr: float, steps: int) -> str | None:
    """Name what is wrong with a whole-batch run (batch_size = n) of SGD on log h; None if nothing."""
    want_w, want_l = _descend(x, y, init, lr, steps, "right")
    if close(widths, want_w, rtol) and close(losses, want_l, rtol):
        return None
    if close(widths, np.log(want_w), rtol):
        return "You returned t = log h; return the widths h = exp(t)."
    if close(widths, want_w, rtol) and close(losses[1:], want_l[:-1], rtol):
        return "losses[k] must be the loss at widths[k], computed before step k, not after it."
    if close(widths, want_w, rtol):
        return ("The widths are right, the losses are not: record the mean squared error of each "
                "step's batch.")
    for how, message in SGD_MISTAKES.items():
        if close(widths, _descend(x, y, init, lr, steps, how)[0], rtol):
            return message
    return (f"With every point in the batch (batch_size = n) the widths differ from plain "
            f"gradient steps t <- t - lr * dL/dt on t = log h, starting at h = {init} "
            f"(expected {np.round(want_w, 4).tolist()}, got {np.round(widths, 4).tolist()}). "
            "Adam or momentum take other steps.")


@reports
def check_sgd_log_width(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(predict, x, y, init, lr, steps, batch_size, seed) -> (widths, losses)``.

    ``predict(x, y, h)`` gives the predictions at every training point; a step
    draws ``batch_size`` points, takes their mean squared error and moves
    ``t = log h`` against its gradient by ``lr`` times it. ``widths`` has shape
    (steps + 1,) for a scalar ``init`` and (steps + 1, d) for ``init`` of shape
    (d,); ``losses`` (steps,) holds the loss of each step, before the step.

    Examples
    --------
    >>> check_sgd_log_width(lambda *args: None).status
    'failed'
    """
    import torch

    name = answer_name(fn)
    steps, lr = 4, 0.5
    cases = []
    for d, init in ((1, 2.0), (2, [2.0, 0.5])):
        x_np, y_np, _ = _data(d)
        x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
        shape = () if d == 1 else (2,)
        result = call_answer(fn, _loo_torch, x, y, init, lr, steps, y_np.size, 0)
        try:
            widths, losses, rtol = _pair(result, steps, shape)
        except AnswerError as err:
            where = "" if d == 1 else " With init of shape (d,), learn a vector t = log h of shape (d,)."
            return Feedback(name, "failed", [err.feedback.messages[0] + where])
        cases.append((x, y, init, widths, losses, rtol))
    for case in cases:
        mistake = _full_batch_mistake(*case, lr, steps)
        if mistake:
            return Feedback(name, "failed", [mistake])
    x, y, init = cases[0][:3]
    runs = [call_answer(fn, _loo_torch, x, y, init, lr, steps, 4, seed) for seed in (0, 0, 1)]
    small = [_pair(r, steps, ())[0] for r in runs]
    if not np.array_equal(small[0], small[1]):
        return Feedback(name, "failed", ["Two runs with the same seed differ: draw the batches "
                                         "from a generator seeded with `seed`."])
    if close(small[0], cases[0][3], 1e-9) or np.array_equal(small[0], small[2]):
        return Feedback(name, "failed", ["With batch_size = 4 of 12 points the steps do not "
                                         "depend on the batch drawn: draw batch_size random "
                                         "points each step and average the loss over them."])
    return Feedback(name, "passed")
