"""Argument checks shared by every public function of :mod:`relubook`.

Validation happens once, at the boundary: each helper either returns a clean
value or raises ``ValueError``/``TypeError`` whose message names the argument
and says what was expected.  Internals then trust validated data.

The contract, for every public function of the package:

* complex numbers, strings, ``None`` and arbitrary objects where a number or an
  array of numbers is expected raise ``TypeError`` naming the argument (nothing
  is silently made real or parsed from text);
* non-finite values, wrong shapes and out-of-range values raise ``ValueError``
  saying what was expected;
* numpy integer, float and bool scalars are accepted wherever Python ones are;
* size arguments have stated limits with the reason (:func:`check_size`), and a
  computation that would exceed the memory budget refuses up front with the
  size it would need (:func:`check_budget`);
* ``dtype`` and ``device`` arguments are checked (:func:`check_dtype`,
  :func:`check_device`): asking for CUDA where there is none says so.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "as_points",
    "check_int",
    "check_size",
    "check_real",
    "check_bool",
    "check_interval",
    "check_choice",
    "check_dtype",
    "check_device",
    "check_budget",
    "as_sequence",
    "finite_result",
    "MEMORY_BUDGET",
    "CHUNK_BYTES",
]

MEMORY_BUDGET = 1 << 30
"""Bytes one computation of the package may hold at once (1 GiB); larger ones refuse up front."""

CHUNK_BYTES = 64 << 20
"""Working set of one chunk when networks are evaluated chunk by chunk over points (64 MiB)."""


def _shape_text(shape) -> str:
    return "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"


def _kind_error(name: str, value: Any, what: str = "an array of real numbers") -> TypeError:
    return TypeError(f"{name} must be {what}, got {type(value).__name__}")


def _is_bad_scalar(v: Any) -> bool:
    """An element of an object array that is not a real number (string, complex, None, object)."""
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, numbers.Real):
        return False
    return True


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

    ``shape`` may contain ``None`` for "any size along this axis".  Complex numbers,
    strings, ``None`` and other objects raise ``TypeError`` naming ``name``; ragged
    nested lists raise ``ValueError``.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise _kind_error(name, value)
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu()
        if getattr(value, "is_complex", lambda: False)():
            raise _kind_error(name, value, "an array of real numbers (not complex)")
        value = value.numpy()
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be an array of real numbers of a regular shape ({exc})") from None
    kind = raw.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real, got complex values (dtype {raw.dtype})")
    if kind in "USVMm":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {raw.dtype} ({type(value).__name__})")
    if kind == "O":
        if raw.size > 1_000_000:
            raise ValueError(f"{name} is an object array of {raw.size} elements; pass a numeric array")
        for v in raw.flat:
            if _is_bad_scalar(v):
                what = "complex" if isinstance(v, numbers.Complex) else type(v).__name__
                raise TypeError(f"{name} must contain real numbers only, found {what}")
    try:
        arr = np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name} must be an array of real numbers ({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            raise ValueError(f"{name} must have shape {_shape_text(shape)}, got {arr.shape}")
    if finite and arr.size and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
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


def _integer(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value)
    raise TypeError(f"{name} must be an integer, got {type(value).__name__}")


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer (Python or numpy, not a bool) within the given bounds."""
    value = _integer(value, name)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_size(value: Any, name: str, *, maximum: int, reason: str, minimum: int = 1) -> int:
    """An integer size argument with a stated upper limit and the reason for it.

    ``check_size(d, "depth", maximum=64, reason="a sawtooth of depth d has 2^d pieces")`` raises
    ``ValueError("depth must be at most 64: a sawtooth of depth d has 2^d pieces, got 100")``.
    """
    value = _integer(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum}: {reason}, got {value}")
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
    """Check that ``value`` is a finite real number (Python or numpy), optionally positive or in a range."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if not isinstance(value, numbers.Real):
        if isinstance(value, numbers.Complex) or (isinstance(value, np.ndarray) and value.dtype.kind == "c"):
            raise TypeError(f"{name} must be a real number, got complex {value!r}")
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got an integer too large for a float") from None
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


def check_bool(value: Any, name: str) -> bool:
    """Check a flag: ``True``/``False`` or a numpy bool."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__}")


def check_interval(lo: Any, hi: Any, names: tuple[str, str] = ("lo", "hi")) -> tuple[float, float]:
    """Check a finite interval ``lo < hi``."""
    lo = check_real(lo, names[0])
    hi = check_real(hi, names[1])
    if not lo < hi:
        raise ValueError(f"{names[0]} must be smaller than {names[1]}, got {names[0]}={lo}, {names[1]}={hi}")
    if not np.isfinite(hi - lo):
        raise ValueError(f"{names[1]} - {names[0]} must be a finite number, got {names[0]}={lo}, {names[1]}={hi}")
    return lo, hi


def check_choice(value: Any, name: str, choices) -> Any:
    """Check that ``value`` is one of ``choices``; the error lists them."""
    choices = tuple(choices)
    try:
        ok = any(value is c or bool(value == c) for c in choices)
    except Exception:  # an object whose == is not a boolean (an array, say)
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        shown = repr(value) if isinstance(value, (str, bytes, numbers.Number)) or value is None else type(value).__name__
        raise ValueError(f"{name} must be one of {listed}; got {shown}")
    return value


def check_dtype(dtype: Any, name: str = "dtype", default=None):
    """A torch floating dtype: ``torch.float32``/``float64``, their numpy forms or the strings
    ``"float32"``/``"float64"``; ``None`` gives ``default`` (``torch.float64`` if not given)."""
    import torch

    allowed = {"float32": torch.float32, "float64": torch.float64}
    if dtype is None:
        return torch.float64 if default is None else default
    if isinstance(dtype, torch.dtype):
        key = str(dtype).replace("torch.", "")
    elif isinstance(dtype, str):
        key = dtype.replace("torch.", "").strip()
        key = {"float": "float32", "double": "float64"}.get(key, key)
    else:
        try:
            key = np.dtype(dtype).name
        except TypeError:
            raise TypeError(f"{name} must be torch.float32 or torch.float64, got {type(dtype).__name__}") from None
    if key not in allowed:
        raise ValueError(f"{name} must be torch.float32 or torch.float64, got {dtype!r}")
    return allowed[key]


def check_device(device: Any, name: str = "device"):
    """A ``torch.device`` that exists here: ``None`` gives :func:`relubook.device`; ``"cpu"`` and
    ``"cuda"`` (or ``"cuda:k"``) as strings or ``torch.device``; a CUDA request on a machine
    without CUDA raises ``ValueError`` saying so."""
    import torch

    if device is None:
        from .device import device as default_device

        return default_device()
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except (RuntimeError, ValueError):
            raise ValueError(f"{name} must be 'cpu' or 'cuda', got {device!r}") from None
    if not isinstance(device, torch.device):
        raise TypeError(f"{name} must be a torch.device or 'cpu'/'cuda', got {type(device).__name__}")
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        raise ValueError(f"{name} must be 'cpu' or 'cuda', got {str(device)!r}")
    if not torch.cuda.is_available():
        raise ValueError(f"{name}={str(device)!r} requested but torch sees no CUDA device on this machine")
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(f"{name}={str(device)!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    return device


def check_budget(n_bytes: float, what: str, budget: int | None = None) -> None:
    """Refuse up front a computation that would hold more than ``budget`` bytes (default
    :data:`MEMORY_BUDGET`), saying how much it would need."""
    budget = MEMORY_BUDGET if budget is None else budget
    if n_bytes > budget:
        raise ValueError(
            f"{what} would need about {n_bytes / 2**30:.3g} GiB, more than the package's "
            f"{budget / 2**30:.3g} GiB limit; use a smaller size"
        )


def as_sequence(value: Any, name: str, what: str = "items") -> list:
    """A list from a sequence argument (list, tuple, range, 1-D array, generator); anything else,
    a number or a string included, raises ``TypeError`` naming ``name``."""
    if isinstance(value, (str, bytes, dict)) or value is None or isinstance(value, numbers.Number):
        raise TypeError(f"{name} must be a sequence of {what}, got {type(value).__name__}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        raise TypeError(f"{name} must be a sequence of {what}, got a 0-d array")
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {what}, got {type(value).__name__}") from None


def finite_result(compute, what: str):
    """``compute()`` with numpy's overflow warnings off; a non-finite result raises ``ValueError(what)``
    (``what`` names the arguments that are too large, e.g. "X and b are too large: w . x + b overflows")."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = compute()
    if not np.all(np.isfinite(out)):
        raise ValueError(what)
    return out
