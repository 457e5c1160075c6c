"""bookkit: the machinery that builds relubook (never imported by the chapters or by ``relubook``).

Imports flow one way: ``bookkit`` may import ``relubook``; ``relubook`` and the chapters never
import ``bookkit`` (``tests/test_bookkit.py`` checks it).

* :mod:`bookkit.editions`: the student edition's sources, the exercise list, the leak test
  (``python -m bookkit.editions ...``);
* :mod:`bookkit.notebooks`: the notebook edition, one plain ``.ipynb`` per chapter for instructors
  and for students (``python -m bookkit.notebooks ...``, ``make notebooks``);
* :mod:`bookkit.assignments`: otter-grader assignments built from the checkers (``make assignments``);
* :mod:`bookkit.public`: a copy of the sources without solutions, to publish (``make public-export``);
* :mod:`bookkit.sphinxext`: the Sphinx extension for editions and the instructors' page tables;
* :mod:`bookkit.sphinx_offline`: the Sphinx extension that keeps pages readable offline;
* :mod:`bookkit.bibstyle`: author-year labels in the bibliography;
* :mod:`bookkit.renderer`: the myst-nb renderer that carries alt text (entry point ``bookkit``);
* :mod:`bookkit.widget_cases`: every widget of the book as test cases (tests and benchmarks).
"""


def safe_load_yaml(text: str):
    """``yaml.safe_load(text)``, with libyaml's C loader where PyYAML was built with it: the same
    data, about ten times faster (``book/_exercises.yml`` is read by several directives of each build)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
