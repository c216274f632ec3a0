"""Learning the width: the leave-one-out loss, its autograd gradient, a few descent steps."""

import numpy as np
import pytest
import torch

import nwlib
from nwlib import descend_bandwidth, leave_one_out_loss


@pytest.fixture(scope="module")
def data():
    return nwlib.course.running_example()


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_loss_matches_grid_loo_of_loo_bandwidth(data, kernel):
    widths = [0.5, 1.0, 2.0]
    _, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, widths, kernel=kernel)
    ours = [float(leave_one_out_loss(data.x_train, data.y_train, bandwidth=h, kernel=kernel)) for h in widths]
    np.testing.assert_allclose(ours, mse, rtol=1e-12)


def test_loss_matches_explicit_leave_one_out_loop(data):
    x, y, h = data.x_train, data.y_train, 0.4
    preds = [
        nwlib.nadaraya_watson([x[i]], np.delete(x, i), np.delete(y, i), bandwidth=h)[0]
        for i in range(x.size)
    ]
    expected = np.mean((np.array(preds) - y) ** 2)
    assert float(leave_one_out_loss(x, y, bandwidth=h)) == pytest.approx(expected, rel=1e-12)


def test_autograd_gradient_matches_finite_differences(data):
    x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)
    h = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(leave_one_out_loss(x, y, bandwidth=h), h)
    eps = 1e-6

    def loss(h):
        return float(leave_one_out_loss(x, y, bandwidth=h))

    fd = (loss(0.7 + eps) - loss(0.7 - eps)) / (2 * eps)
    assert float(grad) == pytest.approx(fd, rel=1e-6)


def test_descent_lowers_the_loss_towards_the_grid_optimum(data):
    widths, losses = descend_bandwidth(data.x_train, data.y_train, 2.0, steps=40, lr=0.2)
    assert widths.shape == losses.shape == (41,)
    assert losses[-1] < losses[0]
    grid = np.linspace(0.1, 2.0, 191)
    _, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, grid)
    assert losses[-1] == pytest.approx(mse.min(), rel=0.05)


def test_bad_arguments_are_named(data):
    with pytest.raises(ValueError, match="init"):
        descend_bandwidth(data.x_train, data.y_train, 0.0)
    with pytest.raises(ValueError, match="steps"):
        descend_bandwidth(data.x_train, data.y_train, 1.0, steps=-1)
    with pytest.raises(ValueError, match="at least 2"):
        leave_one_out_loss([0.0], [1.0], bandwidth=1.0)
    with pytest.raises(ValueError, match="0/0"):
        leave_one_out_loss([0.0, 5.0], [1.0, 2.0], bandwidth=1.0, kernel="boxcar")


def test_blocked_loss_and_gradient_do_not_depend_on_the_block_size(data):
    """One query per block gives the loss and the gradient of one block for all."""
    from nwlib.blocking import working_memory_limit

    def loss_and_grad():
        h = torch.tensor([0.4], dtype=torch.float64, requires_grad=True)
        loss = leave_one_out_loss(torch.from_numpy(data.x_train), torch.from_numpy(data.y_train), bandwidth=h)
        loss.backward()
        return float(loss.detach()), float(h.grad)

    whole = loss_and_grad()
    with working_memory_limit(data.x_train.size * 8 / 2**20):  # one row of scores per block
        blocked = loss_and_grad()
    np.testing.assert_allclose(blocked, whole, rtol=1e-13)


def test_one_objective_behind_every_caller(data):
    """loo_bandwidth (reference path and fast backend), leave_one_out_loss, width_objective
    and descend_bandwidth's losses all score the same width the same way."""
    x, y, h = data.x_train, data.y_train, 0.37
    ref = nwlib.loo_bandwidth(x, y, [h], method="reference")[1][0]
    fast = nwlib.loo_bandwidth(x, y, [h])[1][0]
    assert float(leave_one_out_loss(x, y, bandwidth=h)) == pytest.approx(ref, rel=1e-13)
    assert nwlib.width_objective(x, y, bandwidth=h) == pytest.approx(ref, rel=1e-13)
    assert fast == pytest.approx(ref, rel=1e-12)
    widths, losses = descend_bandwidth(x, y, h, steps=0)
    assert losses[0] == pytest.approx(ref, rel=1e-13)
