"""Checkers for the chapter "One neuron, one layer".

* :func:`region_piece`: the activation pattern and the affine function of the
  example network at a point of the plane;
* :func:`init_variance`: the weight variance of an initialisation scheme and the
  factor by which one ReLU layer multiplies the second moment.

Each prints what is right and what is wrong and returns a :class:`Feedback`;
none prints the solution.
"""

from __future__ import annotations

import numpy as np

from ._core import Feedback

__all__ = ["region_piece", "init_variance"]


def _vector(value, size, fb: Feedback, what: str):
    try:
        arr = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        fb.expect(False, "", f"{what} must be numbers, got {value!r}")
        return None
    if arr.size != size or not np.all(np.isfinite(arr)):
        fb.expect(False, "", f"{what} must be {size} finite number(s), got {value!r}")
        return None
    return arr


def region_piece(point, pattern, slope, intercept, net=None) -> Feedback:
    """Check the pattern (e.g. ``"101"`` or ``[1, 0, 1]``) and the affine function ``slope . x + intercept``
    that the chapter's example network computes around ``point``."""
    from ..neuron import activation_patterns, affine_piece, example_network

    fb = Feedback("activation pattern and affine piece")
    net = example_network() if net is None else net
    x = _vector(point, net.input_dim, fb, "point")
    if x is None:
        return fb.report()
    true_pattern = activation_patterns(net, x[None, :])[0]
    z = net.hidden(x[None, :])[0]
    if np.min(np.abs(z)) < 1e-9:
        fb.expect(False, "", "this point lies on a boundary line (a pre-activation is 0); pick a point inside a region")
        return fb.report()
    if isinstance(pattern, str):
        pattern = [c for c in pattern.strip() if c in "01"] if set(pattern.strip()) <= set("01") else None
    p = None if pattern is None else _vector(pattern, net.n_neurons, fb, "pattern")
    if pattern is None:
        fb.expect(False, "", "write the pattern with 0 and 1 only, one digit per neuron, e.g. '010'")
    if p is not None:
        wrong = [i + 1 for i in range(net.n_neurons) if p[i] != true_pattern[i]]
        fb.expect(not wrong, "pattern: every neuron's state is right",
                  f"pattern: the state of neuron(s) {wrong} is wrong; evaluate the sign of z_i = w_i . x + b_i")
    A, c = affine_piece(net, true_pattern)
    s = _vector(slope, net.input_dim, fb, "slope")
    if s is not None:
        fb.expect(np.allclose(s, A, atol=1e-9), "slope: right",
                  "slope: wrong; add up w_i times the output weight of each ACTIVE neuron only")
    try:
        ok = np.isfinite(float(intercept))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        fb.expect(False, "", f"intercept must be a finite number, got {intercept!r}")
    else:
        fb.expect(abs(float(intercept) - c) < 1e-9, "intercept: right",
                  "intercept: wrong; add up b_i times the output weight of each active neuron, plus the output bias")
    return fb.report()


def init_variance(scheme, fan_in, fan_out, variance, rate) -> Feedback:
    """Check the weight variance of ``scheme`` for a layer ``fan_in -> fan_out`` and the per-layer
    factor ``rate`` of the second moment (zero biases)."""
    from ..initialization import schemes, weight_variance

    fb = Feedback(f"variance of the {scheme!r} scheme")
    if scheme not in schemes():
        fb.expect(False, "", f"scheme must be one of {', '.join(schemes())}")
        return fb.report()
    try:
        true_var = weight_variance(scheme, fan_in, fan_out)
    except (TypeError, ValueError) as exc:
        fb.expect(False, "", f"fan_in and fan_out must be positive integers ({exc})")
        return fb.report()
    if true_var is None:
        fb.expect(False, "", f"the scheme {scheme!r} has no closed-form weight variance to check")
        return fb.report()
    for what, value, truth, hint in (
        ("variance", variance, true_var,
         "a uniform law on (-a, a) has variance a^2/3; a normal law's variance is its std squared"),
        ("rate", rate, fan_in * true_var / 2, "one ReLU layer multiplies the second moment by fan_in * Var(W) / 2"),
    ):
        try:
            v = float(value)
        except (TypeError, ValueError):
            fb.expect(False, "", f"{what} must be a number, got {value!r}")
            continue
        fb.expect(np.isfinite(v) and abs(v - truth) <= 1e-6 * abs(truth), f"{what}: right", f"{what}: wrong; {hint}")
    return fb.report()
