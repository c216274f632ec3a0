"""Blocks of rows sized by one memory knob, shared by every blocked loop of nwlib.

Scores of many queries against many keys do not fit in memory at once, so every
loop over queries (pooling, densities, leave-one-out, per-key widths) takes them
in blocks of rows whose temporary arrays stay under :func:`working_memory`
mebibytes, like scikit-learn's ``working_memory`` setting. Change it for a block
of code with :func:`working_memory_limit`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["row_blocks", "working_memory", "working_memory_limit"]

#: Default budget of one block's temporaries, in MiB: 8 MiB of float64 scores stay
#: near the cache, and the per-block Python overhead is then negligible.
DEFAULT_WORKING_MEMORY = 8.0

_limit = [DEFAULT_WORKING_MEMORY]


def working_memory() -> float:
    """Return the current budget of one block, in MiB.

    Examples
    --------
    >>> working_memory()
    8.0
    """
    return _limit[0]


@contextlib.contextmanager
def working_memory_limit(mib: float) -> Iterator[None]:
    """Run a block of code with another working-memory budget (in MiB).

    Examples
    --------
    >>> with working_memory_limit(0.001):
    ...     len(row_blocks(10, 100))  # 1 KiB holds one row of 100 float64 at a time
    10
    """
    if not (isinstance(mib, (int, float)) and mib > 0):
        raise ValueError(f"mib={mib!r}: pass a positive budget in MiB, e.g. 8.")
    old = _limit[0]
    _limit[0] = float(mib)
    try:
        yield
    finally:
        _limit[0] = old


def row_blocks(rows: int, row_elements: int, *, elements: int | None = None,
               itemsize: int = 8) -> list[slice]:
    """Slices of ``range(rows)`` whose blocks hold at most the budget.

    Parameters
    ----------
    rows : int
        Number of rows to cover (queries, say).
    row_elements : int
        Temporary elements one row needs (keys times coordinates, say).
    elements : int, optional
        An explicit budget in elements (a backend's cache tile); by default
        :func:`working_memory` MiB of ``itemsize``-byte elements.
    itemsize : int
        Bytes per element for the default budget.

    Returns
    -------
    list of slice
        Consecutive, non-overlapping, covering every row; at least one row each.

    Examples
    --------
    >>> row_blocks(5, 1, elements=2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    budget = elements if elements is not None else int(working_memory() * 2**20) // itemsize
    step = max(1, budget // max(1, row_elements))
    return [slice(start, min(start + step, rows)) for start in range(0, rows, step)]
