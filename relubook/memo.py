"""Results of the long studies kept on disk, for a second run of the same chapter (off by default).

A chapter's long studies (chapter 10's depth study, chapter 14's pretraining studies, chapter 9's
learning-rate study) train hundreds of networks.  With ``RELUBOOK_MEMO`` set to a folder, each
call of such a study first looks there for the result of an *identical* call and only trains when
there is none.  ``make test`` sets it for the build's execution and for nbval's run of the
student notebooks, so each study trains once per test run instead of twice; nothing else sets it,
and without it every call computes.

Identical means, all hashed into the file name:

* the function, and the source of every module of :mod:`relubook` (any edit is a new key);
* every argument, which must be plain data (``None``, numbers, strings, bytes, numpy arrays and
  scalars, torch dtypes and devices, and tuples, lists and dicts of these); a call with anything
  else (a network, a function, a generator) is simply computed;
* every random state the study could draw from: Python's ``random``, numpy's global and
  :mod:`relubook`'s own generator, torch's CPU generator (and CUDA's once initialised);
* torch's thread count and default dtype, the device (:func:`relubook.device`), and the
  versions of Python, numpy and torch.

The file holds the result and the random states the call left behind; a hit restores those
states, so the code after it draws the same numbers as after a real call.  The studies are
deterministic for a given key (fixed seeds, pinned threads), so a hit returns what computing would.
A file that cannot be read is ignored and written again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import random
import tempfile
from pathlib import Path

import numpy as np
import torch

from .device import base_seed, device, generator, scale

__all__ = ["memoised", "memo_dir"]

ENV = "RELUBOOK_MEMO"
_PLAIN = (type(None), bool, int, float, complex, str, bytes, np.generic, torch.dtype, torch.device)


def memo_dir() -> Path | None:
    """The folder named by ``RELUBOOK_MEMO``, or ``None`` (no memo) when it is unset or empty."""
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def _plain(value) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int, float, tuple)) and _plain(k) and _plain(v) for k, v in value.items())
    return False


@functools.lru_cache(maxsize=1)
def _package_source() -> bytes:
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.digest()


def _states() -> dict:
    gen = generator()
    states = {"random": random.getstate(), "numpy": np.random.get_state(), "relubook": gen.bit_generator.state,
              "torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _restore(states: dict) -> None:
    random.setstate(states["random"])
    np.random.set_state(states["numpy"])
    generator().bit_generator.state = states["relubook"]
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def _key(fn, args, kwargs) -> str | None:
    if not _plain(args) or not _plain(kwargs):
        return None
    states = _states()
    context = (fn.__module__, fn.__qualname__, platform.python_version(), np.__version__, torch.__version__,
               torch.get_num_threads(), str(torch.get_default_dtype()), str(device()), scale(),
               base_seed(), os.environ.get("RELUBOOK_MNIST"), os.environ.get("RELUBOOK_DIGITS"))
    h = hashlib.sha256(_package_source())
    try:
        for part in (context, args, sorted(kwargs.items()), states["random"], states["relubook"]):
            h.update(pickle.dumps(part, protocol=4))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    kind, keys, pos, has_gauss, gauss = states["numpy"]
    h.update(pickle.dumps((kind, pos, has_gauss, gauss), protocol=4))
    h.update(np.ascontiguousarray(keys).tobytes())
    h.update(states["torch"].numpy().tobytes())
    for s in states.get("cuda", ()):
        h.update(s.cpu().numpy().tobytes())
    return h.hexdigest()


def memoised(fn):
    """Decorator: ``fn``'s results kept in ``RELUBOOK_MEMO`` (see the module's documentation)."""
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        folder = memo_dir()
        key = _key(fn, args, kwargs) if folder is not None else None
        if key is None:
            return fn(*args, **kwargs)
        path = folder / f"{fn.__module__}.{fn.__qualname__}-{key[:32]}.pkl"
        try:
            with open(path, "rb") as f:
                result, states = pickle.load(f)
        except Exception:  # missing, unreadable or from another version: compute and write again
            pass
        else:
            _restore(states)
            return result
        result = fn(*args, **kwargs)
        tmp = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False, suffix=".tmp") as f:
                tmp = f.name
                pickle.dump((result, _states()), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # a memo that cannot be written is no memo; the result stands
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        return result

    return wrapper
