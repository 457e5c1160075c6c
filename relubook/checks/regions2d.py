"""Checkers for Part VI, "Limits" (the chapter on linear regions in the plane).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

from ._core import Reject, checker, parameter

__all__ = ["check_max_regions"]

#: The most hidden units the checker handles (the enumeration stays well inside the time limit).
MAX_UNITS = 20


@checker("most regions in the square")
def check_max_regions(fb, net, n=3):
    """Check a one-hidden-layer network with ``n`` units and two inputs whose lines cut ``[-1, 1]^2``
    into the most regions possible, Zaslavsky's ``1 + n + n(n - 1)/2``."""
    from ..regions import as_deep
    from ..regions2d import linear_regions_2d, zaslavsky_count
    from ..validate import check_int

    n = parameter(check_int, n, "n", minimum=1, maximum=MAX_UNITS)
    try:
        deep = as_deep(net)
    except (TypeError, ValueError) as exc:
        raise Reject(f"give a DeepReLU, ShallowReLU or nn.Sequential of Linear and ReLU layers ({exc})") from None
    if deep.input_dim != 2:
        raise Reject(f"the network must take two inputs; yours takes {deep.input_dim}")
    fb.expect(deep.depth == 1, "one hidden layer", f"use one hidden layer; yours has {deep.depth}")
    fb.expect(deep.n_neurons == n, f"{n} hidden units", f"use exactly {n} hidden units; yours has {deep.n_neurons}")
    if deep.depth != 1 or deep.n_neurons != n:
        return
    got = len(linear_regions_2d(deep, (-1.0, 1.0), (-1.0, 1.0)))
    want = zaslavsky_count(n, 2)
    fb.expect(got == want, f"{got} regions: the maximum",
              f"your lines make {got} regions in the square; {want} is possible. Every pair of lines must cross "
              "inside the square, and no three lines may pass through one point")
