"""torch tensors in, torch tensors out, with gradients to the inputs and the width."""

import numpy as np
import pytest
import torch

import nwlib
from nwlib import attention_weights, nadaraya_watson, parzen_density


@pytest.fixture
def data():
    d = nwlib.course.running_example()
    return d.x_query, d.x_train, d.y_train


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar", "triangular", "epanechnikov", "constant"])
def test_numpy_and_torch_agree(data, kernel):
    q, x, y = data
    ours = nadaraya_watson(q, x, y, kernel=kernel, bandwidth=0.8)
    t = nadaraya_watson(torch.tensor(q), torch.tensor(x), torch.tensor(y), kernel=kernel,
                        bandwidth=0.8)
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float64
    np.testing.assert_allclose(t.numpy(), ours, rtol=1e-13)
    w = attention_weights(torch.tensor(q), torch.tensor(x), kernel=kernel, bandwidth=0.8)
    np.testing.assert_allclose(w.numpy(), attention_weights(q, x, kernel=kernel, bandwidth=0.8),
                               rtol=1e-13, atol=1e-300)


def test_float32_tensors_stay_float32(data):
    q, x, y = (torch.tensor(a, dtype=torch.float32) for a in data)
    assert nadaraya_watson(q, x, y, bandwidth=0.5).dtype == torch.float32
    assert parzen_density(q, x, bandwidth=0.5).dtype == torch.float32


def test_numpy_arguments_join_a_tensor_call(data):
    q, x, y = data
    out = nadaraya_watson(q, x, y, bandwidth=torch.tensor(0.5, dtype=torch.float64))
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), nadaraya_watson(q, x, y, bandwidth=0.5), rtol=1e-13)


def test_gradcheck_with_respect_to_the_bandwidth(data):
    q, x, y = (torch.tensor(a[::5]) for a in data)
    h = torch.tensor(0.6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda h: nadaraya_watson(q, x, y, bandwidth=h), (h,))


def test_gradcheck_with_per_coordinate_widths(rng):
    x = torch.tensor(rng.normal(size=(15, 2)))
    y = torch.tensor(rng.normal(size=15))
    q = torch.tensor(rng.normal(size=(4, 2)))
    h = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda h: nadaraya_watson(q, x, y, bandwidth=h), (h,))


@pytest.mark.parametrize("kernel", ["epanechnikov", "triangular", "tricube"])
def test_gradcheck_compact_kernels(kernel, rng):
    x = torch.tensor(rng.uniform(0, 1, 12))
    y = torch.tensor(rng.normal(size=12))
    q = torch.tensor([0.31, 0.52, 0.77], dtype=torch.float64)
    h = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda h: nadaraya_watson(q, x, y, kernel=kernel, bandwidth=h), (h,))


def test_gradients_flow_to_queries_keys_and_values(rng):
    q = torch.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    k = torch.tensor(rng.normal(size=(6, 2)), requires_grad=True)
    v = torch.tensor(rng.normal(size=(6, 2)), requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda q, k, v: nadaraya_watson(q, k, v, bandwidth=0.9), (q, k, v))


def test_gradient_is_finite_when_a_query_sits_on_a_key():
    x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    h = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    for kernel in ("gaussian", "triangular", "tricube", "cosine"):
        nadaraya_watson(x, x, x**2, kernel=kernel, bandwidth=h).sum().backward()
        assert torch.isfinite(h.grad), kernel
        h.grad = None


def test_narrow_width_gradient_is_not_nan(data):
    q, x, y = (torch.tensor(a) for a in data)
    h = torch.tensor(1e-3, dtype=torch.float64, requires_grad=True)
    out = nadaraya_watson(q, x, y, bandwidth=h)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(h.grad)


def test_tensors_on_two_devices_are_refused():
    meta = torch.zeros(3, device="meta")
    with pytest.raises(ValueError, match="different devices"):
        nadaraya_watson(torch.zeros(2), meta, torch.zeros(3))
