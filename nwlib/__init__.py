"""nwlib: Nadaraya-Watson kernel regression seen as attention pooling.

The package has three layers:

- the core numerics, one module per idea: :mod:`.validation` (checking inputs),
  :mod:`.arrays` (the array types the signatures name),
  :mod:`.blocking` (blocks of rows within one memory budget), :mod:`.kernels`,
  :mod:`.pooling` (attention weights and Nadaraya-Watson), :mod:`.density`
  (Parzen estimates), :mod:`.loo` (the leave-one-out objective), :mod:`.selection`
  (choosing the width), :mod:`.learning` (learning it by gradient descent),
  :mod:`.adaptive` (per-key widths), :mod:`.classify`, :mod:`.attention` (softmax,
  logsumexp, and Nadaraya-Watson as dot-product attention), :mod:`.relative` (relative
  representations), :mod:`.plan` (the pairs the Gaussian fast path computes and skips),
  :mod:`.local_regression` (local-linear regression), :mod:`.polynomial_regression`
  (local polynomials of any degree, derivatives), :mod:`.plugin` (the direct plug-in
  width), :mod:`.smoother` (the smoother matrix: degrees of freedom, leave-one-out
  shortcut, GCV, bands), :mod:`.bands` (local noise variance, simultaneous bands,
  undersmoothing), :mod:`.ridge` (kernel
  ridge regression), :mod:`.asymptotics` (kernel constants and the AMISE width),
  :mod:`.metric` (a learned shared projection), :mod:`.fast_transform` (the fast Gauss
  transform's interpolation, sums and bounds, shown), :mod:`.features` (random features,
  linear attention), :mod:`.causal` (causal linear attention by running sums) and
  :mod:`.attention_layer` (a learned multi-head layer; a torch module, so it is imported on
  first use: ``import nwlib`` stays free of torch);
- :mod:`._backends`: private fast paths for the Gaussian kernel behind one
  dispatch; they import only :mod:`.validation` and :mod:`.blocking`;
- :mod:`.course`: what exists for the book (data sets, figures, widgets, learner
  checks, simulations). The core never imports it, and ``nwlib.__all__`` holds the
  numerics only: a notebook calls ``nwlib.course.plot_fit`` or writes
  ``from nwlib.course import plot_fit``.

Glossary: every function names its arguments the same way.

``queries``, ``keys``, ``values``
    Shapes (m,) or (m, d), (n,) or (n, d), (n,) or (n, c). A query attends to
    the keys and pools their values. Density estimates call the keys ``samples``.
``bandwidth``
    The kernel width ``h > 0``: one number, or a (d,) vector of per-coordinate widths.
``bandwidths``
    Per-key widths, shape (n,) (:mod:`.adaptive`).
``candidates``
    Widths to search or compare, shape (w,) or (w, d).
``kernel``
    A name from ``KERNELS`` or a :class:`Kernel`.
``init``, ``lr``
    Starting width and learning rate of the learners.
``order``, ``target``
    Chebyshev points per box and coordinate, and the interpolation error per pair a
    grid is planned for (:mod:`.fast_transform`).
``ax``
    Every plot helper of :mod:`.course` is ``plot_x(..., *, ax=None)`` and returns the
    matplotlib Axes.

Array types: every public function and class says, in one paragraph of its
docstring starting ``Array types:``, which arrays it accepts (``numpy``, ``numpy or
torch``, or ``none`` when it takes no arrays) and, after a semicolon, what it returns.
"numpy" includes array-likes such as lists. "numpy or torch" functions run through
the array API (array-api-compat); where they return the input's float dtype,
float32 stays float32 only when every float input is float32, integers become
float64, and tensors come back as tensors on the same device.
``tests/lib/test_api_docs.py`` checks the paragraphs and the promised dtypes.
"""


from . import (
    adaptive,
    asymptotics,
    attention,
    bands,
    causal,
    classify,
    density,
    fast_transform,
    features,
    kernels,
    learning,
    local_regression,
    loo,
    metric,
    plan,
    plugin,
    polynomial_regression,
    pooling,
    relative,
    ridge,
    selection,
    smoother,
)

_CORE = (
    adaptive, asymptotics, attention, bands, causal, classify, density, fast_transform, features, kernels,
    learning, local_regression, loo, metric, plan, plugin, polynomial_regression, pooling,
    relative, ridge, selection, smoother,
)

from .adaptive import *  # noqa: E402, F403
from .asymptotics import *  # noqa: E402, F403
from .attention import *  # noqa: E402, F403
from .bands import *  # noqa: E402, F403
from .causal import *  # noqa: E402, F403
from .classify import *  # noqa: E402, F403
from .density import *  # noqa: E402, F403
from .fast_transform import *  # noqa: E402, F403
from .features import *  # noqa: E402, F403
from .kernels import *  # noqa: E402, F403
from .learning import *  # noqa: E402, F403
from .local_regression import *  # noqa: E402, F403
from .loo import *  # noqa: E402, F403
from .metric import *  # noqa: E402, F403
from .plan import *  # noqa: E402, F403
from .plugin import *  # noqa: E402, F403
from .polynomial_regression import *  # noqa: E402, F403
from .pooling import *  # noqa: E402, F403
from .relative import *  # noqa: E402, F403
from .ridge import *  # noqa: E402, F403
from .selection import *  # noqa: E402, F403
from .smoother import *  # noqa: E402, F403

# isort: split
# --- The course helpers: nwlib.course, not re-exported --------------------------------
# Data sets, plots, widgets, learner checks and simulations are reached as
# nwlib.course.plot_fit (or `from nwlib.course import plot_fit`); the exercises'
# `from nwlib.checks import check_...` reads nwlib/checks.py, which re-exports them.
from . import course  # noqa: E402, F401

# --- end of the course block -----------------------------------------------------------

# nwlib.attention_layer subclasses torch.nn.Module; its names load it on first access.
_LAZY = {"AttentionLayer": "attention_layer", "train_attention": "attention_layer"}


def __getattr__(name: str):
    if name in _LAZY or name == "attention_layer":
        import importlib

        module = importlib.import_module(f".{_LAZY.get(name, name)}", __name__)
        return module if name == "attention_layer" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [name for module in _CORE for name in module.__all__] + list(_LAZY)

__version__ = "0.1.0"

