"""Checkers for Part VI, "Limits" (chapter on linear regions in the plane)."""

from __future__ import annotations

from ._core import Feedback

__all__ = ["check_max_regions"]


def check_max_regions(net, n: int = 3) -> Feedback:
    """Check a one-hidden-layer network with ``n`` units and two inputs whose lines cut ``[-1, 1]^2``
    into the most regions possible, Zaslavsky's ``1 + n + n(n - 1)/2``."""
    from ..regions import as_deep
    from ..regions2d import linear_regions_2d, zaslavsky_count
    from ..validate import check_int

    n = check_int(n, "n", minimum=1, maximum=20)
    fb = Feedback(f"{n} lines, most regions in the square")
    try:
        deep = as_deep(net)
    except (TypeError, ValueError) as exc:
        fb.expect(False, "", f"Give a DeepReLU, ShallowReLU or nn.Sequential of Linear/ReLU layers ({exc}).")
        return fb.report()
    if not fb.expect(deep.input_dim == 2, "two inputs", f"The network must take two inputs; yours takes {deep.input_dim}."):
        return fb.report()
    fb.expect(deep.depth == 1, "one hidden layer", f"Use one hidden layer; yours has {deep.depth}.")
    fb.expect(deep.n_neurons == n, f"{n} hidden units", f"Use exactly {n} hidden units; yours has {deep.n_neurons}.")
    if deep.depth != 1 or deep.n_neurons != n:
        return fb.report()
    got = len(linear_regions_2d(deep, (-1.0, 1.0), (-1.0, 1.0)))
    want = zaslavsky_count(n, 2)
    fb.expect(got == want, f"{got} regions: the maximum",
              f"Your lines make {got} regions in the square; {want} is possible. Every pair of lines must cross "
              "inside the square, and no three lines may pass through one point.")
    return fb.report()
