"""The built HTML loads no script or stylesheet from the network (no browser needed).

``make test-build`` runs this right after its build; ``test_site.py`` then shows in a browser
that the pages also work that way.
"""

from __future__ import annotations

import re

import pytest
from built_site import SITE, site_pages

PAGES = site_pages()
REMOTE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>', re.I)
STYLESHEET = re.compile(r'rel="stylesheet"|<script', re.I)
WIDGET_STATE = 'type="application/vnd.jupyter.widget-state+json"'
WIDGET_JS = ("_static/offline/require.js", "_static/offline/widgets.js", "_static/offline/widgets/embed-amd.js")
MATHJAX = "_static/offline/mathjax/tex-mml-chtml.js"


def test_the_site_was_built():
    assert PAGES, f"no built book in {SITE}: run `make book` first"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_nothing_from_the_network(path):
    text = (SITE / path).read_text(encoding="utf-8")
    remote = [tag for tag in REMOTE.findall(text) if STYLESHEET.search(tag)]
    assert not remote, f"{path} loads from the network: {remote}"
    srcs = re.findall(r'<script\b[^>]*\bsrc="([^"?]*)', text)
    base = "../" * path.count("/")
    local = [s.removeprefix(base) for s in srcs]
    if 'class="math' in text:
        assert MATHJAX in local, f"{path} has math but does not load the book's own MathJax"
    if WIDGET_STATE in text:
        at = [local.index(js) if js in local else -1 for js in WIDGET_JS]
        assert -1 not in at and at == sorted(at), f"{path}: widget scripts missing or out of order: {local}"
    for s in local:
        if not s.startswith(("http", "//")):
            assert (SITE / s).is_file(), f"{path} loads {s}, which is not in the site"
    inline = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(inline) == len(set(inline)), f"{path} repeats an inline script"


def test_vendored_files_are_in_the_site():
    for rel in (MATHJAX, *WIDGET_JS, "_static/offline/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"):
        assert (SITE / rel).is_file(), rel
