"""Checkers for the part on training and dying ReLUs (chapters 9 and 10).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

from .. import dying
from ..validate import check_int, check_real
from ._core import Reject, checker, close, count, number, parameter

__all__ = ["check_born_dead_width", "check_layer_moment"]


@checker("Born-dead width")
def check_born_dead_width(fb, width, depth: int = 20, delta: float = 0.01):
    """Chapter 9: the least width N with ``1 - (1 - 2^-N)^depth <= delta`` (exact)."""
    depth = parameter(check_int, depth, "depth", minimum=1, maximum=10**6)
    delta = parameter(check_real, delta, "delta", low=0.0, high=1.0, open_interval=True)
    N = count(width, "the width", minimum=1)
    p = dying.born_dead_probability(min(N, 2000), depth)  # beyond 2000 units the probability underflows to 0
    fb.expect(p <= delta, "with this width the born-dead probability is at most delta",
              "with this width a single input still dies too often: is the inequality the right way round?")
    fb.expect(N == dying.born_dead_width(depth, delta), "it is the least such width",
              "a smaller width already works: the rule of thumb log2(L/delta) is an approximation, take the exact formula")


@checker("Second moment under gain-1 scaling")
def check_layer_moment(fb, value, layers: int = 10):
    """Chapter 10: second moment after ``layers`` ReLU layers with Var(W) = 1/fan_in, starting from 1
    (three significant figures)."""
    layers = parameter(check_int, layers, "layers", minimum=0, maximum=1000)
    x = number(value, "the second moment")
    if x <= 0:
        raise Reject("a second moment is positive")
    fb.expect(True, "positive", "")
    fb.expect(close(x, 0.5**layers), "right value (to three significant figures)",
              "each ReLU layer multiplies q by n Var(W) / 2: what is that factor here?")
