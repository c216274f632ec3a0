"""Kernel constants against closed forms and scipy quadrature; the AMISE width."""

import math

import pytest
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

from nwlib import KERNELS
from nwlib.asymptotics import amise, amise_bandwidth, kernel_constants, kernel_table

# Closed forms for the density kernels on [-1, 1] (Gaussian on R): (mu_2, R(K)).
CLOSED = {
    "gaussian": (1.0, 1 / (2 * math.sqrt(math.pi))),
    "boxcar": (1 / 3, 1 / 2),
    "triangular": (1 / 6, 2 / 3),
    "epanechnikov": (1 / 5, 3 / 5),
    "tricube": (35 / 243, 175 / 247),
    "cosine": (1 - 8 / math.pi**2, math.pi**2 / 16),
}
# Efficiencies relative to Epanechnikov as tabulated by Wand and Jones (1995, table 2.1).
EFFICIENCY = {"gaussian": 0.951, "boxcar": 0.930, "triangular": 0.986, "epanechnikov": 1.0}


@pytest.mark.parametrize("name", list(CLOSED))
def test_constants_match_closed_forms(name):
    c = kernel_constants(name)
    mu2, rough = CLOSED[name]
    assert c.mu2 == pytest.approx(mu2, rel=1e-9)
    assert c.roughness == pytest.approx(rough, rel=1e-9)
    assert c.r_equal_spread == pytest.approx(rough * math.sqrt(mu2), rel=1e-9)


@pytest.mark.parametrize("name", list(CLOSED))
def test_constants_match_direct_quadrature(name):
    # Independent of nwlib's normalisers: integrate the raw profile from its formula.
    profile = {
        "gaussian": lambda u: math.exp(-u * u / 2),
        "boxcar": lambda _u: 1.0,
        "triangular": lambda u: 1 - abs(u),
        "epanechnikov": lambda u: 1 - u * u,
        "tricube": lambda u: (1 - abs(u) ** 3) ** 3,
        "cosine": lambda u: math.cos(math.pi * u / 2),
    }[name]
    lim = math.inf if name == "gaussian" else 1.0
    mass = quad(profile, -lim, lim)[0]
    mu2 = quad(lambda u: u * u * profile(u), -lim, lim)[0] / mass
    rough = quad(lambda u: profile(u) ** 2, -lim, lim)[0] / mass**2
    c = kernel_constants(name)
    assert (c.mu2, c.roughness) == (pytest.approx(mu2, rel=1e-8), pytest.approx(rough, rel=1e-8))


@pytest.mark.parametrize("name", list(EFFICIENCY))
def test_efficiencies_match_the_literature(name):
    assert kernel_constants(name).efficiency == pytest.approx(EFFICIENCY[name], abs=5e-4)


def test_table_covers_every_integrable_kernel_and_epanechnikov_is_best():
    table = kernel_table()
    assert [c.name for c in table] == [k for k in KERNELS if k != "constant"]
    assert max(c.efficiency for c in table) == 1.0
    with pytest.raises(ValueError, match="not integrable"):
        kernel_constants("constant")


@pytest.mark.parametrize("kernel", ["gaussian", "boxcar"])
def test_amise_bandwidth_minimises_amise_and_has_the_n_rate(kernel):
    kw = dict(kernel=kernel, noise_var=1.0, bias_integral=2.1, variance_integral=25.0)
    h = amise_bandwidth(40, **kw)
    num = minimize_scalar(lambda t: amise(40, bandwidth=t, **kw), bounds=(1e-3, 10), method="bounded",
                          options={"xatol": 1e-10})
    assert h == pytest.approx(num.x, rel=1e-5)
    ratio = amise_bandwidth(40 * 2**5, **kw) / h
    assert ratio == pytest.approx(0.5, rel=1e-12)
    err = [amise(n, bandwidth=amise_bandwidth(n, **kw), **kw) for n in (100, 100 * 2**5)]
    assert err[1] / err[0] == pytest.approx(2.0**-4, rel=1e-12)
    with pytest.raises(ValueError, match="noise_var"):
        amise(40, bandwidth=0.1, kernel=kernel, noise_var=-1, bias_integral=1, variance_integral=1)
