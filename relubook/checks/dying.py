"""Checkers for the part on training and dying ReLUs (chapters 9 and 10)."""

from __future__ import annotations

from .. import dying
from ._core import Feedback

__all__ = ["check_born_dead_width", "check_layer_moment"]


def check_born_dead_width(width, depth: int = 20, delta: float = 0.01) -> Feedback:
    """Chapter 9: the least width N with 1 - (1 - 2^-N)^depth <= delta."""
    fb = Feedback("Born-dead width")
    ok = isinstance(width, int) and not isinstance(width, bool) and width >= 1
    fb.expect(ok, "a positive integer", "a width is a positive integer")
    if ok:
        p = dying.born_dead_probability(width, depth)
        fb.expect(p <= delta, "with this width the born-dead probability is at most delta",
                  "with this width a single input still dies too often: is the inequality the right way round?")
        fb.expect(width == dying.born_dead_width(depth, delta), "it is the least such width",
                  "a smaller width already works: the rule of thumb log2(L/delta) is an approximation, take the exact formula")
    return fb.report()


def check_layer_moment(value, layers: int = 10) -> Feedback:
    """Chapter 10: second moment after ``layers`` ReLU layers with Var(W) = 1/fan_in, starting from 1."""
    fb = Feedback("Second moment under gain-1 scaling")
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    fb.expect(ok, "a number", "give one real number")
    if ok:
        target = 0.5 ** layers
        fb.expect(value > 0, "positive", "a second moment is positive")
        fb.expect(abs(value - target) <= 1e-9 + 1e-6 * target, "right value",
                  "each ReLU layer multiplies q by n Var(W) / 2: what is that factor here?")
    return fb.report()
