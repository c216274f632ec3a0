"""nwlib: Nadaraya-Watson kernel regression seen as attention pooling.

The package has three layers:

- the core numerics, one module per idea: :mod:`.validation` (checking inputs),
  :mod:`.blocking` (blocks of rows within one memory budget), :mod:`.kernels`,
  :mod:`.pooling` (attention weights and Nadaraya-Watson), :mod:`.density`
  (Parzen estimates), :mod:`.loo` (the leave-one-out objective), :mod:`.selection`
  (choosing the width), :mod:`.learning` (learning it by gradient descent),
  :mod:`.adaptive` (per-key widths), :mod:`.classify`, :mod:`.softmax` (softmax,
  logsumexp, SDPA) and :mod:`.relative` (relative representations);
- :mod:`._backends`: private fast paths for the Gaussian kernel behind one
  dispatch; they import only :mod:`.validation` and :mod:`.blocking`;
- :mod:`.course`: what exists for the book (data sets, figures, widgets, learner
  checks, simulations). The core never imports it.

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
``ax``
    Every plot helper is ``plot_x(..., *, ax=None)`` and returns the matplotlib Axes.

Every public function accepts numpy arrays (and array-likes); those that say so
also accept torch tensors and then return tensors on the same device. Results are
float32 only when every float input is float32, else float64.
"""

import sys as _sys

from . import adaptive, classify, density, kernels, learning, loo, pooling, relative, selection, softmax

# Captured before the star imports: the function softmax shadows the module softmax.
_CORE = (adaptive, classify, density, kernels, learning, loo, pooling, relative, selection, softmax)

from .adaptive import *  # noqa: E402, F403
from .classify import *  # noqa: E402, F403
from .density import *  # noqa: E402, F403
from .kernels import *  # noqa: E402, F403
from .learning import *  # noqa: E402, F403
from .loo import *  # noqa: E402, F403
from .pooling import *  # noqa: E402, F403
from .relative import *  # noqa: E402, F403
from .selection import *  # noqa: E402, F403
from .softmax import *  # noqa: E402, F403

# isort: split
# --- Course helpers, re-exported for the notebooks -------------------------------------
# Data sets, plots, widgets, learner checks and simulations live in nwlib.course; their
# names are re-exported here so a chapter can call nwlib.plot_fit or nwlib.checks, and
# the exercises' `from nwlib.checks import check_...` keeps working.
from . import course  # noqa: E402
from .course import *  # noqa: E402, F403

_sys.modules[__name__ + ".checks"] = course.checks
# --- end of the course re-exports ------------------------------------------------------

__all__ = [name for module in _CORE for name in module.__all__] + course.__all__

__version__ = "0.1.0"
