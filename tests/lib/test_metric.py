"""The learned metric: agreement with widths, the leave-one-out loss, learning."""

import numpy as np
import pytest
import torch

from nwlib.course.learned_data import oblique_example
from nwlib.metric import learn_metric, metric_loo_loss, metric_nadaraya_watson
from nwlib.pooling import nadaraya_watson


def test_scalar_and_diagonal_projections_are_widths(rng):
    x, q = rng.normal(size=(50, 3)), rng.normal(size=(7, 3))
    y = rng.normal(size=50)
    h = np.array([0.3, 2.0, 0.9])
    np.testing.assert_allclose(metric_nadaraya_watson(q, x, y, np.eye(3) / 0.5),
                               nadaraya_watson(q, x, y, bandwidth=0.5), rtol=1e-12)
    np.testing.assert_allclose(metric_nadaraya_watson(q, x, y, np.diag(1 / h)),
                               nadaraya_watson(q, x, y, bandwidth=h), rtol=1e-12)


def test_a_rotation_does_not_change_a_single_width(rng):
    x, q, y = rng.normal(size=(40, 2)), rng.normal(size=(5, 2)), rng.normal(size=40)
    turn = np.array([[np.cos(1.0), -np.sin(1.0)], [np.sin(1.0), np.cos(1.0)]])
    np.testing.assert_allclose(metric_nadaraya_watson(q, x, y, turn / 0.4),
                               nadaraya_watson(q, x, y, bandwidth=0.4), rtol=1e-10)


@pytest.mark.parametrize("scale", [0.1, 1.0, 50.0])
def test_loo_loss_matches_refitting_without_each_point(scale, rng):
    """Against n separate fits with the point deleted (an independent route)."""
    x, y = rng.normal(size=(25, 2)) * 3, rng.normal(size=25)
    w = np.array([[1.0, 0.5], [-0.2, 2.0]]) * scale
    brute = np.mean([(metric_nadaraya_watson(x[i:i + 1], np.delete(x, i, 0), np.delete(y, i), w)[0]
                      - y[i]) ** 2 for i in range(25)])
    assert float(metric_loo_loss(x, y, w)) == pytest.approx(brute, rel=1e-9)


def test_loo_loss_gradient_matches_finite_differences(rng):
    x = torch.tensor(rng.normal(size=(12, 2)))
    y = torch.tensor(rng.normal(size=12))
    w = torch.tensor([[0.8, 0.1], [0.3, 1.2]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda m: metric_loo_loss(x, y, m), (w,))


@pytest.fixture
def one_thread():
    # Tiny matrices: a second thread costs more than it saves on a shared machine.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("one_thread")
def test_full_metric_recovers_the_oblique_direction_and_beats_widths():
    x, y, u = oblique_example(400, 5, seed=3)
    train, test = slice(0, 200), slice(200, 400)
    errors = {}
    for kind in ["scalar", "diagonal", "full"]:
        fit = learn_metric(x[train], y[train], kind=kind, steps=200)
        assert fit.losses[-1] < fit.losses[0]
        errors[kind] = np.mean((fit.predict(x[test], x[train], y[train]) - y[test]) ** 2)
    eigenvalues, vectors = fit.directions()
    assert abs(vectors[:, 0] @ u) > 0.99
    assert eigenvalues[0] > 20 * eigenvalues[1]
    assert errors["full"] < 0.6 * errors["diagonal"] < 0.6 * errors["scalar"]


def test_learning_is_deterministic_and_checks_its_arguments(rng):
    x, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    a, b = learn_metric(x, y, steps=20), learn_metric(x, y, steps=20)
    assert np.array_equal(a.projection, b.projection) and np.array_equal(a.losses, b.losses)
    with pytest.raises(ValueError, match="kind"):
        learn_metric(x, y, kind="cholesky")
    with pytest.raises(ValueError, match="init"):
        learn_metric(x, y, init=0.0)
    with pytest.raises(ValueError, match="n >= 2"):
        learn_metric(x[:1], y[:1])
    with pytest.raises(ValueError, match="projection"):
        metric_nadaraya_watson(x, x, y, np.eye(3))


def test_nan_keys_are_refused_naming_the_argument(rng):
    """Through the input funnel: a NaN key used to give a NaN loss, and learn_metric
    NaN losses, without an error."""
    x, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match="keys contains NaN"):
        metric_loo_loss(x, y, np.eye(2))
    with pytest.raises(ValueError, match="keys contains NaN"):
        learn_metric(x, y, steps=2)
    with pytest.raises(ValueError, match="values contains NaN"):
        metric_loo_loss(np.nan_to_num(x), np.where(np.arange(20) == 4, np.nan, y), np.eye(2))


def test_a_float32_projection_is_served_and_differentiable(rng):
    """torch's default dtype: it used to raise torch's own RuntimeError (dtype mismatch)."""
    x, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    w64 = np.array([[1.0, 0.5], [-0.2, 2.0]])
    w32 = torch.tensor(w64, dtype=torch.float32, requires_grad=True)
    loss = metric_loo_loss(x, y, w32)
    loss.backward()
    assert loss.dtype == torch.float64 and w32.grad is not None
    assert torch.isfinite(w32.grad).all()
    expected = float(metric_loo_loss(x, y, w32.detach().double()))
    assert float(loss.detach()) == pytest.approx(expected, rel=1e-12)


def test_bad_projections_are_refused_naming_the_argument(rng):
    x, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    with pytest.raises(ValueError, match="projection has shape"):
        metric_loo_loss(x, y, np.eye(3))
    with pytest.raises(ValueError, match="projection contains NaN"):
        metric_loo_loss(x, y, np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="values"):
        metric_loo_loss(x, y[:5], np.eye(2))


def test_learn_metric_checks_shapes_without_a_quadratic_loss(rng, monkeypatch):
    """The shape check is the input funnel's: no O(n^2) loss before the first step."""
    import nwlib.metric as metric

    calls = []
    original = metric.metric_loo_loss
    monkeypatch.setattr(metric, "metric_loo_loss", lambda *a: calls.append(1) or original(*a))
    x, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    fit = metric.learn_metric(x, y, steps=0)
    assert len(calls) == 1 and fit.losses.shape == (1,)
