"""What a reader must never meet, checked on the sources: words from our workshop (file names of
the sources), unlinked erratum mentions, raw glossary syntax, and code that prints Python reprs.

The built pages are checked for reprs and workshop words by ``tests_browser/test_clean_html.py``.
"""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGES = sorted(BOOK.glob("*.md"))

#: Our names for the sources and our notes, which mean nothing to a reader.
WORKSHOP = re.compile(
    r"seed chapter|\bthe seed\b(?!s)|\bseed's\b|\bthe seeds\b|\bpaper 00\d|\bsource 00\d|\bseeds/|reference notes|"
    r"\b00[0-4]_[0-9a-f]{6,}",
    re.I,
)
CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)


def prose(text: str) -> str:
    """The page without its code cells (their comments and strings are not shown as prose)."""
    return CODE_CELL.sub("", text)


def visible_cells(text: str):
    """Source of every code cell whose input or output a reader can see."""
    for m in CODE_CELL.finditer(text):
        body = m.group(2)
        tags = re.search(r"^:tags:\s*\[([^\]]*)\]", body, re.M)
        if tags and "remove-cell" in tags.group(1):
            continue
        yield body


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_workshop_words(page):
    text = page.read_text(encoding="utf-8")
    hits = [m.group(0) for m in WORKSHOP.finditer(prose(text))]
    # strings in visible code reach the page as output (captions, printed labels)
    for body in visible_cells(text):
        hits += [m.group(0) for s in re.findall(r'"[^"\n]*"', body) for m in WORKSHOP.finditer(s)]
    assert not hits, f"{page.name}: {hits}"


def test_no_workshop_words_in_the_bibliography():
    text = (BOOK / "references.bib").read_text(encoding="utf-8")
    entries = re.sub(r"^%.*$", "", text, flags=re.M)  # comments are not printed
    assert not WORKSHOP.findall(entries)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_erratum_mentions_are_links(page):
    if page.name == "errata.md":
        return
    text = prose(page.read_text(encoding="utf-8"))
    bare = re.findall(r"(?<![`<{])\berrat(?:um|a) [EMQ]\d+\b", text)
    assert not bare, f"{page.name}: link these to the errata page ({{ref}}`erratum E1 <errata-e1>`): {bare}"


def test_glossary_terms_render_and_are_linked():
    glossary = (BOOK / "glossary.md").read_text(encoding="utf-8")
    head = glossary.split("```{glossary}")[0]
    assert "{term}" not in head, "the glossary's introduction shows raw role syntax"
    linked = sum("{term}`" in p.read_text(encoding="utf-8") for p in PAGES if p.name[0].isdigit())
    assert linked >= 10, f"only {linked} chapters link to the glossary"


#: Idioms whose output is a Python repr, not typeset text: a network's repr, numpy arrays and
#: lists of numpy scalars, None printed as a value.
REPR_IDIOMS = [
    (re.compile(r"\bprint\((?:net\w*|G|model)\b[,)]"), "prints a network's repr"),
    (re.compile(r"\bprint\([^)\n]*\.tolist\(\)"), "prints a list (use relubook.tables)"),
    (re.compile(r"\bprint\([^\n]*\bnp\.round\("), "prints a numpy array (use relubook.tables)"),
    (re.compile(r"\bprint\([^\n]*\blist\((?:depths|range)"), "prints a list of numpy integers"),
    (re.compile(r"\bprint\([^\n]*\b(?:sp|sympy|symbolic)\.|\bprint\(sym\b"),
     "prints a sympy result as text (tables.equations typesets it)"),
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_visible_code_prints_no_reprs(page):
    problems = []
    for body in visible_cells(page.read_text(encoding="utf-8")):
        for pattern, why in REPR_IDIOMS:
            problems += [f"{m.group(0)!r}: {why}" for m in pattern.finditer(body)]
    assert not problems, f"{page.name}: {problems}"


#: A field padded to a width in a format string (``{name:16s}``, ``{v:>9.1f}``): columns of text.
PADDED_FIELD = re.compile(r"\{[^{}\n]*:[<>^=]?\d+(?:\.\d+)?[a-z%]?\}")


def printed_tables(body: str) -> list[str]:
    """The lines of a code cell that print a table as text: a print with padded fields, a print
    inside a loop (one line per row), or a DataFrame's ``to_string``."""
    found, loops = [], []  # indentation of the open for/while statements
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        while loops and indent <= loops[-1]:
            loops.pop()
        if ".to_string(" in line:
            found.append(f"{line.strip()} (a DataFrame printed as text)")
        elif "print(" in line and PADDED_FIELD.search(line):
            found.append(f"{line.strip()} (padded columns)")
        elif "print(" in line and loops:
            found.append(f"{line.strip()} (one printed line per row)")
        if re.match(r"\s*(for|while)\b.*:\s*$", line):
            loops.append(indent)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_tables_are_book_tables(page):
    problems = [t for body in visible_cells(page.read_text(encoding="utf-8")) for t in printed_tables(body)]
    assert not problems, (f"{page.name} prints tables as text; use relubook.tables.table (numbered, captioned) "
                          f"and refer to it with {{numref}}: {problems}")


CLOCK = re.compile(r"\btime\.(perf_counter|process_time|time|monotonic)\b|\bdatetime\.now\b|\.seconds\b")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_clock_reaches_the_page(page):
    """A rebuild prints the same numbers: no chapter reads a clock (a duration in the prose or a
    glued number changes with the machine and its load)."""
    found = [m.group(0) for body in CODE_CELL.findall(page.read_text(encoding="utf-8")) for m in CLOCK.finditer(body[1])]
    assert not found, f"{page.name} reads a clock: {found}"


def test_the_checks_can_fail():
    assert printed_tables('for n in ns:\n    print(n, f(n))\n')
    assert printed_tables('print(f"{name:16s} {v:.2e}")\n') and printed_tables("print(df.to_string())\n")
    assert not printed_tables('for n in ns:\n    rows.append(n)\nprint(f"{len(rows)} rows, error {e:.1e}")\n')
    assert WORKSHOP.search("as the seed chapter says") and WORKSHOP.search("see paper 001")
    assert not WORKSHOP.search("fix the random seed with rb.seed(0)")
    assert REPR_IDIOMS[0][0].search("print(net, net(x))")
    assert REPR_IDIOMS[-1][0].search("print(sp.simplify(expr))") and REPR_IDIOMS[-1][0].search("print(symbolic.layer_rate())")
