"""Shared test settings.

Hypothesis draws its examples from a seed fixed by each test (``derandomize``) and keeps no
example database, so that ``make test`` runs the same examples on every machine and a failure
reproduces.  ``HYPOTHESIS_PROFILE=explore`` draws fresh random examples instead (``make fuzz``
explores further with its own settings, tests/fuzz_driver.py).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
