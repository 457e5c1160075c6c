"""Write the bytecode of the modules that `make test` and `make book` import, two processes at once.

The environment is installed without compiling all of site-packages (about 14,000 files, 36 s on
two cores).  Instead this compiles the files that the book, its tests and its build import, listed
in ``tools/bytecode_files.txt`` (paths under site-packages), split between two processes, so that
Python finds their ``.pyc`` when it imports them.  Compiling is all it does: importing the same
modules to have them written (what this script did before) also runs them, and took 20 s of wall
time and 34 CPU-seconds against 12 s and 24 here.  A file missing from the list is compiled and
written the first time a process imports it (the Makefile does not export
``PYTHONDONTWRITEBYTECODE``); a listed file that is not installed is skipped.  So a stale list costs
time, never correctness.

``--write-list`` imports the modules of :data:`GROUPS` in this process and writes the list from what
they loaded; ``make lock`` runs it after locking the environment.
Run: ``.venv/bin/python tools/warm_bytecode.py [--write-list]``.
"""

from __future__ import annotations

import importlib
import py_compile
import subprocess
import sys
import sysconfig
from pathlib import Path

LIST = Path(__file__).with_name("bytecode_files.txt")
GROUPS = (
    # the chapters' kernels and the unit tests
    ["torch", "relubook", "relubook.widgets", "relubook.tables", "relubook.checks", "relubook.livefigure",
     "relubook.pretraining", "relubook.symbolic", "scipy.stats", "scipy.optimize", "scipy.special", "sympy",
     "sklearn.datasets", "ipykernel.kernelapp", "ipykernel_launcher", "ipywidgets", "matplotlib.pyplot",
     "matplotlib.backends.backend_agg", "matplotlib_inline.backend_inline",
     # imported by every kernel as it starts (debugpy's vendored pydevd: 0.3 s to compile per kernel)
     "ipykernel.debugger"],
    # the build, the notebook edition and the test runners
    ["jupyter_book.cli.main", "sphinx.application", "myst_nb", "myst_nb.sphinx_ext", "myst_parser",
     "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_proof", "sphinx_exercise", "sphinxcontrib.bibtex",
     "jupyter_cache", "nbclient", "nbformat", "jupytext", "pandas", "bookkit.sphinxext", "bookkit.editions",
     "bookkit.notebooks", "pytest", "xdist", "nbval.plugin", "hypothesis", "otter", "playwright.sync_api"],
)


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def write_list() -> int:
    for group in GROUPS:
        for module in group:
            try:
                importlib.import_module(module)
            except Exception:  # a cache warmer, not a check
                pass
    base = site_packages().resolve()
    files = set()
    for mod in list(sys.modules.values()):
        path = getattr(mod, "__file__", None)
        if path and path.endswith(".py"):
            path = Path(path).resolve()
            if base in path.parents:
                files.add(path.relative_to(base).as_posix())
    LIST.write_text("".join(f"{f}\n" for f in sorted(files)))
    print(f"{LIST.name}: {len(files)} files")
    return 0


def compile_files(files: list[str]) -> None:
    base = site_packages()
    for name in files:
        path = base / name
        if path.is_file():
            py_compile.compile(str(path), quiet=1, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write-list"]:
        return write_list()
    if argv[:1] == ["--part"]:  # one of the two processes
        k = int(argv[1])
        compile_files(LIST.read_text().split()[k::2])
        return 0
    if not LIST.is_file():
        print(f"warm_bytecode: no {LIST.name}; modules compile as they are first imported", file=sys.stderr)
        return 0
    procs = [subprocess.Popen([sys.executable, __file__, "--part", str(k)]) for k in (0, 1)]
    return max(p.wait() for p in procs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
