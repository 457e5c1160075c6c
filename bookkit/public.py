"""A public copy of the repository without solutions (``make public-export``).

The instructors' repository stays private: it holds the solutions (``{solution}`` blocks, hidden
cells that check them, ``book/_exercises.yml``, the assignments' solutions notebooks).  This module
writes a copy of its tracked files that can be published as the students' repository:

* every chapter passes through the student filter (:func:`bookkit.editions.strip_for_students`)
  and loses the hidden cells that check exercise solutions
  (:func:`bookkit.editions.student_download_text`), exactly as the student edition's downloads do;
* the instructors' page, ``book/_exercises.yml`` and ``book/_course.yml`` (solutions, rubrics) and the
  tests that need them are left out, and ``_toc.yml`` no longer lists the page;
* ``_config.yml`` points to the public repository (``--public-repository URL``) or to none, so no
  button of a book built from the copy leads to the solutions.

:func:`export_public` then searches the copy for the text of every solution and fails on a match.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["PRIVATE_FILES", "export_public"]

#: Files of the instructors' repository that the public copy leaves out.
PRIVATE_FILES = ("book/instructors.md", "book/_exercises.yml", "book/_course.yml",
                 "tests/test_exercises_data.py", "tests/test_assignments.py")


def _editions():
    try:
        from bookkit import editions
    except ImportError:
        from bookkit import editions
    return editions


def _tracked(root: Path) -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
        files = [f for f in out.splitlines() if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if not files:  # not a git checkout: every file outside hidden folders and _build
        files = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                 and not any(part.startswith(".") or part in ("_build", "__pycache__") for part in p.relative_to(root).parts)]
    return sorted(files)


def public_config(config: dict, repository: str | None) -> dict:
    """``_config.yml`` of the public copy: its repository, or no repository link at all."""
    import json

    cfg = json.loads(json.dumps(config))
    if repository:
        cfg.setdefault("repository", {})["url"] = repository
    else:
        cfg.pop("repository", None)
        html = cfg.setdefault("html", {})
        for key in ("use_issues_button", "use_repository_button", "use_edit_page_button"):
            html[key] = False
        cfg["launch_buttons"] = {"notebook_interface": "jupyterlab", "binderhub_url": "", "thebe": False}
    return cfg


def export_public(root, dest, repository: str | None = None) -> list[str]:
    """Write the public copy of the repository at ``root`` into ``dest``; returns the files written."""
    import yaml
    from . import safe_load_yaml

    ed = _editions()
    root, dest = Path(root).resolve(), Path(dest).resolve()
    if not (root / "_config.yml").is_file():
        raise ValueError(f"root must be the book's repository (with _config.yml), got {root}")
    if dest == root or root in dest.parents and "_build" not in dest.relative_to(root).parts:
        raise ValueError(f"dest must lie outside the repository (under _build/ is fine), got {dest}")
    if dest.exists():
        shutil.rmtree(dest)
    written = []
    solutions = []
    for rel in _tracked(root):
        if rel in PRIVATE_FILES:
            continue
        src, target = root / rel, dest / rel
        if not src.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.startswith("book/") and rel.endswith(".md"):
            text = src.read_text()
            solutions += [s for s in ed._solution_texts(text) if len(s.strip()) > 20]
            target.write_text(ed.student_download_text(ed.strip_for_students(text, mark=False)))
        elif rel == "_config.yml":
            cfg = public_config(safe_load_yaml(src.read_text()), repository)
            target.write_text(yaml.safe_dump(cfg, sort_keys=False))
        elif rel == "_toc.yml":
            toc = ed._drop_pages(safe_load_yaml(src.read_text()), set(ed.INSTRUCTOR_ONLY_PAGES))
            target.write_text(yaml.safe_dump(toc, sort_keys=False))
        else:
            shutil.copy2(src, target)
        written.append(rel)
    leaks = []
    for rel in written:
        if rel.startswith("book/") and rel.endswith(".md"):
            text = (dest / rel).read_text()
            leaks += [f"{rel}: {s.strip()[:60]!r}" for s in solutions if s.strip() in text]
    if leaks:
        raise RuntimeError("solutions left in the public copy:\n" + "\n".join(leaks[:20]))
    return written


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookkit.public", description=__doc__.split("\n\n")[0])
    parser.add_argument("root")
    parser.add_argument("dest")
    parser.add_argument("--public-repository", default=None, help="URL of the public (students') repository")
    args = parser.parse_args(argv)
    files = export_public(args.root, args.dest, args.public_repository or None)
    print(f"{len(files)} files written to {args.dest} (no solutions, no instructors' page)")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
