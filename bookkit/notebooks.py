"""The notebook edition: one plain ``.ipynb`` per chapter, for instructors and for students.

A chapter's MyST source reads as the page only inside Sphinx: ``{glue:text}`` placeholders,
``{prf:ref}``/``{cite:p}`` roles, theorem and exercise directives, ``{only}`` blocks, hidden check
cells and the book's math macros mean nothing to JupyterLab, VS Code or Colab.  This module writes
notebooks that need no extension (``make notebooks``, ``python -m bookkit.notebooks``):

* **glued numbers** are filled in with the values of the executed build (the jupyter-cache of
  ``make book``, matched on the chapter's code exactly as myst-nb matches it; or, with
  ``--execute``, from running the chapter once, as Binder's ``postBuild`` does);
* **cross-references and citations** become readable text ("Definition 1.2", "Fig. 3.1",
  "Glorot et al., 2011") with links to the online page and to the bibliography;
* **definition/theorem/proof/exercise boxes and admonitions** become a bold heading line and a
  quote block;
* the **math macros** of ``_config.yml`` (``\\ReLU``, ``\\R`` ...) are expanded in place, so that
  MathJax (JupyterLab, Colab) and KaTeX (VS Code) alike show them;
* the **set-up cell** is the first code cell and is visible, so "Run all" works anywhere;
* **teaching notes and solutions** appear only in the instructor notebooks; in the student
  notebooks every exercise whose answer is code gets an answer cell (``name = None`` for what the
  student defines) followed by its checker call, unless the chapter already has such a cell;
* **hidden check cells** (``remove-cell``) stay in place with their source collapsed
  (``jupyter.source_hidden``), because later cells use what they compute; the student notebooks
  leave out the ones that check exercise solutions, whose code would give the answer away (the
  same rule as the student site's downloads, :func:`bookkit.editions.student_download_text`).

Why not sphinx-tojupyter (QuantEcon's builder): it translates the doctree, which would resolve
references for free, but it would need a second full Sphinx build per edition and its own
translators for sphinx-proof, sphinx-exercise and myst-nb's glue nodes, and it has no notion of a
student answer cell.  jupytext/myst-nb's reader splits cells; the rest is this module, on the same
block parser as the student edition (:func:`bookkit.editions.blocks`).

Anything the converter does not know fails loudly (:class:`NotebookError`, with the chapter and
the line): an unknown directive or role, a glue key without a value, a label it cannot resolve.
Nothing is written with raw MyST syntax left in it (:func:`myst_remnants`).
"""

from __future__ import annotations

import ast
import builtins
import functools
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import editions

__all__ = [
    "EDITIONS",
    "NotebookError",
    "Target",
    "BookContext",
    "book_context",
    "chapter_numbers",
    "convert",
    "glue_from_cache",
    "glue_by_executing",
    "label_index",
    "launch_urls",
    "myst_remnants",
    "notebook_pages",
    "read_bib",
    "repository",
    "site_url",
    "write_notebooks",
]

EDITIONS = ("instructor", "student")
#: file written into the output folder once every notebook and zip of a run is there
COMPLETE = ".complete"
#: tags each edition's ``{only}`` expressions are evaluated against
EDITION_TAGS = {
    "instructor": ("instructor", "html", "format_html", "builder_html"),
    "student": editions.STUDENT_TAGS,
}
PRF_TYPES = ("axiom", "theorem", "lemma", "algorithm", "definition", "remark", "conjecture", "corollary",
             "criterion", "example", "property", "observation", "proposition", "assumption", "notation")
ADMONITIONS = ("admonition", "note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso")
CHECK_TAG = "relubook-check"


class NotebookError(ValueError):
    """A chapter the converter cannot turn into a plain notebook: says the file, line and what."""

    def __init__(self, page: str, line: int | None, message: str):
        self.page, self.line, self.message = page, line, message
        where = f"{page}.md" + (f":{line}" if line else "")
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------
# the one place that names the public repository, and the links built from it


def repository(config: dict) -> tuple[str, str, str]:
    """``(url, owner, name)`` of the public repository: ``repository.url`` in ``_config.yml``.

    That key is the one place that names it; the Binder, repository and issue buttons, the site
    address and the notebooks' links are all built from it.  To point the book at a fork, change
    that one line.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict (a loaded _config.yml), got {type(config).__name__}")
    url = str((config.get("repository") or {}).get("url") or "").rstrip("/")
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?", url)
    if not m:
        raise ValueError(f"config repository.url must be https://github.com/OWNER/NAME, got {url!r}")
    return url, m.group(1), m.group(2)


def site_url(config: dict) -> str:
    """The online book's address: ``html.baseurl`` if set, else the repository's GitHub Pages."""
    base = str((config.get("html") or {}).get("baseurl") or "").rstrip("/")
    if base:
        return base
    _, owner, name = repository(config)
    return f"https://{owner.lower()}.github.io/{name}"


def launch_urls(config: dict, docname: str) -> dict[str, str]:
    """Every link a page offers to leave the site: Binder (opening the generated notebook),
    the repository, the issue tracker, the page's source and the online page itself."""
    url, owner, name = repository(config)
    branch = (config.get("repository") or {}).get("branch") or "main"
    binder = ((config.get("launch_buttons") or {}).get("binderhub_url") or "").rstrip("/")
    stem = Path(docname).name
    out = {
        "repository": url,
        "issues": f"{url}/issues",
        "source": f"{url}/blob/{branch}/{docname}.md",
        "page": f"{site_url(config)}/{docname}.html",
    }
    if binder:
        out["binder"] = f"{binder}/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{BINDER_NOTEBOOKS}/{stem}.ipynb"
    return out


#: where Binder's postBuild writes the instructor notebooks (relative to the repository root)
BINDER_NOTEBOOKS = "_build/notebooks/instructor"


# --------------------------------------------------------------------------------------------
# what the whole book knows: labels, numbers, bibliography


@dataclass
class Target:
    label: str
    page: str  # docname
    kind: str  # "section", "figure", "table", "exercise", a prf type, or "target"
    number: str  # "1.2", or "" where unnumbered
    title: str
    line: int = 0

    def text(self) -> str:
        """How a reference to it reads without an explicit title (as Sphinx writes it)."""
        if self.kind == "section" or self.kind == "target":
            return self.title
        if self.kind == "figure":
            return f"Fig. {self.number}".strip()
        if self.kind == "table":
            return f"Table {self.number}".strip()
        return f"{self.kind.title()} {self.number}".strip()


def _load_yaml(path: Path):
    from . import safe_load_yaml

    return safe_load_yaml(path.read_text())


def chapter_numbers(toc: dict) -> dict[str, int]:
    """``{docname: number}`` for the pages of numbered parts (numbering runs on across parts,
    as Jupyter Book's multi-toc numbering does)."""
    if not isinstance(toc, dict):
        raise TypeError(f"toc must be a dict (a loaded _toc.yml), got {type(toc).__name__}")
    out, n = {}, 0
    for part in toc.get("parts", []) or []:
        if not part.get("numbered"):
            continue
        for ch in part.get("chapters", []) or []:
            n += 1
            out[ch["file"]] = n
    return out


_TARGET_LINE = re.compile(r"^\(([^()\s]+)\)=\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _options(body: list[str]) -> tuple[dict, int]:
    """Directive options at the start of a body (``:key: value`` lines or a YAML block);
    returns the options and the index of the first content line."""
    opts, i = {}, 0
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), None)
        if end is not None:
            from . import safe_load_yaml

            opts = safe_load_yaml("\n".join(body[1:end])) or {}
            return (opts if isinstance(opts, dict) else {}), end + 1
    while i < len(body):
        m = re.match(r"^\s*:([\w-]+):\s*(.*?)\s*$", body[i])
        if not m:
            break
        opts[m.group(1)] = m.group(2)
        i += 1
    return opts, i


#: a table made by relubook.tables.table(..., label="tab-...") in a code cell
# a table's label in a code cell: label="tab-..." or, for a call that draws several tables, a literal
# tuple, list or dict of them (label={50: "tab-a", 101: "tab-b"}), numbered in the order written
_TABLE_CALL = re.compile(r"""\blabels?\s*=\s*(["']tab-[\w:.-]+["']|[(\[{][^)\]}]*[)\]}])""")
_TABLE_LABEL = re.compile(r"""["'](tab-[\w:.-]+)["']""")


def _strip_md(title: str) -> str:
    return re.sub(r"[*_`]", "", title).strip()


def _page_targets(text: str, page: str, chapter: int | None) -> list[Target]:
    lines = text.split("\n")
    out: list[Target] = []
    prefix = f"{chapter}." if chapter else ""
    counters: dict[str, int] = {}
    figures: list[tuple[int, str | None, str]] = []
    tables: list[tuple[int, str | None, str]] = []  # {table} directives and relubook.tables.table calls
    nb = _read_myst(text)
    for cell, start in zip(nb.cells, nb.metadata.get("source_map", [])):
        fig = (cell.metadata.get("mystnb") or {}).get("figure") if cell.cell_type == "code" else None
        if isinstance(fig, dict):
            figures.append((start, fig.get("name"), str(fig.get("caption", ""))))
        if cell.cell_type == "code":
            for m in _TABLE_CALL.finditer(cell.source):
                for lab in _TABLE_LABEL.findall(m.group(1)):
                    tables.append((start, lab, ""))

    def number(kind):
        counters[kind] = counters.get(kind, 0) + 1
        return f"{prefix}{counters[kind]}"

    for b in editions.blocks(text):
        body = b.body(lines)
        opts, _ = _options(body)
        name = b.name or ""
        kind = None
        if name.startswith("prf:") and name[4:] in PRF_TYPES:
            kind = name[4:]
        elif name in ("exercise", "exercise-start"):
            kind = "exercise"
        elif name == "figure":
            kind = "figure"
        elif name in ("table", "list-table", "csv-table"):
            kind = "table"
        if kind is None:
            continue
        if kind == "figure":  # numbered below, together with the figures of code cells
            figures.append((b.start, opts.get("name"), _strip_md("\n".join(body[_options(body)[1]:]).strip())))
            continue
        if kind == "table" and "nonumber" not in opts:  # numbered below, with the tables of code cells
            tables.append((b.start, opts.get("label") or opts.get("name"), _strip_md(b.arg)))
            continue
        label = opts.get("label") or opts.get("name")
        nonumber = "nonumber" in opts
        num = "" if nonumber else number(kind)
        if label:
            out.append(Target(str(label), page, kind, num, _strip_md(b.arg), b.start + 1))
    for start, name, caption in sorted(figures, key=lambda f: f[0]):
        num = number("figure")
        if name:
            out.append(Target(str(name), page, "figure", num, caption, start + 1))
    for start, name, caption in sorted(tables, key=lambda f: f[0]):
        num = number("table")
        if name:
            out.append(Target(str(name), page, "table", num, caption, start + 1))
    # (label)= targets: a section title when a heading follows
    inside = set()
    for b in editions.blocks(text):
        inside.update(range(b.start + 1, b.end + 1))
    for i, line in enumerate(lines):
        m = _TARGET_LINE.match(line)
        if not m or i in inside:
            continue
        nxt = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
        h = _HEADING.match(nxt)
        if h:
            title = _strip_md(h.group(2))
            out.append(Target(m.group(1), page, "section", "", title, i + 1))
        else:
            out.append(Target(m.group(1), page, "target", "", m.group(1), i + 1))
    return out


def label_index(root, toc: dict | None = None) -> dict[str, Target]:
    """Every label of the book at ``root`` (sections, figures, theorems, exercises, tables)."""
    root = Path(root)
    toc = toc if toc is not None else _load_yaml(root / "_toc.yml")
    numbers = chapter_numbers(toc)
    index: dict[str, Target] = {}
    for page in editions.toc_pages(toc):
        path = root / f"{page}.md"
        if not path.is_file():
            continue
        for t in _page_targets(path.read_text(), page, numbers.get(page)):
            if t.label in index:
                other = index[t.label]
                raise NotebookError(page, t.line, f"label {t.label!r} is also defined in {other.page}.md:{other.line}")
            index[t.label] = t
    return index


def read_bib(path) -> dict[str, tuple[str, str]]:
    """``{key: (authors, year)}`` of a BibTeX file, authors as an author-year citation writes
    them ("Nair and Hinton", "Glorot et al."); an entry without authors gives its title."""
    text = Path(path).read_text()
    out = {}
    for m in re.finditer(r"^@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\}", text, re.M | re.S):
        key, body = m.group(1), m.group(2)
        fields = {}
        for f in re.finditer(r"(\w+)\s*=\s*(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}|\"[^\"]*\"|\d+)", body):
            fields[f.group(1).lower()] = f.group(2).strip("{}\"")
        year = re.sub(r"[{}]", "", fields.get("year", "n.d."))
        author = fields.get("author", "")
        if author:
            names = [a.strip() for a in re.split(r"\s+and\s+", author) if a.strip()]
            lasts = []
            for a in names:
                a = re.sub(r"[{}]", "", a)
                lasts.append(a.split(",")[0].strip() if "," in a else a.split()[-1])
            if "others" in lasts or len(lasts) > 2:
                who = f"{lasts[0]} et al."
            elif len(lasts) == 2:
                who = f"{lasts[0]} and {lasts[1]}"
            else:
                who = lasts[0]
        else:
            who = re.sub(r"[{}]", "", fields.get("title", key))
        out[key] = (who, year)
    return out


@dataclass
class BookContext:
    """What converting one chapter needs to know about the whole book."""

    index: dict
    bib: dict
    macros: dict
    site: str
    chapters: dict
    titles: dict  # docname -> page title
    config: dict


def book_context(root) -> BookContext:
    root = Path(root)
    config = _load_yaml(root / "_config.yml")
    toc = _load_yaml(root / "_toc.yml")
    macros = (((config.get("sphinx") or {}).get("config") or {}).get("mathjax3_config") or {}).get("tex", {}).get("macros", {})
    bibs = [root / b for b in config.get("bibtex_bibfiles", [])]
    bib = {}
    for b in bibs:
        bib.update(read_bib(b))
    titles = {}
    for page in editions.toc_pages(toc):
        if (root / f"{page}.md").is_file():
            titles[page] = editions._page_title((root / f"{page}.md").read_text())
    return BookContext(label_index(root, toc), bib, dict(macros), site_url(config), chapter_numbers(toc), titles, config)


# --------------------------------------------------------------------------------------------
# glue values


def _read_myst(text: str, config: dict | None = None):
    """The page as myst-nb reads it (a fresh copy each call: callers change it)."""
    import copy

    exts = frozenset(((config or {}).get("parse") or {}).get("myst_enable_extensions") or [])
    return copy.deepcopy(_read_myst_once(text, exts))


@functools.lru_cache(maxsize=64)
def _read_myst_once(text: str, exts: frozenset):
    """Parsing a page takes about 0.1 s, and one run reads the instructor text twice (glue, conversion)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    return read_myst_markdown_notebook(text, config=MdParserConfig(enable_extensions=set(exts)), add_source_map=True)


def _glue_in(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = meta.get("mime_prefix", "")
            data = {k[len(prefix):]: v for k, v in output.get("data", {}).items()}
            if "text/plain" in data:
                out[meta["name"]] = data["text/plain"]
    return out


def glue_from_cache(text: str, cache, config: dict | None = None) -> dict[str, str] | None:
    """The glued values (``{key: text/plain}``) of the executed chapter ``text`` in the
    jupyter-cache ``cache`` (a folder), matched as myst-nb matches it; None if not cached."""
    from jupyter_cache import get_cache

    cache = Path(cache)
    if not (cache / "global.db").is_file():
        return None
    nb = _read_myst(text, config)
    try:
        _, merged = get_cache(str(cache)).merge_match_into_notebook(nb)
    except KeyError:
        return None
    return _glue_in(merged)


def glue_by_executing(text: str, cwd, config: dict | None = None, timeout: int = 600) -> dict[str, str]:
    """Run the chapter once (nbclient, in ``cwd``) and return its glued values."""
    from nbclient import NotebookClient

    nb = _read_myst(text, config)
    nb.cells = [c for c in nb.cells if not (c.cell_type == "code" and "skip-execution" in c.metadata.get("tags", []))]
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return _glue_in(nb)


# --------------------------------------------------------------------------------------------
# the conversion of one chapter


_ROLE_OR_CODE = re.compile(r"\{(?P<role>[\w:.+-]+)\}`(?P<content>[^`]*)`|(?P<code>`+)(?P<span>.+?)(?P=code)", re.S)
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>\s*$", re.S)


class _Converter:
    def __init__(self, ctx: BookContext, page: str, edition: str, glue: dict, line0: int = 0):
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
        self.ctx, self.page, self.edition, self.glue = ctx, page, edition, glue
        self.line0 = line0
        self.used_glue: set[str] = set()
        self.exercise_no = 0

    # -- errors
    def fail(self, line, message):
        raise NotebookError(self.page, line, message)

    # -- links
    def url(self, page: str, anchor: str | None = None) -> str:
        return f"{self.ctx.site}/{page}.html" + (f"#{anchor}" if anchor else "")

    # -- inline
    def inline(self, text: str, line: int) -> str:
        def sub(m):
            if m.group("code"):
                return m.group(0)
            role, content = m.group("role"), m.group("content")
            at = line + text[: m.start()].count("\n")
            return self.role(role, content, at)

        text = _ROLE_OR_CODE.sub(sub, text)
        return self.expand_macros(text)

    def expand_macros(self, text: str) -> str:
        # outside inline code spans only
        parts = re.split(r"(`+[^`]*`+)", text)
        for k in range(0, len(parts), 2):
            for name, body in self.ctx.macros.items():
                body = body[0] if isinstance(body, (list, tuple)) else body
                parts[k] = re.sub(rf"\\{re.escape(name)}(?![A-Za-z])", lambda _m, b=body: b, parts[k])
        return "".join(parts)

    def ref_target(self, label: str, line: int) -> Target:
        t = self.ctx.index.get(label)
        if t is None:
            self.fail(line, f"cannot resolve the reference {label!r} (no such label in the book)")
        return t

    def role(self, role: str, content: str, line: int) -> str:
        if role in ("glue", "glue:text", "glue:md"):
            key, _, fmt = content.partition(":")
            key = key.split("::")[-1].strip()
            if key not in self.glue:
                self.fail(line, f"the glue key {key!r} has no value in the executed build")
            self.used_glue.add(key)
            from myst_nb.core.variables import format_plain_text

            try:
                return format_plain_text(self.glue[key], fmt)
            except (ValueError, TypeError) as exc:
                self.fail(line, f"cannot format glue key {key!r} with {fmt!r}: {exc}")
        if role in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "cite:author", "cite:year"):
            items = []
            for key in [k.strip() for k in content.split(",") if k.strip()]:
                if key not in self.ctx.bib:
                    self.fail(line, f"cannot resolve the citation {key!r} (not in the bibliography)")
                who, year = self.ctx.bib[key]
                link = self.url("book/bibliography")
                if role.startswith("cite:t"):
                    items.append(f"[{who} ({year})]({link})")
                elif role == "cite:author":
                    items.append(f"[{who}]({link})")
                elif role == "cite:year":
                    items.append(f"[{year}]({link})")
                else:
                    items.append(f"[{who}, {year}]({link})")
            if role.startswith("cite:t") or role in ("cite:author", "cite:year"):
                return ", ".join(items)
            return "(" + "; ".join(items) + ")"
        if role in ("ref", "numref", "prf:ref", "doc", "term", "eq"):
            m = _EXPLICIT.match(content)
            explicit, target = (m.group("text").strip(), m.group("target").strip()) if m else (None, content.strip())
            if role == "doc":
                page = target.lstrip("/")
                if page not in self.ctx.titles:
                    self.fail(line, f"cannot resolve the document {target!r}")
                return f"[{explicit or self.ctx.titles[page]}]({self.url(page)})"
            if role == "term":
                return f"[{explicit or target}]({self.url('book/glossary', 'term-' + re.sub(r'[^a-z0-9]+', '-', target.lower()).strip('-'))})"
            if role == "eq":
                return f"({target})"
            t = self.ref_target(target, line)
            if role == "numref" and explicit:
                text = explicit.replace("%s", t.number).replace("{number}", t.number).replace("{name}", t.title)
            else:
                text = explicit or t.text()
            anchor = None if t.kind == "section" and _is_page_top(t) else t.label
            return f"[{text}]({self.url(t.page, anchor)})"
        if role in ("math",):
            return f"${content}$"
        if role in ("sub", "sup"):
            return f"<{role}>{content}</{role}>"
        if role == "abbr":
            return re.sub(r"\s*\(.*\)$", "", content)
        if role in ("kbd", "code", "samp", "file", "command", "program"):
            return f"`{content}`"
        self.fail(line, f"unknown role {{{role}}}: the notebook converter does not know it (bookkit/notebooks.py)")

    # -- blocks
    def markdown(self, text: str, line: int) -> list:
        """``text`` (markdown starting at file line ``line``) as pieces: ("md", str) and ("code", cell)."""
        lines = text.split("\n")
        pieces: list = []
        buf: list[str] = []
        buf_line = line

        def flush():
            nonlocal buf
            chunk = self.plain("\n".join(buf), buf_line)
            if chunk.strip():
                pieces.append(("md", chunk))
            buf = []

        top = [b for b in editions.blocks(text) if b.depth == 0]
        pos = 0
        for b in top:
            if not buf:
                buf_line = line + pos
            buf.extend(lines[pos : b.start])
            flush()
            pieces.extend(self.block(b, lines, line))
            pos = b.end + 1
            buf_line = line + pos
        buf.extend(lines[pos:])
        flush()
        return pieces

    def plain(self, text: str, line: int) -> str:
        """Markdown outside any block: labels and comments dropped, roles and macros resolved."""
        out = []
        for ln in text.split("\n"):
            if _TARGET_LINE.match(ln) or re.match(r"^\s*%", ln):
                continue
            out.append(ln)
        text = "\n".join(out)
        text = self.inline(text, line)
        h = re.match(r"^(#)\s+(.+)$", text.strip().split("\n")[0]) if text.strip() else None
        if h and self.page in self.ctx.chapters:
            first = text.strip().split("\n")[0]
            text = text.replace(first, f"# {self.ctx.chapters[self.page]}. {h.group(2)}", 1)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")

    def block(self, b, lines, line0) -> list:
        name, at = b.name, line0 + b.start
        body = b.body(lines)
        if name is None:  # a plain code fence, or a bare ::: container
            raw = "\n".join(lines[b.start : b.end + 1])
            if raw.lstrip().startswith(":::"):
                return self.markdown("\n".join(body), at + 1)
            return [("md", "\n".join(ln[len(b.indent):] if ln.startswith(b.indent) else ln for ln in lines[b.start : b.end + 1]))]
        opts, first = _options(body)
        content_line = at + 1 + first
        content = "\n".join(body[first:])
        if name in ("code", "code-block", "sourcecode"):
            return [("md", f"```{b.arg}\n{content}\n```")]
        if name == "math":
            return [("md", self.expand_macros(f"$$\n{content}\n$$"))]
        if name == "only":
            from sphinx.util.tags import Tags

            try:
                show = Tags(list(EDITION_TAGS[self.edition])).eval_condition(b.arg)
            except Exception as exc:
                self.fail(at, f"cannot evaluate the {{only}} expression {b.arg!r}: {exc}")
            return self.markdown(content, content_line) if show else []
        if name.startswith("prf:") and name[4:] in PRF_TYPES + ("proof",):
            kind = name[4:]
            if kind == "proof":
                head = "*Proof.*"
                inner = self.markdown(content, content_line)
                return self.boxed(head, inner, end=" $\\blacksquare$")
            label = opts.get("label")
            t = self.ctx.index.get(label) if label else None
            number = t.number if t else ""
            title = self.inline(b.arg, at) if b.arg else ""
            head = "**" + f"{kind.title()} {number}".strip() + (f" ({title})" if title else "") + "**"
            return self.boxed(head, self.markdown(content, content_line))
        if name in ("exercise", "exercise-start"):
            label = opts.get("label")
            t = self.ctx.index.get(label) if label else None
            number = t.number if t else ""
            title = self.inline(b.arg, at) if b.arg else ""
            head = "**" + f"Exercise {number}".strip() + (f" ({title})" if title else "") + "**"
            pieces = self.boxed(head, self.markdown(content, content_line))
            if self.edition == "student":
                pieces.append(("answer", {"label": label, "number": number, "text": content, "line": at}))
            return pieces
        if name in ("solution", "solution-start"):
            if self.edition == "student":
                self.fail(at, "a solution in the student edition (the student copy should have cut it)")
            target = self.ctx.index.get(b.arg.split()[0]) if b.arg else None
            head = f"**Solution to {target.text() if target else 'the exercise'}**"
            return self.boxed(head, self.markdown(content, content_line))
        if name in ("exercise-end", "solution-end"):
            return []
        if name in ADMONITIONS:
            title = b.arg if name == "admonition" else (b.arg or name.title())
            if name == "seealso" and not b.arg:
                title = "See also"
            head = f"**{self.inline(title, at)}**" if title else ""
            return self.boxed(head, self.markdown(content, content_line))
        if name == "figure":
            cap = self.inline(content.strip(), content_line)
            label = opts.get("name")
            t = self.ctx.index.get(label) if label else None
            alt = opts.get("alt", "")
            return [("md", f"![{alt}]({b.arg})\n\n*{t.text() + '. ' if t else ''}{cap}*")]
        if name == "code-cell":
            self.fail(at, "a code cell nested in a directive (the notebook cannot hold it)")
        self.fail(at, f"unknown directive {{{name}}}: the notebook converter does not know it (bookkit/notebooks.py)")

    def boxed(self, head: str, inner: list, end: str = "") -> list:
        """A heading line and a quote block; code pieces inside stay cells after the box."""
        md = [p[1] for p in inner if p[0] == "md"]
        rest = [p for p in inner if p[0] != "md"]
        body = "\n\n".join(md)
        if end:
            body = body.rstrip() + end
        quoted = "\n".join(("> " + ln) if ln.strip() else ">" for ln in (([head, ""] if head else []) + body.split("\n")))
        return [("md", quoted)] + rest


def _is_page_top(t: Target) -> bool:
    return t.kind == "section" and t.line <= 20


def _cell_source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _defined_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


_CHECK_CALL_START = re.compile(r"(?<![\w.])(?:(?:relubook|rb)\.)?(?:checks\.\w+|\w+_checks)\.\w+\s*\(")


def _checker_calls(text: str) -> list[str]:
    """Checker calls in an exercise's text: whole ```python blocks that call one, else inline
    code spans that are a call."""
    calls = []
    for m in re.finditer(r"```(?:python|ipython3?)\n(.*?)\n\s*```", text, re.S):
        if _CHECK_CALL_START.search(m.group(1)):
            calls.append(m.group(1).strip())
    if calls:
        return calls
    for m in re.finditer(r"(?<!\})`([^`\n]+)`", text):
        span = m.group(1).strip()
        if _CHECK_CALL_START.match(span) and span.endswith(")"):
            calls.append(span)
    return calls


def _answer_names(call: str, defined: set[str]) -> list[str]:
    try:
        tree = ast.parse(call)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _CHECK_CALL_START.match(ast.unparse(node.func) + "("):
            args = list(node.args) + [k.value for k in node.keywords]
            for k, a in enumerate(args):
                # a name, or the names in a list or tuple literal ([s0, s1, s2, s3])
                items = a.elts if isinstance(a, (ast.List, ast.Tuple)) else [a]
                for b in items:
                    if isinstance(b, ast.Name) and b.id not in vars(builtins) and (k == 0 or b.id not in defined):
                        if b.id not in names:
                            names.append(b.id)
    return names


def convert(text: str, page: str, edition: str, ctx: BookContext, glue: dict) -> "object":
    """The notebook (an ``nbformat`` node) of one chapter's MyST ``text`` for ``edition``.

    ``text`` is the full source; the student edition cuts solutions and teaching notes itself.
    ``glue`` maps glue keys to their ``text/plain`` values from the executed build.  Raises
    :class:`NotebookError` on anything it cannot convert, and if a MyST construct survives.
    """
    import nbformat

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    if not isinstance(glue, dict):
        raise TypeError(f"glue must be a dict of key -> text/plain value, got {type(glue).__name__}")
    src = editions.student_download_text(editions.strip_for_students(text)) if edition == "student" else text
    # line numbers of the original file: map each line of src back (student text drops lines)
    line_of = _line_map(text, src)
    nb_in = _read_myst(src, ctx.config)
    smap = nb_in.metadata.pop("source_map", [])
    conv = _Converter(ctx, page, edition, glue)
    cells = []
    first_code = True
    src_lines = src.split("\n")
    for k, cell in enumerate(nb_in.cells):
        k0 = smap[k] if k < len(smap) else 0
        while k0 < len(src_lines) - 1 and not src_lines[k0].strip():  # the reader strips blank lines
            k0 += 1
        start = line_of(k0)
        if cell.cell_type == "markdown":
            prev_md = False
            for kind, piece in conv.markdown(_cell_source(cell), start):
                if kind == "md" and prev_md:  # one markdown cell of the source stays one cell
                    cells[-1].source += "\n\n" + piece
                elif kind == "md":
                    cells.append(nbformat.v4.new_markdown_cell(piece))
                elif kind == "code":
                    cells.append(piece)
                else:
                    cells.append(("answer", piece))
                prev_md = kind == "md"
            continue
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        meta = {k2: v for k2, v in cell.metadata.items() if k2 not in ("tags", "mystnb")}
        source = _cell_source(cell)
        if first_code:
            first_code = False
            tags = [t for t in tags if t not in ("remove-cell", "remove-input", "hide-input", "hide-cell")]
            source = "# Set-up: run this cell first (the book runs it hidden at the top of the page).\n" + source
        elif "remove-cell" in tags:
            tags = [t for t in tags if t != "remove-cell"] + [CHECK_TAG]
            meta["jupyter"] = {"source_hidden": True}
            source = "# Hidden check (the book runs it without showing it): the claims above hold.\n" + source
        elif "hide-input" in tags or "hide-cell" in tags:
            meta["jupyter"] = {"source_hidden": True}
        if "skip-execution" in tags and "nbval-skip" not in tags:
            tags.append("nbval-skip")
        if tags:
            meta["tags"] = tags
        code = nbformat.v4.new_code_cell(source, metadata=meta)
        cells.append(code)
        fig = (cell.metadata.get("mystnb") or {}).get("figure") or {}
        if fig.get("caption"):
            t = ctx.index.get(fig.get("name", ""))
            cap = conv.inline(str(fig["caption"]), start)
            cells.append(nbformat.v4.new_markdown_cell(f"*{t.text() + '. ' if t else ''}{cap}*"))
    cells = _answer_cells(cells, conv)
    front = nb_in.metadata
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(front.get("kernelspec") or {"name": "python3", "display_name": "Python 3",
                                                                   "language": "python"})
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["relubook"] = {"edition": edition, "source": f"{page}.md"}
    links = launch_urls(ctx.config, page)
    title = ctx.titles.get(page, page)
    head = (f"*{ctx.config.get('title', 'relubook')}*, {edition} notebook of "
            f"[{title}]({links['page']}), generated from `{page}.md` by `make notebooks`. "
            "Run the cells in order (or *Run All*): the first code cell sets up.")
    nb.cells = [nbformat.v4.new_markdown_cell(head)] + cells
    for k, cell in enumerate(nb.cells):  # stable ids (nbformat draws random ones): a rebuild writes the same file
        cell["id"] = f"{Path(page).name[:40]}-{k}"
    problems = myst_remnants(nb, ctx.macros)
    if problems:
        raise NotebookError(page, None, "MyST syntax left in the notebook: " + "; ".join(problems[:5]))
    nbformat.validate(nb)
    return nb


def _line_map(full: str, src: str):
    """A function: line index in ``src`` (0-based) -> line number in ``full`` (1-based)."""
    if full == src:
        return lambda i: i + 1
    a, b = full.split("\n"), src.split("\n")
    mapping, j = [], 0
    for line in b:
        while j < len(a) and a[j] != line:
            j += 1
        mapping.append(j + 1 if j < len(a) else len(a))
        j = min(j + 1, len(a))
    return lambda i: mapping[i] if 0 <= i < len(mapping) else i + 1


def _answer_cells(cells: list, conv: _Converter) -> list:
    """Replace the ("answer", info) markers by an answer cell and a checker cell, unless the
    chapter's next code cell already calls the checker."""
    import nbformat

    out = []
    defined: set[str] = set()
    for k, c in enumerate(cells):
        if isinstance(c, tuple):
            info = c[1]
            calls = _checker_calls(info["text"])
            if not calls:
                continue
            nxt = next((d for d in cells[k + 1 :] if not isinstance(d, tuple) and d.cell_type == "code"), None)
            funcs = {m.group(0).rstrip("( ").split(".")[-1] for call in calls for m in _CHECK_CALL_START.finditer(call)}
            if nxt is not None and CHECK_TAG not in nxt.metadata.get("tags", []) and any(
                    re.search(rf"\.{f}\s*\(", _cell_source(nxt)) for f in funcs):
                nidx = cells.index(nxt)
                between = cells[k + 1 : nidx]
                if not any(not isinstance(d, tuple) and d.cell_type == "markdown" and "**Exercise" in _cell_source(d)
                           for d in between):
                    continue  # the chapter already has an answer cell with the checker
            names = []
            for call in calls:
                names += [n for n in _answer_names(call, defined) if n not in names]
            which = f"Exercise {info['number']}".strip()
            lines = [f"# Your answer to {which}: " + ("replace None below, then run the checker cell." if names
                                                      else "fill in the ... of the checker call below, then run it.")]
            lines += [f"{n} = None" for n in names]
            out.append(nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["answer"]}))
            call_text = "\n\n".join(calls)
            if re.search(r"(?<![\w.])relubook\.", call_text) and "relubook" not in defined | _defined_names(call_text):
                call_text = "import relubook.checks\n" + call_text  # the set-up imports it as rb only
            out.append(nbformat.v4.new_code_cell(call_text, metadata={"tags": ["checker"]}))
            continue
        if c.cell_type == "code":
            defined |= _defined_names(_cell_source(c))
        out.append(c)
    return out


_REMNANTS = [
    (re.compile(r"\{glue(:\w+)?\}`"), "a {glue} role"),
    (re.compile(r"\{prf:\w+\}"), "a {prf:...} role or directive"),
    (re.compile(r"\{cite(:\w+)?\}`"), "a {cite} role"),
    (re.compile(r"\{numref\}`"), "a {numref} role"),
    (re.compile(r"\{ref\}`"), "a {ref} role"),
    (re.compile(r"\{term\}`"), "a {term} role"),
    (re.compile(r"\{doc\}`"), "a {doc} role"),
    (re.compile(r"```\s*\{"), "a directive fence"),
    (re.compile(r"^\s*:::", re.M), "a ::: fence"),
    (re.compile(r"\{(exercise|solution|only)[-}]"), "an exercise/solution/only directive"),
    (re.compile(r"^\([^()\s]+\)=\s*$", re.M), "a (label)= target"),
]


def myst_remnants(nb, macros: dict | None = None) -> list[str]:
    """What MyST-only syntax is left in the markdown cells of ``nb`` (empty if none)."""
    problems = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        src = _cell_source(cell)
        plain = re.sub(r"```(?!\s*\{).*?```", "", src, flags=re.S)  # code examples may show anything
        for pattern, what in _REMNANTS:
            if pattern.search(plain):
                problems.append(f"cell {k}: {what}")
        for name in macros or {}:
            if re.search(rf"\\{re.escape(name)}(?![A-Za-z])", plain):
                problems.append(f"cell {k}: the macro \\{name}")
    return problems


# --------------------------------------------------------------------------------------------
# the whole book


def notebook_pages(root) -> list[str]:
    """The pages that become notebooks: every page of the toc that is a MyST notebook (has a
    kernelspec), in book order."""
    root = Path(root)
    out = []
    for page in editions.toc_pages(_load_yaml(root / "_toc.yml")):
        path = root / f"{page}.md"
        if path.is_file():
            head = path.read_text().split("\n---", 1)[0]
            if path.read_text().startswith("---") and "kernelspec:" in head:
                out.append(page)
    return out


def write_notebooks(root, out, pages=None, cache=None, execute=False, editions_=EDITIONS) -> dict[str, list[Path]]:
    """Write ``out/<edition>/<chapter>.ipynb`` for every notebook page (or ``pages``) and a zip
    of each edition, ``out/<edition>/relubook-<edition>-notebooks.zip``.

    Glue values come from the jupyter-cache ``cache`` (default ``root/_build/.jupyter_cache``,
    filled by ``make book``); a chapter missing from it is an error unless ``execute``, which runs
    it once.  Returns the files written per edition.
    """
    import nbformat

    root, out = Path(root).resolve(), Path(out)
    ctx = book_context(root)
    cache = Path(cache) if cache else root / "_build" / ".jupyter_cache"
    all_pages = notebook_pages(root)
    pages = list(pages) if pages else all_pages
    unknown = [p for p in pages if p not in all_pages]
    if unknown:
        raise ValueError(f"pages must be notebook pages of the book ({', '.join(all_pages)}), got {unknown}")
    for ed in editions_:
        if ed not in EDITIONS:
            raise ValueError(f"editions must be among {EDITIONS}, got {ed!r}")
    written: dict[str, list[Path]] = {ed: [] for ed in editions_}
    done = out / COMPLETE
    done.unlink(missing_ok=True)  # written last: a reader of `out` (a test) knows the edition is whole
    for page in pages:
        text = (root / f"{page}.md").read_text()
        glue = glue_from_cache(text, cache, ctx.config)
        if glue is None:
            if not execute:
                raise NotebookError(page, None, f"no executed build of this chapter in {cache}: run `make book` "
                                                "first (or pass --execute to run it here)")
            glue = glue_by_executing(text, root / Path(page).parent, ctx.config)
        # the instructor conversion always runs: it sees every line, so errors name the source line
        nbs = {"instructor": convert(text, page, "instructor", ctx, glue)}
        if "student" in editions_:
            nbs["student"] = convert(text, page, "student", ctx, glue)
        for ed in editions_:
            path = out / ed / f"{Path(page).name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            data = nbformat.writes(nbs[ed]) + "\n"
            if not path.is_file() or path.read_text() != data:
                path.write_text(data)
            written[ed].append(path)
    for ed in editions_:
        folder = out / ed
        keep = {p.name for p in written[ed]} if set(pages) == set(all_pages) else None
        if keep is not None:  # a full run: drop notebooks of pages that left the book
            for old in folder.glob("*.ipynb"):
                if old.name not in keep:
                    old.unlink()
        zpath = folder / f"relubook-{ed}-notebooks.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(folder.glob("*.ipynb")):  # a fixed date: the same notebooks give the same zip
                info = zipfile.ZipInfo(f"relubook-{ed}/{p.name}", date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                z.writestr(info, p.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
        written[ed].append(zpath)
    done.write_text(" ".join(editions_) + "\n")
    return written


def _main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bookkit.notebooks", description=__doc__.split("\n")[0])
    ap.add_argument("root", help="the book's folder (with _config.yml and _toc.yml)")
    ap.add_argument("out", help="where to write <edition>/*.ipynb and the zips, e.g. _build/notebooks")
    ap.add_argument("--pages", nargs="*", help="docnames (book/01_relu ...); default: every notebook page")
    ap.add_argument("--cache", help="the jupyter-cache of the executed build (default _build/.jupyter_cache)")
    ap.add_argument("--execute", action="store_true", help="run chapters missing from the cache (Binder)")
    ap.add_argument("--editions", nargs="*", default=list(EDITIONS), choices=EDITIONS)
    a = ap.parse_args(argv)
    try:
        written = write_notebooks(a.root, a.out, a.pages, a.cache, a.execute, tuple(a.editions))
    except NotebookError as exc:
        print(f"make notebooks: {exc}")
        return 1
    for ed, files in written.items():
        print(f"{ed}: {len([f for f in files if f.suffix == '.ipynb'])} notebooks and {files[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
