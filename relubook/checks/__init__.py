"""Exercise checkers: a student calls one with an answer and reads the feedback.

Every checker follows one contract (:mod:`relubook.checks._core`): it runs a few
named tests on the answer, prints one line per test (what is right, what is wrong,
and a hint) once, and returns a :class:`Feedback` that is truthy when everything
passed.  Any reasonable form of a right answer passes (Python or numpy numbers,
lists, arrays, tensors), real numbers are compared to three significant figures,
a wrong or malformed answer gets a sentence instead of a traceback, and the
student's code runs under a time limit (:data:`TIME_LIMIT` seconds).  A checker
never prints the solution.

Call a checker as ``checks.<part>.<name>(answer)`` after ``from relubook import checks``.

Topic modules (``relubook.checks.relu`` and so on) hold the checkers of each
part of the book; they are imported here so that ``relubook.checks.NAME``
works for all of them.
"""

from __future__ import annotations

from ._core import RTOL, SIG_FIGS, TIME_LIMIT, Feedback, cell_time_limit, quiet, time_limit
from . import approximation
from . import dying
from . import interpolation
from . import composition
from . import relu
from . import compositional
from . import neuron
from . import pretraining
from . import regions2d
from . import rates
from . import memorisation

__all__ = ["Feedback", "quiet", "time_limit", "cell_time_limit", "TIME_LIMIT", "RTOL", "SIG_FIGS",
           "approximation", "dying", "interpolation", "composition", "relu", "compositional", "neuron",
           "pretraining", "regions2d", "rates", "memorisation"]
