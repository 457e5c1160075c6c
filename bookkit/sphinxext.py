"""Sphinx extension of the book (listed in ``_config.yml`` under ``sphinx: extra_extensions``).

* **Editions.**  The configuration value ``relubook_edition`` (``"instructor"`` unless the
  environment variable ``RELUBOOK_EDITION`` or the config says ``"student"``) becomes a Sphinx tag,
  so that ``{only} instructor`` blocks (teaching notes) show in the default build.  Jupyter Book 1
  has no ``-t`` option, hence this extension.  The student edition does not rely on the tag alone:
  it is built from sources with those blocks and every solution cut out
  (:mod:`bookkit.editions`), and after the build its downloadable ``_sources`` lose the hidden
  cells that check exercise solutions.  (sphinx-exercise's own ``hide_solutions`` is not used: in
  sphinx-exercise 1.2.1 it crashes on gated solutions, and it would leave solutions in
  ``_sources/``.)
* **Notebooks.**  Each notebook page's download menu offers the edition's generated notebook
  (``make notebooks``, :mod:`bookkit.notebooks`), copied into ``_sources/`` after the build.
* **PDF.**  When ``make pdf`` (``make pdf-student`` for the student edition) has written the
  edition's PDF beside its HTML output (``<build>/latex/relubook.pdf``), the download menu of every
  page offers it (the book, not the page) and the HTML build copies it to the site's root; the
  theme's print button is relabelled as what it is, a print of the page.
* **Instructors' page.**  The directives ``{relubook-exercises}`` (a table of every exercise:
  chapter, stars, checker) and ``{relubook-assignments}`` (a week-by-week plan) read the book's
  sources when the page is built (:func:`bookkit.editions.exercises`); every chapter is a
  dependency of the page, so editing an exercise rebuilds the table.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import editions

EDITIONS = ("instructor", "student")
logger = logging.getLogger(__name__)


def _edition(config) -> str:
    value = config.relubook_edition or os.environ.get("RELUBOOK_EDITION", "") or "instructor"
    if value not in EDITIONS:
        raise ValueError(f"relubook_edition must be one of {EDITIONS}, got {value!r}")
    return value


def _set_tag(app, config) -> None:
    edition = _edition(config)
    config.relubook_edition = edition
    for other in EDITIONS:
        if other != edition and app.tags.has(other):
            app.tags.remove(other)
    app.tags.add(edition)


def _stars(n: int) -> str:
    return "★" * n if n else "–"


class _BookDirective(SphinxDirective):
    has_content = False
    optional_arguments = 0

    def _exercises(self):
        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / "_toc.yml"))
        for page in editions.toc_pages(_load_toc(root)):
            if (root / f"{page}.md").is_file():
                self.env.note_dependency(str(root / f"{page}.md"))
        try:
            return editions.exercises(root)
        except ValueError as exc:  # an exercise without a label: say where, as a build warning
            logger.warning(f"cannot list the exercises: {exc}", location=self.get_location())
            return []

    def _parse(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=["relubook-generated"])
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), self.content_offset, container)
        return [container]


def _load_toc(root: Path) -> dict:
    from . import safe_load_yaml

    return safe_load_yaml((root / "_toc.yml").read_text())


def _course(srcdir):
    """``bookkit.course`` (the build machinery lives next to the book's sources)."""
    import sys

    if str(srcdir) not in sys.path:
        sys.path.insert(0, str(srcdir))
    from bookkit import course

    return course


def _checker_text(ex) -> str:
    return ", ".join(f"`{c}`" for c in ex.checkers) if ex.checkers else "–"


class ExerciseTable(_BookDirective):
    """``{relubook-exercises}``: one row per exercise of the book, in book order."""

    def run(self):
        rows = self._exercises()
        root = Path(self.env.srcdir)
        course = _course(root)
        self.env.note_dependency(str(root / course.EXERCISE_FILE))
        data = course.load_exercise_data(root)
        lines = ["```{list-table} Every exercise of the book: chapter, difficulty, time, skill tested and checker",
                 ":header-rows: 1", ":class: relubook-exercise-table", ""]
        # four columns, so that the table fits the text column: the chapter under the exercise, the
        # difficulty with the time, the checker without its package
        lines += ["* - Exercise and chapter", "  - Difficulty, time", "  - Skill tested",
                  "  - Checker in `relubook.checks`"]
        for ex in rows:
            d = data.get(ex.label) or {}
            lines += [f"* - {{numref}}`{ex.label}` {ex.title}", "", f"    {{doc}}`/{ex.page}`",
                      f"  - {_stars(ex.stars)}, {d.get('minutes', '–')} min",
                      f"  - {course._plain(d.get('skill', '–'))}", f"  - {_checker_text(ex)}"]
        lines += ["```", ""]
        n_checked = sum(bool(ex.checkers) for ex in rows)
        lines += [f"{len(rows)} exercises in {len({ex.page for ex in rows})} chapters; "
                  f"{n_checked} of them come with a checker."]
        return self._parse(lines)


class AssignmentPlan(_BookDirective):
    """``{relubook-assignments}``: a week-by-week plan, one chapter a week, then a project week."""

    def run(self):
        rows = self._exercises()
        pages = []
        for ex in rows:
            if ex.page not in pages:
                pages.append(ex.page)

        def refs(selected):
            return ", ".join(f"{{numref}}`{ex.label}`" + (" (checker)" if ex.checkers else "") for ex in selected) or "–"

        lines = ["```{list-table} The assignments: one per chapter with a computable exercise",
                 ":header-rows: 1", ":class: relubook-assignment-plan", ""]
        lines += ["* - Week", "  - Read", "  - In class (★)", "  - Homework (★★)", "  - Stretch (★★★)"]
        for week, page in enumerate(pages, start=1):
            mine = [ex for ex in rows if ex.page == page]
            lines += [f"* - {week}", f"  - {{doc}}`/{page}`", f"  - {refs([e for e in mine if e.stars <= 1])}",
                      f"  - {refs([e for e in mine if e.stars == 2])}", f"  - {refs([e for e in mine if e.stars >= 3])}"]
        project = [ex for ex in rows if ex.stars >= 3]
        lines += [f"* - {len(pages) + 1}", "  - {doc}`/book/errata`",
                  "  - Reproduce one erratum's numeric evidence by hand",
                  "  - –", f"  - Project: one ★★★ exercise of the term, written up ({len(project)} to choose from)"]
        lines += ["```"]
        return self._parse(lines)


class _CourseDirective(_BookDirective):
    def _course(self):
        root = Path(self.env.srcdir)
        course = _course(root)
        for f in (course.COURSE_FILE, course.EXERCISE_FILE):
            self.env.note_dependency(str(root / f))
        self._exercises()  # the chapters are dependencies too
        return root, course


class DependencyFigure(_CourseDirective):
    """``{relubook-dependencies}``: the chapter dependency graph (SVG) and the same as a list."""

    def run(self):
        root, course = self._course()
        figure = nodes.raw("", f'<figure class="relubook-deps">{course.dependency_svg(root)}</figure>', format="html")
        return [figure, *self._parse(course.dependency_lines(root))]


class CoursePlan(_CourseDirective):
    """``{relubook-plan} NAME``: a plan of ``book/_course.yml`` as a week-by-week table."""

    required_arguments = 1

    def run(self):
        root, course = self._course()
        return self._parse(course.plan_lines(root, self.arguments[0]))


class Rubrics(_CourseDirective):
    """``{relubook-rubrics}``: the rubric of every proof and derivation exercise."""

    def run(self):
        root, course = self._course()
        return self._parse(course.rubric_lines(root))


def _finish_student(app, exception) -> None:
    if exception is not None or app.config.relubook_edition != "student":
        return
    if app.builder.format == "html" and (Path(app.outdir) / "_sources").is_dir():
        editions.finish_student_site(app.outdir)


def _notebook_dir(app) -> Path:
    base = app.config.bookkit_notebooks or str(Path(app.confdir) / "_build" / "notebooks")
    return Path(base) / _edition(app.config)


def _offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """The page's download menu offers the generated notebook of this edition (``make notebooks``),
    not the raw executed MyST notebook."""
    if (_notebook_dir(app) / f"{Path(pagename).name}.ipynb").is_file():
        context["ipynb_source"] = pagename + ".ipynb"


def _copy_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = _notebook_dir(app)
    if not folder.is_dir():
        return
    import shutil

    for doc in app.env.found_docs:
        nb = folder / f"{Path(doc).name}.ipynb"
        if nb.is_file():
            dest = Path(app.outdir) / "_sources" / f"{doc}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, dest)


def pdf_path(app) -> Path:
    """Where ``make pdf`` writes this edition's PDF: ``latex/<targetname>.pdf`` beside the HTML
    output folder (``_build/html`` -> ``_build/latex``; the student edition's likewise)."""
    name = "relubook.pdf"
    docs = getattr(app.config, "latex_documents", None) or []
    if docs and len(docs[0]) > 1 and docs[0][1]:
        name = Path(docs[0][1]).with_suffix(".pdf").name
    return Path(app.outdir).parent / "latex" / name


def _note_pdf(app, config) -> None:
    """Record the PDF's time stamp in the configuration: when a PDF appears or changes, every
    page is written again (not read again) so that its download menu offers it."""
    pdf = pdf_path(app)
    config.bookkit_pdf = f"{pdf.name}@{pdf.stat().st_mtime_ns}" if pdf.is_file() else ""


def _offer_pdf(app, pagename, templatename, context, doctree) -> None:
    """The download menu offers the book's PDF when it has been built; the theme's ".pdf" button,
    which prints the page, says so."""
    groups = [g for g in context.get("header_buttons") or [] if isinstance(g, dict) and g.get("label") == "download-buttons"]
    if not groups:
        return
    buttons = groups[0].setdefault("buttons", [])
    for button in buttons:
        if button.get("label") == "download-pdf-button":
            button.update(text="print", tooltip="Print this page")
    pdf = pdf_path(app)
    if app.builder.format == "html" and pdf.is_file():
        buttons.append({"type": "link", "url": context["pathto"](pdf.name, 1), "text": "book .pdf",
                        "tooltip": "Download the whole book as a PDF", "icon": "fas fa-book",
                        "label": "download-book-pdf-button"})


def _copy_pdf(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    pdf = pdf_path(app)
    if pdf.is_file():
        import shutil

        shutil.copyfile(pdf, Path(app.outdir) / pdf.name)


def _config_from_sphinx(app) -> dict:
    """The parts of ``_config.yml`` that :func:`bookkit.notebooks.launch_urls` reads, as Jupyter
    Book passed them to Sphinx."""
    opts = app.config.html_theme_options or {}
    return {"repository": {"url": opts.get("repository_url", ""), "branch": opts.get("repository_branch", "main")},
            "launch_buttons": opts.get("launch_buttons") or {}, "html": {"baseurl": app.config.html_baseurl or ""}}


def _binder_opens_notebook(app, pagename, templatename, context, doctree) -> None:
    """The Binder button opens the chapter's generated notebook (written by ``postBuild``)."""
    from . import notebooks

    for group in context.get("header_buttons") or []:
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Binder":
                button["url"] = notebooks.launch_urls(_config_from_sphinx(app), pagename)["binder"]


#: per build environment: the doctrees that numref resolution has unpickled, by docname
_NUMREF_DOCTREES: dict[int, dict] = {}


def _cache_numref_doctrees() -> None:
    """Sphinx resolves each ``{numref}`` by unpickling the whole doctree of the page that holds the
    target, once per reference (``StandardDomain._resolve_numref_xref`` calls ``env.get_doctree``),
    only to read the target node.  This book's pages carry their live figures' data, so a doctree
    is megabytes, and the instructors' page alone has over 200 numrefs: a quarter of a rebuild went
    to ``pickle.loads``.  While the pages are written, each doctree is unpickled once for that
    lookup (it is only read there); the cache is dropped when reading starts and when the build ends.
    """
    from sphinx.domains.std import StandardDomain

    if getattr(StandardDomain._resolve_numref_xref, "_bookkit", False):
        return
    original = StandardDomain._resolve_numref_xref

    def _resolve_numref_xref(self, env, *args, **kwargs):
        cache = _NUMREF_DOCTREES.setdefault(id(env), {})
        get = env.get_doctree

        def cached(docname):
            if docname not in cache:
                cache[docname] = get(docname)
            return cache[docname]

        env.get_doctree = cached
        try:
            return original(self, env, *args, **kwargs)
        finally:
            del env.get_doctree  # the instance attribute: the class's method again

    _resolve_numref_xref._bookkit = True
    StandardDomain._resolve_numref_xref = _resolve_numref_xref


def _cache_pybtex_entry_points() -> None:
    """pybtex looks its plugins up in the installed packages' entry points on every call of
    ``find_plugin``, and sphinxcontrib-bibtex calls it once per citation it resolves: about 120 scans
    of every installed package's metadata, 4.7 s of a 42 s build.  The entry points do not change
    during a build, so each (group, name) is looked up once per process.  Plugins registered at run
    time (``pybtex.plugin.register_plugin``, as this module does) are checked before the entry points
    and are not affected."""
    import functools

    import pybtex.plugin

    if getattr(pybtex.plugin.entry_points, "_bookkit", False):
        return
    lookup = pybtex.plugin.entry_points

    @functools.lru_cache(maxsize=None)
    def _cached(params):
        return tuple(lookup(**dict(params)))

    def entry_points(**params):  # pybtex calls it with group= and name= and only iterates or counts
        return _cached(tuple(sorted(params.items())))

    entry_points._bookkit = True
    pybtex.plugin.entry_points = entry_points


def _drop_numref_doctrees(app, *args) -> None:
    _NUMREF_DOCTREES.pop(id(app.env), None)


def changed_static_files(app) -> list[str]:
    """The files of ``html_static_path`` (the site's CSS and JavaScript in tools/site, the vendored
    libraries) that differ from their copies in the built site's ``_static``: in size, or in content
    where the modification times differ (Sphinx copies a file with its times, and leaves an
    unchanged one alone); none when nothing was built yet."""
    out = Path(app.outdir, "_static")
    if not out.is_dir():
        return []
    changed = []
    for static in getattr(app.config, "html_static_path", []):
        src = Path(app.confdir, static)
        if not src.is_dir():
            continue
        for f in src.rglob("*"):
            if not f.is_file() or f.name.endswith("_t"):  # a template (an extension's): rendered, not copied
                continue
            dest = out / f.relative_to(src)
            a = f.stat()
            b = dest.stat() if dest.is_file() else None
            if (b is None or a.st_size != b.st_size
                    or (abs(a.st_mtime - b.st_mtime) > 1.0 and f.read_bytes() != dest.read_bytes())):
                changed.append(str(f.relative_to(app.confdir)))
    return changed


def _rebuild_for_static_files(app, env, added, changed, removed):
    """Sphinx copies the static files only when it writes a page, and with no page out of date it
    stops before that: an edit of tools/site/relubook.css alone never reached the built site.  So
    such an edit marks the root page out of date, and the build goes on to copy the files."""
    if app.builder.format != "html":
        return []
    files = changed_static_files(app)
    if files and env.config.root_doc not in added | changed:
        logger.info(f"static files changed ({', '.join(files[:3])}{', ...' if len(files) > 3 else ''}): "
                    f"rewriting {env.config.root_doc} to copy them")
        return [env.config.root_doc]
    return []


def setup(app):
    _cache_numref_doctrees()
    _cache_pybtex_entry_points()
    app.connect("env-before-read-docs", _drop_numref_doctrees)
    app.connect("env-get-outdated", _rebuild_for_static_files)
    app.connect("build-finished", _drop_numref_doctrees)
    app.connect("html-page-context", _binder_opens_notebook, priority=502)
    app.add_config_value("relubook_edition", "", "env", [str])
    # where `make notebooks` wrote <edition>/*.ipynb (default: _build/notebooks beside _config.yml)
    app.add_config_value("bookkit_notebooks", "", "html", [str])
    app.connect("html-page-context", _offer_notebook, priority=500)
    app.connect("build-finished", _copy_notebooks)
    # the edition's PDF (`make pdf`): a config value with html rebuild, so that its appearance rewrites the pages
    app.add_config_value("bookkit_pdf", "", "html", [str])
    app.connect("config-inited", _note_pdf)
    app.connect("html-page-context", _offer_pdf, priority=505)
    app.connect("build-finished", _copy_pdf)
    app.connect("config-inited", _set_tag)
    app.add_directive("relubook-exercises", ExerciseTable)
    app.add_directive("relubook-assignments", AssignmentPlan)
    app.add_directive("relubook-dependencies", DependencyFigure)
    app.add_directive("relubook-plan", CoursePlan)
    app.add_directive("relubook-rubrics", Rubrics)
    app.connect("build-finished", _finish_student)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
