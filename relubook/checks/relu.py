"""Checkers for Part I, "The rectifier" (chapters on ReLU and on how ReLUs bend).

Each checker prints what is right and what is wrong and returns a :class:`Feedback`; none prints
the solution.
"""

from __future__ import annotations

import numpy as np

from ._core import Feedback

__all__ = ["relu_derivative", "leaky_relu", "square_approximation"]


def _call(fn, z, fb: Feedback, what: str):
    try:
        out = np.asarray(fn(z), dtype=float)
    except Exception as exc:  # the student's code failed: report it, do not crash
        fb.expect(False, "", f"calling your {what} on a numpy array raised {type(exc).__name__}: {exc}")
        return None
    if out.shape != np.shape(z):
        fb.expect(False, "", f"your {what} returned shape {out.shape} for an input of shape {np.shape(z)}; "
                             "work elementwise on the array")
        return None
    return out


def relu_derivative(fn) -> Feedback:
    """Check a student's derivative of ReLU: ``fn(z)`` on a numpy array returns ``R'(z)`` elementwise.

    Away from 0 the derivative is unique; at 0 any element of the Clarke subdifferential is
    accepted, and the checker says which value was chosen and what torch's ``relu`` returns.
    """
    fb = Feedback("derivative of ReLU")
    if not callable(fn):
        fb.expect(False, "", f"pass a function of a numpy array, got {type(fn).__name__}")
        return fb.report()
    neg = -np.array([3.0, 1.0, 0.5, 1e-3, 1e-12])
    pos = -neg
    out = _call(fn, neg, fb, "derivative")
    if out is not None:
        bad = neg[np.abs(out) > 1e-12]
        fb.expect(bad.size == 0, "correct for z < 0",
                  f"wrong for z < 0 (e.g. at z = {bad[0]:g} if any): what is the slope of max(0, z) there?"
                  if bad.size else "")
    out = _call(fn, pos, fb, "derivative")
    if out is not None:
        bad = pos[np.abs(out - 1) > 1e-12]
        fb.expect(bad.size == 0, "correct for z > 0",
                  f"wrong for z > 0 (e.g. at z = {bad[0]:g}): what is the slope of max(0, z) there?"
                  if bad.size else "")
    out = _call(fn, np.zeros(3), fb, "derivative")
    if out is not None:
        g = out[0]
        fb.expect(np.all(out == g) and 0 <= g <= 1,
                  f"at z = 0 you return {g:g}, an element of the subdifferential (torch.relu's autograd returns 0)",
                  f"at z = 0 you return {out.tolist()}: a subgradient of ReLU at the kink must lie between the "
                  "one-sided slopes, and the same input must give the same value")
    return fb.report()


def leaky_relu(fn, alpha: float = 0.1) -> Feedback:
    """Check a student's leaky ReLU ``fn(z, alpha)`` (value, elementwise) on test points."""
    fb = Feedback(f"leaky ReLU with slope alpha = {alpha:g}")
    if not callable(fn):
        fb.expect(False, "", f"pass a function fn(z, alpha), got {type(fn).__name__}")
        return fb.report()
    z = np.array([-4.0, -1.0, -0.25, 0.0, 0.25, 1.0, 4.0])
    try:
        out = np.asarray(fn(z, alpha), dtype=float)
    except Exception as exc:
        fb.expect(False, "", f"fn(z, alpha) raised {type(exc).__name__}: {exc}")
        return fb.report()
    if out.shape != z.shape:
        fb.expect(False, "", f"fn returned shape {out.shape} for an input of shape {z.shape}; work elementwise")
        return fb.report()
    want = np.where(z > 0, z, alpha * z)
    neg, pos = z < 0, z > 0
    fb.expect(np.allclose(out[pos], want[pos]), "right on the positive side",
              "wrong for z > 0: the positive side is unchanged by the leak")
    fb.expect(np.allclose(out[neg], want[neg]), "right on the negative side",
              "wrong for z < 0: the negative side is a line through 0 with slope alpha")
    fb.expect(np.allclose(out[z == 0], 0.0), "right at z = 0", "at z = 0 the value must be 0")
    return fb.report()


def square_approximation(net, eps: float = 0.01, a: float = -1.0, b: float = 1.0,
                         max_units: int | None = None) -> Feedback:
    """Check that ``net`` (a :class:`~relubook.ShallowReLU`) approximates ``x^2`` on ``[a, b]`` within ``eps``.

    Reports the measured sup error (grid plus the net's kinks and midpoints) and the unit count;
    with ``max_units`` also checks the network is small enough.
    """
    from ..bending import sup_error_square
    from ..nets import ShallowReLU

    fb = Feedback(f"ShallowReLU approximating x^2 on [{a:g}, {b:g}] within {eps:g}")
    if not isinstance(net, ShallowReLU):
        fb.expect(False, "", f"pass a relubook.ShallowReLU, got {type(net).__name__}")
        return fb.report()
    if net.input_dim != 1 or not net.scalar_output:
        fb.expect(False, "", f"the network must map one input to one output; yours is {net!r}")
        return fb.report()
    err = sup_error_square(net, a, b)
    fb.expect(err <= eps, f"sup error {err:.3g} <= {eps:g}",
              f"sup error {err:.3g} > {eps:g}: look where |net(x) - x^2| is largest; more kinks, or better "
              "placed ones, shrink it")
    if max_units is not None:
        fb.expect(net.n_neurons <= max_units, f"{net.n_neurons} ReLUs <= {max_units}",
                  f"{net.n_neurons} ReLUs > {max_units}: the same error is reachable with fewer units")
    else:
        fb.expect(True, f"{net.n_neurons} ReLUs used", "")
    return fb.report()
