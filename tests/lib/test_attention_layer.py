"""The attention layer: shapes, kernels, gradients, determinism, one head against two."""

import math

import numpy as np
import pytest
import torch

from nwlib.attention_layer import AttentionLayer, train_attention
from nwlib.course.learned_data import two_neighbourhoods


@pytest.fixture(autouse=True)
def _one_thread():
    # Tiny matrices: a second thread costs more than it saves, and fixes the sums' order.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_shapes_and_weights():
    layer = AttentionLayer(6, 3, heads=4, d_head=5, seed=1)
    out, w = layer(np.zeros((2, 7, 6)), np.ones((2, 11, 6)))
    assert out.shape == (2, 7, 3) and w.shape == (2, 4, 7, 11)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 4, 7, dtype=torch.float64))
    out, w = layer(np.zeros((7, 6)), np.ones((11, 6)))  # no batch axis
    assert out.shape == (7, 3) and w.shape == (4, 7, 11)
    with pytest.raises(ValueError, match="batch shape"):
        layer(np.zeros((2, 7, 6)), np.zeros((3, 11, 6)))
    with pytest.raises(ValueError, match=r"\(\.\.\., tokens, 6\)"):
        layer(np.zeros((7, 5)), np.zeros((11, 6)))


def test_shared_projections_give_a_kernel_and_distinct_ones_do_not():
    x = torch.randn(30, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    shared = AttentionLayer(6, 1, heads=1, d_head=3, shared=True, seed=0).scores(x, x)[0].detach()
    assert torch.allclose(shared, shared.T) and torch.linalg.eigvalsh(shared).min() > -1e-10
    free = AttentionLayer(6, 1, heads=1, d_head=3, seed=0).scores(x, x)[0].detach()
    assert not torch.allclose(free, free.T)
    assert torch.linalg.eigvalsh((free + free.T) / 2).min() < -0.1


def test_every_parameter_gets_a_finite_gradient():
    layer = AttentionLayer(6, 2, heads=2, d_head=3, seed=0)
    q = torch.randn(3, 4, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    out, _ = layer(q, q)
    out.square().sum().backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name
    small = AttentionLayer(2, 1, heads=2, d_head=2, seed=0)
    x = torch.randn(3, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2),
                    requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: small(t, t)[0], (x,))


def test_same_seed_same_layer_and_same_training():
    task = two_neighbourhoods(16, 10, 4, seed=0)
    runs = []
    for _ in range(2):
        layer = AttentionLayer(6, 1, heads=2, d_head=4, seed=3)
        runs.append(train_attention(layer, task.queries, task.keys, task.targets, steps=20))
    assert np.array_equal(runs[0], runs[1])
    other = AttentionLayer(6, 1, heads=2, d_head=4, seed=4)
    assert not torch.equal(other.w_q, AttentionLayer(6, 1, heads=2, d_head=4, seed=3).w_q)


def test_two_heads_can_represent_the_task_exactly():
    """Hand-set weights: head 1 looks at angle a and pools s, head 2 at angle b and pools t."""
    task = two_neighbourhoods(8, 12, 5, concentration=6.0, seed=2)
    layer = AttentionLayer(6, 1, heads=2, d_head=2, shared=True, seed=0)
    root = math.sqrt(6.0 * math.sqrt(2))  # scores kappa cos(difference) after the 1/sqrt(d_head)
    with torch.no_grad():
        for weight in (layer.w_q, layer.w_v, layer.w_o):
            weight.zero_()
        layer.w_q[0, 0, 0] = layer.w_q[0, 1, 1] = root
        layer.w_q[1, 0, 2] = layer.w_q[1, 1, 3] = root
        layer.w_v[0, 0, 4] = layer.w_v[1, 0, 5] = 1.0
        layer.w_o[0, 0] = layer.w_o[0, 2] = 1.0
    out, _ = layer(task.queries, task.keys)
    np.testing.assert_allclose(out.detach().numpy(), task.targets, rtol=1e-10, atol=1e-12)


def test_trained_two_heads_beat_one_head_by_a_margin():
    task = two_neighbourhoods(64, 24, 8, seed=0)
    test = two_neighbourhoods(64, 24, 8, seed=1)
    errors = {}
    for heads in (1, 2):
        layer = AttentionLayer(6, 1, heads=heads, d_head=8 // heads, seed=0)
        losses = train_attention(layer, task.queries, task.keys, task.targets, steps=300, lr=0.03)
        with torch.no_grad():
            out, _ = layer(test.queries, test.keys)
        errors[heads] = float(((out.numpy() - test.targets) ** 2).mean())
        assert losses[-1] < losses[0]
    assert errors[2] < 1e-4
    assert errors[1] > 0.1
    assert errors[1] > 1000 * errors[2]


def test_training_checks_its_arguments():
    layer = AttentionLayer(6, 1, seed=0)
    task = two_neighbourhoods(2, 3, 2)
    with pytest.raises(ValueError, match="steps"):
        train_attention(layer, task.queries, task.keys, task.targets, steps=-1)
    with pytest.raises(ValueError, match="values"):
        train_attention(layer, task.queries, task.keys, task.targets[..., 0], steps=1)
    with pytest.raises(ValueError, match="d_head"):
        AttentionLayer(6, 1, d_head=0)


def test_nwlib_exports_the_layer_lazily():
    # nwlib lists these names without importing torch; the list must follow the module's.
    import nwlib
    import nwlib.attention_layer as module

    assert set(nwlib._LAZY) == set(module.__all__)
    assert nwlib.AttentionLayer is module.AttentionLayer and nwlib.train_attention is module.train_attention
