"""Instructor material of the instructors' page: exercise times, skills and rubrics
(``book/_exercises.yml``), the chapter dependency figure and the course plans (``book/_course.yml``).

Everything here returns MyST lines or an SVG string; ``bookkit.sphinxext`` (the directives of the
instructors' page) calls it when the page is built.
"""

from __future__ import annotations

import html
import textwrap
from pathlib import Path

__all__ = ["load_course", "load_exercise_data", "chapters", "layers", "dependency_svg", "dependency_lines",
           "plan_lines", "rubric_lines", "check_plan"]

COURSE_FILE = Path("book") / "_course.yml"
EXERCISE_FILE = Path("book") / "_exercises.yml"


def _yaml(path: Path):
    from . import safe_load_yaml

    if not path.is_file():
        raise ValueError(f"missing {path}")
    return safe_load_yaml(path.read_text()) or {}


def load_course(root) -> dict:
    """``book/_course.yml``, validated: every dependency is a chapter, every plan respects them."""
    data = _yaml(Path(root) / COURSE_FILE)
    deps = data.get("depends") or {}
    for ch, pre in deps.items():
        for p in pre:
            if p not in deps:
                raise ValueError(f"{COURSE_FILE}: {ch} depends on {p}, which is not a chapter")
    for name, plan in (data.get("plans") or {}).items():
        check_plan(deps, plan["weeks"], name)
    return data


def load_exercise_data(root) -> dict:
    return _yaml(Path(root) / EXERCISE_FILE)


def check_plan(depends: dict, weeks: list, name: str = "plan") -> None:
    """Raise ValueError unless every chapter of ``weeks`` comes after (or with) its prerequisites."""
    seen: set[str] = set()
    for k, week in enumerate(weeks, start=1):
        for ch in week:
            missing = [p for p in depends.get(ch, []) if p not in seen]
            if missing:
                raise ValueError(f"{name}, week {k}: {ch} needs {', '.join(missing)} first")
            seen.add(ch)


def chapters(root) -> list[tuple[str, str]]:
    """``(name, title)`` of the numbered chapters, in book order (name = file stem)."""
    import re

    out = []
    for ch in load_course(root)["depends"]:
        text = (Path(root) / "book" / f"{ch}.md").read_text()
        m = re.search(r"^#\s+(.+?)\s*$", text, re.M)
        out.append((ch, m.group(1) if m else ch))
    return out


def layers(depends: dict) -> dict[str, int]:
    """Layer of each chapter: 0 without prerequisites, else one more than its deepest prerequisite."""
    memo: dict[str, int] = {}

    def depth(ch, stack=()):
        if ch in stack:
            raise ValueError(f"dependency cycle through {ch}")
        if ch not in memo:
            memo[ch] = 1 + max((depth(p, stack + (ch,)) for p in depends[ch]), default=-1)
        return memo[ch]

    for ch in depends:
        depth(ch)
    return memo


def _number(ch: str) -> str:
    return str(int(ch.split("_")[0])) if ch[:2].isdigit() else ch


def dependency_svg(root) -> str:
    """The chapter dependency graph as a standalone SVG (layered left to right)."""
    deps = load_course(root)["depends"]
    titles = dict(chapters(root))
    lay = layers(deps)
    cols: dict[int, list[str]] = {}
    for ch in deps:
        cols.setdefault(lay[ch], []).append(ch)
    row: dict[str, float] = {}
    for c in sorted(cols):  # order each layer by the mean row of its prerequisites (fewer crossings)
        cols[c].sort(key=lambda ch: sum(row[p] for p in deps[ch]) / len(deps[ch]) if deps[ch] else 0)
        row.update({ch: r for r, ch in enumerate(cols[c])})
    bw, bh, gx, gy, pad = 180, 40, 50, 12, 10
    rows = max(len(v) for v in cols.values())
    width = pad * 2 + len(cols) * bw + (len(cols) - 1) * gx
    height = pad * 2 + rows * bh + (rows - 1) * gy
    pos = {}
    for c, chs in cols.items():
        top = pad + (height - 2 * pad - (len(chs) * bh + (len(chs) - 1) * gy)) / 2
        for r, ch in enumerate(chs):
            pos[ch] = (pad + c * (bw + gx), top + r * (bh + gy))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="100%" role="img" aria-labelledby="relubook-deps-title" class="relubook-deps">',
             '<title id="relubook-deps-title">Chapter dependencies: an arrow from A to B means chapter B '
             'uses results of chapter A</title>',
             '<defs><marker id="relubook-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for ch, pre in deps.items():
        x2, y2 = pos[ch]
        for p in pre:
            x1, y1 = pos[p]
            ax, ay, bx, by = x1 + bw, y1 + bh / 2, x2, y2 + bh / 2
            skip = lay[ch] - lay[p] - 1  # an edge over skipped layers arcs above their boxes
            lift = skip * (bh + gy) * 1.2
            parts.append(f'<path d="M {ax:.0f} {ay:.0f} C {ax + gx:.0f} {ay - lift:.0f}, {bx - gx:.0f} {by - lift:.0f}, '
                         f'{bx:.0f} {by:.0f}" fill="none" stroke="#555" stroke-width="1.3" '
                         'marker-end="url(#relubook-arrow)"/>')
    for ch, (x, y) in pos.items():
        lines = textwrap.wrap(f"{_number(ch)}. {titles.get(ch, ch)}", 25)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), 25, placeholder="…")]
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{bw}" height="{bh}" rx="6" fill="#eef3fb" stroke="#3b5b92"/>')
        for k, text in enumerate(lines):
            ty = y + bh / 2 + 4 + (k - (len(lines) - 1) / 2) * 14
            parts.append(f'<text x="{x + bw / 2:.0f}" y="{ty:.0f}" text-anchor="middle" '
                         f'font-family="sans-serif" font-size="12" fill="#111">{html.escape(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def dependency_lines(root) -> list[str]:
    """The same graph as a MyST list (the figure's long description, and what non-HTML builders show)."""
    deps = load_course(root)["depends"]
    out = []
    for ch, pre in deps.items():
        need = ", ".join(f"{{doc}}`/book/{p}`" for p in pre) if pre else "nothing beyond the prerequisites of the book"
        out.append(f"* {{doc}}`/book/{ch}` needs {need}.")
    return out


def _exercise_minutes(root):
    try:
        from bookkit import editions
    except ImportError:
        from bookkit import editions
    data = load_exercise_data(root)
    return editions.exercises(root), data


def plan_lines(root, name: str) -> list[str]:
    """A plan of ``_course.yml`` as a MyST table: per week the chapters, the ★ exercises for class,
    the ★★ exercises for homework and the homework time they add up to (from ``_exercises.yml``)."""
    plan = load_course(root)["plans"][name]
    exs, data = _exercise_minutes(root)
    lines = [f"**{plan['title']}.** {plan.get('about', '')}".rstrip(), "",
             f"```{{list-table}} {plan['title']}: the chapters, exercises and homework time of every week",
             ":header-rows: 1", ":class: relubook-course-plan", "",
             "* - Week", "  - Read", "  - In class (★)", "  - Homework (★★)", "  - Homework time"]
    for k, week in enumerate(plan["weeks"], start=1):
        mine = [e for e in exs if e.page.split("/")[-1] in week]
        home = [e for e in mine if e.stars == 2]
        minutes = sum(int((data.get(e.label) or {}).get("minutes", 0)) for e in home)
        refs = lambda sel: ", ".join(f"{{numref}}`{e.label}`" + (" (checker)" if e.checkers else "") for e in sel) or "–"
        lines += [f"* - {k}", "  - " + ", ".join(f"{{doc}}`/book/{ch}`" for ch in week),
                  f"  - {refs([e for e in mine if e.stars <= 1])}", f"  - {refs(home)}",
                  f"  - {minutes} min" if home else "  - –"]
    lines += ["```"]
    return lines


def _plain(text) -> str:
    """Rubric text with MyST's emphasis characters escaped (``q_l``, ``q*`` stay literal)."""
    return str(text).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def rubric_lines(root) -> list[str]:
    """Every exercise with a rubric: what a complete answer contains and the common mistakes."""
    exs, data = _exercise_minutes(root)
    lines = []
    for e in exs:
        d = data.get(e.label) or {}
        rub = d.get("rubric")
        if not rub:
            continue
        lines += [f"**{{numref}}`{e.label}`** {e.title} ({'★' * e.stars}, about {d.get('minutes', '?')} min; "
                  f"{_plain(d.get('skill', ''))}).", "",
                  "A complete answer:", ""]
        lines += [f"- {_plain(item)}" for item in rub["complete"]]
        lines += ["", "Common mistakes:", ""]
        lines += [f"- {_plain(item)}" for item in rub["mistakes"]]
        lines += [""]
    return lines
