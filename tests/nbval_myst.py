"""A pytest plugin that lets nbval execute the book's MyST markdown notebooks.

nbval only collects ``.ipynb`` files; the chapters are ``.md`` files with a
jupytext header.  This plugin reads them with jupytext in memory and reuses
nbval's own file and cell items, so kernels, timeouts, tags and markers behave
exactly as in nbval.  myst-nb's ``skip-execution`` tag also skips the cell here.
Loaded with ``-p nbval_myst`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import warnings
from collections import defaultdict

from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags


def _is_text_notebook(path) -> bool:
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8").split("\n---", 2)
    if not path.read_text(encoding="utf-8").startswith("---") or len(head) < 2:
        return False
    front = head[0]
    return "kernelspec:" in front and ("jupytext:" in front or "file_format: mystnb" in front)


class MystNotebookFile(IPyNbFile):
    """A MyST notebook: one pytest item per code cell."""

    def collect(self):
        import jupytext  # here, not at import: every pytest process loads this plugin (0.7 s)

        self.nb = jupytext.read(str(self.path))
        for n, cell in enumerate(c for c in self.nb.cells if c.cell_type == "code"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                options = defaultdict(bool, find_metadata_tags(cell.metadata))
                options.update(dict(find_comment_markers(cell.source)))
            if "skip-execution" in cell.metadata.get("tags", []):
                options["skip"] = True
            options.setdefault("check", self.compare_outputs)
            yield IPyNbCell.from_parent(self, name=f"Cell {n}", cell_num=n, cell=cell, options=options)


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)) and _is_text_notebook(file_path):
        return MystNotebookFile.from_parent(parent, path=file_path)
    return None
