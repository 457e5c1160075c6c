"""Guards on the book's configuration: schema, table of contents, pins, Binder and CI files."""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load(name):
    return yaml.safe_load((ROOT / name).read_text())


def test_config_matches_jupyter_book_schema():
    from jupyter_book.config import validate_yaml

    validate_yaml(load("_config.yml"), raise_on_errors=True)


def test_config_keeps_the_settings_the_book_relies_on():
    cfg = load("_config.yml")
    assert cfg["only_build_toc_files"] is True
    # Sphinx walks hidden folders (.venv, .pytest_cache) that the toc filter misses.
    for pattern in (".*", "**/.*", "**/_build", "relubook", "tests", "README.md"):
        assert pattern in cfg["exclude_patterns"], pattern
    ex = cfg["execute"]
    assert ex["execute_notebooks"] == "cache" and ex["raise_on_error"] is True
    assert ex["stderr_output"] == "remove-warn"
    assert set(cfg["sphinx"]["extra_extensions"]) >= {"sphinx_proof", "sphinx_exercise"}
    assert cfg["sphinx"]["config"]["nb_render_plugin"] == "bookkit"
    assert cfg["bibtex_bibfiles"] == ["book/references.bib"]
    assert cfg["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert cfg["repository"]["path_to_book"] == ""


def toc_files():
    toc = load("_toc.yml")
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for ch in part["chapters"]:
            files.append(ch["file"])
            files.extend(s["file"] for s in ch.get("sections", []))
    return files


def test_every_page_is_in_the_toc_and_exists():
    files = toc_files()
    assert len(files) == len(set(files)), "a page is listed twice"
    for f in files:
        assert (ROOT / f"{f}.md").is_file(), f"_toc.yml lists {f} but {f}.md does not exist"
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").glob("*.md")}
    assert pages == set(files), f"pages not in the toc: {sorted(pages - set(files))}"
    assert not list((ROOT / "book").glob("*.ipynb")), "chapters are .md notebooks only"


def test_bibliography_has_the_two_papers_first():
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book/references.bib").read_text(), re.M)
    assert keys[:2] == ["luo2026relu", "milkert2023compelling"]
    assert len(keys) == len(set(keys)), "duplicate bibtex keys"


def test_every_cited_key_exists():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book/references.bib").read_text(), re.M))
    for page in (ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page.read_text()):
            for key in group.split(","):
                assert key.strip() in keys, f"{page.name} cites unknown key {key!r}"


def pins(lines):
    out = {}
    for line in lines:
        line = line.split("#")[0].strip()
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$", line)
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_binder_pins_equal_the_tested_environment():
    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    env = load("environment.yml")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert not [p for p in pip_section if p.startswith(("-e", "-r", "-c", ".", "file:"))], "local refs disable Binder caching"
    binder = pins(pip_section)
    assert binder.pop("torch") == req["torch"] + "+cpu"
    assert binder, "no pins in environment.yml"
    lock = pins((ROOT / "constraints.txt").read_text().splitlines())
    for name, version in binder.items():  # the whole tested lock, not only the top level (bookkit/binder.py)
        assert lock.get(name) == version, f"{name}: environment.yml pins {version}, constraints.txt {lock.get(name)}"
        if name in req:
            assert req[name] == version, f"{name}: environment.yml pins {version}, requirements.txt {req[name]}"
    assert req["torch"] == "2.13.0"


def test_installed_versions_equal_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    for name, pinned in pins((ROOT / "requirements.txt").read_text().splitlines()).items():
        try:
            have = version(name)
        except PackageNotFoundError:
            pytest.fail(f"{name} is pinned but not installed")
        assert have.split("+")[0] == pinned.split("+")[0], f"{name}: installed {have}, pinned {pinned}"


def test_excluded_packages_are_left_out():
    """excludes.txt: installed by neither make venv nor Binder's postBuild, and absent from the lock."""
    from importlib.metadata import PackageNotFoundError, version

    from bookkit.binder import read_excludes

    names = read_excludes((ROOT / "excludes.txt").read_text())
    assert "rfc3987-syntax" in names
    lock = {n.lower() for n in pins((ROOT / "constraints.txt").read_text().splitlines())}
    for name in names:
        assert name not in lock, f"{name} is excluded but pinned in constraints.txt"
        with pytest.raises(PackageNotFoundError):
            version(name)
    assert "excludes.txt" in (ROOT / "postBuild").read_text()
    assert "--excludes excludes.txt" in (ROOT / "Makefile").read_text()


def test_postbuild_and_ci_scripts():
    post = (ROOT / "postBuild").read_text()
    assert "pip install" in post and "-e ." in post and "bookkit.notebooks" in post
    ci = (ROOT / ".ci/run").read_text()
    assert "set -euo pipefail" in ci and "make test" in ci
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme


def test_bytecode_list_names_installed_files():
    """tools/bytecode_files.txt (what `make venv` compiles; `make lock` rewrites it) names files of the
    installed environment, among them the heavy imports: a stale list would only cost time."""
    import sysconfig

    base = pathlib.Path(sysconfig.get_paths()["purelib"])
    names = (ROOT / "tools" / "bytecode_files.txt").read_text().split()
    assert names == sorted(set(names))
    for heavy in ("torch/__init__.py", "matplotlib/pyplot.py", "sympy/__init__.py", "sphinx/application.py"):
        assert heavy in names, heavy
    missing = [n for n in names if not (base / n).is_file()]
    assert not missing, f"{len(missing)} listed files are not installed (run make lock), e.g. {missing[:5]}"
