"""Checkers for the chapter on training compositional networks (14).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

from ..validate import check_int
from ._core import checker, count, parameter

__all__ = ["check_parameter_counts"]


@checker("trainable parameters")
def check_parameter_counts(fb, raw, tied, free, depth: int = 5):
    """Your numbers of trainable parameters of a width-4, ``depth``-layer network with one input and one output.

    ``raw``: weights and biases; ``tied``: pretraining with the differentiability condition
    enforced; ``free``: pretraining with every scale free.  Counts are exact.
    """
    depth = parameter(check_int, depth, "depth", minimum=1, maximum=10**6)
    fb.title = f"trainable parameters at depth {depth}"
    raw = count(raw, "raw")
    tied = count(tied, "tied")
    free = count(free, "free")
    fb.expect(True, "three whole numbers", "")
    want_raw = (4 + 4) + (depth - 1) * (16 + 4) + (4 + 1)
    fb.expect(raw == want_raw, "raw weights and biases: right",
              "raw: count a weight matrix and a bias vector for every layer, the output layer included")
    fb.expect(tied == depth + 1, "enforced condition: right, one peak per layer and the first scale",
              "enforced: which scales are still free once the condition ties them to the peaks?")
    fb.expect(free == 2 * depth, "free scales: right, a peak and a scale per layer",
              "free scales: every layer has its own peak; how many scales are there?")
    fb.expect(tied <= free < raw, "ordered tied <= free < raw (equal only at depth 1)",
              "the reparameterisations have far fewer parameters than the raw network")
