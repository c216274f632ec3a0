"""Learner checks of the local-linear exercise: right answers pass, typical mistakes get
their specific message; attempt runs a task or reports a stub."""

import numpy as np
import pytest

from nwlib.course.stats_checks import attempt, check_local_line


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


def test_attempt_runs_done_tasks_and_reports_stubs(capsys):
    assert attempt(lambda a: a + 1, 2) == 3

    def task():
        raise NotImplementedError

    assert attempt(task) is None
    assert "task: not done yet" in capsys.readouterr().out
