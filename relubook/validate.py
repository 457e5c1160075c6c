"""Argument checks shared by every public function of :mod:`relubook`.

Validation happens once, at the boundary: each helper either returns a clean
value or raises ``ValueError``/``TypeError`` whose message names the argument
and says what was expected.  Internals then trust validated data.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "as_points",
    "check_int",
    "check_real",
    "check_interval",
    "check_choice",
]


def _shape_text(shape) -> str:
    return "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"


def as_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
    dtype=np.float64,
) -> np.ndarray:
    """Convert ``value`` to a float array and check its dimension, shape and values.

    ``shape`` may contain ``None`` for "any size along this axis".
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            raise ValueError(f"{name} must have shape {_shape_text(shape)}, got {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        raise ValueError(f"{name} must be finite, found {arr[tuple(bad)] if arr.ndim else arr} at index {where}")
    return arr


def as_points(X: Any, name: str, dim: int | None) -> np.ndarray:
    """Return input points as an ``(n, dim)`` float array.

    A 1-D array is accepted as ``n`` points when ``dim == 1``; a scalar as one
    point.  ``dim=None`` accepts any number of columns.
    """
    arr = as_array(X, name, ndim=(0, 1, 2))
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        if dim not in (1, None):
            raise ValueError(
                f"{name} must have shape (n, {dim}); a 1-D array is accepted only for one input, got {arr.shape}"
            )
        arr = arr[:, None]
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} has {arr.shape[1]} columns but the network takes {dim} inputs")
    return arr


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer (not a bool) within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_real(
    value: Any,
    name: str,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    low: float | None = None,
    high: float | None = None,
    open_interval: bool = False,
) -> float:
    """Check that ``value`` is a finite real number, optionally positive or in a range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if hasattr(value, "ndim") and getattr(value, "ndim") == 0:
            value = float(value)
        else:
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if low is not None and (value < low or (open_interval and value == low)):
        raise ValueError(f"{name} must be {'>' if open_interval else '>='} {low}, got {value}")
    if high is not None and (value > high or (open_interval and value == high)):
        raise ValueError(f"{name} must be {'<' if open_interval else '<='} {high}, got {value}")
    return value


def check_interval(lo: Any, hi: Any, names: tuple[str, str] = ("lo", "hi")) -> tuple[float, float]:
    """Check a finite interval ``lo < hi``."""
    lo = check_real(lo, names[0])
    hi = check_real(hi, names[1])
    if not lo < hi:
        raise ValueError(f"{names[0]} must be smaller than {names[1]}, got {names[0]}={lo}, {names[1]}={hi}")
    return lo, hi


def check_choice(value: Any, name: str, choices) -> Any:
    """Check that ``value`` is one of ``choices``; the error lists them."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value
