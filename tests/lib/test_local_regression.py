"""Local-linear regression: against statsmodels, exact laws, adversarial inputs, torch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.nonparametric.kernel_regression import KernelReg

from nwlib.blocking import working_memory_limit
from nwlib.local_regression import (
    SingularLocalDesignError,
    local_linear,
    local_linear_loo,
    local_linear_weights,
)
from nwlib.pooling import NoKeyInReachError

SETTINGS = settings(derandomize=True, max_examples=60, deadline=None)


@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("h", [0.3, 0.6, 1.5])
def test_matches_statsmodels_kernelreg_ll(rng, d, h):
    # statsmodels' Gaussian bw is the kernel's standard deviation, our h.
    x = rng.uniform(0, 5, (60, d))
    y = np.sin(x).sum(axis=1) + 0.3 * rng.standard_normal(60)
    q = rng.uniform(0, 5, (25, d))
    ref, _ = KernelReg(y, x, var_type="c" * d, reg_type="ll", bw=[h] * d).fit(q)
    ours = local_linear(q, x, y, bandwidth=h)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10 * (1 + np.abs(ref).max()))


def test_statsmodels_agreement_on_running_example_boundary():
    from nwlib.course import running_example

    d = running_example()
    ref, _ = KernelReg(d.y_train, d.x_train, var_type="c", reg_type="ll", bw=[0.39]).fit(
        d.x_query)
    np.testing.assert_allclose(local_linear(d.x_query, d.x_train, d.y_train, bandwidth=0.39),
                               ref, atol=1e-11)


keys_1d = st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=25, unique=True)


@SETTINGS
@given(keys_1d, st.floats(-1e6, 1e6), st.floats(-1e3, 1e3),
       st.sampled_from(["gaussian", "epanechnikov", "tricube", "boxcar"]))
def test_reproduces_linear_functions_exactly(keys, a, b, kernel):
    x = np.array(keys)
    spread = x.max() - x.min()
    if np.min(np.diff(np.sort(x))) < 1e-6 * max(spread, 1):
        return  # near-duplicate keys only: a line through them is ill-determined
    h = spread  # every query inside the data reaches at least two keys
    q = np.linspace(x.min(), x.max(), 7)
    fit = local_linear(q, x, a + b * x, kernel=kernel, bandwidth=h)
    scale = abs(a) + abs(b) * np.abs(x).max() + 1
    np.testing.assert_allclose(fit, a + b * q, atol=1e-7 * scale)


@SETTINGS
@given(st.integers(0, 2**31), st.integers(1, 3), st.floats(0.3, 3.0),
       st.sampled_from(["gaussian", "epanechnikov", "cosine"]))
def test_weights_sum_to_one_and_reproduce_the_query(seed, d, h, kernel):
    r = np.random.default_rng(seed)
    x = r.uniform(-1, 1, (40, d))
    q = r.uniform(-0.5, 0.5, (6, d))
    w = local_linear_weights(q, x, kernel=kernel, bandwidth=h * np.sqrt(d))
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-10)
    np.testing.assert_allclose(w @ x, q, atol=1e-9)  # linear in each coordinate


@SETTINGS
@given(st.integers(0, 2**31), st.floats(-1e4, 1e4))
def test_translation_invariance(seed, shift):
    r = np.random.default_rng(seed)
    x = r.uniform(0, 5, 30)
    q = r.uniform(0, 5, 8)
    y = r.standard_normal(30)
    a = local_linear(q, x, y, bandwidth=0.6)
    b = local_linear(q + shift, x + shift, y, bandwidth=0.6)
    # Shifting by 1e4 costs digits of the offsets themselves (eps * 1e4 / h).
    np.testing.assert_allclose(a, b, atol=1e-9 * (1 + abs(shift)))


def _reference_1d(q, x, y, h):
    """Closed-form local line in extended precision (np.longdouble), Gaussian kernel."""
    x, y = x.astype(np.longdouble), y.astype(np.longdouble)
    out = []
    for qi in np.asarray(q, dtype=np.longdouble):
        z = (x - qi) / np.longdouble(h)
        s = z * z / 2
        w = np.exp(-(s - s.min()))
        zbar = np.sum(w * z) / np.sum(w)
        ybar = np.sum(w * y) / np.sum(w)
        slope = np.sum(w * (z - zbar) * (y - ybar)) / np.sum(w * (z - zbar) ** 2)
        out.append(ybar - slope * zbar)
    return np.array(out, dtype=float)


@pytest.mark.parametrize("offset", [0.0, 1e8, -3e12])
def test_values_of_wildly_different_sizes_against_extended_precision(rng, offset):
    x = np.sort(rng.uniform(0, 5, 50))
    y = offset + rng.standard_normal(50) * np.where(rng.uniform(size=50) < 0.1, 1e6, 1.0)
    q = np.linspace(-0.5, 5.5, 31)  # beyond both ends too
    ours = local_linear(q, x, y, bandwidth=0.5)
    ref = _reference_1d(q, x, y, 0.5)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9 * np.abs(y).max())


def test_clustered_and_duplicate_keys(rng):
    x = np.concatenate([np.full(10, 1.0), 1.0 + 1e-7 * rng.standard_normal(10),
                        rng.uniform(2, 3, 10)])
    y = 3.0 - 2.0 * x
    q = np.linspace(1.0, 3.0, 9)
    np.testing.assert_allclose(local_linear(q, x, y, bandwidth=0.7), 3.0 - 2.0 * q, atol=1e-8)


def test_blocked_equals_one_block(rng):
    x = rng.uniform(0, 5, (80, 2))
    y = rng.standard_normal((80, 3))
    q = rng.uniform(1, 4, (70, 2))
    whole = local_linear(q, x, y, bandwidth=[0.8, 1.2])
    with working_memory_limit(500 * 8 / 2**20):  # 500 float64 scores: about 3 queries per block
        blocked = local_linear(q, x, y, bandwidth=[0.8, 1.2])
    np.testing.assert_allclose(blocked, whole, atol=1e-13)
    assert whole.shape == (70, 3)


def test_torch_matches_numpy_and_has_gradients(rng):
    x = rng.uniform(0, 5, 40)
    y = np.sin(x)
    q = np.linspace(0, 5, 11)
    h = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out = local_linear(torch.tensor(q), xt, torch.tensor(y), bandwidth=h)
    np.testing.assert_allclose(out.detach().numpy(), local_linear(q, x, y, bandwidth=0.5),
                               atol=1e-12)
    out.sum().backward()
    assert torch.isfinite(h.grad) and torch.all(torch.isfinite(xt.grad))
    # float32 tensors stay float32 and agree to single precision
    out32 = local_linear(torch.tensor(q, dtype=torch.float32),
                         torch.tensor(x, dtype=torch.float32),
                         torch.tensor(y, dtype=torch.float32), bandwidth=0.5)
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(out32.numpy(), local_linear(q, x, y, bandwidth=0.5), atol=2e-5)


def test_negative_weights_at_the_boundary():
    x = np.linspace(0, 5, 40)
    w = local_linear_weights([0.0, 2.5], x, bandwidth=0.5)
    assert w[0].min() < -1e-3  # the edge query extrapolates: some weights are negative
    assert w[1].min() > -0.02 * w[1].max()  # inside, nearly the attention weights


def test_singular_designs_raise_clear_errors():
    with pytest.raises(SingularLocalDesignError, match="d \\+ 1 keys"):
        local_linear([0.0], [0.0, 5.0], [1.0, 2.0], kernel="epanechnikov", bandwidth=1.0)
    with pytest.raises(NoKeyInReachError, match="no key within reach"):
        local_linear([2.5], [0.0, 5.0], [1.0, 2.0], kernel="boxcar", bandwidth=1.0)
    with pytest.raises(SingularLocalDesignError):  # 2-D keys on one line
        t = np.linspace(0, 1, 10)
        local_linear([[0.5, 0.5]], np.column_stack([t, t]), t, bandwidth=1.0)
    with pytest.raises(SingularLocalDesignError, match="bandwidth"):  # far query, narrow Gaussian
        local_linear([100.0], np.linspace(0, 5, 40), np.zeros(40), bandwidth=0.3)


def test_never_returns_nan_for_extreme_widths(rng):
    x = rng.uniform(0, 5, 30)
    y = rng.standard_normal(30)
    q = np.linspace(0, 5, 20)
    for h in [1e-3, 1e-2, 1e3, 1e6]:
        try:
            out = local_linear(q, x, y, bandwidth=h)
        except SingularLocalDesignError:
            continue
        assert np.all(np.isfinite(out))
    # A huge width is ordinary least squares
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(local_linear(q, x, y, bandwidth=1e6), intercept + slope * q,
                               atol=1e-8)


def test_loo_equals_refits_and_the_shortcut(rng):
    from nwlib.smoother import loo_residuals, smoother_matrix

    x = np.sort(rng.uniform(0, 5, 30))
    y = np.sin(x) + 0.2 * rng.standard_normal(30)
    cand = [0.3, 0.6, 1.2]
    best, mse = local_linear_loo(x, y, cand)
    for h, err in zip(cand, mse, strict=True):
        refit = [local_linear([x[i]], np.delete(x, i), np.delete(y, i), bandwidth=h)[0]
                 for i in range(30)]
        np.testing.assert_allclose(err, np.mean((y - refit) ** 2), rtol=1e-10)
        W = smoother_matrix(x, x, bandwidth=h, estimator="local_linear")
        np.testing.assert_allclose(err, np.mean(loo_residuals(W, y) ** 2), rtol=1e-8)
    assert best == cand[int(np.argmin(mse))]


def test_loo_scores_inf_where_undefined():
    x = np.linspace(0, 1, 11)
    _, mse = local_linear_loo(x, x**2, [0.05, 0.5], kernel="epanechnikov")
    assert np.isinf(mse[0]) and np.isfinite(mse[1])


# --- local polynomial regression of any degree -------------------------------------

from math import factorial  # noqa: E402

from nwlib.kernels import get_kernel  # noqa: E402
from nwlib.polynomial_regression import local_polynomial  # noqa: E402
from nwlib.pooling import nadaraya_watson  # noqa: E402


def _wls_reference(q, x, y, h, degree, kernel):
    """Explicit weighted least squares at each query: lstsq of sqrt(w) X against sqrt(w) y."""
    k = get_kernel(kernel)
    out = np.empty((len(q), degree + 1))
    for j, qj in enumerate(q):
        u = (x - qj) / h
        root = np.sqrt(k(u))
        design = root[:, None] * u[:, None] ** np.arange(degree + 1)
        out[j], *_ = np.linalg.lstsq(design, root * y, rcond=None)
    return out  # beta_0 .. beta_p in the scaled offset u


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "tricube", "boxcar"])
@pytest.mark.parametrize("degree", [0, 1, 2, 3, 4])
def test_local_polynomial_matches_explicit_weighted_least_squares(rng, kernel, degree):
    x = rng.uniform(0, 5, 120)
    y = 2 * np.sin(x) + x + 0.5 * rng.standard_normal(120)
    q = np.linspace(0, 5, 17)  # both boundaries included
    h = 1.1
    beta = _wls_reference(q, x, y, h, degree, kernel)
    for r in range(degree + 1):
        ours = local_polynomial(q, x, y, bandwidth=h, degree=degree, kernel=kernel, deriv=r)
        ref = factorial(r) * beta[:, r] / h**r
        np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9 * (1 + np.abs(ref).max()))


@pytest.mark.parametrize("h", [0.3, 0.6, 1.5])
def test_local_polynomial_degree_one_matches_statsmodels(rng, h):
    # statsmodels' Gaussian bw is the kernel's standard deviation, our h.
    x = rng.uniform(0, 5, 60)
    y = np.sin(x) + 0.3 * rng.standard_normal(60)
    q = rng.uniform(0, 5, 25)
    ref, slope = KernelReg(y, x, var_type="c", reg_type="ll", bw=[h]).fit(q)
    np.testing.assert_allclose(local_polynomial(q, x, y, bandwidth=h, degree=1), ref,
                               atol=1e-10 * (1 + np.abs(ref).max()))
    # KernelReg's local-linear fit also returns the local slope: our deriv=1.
    np.testing.assert_allclose(local_polynomial(q, x, y, bandwidth=h, degree=1, deriv=1),
                               np.ravel(slope), atol=1e-8 * (1 + np.abs(slope).max()))


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_local_polynomial_degrees_zero_and_one_are_the_existing_estimators(rng, kernel):
    x = rng.uniform(0, 5, 80)
    y = np.column_stack([np.cos(x), x**2])
    q = np.linspace(0.2, 4.8, 31)
    np.testing.assert_allclose(local_polynomial(q, x, y, bandwidth=0.7, degree=0, kernel=kernel),
                               nadaraya_watson(q, x, y, bandwidth=0.7, kernel=kernel), atol=1e-12)
    np.testing.assert_allclose(local_polynomial(q, x, y, bandwidth=0.7, degree=1, kernel=kernel),
                               local_linear(q, x, y, bandwidth=0.7, kernel=kernel), atol=1e-11)


@SETTINGS
@given(st.integers(0, 4), st.floats(-1e5, 1e5), st.floats(0.6, 5),  # >= 5 keys in reach
       st.sampled_from(["gaussian", "epanechnikov", "tricube"]))
def test_local_polynomial_reproduces_its_degree_and_derivatives(degree, shift, h, kernel):
    x = shift + np.linspace(-2, 2, 41)
    coef = np.arange(1, degree + 2, dtype=float)[::-1] / 3  # a polynomial in (x - shift)
    poly = np.polynomial.Polynomial(coef)
    q = shift + np.linspace(-1.9, 1.9, 9)
    scale = np.abs(coef).sum() * 2.0**degree + 1
    for r in range(degree + 1):
        fit = local_polynomial(q, x, poly(x - shift), bandwidth=h, degree=degree, kernel=kernel,
                               deriv=r)
        truth = poly.deriv(r)(q - shift)
        np.testing.assert_allclose(fit, truth, atol=1e-6 * scale * max(1, h**-r))


def test_local_polynomial_refuses_too_few_keys_in_reach():
    x = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 5.0])  # a triple key counts once
    # Epanechnikov of width 1.5 at q = 0.2 reaches 0 (three times) and 1: two distinct keys.
    assert np.isfinite(local_polynomial([0.2], x, x, bandwidth=1.5, degree=1,
                                        kernel="epanechnikov")).all()
    with pytest.raises(SingularLocalDesignError, match="fewer than 3 distinct keys"):
        local_polynomial([0.2], x, x, bandwidth=1.5, degree=2, kernel="epanechnikov")
    with pytest.raises(NoKeyInReachError, match="no key within reach"):
        local_polynomial([3.5], x, x, bandwidth=1.0, degree=1, kernel="epanechnikov")
    # Far from the data a narrow Gaussian puts all but rounding-level weight on one key.
    with pytest.raises(SingularLocalDesignError, match="degree 2 needs 3"):
        local_polynomial([40.0], x, x, bandwidth=0.5, degree=2)


def test_local_polynomial_rejects_bad_arguments():
    x = np.linspace(0, 1, 10)
    with pytest.raises(ValueError, match="deriv=2 exceeds degree=1"):
        local_polynomial([0.5], x, x, bandwidth=0.3, degree=1, deriv=2)
    with pytest.raises(ValueError, match="degree=-1"):
        local_polynomial([0.5], x, x, bandwidth=0.3, degree=-1)
    with pytest.raises(ValueError, match="degree=1.5"):
        local_polynomial([0.5], x, x, bandwidth=0.3, degree=1.5)
    with pytest.raises(ValueError, match="d=2 coordinates"):
        local_polynomial(np.zeros((1, 2)), np.ones((10, 2)), x, bandwidth=0.3, degree=1)
    with pytest.raises(TypeError, match="numpy"):
        local_polynomial(torch.tensor([0.5]), torch.tensor(x), torch.tensor(x), bandwidth=0.3,
                         degree=1)


def test_local_polynomial_blocks_give_the_same_answer(rng):
    x = rng.uniform(0, 5, 300)
    y = np.sin(x)
    q = np.linspace(0, 5, 200)
    full = local_polynomial(q, x, y, bandwidth=0.5, degree=3)
    with working_memory_limit(0.01):  # about 1,300 elements: blocks of one query
        np.testing.assert_array_equal(local_polynomial(q, x, y, bandwidth=0.5, degree=3), full)
