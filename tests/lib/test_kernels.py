"""The kernels: shapes from the course brief, and density constants checked by quadrature
and against scikit-learn's KernelDensity (an independent implementation)."""

import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad
from sklearn.neighbors import KernelDensity

import nwlib
from nwlib import KERNELS, get_kernel

U = np.array([0.0, 0.25, 0.5, 0.999, 1.0, 1.5, 3.0])


@pytest.mark.parametrize(
    "name, expected",
    [
        ("gaussian", np.exp(-U**2 / 2)),
        ("boxcar", (U <= 1).astype(float)),
        ("triangular", np.maximum(0, 1 - U)),
        ("epanechnikov", np.maximum(0, 1 - U**2)),
        ("tricube", np.maximum(0, 1 - U**3) ** 3),
        ("cosine", np.where(U < 1, np.cos(np.pi * U / 2), 0.0)),
        ("constant", np.ones_like(U)),
    ],
)
def test_kernel_shapes_match_the_course_definitions(name, expected):
    np.testing.assert_allclose(KERNELS[name](U), expected, atol=1e-15)


def test_triangular_is_not_epanechnikov():
    # Some texts print (1 - u)+ as "Epanechnikov": that is the triangular kernel.
    assert KERNELS["triangular"](0.5) == pytest.approx(0.5)
    assert KERNELS["epanechnikov"](0.5) == pytest.approx(0.75)


def test_compact_support_flags():
    assert {k.name for k in KERNELS.values() if k.compact} == {
        "boxcar", "triangular", "epanechnikov", "tricube", "cosine"}


@pytest.mark.parametrize("name", ["boxcar", "triangular", "epanechnikov", "tricube", "cosine"])
def test_one_dimensional_normalisers_by_quadrature(name):
    k = KERNELS[name]
    integral, _ = quad(lambda x: float(k(abs(x))), -1.0, 1.0, points=[0.0])
    assert k.normaliser(1) == pytest.approx(integral, rel=1e-9)


def test_textbook_constants():
    assert 1 / KERNELS["epanechnikov"].normaliser(1) == pytest.approx(0.75)
    assert 1 / KERNELS["tricube"].normaliser(1) == pytest.approx(70 / 81)
    assert 1 / KERNELS["cosine"].normaliser(1) == pytest.approx(math.pi / 4)
    assert KERNELS["gaussian"].normaliser(3) == pytest.approx((2 * math.pi) ** 1.5)
    assert math.isinf(KERNELS["constant"].normaliser(2))


# scikit-learn's names for the same kernels
SKLEARN = {"gaussian": "gaussian", "boxcar": "tophat", "triangular": "linear",
           "epanechnikov": "epanechnikov", "cosine": "cosine"}


CASES = [(name, d) for name in sorted(SKLEARN) for d in (1, 2, 3)
         # scikit-learn's cosine constant is off in 2-D (checked by a 2-D integral below)
         if (name, d) != ("cosine", 2)]


@pytest.mark.parametrize("name, d", CASES)
def test_parzen_density_matches_sklearn(name, d, rng):
    samples = rng.normal(size=(200, d))
    points = rng.normal(size=(50, d)) * 0.7
    h = 0.8
    kde = KernelDensity(kernel=SKLEARN[name], bandwidth=h).fit(samples)
    ours = nwlib.parzen_density(points, samples, kernel=name, bandwidth=h)
    theirs = np.exp(kde.score_samples(points))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["cosine", "triangular", "tricube"])
def test_two_dimensional_normalisers_by_a_plane_integral(name):
    # Midpoint rule on a Cartesian grid: independent of the radial formula nwlib uses.
    step = 2 / 2000
    x = -1 + step * (np.arange(2000) + 0.5)
    integral = KERNELS[name](np.hypot(x[:, None], x[None, :])).sum() * step**2
    assert KERNELS[name].normaliser(2) == pytest.approx(integral, rel=1e-4)


def test_get_kernel_rejects_unknown_names_and_lists_the_known_ones():
    with pytest.raises(ValueError, match="gaussian.*epanechnikov"):
        get_kernel("epanechnikow")
    assert get_kernel(KERNELS["boxcar"]) is KERNELS["boxcar"]


def test_normaliser_rejects_bad_dimension():
    with pytest.raises(ValueError, match="dimension"):
        KERNELS["boxcar"].normaliser(0)


# Kernel variances and equal-spread widths, checked against scipy's distributions.

@pytest.mark.parametrize("name, reference", [
    ("gaussian", stats.norm()),
    ("boxcar", stats.uniform(loc=-1, scale=2)),
    ("triangular", stats.triang(c=0.5, loc=-1, scale=2)),
    ("epanechnikov", stats.beta(2, 2, loc=-1, scale=2)),  # (1 - u^2) on [-1, 1]
])
def test_variance_matches_scipy(name, reference):
    assert nwlib.kernel_variance(name) == pytest.approx(reference.var(), rel=1e-9)


def test_cosine_and_tricube_closed_forms():
    assert nwlib.kernel_variance("cosine") == pytest.approx(1 - 8 / math.pi**2, rel=1e-9)
    assert nwlib.kernel_variance("tricube") == pytest.approx(35 / 243, rel=1e-9)


def test_equivalent_widths_give_equal_spread():
    sigma = 0.4
    for name in ["boxcar", "triangular", "epanechnikov", "cosine"]:
        h = nwlib.equivalent_bandwidth(name, sigma)
        assert h**2 * nwlib.kernel_variance(name) == pytest.approx(sigma**2)
    assert nwlib.equivalent_bandwidth("gaussian", sigma) == sigma


def test_equal_spread_fits_are_close_on_the_running_example():
    data = nwlib.course.running_example()
    fits = [nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, kernel=k,
                                  bandwidth=nwlib.equivalent_bandwidth(k, 0.5))
            for k in ["gaussian", "triangular", "epanechnikov"]]
    assert max(np.abs(f - fits[0]).max() for f in fits) < 0.5


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.nan, "1"])
def test_equivalent_bandwidth_rejects_bad_sigma(sigma):
    with pytest.raises(ValueError, match="sigma"):
        nwlib.equivalent_bandwidth("boxcar", sigma)


def test_constant_kernel_has_no_variance():
    with pytest.raises(ValueError, match="constant"):
        nwlib.kernel_variance("constant")


# Kernels are recognised by identity, not by name.

def test_a_kernel_named_gaussian_with_another_profile_takes_no_gaussian_path():
    """Only KERNELS['gaussian'] itself takes the Gaussian fast paths and closed forms."""
    impostor = nwlib.Kernel("gaussian", lambda s, _xp: -0.5 * s * s, math.inf, "exp(-u^4/2)")
    x = np.linspace(0, 3, 30)
    y = np.sin(3 * x)
    q = np.linspace(-0.2, 3.2, 17)
    ours = nwlib.nadaraya_watson(q, x, y, kernel=impostor, bandwidth=0.4)
    ref = nwlib.nadaraya_watson(q, x, y, kernel=impostor, bandwidth=0.4, method="reference")
    gauss = nwlib.nadaraya_watson(q, x, y, bandwidth=0.4)
    np.testing.assert_allclose(ours, ref, rtol=1e-13)
    assert np.max(np.abs(ours - gauss)) > 1e-3
    np.testing.assert_allclose(nwlib.attention_weights(q, x, kernel=impostor, bandwidth=0.4),
                               nwlib.attention_weights(q, x, kernel=impostor, bandwidth=0.4,
                                                       method="reference"), rtol=1e-13)
    _, mse = nwlib.loo_bandwidth(x, y, [0.3, 0.6], kernel=impostor)
    _, ref_mse = nwlib.loo_bandwidth(x, y, [0.3, 0.6], kernel=impostor, method="reference")
    np.testing.assert_allclose(mse, ref_mse, rtol=1e-13)
    # Its normaliser is the integral of its own profile: 2 * Gamma(5/4) * 2**(1/4) in 1-D.
    assert impostor.normaliser(1) == pytest.approx(2 * math.gamma(1.25) * 2**0.25, rel=1e-9)


def test_a_kernel_with_a_new_name_works_in_parzen_density():
    """The normaliser comes from the kernel object: quadrature for an unknown kernel."""
    biweight = nwlib.Kernel("biweight", lambda s, xp: 2 * xp.log(xp.clip(1 - s, 1e-300, None))
                            + xp.where(s < 1, 0.0, -math.inf), 1.0, "(1 - u^2)^2")
    assert biweight.normaliser(1) == pytest.approx(16 / 15, rel=1e-9)
    samples = np.array([-0.5, 0.0, 0.3, 1.2])
    grid = np.linspace(-3, 3, 6001)
    dens = nwlib.parzen_density(grid, samples, kernel=biweight, bandwidth=0.7)
    assert np.sum(dens) * (grid[1] - grid[0]) == pytest.approx(1.0, abs=1e-6)
    # scikit-learn has no biweight; its closed form at a sample-free point checks the scale.
    u = (0.0 - samples) / 0.7
    expected = np.sum(np.where(np.abs(u) < 1, (1 - u**2) ** 2, 0)) * 15 / 16 / (4 * 0.7)
    assert float(nwlib.parzen_density([0.0], samples, kernel=biweight, bandwidth=0.7)[0]) == \
        pytest.approx(expected, rel=1e-9)
