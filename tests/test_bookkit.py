"""The build machinery lives in ``bookkit``; ``relubook`` (what readers import) never imports it."""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_import_relubook_does_not_import_bookkit_or_sphinx():
    code = ("import sys, relubook, relubook.checks; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('bookkit', 'sphinx', 'docutils', 'myst_nb')); "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stdout + r.stderr


def test_finding_the_exercises_and_their_checkers_imports_neither_relubook_nor_torch():
    """The build reads the checkers' names from relubook/checks/*.py (bookkit.editions): a Sphinx
    build or a leak test that imported them would pay for torch's import."""
    code = ("import sys; from bookkit import editions as E; ex = E.exercises('.'); "
            "assert sum(len(e.checkers) for e in ex) >= 20, 'too few checkers found'; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('relubook', 'torch')); "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_machinery_left_in_relubook():
    names = {p.stem for p in (ROOT / "relubook").glob("*.py")}
    assert not names & {"editions", "sphinxext", "sphinx_offline", "_mystnb", "_widget_cases", "notebooks"}


def test_imports_flow_one_way():
    pattern = re.compile(r"^\s*(from|import)\s+bookkit\b", re.M)
    for path in list((ROOT / "relubook").rglob("*.py")) + list((ROOT / "book").glob("*.md")):
        assert not pattern.search(path.read_text()), f"{path.relative_to(ROOT)} imports bookkit"


def test_renderer_entry_point_and_extensions_name_bookkit():
    import tomllib

    import yaml

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["myst_nb.renderers"] == {"bookkit": "bookkit.renderer:BookRenderer"}
    assert "bookkit" in meta["tool"]["setuptools"]["packages"]
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["sphinx"]["config"]["nb_render_plugin"] == "bookkit"
    assert {"bookkit.sphinxext", "bookkit.sphinx_offline"} <= set(cfg["sphinx"]["extra_extensions"])
    from bookkit.renderer import BookRenderer
    from myst_nb.core.render import NbElementRenderer

    assert issubclass(BookRenderer, NbElementRenderer)


def test_pybtex_plugins_are_found_with_one_entry_point_scan_each():
    """bookkit.sphinxext caches pybtex's entry-point lookups (one scan of the installed packages per
    group and name, not one per citation); what find_plugin returns is unchanged."""
    import pybtex.plugin

    from bookkit import sphinxext

    before = {(g, n): pybtex.plugin.find_plugin(g, n) for g, n in
              (("pybtex.backends", "plaintext"), ("pybtex.style.formatting", "unsrt"),
               ("pybtex.style.labels", None), ("pybtex.database.input", None))}
    sphinxext._cache_pybtex_entry_points()
    cached = pybtex.plugin.entry_points
    sphinxext._cache_pybtex_entry_points()
    assert pybtex.plugin.entry_points is cached and cached._bookkit
    after = {(g, n): pybtex.plugin.find_plugin(g, n) for g, n in before}
    assert after == before
    assert [ep.name for ep in cached(group="pybtex.backends")] == [ep.name for ep in cached(group="pybtex.backends")]
    with pytest.raises(pybtex.plugin.PluginNotFound):
        pybtex.plugin.find_plugin("pybtex.backends", "no-such-backend")


def test_numref_lookups_share_one_unpickled_doctree_per_page():
    """bookkit.sphinxext wraps Sphinx's numref resolution so that a page's doctree is unpickled once per
    build for it (not once per reference); the wrapper is installed once and passes calls through."""
    from types import SimpleNamespace

    from sphinx.domains.std import StandardDomain

    from bookkit import sphinxext

    sphinxext._cache_numref_doctrees()
    wrapped = StandardDomain._resolve_numref_xref
    sphinxext._cache_numref_doctrees()
    assert StandardDomain._resolve_numref_xref is wrapped and wrapped._bookkit
    loads = []

    class Env:
        def get_doctree(self, docname):
            loads.append(docname)
            return SimpleNamespace(ids={})

    env = Env()
    domain = SimpleNamespace(labels={"fig-a": ("book/a", "fig-a", "A")}, anonlabels={})
    for _ in range(3):  # an unknown id: Sphinx asserts; what matters is how often the doctree was read
        try:
            wrapped(domain, env, "book/b", None, "ref", "fig-a", None, None)
        except AssertionError:
            pass
    assert loads == ["book/a"] and "get_doctree" not in vars(env)
    sphinxext._drop_numref_doctrees(SimpleNamespace(env=env))
    assert id(env) not in sphinxext._NUMREF_DOCTREES


def test_an_edited_static_file_makes_the_build_copy_it(tmp_path):
    """Sphinx copies static files only when it writes a page; bookkit.sphinxext marks the root page
    out of date when a file of html_static_path differs from its copy in the built site."""
    import os
    import shutil
    import types

    from bookkit import sphinxext

    src, out = tmp_path / "site", tmp_path / "html"
    src.mkdir()
    (src / "book.css").write_text("a { color: red }")
    (src / "tool.js_t").write_text("{{ template }}")  # an extension's template: rendered, not copied
    app = types.SimpleNamespace(outdir=str(out), confdir=str(tmp_path),
                                config=types.SimpleNamespace(html_static_path=["site", "missing"]))
    assert sphinxext.changed_static_files(app) == []  # nothing built yet
    (out / "_static").mkdir(parents=True)
    assert sphinxext.changed_static_files(app) == ["site/book.css"]
    shutil.copy2(src / "book.css", out / "_static" / "book.css")  # as Sphinx copies: with its times
    assert sphinxext.changed_static_files(app) == []
    os.utime(src / "book.css", (0, 0))  # touched, same content: nothing to copy
    assert sphinxext.changed_static_files(app) == []
    (src / "book.css").write_text("a { color: blue }")  # same size, new content
    assert sphinxext.changed_static_files(app) == ["site/book.css"]
