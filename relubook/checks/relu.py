"""Checkers for Part I, "The rectifier" (chapters on ReLU and on how ReLUs bend).

Each checker follows the contract of :mod:`relubook.checks._core`: it prints what is right and
what is wrong (never the solution), returns a :class:`~relubook.checks.Feedback`, and runs the
student's code under a time limit.
"""

from __future__ import annotations

import numpy as np

from ..validate import check_int, check_interval, check_real
from ._core import Reject, call, checker, output, parameter

__all__ = ["relu_derivative", "leaky_relu", "square_approximation"]


def _function(fn, what):
    if not callable(fn):
        raise Reject(f"pass a function ({what}), got {type(fn).__name__}")


@checker("derivative of ReLU")
def relu_derivative(fb, fn):
    """Check a student's derivative of ReLU: ``fn(z)`` on a numpy array returns ``R'(z)`` elementwise.

    Away from 0 the derivative is unique (values within 1e-12 pass); at 0 any element of the Clarke
    subdifferential ``[0, 1]`` is accepted, and the checker says which value was chosen and what
    torch's ``relu`` returns.  A NaN or infinite value anywhere fails.
    """
    _function(fn, "fn(z) of a numpy array")
    neg = -np.array([3.0, 1.0, 0.5, 1e-3, 1e-12])
    pos = -neg
    out = output(call(fn, neg.copy(), what="your derivative"), neg.shape, "your derivative")
    bad = neg[np.abs(out) > 1e-12]
    fb.expect(bad.size == 0, "correct for z < 0",
              f"wrong for z < 0 (e.g. at z = {bad[0]:g}): what is the slope of max(0, z) there?" if bad.size else "")
    out = output(call(fn, pos.copy(), what="your derivative"), pos.shape, "your derivative")
    bad = pos[np.abs(out - 1) > 1e-12]
    fb.expect(bad.size == 0, "correct for z > 0",
              f"wrong for z > 0 (e.g. at z = {bad[0]:g}): what is the slope of max(0, z) there?" if bad.size else "")
    out = output(call(fn, np.zeros(3), what="your derivative"), (3,), "your derivative")
    g = out[0]
    fb.expect(bool(np.all(out == g)) and 0 <= g <= 1,
              f"at z = 0 you return {g:g}, an element of the subdifferential (torch.relu's autograd returns 0)",
              f"at z = 0 you return {out.tolist()}: a subgradient of ReLU at the kink must lie between the "
              "one-sided slopes, and the same input must give the same value")


@checker("leaky ReLU")
def leaky_relu(fb, fn, alpha: float = 0.1):
    """Check a student's leaky ReLU ``fn(z, alpha)`` (value, elementwise) on test points.

    Values within 1e-6 (relative; single precision is enough) of the exact ones pass; NaN, infinite or
    mis-shaped output fails.
    """
    alpha = parameter(check_real, alpha, "alpha", nonnegative=True)
    fb.title = f"leaky ReLU with slope alpha = {alpha:g}"
    _function(fn, "fn(z, alpha)")
    z = np.array([-4.0, -1.0, -0.25, 0.0, 0.25, 1.0, 4.0])
    out = output(call(fn, z.copy(), alpha, what="fn(z, alpha)"), z.shape, "fn(z, alpha)")
    want = np.where(z > 0, z, alpha * z)
    neg, pos = z < 0, z > 0
    fb.expect(np.allclose(out[pos], want[pos], rtol=1e-6, atol=1e-9), "right on the positive side",
              "wrong for z > 0: the positive side is unchanged by the leak")
    fb.expect(np.allclose(out[neg], want[neg], rtol=1e-6, atol=1e-9), "right on the negative side",
              "wrong for z < 0: the negative side is a line through 0 with slope alpha")
    fb.expect(np.allclose(out[z == 0], 0.0, atol=1e-9), "right at z = 0", "at z = 0 the value must be 0")


@checker("ShallowReLU approximating x^2")
def square_approximation(fb, net, eps: float = 0.01, a: float = -1.0, b: float = 1.0,
                         max_units: int | None = None):
    """Check that ``net`` (a :class:`~relubook.ShallowReLU`) approximates ``x^2`` on ``[a, b]`` within ``eps``.

    Reports the measured sup error (grid plus the net's kinks and midpoints) and the unit count;
    with ``max_units`` also checks the network is small enough.  Networks of more than 100000
    units are refused (too large to check within the time limit).
    """
    from ..bending import sup_error_square
    from ..nets import ShallowReLU

    eps = parameter(check_real, eps, "eps", positive=True)
    a, b = parameter(check_interval, a, b, ("a", "b"))
    if max_units is not None:
        max_units = parameter(check_int, max_units, "max_units", minimum=1)
    fb.title = f"ShallowReLU approximating x^2 on [{a:g}, {b:g}] within {eps:g}"
    if not isinstance(net, ShallowReLU):
        raise Reject(f"pass a relubook.ShallowReLU, got {type(net).__name__}")
    if net.input_dim != 1 or not net.scalar_output:
        raise Reject("the network must map one input to one output")
    if net.n_neurons > 100_000:
        raise Reject(f"{net.n_neurons} units is more than this checker handles within its time limit (100000)")
    err = sup_error_square(net, a, b)
    if not np.isfinite(err):
        raise Reject("the network returns NaN or infinite values on the interval: check its weights")
    fb.expect(err <= eps, f"sup error {err:.3g} <= {eps:g}",
              f"sup error {err:.3g} > {eps:g}: look where |net(x) - x^2| is largest; more kinks, or better "
              "placed ones, shrink it")
    if max_units is not None:
        fb.expect(net.n_neurons <= max_units, f"{net.n_neurons} ReLUs <= {max_units}",
                  f"{net.n_neurons} ReLUs > {max_units}: the same error is reachable with fewer units")
    else:
        fb.expect(True, f"{net.n_neurons} ReLUs used", "")
