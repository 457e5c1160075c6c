"""Every interactive widget of the book works on the static page.

A ``widgets.slider_figure`` is its own twin: the build draws every state of its sliders' grid into
the page (relubook/livefigure.py), so it is live without a kernel, and its first state is drawn
for print.  A kernel-only widget (ipywidgets' ``interact``/``interactive``) needs a static twin in
the same chapter: a ``plotting.animate`` call over the same drawing callback, or a figure cell that
calls the callback directly (``callback(ax, ...)`` in a cell that shows a figure).  The test lists
widgets and twins per chapter and fails on a kernel-only widget without one.
"""

import ast
import pathlib
import re

import pytest
import yaml

from bookkit import editions

ROOT = pathlib.Path(__file__).resolve().parents[1]
WIDGET_CALLS = {"slider_figure", "interact", "interactive", "interact_manual"}
LIVE_CALLS = {"slider_figure"}  # drawn into the page for every state: live without a kernel


def _cell_code(cell_text: str) -> str:
    body = cell_text.split("\n")[1:-1]  # drop the fences
    while body and (body[0].startswith(":") or body[0].strip() == ""):
        body = body[1:]  # cell options (:tags:, :mystnb:)
    if body and body[0].strip() == "---":  # a YAML option block
        end = body.index("---", 1) if "---" in body[1:] else 0
        body = body[end + 1 :]
    return "\n".join(ln for ln in body if not ln.lstrip().startswith(("%", "!")))


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _callback(node) -> str:
    """The drawing function behind a callback: ``f``, ``partial(f, ...)`` or ``lambda ...: f(...)``."""
    if isinstance(node, ast.Lambda) and isinstance(node.body, ast.Call):
        return _callback(node.body.func)
    if isinstance(node, ast.Call) and _name(node.func) == "partial" and node.args:
        return _callback(node.args[0])
    return ast.unparse(node)


def widgets_and_twins(text: str):
    """``(widgets, twins)`` of a MyST page: lists of callback expressions (source text)."""
    widgets, twins = [], []
    for cell in editions.code_cells(text):
        code = _cell_code(cell)
        tree = ast.parse(code)
        shows_figure = "plotting.show(" in code or re.search(r"^:\s+figure:", cell, re.M) is not None
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            first = _callback(node.args[0]) if node.args else "<no callback>"
            if name in WIDGET_CALLS:
                widgets.append(first)
                if name in LIVE_CALLS:
                    twins.append(first)
            elif name == "animate":
                twins.append(first)
            elif shows_figure and node.args and _name(node.args[0]) == "ax":
                twins.append(ast.unparse(node.func))
    return widgets, twins


def chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [p for p in editions.toc_pages(toc) if (ROOT / f"{p}.md").is_file()]


@pytest.mark.parametrize("page", chapters())
def test_every_widget_has_a_static_twin(page):
    widgets, twins = widgets_and_twins((ROOT / f"{page}.md").read_text())
    missing = [w for w in widgets if w not in twins]
    print(f"{page}: widgets {widgets}, twins {twins}")
    assert not missing, f"{page}: widget(s) without a static twin (plotting.animate or a figure): {missing}"


def test_the_book_has_widgets_and_the_parser_sees_them():
    found = {p: widgets_and_twins((ROOT / f"{p}.md").read_text()) for p in chapters()}
    n_widgets = sum(len(w) for w, _ in found.values())
    assert n_widgets >= 10, f"only {n_widgets} widgets found: is the parser still reading the chapters?"
    assert sum(len(t) for _, t in found.values()) >= n_widgets


def test_parser_on_tricky_cells():
    page = (
        "```{code-cell} ipython3\n:tags: [hide-input]\nplotting.animate(\n    mod.draw_a, 'p', [1, 2],\n"
        "    alt='x')\n```\n\n"
        "```{code-cell} ipython3\n---\ntags: [hide-input]\n---\nwidgets.slider_figure(mod.draw_a, alt='x', p=(1, 2, 1))\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\n%matplotlib inline\ninteract(mod.draw_b, q=(0, 1, 0.1))\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\n:mystnb:\n:  figure:\n:    name: fig-c\n"
        "fig, ax = plotting.figure(alt='z')\nmod.draw_c(ax, r=1)\n```\n\n"
        "```{code-cell} ipython3\nwidgets.slider_figure(mod.draw_c, alt='z', r=(0, 2, 1))\n```\n"
        "```{code-cell} ipython3\nwidgets.slider_figure(functools.partial(mod.draw_a, k=1), alt='z', p=(0, 2, 1))\n"
        "widgets.slider_figure(lambda ax, p: mod.draw_c(ax, p=p), alt='z', p=(0, 2, 1))\n```\n"
    )
    widgets, twins = widgets_and_twins(page)
    assert widgets == ["mod.draw_a", "mod.draw_b", "mod.draw_c", "mod.draw_a", "mod.draw_c"]
    assert twins == ["mod.draw_a", "mod.draw_a", "mod.draw_c", "mod.draw_c", "mod.draw_a", "mod.draw_c"]
    assert [w for w in widgets if w not in twins] == ["mod.draw_b"]  # a kernel-only widget: the test would fail on it
