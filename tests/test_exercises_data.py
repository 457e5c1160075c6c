"""book/_exercises.yml and book/_course.yml: every exercise has a time and a skill, every exercise
without a checker a rubric, every exercise with a checker an otter question; the plans respect the
chapter dependencies; the instructors' page renders them."""

from pathlib import Path

import pytest

from bookkit import course
from bookkit import editions

ROOT = Path(__file__).resolve().parents[1]


def test_every_exercise_has_time_skill_and_rubric_or_question():
    data = course.load_exercise_data(ROOT)
    exs = editions.exercises(ROOT)
    labels = {e.label for e in exs}
    assert set(data) == labels, f"unknown {set(data) - labels}, missing {labels - set(data)}"
    for e in exs:
        d = data[e.label]
        assert isinstance(d.get("minutes"), int) and 0 < d["minutes"] <= 120, e.label
        assert isinstance(d.get("skill"), str) and len(d["skill"]) > 10, e.label
        if e.checkers:
            assert "grade" in d and "check" in d["grade"], e.label
            assert any(f"checks.{c}(" in d["grade"]["check"] for c in e.checkers), e.label
        else:
            rub = d.get("rubric") or {}
            assert rub.get("complete") and rub.get("mistakes"), f"{e.label}: a rubric needs both lists"
            assert all(isinstance(x, str) and x.strip() for x in rub["complete"] + rub["mistakes"])


def test_plans_respect_dependencies_and_cover_the_chapters():
    data = course.load_course(ROOT)
    chapters = set(data["depends"])
    assert chapters == {p.split("/")[-1] for p in editions.toc_pages(__import__("yaml").safe_load(
        (ROOT / "_toc.yml").read_text())) if p.split("/")[-1][:2].isdigit()}
    assert set(data["plans"]) == {"six-week", "fifteen-week"}
    assert len(data["plans"]["six-week"]["weeks"]) == 6
    assert len(data["plans"]["fifteen-week"]["weeks"]) == 15
    fifteen = {c for w in data["plans"]["fifteen-week"]["weeks"] for c in w}
    assert chapters <= fifteen
    with pytest.raises(ValueError, match="needs"):
        course.check_plan(data["depends"], [["05_convex"], ["04_universal"]])
    with pytest.raises(ValueError, match="cycle"):
        course.layers({"a": ["b"], "b": ["a"]})


def test_generated_material():
    svg = course.dependency_svg(ROOT)
    deps = course.load_course(ROOT)["depends"]
    assert svg.startswith("<svg") and svg.count("<rect") == len(deps) and "<title" in svg
    assert svg.count("marker-end=") == sum(len(v) for v in deps.values())
    assert len(course.dependency_lines(ROOT)) == len(deps)
    six = "\n".join(course.plan_lines(ROOT, "six-week"))
    assert "{doc}`/book/01_relu`" in six and "min" in six
    rub = "\n".join(course.rubric_lines(ROOT))
    assert rub.count("A complete answer:") == sum(1 for e in editions.exercises(ROOT) if not e.checkers)
    text = (ROOT / "book/instructors.md").read_text()
    for directive in ("relubook-exercises", "relubook-dependencies", "relubook-plan} six-week",
                      "relubook-plan} fifteen-week", "relubook-rubrics"):
        assert directive in text
