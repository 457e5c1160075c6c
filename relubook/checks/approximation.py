"""Checkers for Part II (universal approximation)."""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import approximation as ap
from ..nets import ShallowReLU
from ._core import Feedback

__all__ = ["check_ky_fan", "check_stopping_index", "check_cosine_count", "check_boolean_network"]


def check_ky_fan(value) -> Feedback:
    """Chapter 4: rho_mu between 0 and the indicator of [0, 0.3], mu uniform on [0, 1]."""
    fb = Feedback("Ky Fan distance")
    ok_num = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    fb.expect(ok_num, "the answer is a number", "give one real number")
    if ok_num:
        fb.expect(0 <= value <= 1, "it lies in [0, 1], as every rho_mu does for a probability measure",
                  "rho_mu is never above 1 for a probability measure: check the definition")
        fb.expect(abs(value - 0.3) < 1e-6, "right value",
                  "for which e is mu{|f - g| > e} < e? Try e just below and just above the measure of the set")
    return fb.report()


def check_stopping_index(i, slope_bound=3.0, a=0.0, b=2.0, eps=1e-3) -> Feedback:
    """Chapter 5: the least number of dyadic levels with M (b-a) / 2**i < eps."""
    fb = Feedback("Stopping index")
    ok = isinstance(i, int) and not isinstance(i, bool) and i >= 1
    fb.expect(ok, "a positive integer", "the index is a positive integer")
    if ok:
        bound = slope_bound * (b - a) / 2**i
        fb.expect(bound < eps, "the bound M(b-a)/2^i is below eps", "with this index the bound is still >= eps: did you use log base e?")
        fb.expect(i == ap.stopping_index(slope_bound, a, b, eps), "it is the least such index",
                  "a smaller index also works, or this one is too small")
    return fb.report()


def check_cosine_count(n_relus, M=8.0, eps=1e-2) -> Feedback:
    """Chapter 6: the number of ReLUs of the paper's Lemma 2 construction."""
    fb = Feedback("Lemma 2 unit count")
    ok = isinstance(n_relus, int) and not isinstance(n_relus, bool)
    fb.expect(ok, "an integer", "a count is an integer")
    if ok:
        want = ap.paper_cosine_relus(M, eps)
        per = 3 * 2 ** ap.cosine_levels(eps) - 3
        fb.expect(n_relus % per == 0, "a multiple of the ReLUs per half period",
                  "each half period uses 3*2^l - 3 ReLUs: count the levels l with log base 2")
        fb.expect(n_relus == want, "right count", "count the half periods: k runs from -n to n, two pieces each")
    return fb.report()


def check_boolean_network(net, table) -> Feedback:
    """Chapter 7: a ShallowReLU that equals a Boolean function exactly on {0,1}^r.

    ``table`` maps each tuple of r bits to 0 or 1 (a dict) or is a function of the bits.
    """
    fb = Feedback("Boolean network")
    fb.expect(isinstance(net, ShallowReLU), "a ShallowReLU", "build the network with relubook.ShallowReLU")
    if not isinstance(net, ShallowReLU):
        return fb.report()
    r = net.input_dim
    X = np.array(list(itertools.product([0, 1], repeat=r)), dtype=float)
    target = np.array([table[tuple(int(v) for v in x)] if isinstance(table, dict) else table(*x) for x in X], float)
    out = net(X)
    fb.expect(net.scalar_output, "one output", "the network must have a single output")
    if net.scalar_output:
        wrong = int(np.sum(np.abs(out - target) > 1e-9))
        fb.expect(wrong == 0, f"exact on all {len(X)} inputs", f"wrong on {wrong} of {len(X)} inputs")
    return fb.report()
