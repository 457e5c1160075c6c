"""Checkers for Part II (universal approximation).

Each follows the contract of :mod:`relubook.checks._core`: any reasonable form of a right answer
passes (Python or numpy numbers, ``11`` or ``11.0`` for a count), real numbers are compared to three
significant figures, and a wrong answer gets a sentence, never a traceback.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import approximation as ap
from ..validate import check_interval, check_real
from ._core import Reject, call, checker, close, count, number, output, parameter

__all__ = ["check_ky_fan", "check_stopping_index", "check_cosine_count", "check_boolean_network"]

#: The largest number of inputs ``r`` for which :func:`check_boolean_network` enumerates ``{0,1}^r``.
MAX_BOOLEAN_INPUTS = 16


@checker("Ky Fan distance")
def check_ky_fan(fb, value):
    """Chapter 4: rho_mu between 0 and the indicator of [0, 0.3], mu uniform on [0, 1] (three significant figures)."""
    x = number(value)
    fb.expect(0 <= x <= 1, "it lies in [0, 1], as every rho_mu does for a probability measure",
              "rho_mu is never above 1 (or below 0) for a probability measure: check the definition")
    fb.expect(close(x, 0.3), "right value (to three significant figures)",
              "for which e is mu{|f - g| > e} < e? Try e just below and just above the measure of the set")


@checker("Stopping index")
def check_stopping_index(fb, i, slope_bound=3.0, a=0.0, b=2.0, eps=1e-3):
    """Chapter 5: the least number of dyadic levels ``i >= 1`` with ``M (b-a) / 2**i < eps`` (exact)."""
    M = parameter(check_real, slope_bound, "slope_bound", positive=True)
    a, b = parameter(check_interval, a, b, ("a", "b"))
    eps = parameter(check_real, eps, "eps", positive=True)
    i = count(i, "the index", minimum=1)
    ratio = M * (b - a) / eps
    below = i > 1100 or ratio < 2.0**i  # 2**1100 exceeds every float ratio; no huge powers computed
    fb.expect(below, "the bound M(b-a)/2^i is below eps",
              "with this index the bound is still >= eps: did you use log base e?")
    fb.expect(i == ap.stopping_index(M, a, b, eps), "it is the least such index",
              "a smaller index also works: find the least one")


@checker("Lemma 2 unit count")
def check_cosine_count(fb, n_relus, M=8.0, eps=1e-2):
    """Chapter 6: the number of ReLUs of the paper's Lemma 2 construction (exact)."""
    M = parameter(check_real, M, "M", positive=True)
    eps = parameter(check_real, eps, "eps", positive=True)
    n = count(n_relus, "the count", minimum=0)
    per = 3 * 2 ** ap.cosine_levels(eps) - 3
    fb.expect(n > 0 and n % per == 0, "a multiple of the ReLUs per half period",
              "each half period uses 3*2^l - 3 ReLUs: count the levels l with log base 2")
    fb.expect(n == ap.paper_cosine_relus(M, eps), "right count",
              "count the half periods: k runs from -n to n, two pieces each")


def _target(table, bits):
    key = tuple(int(v) for v in bits)
    if isinstance(table, dict):
        if key not in table:
            raise Reject(f"the table has no entry for the input {key}: give a value for every tuple of bits")
        value = table[key]
    elif callable(table):
        value = call(table, *key, what="the table function")
    else:
        raise Reject(f"table must be a dict from tuples of bits to 0/1 or a function of the bits, "
                     f"got {type(table).__name__}")
    return number(value, f"the table's value at {key}")


@checker("Boolean network")
def check_boolean_network(fb, net, table):
    """Chapter 7: a ShallowReLU that equals a Boolean function exactly (within 1e-9) on ``{0,1}^r``.

    ``table`` maps each tuple of r bits to 0 or 1 (a dict) or is a function of the bits.  Networks
    with more than :data:`MAX_BOOLEAN_INPUTS` inputs are refused: their ``2^r`` inputs are too many
    to check within the time limit.
    """
    from ..nets import ShallowReLU

    if not isinstance(net, ShallowReLU):
        raise Reject(f"build the network with relubook.ShallowReLU, got {type(net).__name__}")
    fb.expect(True, "a ShallowReLU", "")
    r = net.input_dim
    if r > MAX_BOOLEAN_INPUTS:
        raise Reject(f"your network has {r} inputs: checking all 2^{r} inputs takes too long; this checker "
                     f"handles at most {MAX_BOOLEAN_INPUTS}")
    if not fb.expect(net.scalar_output, "one output", "the network must have a single output"):
        return
    X = np.array(list(itertools.product([0, 1], repeat=r)), dtype=float)
    target = np.array([_target(table, x) for x in X])
    out = output(call(net, X, what="your network"), (len(X),), "your network")
    wrong = int(np.sum(np.abs(out - target) > 1e-9))
    fb.expect(wrong == 0, f"exact on all {len(X)} inputs", f"wrong on {wrong} of {len(X)} inputs")

