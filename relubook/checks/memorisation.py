"""Checkers for Part VI, "Limits" (the chapter on memorisation and depth).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

import numpy as np

from ._core import Reject, call, checker, network, output, parameter

__all__ = ["check_max_network"]

#: Networks with more hidden units than this are refused (too large to check within the time limit).
MAX_UNITS = 5_000
#: The largest number of inputs the checker takes.
MAX_INPUTS = 64


def _as_deep(net):
    return network(net, MAX_UNITS)


@checker("maximum network")
def check_max_network(fb, net, d: int = 4, hidden_layers: int | None = None):
    """Check a ReLU network that computes ``max(x_1, ..., x_d)`` on all of ``R^d`` with at most
    ``hidden_layers`` hidden layers (default ``ceil(log2 d)``).

    The network is evaluated at integer points with entries up to ``10^6`` in absolute value, at the
    corners of a small grid (ties included) and at random real points; it must agree with the maximum
    to ``1e-9`` times ``1 + |max|``.  ``d`` is at most 64.
    """
    from ..memorisation import max_hidden_layers
    from ..validate import check_int

    d = parameter(check_int, d, "d", minimum=1, maximum=MAX_INPUTS)
    budget = max_hidden_layers(d) if hidden_layers is None else parameter(
        check_int, hidden_layers, "hidden_layers", minimum=0, maximum=64)
    fb.title = f"maximum of {d} numbers"
    deep = _as_deep(net)
    if not fb.expect(deep.input_dim == d and deep.output_dim == 1, f"{d} inputs, one output",
                     f"The network must take {d} numbers and return one; yours has {deep.input_dim} inputs "
                     f"and {deep.output_dim} outputs."):
        return
    rng = np.random.default_rng(0)
    grid = np.array(np.meshgrid(*[[-1.0, 0.0, 2.0]] * min(d, 6), indexing="ij")).reshape(min(d, 6), -1).T
    if d > 6:
        grid = np.hstack((grid, rng.integers(-2, 3, size=(grid.shape[0], d - 6)).astype(float)))
    X = np.vstack((grid, rng.integers(-10**6, 10**6, size=(200, d)).astype(float), rng.normal(size=(200, d)) * 10))
    got = output(call(deep, X, what="your network"), (X.shape[0],), "your network")
    want = X.max(axis=1)
    bad = np.abs(got - want) > 1e-9 * (1 + np.abs(want))
    if bad.any():
        x = X[np.flatnonzero(bad)[0]]
        shown = ", ".join(f"{v:g}" for v in x[:8]) + (", ..." if d > 8 else "")
        fb.fail(f"the network is wrong at {int(bad.sum())} of {len(X)} test points, for example at ({shown}): "
                "it should return the largest entry")
    else:
        fb.expect(True, f"the maximum at all {len(X)} test points, ties included", "")
    fb.expect(deep.depth <= budget, f"{deep.depth} hidden layer{'s' if deep.depth != 1 else ''}: within the budget of {budget}",
              f"your network has {deep.depth} hidden layers; the exercise allows {budget}: "
              "compare the numbers in pairs, all pairs in the same layer")
