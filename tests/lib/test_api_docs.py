"""Every public function and class says which arrays it takes and what it returns.

The convention (see the :mod:`nwlib` docstring) is one docstring paragraph
``Array types: <numpy | numpy or torch | none>...; <what it returns>``. These tests
find that paragraph for every name in ``nwlib.__all__`` and ``nwlib.course.__all__``,
and call every function that claims torch with float32 and float64 tensors (and
numpy float32, float64 and integer arrays) to check the dtype it promises.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import nwlib
import nwlib.course

PARAGRAPH = re.compile(r"Array types: (numpy or torch|numpy|none)\b[^;]*; \S.*")
#: The promise of functions that keep the input's precision.
SAME_DTYPE = "the input's float dtype"


def public(name: str) -> Any:
    """The object a public name stands for: nwlib's numerics first, then nwlib.course."""
    return getattr(nwlib, name) if name in nwlib.__all__ else getattr(nwlib.course, name)


def public_names() -> list[str]:
    """Functions and classes exported by nwlib and nwlib.course (not data or modules)."""
    names = dict.fromkeys([*nwlib.__all__, *nwlib.course.__all__])
    return [n for n in names if inspect.isfunction(public(n)) or inspect.isclass(public(n))]


def test_the_namespaces_do_not_overlap():
    """nwlib exports the numerics, nwlib.course the course helpers: no name in both."""
    assert not set(nwlib.__all__) & set(nwlib.course.__all__)
    assert "plot_fit" not in nwlib.__all__ and "running_example" not in dir(nwlib)


def array_types(obj: Any) -> re.Match | None:
    """The ``Array types:`` paragraph of ``obj``'s own docstring, joined into one line."""
    doc = inspect.getdoc(obj) if obj.__doc__ else ""
    for paragraph in re.split(r"\n\s*\n", doc or ""):
        text = " ".join(paragraph.split())
        if text.startswith("Array types:"):
            return PARAGRAPH.fullmatch(text)
    return None


def test_every_public_name_is_checked():
    names = public_names()
    assert len(names) > 50 and "nadaraya_watson" in names and "plot_fit" in names


@pytest.mark.parametrize("name", public_names())
def test_docstring_says_array_types(name):
    found = array_types(public(name))
    assert found is not None, (
        f"nwlib.{name}: its docstring needs a paragraph 'Array types: <numpy | numpy or torch "
        f"| none>; <what it returns>' (see the nwlib package docstring)."
    )


def test_missing_or_malformed_paragraph_is_caught():
    def undocumented():
        """Do something."""

    def malformed():
        """Do something.

        Array types: anything at all.
        """

    assert array_types(undocumented) is None and array_types(malformed) is None


# --- torch claims, called -------------------------------------------------------------
rng = np.random.default_rng(20261201)
KEYS = rng.uniform(-2, 2, size=(40, 2))
VALUES = np.sin(KEYS).sum(axis=1)
QUERIES = rng.uniform(-2, 2, size=(7, 2))
LABELS = (KEYS[:, 0] > 0).astype(int)
#: A square smoother (row sums 1, diagonal below 1) for the functions that take one.
SMOOTHER = nwlib.smoother_matrix(KEYS, KEYS, bandwidth=0.7)


def smoother(c: Callable) -> Any:
    """SMOOTHER in the array type under test; integers keep it float (a rounded one is no smoother)."""
    return c(SMOOTHER) if np.asarray(c(np.zeros(1))).dtype.kind == "f" else SMOOTHER


#: For every name whose docstring says "numpy or torch": a call taking a converter
#: (array -> the array type under test) and returning the result whose dtype is promised.
CALLS: dict[str, Callable[[Callable], Any]] = {
    "attention_weights": lambda c: nwlib.attention_weights(c(QUERIES), c(KEYS), bandwidth=0.7),
    "nadaraya_watson": lambda c: nwlib.nadaraya_watson(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7),
    # A width that keeps float32's dot products within 1e-6 too (else the guard refuses).
    "sdpa_nadaraya_watson": lambda c: nwlib.sdpa_nadaraya_watson(c(QUERIES), c(KEYS), c(VALUES),
                                                                 bandwidth=20.0),
    "parzen_density": lambda c: nwlib.parzen_density(c(QUERIES), c(KEYS), bandwidth=0.7),
    "leave_one_out_loss": lambda c: nwlib.leave_one_out_loss(c(KEYS), c(VALUES), bandwidth=0.7),
    "class_probabilities": lambda c: nwlib.class_probabilities(c(QUERIES), c(KEYS), LABELS, bandwidth=0.7),
    "class_densities": lambda c: nwlib.class_densities(c(QUERIES), c(KEYS), LABELS, bandwidth=0.7),
    "class_log_densities": lambda c: nwlib.class_log_densities(c(QUERIES), c(KEYS), LABELS,
                                                               bandwidth=0.7),
    "parzen_log_density": lambda c: nwlib.parzen_log_density(c(QUERIES), c(KEYS), bandwidth=0.7),
    "learn_bandwidth": lambda c: nwlib.learn_bandwidth(c(KEYS), c(VALUES), steps=2, progress=False).widths,
    "width_objective": lambda c: nwlib.width_objective(c(KEYS), c(VALUES), bandwidth=0.7),
    "descend_bandwidth": lambda c: nwlib.descend_bandwidth(c(KEYS), c(VALUES), 0.7, steps=2)[0],
    "gaussian_plan": lambda c: nwlib.gaussian_plan(c(QUERIES), c(KEYS), bandwidth=0.7).evaluated,
    "metric_nadaraya_watson": lambda c: nwlib.metric_nadaraya_watson(c(QUERIES), c(KEYS), c(VALUES),
                                                                     np.eye(2) / 0.7),
    "metric_loo_loss": lambda c: nwlib.metric_loo_loss(c(KEYS), c(VALUES), np.eye(2) / 0.7),
    "feature_kernel": lambda c: nwlib.feature_kernel(
        c(QUERIES), c(KEYS), nwlib.random_features(2, 64, kind="positive", bandwidth=0.7)),
    "linear_attention": lambda c: nwlib.linear_attention(
        c(QUERIES), c(KEYS), c(VALUES), nwlib.random_features(2, 64, kind="positive", bandwidth=0.7)),
    "causal_linear_attention": lambda c: nwlib.causal_linear_attention(
        c(KEYS), c(KEYS), c(VALUES), nwlib.random_features(2, 64, kind="positive", bandwidth=0.7)),
    "masked_linear_attention": lambda c: nwlib.masked_linear_attention(
        c(KEYS), c(KEYS), c(VALUES), nwlib.random_features(2, 64, kind="positive", bandwidth=0.7)),
    "AttentionLayer": lambda c: nwlib.AttentionLayer(2, 1)(c(KEYS[None]), c(KEYS[None]))[0],
    "train_attention": lambda c: nwlib.train_attention(
        nwlib.AttentionLayer(2, 1), c(KEYS[None]), c(KEYS[None]), c(VALUES[None, :, None]), steps=2),
    "local_linear": lambda c: nwlib.local_linear(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7),
    "local_linear_weights": lambda c: nwlib.local_linear_weights(c(QUERIES), c(KEYS), bandwidth=0.7),
}
#: The same for names whose docstring says "numpy" and that return arrays or numbers.
NUMPY_CALLS: dict[str, Callable[[Callable], Any]] = {
    "adaptive_bandwidths": lambda c: nwlib.adaptive_bandwidths(c(KEYS), bandwidth=0.7),
    "attention_weights_per_key": lambda c: nwlib.attention_weights_per_key(
        c(QUERIES), c(KEYS), bandwidths=c(np.ones(len(KEYS)))),
    "nadaraya_watson_per_key": lambda c: nwlib.nadaraya_watson_per_key(
        c(QUERIES), c(KEYS), c(VALUES), bandwidths=c(np.ones(len(KEYS)))),
    "parzen_posterior": lambda c: nwlib.parzen_posterior(c(np.abs(QUERIES) + 1), c(np.ones(2))),
    "loo_bandwidth": lambda c: nwlib.loo_bandwidth(c(KEYS), c(VALUES), c(np.array([0.5, 1.0])))[1],
    "relative_representation": lambda c: nwlib.relative_representation(c(KEYS + 5), c(KEYS[:4] + 5)),
    "retrieval_accuracy": lambda c: nwlib.retrieval_accuracy(c(KEYS), c(KEYS)),
    "silverman_bandwidth": lambda c: nwlib.silverman_bandwidth(c(KEYS)),
    "scott_bandwidth": lambda c: nwlib.scott_bandwidth(c(KEYS)),
    "softmax": lambda c: nwlib.softmax(c(QUERIES)),
    "logsumexp": lambda c: nwlib.logsumexp(c(QUERIES)),
    "target_function": lambda c: nwlib.course.target_function(c(VALUES)),
    "uneven_target": lambda c: nwlib.course.uneven_target(c(np.abs(VALUES))),
    "probability_map": lambda c: nwlib.course.probability_map(c(KEYS), LABELS, bandwidth=0.7,
                                                              resolution=4).probs,
    "bias_variance": lambda c: nwlib.course.bias_variance(c(np.array([0.5, 1.0])), n=20, repeats=3)[0],
    "learn_metric": lambda c: nwlib.learn_metric(c(KEYS), c(VALUES), steps=2).projection,
    "oblique_target": lambda c: nwlib.course.oblique_target(c(VALUES)),
    "local_linear_loo": lambda c: nwlib.local_linear_loo(c(KEYS), c(VALUES), c(np.array([0.7, 1.0])))[1],
    "smoother_matrix": lambda c: nwlib.smoother_matrix(c(QUERIES), c(KEYS), bandwidth=0.7),
    "effective_dof": lambda c: nwlib.effective_dof(smoother(c)),
    "loo_residuals": lambda c: nwlib.loo_residuals(smoother(c), c(VALUES)),
    "gcv_score": lambda c: nwlib.gcv_score(smoother(c), c(VALUES)),
    "gcv_bandwidth": lambda c: nwlib.gcv_bandwidth(c(KEYS), c(VALUES), c(np.array([0.7, 1.0])))[1],
    "noise_variance": lambda c: nwlib.noise_variance(smoother(c), c(VALUES)),
    "pointwise_variance": lambda c: nwlib.pointwise_variance(smoother(c), 0.5),
    "confidence_band": lambda c: nwlib.confidence_band(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7).upper,
    "bootstrap_band": lambda c: nwlib.bootstrap_band(
        c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7, n_boot=20).lower,
    "cos_sin_kernel": lambda c: nwlib.cos_sin_kernel(c(QUERIES), c(KEYS), nwlib.random_features(2, 16)),
    "local_noise_variance": lambda c: nwlib.local_noise_variance(c(QUERIES), c(KEYS), c(VALUES),
                                                                 bandwidth=0.7),
    "sup_t_critical_value": lambda c: nwlib.sup_t_critical_value(smoother(c), 1.0, 0.9),
    "curve_band": lambda c: nwlib.curve_band(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7,
                                             kind="sup-t", variance="local").upper,
    "gp_posterior_variance": lambda c: nwlib.gp_posterior_variance(c(QUERIES), c(KEYS), bandwidth=0.7),
    "kernel_ridge": lambda c: nwlib.kernel_ridge(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7),
    "kernel_ridge_weights": lambda c: nwlib.kernel_ridge_weights(c(QUERIES), c(KEYS), bandwidth=0.7),
    "lagrange_basis": lambda c: nwlib.lagrange_basis(c(np.linspace(-1.0, 1.0, 5) / 3), 4),
    "gauss_transform": lambda c: nwlib.gauss_transform(c(QUERIES), c(KEYS), c(VALUES), bandwidth=0.7).sums,
}
CONVERTERS = {
    "torch float32": lambda a: torch.tensor(a, dtype=torch.float32),
    "torch float64": lambda a: torch.tensor(a, dtype=torch.float64),
    "numpy float32": lambda a: np.asarray(a, dtype=np.float32),
    "numpy float64": lambda a: np.asarray(a, dtype=np.float64),
    "numpy int64": lambda a: np.round(3 * np.asarray(a)).astype(np.int64),
}


def torch_claims() -> list[str]:
    return [n for n in public_names() if (m := array_types(public(n))) and m.group(1) == "numpy or torch"]


def test_every_torch_claim_has_a_call():
    assert set(torch_claims()) == set(CALLS), "add a call to CALLS for each 'numpy or torch' name"
    assert not set(NUMPY_CALLS) & set(CALLS)


def dtype_name(result: Any) -> str:
    return str(result.dtype).removeprefix("torch.")


@pytest.mark.parametrize("name, kind", [
    *((name, kind) for name in sorted(CALLS) for kind in CONVERTERS),
    *((name, kind) for name in sorted(NUMPY_CALLS) for kind in CONVERTERS if kind.startswith("numpy")),
])
def test_promised_dtype(name, kind):
    promise = array_types(public(name)).group(0)
    result = {**CALLS, **NUMPY_CALLS}[name](CONVERTERS[kind])
    tensor_in = kind.startswith("torch")
    if "Python numbers" in promise or "Python float" in promise:
        assert isinstance(result, (int, float)) and not isinstance(result, np.generic), type(result)
        return
    if SAME_DTYPE in promise:
        expected = "float32" if kind.endswith("float32") else "float64"
    else:
        assert "float64" in promise, f"nwlib.{name}: say which dtype it returns"
        expected = "float64"
    assert dtype_name(result) == expected, f"nwlib.{name}({kind}) returned {result.dtype}"
    # "a tensor for tensor input" / "on the input's device": tensors in, tensors out.
    if "tensor for tensor input" in promise or "tensor on the input's device" in promise:
        assert isinstance(result, torch.Tensor) == tensor_in, type(result)
    elif "numpy" in promise.split(";", 1)[1]:
        assert isinstance(result, (np.ndarray, np.generic)), type(result)


# --- names the docstrings mention exist ----------------------------------------------
def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for part in parts[i:]:
                obj = getattr(obj, part)
        except AttributeError:
            return False
        return True
    return False


def test_every_dotted_nwlib_name_in_the_source_exists():
    """A docstring or message naming ``nwlib.x.y`` points at a module or object that exists."""
    from pathlib import Path

    root = Path(nwlib.__file__).parent
    missing = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(?<![\w.])(nwlib(?:\.\w+)+)", text):
            if not _resolves(match.group(1)):
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{path.relative_to(root.parent)}:{line}: {match.group(1)}")
    assert missing == []


def test_no_public_name_shadows_a_module():
    """``nwlib.softmax`` is a function, so no module may be called softmax (and so on)."""
    import pkgutil

    for package, names in ((nwlib, nwlib.__all__), (nwlib.course, nwlib.course.__all__)):
        modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
        shadowed = sorted(set(names) & modules - {"checks", "learned_checks", "stats_checks"})
        assert shadowed == [], f"{package.__name__}: functions named like their modules: {shadowed}"
