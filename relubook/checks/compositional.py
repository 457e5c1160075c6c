"""Checkers for the chapters on compositional networks (12) and the differentiability condition (13).

Each follows the contract of :mod:`relubook.checks._core`; real numbers are compared to three
significant figures.
"""

from __future__ import annotations

import numpy as np

from .. import compositional as cnet
from ..validate import check_real
from ._core import Reject, array, checker, close, count, misuse, number, parameter

__all__ = ["check_piece_count", "check_tied_scales", "check_square_network"]

#: The deepest network these checkers build (2^depth pieces): deeper ones are refused.
MAX_DEPTH = 16


def _exercise_peaks(peaks):
    peaks = parameter(cnet._peaks, peaks)
    if peaks.size > MAX_DEPTH:
        raise misuse(ValueError(f"peaks has {peaks.size} entries; these checkers handle at most {MAX_DEPTH}"))
    return peaks


@checker("number of linear pieces")
def check_piece_count(fb, peaks, answer):
    """Your count of the linear pieces of the compositional network built from ``peaks`` (exact)."""
    peaks = _exercise_peaks(peaks)
    n = count(answer, "the count of pieces", minimum=1)
    true = cnet.wave_structure(peaks, cnet.differentiable_scales(peaks, -0.25))["knots"].size - 1
    fb.expect(n % 2 == 0 or n == 1, "even, as it must be: every piece of the last wave splits in two",
              "every layer splits every piece of the previous wave in two, so the count is even")
    fb.expect(n == true, "right: the count does not depend on where the peaks sit",
              "not yet: count how many pieces each layer splits, starting from the single piece of y = x")


@checker("scales under the differentiability condition")
def check_tied_scales(fb, peaks, scales, next_peak: float = 0.5):
    """Your scales ``s_0 .. s_{d-1}`` for ``peaks`` under the differentiability condition (last factor
    ``next_peak``), each to three significant figures."""
    peaks = _exercise_peaks(peaks)
    next_peak = parameter(check_real, next_peak, "next_peak", low=0.0, high=1.0, open_interval=True)
    try:
        one_number = np.ndim(scales) == 0
    except (TypeError, ValueError):  # a ragged list: array() says what is wrong
        one_number = False
    s = None if one_number else array(scales, "scales", max_size=1000).reshape(-1)
    if s is None:
        raise Reject(f"give the list of {peaks.size} scales [s0, s1, ...], not one number")
    if s.size != peaks.size:
        raise Reject(f"give one scale per peak: {peaks.size}, got {s.size}")
    fb.expect(True, "one scale per peak", "")
    fb.expect(s[0] != 0 and bool(np.all(np.sign(s) == np.sign(s[0]))), "all scales share the sign of s_0",
              "the condition multiplies by positive factors, so every scale has the sign of s_0")
    if s[0] == 0:
        raise Reject("s_0 must be nonzero: a zero scale switches every later wave off")
    want = cnet.differentiable_scales(peaks, s[0], next_peak=next_peak)
    inner = all(close(s[i], want[i]) for i in range(1, s.size - 1))
    fb.expect(inner, "the inner ratios s_{i+1}/s_i are right", "check a ratio s_{i+1}/s_i: which two peaks enter it?")
    fb.expect(s.size == 1 or close(s[-1], want[-1]), "the last scale uses the stand-in peak as the book does",
              f"the last scale needs a peak beyond the network; use next_peak = {next_peak:g}")


@checker("a compositional network for x^2")
def check_square_network(fb, peaks, s0):
    """Your peaks and first scale for a compositional network that approximates ``x**2`` from above
    (error at most ``4^-d`` on a grid of 2049 points)."""
    try:
        peaks = cnet._peaks(peaks)
    except (TypeError, ValueError) as exc:
        raise Reject(str(exc)) from None
    if peaks.size > MAX_DEPTH:
        raise Reject(f"{peaks.size} layers is more than this checker builds within its time limit ({MAX_DEPTH})")
    s0 = number(s0, "s0")
    fb.expect(s0 < 0, "s0 < 0: the waves are subtracted, as for a convex target",
              "x^2 is convex: should the waves be added or subtracted?")
    fb.expect(np.allclose(peaks, 0.5), "all peaks in the middle",
              "the only peaks whose limit is twice differentiable are all the same special value")
    if s0 != 0:
        net = cnet.compositional_network(peaks, s0)
        x = np.linspace(0, 1, 2049)
        err = float(np.max(np.abs(net(x) - x**2)))
        fb.expect(np.isfinite(err) and err <= 4.0 ** (-peaks.size) + 1e-12, f"error {err:.2e} within 4^-d",
                  f"the error is {err:.2e}; for x^2 it should be at most 4^-d = {4.0 ** (-peaks.size):.2e}")
