"""Checkers for the chapter on training compositional networks (14)."""

from __future__ import annotations

from ..validate import check_int
from ._core import Feedback

__all__ = ["check_parameter_counts"]


def _count(value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == int(v) and v >= 0 else None


def check_parameter_counts(raw, tied, free, depth: int = 5) -> Feedback:
    """Your numbers of trainable parameters of a width-4, ``depth``-layer network with one input and one output.

    ``raw``: weights and biases; ``tied``: pretraining with the differentiability condition
    enforced; ``free``: pretraining with every scale free.
    """
    depth = check_int(depth, "depth", minimum=1)
    fb = Feedback(f"trainable parameters at depth {depth}")
    answers = {"raw": _count(raw), "tied": _count(tied), "free": _count(free)}
    if not fb.expect(all(v is not None for v in answers.values()), "three whole numbers",
                     "give each count as a whole number >= 0"):
        return fb.report()
    want_raw = (4 + 4) + (depth - 1) * (16 + 4) + (4 + 1)
    fb.expect(answers["raw"] == want_raw, "raw weights and biases: right",
              "raw: count a weight matrix and a bias vector for every layer, the output layer included")
    fb.expect(answers["tied"] == depth + 1, "enforced condition: right, one peak per layer and the first scale",
              "enforced: which scales are still free once the condition ties them to the peaks?")
    fb.expect(answers["free"] == 2 * depth, "free scales: right, a peak and a scale per layer",
              "free scales: every layer has its own peak; how many scales are there?")
    fb.expect(answers["tied"] < answers["free"] < answers["raw"], "ordered tied < free < raw",
              "the reparameterisations have far fewer parameters than the raw network")
    return fb.report()
