"""One way to call a checker: ``from relubook import checks`` then ``checks.<part>.<name>(answer)``.

No chapter, page or notebook of the book spells a checker any other way (no ``relubook.checks.x.y``,
no ``from relubook.checks import x as alias``, no bare ``check_x(...)``), and every exercise that
uses a checker shows the import and the full call.
"""

import re
from pathlib import Path

from relubook import checks
from bookkit import editions

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("relu", "neuron", "approximation", "interpolation", "dying", "composition", "compositional", "pretraining",
         "regions2d", "rates", "memorisation")


def _checkers():
    return {name: part for part in PARTS for name in getattr(checks, part).__all__}


def _sources():
    yield from sorted((ROOT / "book").glob("*.md"))
    yield from (p for p in (ROOT / "README.md", ROOT / "CONTRIBUTING.md") if p.is_file())
    # bookkit (the build machinery) is not read by anyone learning the API: its notebook converter
    # has to recognise the other spellings in order to rewrite them.


def test_checker_names_are_unique_across_parts():
    names = [name for part in PARTS for name in getattr(checks, part).__all__]
    assert len(names) == len(set(names))


def test_one_spelling_everywhere():
    where = _checkers()
    bad = []
    for path in _sources():
        text = path.read_text()
        for m in re.finditer(r"from\s+relubook\.checks\s+import|import\s+relubook\.checks|relubook\.checks\.\w+\.\w+", text):
            bad.append(f"{path.name}: {m.group(0)}")
        for name, part in where.items():
            for m in re.finditer(rf"(?<![\w.])((?:\w+\.)*){name}\s*\(", text):
                prefix = m.group(1)
                if prefix == f"checks.{part}." or prefix.split(".")[0] in ("F", "torch", "nn", "functional"):
                    continue
                line = text[: m.start()].count("\n") + 1
                bad.append(f"{path.name}:{line}: {prefix}{name} is not spelled checks.{part}.{name}")
    assert not bad, "\n".join(bad)


def test_every_checked_exercise_shows_import_and_call():
    missing = []
    for ex in editions.exercises(ROOT):
        if not ex.checkers:
            continue
        text = (ROOT / f"{ex.page}.md").read_text()
        start = text.index(f":label: {ex.label}")
        body = text[start : text.index("\n````", start)]
        for c in ex.checkers:
            if f"checks.{c}(" not in body:
                missing.append(f"{ex.label}: no call checks.{c}(...) in the exercise")
        if "from relubook import checks" not in body:
            missing.append(f"{ex.label}: the exercise does not show `from relubook import checks`")
    assert not missing, "\n".join(missing)
