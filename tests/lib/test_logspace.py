"""The one row-max shift (nwlib.logspace): its laws, and that nobody else writes it."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp as scipy_logsumexp
from scipy.special import softmax as scipy_softmax

from nwlib import logspace

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nwlib"

# Scores from far below exp's range to far above it, in both dtypes' terms, with
# some -inf entries (keys out of reach).
finite = st.floats(-1e4, 1e4, allow_nan=False)
entry = st.one_of(finite, finite, finite, st.just(-np.inf))
scores = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=entry)


def _with_a_finite_entry(s: np.ndarray) -> np.ndarray:
    s = s.copy()
    s[:, 0] = np.where(np.isfinite(s[:, 0]), s[:, 0], 0.0)
    return s


@settings(max_examples=150, deadline=None)
@given(scores, st.sampled_from([0, 1, -1]))
def test_logsumexp_agrees_with_scipy_and_torch(s, axis):
    got = logspace.logsumexp(s, axis)
    with np.errstate(divide="ignore"):
        want = scipy_logsumexp(s, axis=axis)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)
    t = torch.from_numpy(s)
    got_t = logspace.logsumexp(t, axis)
    assert isinstance(got_t, torch.Tensor) and got_t.dtype == torch.float64
    np.testing.assert_allclose(got_t.numpy(), torch.logsumexp(t, dim=axis).numpy(),
                               rtol=1e-13, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(scores, st.sampled_from([0, 1, -1]), st.floats(-1e300, 1e300))
def test_softmax_sums_to_one_ignores_shifts_and_agrees_with_scipy_and_torch(s, axis, shift):
    s = _with_a_finite_entry(s) if axis != 0 else _with_a_finite_entry(s.T).T
    w = logspace.softmax(s, axis)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=axis), 1.0, rtol=1e-13)
    np.testing.assert_allclose(w, scipy_softmax(s, axis=axis), atol=1e-14)
    np.testing.assert_allclose(logspace.softmax(torch.from_numpy(s), axis).numpy(),
                               torch.softmax(torch.from_numpy(s), dim=axis).numpy(), atol=1e-14)
    # A shift as large as the scores themselves (up to 1e300) rounds them, so the
    # invariance is checked where the shifted scores are still exact to about 1e-12.
    if abs(shift) < 1e3:
        np.testing.assert_allclose(logspace.softmax(s + shift, axis), w, atol=1e-9)
        np.testing.assert_allclose(logspace.logsumexp(s + shift, axis),
                                   logspace.logsumexp(s, axis) + shift, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_and_tiny_scores_neither_overflow_nor_vanish(dtype):
    big = np.finfo(dtype).max / 4
    s = np.array([[big, big], [-big, -big], [1e3, -1e3]], dtype=dtype)
    np.testing.assert_allclose(logspace.softmax(s), [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]])
    lse = logspace.logsumexp(s)
    assert lse.dtype == dtype
    np.testing.assert_allclose(lse, [big, -big, 1e3], rtol=1e-6)
    t = torch.from_numpy(s)
    np.testing.assert_allclose(logspace.logsumexp(t).numpy(), torch.logsumexp(t, 1).numpy(),
                               rtol=1e-6)


def test_rows_without_a_finite_score():
    ninf, inf, nan = -np.inf, np.inf, np.nan
    s = np.array([[ninf, ninf], [0.0, inf], [0.0, nan], [1.0, ninf]])
    assert logspace.logsumexp(s, 1).tolist()[:2] == [ninf, inf]
    assert np.isnan(logspace.logsumexp(s, 1)[2])
    w = logspace.softmax(s, 1)
    assert w[0].tolist() == [0.0, 0.0]  # nothing in reach: zero weights, sum 0
    assert np.isnan(w[1]).any() and np.isnan(w[2]).all()
    assert w[3].tolist() == [1.0, 0.0]
    t = logspace.softmax(torch.tensor(s[:1]), 1)
    assert t.tolist() == [[0.0, 0.0]]
    assert logspace.logsumexp(np.zeros((2, 0)), 1).tolist() == [ninf, ninf]


def test_the_shift_carries_no_gradient_and_the_softmax_gradient_is_right():
    s = torch.tensor([[3.0, 1.0, -torch.inf], [-torch.inf, -torch.inf, -torch.inf]],
                     dtype=torch.float64, requires_grad=True)
    logspace.logsumexp(s, 1)[0].backward()
    np.testing.assert_allclose(s.grad[0].numpy(), torch.softmax(s[0].detach(), 0).numpy())
    assert not torch.isnan(s.grad).any()
    assert not logspace.row_shift(s, 1).requires_grad


def test_one_shift_for_the_whole_array():
    s = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(logspace.shifted_exp(s, None), np.exp(s - 4.0))
    np.testing.assert_allclose(logspace.shifted_exp(s, 1), np.exp(s - [[2.0], [4.0]]))


# --- nobody else writes the shift ---------------------------------------------------------
# The shift is recognised in the source: a name bound (directly or through other names)
# to a `.max(...)`/`.amax(...)` of an array, then subtracted inside an `exp(...)`, or
# subtracted in place (`-=`, `.sub_(...)`). Comparing a max, or subtracting it outside
# an exponential, is not the shift.
MAXES = {"max", "amax", "nanmax"}
EXPS = {"exp", "exp_", "expm1"}

# Online shifts, which move as chunks or steps arrive and rescale what was summed:
# another idea than the one-pass shift, written where its loop is.
ALLOWED = {
    "logspace.py": "the helper itself",
    # (Its one-pass _shifted_weights shifts distances by their row minimum, in place
    # and with exp's subnormal floor, for speed; a minimum is not scanned for.)
    "_backends/cpu_gauss.py": "streams key chunks in place, raising the shift chunk by chunk",
    "causal.py": "the recurrent form rescales its running state when a key raises the shift",
}


def _is_max_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in MAXES)


def _mentions(node: ast.AST, tainted: set[str]) -> bool:
    return any(_is_max_call(n) or (isinstance(n, ast.Name) and n.id in tainted)
               for n in ast.walk(node))


def shifts_written(path: Path) -> list[int]:
    """Lines of ``path`` that subtract a row maximum before exponentiating."""
    found = []
    for fn in ast.walk(ast.parse(path.read_text())):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        tainted: set[str] = set()
        nodes = sorted((n for n in ast.walk(fn) if hasattr(n, "lineno")),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            if isinstance(node, ast.Assign) and _mentions(node.value, tainted):
                tainted |= {t.id for tgt in node.targets for t in ast.walk(tgt)
                            if isinstance(t, ast.Name)}
            elif (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub)
                  and _mentions(node.value, tainted)):
                found.append(node.lineno)
            elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name == "sub_" and any(_mentions(a, tainted) for a in node.args):
                    found.append(node.lineno)
                if name in EXPS:
                    inside = [*node.args, node.func.value] if name == "exp_" else node.args
                    if any(isinstance(b, ast.BinOp) and isinstance(b.op, ast.Sub)
                           and _mentions(b.right, tainted)
                           for a in inside for b in ast.walk(a)):
                        found.append(node.lineno)
    return sorted(set(found))


def copies(package: Path = PACKAGE) -> list[str]:
    return [f"{path.relative_to(package)}:{line}"
            for path in sorted(package.rglob("*.py"))
            if str(path.relative_to(package)) not in ALLOWED
            for line in shifts_written(path)]


def test_only_logspace_writes_the_row_max_shift():
    assert copies() == [], "call nwlib.logspace (softmax, logsumexp, shifted_exp) instead"


def test_the_allowed_online_shifts_are_still_there():
    """An allowance that no longer matches anything is dropped, not kept by habit."""
    for name in ALLOWED:
        if name != "logspace.py":
            assert shifts_written(PACKAGE / name), name


@pytest.mark.parametrize("planted", [
    "def f(s, xp):\n    top = xp.max(s, axis=1, keepdims=True)\n    return xp.exp(s - top)\n",
    "def f(s):\n    s -= s.max(axis=2, keepdims=True)\n    return s\n",
    "def f(s, np):\n    t = s.max(1)\n    safe = np.where(t > 0, t, 0)\n    return np.exp(s - safe)\n",
    "def f(w):\n    top = w.amax(dim=1, keepdim=True)\n    w.sub_(top)\n",
])
def test_a_planted_shift_is_found(tmp_path, planted):
    copy = tmp_path / "nwlib"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "kernels.py"
    target.write_text(target.read_text() + "\n\n" + planted)
    found = copies(copy)
    assert len(found) == 1 and found[0].startswith("kernels.py:"), found


def test_a_max_that_is_compared_or_reported_is_not_a_shift(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f(s, np):\n    top = s.max(1)\n    if not np.all(np.isfinite(top)):\n"
                    "        raise ValueError(top - 1)\n    gap = np.max(s) - s.min()\n"
                    "    return np.exp(-s), gap\n")
    assert shifts_written(path) == []
