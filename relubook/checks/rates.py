"""Checkers for Part VI, "Limits" (the chapter on universality and rates).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

import numpy as np

from ._core import Reject, array, checker, parameter

__all__ = ["check_sqrt_knots"]

#: The most pieces the checker handles.
MAX_PIECES = 10_000


@checker("knots for the square root")
def check_sqrt_knots(fb, knots, n=10):
    """Check knots ``0 = t_0 < t_1 < ... < t_n = 1`` whose piecewise-linear interpolant of ``sqrt`` on
    ``[0, 1]`` has sup error at most ``1 / (2 n^2)`` (the uniform knots give ``1 / (4 sqrt n)``)."""
    from ..rates import sqrt_chord_error
    from ..validate import check_int

    n = parameter(check_int, n, "n", minimum=1, maximum=MAX_PIECES)
    t = array(knots, "your knots", max_size=MAX_PIECES + 1)
    if t.ndim != 1:
        raise Reject(f"give the knots as one list of numbers, got an array of shape {t.shape}")
    fb.expect(t.size == n + 1, f"{n + 1} knots, so {n} pieces",
              f"{n} pieces need {n + 1} knots (both ends included); you gave {t.size}")
    ends = t.size >= 2 and t[0] == 0 and t[-1] == 1
    fb.expect(ends, "the knots start at 0 and end at 1", "the first knot must be 0 and the last 1")
    increasing = t.size >= 2 and bool(np.all(np.diff(t) > 0))
    fb.expect(increasing, "the knots increase", "the knots must be strictly increasing (no repeats)")
    if t.size != n + 1 or not ends or not increasing:
        return
    err = float(sqrt_chord_error(t[:-1], t[1:]).max())
    target = 1.0 / (2.0 * n * n)
    fb.expect(err <= target * (1 + 1e-12), f"sup error {err:.3g}, within 1/(2n^2) = {target:.3g}",
              f"your interpolant's sup error is {err:.3g}, more than 1/(2n^2) = {target:.3g}: the pieces near 0, "
              "where sqrt bends most, must be much shorter than the others")
