"""The built book in a real browser, with no network.

Headless Chromium (Debian's ``chromium``, driven by playwright) opens every page of the built
site from a local server.  Every request that does not go to that server is refused, so these
tests also show that a downloaded ``_build/html`` reads offline.  On each page:

* MathJax typeset every formula: every ``.math`` element holds an ``mjx-container``, no raw
  ``\\(``, ``\\[``, ``$$`` or ``\\begin{`` is left in the text outside code, and no formula is a
  MathJax error (an undefined macro, say);
* every ``<img>`` has non-empty alt text and loaded;
* embedded widget state renders: each widget view is drawn (sliders and the figure); live
  figures (relubook/livefigure.py) are moved in test_live_figures.py;
* every link into the site points at an existing file and, with a ``#fragment``, an existing id;
* the console has no errors, no script throws, and no request fails or leaves the machine.

``test_screenshot`` keeps a screenshot of one chapter (and of its widget and animation) in
``_build/screenshots/``.  Run with ``make test-browser``.
"""

from __future__ import annotations

import functools
import html.parser
import re
import urllib.parse

import pytest
from built_site import SCREENSHOTS, SITE, site_pages

PAGES = site_pages()
SCREENSHOT_PAGE = "book/01_relu.html"
RAW_TEX = ("\\(", "\\[", "$$", "\\begin{")

# Runs in the page once it has loaded: waits for MathJax, then reports what the checks need.
INSPECT_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const math = Array.from(document.querySelectorAll('.math'));
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
      .forEach(e => e.remove());
  const views = Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]'));
  return {
    mathjax: !!(window.MathJax && MathJax.startup && MathJax.version),
    math: math.length,
    mathUntypeset: math.filter(e => !e.querySelector('mjx-container'))
                       .map(e => e.textContent.slice(0, 80)),
    mathErrors: Array.from(document.querySelectorAll('mjx-merror'))
                     .map(e => e.getAttribute('data-mjx-error') || e.textContent.slice(0, 80)),
    text: body.textContent,
    images: Array.from(document.images).map(i => ({
      src: i.currentSrc || i.src, alt: (i.getAttribute('alt') || '').trim(),
      loaded: i.complete && i.naturalWidth > 0,
      inWidget: !!i.closest('.widget-subarea, .jupyter-widgets')})),
    widgetState: !!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]'),
    widgetViews: views.length,
    animButtons: document.querySelectorAll('.relubook-animation button').length,
    animIcons: document.querySelectorAll('.relubook-animation button svg').length,
    // players whose buttons differ in height, or whose icon runs over its button
    animMisdrawn: Array.from(document.querySelectorAll('.relubook-animation .anim-buttons')).filter(bar => {
      const buttons = Array.from(bar.querySelectorAll('button'));
      const heights = new Set(buttons.map(b => Math.round(b.getBoundingClientRect().height)));
      const over = buttons.some(b => { const i = b.querySelector('svg'); if (!i) return false;
        const r = i.getBoundingClientRect(), q = b.getBoundingClientRect();
        return r.height > q.height || r.width > q.width; });
      return heights.size > 1 || over;
    }).length,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    // static figures (relubook-figures.js links each to its image file)
    figures: Array.from(document.querySelectorAll('.bd-article .cell_output img')).filter(i =>
        !(i.getAttribute('src') || '').startsWith('data:') &&
        !i.closest('.relubook-animation, .relubook-live, .jupyter-widgets, .widget-interact, .widget-subarea'))
      .map(i => ({src: i.getAttribute('src'), linked: !!i.closest('a.relubook-figure-link')})),
    ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
  };
}
"""

# True once every widget view script has a drawn view (html-manager puts a .widget-subarea
# before the script and displays the view in it).
WIDGETS_DRAWN_JS = r"""
() => Array.from(document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')).every(s => {
  const area = s.previousElementSibling;
  return area && area.classList.contains('widget-subarea')
      && area.querySelector('.jupyter-widgets') && area.getBoundingClientRect().height > 0;
})
"""

# True once every live figure (relubook/livefigure.py) has unpacked its data and enabled its sliders.
LIVE_READY_JS = """() => Array.from(document.querySelectorAll('figure.relubook-live'))
    .every(f => f.dataset.live === '1')"""


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value or "")


@functools.cache
def ids_of(path: str) -> frozenset[str]:
    parser = _Ids()
    parser.feed((SITE / path).read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def open_page(browser, base: str, path: str, viewport=(1280, 900)):
    """Open ``base + path`` with every foreign request refused; returns (page, problems)."""
    problems: list[str] = []
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"request leaves the machine: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on("requestfailed", lambda r: r.url.startswith(base) and problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.goto(base + path, wait_until="load", timeout=60_000)
    refresh = re.search(r'http-equiv="refresh"[^>]*url=([^"]+)"', (SITE / path).read_text(), re.I)
    if refresh:  # index.html redirects to the first page: check that one arrives
        target = urllib.parse.urljoin(base + path, refresh.group(1).strip())
        page.wait_for_url(target, timeout=30_000)
        page.wait_for_load_state("load")
    return page, problems


def check_links(info, base: str, path: str) -> list[str]:
    bad = []
    for href in sorted(set(info["links"])):
        if not href.startswith(base):
            continue  # external links are not followed: the site must read offline
        parts = urllib.parse.urlsplit(href)
        target = urllib.parse.unquote(parts.path[len(urllib.parse.urlsplit(base).path):])
        if target == "" or target.endswith("/"):
            target += "index.html"
        if not (SITE / target).is_file():
            bad.append(f"broken link: {href}")
            continue
        frag = urllib.parse.unquote(parts.fragment)
        if frag and target.endswith(".html"):
            ids = set(info["ids"]) if target == path else ids_of(target)
            if frag not in ids:
                bad.append(f"broken anchor: {href}")
    return bad


def test_the_site_was_built():
    assert PAGES, f"no built book in {SITE}: run `make book` first"
    assert SCREENSHOT_PAGE in PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page(browser, server, path):
    page, problems = open_page(browser, server, path)
    try:
        info = page.evaluate(INSPECT_JS)
        if info["widgetViews"]:
            try:
                page.wait_for_function(WIDGETS_DRAWN_JS, timeout=30_000)
            except Exception:  # reported below with the page's own errors
                problems.append(f"{info['widgetViews']} widget views, not all drawn from the embedded state")
        page.wait_for_timeout(200)  # let late console messages arrive
    finally:
        page.close()

    if info["math"]:
        if not info["mathjax"]:
            problems.append("the page has math but MathJax did not start")
        problems += [f"formula not typeset: {t!r}" for t in info["mathUntypeset"]]
    problems += [f"MathJax error: {e}" for e in info["mathErrors"]]
    for raw in RAW_TEX:
        at = info["text"].find(raw)
        if at >= 0:
            problems.append(f"raw TeX {raw!r} left in the text: ...{info['text'][max(0, at - 40):at + 40]!r}")
    for img in info["images"]:
        if not img["alt"]:
            problems.append(f"image without alt text: {img['src'][:100]}")
        if not img["loaded"]:
            problems.append(f"image did not load: {img['src'][:100]}")
    problems += [f"figure not linked to its full-size image: {f['src'][:100]}" for f in info["figures"] if not f["linked"]]
    if info["animMisdrawn"]:
        problems.append(f"animation players with uneven buttons or icons running over them: {info['animMisdrawn']}")
    if info["animButtons"] != info["animIcons"]:  # Font Awesome from the theme's own files
        problems.append(f"animation buttons without icons: {info['animButtons'] - info['animIcons']}")
    if info["widgetViews"] and not info["widgetState"]:
        problems.append("widget views but no embedded widget state")
    problems += check_links(info, server, path)
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def test_the_checks_have_something_to_check(browser, server):
    """Guards against vacuous passes: the chapter of the screenshot has math and a live figure
    (sliders drawn, the figure's alt text set; tests_browser/test_live_figures.py moves them)."""
    page, problems = open_page(browser, server, SCREENSHOT_PAGE)
    try:
        info = page.evaluate(INSPECT_JS)
        assert info["math"] > 0 and info["mathjax"]
        assert info["figures"] and all(f["linked"] for f in info["figures"]), info["figures"]
        page.wait_for_function(LIVE_READY_JS, timeout=30_000)
        assert page.locator("figure.relubook-live input[type=range]").count() > 0, "no slider drawn"
        alts = page.evaluate("() => Array.from(document.querySelectorAll('svg.relubook-live-svg')).map(s => s.getAttribute('aria-label'))")
        assert alts and all(a and len(a) > 20 for a in alts), alts
    finally:
        page.close()
    assert not problems, problems


def test_screenshot(browser, server):
    """Keeps pictures of one chapter (its top, first widget, first animation) in _build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, problems = open_page(browser, server, SCREENSHOT_PAGE, viewport=(1280, 1600))
    try:
        page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
        page.wait_for_function(WIDGETS_DRAWN_JS, timeout=30_000)
        stem = SCREENSHOT_PAGE.rsplit("/", 1)[-1].removesuffix(".html")
        top = SCREENSHOTS / f"{stem}.png"
        page.screenshot(path=str(top))
        page.wait_for_function(LIVE_READY_JS, timeout=30_000)
        widget = page.locator("figure.relubook-live").first
        widget.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot = SCREENSHOTS / f"{stem}_widget.png"
        widget.screenshot(path=str(shot))
        anim = page.locator(".relubook-animation").first  # its static twin, buttons drawn offline
        if anim.count():
            anim.scroll_into_view_if_needed()
            anim.screenshot(path=str(SCREENSHOTS / f"{stem}_animation.png"))
    finally:
        page.close()
    assert top.stat().st_size > 10_000 and shot.stat().st_size > 5_000
    assert not problems, problems
