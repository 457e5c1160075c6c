"""The book's two editions, from the same sources.

* The **instructor edition** is the default build (``make book``): solutions in dropdowns, teaching
  notes in ``{only} instructor`` blocks, and the instructors' page.
* The **student edition** (``make book-student``) is built from a *student copy* of the sources
  that :func:`write_student_copy` writes: every ``{solution}`` block (colon- or backtick-fenced, at
  any nesting depth, plain or gated ``{solution-start}`` ... ``{solution-end}``) and every
  ``{only}`` block that students would not see is cut out of the text, instructor-only pages are
  dropped from the table of contents, and launch buttons are switched off (a Binder or Thebe link
  would open the full sources in the repository).  Nothing of a solution reaches the page, the
  search index, ``_sources/`` or a download, because it is not in the sources that Sphinx reads.

Why not sphinx-exercise's ``hide_solutions``: with sphinx-exercise 1.2.1 it crashes the HTML writer
on gated solutions (the writer has no visitor for ``solution_end_node``), and it would still leave the
solution text in ``_sources/`` and in the downloadable notebook.

Cutting text never touches code cells outside solutions: :func:`strip_for_students` checks that
every hidden check cell (tag ``remove-cell``) survives, so the student build executes exactly the
code of the full book (and reuses its execution cache).  The hidden cells that check an exercise's
solution are dropped only from the *downloadable* copy of a page, by :func:`student_download_text`.

The module also reads the exercises of the book (:func:`exercises`) for the instructors' page and
lists the text of every solution (:func:`solution_phrases`) for the leak test
(:func:`find_leaks`, run by ``make test-student``).
"""

from __future__ import annotations

import dataclasses
import functools
import html as _html
from html.parser import HTMLParser
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Block",
    "Exercise",
    "INSTRUCTOR_ONLY_PAGES",
    "REMOVED_MARK",
    "blocks",
    "check_leaks",
    "code_cells",
    "exercises",
    "find_leaks",
    "finish_student_site",
    "page_exercises",
    "public_text",
    "solution_phrases",
    "strip_for_students",
    "student_config",
    "student_download_text",
    "toc_pages",
    "write_student_copy",
]

#: pages of the instructor edition that the student edition leaves out (docnames, no suffix)
INSTRUCTOR_ONLY_PAGES = ("book/instructors",)
#: data files with solutions and rubrics that the student copy leaves out
INSTRUCTOR_ONLY_FILES = ("book/_exercises.yml", "book/_course.yml")
#: a MyST comment left where a solution was cut out (comments are not rendered)
REMOVED_MARK = "% (student edition: a solution was removed here)"
#: tags that the student edition sets; an ``{only}`` block false under them is cut out
STUDENT_TAGS = ("student", "html", "format_html", "builder_html")

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<rest>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.+-]+)\}\s*(?P<arg>.*?)\s*$")
# directives whose body is literal text: nothing inside them opens a block
_LITERAL = {"code-cell", "code", "code-block", "sourcecode", "math", "raw", "literalinclude", "eval-rst"}


def _need_str(text, name="text"):
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


@dataclass
class Block:
    """A fenced block of a MyST file: lines ``start`` to ``end`` inclusive (0-based)."""

    start: int
    end: int
    name: str | None  # directive name, or None for a plain code fence
    arg: str
    depth: int
    indent: str = ""
    children: list = field(default_factory=list, repr=False)

    def body(self, lines: list[str]) -> list[str]:
        return lines[self.start + 1 : self.end]


def blocks(text: str) -> list[Block]:
    """Every fenced block of ``text``, outermost first, in order (a flat list; ``depth`` 0 is top).

    Follows CommonMark's fence rules as MyST uses them: a block opened by ``n`` backticks (or
    colons) is closed by a line of at least ``n`` of the same character and nothing else; shorter
    fences inside open nested blocks; the body of a plain code fence or of a literal directive
    (``code-cell``, ``math`` ...) is not parsed.  An unclosed block runs to the end of the text.
    """
    lines = _need_str(text).split("\n")
    out: list[Block] = []
    stack: list[tuple[Block, str, int, bool]] = []  # block, fence char, fence length, literal
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
    for i in range(start, len(lines)):
        line = lines[i]
        if stack:
            blk, ch, n, literal = stack[-1]
            s = line.strip()
            if len(s) >= n and set(s) == {ch}:
                blk.end = i
                stack.pop()
                continue
            if literal:
                continue
        m = _OPEN.match(line)
        if not m:
            continue
        fence, rest = m.group("fence"), m.group("rest")
        if fence[0] == "`" and "`" in rest:  # an inline code span, not a fence
            continue
        d = _DIRECTIVE.match(rest.strip())
        if d:
            name, arg = d.group("name"), d.group("arg")
            literal = name in _LITERAL
        else:
            name, arg = None, rest.strip()
            literal = fence[0] != ":"  # ``` and ~~~ open code; bare ::: opens a plain container
        blk = Block(start=i, end=len(lines) - 1, name=name, arg=arg, depth=len(stack), indent=m.group("indent"))
        if stack:
            stack[-1][0].children.append(blk)
        out.append(blk)
        stack.append((blk, fence[0], len(fence), literal))
    return out


def _only_hidden_from_students(expression: str) -> bool:
    """Whether an ``{only}`` expression is false for the student edition's tags."""
    from sphinx.util.tags import Tags

    expression = expression.strip()
    if not re.search(r"\b(instructor|student)\b", expression):
        return False  # html/latex-only blocks are no business of the editions
    try:
        return not Tags(list(STUDENT_TAGS)).eval_condition(expression)
    except Exception as exc:  # a malformed expression must not silently leak a block
        raise ValueError(f"cannot evaluate the {{only}} expression {expression!r}: {exc}") from exc


def _cut_ranges(lines: list[str], found: list[Block]) -> list[tuple[int, int, str]]:
    """Line ranges to cut (start, end, indent): solutions, gated solutions, hidden ``{only}``."""
    ranges = []
    i = 0
    while i < len(found):
        b = found[i]
        if b.name == "solution" or (b.name == "only" and _only_hidden_from_students(b.arg)):
            ranges.append((b.start, b.end, b.indent, b.name))
        elif b.name == "solution-start":
            end = next((c for c in found[i + 1 :] if c.name == "solution-end" and c.depth == b.depth), None)
            if end is None:
                raise ValueError(f"line {b.start + 1}: {{solution-start}} without a {{solution-end}}")
            ranges.append((b.start, end.end, b.indent, "solution"))
        elif b.name == "solution-end" and not any(r[0] <= b.start <= r[1] for r in ranges):
            raise ValueError(f"line {b.start + 1}: {{solution-end}} without a {{solution-start}}")
        i += 1
    # keep only outermost ranges
    ranges.sort()
    merged: list[tuple[int, int, str, str]] = []
    for r in ranges:
        if merged and r[0] <= merged[-1][1]:
            continue
        merged.append(r)
    return merged


def code_cells(text: str) -> list[str]:
    """The ``{code-cell}`` blocks of a MyST notebook, each as its full text (fences included)."""
    lines = _need_str(text).split("\n")
    return ["\n".join(lines[b.start : b.end + 1]) for b in blocks(text) if b.name == "code-cell"]


def _is_hidden_cell(cell_text: str) -> bool:
    m = re.search(r"^\s*:tags:\s*\[([^\]]*)\]", cell_text, re.M)
    tags = [t.strip().strip("'\"") for t in m.group(1).split(",")] if m else []
    if not tags:  # tags in a YAML option block
        m = re.search(r"^---\s*\n(.*?)\n---", cell_text.split("\n", 1)[-1], re.S)
        if m and "remove-cell" in m.group(1):
            tags = ["remove-cell"]
    return "remove-cell" in tags


def strip_for_students(text: str, mark: bool = True) -> str:
    """``text`` with every solution and every ``{only}`` block hidden from students cut out.

    Where a block was cut, :data:`REMOVED_MARK` (a MyST comment) is left if ``mark``.  Raises
    ``ValueError`` if a hidden ``remove-cell`` code cell would be lost (check cells must run in
    both editions) or if a gated solution is not closed.
    """
    text = _need_str(text)
    lines = text.split("\n")
    ranges = _cut_ranges(lines, blocks(text))
    if not ranges:
        return text
    out: list[str] = []
    pos = 0
    for start, end, indent, _ in ranges:
        out.extend(lines[pos:start])
        if mark:
            out.append(indent + REMOVED_MARK)
        pos = end + 1
    out.extend(lines[pos:])
    result = "\n".join(out)
    before = [c for c in code_cells(text) if _is_hidden_cell(c)]
    after = [c for c in code_cells(result) if _is_hidden_cell(c)]
    if before != after:
        raise ValueError("stripping solutions would remove a hidden check cell; move it out of the solution")
    return result


def _exercise_section(lines: list[str]) -> tuple[int, int] | None:
    start = next((i for i, ln in enumerate(lines) if re.match(r"^##\s+Exercises\s*$", ln)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^#{1,2}\s", lines[i])), len(lines))
    return start, end


def student_download_text(text: str) -> str:
    """The student copy of a page as readers download it (``_sources/``).

    Drops the removal marks and the hidden cells that check exercise solutions: every
    ``remove-cell`` code cell of the ``## Exercises`` section and every one that follows a removed
    solution.  (They run in the build, but their code would give an answer away.)
    """
    lines = _need_str(text).split("\n")
    section = _exercise_section(lines)
    drop: set[int] = set()
    found = [b for b in blocks(text) if b.depth == 0]
    after_mark = False
    prev_end = -1
    for b in found:
        gap = lines[prev_end + 1 : b.start]
        nonblank = [ln.strip() for ln in gap if ln.strip()]
        if nonblank:  # right after a removed solution, with only blank lines between
            after_mark = nonblank[-1] == REMOVED_MARK
        cell = "\n".join(lines[b.start : b.end + 1])
        hidden = b.name == "code-cell" and _is_hidden_cell(cell)
        in_section = section is not None and section[0] < b.start < section[1]
        if hidden and (after_mark or in_section):
            drop.update(range(b.start, b.end + 1))
        elif not hidden:
            after_mark = False
        prev_end = b.end
    kept = [ln for i, ln in enumerate(lines) if i not in drop and ln.strip() != REMOVED_MARK]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


# --------------------------------------------------------------------------------------------
# the student copy of the sources


def toc_pages(toc: dict) -> list[str]:
    """Docnames of a jb-book ``_toc.yml`` (already loaded), in book order."""
    if not isinstance(toc, dict):
        raise TypeError(f"toc must be a dict (a loaded _toc.yml), got {type(toc).__name__}")
    pages = [toc["root"]] if "root" in toc else []

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                pages.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return pages


def _drop_pages(toc: dict, drop) -> dict:
    def keep(entries):
        out = []
        for e in entries or []:
            if e.get("file") in drop:
                continue
            e = dict(e)
            for key in ("sections", "chapters"):
                if key in e:
                    e[key] = keep(e[key])
            out.append(e)
        return out

    toc = dict(toc)
    if "parts" in toc:
        toc["parts"] = [dict(p, chapters=keep(p.get("chapters"))) for p in toc["parts"]]
        toc["parts"] = [p for p in toc["parts"] if p["chapters"]]
    if "chapters" in toc:
        toc["chapters"] = keep(toc["chapters"])
    return toc


#: Sphinx settings holding paths relative to the book's root; the student copy lives elsewhere
_PATH_SETTINGS = ("html_static_path", "html_extra_path", "templates_path", "html_logo", "html_favicon")


def student_config(config: dict, cache=None, root=None) -> dict:
    """The student edition's ``_config.yml``: edition tag set, no launch or repository buttons.

    ``cache``, if given, is the execution cache to use (an absolute path): the full book's, so
    that the student build reuses its executed notebooks (the code cells are the same).  ``root``,
    if given, is the book's folder: relative paths of Sphinx settings such as
    ``html_static_path`` that exist there are made absolute.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict (a loaded _config.yml), got {type(config).__name__}")
    cfg = json.loads(json.dumps(config))  # deep copy of plain YAML data
    if root is not None:
        sconf = cfg.get("sphinx", {}).get("config", {}) or {}
        for key in _PATH_SETTINGS:
            value = sconf.get(key)
            if isinstance(value, str) and value and (Path(root) / value).exists():
                sconf[key] = str((Path(root) / value).resolve())
            elif isinstance(value, list):
                sconf[key] = [str((Path(root) / v).resolve()) if isinstance(v, str) and not Path(v).is_absolute()
                              else v for v in value]
    if cache is not None:
        cfg.setdefault("execute", {})["cache"] = str(Path(cache).resolve())
    cfg["title"] = f"{cfg.get('title', 'relubook')} (student edition)"
    # Binder, JupyterHub, Colab and Thebe would open the repository's full sources, solutions
    # included: the student edition has no launch links.  Readers download the page instead.
    cfg["launch_buttons"] = {"notebook_interface": "jupyterlab", "binderhub_url": "", "jupyterhub_url": "",
                             "colab_url": "", "thebe": False}
    html = cfg.setdefault("html", {})
    html["use_repository_button"] = False
    html["use_edit_page_button"] = False
    # the repository holds the solutions: no issue button and no repository link either, unless a
    # public repository without solutions is named (bookkit.public writes one)
    public = os.environ.get("RELUBOOK_PUBLIC_REPOSITORY", "")
    if public:
        cfg["repository"] = {**(cfg.get("repository") or {}), "url": public}
    else:
        cfg.pop("repository", None)
        html["use_issues_button"] = False
    sphinx = cfg.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["relubook_edition"] = "student"
    if root is not None:  # the student notebooks of `make notebooks`, offered for download
        sphinx["config"]["bookkit_notebooks"] = str((Path(root) / "_build" / "notebooks").resolve())
    exts = sphinx.setdefault("extra_extensions", [])
    if "bookkit.sphinxext" not in exts:
        exts.append("bookkit.sphinxext")
    return cfg


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return  # keep the mtime, so that Sphinx does not re-read an unchanged page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_student_copy(root, dest) -> list[str]:
    """Write the student edition's sources from the book at ``root`` into ``dest``.

    ``dest`` gets ``_config.yml`` (:func:`student_config`), ``_toc.yml`` without
    :data:`INSTRUCTOR_ONLY_PAGES`, and ``book/`` with every ``.md`` passed through
    :func:`strip_for_students` (other files copied).  Paths in the configuration that point into
    ``root`` (static files, the execution cache) are made absolute by :func:`student_config`.
    Unchanged files keep their modification time, so rebuilding is incremental.  Returns the
    pages written.
    """
    import yaml
    from . import safe_load_yaml

    root, dest = Path(root).resolve(), Path(dest).resolve()
    if not (root / "_config.yml").is_file() or not (root / "_toc.yml").is_file():
        raise ValueError(f"root must be a book folder with _config.yml and _toc.yml, got {root}")
    if dest == root or root in dest.parents and not any(p.name == "_build" for p in dest.parents):
        raise ValueError(f"dest must lie outside the book's sources (under _build/ is fine), got {dest}")
    dest.mkdir(parents=True, exist_ok=True)
    config = safe_load_yaml((root / "_config.yml").read_text())
    toc = safe_load_yaml((root / "_toc.yml").read_text())
    drop = set(INSTRUCTOR_ONLY_PAGES)
    cache = root / "_build" / ".jupyter_cache"  # the full book's (jupyter-book's default place)
    _write_if_changed(dest / "_config.yml", yaml.safe_dump(student_config(config, cache, root), sort_keys=False).encode())
    _write_if_changed(dest / "_toc.yml", yaml.safe_dump(_drop_pages(toc, drop), sort_keys=False).encode())
    written = []
    wanted = set()
    for src in sorted((root / "book").rglob("*")):
        rel = src.relative_to(root)
        if any(part.startswith(".") or part in ("_build", "__pycache__") for part in rel.parts) or src.is_dir():
            continue
        if src.suffix == ".md" and str(rel.with_suffix("")) in drop or str(rel) in INSTRUCTOR_ONLY_FILES:
            continue
        target = dest / rel
        wanted.add(target)
        if src.suffix == ".md":
            _write_if_changed(target, strip_for_students(src.read_text()).encode())
            written.append(str(rel.with_suffix("")))
        else:
            _write_if_changed(target, src.read_bytes())
    for old in (dest / "book").rglob("*"):  # pages deleted from the book, or instructor-only
        if old.is_file() and old not in wanted:
            old.unlink()
    return written


# --------------------------------------------------------------------------------------------
# exercises, for the instructors' page


@dataclass
class Exercise:
    label: str
    title: str
    stars: int
    page: str  # docname, e.g. "book/01_relu"
    chapter: str  # the page's title
    checkers: list[str]
    has_solution: bool


def _page_title(text: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    return m.group(1) if m else ""


_CHECK_CALL = re.compile(r"(?<![\w.])(?:(?:relubook|rb)\.)?checks\.(\w+)\.(\w+)\s*\(")


def _checker_aliases(text: str) -> dict[str, str]:
    """``{alias: module}`` for the page's ``from relubook.checks import module [as alias]``."""
    aliases = {}
    for m in re.finditer(r"from\s+relubook\.checks\s+import\s+([^\n]+)", text):
        for item in m.group(1).split(","):
            parts = item.strip().strip("()").split()
            if parts and re.fullmatch(r"\w+", parts[0]):
                aliases[parts[2] if len(parts) == 3 and parts[1] == "as" else parts[0]] = parts[0]
    return aliases


_CHECKS_DIR = Path(__file__).resolve().parent.parent / "relubook" / "checks"


@functools.lru_cache(maxsize=None)
def _checker_names(module: str) -> frozenset:
    """The public functions that ``relubook/checks/<module>.py`` defines, read from its source: the
    build (Sphinx, the notebook edition, the leak test) never imports relubook, and so never torch."""
    import ast

    path = _CHECKS_DIR / f"{module}.py"
    if module.startswith("_") or not path.is_file():
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf8"))
    return frozenset(n.name for n in tree.body
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_"))


def _real_checker(module: str, name: str) -> bool:
    return name in _checker_names(module)


def _checkers_in(text: str, aliases: dict[str, str]) -> list[str]:
    found = {f"{m}.{f}" for m, f in _CHECK_CALL.findall(text)}
    for alias, module in aliases.items():
        found |= {f"{module}.{f}" for f in re.findall(rf"(?<![\w.]){re.escape(alias)}\.(\w+)\s*\(", text)}
    return sorted(c for c in found if _real_checker(*c.split(".")))


def page_exercises(text: str, page: str = "") -> list[Exercise]:
    """The exercises of one MyST page (in order), with stars, checkers and whether solved.

    A checker belongs to an exercise if the exercise, or the visible text and code between it and
    the next exercise, calls a function of :mod:`relubook.checks` (directly or through an alias
    imported on the page).  Remembered per ``(text, page)`` (the build's directives ask for every
    page's exercises several times); each call returns fresh copies.
    """
    text = _need_str(text)
    return [dataclasses.replace(ex, checkers=list(ex.checkers)) for ex in _page_exercises(text, str(page))]


@functools.lru_cache(maxsize=128)
def _page_exercises(text: str, page: str) -> tuple[Exercise, ...]:
    lines = text.split("\n")
    found = blocks(text)
    solved = {b.arg.split()[0] for b in found if b.name in ("solution", "solution-start") and b.arg}
    title = _page_title(text)
    aliases = _checker_aliases(text)
    starts = [b for b in found if b.name in ("exercise", "exercise-start")]
    hidden = set()
    for b in found:
        cell = "\n".join(lines[b.start : b.end + 1])
        if b.name in ("solution", "solution-start") or (b.name == "code-cell" and _is_hidden_cell(cell)):
            hidden.update(range(b.start, b.end + 1))
    out = []
    for k, b in enumerate(starts):
        body = "\n".join(b.body(lines))
        label = re.search(r"^\s*:label:\s*(\S+)", body, re.M)
        if not label:
            raise ValueError(f"{page or 'text'} line {b.start + 1}: an exercise without a :label:")
        stop = starts[k + 1].start if k + 1 < len(starts) else len(lines)
        stop = next((i for i in range(b.end + 1, stop) if re.match(r"^#{1,2}\s", lines[i])), stop)
        window = "\n".join(lines[i] for i in range(b.start, stop) if i not in hidden)
        stars = len(re.match(r"^(★*)", b.arg).group(1))
        out.append(Exercise(label.group(1), b.arg.lstrip("★ ").strip(), stars, page, title,
                            _checkers_in(window, aliases), label.group(1) in solved))
    return tuple(out)


def exercises(root) -> list[Exercise]:
    """Every exercise of the book at ``root``, in the order of its ``_toc.yml``."""
    from . import safe_load_yaml

    root = Path(root)
    if not (root / "_toc.yml").is_file():
        raise ValueError(f"root must be a book folder with a _toc.yml, got {root}")
    out = []
    for page in toc_pages(safe_load_yaml((root / "_toc.yml").read_text())):
        path = root / f"{page}.md"
        if path.is_file():
            out.extend(page_exercises(path.read_text(), page))
    return out


# --------------------------------------------------------------------------------------------
# the leak test


_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _normal(text: str, html: bool = False) -> str:
    """Lower-case text with runs of white space made one space; ``html``: tags dropped, entities
    decoded.  Smart quotes and dashes become ASCII (Sphinx's smartquotes changes them)."""
    if html:
        text = _html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.translate(_TYPOGRAPHY)
    return re.sub(r"\s+", " ", text).strip().lower()


def _solution_texts(text: str) -> list[str]:
    lines = text.split("\n")
    return ["\n".join(lines[s + 1 : e]) for s, e, _, kind in _cut_ranges(lines, blocks(text)) if kind == "solution"]


_MATH_OR_CODE = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|(?<!\})`[^`\n]+`", re.S)


def solution_phrases(text: str, words: int = 6, public: str = "") -> list[list[str]]:
    """For each solution of ``text``: the phrases a leak would show, found nowhere else.

    A phrase is a run of ``words`` plain words (no markup or maths), or an inline code span or a
    maths span of 12 or more characters (a role's target, such as a label, is not a phrase).
    Phrases that also occur in the student copy of the page, or in ``public`` (normalised text of
    the rest of the book, see :func:`public_text`), are left out: they are not the solution's own.
    A solution left without phrases gets shorter ones (4 words, spans of 6 characters).
    """
    text = _need_str(text)
    long = _solution_phrases(text, words, 12, public)
    if all(long):
        return long
    short = _solution_phrases(text, 4, 6, public)
    return [lp or sp for lp, sp in zip(long, short)]


@functools.lru_cache(maxsize=2)
def _public_words(public: str) -> str:
    """``_site_words(public)``, once per text: the rest of the book is the same for every page."""
    return _site_words(public)


def _solution_phrases(text: str, words: int, min_span: int, public: str) -> list[list[str]]:
    own = _normal(strip_for_students(text, mark=False))
    student = own + " " + public
    # the words of `student`, page and public text apart (no word spans the space between them)
    student_words = " " + _site_words(own) + " " + _public_words(public) + " "
    out = []
    for sol in _solution_texts(text):
        sol = re.sub(r"^\s*:\w[\w-]*:.*$", "", sol, flags=re.M)  # directive options
        phrases = set()
        for m in _MATH_OR_CODE.finditer(sol):
            span = m.group(0).strip("$`").strip()
            if len(span) >= min_span:
                phrases.add(span)
        prose = _MATH_OR_CODE.sub("|", sol)
        prose = re.sub(r"\{[^}]*\}`[^`]*`|\[[^\]]*\]\([^)]*\)", "|", prose)  # roles, links
        for run in re.split(r"[|\n*_#>$\\.;:!?()]+", prose):
            toks = re.findall(r"[A-Za-z][A-Za-z'-]*|\d+", run)
            for k in range(0, max(len(toks) - words + 1, 0), words):
                phrases.add(" ".join(toks[k : k + words]))
        kept = sorted(p for p in phrases if _normal(p) not in student
                      and not (re.fullmatch(r"[A-Za-z0-9' -]+", p) and f" {_site_words(p)} " in student_words))
        out.append(kept)
    return out


class _DropSolutions(HTMLParser):
    """Text of an HTML page without the elements whose class names a solution."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []  # tag names of the open elements while inside a solution

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr", "col", "source"):
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.skip or "solution" in classes:
            self.skip.append(tag)

    def handle_endtag(self, tag):
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def public_text(root, instructor_site=None) -> str:
    """Normalised text that students may see: the student copy of every page of the book at
    ``root``, and, if given, the built instructor site's pages without their solution elements
    (code outputs, captions and generated text included)."""
    from . import safe_load_yaml

    root = Path(root)
    chunks = []
    for page in toc_pages(safe_load_yaml((root / "_toc.yml").read_text())):
        path = root / f"{page}.md"
        if path.is_file():
            chunks.append(strip_for_students(path.read_text(), mark=False))
    if instructor_site is not None:
        for f in sorted(Path(instructor_site).rglob("*.html")):
            if "_static" in f.parts:
                continue
            parser = _DropSolutions()
            parser.feed(re.sub(r"<script.*?</script>", " ", f.read_text(errors="replace"), flags=re.S))
            chunks.append(" ".join(parser.parts))  # already text: entities decoded, no tags
    return _normal("\n".join(chunks))


def _site_words(text: str, html: bool = False) -> str:
    """Normalised plain text with punctuation between words reduced, so that prose phrases match."""
    return " ".join(re.findall(r"[a-z][a-z'-]*|\d+", _normal(text, html)))


def find_leaks(site, phrases) -> dict[str, list[str]]:
    """Which ``phrases`` occur in which files of the built site ``site`` (html, sources, notebooks,
    search index, any text file, and the members of any ``.zip``).  Returns ``{phrase: [files]}``
    for the phrases found."""
    site = Path(site)
    if not site.is_dir():
        raise ValueError(f"site must be a built site folder, got {site}")
    texts = {}
    suffixes = {".html", ".md", ".txt", ".ipynb", ".js", ".json", ".py", ".tex"}

    def add(name: str, suffix: str, raw: str) -> None:
        if suffix == ".ipynb":
            try:
                nb = json.loads(raw)
                raw = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []))
            except json.JSONDecodeError:
                pass
        html = suffix in {".html", ".js"}
        texts[name] = (_normal(raw, html), _site_words(raw, html))

    for f in site.rglob("*"):
        if f.is_file() and f.suffix in suffixes:
            if "_static" in f.parts and f.name != "searchindex.js":
                continue
            add(str(f.relative_to(site)), f.suffix, f.read_text(errors="replace"))
        elif f.is_file() and f.suffix == ".zip":  # a download of notebooks: every member counts
            import zipfile

            with zipfile.ZipFile(f) as z:
                for member in z.namelist():
                    if Path(member).suffix in suffixes:
                        add(f"{f.relative_to(site)}:{member}", Path(member).suffix,
                            z.read(member).decode("utf-8", errors="replace"))
    found = {}
    for p in phrases:
        code = _normal(p)
        words = _site_words(p) if re.fullmatch(r"[A-Za-z0-9' -]+", p) else ""  # prose only
        hits = [name for name, (plain, ws) in texts.items() if code in plain or (words and f" {words} " in f" {ws} ")]
        if hits:
            found[p] = sorted(hits)
    return found


def _main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bookkit.editions", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("student-src", help="write the student copy of the sources")
    c.add_argument("root")
    c.add_argument("dest")
    f = sub.add_parser("finish-student", help="write the student downloads (_sources) of a built site")
    f.add_argument("site")
    k = sub.add_parser("check-leaks", help="fail if a solution's text appears in the student site")
    k.add_argument("root")
    k.add_argument("site")
    k.add_argument("--instructor-site", help="a built instructor site: every solution must be found there")
    a = ap.parse_args(argv)
    if a.cmd == "student-src":
        pages = write_student_copy(a.root, a.dest)
        print(f"student sources: {len(pages)} pages in {a.dest}")
        return 0
    if a.cmd == "finish-student":
        n = finish_student_site(a.site)
        print(f"student downloads: {n} sources rewritten")
        return 0
    return check_leaks(a.root, a.site, a.instructor_site)


def finish_student_site(site) -> int:
    """Rewrite the ``.md`` sources of a built student site with :func:`student_download_text`."""
    site = Path(site)
    n = 0
    for f in sorted((site / "_sources").rglob("*")):
        if f.is_file() and f.name.endswith((".md", ".md.txt")):
            text = f.read_text()
            new = student_download_text(text)
            if new != text:
                f.write_text(new)
                n += 1
    return n


def _with_macros_written_out(text: str, macros: dict) -> str:
    for name, body in macros.items():
        body = body[0] if isinstance(body, (list, tuple)) else body
        text = re.sub(rf"\\{re.escape(name)}(?![A-Za-z])", lambda _m, b=body: b, text)
    return text


def check_leaks(root, site, instructor_site=None) -> int:
    """The leak test: 0 if no solution phrase of the book at ``root`` appears in ``site``."""
    from . import safe_load_yaml

    root = Path(root)
    pages = toc_pages(safe_load_yaml((root / "_toc.yml").read_text()))
    if instructor_site:
        built = Path(instructor_site) / "searchindex.js"
        if not built.is_file():  # a folder of instructor notebooks: its newest notebook
            built = max(Path(instructor_site).glob("*.ipynb"), key=lambda f: f.stat().st_mtime, default=built)
        newest = max((root / f"{p}.md").stat().st_mtime for p in pages if (root / f"{p}.md").is_file())
        if not built.is_file() or built.stat().st_mtime < newest:
            print(f"  note: {instructor_site} is older than the sources; no control (run make book first)")
            instructor_site = None
    public = public_text(root, instructor_site)
    per_solution = []
    for page in pages:
        path = root / f"{page}.md"
        if path.is_file():
            per_solution += [(page, ps) for ps in solution_phrases(path.read_text(), public=public)]
    phrases = [p for _, ps in per_solution for p in ps]
    empty = [page for page, ps in per_solution if not ps]
    print(f"leak test: {len(per_solution)} solutions, {len(phrases)} phrases")
    if empty:
        print(f"  note: {len(empty)} solutions have no distinctive phrase ({', '.join(sorted(set(empty)))})")
    # the notebook edition writes the math macros out (\ReLU -> \operatorname{ReLU}): a phrase is
    # also looked for in that form, and counts as found in either
    config = safe_load_yaml((root / "_config.yml").read_text()) or {}
    macros = ((((config.get("sphinx") or {}).get("config") or {}).get("mathjax3_config") or {}).get("tex") or {}).get("macros") or {}
    forms = {p: _with_macros_written_out(p, macros) for p in phrases}

    def find(where):
        hits = find_leaks(where, sorted(set(phrases) | set(forms.values())))
        return {p: hits.get(p, []) + hits.get(forms[p], []) for p in phrases if p in hits or forms[p] in hits}

    rc = 0
    if instructor_site:
        seen = find(instructor_site)
        missing = [page for page, ps in per_solution if ps and not any(p in seen for p in ps)]
        print(f"  control: {len(seen)}/{len(phrases)} phrases found in the instructor site {instructor_site}")
        if missing:
            print(f"  FAIL: solutions not found in the instructor site (the detector is blind): {missing}")
            rc = 1
    leaks = find(site)
    for p, files in sorted(leaks.items()):
        print(f"  LEAK: {p!r} in {', '.join(files[:5])}")
    if leaks:
        rc = 1
    print("  no solution text in the student site" if not leaks else f"  {len(leaks)} phrases leaked")
    return rc


if __name__ == "__main__":
    raise SystemExit(_main())
