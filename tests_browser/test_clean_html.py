"""The built pages, read as text (no browser): no Python reprs in outputs, no workshop words,
every table numbered and captioned, every erratum mention a link.

Runs with the rest of ``tests_browser`` (``make test-browser``) on the site ``make book`` built;
skipped when there is no built site.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from built_site import SITE, site_pages

PAGES = [p for p in site_pages() if p.startswith("book/")]
REPRS = re.compile(r"np\.(?:int|float|bool_)\d*\(|\barray\(\[|<IPython\.|\bat 0x[0-9a-f]{6,}>")
WORKSHOP = re.compile(r"seed chapter|\bthe seed\b(?!s)|\bpaper 00\d|\bsource 00\d|reference notes", re.I)
OUTPUT = re.compile(r'<div class="cell_output[^"]*">(.*?)</div>\s*</div>', re.S)
TAGS = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    return html_lib.unescape(TAGS.sub(" ", fragment))


def main_text(page: str) -> str:
    raw = (SITE / page).read_text(encoding="utf-8")
    start, end = raw.find("<main"), raw.rfind("</main>")
    return raw[start:end] if start >= 0 else raw


pytestmark = pytest.mark.skipif(not PAGES, reason=f"no built book in {SITE}")


@pytest.mark.parametrize("page", PAGES)
def test_outputs_show_no_python_reprs(page):
    body = main_text(page)
    outputs = " ".join(text_of(o) for o in OUTPUT.findall(body))
    found = REPRS.findall(outputs) + re.findall(r"(?:^|[:=]\s*)None\b", outputs, re.M)
    assert not found, f"{page}: Python reprs in outputs: {found[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_no_workshop_words(page):
    words = WORKSHOP.findall(text_of(main_text(page)))
    assert not words, f"{page}: {words}"


@pytest.mark.parametrize("page", PAGES)
def test_tables_are_numbered_and_captioned(page):
    body = main_text(page)
    for table in re.findall(r"<table\b.*?</table>", body, re.S):
        if "docutils" in table[:200] and "citation" in table[:200]:
            continue
        if 'class="field-list' in table[:200]:
            continue
        assert "<caption>" in table and "caption-number" in table, f"{page}: a table without number: {text_of(table)[:120]}"


@pytest.mark.parametrize("page", PAGES)
def test_erratum_mentions_are_links(page):
    if page.endswith("errata.html"):
        return
    body = main_text(page)
    bare = re.sub(r"<a\b.*?</a>", "", body, flags=re.S)
    found = re.findall(r"\berrat(?:um|a) [EMQ]\d+\b", text_of(bare))
    assert not found, f"{page}: erratum mentions without a link: {found}"
