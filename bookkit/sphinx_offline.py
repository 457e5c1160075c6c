"""Sphinx extension (listed in ``_config.yml``) that keeps the built pages readable offline.

* Fails the build early, with the fix in the message, when the vendored JavaScript
  (MathJax, require.js, the widget manager; ``make vendor``) is missing from the static path.
* Drops the Font Awesome 4 stylesheet that matplotlib's JavaScript animations (the static
  twins made by :func:`relubook.plotting.animate`) link from a CDN: the theme already ships
  Font Awesome, which draws the same ``fa fa-play`` ... buttons from the book's own files.
* For ``make pdf``: turns the MathJax macros of ``mathjax3_config`` into LaTeX macros.
* Removes inline scripts that Sphinx 7.4 emits twice on a page (an extension's inline script
  added after the builder starts is kept once as ``None`` and once as ``''``); sphinx-thebe's
  ``const THEBE_JS_URL`` then throws "Identifier has already been declared" on every page.
"""

from __future__ import annotations

import pathlib
import re

from docutils import nodes
from sphinx.errors import ConfigError

CDN_FONT_AWESOME = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*"\s*/?>\s*'
)


def strip_cdn_stylesheets(html: str) -> str:
    """``html`` without matplotlib's CDN link to Font Awesome 4."""
    return CDN_FONT_AWESOME.sub("", html)


def check_vendored(app) -> None:
    if app.builder.format != "html":
        return
    path = app.config.mathjax_path
    if "://" in path:
        return
    for static in app.config.html_static_path:
        if (pathlib.Path(app.confdir, static, path)).is_file():
            return
    raise ConfigError(
        f"the book serves MathJax from its own static files, but {path!r} is in none of "
        f"html_static_path {app.config.html_static_path}: run `make vendor` (tools/vendor_js.sh "
        "fetches MathJax, require.js and the widget manager from the npm registry)"
    )


def strip_doctree(app, doctree, docname) -> None:
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split() and "maxcdn.bootstrapcdn.com" in raw.astext():
            raw.replace_self(nodes.raw("", strip_cdn_stylesheets(raw.astext()), **raw.attributes))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        key = (getattr(js, "filename", js) or "", tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def latex_macros(macros: dict) -> str:
    r"""MathJax 3 ``tex.macros`` as LaTeX ``\providecommand`` lines (for ``make pdf``)."""
    lines = []
    for name, body in macros.items():
        args = ""
        if isinstance(body, (list, tuple)):
            body, args = body[0], f"[{int(body[1])}]"
        lines.append(f"\\providecommand{{\\{name}}}{args}{{{body}}}")
    return "\n".join(lines) + "\n"


def add_latex_macros(app, config) -> None:
    macros = ((getattr(config, "mathjax3_config", None) or {}).get("tex") or {}).get("macros") or {}
    elements = config.latex_elements
    # MathJax accepts \tag inside the split environment Sphinx wraps display math in; amsmath
    # does not: typeset the tag by hand in the PDF.
    tag = "\\makeatletter\\def\\invalid@tag#1#2{\\qquad\\text{(#2)}}\\makeatother\n"
    elements["preamble"] = latex_macros(macros) + tag + elements.get("preamble", "")


def setup(app):
    app.connect("config-inited", add_latex_macros)
    app.connect("builder-inited", check_vendored)
    app.connect("doctree-resolved", strip_doctree)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
