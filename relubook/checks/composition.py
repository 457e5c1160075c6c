"""Checkers for Part IV, "Depth" (chapter on composition and linear regions).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

import numpy as np

from ..validate import check_int
from ._core import Reject, call, checker, network, output, parameter

__all__ = ["check_tent", "check_shallow_separator"]

#: Networks with more hidden units than this are refused (too large to check within the time limit).
MAX_UNITS = 20_000


def _as_deep(net):
    return network(net, MAX_UNITS)


def _values(deep, x):
    return output(call(deep, x, what="your network"), x.shape, "your network")


@checker("tent map")
def check_tent(fb, net):
    """Check a ReLU network for the tent map ``g`` (``1 - |2x - 1|`` on ``[0, 1]``, zero outside), within 1e-9."""
    deep = _as_deep(net)
    if not fb.expect(deep.input_dim == 1 and deep.output_dim == 1, "one input, one output",
                     f"The tent takes one number and returns one; yours has {deep.input_dim} inputs "
                     f"and {deep.output_dim} outputs."):
        return
    x = np.linspace(0.0, 1.0, 2001)
    fb.expect(np.allclose(_values(deep, x), 1 - np.abs(2 * x - 1), rtol=0, atol=1e-9), "correct on [0, 1]",
              "On [0, 1] the network should rise from 0 to 1 at x = 1/2 and fall back to 0 at x = 1.")
    out = np.concatenate((np.linspace(-3, 0, 301), np.linspace(1, 4, 301)))
    fb.expect(np.allclose(_values(deep, out), 0.0, rtol=0, atol=1e-9), "zero outside [0, 1]",
              "Outside [0, 1] the tent is 0: check what your network does for x < 0 and x > 1.")
    fb.expect(deep.n_neurons <= 3, f"{deep.n_neurons} ReLUs: small enough",
              f"Your network uses {deep.n_neurons} ReLUs; the tent needs no more than three.")


@checker("shallow separator")
def check_shallow_separator(fb, net, k: int):
    """Check a one-hidden-layer network that labels Telgarsky's ``2^k`` alternating points without error.

    Passes when ``1[net(x_i) > 1/2] = i mod 2`` for every point and the network uses at most
    ``2^k - 1`` hidden units.  ``k`` is at most 12.
    """
    from ..composition import telgarsky_points

    k = parameter(check_int, k, "k", minimum=1, maximum=12)
    fb.title = f"shallow separator for 2^{k} points"
    deep = _as_deep(net)
    if not fb.expect(deep.input_dim == 1 and deep.output_dim == 1, "one input, one output",
                     "The classifier takes one number and returns one score."):
        return
    fb.expect(deep.depth == 1, "one hidden layer", f"Use a shallow network (one hidden layer); yours has {deep.depth}.")
    x, y = telgarsky_points(k)
    x = np.asarray(x, dtype=float)
    err = float(np.mean((_values(deep, x) > 0.5).astype(float) != np.asarray(y).reshape(-1)))
    fb.expect(err == 0, "every point labelled correctly",
              f"{err:.1%} of the points are misclassified by 1[f > 1/2]; the labels alternate 0, 1, 0, 1, ...")
    n = 2**k
    fb.expect(deep.n_neurons <= n - 1, f"{deep.n_neurons} hidden units: within the budget of n - 1 = {n - 1}",
              f"{deep.n_neurons} hidden units is more than the budget n - 1 = {n - 1}: count how many times the "
              "prediction must change and how many pieces each unit adds.")
