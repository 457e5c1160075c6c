"""Checkers for the chapter "One neuron, one layer".

* :func:`region_piece`: the activation pattern and the affine function of the example network at a
  point of the plane;
* :func:`init_variance`: the weight variance of an initialisation scheme and the factor by which
  one ReLU layer multiplies the second moment.

Each follows the contract of :mod:`relubook.checks._core`: it prints what is right and what is
wrong, never the solution, and compares real numbers to three significant figures.
"""

from __future__ import annotations

import re

import numpy as np

from ._core import RTOL, Reject, array, checker, close, misuse, number

__all__ = ["region_piece", "init_variance"]


def _pattern(pattern, n: int) -> np.ndarray:
    """A 0/1 pattern from ``"101"``, ``"1 0 1"``, ``"1,0,1"``, ``[1, 0, 1]``, booleans, an array or a tensor."""
    if isinstance(pattern, str):
        digits = re.sub(r"[\s,;()\[\]]", "", pattern)
        if not digits or set(digits) - set("01"):
            raise Reject("write the pattern with 0 and 1 only, one digit per neuron, e.g. '010'")
        p = np.array([int(c) for c in digits], dtype=float)
    else:
        p = array(pattern, "the pattern", max_size=1000).reshape(-1)
    if p.size != n:
        raise Reject(f"the pattern needs one digit per neuron: {n}, got {p.size}")
    if not np.all((p == 0) | (p == 1)):
        raise Reject("write the pattern with 0 and 1 only (1: active, 0: inactive)")
    return p


@checker("activation pattern and affine piece")
def region_piece(fb, point, pattern, slope, intercept, net=None):
    """Check the pattern (e.g. ``"101"``, ``"1 0 1"`` or ``[1, 0, 1]``) and the affine function
    ``slope . x + intercept`` that the chapter's example network computes around ``point``
    (slope and intercept to three significant figures)."""
    from ..nets import ShallowReLU
    from ..neuron import activation_patterns, affine_piece, example_network

    if net is None:
        net = example_network()
    elif not isinstance(net, ShallowReLU) or not net.scalar_output:
        raise misuse(TypeError(f"net must be a relubook.ShallowReLU with one output, got {type(net).__name__}"))
    x = array(point, "point", size=net.input_dim)
    true_pattern = activation_patterns(net, x[None, :])[0]
    z = net.hidden(x[None, :])[0]
    if np.min(np.abs(z)) < 1e-9:
        raise Reject("this point lies on a boundary line (a pre-activation is 0); pick a point inside a region")
    p = _pattern(pattern, net.n_neurons)
    wrong = [i + 1 for i in range(net.n_neurons) if p[i] != true_pattern[i]]
    fb.expect(not wrong, "pattern: every neuron's state is right",
              f"pattern: the state of neuron(s) {wrong} is wrong; evaluate the sign of z_i = w_i . x + b_i")
    A, c = affine_piece(net, true_pattern)
    A = np.asarray(A, dtype=float).reshape(-1)
    s = array(slope, "slope", size=net.input_dim)
    fb.expect(all(close(si, ai, RTOL, 1e-9) for si, ai in zip(s, A)), "slope: right",
              "slope: wrong; add up w_i times the output weight of each ACTIVE neuron only")
    b = number(intercept, "intercept")
    fb.expect(close(b, float(c), RTOL, 1e-9), "intercept: right",
              "intercept: wrong; add up b_i times the output weight of each active neuron, plus the output bias")


@checker("variance of an initialisation scheme")
def init_variance(fb, scheme, fan_in, fan_out, variance, rate):
    """Check the weight variance of ``scheme`` for a layer ``fan_in -> fan_out`` and the per-layer
    factor ``rate`` of the second moment (zero biases), each to three significant figures."""
    from ..initialization import weight_variance

    try:
        true_var = weight_variance(scheme, fan_in, fan_out)
    except (TypeError, ValueError) as exc:  # a scheme name or fan typed wrongly: say so
        raise Reject(str(exc)) from None
    fb.title = f"variance of the {scheme!r} scheme"
    if true_var is None:
        raise Reject(f"the scheme {scheme!r} has no closed-form weight variance to check")
    for what, value, truth, hint in (
        ("variance", variance, true_var,
         "a uniform law on (-a, a) has variance a^2/3; a normal law's variance is its std squared"),
        ("rate", rate, int(fan_in) * true_var / 2,
         "one ReLU layer multiplies the second moment by fan_in * Var(W) / 2"),
    ):
        try:
            v = number(value, what)
        except Reject as exc:
            fb.fail(str(exc))
            continue
        fb.expect(close(v, truth), f"{what}: right (to three significant figures)", f"{what}: wrong; {hint}")
