"""The notebook edition (bookkit.notebooks), Binder's environment (bookkit.binder) and the launch links."""

import json
import pathlib
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest
import yaml

from bookkit import editions, notebooks as N

ROOT = pathlib.Path(__file__).resolve().parents[1]

CHAPTER = textwrap.dedent('''\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    (ch-t)=
    # Test chapter

    ```{code-cell} ipython3
    :tags: [remove-cell]
    from myst_nb import glue
    from relubook import checks
    half = 0.5
    glue("half", half, display=False)
    ```

    The value is {glue:text}`half:.2f`, as {cite:p}`nair2010rectified` and {cite:t}`glorot2011deep` say.

    ```{prf:theorem} Zero is small
    :label: thm-zero

    For every $x \\in \\R$, $\\ReLU(x) \\ge 0$.
    ```

    ```{prf:proof}
    Obvious by {prf:ref}`thm-zero` and {numref}`fig-t`.
    ```

    ```{code-cell} ipython3
    :tags: [hide-input]
    :mystnb:
    :  figure:
    :    caption: A figure.
    :    name: fig-t
    print("figure")
    ```

    ```{code-cell} ipython3
    :tags: [remove-cell]
    assert half == 0.5
    ```

    See {ref}`ch-t` and {ref}`the first one <ex-t-one>`.

    ````{only} instructor
    ```{admonition} Teaching note
    :class: note
    Spend ten minutes on the zebra drill.
    ```
    ````

    ## Exercises

    ````{exercise} ★ First one
    :label: ex-t-one

    Write `relu_prime(z)` and check it with `checks.relu.relu_derivative(relu_prime)`.
    ````

    ````{solution} ex-t-one
    :class: dropdown

    The answer uses a purple elephant walking slowly across the bridge.
    ````

    ```{code-cell} ipython3
    :tags: [remove-cell]
    assert checks.relu.relu_derivative(lambda z: (z > 0).astype(float))
    ```
    ''')

BIB = textwrap.dedent('''\
    @inproceedings{nair2010rectified,
      author = {Nair, Vinod and Hinton, Geoffrey E.},
      title = {Rectified Linear Units},
      year = {2010}
    }
    @inproceedings{glorot2011deep,
      author = {Glorot, Xavier and Bordes, Antoine and Bengio, Yoshua},
      title = {Deep Sparse Rectifier Neural Networks},
      year = {2011}
    }
    ''')


def make_book(tmp_path, chapter=CHAPTER):
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    cfg["bibtex_bibfiles"] = ["book/references.bib"]
    (tmp_path / "book").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(cfg))
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "book/intro", "parts": [
        {"caption": "P", "numbered": True, "chapters": [{"file": "book/t"}]}]}))
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "t.md").write_text(chapter)
    (tmp_path / "book" / "references.bib").write_text(BIB)
    return tmp_path


def convert(tmp_path, edition, chapter=CHAPTER, glue=None):
    root = make_book(tmp_path, chapter)
    ctx = N.book_context(root)
    return N.convert(chapter, "book/t", edition, ctx, {"half": "0.5"} if glue is None else glue)


def md(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_a_rebuild_writes_the_same_notebook(tmp_path):
    """Cell ids are derived from the page, not drawn at random: converting twice gives the same file."""
    import nbformat

    for edition in N.EDITIONS:
        first, again = convert(tmp_path / f"{edition}-1", edition), convert(tmp_path / f"{edition}-2", edition)
        assert nbformat.writes(first) == nbformat.writes(again)
        ids = [c["id"] for c in first.cells]
        assert len(set(ids)) == len(ids) and ids[0] == "t-0"


def test_instructor_notebook_reads_as_the_page(tmp_path):
    nb = convert(tmp_path, "instructor")
    text = md(nb)
    assert "The value is 0.50" in text
    assert "([Nair and Hinton, 2010](https://relubook.github.io/relubook/book/bibliography.html))" in text
    assert "[Glorot et al. (2011)](" in text
    assert "> **Theorem 1.1 (Zero is small)**" in text
    assert r"\operatorname{ReLU}(x)" in text and r"\mathbb{R}" in text
    assert "[Theorem 1.1](https://relubook.github.io/relubook/book/t.html#thm-zero)" in text
    assert "[Fig. 1.1](" in text and "*Fig. 1.1. A figure.*" in text
    assert "[Test chapter](" in text and "[the first one](" in text
    assert "# 1. Test chapter" in text
    assert "zebra drill" in text and "purple elephant" in text  # teaching note and solution
    assert "> **Exercise 1.1 (★ First one)**" in text
    cells = code(nb)
    assert cells[0].source.startswith("# Set-up") and "glue" in cells[0].source
    assert "tags" not in cells[0].metadata and "jupyter" not in cells[0].metadata  # visible
    checks_ = [c for c in cells if N.CHECK_TAG in c.metadata.get("tags", [])]
    assert len(checks_) == 2 and all(c.metadata["jupyter"]["source_hidden"] for c in checks_)
    assert not [c for c in cells if "answer" in c.metadata.get("tags", [])]
    assert N.myst_remnants(nb, {"ReLU": "", "R": ""}) == []
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_student_notebook_has_answer_cells_and_no_solutions(tmp_path):
    nb = convert(tmp_path, "student")
    text = md(nb)
    assert "zebra drill" not in text and "purple elephant" not in text
    cells = code(nb)
    answer = [k for k, c in enumerate(cells) if "answer" in c.metadata.get("tags", [])]
    assert len(answer) == 1
    a, checker = cells[answer[0]], cells[answer[0] + 1]
    assert "relu_prime = None" in a.source
    assert checker.source == "checks.relu.relu_derivative(relu_prime)"
    # the hidden check of the exercise's solution is left out; the others stay
    assert "relu_derivative(lambda" not in json.dumps(nb)
    assert "assert half == 0.5" in json.dumps(nb)


def test_answer_cell_is_not_added_when_the_chapter_has_one(tmp_path):
    chapter = CHAPTER.replace("````{solution} ex-t-one", "```{code-cell} ipython3\n"
                              "checks.relu.relu_derivative(lambda z: z * 0)  # a first try\n```\n\n````{solution} ex-t-one")
    nb = convert(tmp_path, "student", chapter)
    assert not [c for c in code(nb) if "answer" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("change, message, line", [
    ("{glue:text}`half:.2f`", "{glue:text}`missing`", "glue key 'missing'"),
    ("{prf:ref}`thm-zero`", "{prf:ref}`thm-nowhere`", "cannot resolve the reference 'thm-nowhere'"),
    ("{cite:p}`nair2010rectified`", "{cite:p}`nobody2000`", "citation 'nobody2000'"),
    ("```{prf:proof}", "```{wizardry}", "unknown directive {wizardry}"),
    ("{ref}`ch-t`", "{weird}`ch-t`", "unknown role {weird}"),
])
def test_bad_input_fails_with_the_chapter_and_the_line(tmp_path, change, message, line):
    original, broken = change, message
    chapter = CHAPTER.replace(original, broken, 1)
    where = next(k + 1 for k, ln in enumerate(chapter.split("\n")) if broken in ln)
    with pytest.raises(N.NotebookError, match=re.escape(line)) as info:
        convert(tmp_path, "instructor", chapter)
    assert info.value.page == "book/t" and info.value.line == where, (info.value.line, where)
    assert str(info.value).startswith(f"book/t.md:{where}:")


def test_bad_arguments(tmp_path):
    root = make_book(tmp_path)
    ctx = N.book_context(root)
    with pytest.raises(ValueError, match="edition"):
        N.convert(CHAPTER, "book/t", "teacher", ctx, {})
    with pytest.raises(TypeError, match="glue"):
        N.convert(CHAPTER, "book/t", "student", ctx, ["half"])
    with pytest.raises(TypeError, match="text"):
        N.convert(b"x", "book/t", "student", ctx, {})
    with pytest.raises(ValueError, match="pages must be"):
        N.write_notebooks(root, tmp_path / "out", pages=["book/nothing"])


def test_write_notebooks_needs_the_executed_build(tmp_path):
    root = make_book(tmp_path)
    with pytest.raises(N.NotebookError, match="make book"):
        N.write_notebooks(root, tmp_path / "out", cache=tmp_path / "no-cache")


def test_remnants_are_found():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) for s in (
        "a {glue:text}`x` b", "{prf:ref}`y`", "::: note\nx\n:::", "(lab)=\n# T", "$\\ReLU(x)$",
        "```{exercise}\nx\n```", "fine $x$ text\n```python\n{cite:p}`in code is fine`\n```")]
    found = N.myst_remnants(nb, {"ReLU": "x"})
    assert [p.split(":")[0] for p in found] == ["cell 0", "cell 1", "cell 2", "cell 3", "cell 4", "cell 5", "cell 5"]


def test_every_chapter_converts_without_myst_syntax_left():
    """The real chapters, both editions (glued values stand in): every directive, role and label
    of the book is known to the converter, and nothing of MyST survives."""
    ctx = N.book_context(ROOT)
    pages = N.notebook_pages(ROOT)
    assert "book/01_relu" in pages and "book/intro" not in pages
    for page in pages:
        text = (ROOT / f"{page}.md").read_text()
        glue = {k: "1.5" for k in re.findall(r"\{glue(?::\w+)?\}`([^`:]+)", text)}
        for edition in N.EDITIONS:
            nb = N.convert(text, page, edition, ctx, glue)  # raises on any remnant
            assert code(nb)[0].source.startswith("# Set-up"), page
            if edition == "student":
                dump = md(nb)
                for phrases in editions.solution_phrases(text):
                    for p in phrases:
                        assert editions._normal(p) not in editions._normal(dump), (page, p)


def test_built_notebooks_if_present():
    """After `make notebooks`: no MyST left, kernelspec set, and the zip holds every notebook."""
    import nbformat

    out = ROOT / "_build" / "notebooks"
    if not (out / N.COMPLETE).is_file():  # absent, or being written (make test runs this beside the build)
        pytest.skip("no complete _build/notebooks (run make notebooks)")
    macros = N.book_context(ROOT).macros
    for edition in N.EDITIONS:
        files = sorted((out / edition).glob("*.ipynb"))
        for f in files:
            nb = nbformat.read(f, as_version=4)
            assert N.myst_remnants(nb, macros) == [], f
        z = out / edition / f"relubook-{edition}-notebooks.zip"
        with zipfile.ZipFile(z) as zf:
            assert sorted(pathlib.Path(n).name for n in zf.namelist()) == [f.name for f in files]


def test_leak_detector_reads_zips(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    with zipfile.ZipFile(site / "nb.zip", "w") as z:
        z.writestr("x/ch.ipynb", json.dumps({"cells": [{"source": ["a purple elephant walking slowly"]}]}))
    assert editions.find_leaks(site, ["purple elephant walking slowly"]) == {
        "purple elephant walking slowly": ["nb.zip:x/ch.ipynb"]}


# --------------------------------------------------------------------------------------------
# one place names the repository; every launch link is built from it


def test_every_launch_link_is_built_from_the_repository_setting():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    url, owner, name = N.repository(cfg)
    assert cfg["launch_buttons"]["thebe"] is False  # removed: see the comment in _config.yml
    for page in N.notebook_pages(ROOT):
        links = N.launch_urls(cfg, page)
        assert links["binder"] == (f"https://mybinder.org/v2/gh/{owner}/{name}/{cfg['repository']['branch']}"
                                   f"?urlpath=lab/tree/_build/notebooks/instructor/{pathlib.Path(page).name}.ipynb")
        assert links["repository"] == url and links["issues"] == f"{url}/issues"
        assert links["source"].startswith(f"{url}/blob/") and links["page"].endswith(f"/{page}.html")
    fork = dict(cfg, repository=dict(cfg["repository"], url="https://github.com/someone/myfork"))
    links = N.launch_urls(fork, "book/01_relu")
    assert all(owner not in v or owner == "someone" for v in links.values())
    assert "/v2/gh/someone/myfork/" in links["binder"] and links["page"].startswith("https://someone.github.io/myfork/")
    with pytest.raises(ValueError, match="repository.url"):
        N.repository({"repository": {"url": "not a url"}})


def test_no_other_file_names_the_repository():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    url, owner, name = N.repository(cfg)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for f in tracked:
        path = ROOT / f
        if f == "_config.yml" or not path.is_file() or path.suffix in {".png", ".zip", ".whl"}:
            continue
        assert f"github.com/{owner}/{name}" not in path.read_text(errors="replace"), f


def test_binder_environment_is_the_lock_and_up_to_date():
    from bookkit import binder

    r = subprocess.run([sys.executable, "-m", "bookkit.binder", str(ROOT), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    lock = binder.read_pins((ROOT / "constraints.txt").read_text())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = binder.read_pins("\n".join(pip))
    assert len(pins) > 50
    for name, (_, version) in pins.items():
        assert lock[name][1].split("+")[0] == version.split("+")[0], name
    assert "jupyterlab" in pins and "myst-nb" in pins and "pytest" not in pins
    post = (ROOT / "postBuild").read_text()
    assert "bookkit.notebooks" in post and "--execute" in post


def test_glue_values_come_from_the_execution_cache(tmp_path):
    """The cache is matched as myst-nb matches it (the chapter's code), and its glue outputs read."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    root = make_book(tmp_path)
    cfg = yaml.safe_load((root / "_config.yml").read_text())
    nb = N._read_myst(CHAPTER, cfg)
    nb.metadata.pop("source_map", None)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup.outputs = [nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": "0.5"},
                                            metadata={"scrapbook": {"name": "half",
                                                                    "mime_prefix": "application/papermill.record/"}})]
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(root / "book" / "t.md")), check_validity=False, overwrite=True)
    assert N.glue_from_cache(CHAPTER, tmp_path / "cache", cfg) == {"half": "0.5"}
    assert N.glue_from_cache(CHAPTER.replace("half = 0.5", "half = 0.25"), tmp_path / "cache", cfg) is None
    written = N.write_notebooks(root, tmp_path / "out", cache=tmp_path / "cache")
    student = nbformat.read(written["student"][0], as_version=4)
    assert "The value is 0.50" in md(student)
    assert [p.name for p in written["student"]] == ["t.ipynb", "relubook-student-notebooks.zip"]


def test_checker_called_by_its_full_name_gets_its_import(tmp_path):
    chapter = CHAPTER.replace("`checks.relu.relu_derivative(relu_prime)`", "`relubook.checks.relu.relu_derivative(relu_prime)`")
    nb = convert(tmp_path, "student", chapter)
    checker = next(c for c in code(nb) if "checker" in c.metadata.get("tags", []))
    assert checker.source == "import relubook.checks\nrelubook.checks.relu.relu_derivative(relu_prime)"


def test_leak_phrases_are_also_looked_for_with_the_macros_written_out(tmp_path):
    assert editions._with_macros_written_out(r"a \ReLU(x) \R \Rightarrow", {"ReLU": r"\operatorname{ReLU}", "R": r"\mathbb{R}"}) \
        == r"a \operatorname{ReLU}(x) \mathbb{R} \Rightarrow"


def test_answer_names_inside_a_list_literal():
    """ch13's exercise checks [s0, s1, s2, s3]: every name gets its answer line (a NameError otherwise)."""
    from bookkit.notebooks import _answer_names

    call = "checks.compositional.check_tied_scales([0.3, 0.6, 0.2, 0.7], [s0, s1, s2, s3])"
    assert _answer_names(call, set()) == ["s0", "s1", "s2", "s3"]
