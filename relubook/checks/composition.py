"""Checkers for Part IV, "Depth" (chapter on composition and linear regions)."""

from __future__ import annotations

import numpy as np

from ._core import Feedback

__all__ = ["check_tent", "check_shallow_separator"]


def _as_deep(net, fb):
    from ..regions import as_deep

    try:
        return as_deep(net)
    except (TypeError, ValueError) as exc:
        fb.expect(False, "", f"Give a DeepReLU, ShallowReLU or nn.Sequential of Linear/ReLU layers ({exc}).")
        return None


def check_tent(net) -> Feedback:
    """Check a student's ReLU network for the tent map ``g`` (``1 - |2x - 1|`` on ``[0, 1]``, zero outside)."""
    fb = Feedback("tent map")
    deep = _as_deep(net, fb)
    if deep is None:
        return fb.report()
    if not fb.expect(deep.input_dim == 1 and deep.output_dim == 1, "one input, one output",
                     f"The tent takes one number and returns one; yours has {deep.input_dim} inputs "
                     f"and {deep.output_dim} outputs."):
        return fb.report()
    x = np.linspace(0.0, 1.0, 2001)
    inside = np.asarray(deep(x), dtype=float).reshape(-1)
    fb.expect(np.allclose(inside, 1 - np.abs(2 * x - 1), atol=1e-9), "correct on [0, 1]",
              "On [0, 1] the network should rise from 0 to 1 at x = 1/2 and fall back to 0 at x = 1.")
    out = np.concatenate((np.linspace(-3, 0, 301), np.linspace(1, 4, 301)))
    fb.expect(np.allclose(np.asarray(deep(out), dtype=float).reshape(-1), 0.0, atol=1e-9), "zero outside [0, 1]",
              "Outside [0, 1] the tent is 0: check what your network does for x < 0 and x > 1.")
    fb.expect(deep.n_neurons <= 3, f"{deep.n_neurons} ReLUs: small enough",
              f"Your network uses {deep.n_neurons} ReLUs; the tent needs no more than three.")
    return fb.report()


def check_shallow_separator(net, k: int) -> Feedback:
    """Check a one-hidden-layer network that labels Telgarsky's ``2^k`` alternating points without error.

    Passes when ``1[net(x_i) > 1/2] = i mod 2`` for every point and the network
    uses at most ``2^k - 1`` hidden units.
    """
    from ..composition import classification_error
    from ..validate import check_int

    fb = Feedback(f"shallow separator for 2^{k} points")
    k = check_int(k, "k", minimum=1, maximum=12)
    deep = _as_deep(net, fb)
    if deep is None:
        return fb.report()
    if not fb.expect(deep.input_dim == 1 and deep.output_dim == 1, "one input, one output",
                     "The classifier takes one number and returns one score."):
        return fb.report()
    fb.expect(deep.depth == 1, "one hidden layer", f"Use a shallow network (one hidden layer); yours has {deep.depth}.")
    err = classification_error(deep, k)
    fb.expect(err == 0, "every point labelled correctly",
              f"{err:.1%} of the points are misclassified by 1[f > 1/2]; the labels alternate 0, 1, 0, 1, ...")
    n = 2**k
    fb.expect(deep.n_neurons <= n - 1, f"{deep.n_neurons} hidden units: within the budget of n - 1 = {n - 1}",
              f"{deep.n_neurons} hidden units is more than the budget n - 1 = {n - 1}: count how many times the "
              "prediction must change and how many pieces each unit adds.")
    return fb.report()
