"""The live figures of the built book in headless Chromium, every outside request refused.

For every interactive figure of every page (``figure.relubook-live``, written by
:mod:`relubook.livefigure`): each slider is moved with the keyboard (End, then Home) to two values;
after each move the figure must have changed, show the state the sliders name, draw exactly the SVG
that the page's data holds for that state, and that SVG must hold what the Python callback draws for
the state (every line through its points, every marker, the title in the alt text; the check of
``tests/test_livefigure.py``).  The median redraw time measured in the browser is printed (a
benchmark, not an assertion).
"""

from __future__ import annotations

import html as htmlmod
import importlib
import json
import re
import statistics
import sys

import pytest
from built_site import ROOT, SITE, site_pages
from test_site import open_page

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

PAGES = [p for p in site_pages() if 'class="relubook-live"' in (SITE / p).read_text(encoding="utf-8")]
TIMES: list[float] = []

READY_JS = """() => window.relubookLive && relubookLive.figures.length ===
  document.querySelectorAll('figure.relubook-live').length &&
  relubookLive.figures.every(f => f.element.dataset.live === '1')"""


def _figures_in_html(path: str) -> list[dict]:
    """Spec and decoded data of each live figure of a page, read from the HTML file in Python."""
    from relubook import livefigure as lf

    text = (SITE / path).read_text(encoding="utf-8")
    specs = re.findall(r'<script type="application/json" class="relubook-live-spec">(.*?)</script>', text, re.S)
    payloads = re.findall(r'<script type="application/octet-stream" class="relubook-live-data">(.*?)</script>',
                          text, re.S)
    assert len(specs) == len(payloads)
    return [{"spec": json.loads(s.replace("<\\/", "</")), "data": lf.decode_data(p)} for s, p in zip(specs, payloads)]


def _callback(spec):
    """The Python callback of a figure when it can be called again from here (a plain function of
    relubook), with its fixed arguments; None for callbacks bound to a chapter's data."""
    module, _, name = spec["callback"].partition(":")
    if not module.startswith("relubook") or "." in name or "<" in name:
        return None
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _drawn(svg: str) -> tuple[list[str], list[str]]:
    """Path data and texts of an SVG fragment, the page's or Python's (independent of serialisation)."""
    paths = re.findall(r'\sd="([^"]*)"', svg)
    texts = [htmlmod.unescape(t).strip() for t in re.findall(r">([^<>]+)<", svg) if t.strip()]
    return paths, texts


def test_the_book_has_live_figures():
    assert PAGES, f"no page of {SITE} has a live figure: run `make book`"
    n = sum(len(_figures_in_html(p)) for p in PAGES)
    assert n >= 12, f"only {n} live figures in the book"


@pytest.mark.parametrize("path", PAGES)
def test_every_slider_moves_its_figure(browser, server, path):
    from test_livefigure import check_state

    figures = _figures_in_html(path)
    page, problems = open_page(browser, server, path)
    try:
        page.wait_for_function(READY_JS, timeout=60_000)
        for f, fig in enumerate(figures):
            spec, data = fig["spec"], fig["data"]
            draw = _callback(spec)
            sizes = [len(c["values"]) for c in spec["controls"]]
            handle = page.locator("figure.relubook-live").nth(f)
            handle.scroll_into_view_if_needed()
            inputs = handle.locator("input[type=range]")
            assert inputs.count() == len(sizes)
            pos = [int(inputs.nth(i).input_value()) for i in range(len(sizes))]
            before = handle.locator("svg.relubook-live-svg").inner_html()
            for i, c in enumerate(spec["controls"]):
                for key, target in (("End", sizes[i] - 1), ("Home", 0)):
                    if pos[i] == target:
                        continue  # a move: the other key
                    inputs.nth(i).focus()
                    page.keyboard.press(key)
                    pos[i] = target
                    k = 0
                    for p, n in zip(pos, sizes):
                        k = k * n + p
                    where = f"{path} figure {f} ({spec['callback']}) {c['name']} -> {c['labels'][target]}"
                    assert handle.get_attribute("data-state") == str(k), where
                    svg = handle.locator("svg.relubook-live-svg").inner_html()
                    assert svg != before, f"{where}: the figure did not change"
                    before = svg
                    assert _drawn(svg) == _drawn(_state(data, k)), f"{where}: the page drew something else than its data"
                    alt = handle.locator("svg.relubook-live-svg").get_attribute("aria-label")
                    assert alt == data["alts"][k] and f"{c['name']} = {c['labels'][target]}" in alt, where
                    assert handle.locator("output").nth(i).inner_text() == c["labels"][target], where
                    if draw is not None:
                        params = {**spec["fixed"], **{cc["name"]: cc["values"][p] for cc, p in zip(spec["controls"], pos)}}
                        check_state(svg, alt, draw, params)
        TIMES.extend(page.evaluate("() => relubookLive.times"))
        page.wait_for_timeout(100)
    finally:
        page.close()
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def _state(data, k):
    return "".join(data["table"][i] for i in data["states"][k])


def test_zz_redraw_time():
    """Prints the median redraw time of every move above (not an assertion on time)."""
    if not TIMES:
        pytest.skip("no redraws measured")
    print(f"\nlive figures: {len(TIMES)} redraws in Chromium, median {statistics.median(TIMES):.2f} ms, "
          f"max {max(TIMES):.2f} ms")


def test_page_sizes():
    """The data of one live figure stays under 1 MB and a page with live figures under 5 MB."""
    report = []
    for path in PAGES:
        text = (SITE / path).read_text(encoding="utf-8")
        sizes = [len(p) for p in re.findall(r'class="relubook-live-data">(.*?)</script>', text, re.S)]
        report.append(f"{path}: page {len(text.encode()) / 1e6:.2f} MB, figures {[round(s / 1e3) for s in sizes]} kB")
        assert max(sizes) < 1_000_000 and len(text.encode()) < 5_000_000, report[-1]
    print("\n" + "\n".join(report))
