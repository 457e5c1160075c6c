"""Tests of bookkit.editions (the student edition) and bookkit.sphinxext (the edition tag)."""

import json
import pathlib
import textwrap

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bookkit import editions

ROOT = pathlib.Path(__file__).resolve().parents[1]
MARK = editions.REMOVED_MARK


def md(text):
    return textwrap.dedent(text).lstrip("\n")


PAGE = md(
    """
    ---
    jupytext:
      text_representation:
        format_name: myst
    kernelspec:
      name: python3
    ---

    # A page

    ```{code-cell} ipython3
    :tags: [remove-cell]
    from relubook import checks
    from relubook.checks import interpolation as ic
    ```

    ## Exercises

    ````{exercise} ★★ Fit three points
    :label: t-ex-fit

    Build a network, then run `ic.check_fit(net, x, y)`.

    ```python
    net = ...
    ```
    ````

    ````{solution} t-ex-fit
    :class: dropdown

    The secret answer uses two units with slopes one and minus three.

    ```python
    net = rb.ShallowReLU([1.0, 1.0], [0.0, -1.0], [2.0, -3.0], c=1.0)
    ```
    ````

    ```{code-cell} ipython3
    :tags: [remove-cell]
    assert ic.check_fit(rb.ShallowReLU([1.0, 1.0], [0.0, -1.0], [2.0, -3.0], c=1.0), x, y)
    ```

    :::{exercise} ★ Colons
    :label: t-ex-colon
    Call `checks.relu.leaky_relu(f)`.
    :::

    ::::{solution} t-ex-colon
    :class: dropdown
    :::{note}
    A nested note inside the colon solution.
    :::
    The colon answer is hidden here too.
    ::::

    ## Summary

    ```{code-cell} ipython3
    :tags: [remove-cell]
    assert True  # a check of the summary, kept in downloads
    ```
    """
)


def test_strip_removes_every_solution_and_keeps_everything_else():
    out = editions.strip_for_students(PAGE)
    assert "secret answer" not in out and "colon answer" not in out and "nested note" not in out
    assert "{solution}" not in out and out.count(MARK) == 2
    assert "Fit three points" in out and "Call `checks.relu.leaky_relu(f)`." in out
    assert editions.code_cells(out) == editions.code_cells(PAGE)  # every code cell survives
    assert out.startswith("---\njupytext:")


def test_strip_handles_nesting_depth_and_fence_lengths():
    text = md(
        """
        `````{admonition} Outer
        ````{solution} x
        ```{math}
        a^2
        ```
        ```python
        code ``` inline
        ```
        still inside
        ````
        after solution
        `````
        ~~~
        ```{solution} not-a-directive-in-code
        ```
        ~~~
        """
    )
    out = editions.strip_for_students(text)
    assert "still inside" not in out and "after solution" in out
    assert "not-a-directive-in-code" in out  # a fence inside a code block is text
    assert "`````{admonition} Outer" in out and out.count(MARK) == 1


def test_strip_gated_solutions_and_only_blocks():
    text = md(
        """
        ```{solution-start} ex1
        :class: dropdown
        ```
        gated answer text
        ```{solution-end}
        ```
        ```{only} instructor
        teaching note
        ```
        :::{only} html
        kept for html
        :::
        ```{only} not instructor
        for students only
        ```
        ```{only} student or latex
        also for students
        ```
        """
    )
    out = editions.strip_for_students(text)
    assert "gated answer" not in out and "teaching note" not in out
    assert "kept for html" in out and "for students only" in out and "also for students" in out
    with pytest.raises(ValueError, match="solution-end"):
        editions.strip_for_students("```{solution-start} a\n```\nno end\n")
    with pytest.raises(ValueError, match="solution-start"):
        editions.strip_for_students("```{solution-end}\n```\n")


def test_strip_refuses_to_drop_a_check_cell():
    text = md(
        """
        `````{solution} a
        ````{code-cell} ipython3
        :tags: [remove-cell]
        assert 1 + 1 == 2
        ````
        `````
        """
    )
    with pytest.raises(ValueError, match="check cell"):
        editions.strip_for_students(text)


def test_strip_without_solutions_is_the_identity_and_bad_input():
    text = "# Title\n\n```python\nx = 1\n```\n"
    assert editions.strip_for_students(text) == text
    with pytest.raises(TypeError, match="text"):
        editions.strip_for_students(b"bytes")


fences = st.sampled_from(["```", "````", ":::", "::::"])
words = st.text(alphabet="abcdefgh \n", max_size=40)


@settings(max_examples=60, deadline=None)
@given(fence=fences, before=words, secret=st.text(alphabet="xyz", min_size=5, max_size=20), after=words)
def test_strip_property_the_secret_never_survives(fence, before, secret, after):
    text = f"{before}\n{fence}{{solution}} e\n:class: dropdown\n{secret}\n{fence}\n{after}\n"
    out = editions.strip_for_students(text)
    assert secret not in out.replace(before, "").replace(after, "")
    assert out.startswith(before)


def test_download_text_drops_exercise_checks_and_marks():
    out = editions.student_download_text(editions.strip_for_students(PAGE))
    assert MARK not in out
    assert "assert ic.check_fit" not in out  # the check of a solution gives the answer away
    assert "from relubook import checks" in out  # the set-up cell stays
    assert "a check of the summary" in out  # checks outside the exercises stay


def test_page_exercises_reads_stars_checkers_and_solutions():
    found = editions.page_exercises(PAGE, "book/t")
    assert [e.label for e in found] == ["t-ex-fit", "t-ex-colon"]
    assert [e.stars for e in found] == [2, 1]
    assert found[0].checkers == ["interpolation.check_fit"]  # through the alias ic
    assert found[1].checkers == ["relu.leaky_relu"]
    assert found[0].title == "Fit three points" and found[0].chapter == "A page"
    assert all(e.has_solution for e in found)
    with pytest.raises(ValueError, match="label"):
        editions.page_exercises("````{exercise} ★ No label\ntext\n````\n")


def test_solution_phrases_and_find_leaks(tmp_path):
    phrases = editions.solution_phrases(PAGE)
    assert len(phrases) == 2 and all(phrases)
    flat = [p for ps in phrases for p in ps]
    assert any("secret answer" in p for p in flat)
    assert not any("Fit three points" in p for p in flat)  # exercise text is not a leak
    site = tmp_path / "site"
    (site / "_sources").mkdir(parents=True)
    (site / "page.html").write_text("<p>The <em>secret</em> answer uses two units with slopes one and minus three.</p>")
    (site / "_sources" / "clean.md").write_text(editions.strip_for_students(PAGE))
    leaks = editions.find_leaks(site, flat)
    assert leaks and all(files == ["page.html"] for files in leaks.values())
    (site / "page.html").write_text("<p>nothing here</p>")
    assert editions.find_leaks(site, flat) == {}
    nb = {"cells": [{"source": ["The colon answer is hidden here too."]}]}
    (site / "_sources" / "p.ipynb").write_text(json.dumps(nb))
    assert editions.find_leaks(site, flat)
    with pytest.raises(ValueError, match="site"):
        editions.find_leaks(tmp_path / "missing", flat)


def test_toc_pages_and_student_config():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = editions.toc_pages(toc)
    assert pages[0] == toc["root"] and "book/01_relu" in pages
    cfg = editions.student_config(yaml.safe_load((ROOT / "_config.yml").read_text()))
    assert cfg["sphinx"]["config"]["relubook_edition"] == "student"
    assert not cfg["launch_buttons"]["binderhub_url"] and cfg["launch_buttons"]["thebe"] is False
    assert cfg["html"]["use_repository_button"] is False
    with pytest.raises(TypeError, match="toc"):
        editions.toc_pages(["book/x"])


def test_write_student_copy(tmp_path):
    root = tmp_path / "bookroot"
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text(yaml.safe_dump({"title": "T", "sphinx": {"extra_extensions": ["x"]}}))
    toc = {"format": "jb-book", "root": "book/intro",
           "parts": [{"caption": "P", "chapters": [{"file": "book/ch"}, {"file": "book/instructors"}]}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc))
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "book" / "ch.md").write_text(PAGE)
    (root / "book" / "instructors.md").write_text("# For instructors\n")
    (root / "book" / "refs.bib").write_text("@misc{a, title={A}}\n")
    dest = root / "_build" / "student" / "src"
    pages = editions.write_student_copy(root, dest)
    assert sorted(pages) == ["book/ch", "book/intro"]
    assert "secret answer" not in (dest / "book" / "ch.md").read_text()
    assert not (dest / "book" / "instructors.md").exists()
    assert (dest / "book" / "refs.bib").read_text().startswith("@misc")
    assert "book/instructors" not in editions.toc_pages(yaml.safe_load((dest / "_toc.yml").read_text()))
    cfg = yaml.safe_load((dest / "_config.yml").read_text())
    assert "bookkit.sphinxext" in cfg["sphinx"]["extra_extensions"]
    mtime = (dest / "book" / "ch.md").stat().st_mtime_ns
    editions.write_student_copy(root, dest)  # unchanged pages keep their time stamp
    assert (dest / "book" / "ch.md").stat().st_mtime_ns == mtime
    with pytest.raises(ValueError, match="dest"):
        editions.write_student_copy(root, root / "book" / "x")
    with pytest.raises(ValueError, match="root"):
        editions.write_student_copy(tmp_path, dest)


def test_the_books_solutions_strip_cleanly_and_keep_every_check():
    """Every page of the book: solutions gone, hidden cells intact, every exercise solved."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    n_ex = 0
    for page in editions.toc_pages(toc):
        if not (ROOT / f"{page}.md").is_file():
            continue  # test_repo_config reports a missing page
        text = (ROOT / f"{page}.md").read_text()
        out = editions.strip_for_students(text)
        assert not [b for b in editions.blocks(out) if b.name and b.name.startswith("solution")], page
        assert [c for c in editions.code_cells(out)] == editions.code_cells(text), page
        for ex in editions.page_exercises(text, page):
            assert ex.has_solution, f"{page}: exercise {ex.label} has no solution"
            n_ex += 1
        assert all(editions.solution_phrases(text)), f"{page}: a solution has no distinctive phrase"
    assert n_ex >= 40


def test_sphinx_extension_sets_the_edition_tag(monkeypatch):
    from types import SimpleNamespace

    from sphinx.util.tags import Tags

    from bookkit import sphinxext

    for env, value, want in (("", "", "instructor"), ("student", "", "student"), ("", "student", "student")):
        monkeypatch.setenv("RELUBOOK_EDITION", env)
        app = SimpleNamespace(tags=Tags())
        config = SimpleNamespace(relubook_edition=value)
        sphinxext._set_tag(app, config)
        assert app.tags.has(want) and config.relubook_edition == want
        assert not app.tags.has({"instructor": "student", "student": "instructor"}[want])
    with pytest.raises(ValueError, match="relubook_edition"):
        sphinxext._set_tag(SimpleNamespace(tags=Tags()), SimpleNamespace(relubook_edition="teacher"))


def test_download_menu_offers_the_pdf_once_built(tmp_path):
    from types import SimpleNamespace

    from bookkit import sphinxext

    html = tmp_path / "_build" / "html"
    html.mkdir(parents=True)
    config = SimpleNamespace(latex_documents=[("intro", "relubook.tex", "t", "a", "manual")], bookkit_pdf="")
    app = SimpleNamespace(outdir=str(html), config=config, builder=SimpleNamespace(format="html"))
    pdf = tmp_path / "_build" / "latex" / "relubook.pdf"
    assert sphinxext.pdf_path(app) == pdf

    def page():
        buttons = [{"label": "download-source-button", "text": ".md"},
                   {"label": "download-pdf-button", "text": ".pdf", "type": "javascript"}]
        context = {"header_buttons": [{"label": "download-buttons", "buttons": buttons}],
                   "pathto": lambda uri, resource=0: "../" + uri}
        sphinxext._offer_pdf(app, "book/01_relu", "page.html", context, None)
        return buttons

    sphinxext._note_pdf(app, config)
    assert config.bookkit_pdf == ""
    buttons = page()  # no PDF yet: no link; the print button says what it does
    assert [b["text"] for b in buttons] == [".md", "print"]
    sphinxext._copy_pdf(app, None)
    assert not (html / "relubook.pdf").exists()
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.5")
    sphinxext._note_pdf(app, config)
    assert config.bookkit_pdf.startswith("relubook.pdf@")  # a new PDF rewrites the pages
    buttons = page()
    assert buttons[-1]["url"] == "../relubook.pdf" and buttons[-1]["text"] == "book .pdf"
    sphinxext._copy_pdf(app, None)
    assert (html / "relubook.pdf").read_bytes() == b"%PDF-1.5"


def test_student_config_points_static_paths_and_cache_at_the_book(tmp_path):
    (tmp_path / "static").mkdir()
    cfg = {"sphinx": {"config": {"html_static_path": ["static"], "templates_path": "missing"}}}
    out = editions.student_config(cfg, cache=tmp_path / "cache", root=tmp_path)
    assert out["sphinx"]["config"]["html_static_path"] == [str((tmp_path / "static").resolve())]
    assert out["sphinx"]["config"]["templates_path"] == "missing"  # left alone: not there
    assert out["execute"]["cache"] == str((tmp_path / "cache").resolve())
    assert cfg["sphinx"]["config"]["html_static_path"] == ["static"]  # the input is not changed
    with pytest.raises(TypeError, match="config"):
        editions.student_config("title: x")


def test_page_exercises_are_remembered_and_returned_as_copies():
    text = (ROOT / "book/01_relu.md").read_text()
    first = editions.page_exercises(text, "book/01_relu")
    first[0].checkers.append("not.a.checker")
    again = editions.page_exercises(text, "book/01_relu")
    assert "not.a.checker" not in again[0].checkers and again == editions.page_exercises(text, "book/01_relu")
    assert editions._page_exercises.cache_info().hits >= 2
