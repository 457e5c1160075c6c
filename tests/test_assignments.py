"""`make assignments`: otter-grader assignments built from the checkers, graded with otter's own command.

For every chapter with a computable exercise the assignment is exported (``otter assign``), and four
sample submissions are graded with ``otter run`` (otter's grader without Docker), locally and
without a network: the solutions get full marks, a partly wrong one partial marks, the untouched
student notebook zero, and one whose code never returns is stopped (checker and cell time limits)
and graded zero instead of hanging the grader.  The hang guard is the grader process's own
``timeout=`` (:data:`HANG_LIMIT`, far above any normal grading run): only a grader that never
finishes fails the test, with a message saying so; no run time is asserted.

``RELUBOOK_ASSIGNMENT_CHAPTERS`` (space-separated parts of page names, e.g. ``"01_relu 12_comp"``)
chooses the chapters; ``all`` grades every chapter (``make test-assignments``).  The default, in
``make test``, is chapter 1 alone: otter executes every sample submission in a fresh kernel, about a
minute a chapter on the 2-core machine.  ``RELUBOOK_ASSIGNMENT_WORKERS`` sets how many submissions
are graded at once (default: the number of CPUs, 2 to 8).
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("otter")

from bookkit import assignments as A  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_CHOSEN = os.environ.get("RELUBOOK_ASSIGNMENT_CHAPTERS", "").split() or ["01_relu"]
CHAPTERS = None if _CHOSEN == ["all"] else _CHOSEN
CELL_LIMIT = 20  # seconds per submission cell: above the import of relubook on a loaded machine
CHECK_LIMIT = 1  # seconds per checker call
HANG_LIMIT = 1800  # seconds: a hang guard on the grader process (otter run), not a claim about its speed
WORKERS = int(os.environ.get("RELUBOOK_ASSIGNMENT_WORKERS", "0")) or max(2, min(8, os.cpu_count() or 2))


def test_every_computable_chapter_has_questions():
    qs = A.questions(ROOT)
    from bookkit import editions

    pages = {ex.page for ex in editions.exercises(ROOT) if ex.checkers}
    assert set(qs) == pages
    for page, items in qs.items():
        for q in items:
            assert "# SOLUTION" in q.answer, q.label
            assert A.solution_code(q.answer) != q.answer
            assert q.wrong.strip() and q.wrong.strip() != A.solution_code(q.answer).strip(), q.label


def test_prompt_is_plain_markdown():
    text = (ROOT / "book/01_relu.md").read_text()
    prompt = A.exercise_prompt(text, "ex-relu-derivative")
    assert "relu_prime" in prompt and ":label:" not in prompt and "{prf:ref}" not in prompt


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("assignments")
    return dest, A.export(ROOT, dest, CHAPTERS, run_tests=False, cell_limit=CELL_LIMIT, verbose=False)


def test_export_layout_and_no_solutions_for_students(exported):
    _, done = exported
    assert done
    for page, dist in done.items():
        name = Path(page).name
        student = (dist / "student" / f"{name}.ipynb").read_text()
        assert "# SOLUTION" not in student and "# HIDDEN" not in student
        for q in A.questions(ROOT)[page]:
            solution_lines = [A.solution_code(line) for line in q.answer.splitlines() if "SOLUTION" in line]
            for line in solution_lines:  # lines without the marker are scaffolding the student sees
                if "=" in line or "return" in line:
                    assert line.strip() not in student, (page, line)
        assert A.autograder_zip(dist).stat().st_size > 0
        assert (dist / "autograder" / f"{name}.ipynb").is_file()  # the solutions notebook, instructors only


#: what the graders get on top of the test's environment
GRADER_ENV = {"RELUBOOK_CHECK_TIME_LIMIT": str(CHECK_LIMIT), "PYTHONPATH": str(ROOT)}


def _grade_one(args):
    """Grade one sample submission; a grader that runs past the hang guard is reported as hung."""
    page, kind, dist, path, dest = args
    env = dict(os.environ, **GRADER_ENV)
    try:
        results = A.grade(A.autograder_zip(dist), path, dest / "results" / f"{Path(page).name}-{kind}", env=env,
                          timeout=HANG_LIMIT)
    except subprocess.TimeoutExpired:
        return page, kind, None
    return page, kind, (*A.score(results), json.dumps(results)[:2000])


def test_sample_submissions_are_graded_by_otter(exported):
    dest, done = exported
    tasks = []
    for page, dist in done.items():
        subs = A.sample_submissions(ROOT, page, dist, dest / Path(page).name)
        tasks += [(page, kind, dist, path, dest) for kind, path in subs.items()]
    # each submission's kernel is forked from one warm process, as the build's and nbval's are
    with A.grading_kernels(GRADER_ENV), ThreadPoolExecutor(max_workers=WORKERS) as pool:
        graded = {}
        for page, kind, res in pool.map(_grade_one, tasks):
            graded.setdefault(page, {})[kind] = res
    hung = [(page, kind) for page, res in graded.items() for kind, r in res.items() if r is None]
    assert not hung, (f"otter run gave no verdict within the hang guard of {HANG_LIMIT} s (the grader hung) for: "
                      + ", ".join(f"{p} ({k})" for p, k in hung))
    expected = {"correct": lambda e, p: p > 0 and e == p, "partial": lambda e, p: 0 < e < p,
                "empty": lambda e, p: p > 0 and e == 0,
                "never": lambda e, p: p > 0 and e == 0}  # stopped by the cell and checker time limits, then graded
    wrong = [(page, kind, f"{res[kind][0]:g}/{res[kind][1]:g}", res[kind][2])
             for page, res in graded.items() for kind, ok in expected.items() if not ok(*res[kind][:2])]
    print("graded as expected:", " ".join(sorted(set(graded) - {w[0] for w in wrong})))
    assert not wrong, "\n".join(f"{page} ({kind}): {score}: {log}" for page, kind, score, log in wrong)
