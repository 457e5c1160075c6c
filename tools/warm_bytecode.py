"""Write the bytecode of the modules that `make test` and `make book` import, two processes at once.

The environment is installed without compiling all of site-packages (about 14,000 files, 36 s on
two cores); instead this imports what the book, its tests and its build use, in two groups side
by side, so that Python writes their ``.pyc`` once.  A module that is not listed is compiled and
written the first time a process imports it (the Makefile does not export
``PYTHONDONTWRITEBYTECODE``).  A module that cannot be imported is skipped: this is a cache warmer,
not a check.  Run: ``.venv/bin/python tools/warm_bytecode.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

GROUPS = (
    # the chapters' kernels and the unit tests
    ["torch", "relubook", "relubook.widgets", "relubook.tables", "relubook.checks", "relubook.livefigure",
     "relubook.pretraining", "relubook.symbolic", "scipy.stats", "scipy.optimize", "scipy.special", "sympy",
     "sklearn.datasets", "ipykernel.kernelapp", "ipykernel_launcher", "ipywidgets", "matplotlib.pyplot",
     "matplotlib.backends.backend_agg", "matplotlib_inline.backend_inline"],
    # the build, the notebook edition and the test runners
    ["jupyter_book.cli.main", "sphinx.application", "myst_nb", "myst_nb.sphinx_ext", "myst_parser",
     "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_proof", "sphinx_exercise", "sphinxcontrib.bibtex",
     "jupyter_cache", "nbclient", "nbformat", "jupytext", "pandas", "bookkit.sphinxext", "bookkit.editions",
     "bookkit.notebooks", "pytest", "xdist", "nbval.plugin", "hypothesis", "otter", "playwright.sync_api"],
)


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = ("import importlib, sys\n"
            "for m in sys.argv[1:]:\n"
            "    try: importlib.import_module(m)\n"
            "    except Exception: pass\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, *group], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for group in GROUPS]
    for p in procs:
        p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
