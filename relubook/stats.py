"""Spread over seeds: a mean with its bootstrap interval, and "in k of n seeds".

Experimental claims of the book are computed over several seeds (``RELUBOOK_SEED`` shifts them
all).  :func:`mean_interval` gives the mean of per-seed values with a percentile bootstrap
interval from :func:`scipy.stats.bootstrap`; :func:`k_of_n` counts the seeds in which a claim
holds.  Both are what the chapters print and what their hidden checks test.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .device import generator, shifted
from .validate import as_array, check_int, check_real, check_size

__all__ = ["Spread", "mean_interval", "k_of_n", "describe"]


class Spread(NamedTuple):
    """Mean of ``n`` per-seed values with a bootstrap interval ``[low, high]``."""

    mean: float
    low: float
    high: float
    n: int

    def text(self, fmt: str = ".3g", unit: str = "") -> str:
        """``"12.3% (95% interval 10.1% to 14.2%, 5 seeds)"``."""
        if self.n == 1:
            return f"{self.mean:{fmt}}{unit} (1 seed)"
        return f"{self.mean:{fmt}}{unit} (95% interval {self.low:{fmt}}{unit} to {self.high:{fmt}}{unit}, {self.n} seeds)"


def mean_interval(values, confidence: float = 0.95, n_resamples: int = 2000, seed: int | None = 0) -> Spread:
    """Mean of ``values`` (one per seed, 1-D) with a percentile bootstrap interval.

    Uses :func:`scipy.stats.bootstrap` (``confidence`` level, ``n_resamples`` resamples, random
    state ``seed`` shifted by the base seed; ``None``: the generator that :func:`relubook.seed`
    set).  With fewer than two distinct values the interval
    is the single value itself (the bootstrap has nothing to resample).
    """
    values = as_array(values, "values")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array (one value per seed), got shape {values.shape}")
    confidence = check_real(confidence, "confidence", low=0.0, high=1.0, open_interval=True)
    if seed is not None and not isinstance(seed, np.random.Generator):
        seed = np.random.default_rng(shifted(seed, "seed"))  # checked here, so that errors name seed
    n_resamples = check_size(n_resamples, "n_resamples", minimum=10, maximum=100_000,
                             reason="the bootstrap holds n_resamples resamples of the values")
    mean = float(values.mean())
    if values.size < 2 or np.ptp(values) == 0:
        return Spread(mean, mean, mean, int(values.size))
    from scipy import stats

    res = stats.bootstrap((values,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                          method="percentile", random_state=generator(seed))
    ci = res.confidence_interval
    return Spread(mean, float(ci.low), float(ci.high), int(values.size))


def k_of_n(flags) -> tuple[int, int]:
    """``(k, n)``: in how many of the ``n`` seeds the boolean ``flags`` hold."""
    try:
        flags = np.asarray(flags)
    except (TypeError, ValueError):
        raise ValueError("flags must be a non-empty 1-D boolean array (one entry per seed)") from None
    if flags.ndim != 1 or flags.size == 0 or flags.dtype != bool:
        raise ValueError("flags must be a non-empty 1-D boolean array (one entry per seed)")
    return int(flags.sum()), int(flags.size)


def describe(flags, claim: str = "") -> str:
    """``"in 4 of 5 seeds"`` (with ``claim`` in front when given)."""
    k, n = k_of_n(flags)
    text = f"in all {n} seeds" if k == n and n > 2 else f"in {k} of {n} seeds"
    return f"{claim} {text}".strip()
