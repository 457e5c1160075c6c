"""Private solutions: the student edition links to no repository holding solutions, and the public
export (bookkit.public, `make public-export`) is a copy of the repository without any solution."""

from pathlib import Path

import yaml

from bookkit import public
from bookkit import editions

ROOT = Path(__file__).resolve().parents[1]


def test_student_config_links_to_no_repository(monkeypatch):
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    monkeypatch.delenv("RELUBOOK_PUBLIC_REPOSITORY", raising=False)
    out = editions.student_config(cfg)
    assert "repository" not in out
    assert not any(out["html"].get(k) for k in ("use_issues_button", "use_repository_button", "use_edit_page_button"))
    monkeypatch.setenv("RELUBOOK_PUBLIC_REPOSITORY", "https://example.org/relubook-public")
    assert editions.student_config(cfg)["repository"]["url"] == "https://example.org/relubook-public"


def test_public_export_has_no_solutions(tmp_path):
    dest = tmp_path / "public"
    files = public.export_public(ROOT, dest)
    for private in public.PRIVATE_FILES:
        assert private not in files and not (dest / private).exists()
    chapters = sorted((dest / "book").glob("[0-9]*.md"))
    assert len(chapters) == len(list((ROOT / "book").glob("[0-9]*.md")))
    for ch in chapters:
        text = ch.read_text()
        assert "{solution}" not in text and "solution-start" not in text, ch.name
        assert "{exercise}" in text, ch.name  # the exercises stay
    cfg = yaml.safe_load((dest / "_config.yml").read_text())
    assert "repository" not in cfg and not cfg["html"]["use_issues_button"]
    assert "book/instructors" not in (dest / "_toc.yml").read_text()
    assert (dest / "LICENSE").is_file() and (dest / "LICENSE-text").is_file()
    url = "https://example.org/relubook-public"
    public.export_public(ROOT, dest, url)
    assert yaml.safe_load((dest / "_config.yml").read_text())["repository"]["url"] == url
