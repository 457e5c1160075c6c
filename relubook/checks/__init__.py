"""Exercise checkers: a student calls one with an answer and reads the feedback.

Every checker follows one pattern: it runs a few named tests on the answer,
prints one line per test (what is right, what is wrong, and a hint), and
returns a :class:`Feedback` that is truthy when everything passed.  A checker
never prints the solution.

Topic modules (``relubook.checks.relu`` and so on) hold the checkers of each
part of the book; they are imported here so that ``relubook.checks.NAME``
works for all of them.
"""

from __future__ import annotations

from ._core import Feedback
from . import approximation
from . import dying
from . import interpolation
from . import composition
from . import relu
from . import compositional
from . import neuron
from . import pretraining
from . import regions2d

__all__ = ["Feedback"]
