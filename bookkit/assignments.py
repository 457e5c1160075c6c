"""Assignments with autograding: one otter-grader assignment per chapter with a computable exercise.

``make assignments`` runs ``python -m bookkit.assignments export . _build/assignments``.  For every
chapter that has an exercise with a checker (and a ``grade`` entry in ``book/_exercises.yml``) it
writes an Otter Assign master notebook and runs otter's own ``otter assign`` on it, which produces

* ``<chapter>/dist/student/<chapter>.ipynb``: the student notebook (answer cells, public tests);
* ``<chapter>/dist/autograder/<chapter>-autograder_*.zip``: the autograder archive that
  ``otter run`` (locally, no Docker), ``otter grade`` (Docker) and Gradescope accept;
* ``<chapter>/dist/autograder/<chapter>.ipynb``: the solutions notebook (instructors only).

**Why otter-grader.**  Its tests are plain Python run inside the student's notebook, so they can
call the book's checkers directly; its autograder archive runs unchanged on Gradescope; and ``otter
run`` grades a submission locally without Docker.  nbgrader needs a course database and a JupyterHub
exchange for the same work.

**Tests.**  Every question is graded by its checker (:mod:`relubook.checks`).  The public test is
the checker call the exercise shows (1 point): its report is the feedback a student sees with
``grader.check``.  The hidden tests (1 point each) are one per test line of the checker's report
on the right answer, plus any further calls listed under ``hidden``: a partly right answer earns
partial marks.  Test cells run the checker inside :func:`relubook.checks.quiet`, under its time
limit, and the notebook's setup cell calls :func:`relubook.checks.cell_time_limit`, so a
submission whose code never returns is stopped and graded rather than hanging the grader.

**Solutions.**  The answer code lives in ``book/_exercises.yml`` (``grade.answer``, solution lines
marked ``# SOLUTION``), a file that the student edition and the public export leave out.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Question", "load_data", "questions", "master_notebook", "export", "grade", "grading_kernels",
           "sample_submissions", "DEFAULT_CELL_LIMIT"]

#: Seconds a cell of a submission may run before it is stopped (the checkers' own limit is shorter).
DEFAULT_CELL_LIMIT = 60

DATA_FILE = Path("book") / "_exercises.yml"
_RUNTIME_HEADER = "# book build"  # requirements.txt: the runtime pins come before this line


@dataclass
class Question:
    """One computable exercise as an otter question."""

    label: str
    title: str
    page: str
    chapter: str
    prompt: str
    setup: str
    answer: str
    checks: list[str]
    wrong: str
    never: str
    hidden: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return re.sub(r"\W", "_", self.label)


def load_data(root) -> dict:
    """``book/_exercises.yml`` as a dict keyed by exercise label."""
    from . import safe_load_yaml

    path = Path(root) / DATA_FILE
    if not path.is_file():
        raise ValueError(f"root must hold {DATA_FILE}, got {root}")
    data = safe_load_yaml(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must map exercise labels to their data")
    return data


def _exercises(root):
    try:
        from bookkit import editions  # after the move of the build machinery into bookkit
    except ImportError:
        from bookkit import editions
    return editions.exercises(root)


_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")


def exercise_prompt(text: str, label: str) -> str:
    """The body of the exercise ``label`` of a MyST page, as plain Jupyter markdown."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == f":label: {label}"), None)
    if start is None:
        raise ValueError(f"no exercise labelled {label!r} on this page")
    head = start - 1
    while head >= 0 and not lines[head].startswith("````{exercise"):
        head -= 1
    stop = next(i for i in range(start, len(lines)) if lines[i].rstrip() == "````")
    body = [line for line in lines[start + 1 : stop] if not re.match(r"^:\w+:", line)]
    title = lines[head].split("}", 1)[1].strip() if head >= 0 else label
    md = "\n".join(body).strip()
    md = _ROLE.sub(lambda m: m.group(1) or "", md)
    return f"**{title}**\n\n{md}"


def questions(root) -> dict[str, list[Question]]:
    """The otter questions of every chapter, in book order: ``{page: [Question, ...]}``."""
    root = Path(root)
    data = load_data(root)
    out: dict[str, list[Question]] = {}
    for ex in _exercises(root):
        if not ex.checkers:
            continue
        spec = (data.get(ex.label) or {}).get("grade")
        if not spec:
            raise ValueError(f"{DATA_FILE}: the exercise {ex.label} has a checker but no 'grade' entry")
        text = (root / f"{ex.page}.md").read_text()
        answer = spec["answer"].rstrip("\n")
        never = spec.get("never") or "while True:\n    pass"
        out.setdefault(ex.page, []).append(Question(
            ex.label, ex.title, ex.page, ex.chapter, exercise_prompt(text, ex.label), (spec.get("setup") or "").rstrip("\n"),
            answer, [spec["check"]], spec["wrong"].rstrip("\n"), never.rstrip("\n"), list(spec.get("hidden") or [])))
    return out


def solution_code(answer: str) -> str:
    """The answer cell with otter's ``# SOLUTION`` markers removed (what a right submission contains)."""
    return "\n".join(re.sub(r"\s*# ?SOLUTION\s*$", "", line) for line in answer.split("\n"))


def _test_source(call: str, line: int | None = None, hidden: bool = False) -> str:
    head = "# HIDDEN\n" if hidden else ""
    body = ("from relubook import checks\n"
            "with checks.quiet():\n"
            f"    result = {call}\n")
    if line is None:
        return head + body + "assert result, str(result)\n"
    return head + body + f"assert len(result.lines) > {line} and result.lines[{line}][0]\n"


def _report_lines(q: Question, call: str) -> int:
    """Number of test lines the checker reports on the right answer (each becomes a hidden test)."""
    import numpy as np

    import relubook as rb
    from relubook import checks

    env = {"np": np, "rb": rb, "checks": checks}
    exec(q.setup, env)
    exec(solution_code(q.answer), env)
    with checks.quiet():
        result = eval(call, env)
    if not result:
        raise ValueError(f"{q.label}: the solution in {DATA_FILE} does not pass {call}:\n{result}")
    return len(result.lines)


def _cell(kind: str, source: str, **meta):
    import nbformat

    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell}[kind]
    cell = make(source)
    if meta:
        cell.metadata.update(meta)
    return cell


def master_notebook(name: str, title: str, qs: list[Question], *, cell_limit: float = DEFAULT_CELL_LIMIT,
                    requirements: str | None = "requirements.txt", files=("relubook",)):
    """The Otter Assign master notebook (format v1) of one chapter."""
    import nbformat
    import yaml

    config = {
        "name": name,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": True,
        "solutions_pdf": False,
        "files": list(files),
        "generate": {"pdf": False, "show_stdout": True, "show_hidden": False},
        "tests": {"ok_format": True},
    }
    if requirements:
        config["requirements"] = requirements
    cells = [_cell("raw", "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False))]
    cells.append(_cell("markdown", f"# {title}: exercises\n\nAnswer each question in the cell below it, then run "
                       "`grader.check(\"...\")` under it: the test calls the book's checker and shows its report. "
                       "Real numbers are compared to three significant figures unless the question says otherwise. "
                       f"A cell that runs longer than {cell_limit:g} seconds is stopped."))
    cells.append(_cell("code", "import numpy as np\nimport relubook as rb\nfrom relubook import checks\n\n"
                       f"checks.cell_time_limit({cell_limit!r})  # a cell that never returns is stopped"))
    for q in qs:
        cells.append(_cell("raw", "# BEGIN QUESTION\n" + yaml.safe_dump({"name": q.name}, sort_keys=False)))
        cells.append(_cell("markdown", q.prompt))
        if q.setup:
            cells.append(_cell("code", q.setup))
        cells.append(_cell("raw", "# BEGIN SOLUTION"))
        cells.append(_cell("code", q.answer))
        cells.append(_cell("raw", "# END SOLUTION"))
        cells.append(_cell("raw", "# BEGIN TESTS"))
        for call in q.checks:
            cells.append(_cell("code", _test_source(call)))
        for call in q.checks:
            for k in range(_report_lines(q, call)):
                cells.append(_cell("code", _test_source(call, k, hidden=True)))
        for call in q.hidden:
            _report_lines(q, call)
            cells.append(_cell("code", _test_source(call, hidden=True)))
        cells.append(_cell("raw", "# END TESTS"))
        cells.append(_cell("raw", "# END QUESTION"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _runtime_requirements(root: Path) -> str:
    lines = []
    for line in (root / "requirements.txt").read_text().splitlines():
        if line.startswith(_RUNTIME_HEADER):
            break
        if line.strip() and not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines) + "\n"


def _otter() -> list[str]:
    exe = Path(sys.executable).with_name("otter")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "otter"]


def export(root, dest, chapters=None, *, run_tests: bool = True, cell_limit: float = DEFAULT_CELL_LIMIT,
           verbose: bool = True) -> dict[str, Path]:
    """Export one otter assignment per chapter with a computable exercise; returns ``{page: dist folder}``.

    ``chapters`` (optional) restricts the export to pages whose name contains one of its strings.
    With ``run_tests`` otter executes the solutions notebook and checks that every test passes.
    """
    import nbformat

    root, dest = Path(root).resolve(), Path(dest).resolve()
    by_page = questions(root)
    if chapters:
        by_page = {p: q for p, q in by_page.items() if any(c in p for c in chapters)}
    reqs = _runtime_requirements(root)
    out = {}
    for page, qs in by_page.items():
        name = Path(page).name
        work = dest / name
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        shutil.copytree(root / "relubook", work / "relubook", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (work / "requirements.txt").write_text(reqs)
        nb = master_notebook(name, qs[0].chapter, qs, cell_limit=cell_limit)
        nbformat.write(nb, work / f"{name}.ipynb")
        cmd = [*_otter(), "assign", "--no-pdfs", *([] if run_tests else ["--no-run-tests"]), f"{name}.ipynb", "dist"]
        if verbose:
            print(f"== {name}: {len(qs)} question(s): {' '.join(cmd[1:])}", flush=True)
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"otter assign failed for {name}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        out[page] = work / "dist"
    return out


def autograder_zip(dist) -> Path:
    zips = sorted(Path(dist, "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise ValueError(f"expected one autograder zip in {dist}/autograder, found {len(zips)}")
    return zips[0]


def sample_submissions(root, page: str, dist, dest) -> dict[str, Path]:
    """Four sample submissions of a chapter's student notebook: correct, partly wrong, empty, never returns."""
    import nbformat

    qs = questions(root)[page]
    name = Path(page).name
    student = nbformat.read(Path(dist) / "student" / f"{name}.ipynb", as_version=4)
    answers = [i for i, c in enumerate(student.cells) if "otter_answer_cell" in c.metadata.get("tags", [])]
    if len(answers) != len(qs):
        raise ValueError(f"{name}: {len(answers)} answer cells for {len(qs)} questions")
    fills = {
        "correct": [solution_code(q.answer) for q in qs],
        "partial": [solution_code(qs[0].answer)] + [q.wrong for q in qs[1:]] if len(qs) > 1 else [qs[0].wrong],
        "empty": None,
        "never": [q.never for q in qs],
    }
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, codes in fills.items():
        nb = copy.deepcopy(student)
        if codes is not None:
            for i, code in zip(answers, codes):
                nb.cells[i].source = code
        path = dest / f"{name}-{kind}.ipynb"
        nbformat.write(nb, path)
        out[kind] = path
    return out


def grade(autograder, submission, outdir, *, timeout: float = 900, env=None) -> dict:
    """Grade one submission with otter's own ``otter run`` (no Docker); returns otter's results.json.

    ``timeout`` is a last resort for the grader process itself; a submission that never returns is
    stopped inside the notebook (checker and cell time limits) long before.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [*_otter(), "run", "--no-logo", "-a", str(autograder), "-o", str(outdir), str(submission)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    results = outdir / "results.json"
    if not results.is_file():
        raise RuntimeError(f"otter run wrote no results for {submission}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(results.read_text())


@contextlib.contextmanager
def grading_kernels(env: dict | None = None):
    """Within the block, the kernels that ``otter run`` starts are forked from one process that has
    imported torch, relubook and the rest (:mod:`bookkit.forkkernel`), not started afresh (the unit
    test's four gradings: 39 CPU-seconds against 46).

    ``env``: the variables the graders will be given on top of this process's environment (the
    kernel server is started with them, since a kernel forks only when its environment is the
    server's).  ``otter run`` puts its conda folder (``miniconda_path`` of its configuration)
    first on ``PATH`` before it starts a kernel, so the server's ``PATH`` has it too; the graders
    are started with this process's own ``PATH``.  Where the server cannot start, or on another
    system than Linux, kernels start the ordinary way."""
    from otter.run.run_autograder.autograder_config import AutograderConfig

    from bookkit import forkkernel

    path = os.environ.get("PATH", "")
    conda_bin = f"{AutograderConfig().miniconda_path}/bin"
    with forkkernel.environment({**(env or {}), "PATH": f"{conda_bin}{os.pathsep}{path}"}):
        with forkkernel.ForkedKernels(quiet=True), forkkernel.environment({"PATH": path}):
            yield


def score(results: dict) -> tuple[float, float]:
    """(points earned, points possible) of an otter results.json."""
    tests = results.get("tests", [])
    return sum(t.get("score", 0) or 0 for t in tests), sum(t.get("max_score", 0) or 0 for t in tests)


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookkit.assignments", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="export the otter assignments of every chapter with a computable exercise")
    ex.add_argument("root")
    ex.add_argument("dest")
    ex.add_argument("--chapters", nargs="*", help="only pages whose name contains one of these")
    ex.add_argument("--no-run-tests", action="store_true", help="do not execute the solutions notebooks")
    ex.add_argument("--cell-limit", type=float, default=DEFAULT_CELL_LIMIT)
    gr = sub.add_parser("grade", help="grade one submission with `otter run` (no Docker)")
    gr.add_argument("autograder")
    gr.add_argument("submission")
    gr.add_argument("outdir")
    args = parser.parse_args(argv)
    if args.cmd == "export":
        done = export(args.root, args.dest, args.chapters, run_tests=not args.no_run_tests, cell_limit=args.cell_limit)
        for page, dist in done.items():
            print(f"{page}: {autograder_zip(dist)}")
        return 0
    earned, possible = score(grade(args.autograder, args.submission, args.outdir))
    print(f"{args.submission}: {earned:g} / {possible:g}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
