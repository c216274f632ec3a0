"""The learner checks, under the short name the exercises import.

Every exercise notebook starts with ``from nwlib.checks import check_...``. The
checks are course helpers and live in :mod:`nwlib.course.checks` (one module per
exercise, gathered there); this module only re-exports them, so that name is an
ordinary module (``python -m``, ``importlib`` and tools that read the file find it)
rather than an entry planted in ``sys.modules``. Like ``nwlib/__init__.py`` it is a
namespace, the one other core-level file allowed to import :mod:`nwlib.course`.
"""

from __future__ import annotations

from .course import checks as gathered
from .course.checks import *  # noqa: F403

__all__ = list(gathered.__all__)
del gathered
