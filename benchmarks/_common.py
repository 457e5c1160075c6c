"""What every benchmark shares: threads pinned, the two ways alternated, targets checked.

Each benchmark compares a fast way with an honest baseline doing the same work, runs the two
alternately for at least three rounds (so that a busy machine slows both alike), reports the
minimum over the rounds (the least disturbed run) and the ratio, and ends with ``finish()``, which
exits 1 when a target was missed.  ``make bench`` runs them all.
"""

from __future__ import annotations

import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

MISSED: list[str] = []


def pin(threads: int = 1) -> None:
    """torch and BLAS on ``threads`` threads (relubook.pin_threads)."""
    import relubook as rb

    rb.pin_threads(threads)


def alternate(ways: dict, repeats: int = 3, clock=time.perf_counter) -> dict:
    """Run each callable of ``ways`` once per round, in alternating order; ``{name: [seconds...]}``."""
    if repeats < 3:
        raise ValueError(f"repeats must be at least 3, got {repeats}")
    names = list(ways)
    out = {n: [] for n in names}
    for r in range(repeats):
        for n in (names if r % 2 == 0 else names[::-1]):
            t = clock()
            ways[n]()
            out[n].append(clock() - t)
    return out


def check(label: str, ok: bool, detail: str) -> bool:
    """Print one target line; remember a miss for :func:`finish`."""
    print(f"  target {label}: {detail} -> {'met' if ok else 'MISSED'}")
    if not ok:
        MISSED.append(label)
    return ok


def finish() -> None:
    if MISSED:
        print(f"MISSED {len(MISSED)} target(s): {'; '.join(MISSED)}")
        sys.exit(1)
    print("all targets met")
