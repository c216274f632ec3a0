"""The learner checks: right answers pass in float32 and float64, typical mistakes get
their own message, and no answer of any shape or type makes a check crash."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nwlib
from nwlib.course import checks
from nwlib.course.checks import (
    check_dot_attention_as_nw,
    check_effective_keys,
    check_exponents,
    check_fit_exponent,
    check_loo_predictions,
    check_loo_predictions_per_coordinate,
    check_nw_decisions,
    check_oracle_widths,
    check_parzen_difference,
    check_sgd_log_width,
    check_sphere_attention,
    check_width_rule,
)
from nwlib.course.consistency import RateSimulation
from nwlib.course.feedback import Feedback

ALL_CHECKS = [getattr(checks, name) for name in checks.__all__]


def stub(*args):
    raise NotImplementedError("your code here")


def crash(*_args):
    raise KeyError("oops")


def failed_with(fb: Feedback, phrase: str) -> bool:
    return fb.status == "failed" and phrase in fb.messages[0]


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_stub_is_not_done_yet_not_a_failure(check):
    fb = check(stub)
    assert fb.status == "todo" and not fb
    assert "stub: not done yet." in repr(fb) and "NotImplementedError" in repr(fb)


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_crash_is_reported_with_its_message(check):
    fb = check(crash)
    assert fb.status == "failed" and "KeyError" in fb.messages[0] and "oops" in fb.messages[0]


# Whatever a learner's function returns, the check answers with feedback.
ODD_RESULTS = [
    None, "0.5", [[1.0, 2.0], [3.0]], 1 + 2j, np.zeros(3, dtype=complex), np.array(["a", "b"]),
    np.array([object(), None]), np.float64(np.nan), np.full(15, np.inf), np.zeros(0),
    np.zeros((15, 2)), np.ones(12, dtype=bool), np.arange(15), torch.zeros(4, 3, dtype=torch.float16),
    torch.zeros(3, dtype=torch.complex64), torch.arange(12), (1.0, 2.0, 3.0), {"a": 1},
    (np.ones(5), np.ones(4)), (None, None), np.ones((4, 3)) * np.nan,
]


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize("result", ODD_RESULTS, ids=lambda r: type(r).__name__)
def test_no_result_makes_a_check_crash_or_pass(check, result):
    fb = check(lambda *_args: result)
    assert isinstance(fb, Feedback) and fb.status == "failed" and fb.messages
    assert all(isinstance(m, str) and m for m in fb.messages)


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_check_documents_its_signature(check):
    assert "fn(" in check.__doc__ and "Examples" in check.__doc__


def test_feedback_rejects_unknown_status():
    with pytest.raises(ValueError, match="status"):
        Feedback("f", "maybe")


def test_specific_messages_for_unusable_results():
    assert failed_with(check_parzen_difference(lambda *_a: None), "returned None")
    assert failed_with(check_parzen_difference(lambda *_a: np.zeros(15, dtype=complex)), "complex")
    assert failed_with(check_sphere_attention(lambda *_a: torch.zeros(4, 3, dtype=torch.float16)),
                       "half precision")
    assert failed_with(check_parzen_difference(lambda *_a: np.full(15, np.nan)), "NaN")
    assert failed_with(check_parzen_difference(lambda *_a: [[1.0], [2.0, 3.0]]), "cannot be read")


# Parzen difference -------------------------------------------------------------------

def _joint(queries, points, labels, h, y):
    return np.sum(labels == y) / labels.size * nwlib.parzen_density(queries, points[labels == y], bandwidth=h)


def parzen_right(q, p, lab, h):
    return _joint(q, p, lab, h, 1) - _joint(q, p, lab, h, -1)


def parzen_by_hand(q, p, lab, h, dtype=np.float64):
    # Independent of nwlib: (1/n) sum y_i exp(-d^2 / 2h^2), a positive multiple of the answer.
    q, p = q.astype(dtype), p.astype(dtype)
    d2 = ((q[:, None, :] - p[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / dtype(2 * h**2)) @ lab.astype(dtype) / dtype(lab.size)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parzen_right_answers_pass(dtype):
    assert check_parzen_difference(lambda q, p, lab, h: parzen_right(q, p, lab, h).astype(dtype)).passed
    fb = check_parzen_difference(lambda q, p, lab, h: parzen_by_hand(q, p, lab, h, dtype))
    assert fb.passed and "times ours" in fb.messages[0]
    torch_answer = check_parzen_difference(
        lambda q, p, lab, h: torch.from_numpy(parzen_right(q, p, lab, h).astype(dtype)))
    assert torch_answer.passed


def test_parzen_positive_multiple_is_noted():
    fb = check_parzen_difference(lambda q, p, lab, h: 3.0 * parzen_right(q, p, lab, h))
    assert fb.passed and "3 times ours" in fb.messages[0]


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda q, p, lab, h: -parzen_right(q, p, lab, h), "sign is flipped"),
        (lambda q, _p, _lab, _h: np.zeros(len(q)), "Every value is 0"),
        (lambda q, p, lab, h: nwlib.parzen_density(q, p[lab == 1], bandwidth=h)
         - nwlib.parzen_density(q, p[lab == -1], bandwidth=h), "class-conditional"),
        (lambda q, p, lab, h: nwlib.nadaraya_watson(q, p, lab.astype(float), bandwidth=h),
         "Nadaraya-Watson estimate"),
        (lambda q, p, lab, h: parzen_right(q, p, lab, h)[:, None], "Drop the trailing axis"),
        (lambda q, p, lab, h: parzen_right(q, p, lab, 2 * h), "not a positive multiple"),
        (lambda q, p, lab, h: parzen_right(q, p, lab, h)[:-1], "expected (15,)"),
    ],
)
def test_parzen_mistakes_are_named(answer, phrase):
    assert failed_with(check_parzen_difference(answer), phrase)


def nw_right(q, p, lab, h):
    probs = nwlib.nadaraya_watson(q, p, nwlib.one_hot((lab < 0).astype(int)), bandwidth=h)
    return np.where(probs[:, 0] > probs[:, 1], 1, -1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_nw_decisions_right_answers_pass(dtype):
    assert check_nw_decisions(lambda *a: nw_right(*a).astype(dtype)).passed
    assert check_nw_decisions(lambda *a: torch.from_numpy(nw_right(*a).astype(dtype))).passed
    # An independent route: the sign of the kernel-weighted sum of labels.
    assert check_nw_decisions(lambda q, p, lab, h: np.sign(parzen_by_hand(q, p, lab, h))).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda *a: (nw_right(*a) < 0).astype(int), "not the column index"),
        (lambda *a: -nw_right(*a), "swapped"),
        (lambda q, p, lab, h: nwlib.nadaraya_watson(q, p, nwlib.one_hot((lab < 0).astype(int)),
                                                    bandwidth=h)[:, 0], "not a probability"),
        (lambda q, p, lab, h: nw_right(q, p, lab, 5 * h), "decisions differ"),
        (lambda *a: nw_right(*a)[None, :], "expected (15,)"),
    ],
)
def test_nw_decisions_mistakes_are_named(answer, phrase):
    assert failed_with(check_nw_decisions(answer), phrase)


# Leave-one-out predictions ------------------------------------------------------------

def _scores(x, h, half=True):
    z = x / h
    d2 = (z[:, None] - z[None, :]) ** 2 if z.ndim == 1 else ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    return -d2 / 2 if half else -d2


def _eye(x):
    return torch.eye(x.shape[0], dtype=torch.bool)


def loo_right(x, y, h):
    return torch.softmax(_scores(x, h).masked_fill(_eye(x), -torch.inf), dim=1) @ y


def loo_float32(x, y, h):
    return loo_right(x.float(), y.float(), h.float())


def loo_by_hand_numpy_values(x, y, h):
    """Right values from an explicit sum, through torch so that the gradient flows."""
    k = torch.exp(_scores(x, h)) * (1 - torch.eye(x.shape[0], dtype=x.dtype))
    return (k @ y) / k.sum(dim=1)


@pytest.mark.parametrize("check", [check_loo_predictions, check_loo_predictions_per_coordinate])
@pytest.mark.parametrize("answer", [loo_right, loo_float32, loo_by_hand_numpy_values])
def test_loo_right_answers_pass(check, answer):
    assert check(answer).passed


def test_loo_matches_the_library_objective():
    data = nwlib.course.running_example()
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    mse = float(torch.mean((loo_right(x, y, torch.tensor(0.3, dtype=torch.float64)) - y) ** 2))
    assert mse == pytest.approx(nwlib.width_objective(data.x_train, data.y_train, bandwidth=0.3), rel=1e-12)


def _loo_denominator(x, y, h):
    k = torch.exp(_scores(x, h))
    return (k.masked_fill(_eye(x), 0) @ y) / k.sum(dim=1)


LOO_WRONG = [
    (lambda x, y, h: torch.softmax(_scores(x, h), dim=1) @ y, "inside its own estimate"),
    (_loo_denominator, "not out of the normaliser"),
    (lambda x, y, h: torch.exp(_scores(x, h)).masked_fill(_eye(x), 0) @ y, "not normalised"),
    (lambda x, y, h: torch.softmax(_scores(x, h, half=False).masked_fill(_eye(x), -torch.inf), 1) @ y,
     "exp(-d^2 / h^2)"),
    (lambda x, y, h: loo_right(x, y, h.sqrt()), "exp(-d^2 / (2 h))"),
    (lambda x, y, h: loo_right(x, y, h)[:, None], "Drop the trailing axis"),
    (lambda x, y, h: loo_right(x, y, -h.abs() - 1.0), "differ from the leave-one-out"),
]


@pytest.mark.parametrize("check", [check_loo_predictions, check_loo_predictions_per_coordinate])
@pytest.mark.parametrize("answer, phrase", LOO_WRONG)
def test_loo_mistakes_are_named(check, answer, phrase):
    assert failed_with(check(answer), phrase)


def test_loo_one_width_for_every_coordinate_is_named():
    fb = check_loo_predictions_per_coordinate(lambda x, y, h: loo_right(x, y, h.mean()))
    assert failed_with(fb, "one width for every coordinate")


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda x, y, h: torch.from_numpy(loo_right(x, y, h).detach().numpy()), "through autograd"),
        (lambda x, y, h: loo_right(x, y, torch.tensor(h.item(), requires_grad=True)), "new width tensor"),
        (lambda x, y, h: loo_right(x, y, h.detach().clone().requires_grad_(True)), "new width tensor"),
        (lambda x, y, h: loo_right(x, y, h).detach().numpy(), "through autograd"),
        (lambda x, y, h: loo_right(x, y, h.detach()) + 0 * h.sum(), "gradient with respect"),
    ],
)
def test_loo_broken_gradients_are_named_not_crashes(answer, phrase):
    fb = check_loo_predictions(answer)
    assert failed_with(fb, phrase), fb


# The SGD loop --------------------------------------------------------------------------

def sgd_right(predict, x, y, init, lr, steps, batch_size, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    t = torch.log(torch.as_tensor(init, dtype=dtype)).requires_grad_(True)
    widths, losses = [t.exp().detach().clone()], []
    for _ in range(steps):
        batch = torch.randperm(y.shape[0], generator=gen)[:batch_size]
        loss = torch.mean((predict(x.to(dtype), y.to(dtype), t.exp())[batch] - y[batch].to(dtype)) ** 2)
        (grad,) = torch.autograd.grad(loss, t)
        with torch.no_grad():
            t -= lr * grad
        widths.append(t.exp().detach().clone())
        losses.append(loss.detach())
    return torch.stack(widths), torch.stack(losses)


def sgd_with_grad_attribute(predict, x, y, init, lr, steps, batch_size, seed=0):
    """Another right answer: .backward() and zeroing .grad, numpy results."""
    rng = np.random.default_rng(seed)
    t = torch.tensor(np.log(np.asarray(init, dtype=float)), requires_grad=True)
    widths, losses = [np.exp(t.detach().numpy()).copy()], []
    for _ in range(steps):
        batch = torch.from_numpy(rng.choice(y.shape[0], batch_size, replace=False))
        loss = ((predict(x, y, t.exp())[batch] - y[batch]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            t -= lr * t.grad
        t.grad.zero_()
        widths.append(np.exp(t.detach().numpy()).copy())
        losses.append(loss.item())
    return np.array(widths), np.array(losses)


@pytest.mark.parametrize(
    "answer",
    [sgd_right, sgd_with_grad_attribute,
     lambda *a: sgd_right(*a, dtype=torch.float32),
     lambda *a: tuple(r.numpy() for r in sgd_right(*a))],
    ids=["float64", "backward", "float32", "numpy"],
)
def test_sgd_right_answers_pass(answer):
    fb = check_sgd_log_width(answer)
    assert fb.passed, fb


def _sgd_on_h(predict, x, y, init, lr, steps, _batch_size, _seed=0):
    h = torch.as_tensor(init, dtype=torch.float64).clone().requires_grad_(True)
    widths, losses = [h.detach().clone()], []
    for _ in range(steps):
        loss = torch.mean((predict(x, y, h) - y) ** 2)
        (grad,) = torch.autograd.grad(loss, h)
        with torch.no_grad():
            h -= lr * grad
        widths.append(h.detach().clone())
        losses.append(loss.detach())
    return torch.stack(widths), torch.stack(losses)


def _sgd_variant(change):
    def run(predict, x, y, init, lr, steps, batch_size, seed=0):
        widths, losses = sgd_right(predict, x, y, init, lr, steps, batch_size, seed)
        return change(widths, losses)
    return run


def _sgd_ascent(predict, x, y, init, lr, steps, batch_size, seed=0):
    return sgd_right(predict, x, y, init, -lr, steps, batch_size, seed)


def _sgd_accumulating(predict, x, y, init, lr, steps, _batch_size, _seed=0):
    t = torch.log(torch.as_tensor(init, dtype=torch.float64)).requires_grad_(True)
    widths, losses = [t.exp().detach().clone()], []
    for _ in range(steps):
        loss = torch.mean((predict(x, y, t.exp()) - y) ** 2)
        loss.backward()  # t.grad is never zeroed
        with torch.no_grad():
            t -= lr * t.grad
        widths.append(t.exp().detach().clone())
        losses.append(loss.detach())
    return torch.stack(widths), torch.stack(losses)


def _sgd_adam(predict, x, y, init, lr, steps, _batch_size, _seed=0):
    t = torch.log(torch.as_tensor(init, dtype=torch.float64)).requires_grad_(True)
    opt = torch.optim.Adam([t], lr=lr)
    widths, losses = [t.exp().detach().clone()], []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.mean((predict(x, y, t.exp()) - y) ** 2)
        loss.backward()
        opt.step()
        widths.append(t.exp().detach().clone())
        losses.append(loss.detach())
    return torch.stack(widths), torch.stack(losses)


def _sgd_full_batch(predict, x, y, init, lr, steps, _batch_size, seed=0):
    return sgd_right(predict, x, y, init, lr, steps, y.shape[0], seed)


def _sgd_unseeded(predict, x, y, init, lr, steps, batch_size, seed=0):
    _sgd_unseeded.calls += 1
    return sgd_right(predict, x, y, init, lr, steps, batch_size, seed + _sgd_unseeded.calls)


_sgd_unseeded.calls = 0


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (_sgd_on_h, "move h itself"),
        (_sgd_ascent, "uphill"),
        (_sgd_accumulating, "add up"),
        (_sgd_adam, "Adam or momentum"),
        (_sgd_variant(lambda w, loss: (w.log(), loss)), "returned t = log h"),
        (_sgd_variant(lambda w, loss: (w, torch.cat([loss[1:], loss[:1]]))), "losses"),
        (_sgd_variant(lambda w, loss: (w[1:], loss)), "starting width"),
        (_sgd_variant(lambda w, _loss: w), "pair (widths, losses)"),
        (_sgd_full_batch, "do not depend on the batch"),
        (_sgd_unseeded, "same seed differ"),
    ],
)
def test_sgd_mistakes_are_named(answer, phrase):
    fb = check_sgd_log_width(answer)
    assert failed_with(fb, phrase), fb


def test_sgd_scalar_only_loop_is_told_about_vector_widths():
    def scalar_only(predict, x, y, init, lr, steps, batch_size, seed=0):
        widths, losses = sgd_right(predict, x, y, init, lr, steps, batch_size, seed)
        return widths.reshape(steps + 1, -1)[:, 0], losses

    assert failed_with(check_sgd_log_width(scalar_only), "vector t = log h")


# Unit sphere and general attention ----------------------------------------------------

def sdpa_sphere(q, k, v, s):
    return F.scaled_dot_product_attention(q, k, v, scale=s**-2)


def sdpa_general(q, k, v, s):
    mask = (-(k**2).sum(dim=1) / (2 * s**2)).expand(q.shape[0], k.shape[0])
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=s**-2)


def gauss_by_hand(q, k, v, s):
    # An independent route: the Gaussian weights written out in numpy.
    q, k, v = q.numpy(), k.numpy(), v.numpy()
    w = np.exp(-((q[:, None] - k[None]) ** 2).sum(-1) / (2 * s**2))
    return (w / w.sum(1, keepdims=True)) @ v


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_sphere_right_answers_pass(dtype):
    check = check_sphere_attention
    assert check(lambda q, k, v, s: sdpa_sphere(q.to(dtype), k.to(dtype), v.to(dtype), s)).passed
    assert check(lambda q, k, v, s: gauss_by_hand(q, k, v, s).astype(dtype == torch.float32 and np.float32
                                                                      or np.float64)).passed
    if dtype == torch.float64:  # in float32 nwlib's SDPA path refuses these widths (too few digits)
        assert check(lambda q, k, v, s: nwlib.sdpa_nadaraya_watson(q.to(dtype), k.to(dtype), v.to(dtype),
                                                                   bandwidth=s)).passed


def prior_smoother(q, k, v, s, prior=lambda k, s: np.exp((k**2).sum(-1) / (2 * s**2))):
    # The Gaussian weights times a prior weight per key, written out in numpy.
    q, k, v = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    w = np.exp(-((q[:, None] - k[None]) ** 2).sum(-1) / (2 * s**2)) * prior(k, s)
    return (w / w.sum(1, keepdims=True)) @ v


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_dot_attention_as_nw_right_answers_pass(dtype):
    check = check_dot_attention_as_nw
    assert check(lambda q, k, v, s: F.scaled_dot_product_attention(
        q.to(dtype), k.to(dtype), v.to(dtype), scale=s**-2)).passed
    assert check(lambda q, k, v, s: torch.from_numpy(prior_smoother(q, k, v, s)).to(dtype)).passed

    def through_nwlib(q, k, v, s):
        w = nwlib.attention_weights(q, k, bandwidth=s) * torch.exp((k**2).sum(1) / (2 * s**2))
        return (w / w.sum(1, keepdim=True)) @ v

    assert check(through_nwlib).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=1 / (2 * s**2)), "1/(2 h^2)"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=1 / s), "1/h;"),
        (lambda q, k, v, _s: F.scaled_dot_product_attention(q, k, v), "default scale"),
        (lambda q, k, v, _s: F.scaled_dot_product_attention(q.float(), k.float(), v.float()),
         "default scale"),
        (lambda q, k, v, _s: torch.softmax(q @ k.T, dim=1) @ v, "did not scale"),
        (lambda q, k, v, s: torch.softmax(q @ k.T / s**2, dim=0) @ v, "over the queries"),
        (lambda q, k, v, s: (torch.softmax(q @ k.T / s**2, dim=1) @ v).T, "transposed"),
        (lambda q, k, v, s: torch.softmax(q @ k.T / s**2, dim=1) @ v + 0.1, "differs"),
    ],
)
def test_sphere_mistakes_are_named(answer, phrase):
    assert failed_with(check_sphere_attention(answer), phrase)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (gauss_by_hand, "without prior weights"),
        (lambda q, k, v, s: prior_smoother(q, k, v, s, lambda k, s: np.exp(-(k**2).sum(-1) / (2 * s**2))),
         "wrong sign"),
        (lambda q, k, v, s: prior_smoother(q, k, v, s, lambda k, s: np.exp((k**2).sum(-1) / s**2)),
         "counted twice"),
        (lambda q, k, v, s: prior_smoother(q, k, v, s, lambda k, _s: np.exp((k**2).sum(-1) / 2)),
         "by the width"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(F.normalize(q, dim=1), F.normalize(k, dim=1),
                                                           v, scale=s**-2), "normalised"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=s**-2)[:, :2], "expected (4, 3)"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=0.5 * s**-2), "differs from"),
    ],
)
def test_dot_attention_as_nw_mistakes_are_named(answer, phrase):
    assert failed_with(check_dot_attention_as_nw(answer), phrase)


@pytest.mark.parametrize(
    "answer",
    [lambda w: 1.0 / (w**2).sum(axis=1), lambda w: 1.0 / (torch.as_tensor(w).float() ** 2).sum(1),
     lambda w: np.asarray(1.0 / np.sum(np.asarray(w, dtype=np.float32) ** 2, axis=1))],
    ids=["float64", "float32-torch", "float32-numpy"],
)
def test_effective_keys_right_answers_pass(answer):
    assert check_effective_keys(answer).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda w: (w**2).sum(axis=1), "its inverse"),
        (lambda w: 1.0 / np.sqrt(np.sum(np.asarray(w) ** 2, axis=1)), "square root"),
        (lambda w: 1.0 / (w**2).sum(axis=0), "expected (6,)"),
        (lambda w: np.exp(-np.sum(np.asarray(w) * np.log(np.asarray(w) + 1e-300), axis=1)), "perplexity"),
        (lambda w: 1.0 / (w**2).max(axis=1)[0] if isinstance(w, torch.Tensor)
         else 1.0 / (w**2).max(axis=1), "one key should give 1"),
    ],
)
def test_effective_keys_mistakes_are_named(answer, phrase):
    assert failed_with(check_effective_keys(answer), phrase)


# Rates --------------------------------------------------------------------------------

def _theory(d):
    """The exponents of the bias-variance balance, for the tests only."""
    return -1 / (d + 4), -4 / (d + 4)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda d: (1 / (d + 4), 4 / (d + 4)), "must shrink"),
        (lambda d: (-1 / (d + 2), -2 / (d + 2)), "squared bias"),
        (lambda d: (-1 / (d + 4), -1 / (d + 4)), "same order as the squared bias"),
        (lambda d: (-1 / (d + 3), -4 / (d + 3)), "width exponent is off"),
        (lambda _d: (-0.2, -0.8), "must depend on d"),
        (lambda d: -4 / (d + 4), "pair of numbers"),
    ],
)
def test_exponent_mistakes_are_named(answer, phrase):
    assert failed_with(check_exponents(answer), phrase)


@pytest.mark.parametrize("kind", [float, np.float32, np.float64, lambda v: torch.tensor(v)])
def test_exponent_right_answers_pass(kind):
    assert check_exponents(lambda d: tuple(kind(v) for v in _theory(d))).passed


@pytest.mark.parametrize(
    "rule",
    [lambda n, d: 0.6 * n ** _theory(d)[0], lambda n, d: np.float32(2.0 * n ** _theory(d)[0]),
     lambda n, d: torch.tensor([0.7]) * n ** _theory(d)[0]],
)
def test_width_rule_right_answers_pass(rule):
    assert check_width_rule(rule).passed


@pytest.mark.parametrize(
    "rule, phrase",
    [
        (lambda n, d: 0.6 * n ** (1 / (d + 4)), "must shrink"),
        (lambda n, d: 0.6 * n ** (-1 / (d + 2)), "squared bias"),
        (lambda n, d: -0.6 * n ** _theory(d)[0], "not positive"),
        (lambda n, d: 0.6 * n ** _theory(d)[0] + 0.01, "not a power of n"),
        (lambda n, _d: 0.6 * n ** -0.2, "must depend on d"),
        (lambda _n, _d: [0.6, 0.7], "not a pair"),
    ],
)
def test_width_rule_mistakes_are_named(rule, phrase):
    assert failed_with(check_width_rule(rule), phrase)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda n, e: np.polyfit(np.log(e), np.log(n), 1)[0], "regressed log n on log value"),
        (lambda n, e: np.polyfit(n, e, 1)[0], "take logs"),
        (lambda n, e: np.polyfit(np.log(n), np.log10(e), 1)[0], "same logarithm"),
        (lambda n, e: np.polyfit(np.log(n), np.log(e), 1), "not a pair"),
        (lambda _n, _e: -0.5, "about -0.7"),
    ],
)
def test_fit_mistakes_are_named(answer, phrase):
    assert failed_with(check_fit_exponent(answer), phrase)


@pytest.mark.parametrize(
    "answer",
    [lambda n, e: np.polyfit(np.log(n), np.log(e), 1)[0],
     lambda n, e: np.float32(np.polyfit(np.log(n), np.log(e), 1)[0]),
     lambda n, e: np.polyfit(np.log(n), np.log(e), 1)[:1]],
)
def test_fit_right_answers_pass(answer):
    assert check_fit_exponent(answer).passed
    # scipy's linregress is an independent least-squares fit.
    from scipy.stats import linregress

    assert check_fit_exponent(lambda n, e: linregress(np.log10(n), np.log10(e)).slope).passed


def oracle_right(sim):
    return sim.widths[np.arange(sim.ns.size), sim.mse.mean(axis=2).argmin(axis=1)]


@pytest.mark.parametrize("answer", [oracle_right, lambda s: oracle_right(s).astype(np.float32),
                                    lambda s: torch.from_numpy(oracle_right(s))])
def test_oracle_right_answers_pass(answer):
    assert check_oracle_widths(answer).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda s: s.factors[s.mse.mean(axis=2).argmin(axis=1)], "the factor"),
        (lambda s: s.mse.mean(axis=2).argmin(axis=1), "index"),
        (lambda s: s.mse.mean(axis=2).min(axis=1), "lowest MSE"),
        (lambda s: s.widths[np.arange(3), s.mse[:, :, 0].argmin(axis=1)], "one repetition"),
        (lambda s: s.widths[:, -1], "average sim.mse"),
        (lambda s: s.widths, "expected (3,)"),
    ],
)
def test_oracle_mistakes_are_named(answer, phrase):
    assert failed_with(check_oracle_widths(answer), phrase)


def test_the_oracle_case_separates_its_mistakes():
    from nwlib.course.checks_rates import _oracle_case

    sim = _oracle_case()
    assert isinstance(sim, RateSimulation)
    right = oracle_right(sim)
    one_rep = sim.widths[np.arange(3), sim.mse[:, :, 0].argmin(axis=1)]
    assert not np.allclose(right, one_rep) and len(set(sim.mse.mean(axis=2).argmin(axis=1))) == 3


def test_exercises_import_the_checks_from_a_real_module():
    """The exercises write `from nwlib.checks import ...`: an ordinary module file, not an
    entry planted in sys.modules, holding every check of nwlib.course.checks."""
    import importlib.util
    from pathlib import Path

    import nwlib.course.checks
    from nwlib.checks import check_loo_predictions as short_path

    assert short_path is nwlib.course.checks.check_loo_predictions
    origin = Path(importlib.util.find_spec("nwlib.checks").origin)
    assert (origin.parent.name, origin.name) == ("nwlib", "checks.py")
    import nwlib.checks

    assert nwlib.checks.__all__ == nwlib.course.checks.__all__
    assert all(getattr(nwlib.checks, name) is getattr(nwlib.course.checks, name)
               for name in nwlib.course.checks.__all__)
