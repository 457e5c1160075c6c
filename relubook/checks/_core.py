"""The checker pattern shared by every exercise checker."""

from __future__ import annotations


class Feedback:
    """Results of one check: a list of (passed, message) lines.

    ``Feedback`` is truthy when every line passed.  :meth:`expect` records a
    line; :meth:`report` prints the lines with a mark in front.
    """

    def __init__(self, title: str):
        self.title = title
        self.lines: list[tuple[bool, str]] = []

    def expect(self, passed: bool, right: str, wrong: str) -> bool:
        """Record one test: ``right`` is shown when it passed, ``wrong`` (a hint) otherwise."""
        passed = bool(passed)
        self.lines.append((passed, right if passed else wrong))
        return passed

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(ok for ok, _ in self.lines)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def score(self) -> tuple[int, int]:
        return sum(ok for ok, _ in self.lines), len(self.lines)

    def text(self) -> str:
        good, total = self.score
        head = f"{self.title}: {good}/{total} checks passed"
        body = [("  [ok]   " if ok else "  [fix]  ") + msg for ok, msg in self.lines]
        return "\n".join([head, *body])

    def report(self) -> "Feedback":
        print(self.text())
        return self

    def __repr__(self) -> str:
        good, total = self.score
        return f"Feedback({self.title!r}, {good}/{total} passed)"
