"""Offline pages: the configuration points at the book's own JavaScript, and the Sphinx
extension bookkit.sphinx_offline does what it says (the built site is checked by
tests_browser/)."""

import pathlib
import re
import types

import pytest
import yaml

from bookkit import sphinx_offline

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_config_serves_mathjax_and_widgets_from_the_book():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = cfg["sphinx"]["config"]
    assert "bookkit.sphinx_offline" in cfg["sphinx"]["extra_extensions"]
    assert sphinx["html_static_path"][0] == "_build/vendor/site"
    assert sphinx["mathjax_path"] == "offline/mathjax/tex-mml-chtml.js"
    assert list(sphinx["nb_ipywidgets_js"]) == ["offline/require.js", "offline/widgets.js", "offline/widgets/embed-amd.js"]
    # no root _static/: Jupyter Book would add every .js of every static path to every page
    assert not (ROOT / "_static").exists()


def test_vendor_script_pins_versions_and_hashes():
    text = (ROOT / "tools/vendor_js.sh").read_text()
    pins = re.findall(r'"(\S+@\d[\w.]*) ([0-9a-f]{64})"', text)
    assert {p.rsplit("@", 1)[0] for p, _ in pins} == {"mathjax", "requirejs", "@jupyter-widgets/html-manager"}
    assert "sha256sum" in text and "npm was not found" in text


def test_strip_cdn_stylesheets_on_a_matplotlib_animation():
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(1, 1))
    text = FuncAnimation(fig, lambda i: [], frames=2).to_jshtml()
    plt.close(fig)
    assert "maxcdn.bootstrapcdn.com" in text  # what matplotlib emits
    out = sphinx_offline.strip_cdn_stylesheets(text)
    assert "maxcdn" not in out and "https://" not in out
    assert out.count("<button") == text.count("<button")


def test_dedupe_scripts_keeps_the_first_of_each():
    from sphinx.builders.html._assets import _JavaScript

    a = _JavaScript(None, body="const X = 1")
    a2 = _JavaScript("", body="const X = 1")
    b = _JavaScript("_static/x.js")
    ctx = {"script_files": [a, b, a2, _JavaScript("_static/x.js")]}
    sphinx_offline.dedupe_scripts(None, "p", "page.html", ctx, None)
    assert ctx["script_files"] == [a, b]


def test_missing_vendored_files_fail_with_the_fix(tmp_path):
    config = types.SimpleNamespace(mathjax_path="offline/mathjax/tex-mml-chtml.js", html_static_path=["_build/vendor/site"])
    app = types.SimpleNamespace(builder=types.SimpleNamespace(format="html"), config=config, confdir=str(tmp_path))
    with pytest.raises(Exception, match="make vendor"):
        sphinx_offline.check_vendored(app)
    target = tmp_path / "_build/vendor/site/offline/mathjax/tex-mml-chtml.js"
    target.parent.mkdir(parents=True)
    target.write_text("")
    sphinx_offline.check_vendored(app)
