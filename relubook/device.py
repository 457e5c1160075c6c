"""One code path for CPU and GPU: pick the device, fix the seeds.

Every function in :mod:`relubook` that creates tensors uses :func:`device` as its
default, so the same chapter runs on CUDA where it is present and on the CPU
otherwise.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["device", "seed", "base_seed", "shifted", "generator", "scale", "pin_threads", "Squeeze"]


def device() -> torch.device:
    """``cuda`` when a GPU is visible (and ``RELUBOOK_DEVICE`` does not say otherwise), else ``cpu``.

    Set ``RELUBOOK_DEVICE=cpu`` to force the CPU on a GPU machine.
    """
    wanted = os.environ.get("RELUBOOK_DEVICE", "").strip().lower()
    if wanted:
        if wanted not in ("cpu", "cuda"):
            raise ValueError(f"RELUBOOK_DEVICE must be 'cpu' or 'cuda', got {wanted!r}")
        if wanted == "cuda" and not torch.cuda.is_available():
            raise ValueError("RELUBOOK_DEVICE=cuda but torch sees no CUDA device")
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


SEED_LIMIT = 2**32 - 1
"""Largest seed numpy, torch and Python all accept (``RELUBOOK_SEED`` plus the shift included)."""

_GENERATOR: np.random.Generator | None = None


def base_seed() -> int:
    """The book-wide base seed: ``RELUBOOK_SEED`` (default 0).

    Every random draw of the book is shifted by it, so ``RELUBOOK_SEED=3 make book`` rebuilds the
    whole book on other draws (``make test-seeds`` does this for seeds 1 to 4).
    """
    raw = os.environ.get("RELUBOOK_SEED", "").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"RELUBOOK_SEED must be a non-negative integer, got {raw!r}") from None
    if not 0 <= value <= SEED_LIMIT // 2:
        raise ValueError(f"RELUBOOK_SEED must be between 0 and {SEED_LIMIT // 2}, got {value}")
    return value


def shifted(value, name: str = "seed") -> int:
    """``value`` shifted by the book-wide base seed: what every ``seed=`` argument goes through."""
    from .validate import check_int

    value = check_int(value, name, minimum=0, maximum=SEED_LIMIT // 2)
    return value + base_seed()


def seed(value: int = 0) -> np.random.Generator:
    """Seed Python, numpy and torch (CPU and CUDA) and return a numpy Generator.

    It also pins the CPU threads (:func:`pin_threads`).  The seed used is ``value`` plus the base
    seed :func:`base_seed`.  Chapters call this once at
    the top so that a rebuild prints the same numbers.  The generator returned is also the one
    that every random function of :mod:`relubook` uses when its ``rng`` argument is ``None``
    (see :func:`generator`).
    """
    global _GENERATOR
    value = shifted(value, "value")
    pin_threads()
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)
    _GENERATOR = np.random.default_rng(value)
    return _GENERATOR


_PINNED: int | None = None


def pin_threads(n: int | None = None) -> int:
    """Pin torch's and the BLAS libraries' CPU threads to ``n`` and return ``n``.

    ``n=None`` means ``RELUBOOK_THREADS`` (default 1): one thread by default, because a sum split
    over another number of threads rounds differently, and because ``make book`` runs two chapters
    at a time on two cores (``tools/execute_chapters.py`` sets ``RELUBOOK_THREADS`` per worker).
    Set ``RELUBOOK_THREADS`` to use more cores.  :func:`seed` calls this, so every chapter is pinned.
    """
    global _PINNED
    from .validate import check_size

    if n is None:
        raw = os.environ.get("RELUBOOK_THREADS", "").strip() or "1"
        try:
            n = int(raw)
        except ValueError:
            raise ValueError(f"RELUBOOK_THREADS must be a positive integer, got {raw!r}") from None
        if n < 1:
            raise ValueError(f"RELUBOOK_THREADS must be a positive integer, got {raw!r}")
    n = check_size(n, "n", maximum=4096, reason="no machine has more cores than that")
    if n != _PINNED or torch.get_num_threads() != n:
        torch.set_num_threads(n)
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            pass
        else:
            threadpool_limits(n)
        _PINNED = n
    return n


def generator(rng=None) -> np.random.Generator:
    """Resolve an ``rng`` argument: a Generator is used as it is, an integer is a seed (shifted by
    the base seed), and ``None`` means the generator that :func:`seed` last set (created from the
    base seed if :func:`seed` was never called)."""
    global _GENERATOR
    if rng is None:
        if _GENERATOR is None:
            _GENERATOR = np.random.default_rng(base_seed())
        return _GENERATOR
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(shifted(rng, "rng"))


def scale() -> str:
    """The experiment scale: ``"book"`` (default, sized for 2 CPU cores) or ``"paper"``.

    Set ``RELUBOOK_SCALE=paper`` to run the sources' full settings (meant for a GPU).
    """
    value = os.environ.get("RELUBOOK_SCALE", "book").strip().lower() or "book"
    if value not in ("book", "paper"):
        raise ValueError(f"RELUBOOK_SCALE must be 'book' or 'paper', got {value!r}")
    return value


class Squeeze(torch.nn.Module):
    """Drop the trailing output axis of size 1, so scalar networks return shape ``(n,)``."""

    def forward(self, x):
        return x.squeeze(-1)
