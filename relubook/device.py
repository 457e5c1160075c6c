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

__all__ = ["device", "seed", "scale", "Squeeze"]


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


def seed(value: int = 0) -> np.random.Generator:
    """Seed Python, numpy and torch (CPU and CUDA) and return a numpy Generator.

    Chapters call this once at the top so that a rebuild prints the same numbers.
    """
    from .validate import check_int

    value = check_int(value, "value", minimum=0)
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)
    return np.random.default_rng(value)


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
