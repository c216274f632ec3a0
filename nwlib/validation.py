"""Input checking and the numpy / torch switch shared by every public function.

Every public entry point funnels its arguments through :func:`prepare`, so an
error message names the argument the caller wrote and says how to fix it, and
the numerical code below never sees ragged shapes, NaNs or a mix of numpy
arrays and torch tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import array_namespace, is_torch_array


@dataclass(frozen=True)
class Prepared:
    """Arrays checked and converted to one array library and one float dtype."""

    xp: Any
    queries: Any  # (m, d)
    keys: Any  # (n, d)
    values: Any  # (n, c) or None
    bandwidth: Any  # (d,)
    values_were_1d: bool
    is_torch: bool


def _as_points(x: Any, name: str, xp: Any, dtype: Any, device: Any) -> Any:
    """Return ``x`` as an (n, d) float array; 1-D input is n points on a line."""
    if x is None:
        raise TypeError(f"{name} is None; pass an array of points, shape (n,) or (n, d).")
    arr = _convert(x, name, xp, dtype, device)
    if arr.ndim == 1:
        arr = xp.reshape(arr, (-1, 1))
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} has {arr.ndim} dimensions (shape {tuple(arr.shape)}); pass shape (n,) "
            f"for points on a line or (n, d) for n points in d dimensions."
        )
    return arr


def _convert(x: Any, name: str, xp: Any, dtype: Any, device: Any) -> Any:
    """Convert to the chosen library and dtype; ``device`` is None for numpy.

    Complex, string, object and ragged input is refused here, whichever library it
    comes from, before a cast could drop an imaginary part or the library could
    answer with its own message.
    """
    if is_torch_array(x):
        if x.is_complex() or not (x.is_floating_point() or _integral(x)):
            raise TypeError(
                f"{name} has dtype {x.dtype}; pass real numbers (int or float tensors)."
            )
    else:
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} could not be read as a numeric array ({exc}); pass a rectangular "
                "array of real numbers, every row the same length."
            ) from None
        if x.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} has dtype {x.dtype}; pass real numbers (int or float arrays)."
            )
        if device is not None:
            import torch

            # torch takes no negative strides: a reversed view becomes a copy.
            x = torch.as_tensor(np.ascontiguousarray(x), device=device)
    arr = xp.astype(x, dtype) if x.dtype != dtype else x
    if not bool(xp.all(xp.isfinite(arr))):
        raise ValueError(
            f"{name} contains NaN or infinite entries; drop or impute them before fitting."
        )
    return arr


def _integral(t: Any) -> bool:
    import torch

    return t.dtype in (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def result_dtype(*arrays: Any, torch_out: bool = False) -> Any:
    """float32 when every float input is float32, else float64.

    Integers and Python scalars do not vote, so float32 data stay float32.
    """
    votes = []
    for a in arrays:
        if a is None or isinstance(a, (int, float)):
            continue
        if is_torch_array(a):
            if a.is_floating_point():
                votes.append(str(a.dtype) == "torch.float32")
        else:
            try:
                dt = np.asarray(a).dtype
            except (TypeError, ValueError):
                continue  # unreadable input: its own check names it
            if dt.kind == "f":
                votes.append(dt == np.float32)
    single = bool(votes) and all(votes)
    if torch_out:
        import torch

        return torch.float32 if single else torch.float64
    return np.dtype(np.float32 if single else np.float64)


def namespace(*arrays: Any) -> tuple[Any, Any]:
    """Pick the array library: torch if any argument is a tensor, else numpy."""
    tensors = [a for a in arrays if is_torch_array(a)]
    if tensors:
        devices = {t.device for t in tensors}
        if len(devices) > 1:
            raise ValueError(
                f"tensors live on different devices {sorted(map(str, devices))}; "
                "move them to one device with .to(device)."
            )
        return array_namespace(tensors[0]), tensors[0].device
    return array_namespace(np.empty(0)), None


def check_bandwidth(bandwidth: Any, d: int, xp: Any, dtype: Any, device: Any) -> Any:
    """Return the bandwidth as a length-d array of positive widths."""
    if isinstance(bandwidth, str):
        raise TypeError(
            f"bandwidth={bandwidth!r} is a string; pass a positive number, or compute one "
            "with silverman_bandwidth(keys) or scott_bandwidth(keys)."
        )
    try:
        h = _convert(bandwidth, "bandwidth", xp, dtype, device)
    except ValueError:
        _check_range(bandwidth, dtype)
        raise ValueError(
            f"bandwidth={bandwidth!r} is NaN or infinite; pass a finite positive width."
        ) from None
    if h.ndim == 0:
        h = xp.reshape(h, (1,)) * xp.ones((d,), dtype=dtype, device=device)
    elif h.ndim == 1 and h.shape[0] in (1, d):
        if h.shape[0] == 1:
            h = h * xp.ones((d,), dtype=dtype, device=device)
    else:
        raise ValueError(
            f"bandwidth has shape {tuple(h.shape)} but the points have d={d} coordinates; "
            f"pass one positive number or a vector of {d} per-coordinate widths."
        )
    if not bool(xp.all(h > 0)):
        _check_range(bandwidth, dtype)
        raise ValueError(
            f"bandwidth must be positive, got {_short(h)}; a width is a length scale, "
            "try e.g. silverman_bandwidth(keys)."
        )
    return h


def _check_range(bandwidth: Any, dtype: Any) -> None:
    """Raise if a positive finite width became 0 or inf in the data's (single) precision."""
    try:
        wide = np.asarray(bandwidth.detach().cpu() if is_torch_array(bandwidth) else bandwidth,
                          dtype=np.float64)
    except (TypeError, ValueError):
        return
    if np.all(np.isfinite(wide) & (wide > 0)):
        info = np.finfo(np.float32)
        raise ValueError(
            f"bandwidth={_short(wide)} is outside the range of {dtype} numbers, the precision "
            f"of the data (widths from {info.tiny:.1e} to {info.max:.1e}); pass a width in "
            "that range, or the data as float64."
        )


def _short(h: Any) -> str:
    vals = np.asarray(h.detach().cpu() if is_torch_array(h) else h).ravel()
    return str(vals[0]) if np.all(vals == vals[0]) else str(vals)


def prepare(
    queries: Any, keys: Any, values: Any = None, bandwidth: Any = 1.0
) -> Prepared:
    """Check every argument and convert them to one library and dtype.

    Raises
    ------
    ValueError, TypeError
        With a message naming the offending argument and how to fix it.
    """
    xp, device = namespace(queries, keys, values, bandwidth)
    # The data decide the precision: a float64 bandwidth must not upcast float32 data.
    dtype = result_dtype(queries, keys, values, torch_out=device is not None)
    k = _as_points(keys, "keys", xp, dtype, device)
    if k.shape[0] == 0:
        raise ValueError("keys is empty; Nadaraya-Watson needs at least one key to attend to.")
    q = _as_points(queries, "queries", xp, dtype, device)
    if q.shape[1] != k.shape[1]:
        raise ValueError(
            f"queries have d={q.shape[1]} coordinates but keys have d={k.shape[1]}; "
            "pass queries and keys of the same dimension (shape (m, d) and (n, d))."
        )
    v = None
    values_were_1d = False
    if values is not None:
        v = _convert(values, "values", xp, dtype, device)
        values_were_1d = v.ndim == 1
        if v.ndim == 1:
            v = xp.reshape(v, (-1, 1))
        elif v.ndim != 2:
            raise ValueError(
                f"values has {v.ndim} dimensions (shape {tuple(v.shape)}); pass shape (n,) "
                "for scalar values or (n, c) for vectors such as one-hot labels."
            )
        if v.shape[0] != k.shape[0]:
            raise ValueError(
                f"keys has {k.shape[0]} points but values has {v.shape[0]}; pass one value "
                "per key (the same length along the first axis)."
            )
    h = check_bandwidth(bandwidth, k.shape[1], xp, dtype, device)
    return Prepared(xp, q, k, v, h, values_were_1d, is_torch_array(k))


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming the argument."""
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}.")
    return value


def check_level(level: float) -> float:
    """Return a coverage ``level`` in (0, 1) as a float, else raise naming the argument."""
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: pass a coverage level between 0 and 1, e.g. 0.95.")
    return float(level)
