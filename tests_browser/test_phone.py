"""Every chapter at a phone's width (390 px) and at 1280 px: nothing in the main column runs off
the page; tables, code, animations and display equations scroll inside their own box, and a wide
table's caption wraps to that box rather than scrolling off with the table.  Keeps a
screenshot of the first chapter of each part at both widths in ``_build/screenshots/``.
Run with ``make test-browser``."""

from __future__ import annotations

import pytest
from built_site import SCREENSHOTS, site_pages
from test_site import open_page

PAGES = [p for p in site_pages() if p.startswith("book/")]
WIDTHS = (390, 1280)
#: The first chapter of each part.
PART_PAGES = ["book/01_relu.html", "book/04_universal.html", "book/08_interpolation.html",
              "book/09_dying.html", "book/11_composition.html"]

# Elements of the main column whose right edge passes the column's, not clipped by a scrolling
# (or hidden-overflow) box between them and the column.
OVERFLOW_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const article = document.querySelector('.bd-article') || document.querySelector('main');
  if (!article) return {page: 0, offenders: []};
  const limit = article.getBoundingClientRect().right + 1;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of article.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= limit) continue;
    if (clipped(el)) continue;
    const cls = (el.className && el.className.baseVal !== undefined) ? el.className.baseVal : el.className;
    offenders.push(`${el.tagName.toLowerCase()}.${String(cls).split(' ').join('.')} right=${Math.round(r.right)} > ${Math.round(limit)}`);
    if (offenders.length > 8) break;
  }
  // a caption is read without scrolling: it wraps inside the box that scrolls its table
  const captions = [];
  for (const c of article.querySelectorAll('caption')) {
    let box = article;
    for (let p = c.parentElement; p && p !== article; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { box = p; break; }
    }
    const r = c.getBoundingClientRect();
    const right = box.getBoundingClientRect().right + 1;
    if (r.width > 0 && r.right > right) {
      captions.push(`"${c.textContent.trim().slice(0, 50)}..." right=${Math.round(r.right)} > ${Math.round(right)}`);
    }
  }
  return {page: document.documentElement.scrollWidth - window.innerWidth, offenders, captions};
}
"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_main_column_does_not_overflow(browser, server, path, width):
    page, problems = open_page(browser, server, path, viewport=(width, 900))
    try:
        info = page.evaluate(OVERFLOW_JS)
    finally:
        page.close()
    assert info["page"] <= 1, f"{path} at {width} px: the page scrolls sideways by {info['page']} px"
    assert not info["offenders"], f"{path} at {width} px: runs off the main column:\n  " + "\n  ".join(info["offenders"])
    assert not info["captions"], (f"{path} at {width} px: a table caption runs past the box its table scrolls in:\n  "
                                  + "\n  ".join(info["captions"]))


SEARCH_JS = r"""
() => Array.from(document.querySelectorAll('.search-button-field, .search-button')).filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
}).length
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_one_search_box(browser, server, width):
    if not PAGES:
        pytest.skip("no built book")
    page, problems = open_page(browser, server, PAGES[0], viewport=(width, 900))
    try:
        visible = page.evaluate(SEARCH_JS)
    finally:
        page.close()
    assert visible == 1, f"{visible} search boxes at {width} px"


@pytest.mark.parametrize("path", [p for p in PART_PAGES if p in PAGES])
def test_part_screenshots(browser, server, path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = path.rsplit("/", 1)[-1].removesuffix(".html")
    for width in WIDTHS:
        page, problems = open_page(browser, server, path, viewport=(width, 1400))
        try:
            page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
            shot = SCREENSHOTS / f"{stem}_{width}px.png"
            page.screenshot(path=str(shot))
        finally:
            page.close()
        assert shot.stat().st_size > 5_000
