"""Learner checks of the local-linear and smoother exercises: right answers pass, typical
mistakes get their specific message."""

import numpy as np
import pytest

from nwlib.course.stats_checks import attempt, check_gcv, check_local_line, check_loo_shortcut


def _weights(q, x, h):
    return np.exp(-((x - q) ** 2) / (2 * h * h))


def local_line(q, x, y, h):
    slope, intercept = np.polyfit(x - q, y, 1, w=np.sqrt(_weights(q, x, h)))
    return intercept


def nw(q, x, y, h):
    w = _weights(q, x, h)
    return w @ y / w.sum()


def uncentred(q, x, y, h):
    return np.polyfit(x, y, 1, w=np.sqrt(_weights(q, x, h)))[1]


def slope(q, x, y, h):
    return np.polyfit(x - q, y, 1, w=np.sqrt(_weights(q, x, h)))[0]


def test_local_line_passes_a_weighted_line():
    assert check_local_line(local_line).status == "passed"


@pytest.mark.parametrize("answer, words", [
    (nw, "Nadaraya-Watson"), (uncentred, "centre the inputs"), (slope, "slope"),
])
def test_local_line_names_the_mistake(answer, words):
    feedback = check_local_line(answer)
    assert feedback.status == "failed" and words in feedback.messages[0]


def test_local_line_wrong_shape():
    feedback = check_local_line(lambda _q, _x, _y, _h: np.zeros(3))
    assert feedback.status == "failed" and "one number" in feedback.messages[0]


def exact_loo(W, y):
    return (y - W @ y) / (1 - np.diag(W))


@pytest.mark.parametrize("answer, words", [
    (lambda W, y: y - W @ y, "in-sample"),
    (lambda W, y: -exact_loo(W, y), "sign"),
    (lambda W, y: (y - W @ y) / (1 + np.diag(W)), "not 1 + W_ii"),
    (lambda W, y: 2 * exact_loo(W, y), "largest gap"),
])
def test_loo_shortcut_feedback(answer, words):
    assert check_loo_shortcut(exact_loo).status == "passed"
    feedback = check_loo_shortcut(answer)
    assert feedback.status == "failed" and words in feedback.messages[0]


def gcv(W, y):
    return np.mean((y - W @ y) ** 2) / (1 - np.trace(W) / len(y)) ** 2


@pytest.mark.parametrize("answer, words", [
    (lambda W, y: np.mean((y - W @ y) ** 2), "in-sample"),
    (lambda W, y: np.mean((y - W @ y) ** 2) / (1 - np.trace(W) / len(y)), "Square"),
    (lambda W, y: 3 * gcv(W, y), "expected"),
])
def test_gcv_feedback(answer, words):
    assert check_gcv(gcv).status == "passed"
    feedback = check_gcv(answer)
    assert feedback.status == "failed" and words in feedback.messages[0]


def test_attempt_runs_done_tasks_and_reports_stubs(capsys):
    assert attempt(lambda a: a + 1, 2) == 3

    def task():
        raise NotImplementedError

    assert attempt(task) is None
    assert "task: not done yet" in capsys.readouterr().out
