"""Checkers for the chapters on compositional networks (12) and the differentiability condition (13)."""

from __future__ import annotations

import numpy as np

from .. import compositional as cnet
from ..validate import as_array
from ._core import Feedback

__all__ = ["check_piece_count", "check_tied_scales", "check_square_network"]


def check_piece_count(peaks, answer) -> Feedback:
    """Your count of the linear pieces of the compositional network built from ``peaks``."""
    peaks = cnet._peaks(peaks)
    fb = Feedback("number of linear pieces")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        fb.expect(False, "", f"answer must be a number, got {type(answer).__name__}")
        return fb.report()
    true = cnet.wave_structure(peaks, cnet.differentiable_scales(peaks, -0.25))["knots"].size - 1
    fb.expect(value == int(value) and value > 0, "a positive whole number", "a count of pieces is a positive whole number")
    fb.expect(
        value % 2 == 0 or value == 1,
        "even, as it must be: every piece of the last wave splits in two",
        "every layer splits every piece of the previous wave in two, so the count is even",
    )
    fb.expect(
        value == true,
        "right: the count does not depend on where the peaks sit",
        "not yet: count how many pieces each layer splits, starting from the single piece of y = x",
    )
    return fb.report()


def check_tied_scales(peaks, scales, next_peak: float = 0.5) -> Feedback:
    """Your scales ``s_0 .. s_{d-1}`` for ``peaks`` under the differentiability condition (last factor ``next_peak``)."""
    peaks = cnet._peaks(peaks)
    fb = Feedback("scales under the differentiability condition")
    try:
        scales = as_array(scales, "scales", ndim=1)
    except (TypeError, ValueError) as exc:
        fb.expect(False, "", str(exc))
        return fb.report()
    if not fb.expect(
        scales.size == peaks.size, "one scale per peak", f"give one scale per peak: {peaks.size}, got {scales.size}"
    ):
        return fb.report()
    fb.expect(
        scales[0] != 0 and np.all(np.sign(scales) == np.sign(scales[0])),
        "all scales share the sign of s_0",
        "the condition multiplies by positive factors, so every scale has the sign of s_0",
    )
    want = cnet.differentiable_scales(peaks, scales[0], next_peak=next_peak) if scales[0] != 0 else np.zeros_like(scales)
    ok = np.isclose(scales[1:-1], want[1:-1], rtol=1e-9, atol=0).all() if scales.size > 2 else True
    fb.expect(ok, "the inner ratios s_{i+1}/s_i are right", "check a ratio s_{i+1}/s_i: which two peaks enter it?")
    fb.expect(
        np.isclose(scales[-1], want[-1], rtol=1e-9, atol=0),
        "the last scale uses the stand-in peak as the book does",
        f"the last scale needs a peak beyond the network; use next_peak = {next_peak:g}",
    )
    return fb.report()


def check_square_network(peaks, s0) -> Feedback:
    """Your peaks and first scale for a compositional network that approximates ``x**2`` from above."""
    fb = Feedback("a compositional network for x^2")
    try:
        peaks = cnet._peaks(peaks)
        s0 = float(s0)
    except (TypeError, ValueError) as exc:
        fb.expect(False, "", str(exc))
        return fb.report()
    fb.expect(s0 < 0, "s0 < 0: the waves are subtracted, as for a convex target", "x^2 is convex: should the waves be added or subtracted?")
    fb.expect(
        np.allclose(peaks, 0.5),
        "all peaks in the middle",
        "the only peaks whose limit is twice differentiable are all the same special value",
    )
    if s0 != 0:
        net = cnet.compositional_network(peaks, s0)
        x = np.linspace(0, 1, 2049)
        err = float(np.max(np.abs(net(x) - x**2)))
        fb.expect(
            err <= 4.0 ** (-peaks.size) + 1e-12,
            f"error {err:.2e} within 4^-d",
            f"the error is {err:.2e}; for x^2 it should be at most 4^-d = {4.0 ** (-peaks.size):.2e}",
        )
    return fb.report()
