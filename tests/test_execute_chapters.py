"""The parallel pre-execution of the book (tools/execute_chapters.py) and thread pinning."""

import importlib.util
import json
import pathlib
import shutil

import pytest
import torch

import relubook as rb

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("execute_chapters", ROOT / "tools" / "execute_chapters.py")
ex = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ex)


@pytest.fixture
def tree(tmp_path):
    """A copy of what the fingerprint reads: relubook/ and the lock files."""
    shutil.copytree(ROOT / "relubook", tmp_path / "relubook", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ex.LOCK_FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_fingerprint_follows_the_reader_package_and_the_lock_only(tree):
    base = ex.fingerprint(tree)
    assert ex.fingerprint(tree) == base
    for name in ex.BUILD_ONLY:  # Sphinx-only modules never invalidate execution
        p = tree / "relubook" / name
        p.write_text((p.read_text() if p.exists() else "") + "\n# edited\n")
    (tree / "bookkit").mkdir()
    (tree / "bookkit" / "sphinxext.py").write_text("x = 1\n")
    assert ex.fingerprint(tree) == base
    for changed in ("relubook/device.py", "relubook/checks/__init__.py", "constraints.txt", "requirements.txt",
                    "excludes.txt"):
        p = tree / changed
        old = p.read_text()
        p.write_text(old + "\n# edited\n")
        assert ex.fingerprint(tree) != base, changed
        p.write_text(old)
        assert ex.fingerprint(tree) == base


def test_toc_pages_are_every_page_in_order():
    pages = ex.toc_pages(ROOT)
    names = [str(p.relative_to(ROOT)) for p in pages]
    assert names[0] == "book/intro.md" and "book/09_dying.md" in names
    assert len(names) == len(set(names)) == len(list((ROOT / "book").glob("*.md")))


def test_the_notebook_read_is_the_one_the_build_hashes():
    config = ex.load_config(ROOT)
    exts = config["parse"]["myst_enable_extensions"]
    nb = ex.read_notebook(ROOT / "book" / "01_relu.md", exts)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert len(nb.metadata["source_map"]) == len(nb.cells)
    assert ex.read_notebook(ROOT / "book" / "glossary.md", exts) is None or not any(
        c.cell_type == "code" for c in ex.read_notebook(ROOT / "book" / "glossary.md", exts).cells)


def test_a_failure_names_the_cell_its_line_and_the_error():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("text"), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise ValueError('boom')")]
    nb.cells[2].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    nb.metadata["source_map"] = [1, 5, 9]

    class Err(Exception):
        ename, evalue, traceback = "ValueError", "boom", "\x1b[31mTraceback\x1b[0m\nValueError: boom"

    f = ex.describe_failure(nb, Err())
    assert (f["cell"], f["line"], f["error"]) == (2, 9, "ValueError: boom")
    assert f["traceback"][-1] == "ValueError: boom" and "\x1b" not in f["traceback"][0]
    assert ex.failure_line("book/x.md", f) == "FAILED book/x.md, cell 2 (line 9): ValueError: boom"


def test_pin_threads_default_override_and_bad_input(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("RELUBOOK_THREADS", raising=False)
        assert rb.pin_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("RELUBOOK_THREADS", "2")
        rb.seed(0)  # seed pins the threads, honouring the override
        assert torch.get_num_threads() == 2
        monkeypatch.setenv("RELUBOOK_THREADS", "many")
        with pytest.raises(ValueError, match="RELUBOOK_THREADS"):
            rb.pin_threads()
        with pytest.raises(ValueError, match="n must be"):
            rb.pin_threads(0)
        with pytest.raises(TypeError, match="n must be"):
            rb.pin_threads(1.5)
    finally:
        rb.pin_threads(before)


def test_notebooks_are_ordered_longest_first(tmp_path):
    for name in ("01_a", "02_b", "03_c", "errata"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"seconds": {"book/01_a.md": 5.0, "book/02_b.md": 40.0, "book/errata.md": 1.0}}))
    order = [p.stem for p in ex.longest_first(tmp_path, state)]
    assert order == ["03_c", "02_b", "01_a", "errata"]  # no recorded time: first of all
    assert [p.stem for p in ex.longest_first(tmp_path, tmp_path / "missing.json")] == ["01_a", "02_b", "03_c", "errata"]


def test_a_change_of_the_sphinx_extensions_drops_the_doctrees_only(tmp_path):
    """Sphinx keeps a page's doctree while its source is unchanged, whatever made it: an edit of the
    book's Sphinx-side code must make every page be read again, without executing anything."""
    root = tmp_path / "book"
    shutil.copytree(ROOT / "bookkit", root / "bookkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    cache, doctrees = tmp_path / "cache", tmp_path / "doctrees"
    cache.mkdir()
    doctrees.mkdir()
    runner = ex.Executor(root, cache, [doctrees], jobs=1)
    state = {"sphinx_fingerprint": ex.sphinx_fingerprint(root)}
    assert not runner.reread_if_extensions_changed(state) and doctrees.exists()
    p = root / "bookkit" / "sphinxext.py"
    p.write_text(p.read_text() + "\n# edited\n")
    assert runner.reread_if_extensions_changed(state)
    assert not doctrees.exists() and cache.exists()
    assert state["sphinx_fingerprint"] == ex.sphinx_fingerprint(root)
    (root / "bookkit" / "forkkernel.py").write_text("# not Sphinx's\n")
    assert ex.sphinx_fingerprint(root) == state["sphinx_fingerprint"]
