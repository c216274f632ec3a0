"""Blocks of rows sized by one memory knob, shared by every blocked loop of nwlib.

Scores of many queries against many keys do not fit in memory at once, so every
loop over queries (pooling, densities, leave-one-out, per-key widths) takes them
in blocks of rows whose temporary arrays stay under :func:`working_memory`
mebibytes, like scikit-learn's ``working_memory`` setting, and the fast paths of
:mod:`nwlib._backends` size their per-thread work buffers from the same knob
(:func:`tile_elements`). Change it for a block of code with
:func:`working_memory_limit`; the setting belongs to the thread (and the
``contextvars`` context) that makes it, as scikit-learn's ``config_context``: other
threads, and processes started meanwhile, keep their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

__all__ = ["row_blocks", "working_memory", "working_memory_limit", "tile_elements",
           "check_result_fits", "available_memory"]

#: Default budget of one block's temporaries, in MiB: 8 MiB of float64 scores stay
#: near the cache, and the per-block Python overhead is then negligible.
DEFAULT_WORKING_MEMORY = 8.0
#: A fast path's block holds up to two work buffers of one tile (scores, and a
#: second one for d > 1 or far-away rows) and smaller temporaries (its products,
#: its slice of the values): a tile is a quarter of the budget, in 8-byte entries
#: whatever the dtype (2**18 entries by default, 2 MiB of float64).
TILE_SHARE = 4
#: Bytes of the entries :func:`tile_elements` counts.
TILE_ITEMSIZE = 8

# A context variable, not a global: each thread starts from the default (a thread's
# context is its own), and a setting never leaks into another thread's blocks.
_limit: contextvars.ContextVar[float] = contextvars.ContextVar(
    "nwlib_working_memory", default=DEFAULT_WORKING_MEMORY)


def working_memory() -> float:
    """Return the current thread's budget of one block, in MiB.

    Returns
    -------
    float
        :data:`DEFAULT_WORKING_MEMORY` unless :func:`working_memory_limit` is active.

    Examples
    --------
    >>> working_memory()
    8.0
    """
    return _limit.get()


@contextlib.contextmanager
def working_memory_limit(mib: float) -> Iterator[None]:
    """Run a block of code with another working-memory budget, in this thread only.

    Parameters
    ----------
    mib : float
        The budget of one block's temporaries, in MiB, positive.

    Yields
    ------
    None
        The previous budget comes back when the block ends, also on an error.

    Examples
    --------
    >>> with working_memory_limit(0.001):
    ...     len(row_blocks(10, 100))  # 1 KiB holds one row of 100 float64 at a time
    10
    """
    if isinstance(mib, bool) or not (isinstance(mib, (int, float)) and 0 < mib < float("inf")):
        raise ValueError(f"mib={mib!r}: pass a positive, finite budget in MiB, e.g. 8.")
    token = _limit.set(float(mib))
    try:
        yield
    finally:
        _limit.reset(token)


def tile_elements() -> int:
    """Entries of one work buffer of the fast paths: a :data:`TILE_SHARE` th of the budget.

    Returns
    -------
    int
        At least 1; ``working_memory() MiB / (TILE_SHARE * TILE_ITEMSIZE)`` entries.

    Examples
    --------
    >>> tile_elements() == 2**18
    True
    >>> with working_memory_limit(1 / 32):
    ...     tile_elements()
    1024
    """
    return max(1, int(working_memory() * 2**20) // (TILE_SHARE * TILE_ITEMSIZE))


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


def available_memory() -> float | None:
    """Bytes of memory the system can still give this process, or None if unknown.

    Returns
    -------
    float or None
        ``MemAvailable`` from ``/proc/meminfo``, else the available physical pages.

    Examples
    --------
    >>> available_memory() is None or available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def check_result_fits(shape: tuple[int, ...], itemsize: int, what: str, instead: str) -> None:
    """Refuse at once a result that cannot fit in the memory available.

    Blocking bounds every temporary, but a result of ``shape`` must exist whole; if
    it is larger than :func:`available_memory`, computing it would run for minutes
    and then fail in the allocator.

    Parameters
    ----------
    shape : tuple of int
        The result's shape.
    itemsize : int
        Bytes per entry of the result.
    what : str
        The function's name, for the message.
    instead : str
        What to call instead, for the message.

    Raises
    ------
    MemoryError
        Saying how much the result would take and what to call instead.

    Examples
    --------
    >>> check_result_fits((10**6, 10**6), 8, "attention_weights", "Call nadaraya_watson.")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    MemoryError: attention_weights would return a 1000000 x 1000000 array: 7451 GiB, ...
    """
    need = float(itemsize)
    for size in shape:
        need *= size
    free = available_memory()
    if free is not None and need > free:
        dims = " x ".join(str(size) for size in shape)
        raise MemoryError(
            f"{what} would return a {dims} array: {need / 2**30:.0f} GiB, more than the "
            f"{free / 2**30:.1f} GiB of memory available. {instead}"
        )
