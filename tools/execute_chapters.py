"""Execute the book's notebooks in parallel into the jupyter-cache that ``jupyter-book build`` reads.

``make book`` runs this before ``jupyter-book build``.  Jupyter Book 1 executes one page after
the other; here the pages whose code has no entry in the cache run ``--jobs`` at a time (default
2), longest first (by their last recorded time), each kernel with torch and BLAS pinned to
``cores // jobs`` threads, so that the workers do not oversubscribe the cores.  The build then
finds every page in the cache and only renders.

The notebooks are read with myst-nb's own reader and executed with jupyter-cache's own
``single_nb_execution`` (the calls myst-nb makes in ``execute_notebooks: cache`` mode, with the
``execute`` settings of ``_config.yml``), so the cache keys match the build's exactly.

**What invalidates the cache.**  jupyter-cache keys a notebook on its code cells only.  This
script adds a fingerprint of what else the outputs depend on: every file of the reader package
``relubook/`` (except the build-only modules in ``BUILD_ONLY``: Sphinx extensions never change an
output) and the locked environment (``requirements.txt``, ``constraints.txt``, the Python
version).  When it changes, the cache and the Sphinx doctrees are dropped and every page runs
again.  A prose-only edit changes no code cell and no fingerprint: nothing is executed.  A change
of the book's Sphinx-side code (``SPHINX_MODULES`` of ``bookkit/``) drops only the doctrees: every
page is read again, from the cache, and nothing is executed.

**Kernels.**  Each page gets a fresh kernel, forked from one process that has already imported
torch, matplotlib, pandas and relubook (:mod:`bookkit.forkkernel`): the same kernel without the
4.5 s of imports each would spend (``BOOKKIT_FORK_KERNELS=0`` starts them the ordinary way).

**Failures.**  A page that raises is reported at once as ``FAILED <page>, cell <n> (line <l>):
<error>`` with the end of its traceback; the other pages keep running.  Its partly executed
notebook goes into the cache for the build (so the build renders every other page and does not
run the failing one a second time), and is removed again at the end (``--then``) so that no later
build can take it for a good one.  The exit status is 1 when a page failed.

Usage::

    python tools/execute_chapters.py [--jobs 2] [--then "jupyter-book build . -W --keep-going -n"]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import fnmatch
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bookkit.forkkernel import ForkedKernels, environment, ipc_manager

ROOT = Path(__file__).resolve().parents[1]
#: Modules of relubook that only the build imports (moving to ``bookkit/``): they never change
#: what a page computes, so they are left out of the fingerprint.
BUILD_ONLY = {"editions.py", "sphinxext.py", "sphinx_offline.py", "_mystnb.py", "_widget_cases.py"}
#: The book's Sphinx side (bookkit/): extensions, the notebook renderer, the editions, the course and
#: bibliography styles.  Sphinx does not notice when an extension's code changes, so a change here
#: drops the doctrees (every page is read again from the cache) and executes nothing.
SPHINX_MODULES = ("__init__.py", "sphinxext.py", "sphinx_offline.py", "renderer.py", "editions.py", "course.py",
                  "bibstyle.py")
#: Files of the locked environment: a change means other packages, hence possibly other outputs.
LOCK_FILES = ("requirements.txt", "constraints.txt", "excludes.txt")
STATE = "execution-state.json"  # beside the cache: fingerprint, last times, failed pages
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def fingerprint(root: Path = ROOT) -> str:
    """Hash of everything besides a page's code that its outputs depend on (see module docstring)."""
    h = hashlib.sha256()
    files = sorted(p for p in (root / "relubook").rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix not in (".pyc", ".pyo") and p.name not in BUILD_ONLY)
    files += [root / name for name in LOCK_FILES if (root / name).exists()]
    for p in files:
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(sys.version.encode())
    return h.hexdigest()


def sphinx_fingerprint(root: Path = ROOT) -> str:
    """Hash of the book's Sphinx-side modules (:data:`SPHINX_MODULES`)."""
    h = hashlib.sha256()
    for name in SPHINX_MODULES:
        p = root / "bookkit" / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"") + b"\0")
    return h.hexdigest()


def load_config(root: Path = ROOT) -> dict:
    from bookkit import safe_load_yaml

    return safe_load_yaml((root / "_config.yml").read_text(encoding="utf8")) or {}


def toc_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml``, in order, as paths of existing files."""
    from bookkit import safe_load_yaml

    toc = safe_load_yaml((root / "_toc.yml").read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    out = []
    for name in names:
        for suffix in ("", ".md", ".ipynb"):
            p = root / f"{name}{suffix}"
            if p.is_file():
                out.append(p)
                break
    return out


def read_notebook(path: Path, md_extensions):
    """The page as myst-nb reads it (same reader, same source map): what the cache is keyed on."""
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf8")
    if path.suffix == ".ipynb":
        import nbformat

        return nbformat.reads(text, as_version=4)
    if not is_myst_markdown_notebook(text):
        return None
    config = MdParserConfig(enable_extensions=set(md_extensions))
    return read_myst_markdown_notebook(text, config=config, add_source_map=True, path=str(path))


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RELUBOOK_THREADS")
LIVE_FIGURES = "RELUBOOK_LIVE_FIGURES"


def _execute(path: str, nb_json: str, timeout, allow_errors: bool):
    """Worker: run one notebook (in its folder, as myst-nb does); its environment (pinned threads,
    live figures) is the one :meth:`Executor.run` set before starting the workers and the kernels."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.reads(nb_json, as_version=4)
    # the outputs are in once the last cell has run: the kernel is stopped, not asked to tidy up and exit
    # (a graceful exit of a kernel that imported torch takes about 0.6 s more, for nothing)
    # on private Unix sockets rather than TCP ports, which another process may take (bookkit.forkkernel)
    from jupyter_client.manager import AsyncKernelManager

    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=allow_errors,
                                 meta_override=True, shutdown_kernel="immediate",
                                 kernel_manager_class=ipc_manager(AsyncKernelManager))
    failure = None
    if result.err is not None:
        failure = describe_failure(nb, result.err)
    return nbformat.writes(result.nb), result.time, failure


def describe_failure(nb, err) -> dict:
    """Which cell failed (index among code cells, line in the source) and the error, shortly."""
    source_map = nb.metadata.get("source_map") or []
    cell_no, line = None, None
    code_no = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_no += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell_no, line = code_no, (source_map[i] if i < len(source_map) else None)
    ename = getattr(err, "ename", type(err).__name__)
    evalue = getattr(err, "evalue", str(err))
    tb = getattr(err, "traceback", None) or str(err)
    tb_lines = ANSI.sub("", tb if isinstance(tb, str) else "\n".join(tb)).strip().splitlines()
    return {"cell": cell_no, "line": line, "error": f"{ename}: {evalue}".strip(), "traceback": tb_lines[-15:]}


def failure_line(page: str, f: dict) -> str:
    where = f"cell {f['cell']}" if f.get("cell") else "a cell"
    if f.get("line"):
        where += f" (line {f['line']})"
    first = f["error"].splitlines()[0] if f["error"] else "error"
    return f"FAILED {page}, {where}: {first}"


class Executor:
    def __init__(self, root: Path, cache_dir: Path, doctrees: list[Path], jobs: int):
        self.root, self.cache_dir, self.doctrees, self.jobs = root, cache_dir, doctrees, jobs
        self.config = load_config(root)
        ex = self.config.get("execute", {}) or {}
        self.mode = ex.get("execute_notebooks", "auto")
        self.timeout = ex.get("timeout", 30)
        self.allow_errors = bool(ex.get("allow_errors", False))
        self.exclude = list(ex.get("exclude_patterns", []) or [])
        self.md_extensions = (self.config.get("parse", {}) or {}).get("myst_enable_extensions", []) or []
        self.state_path = cache_dir.parent / STATE

    # -- state kept beside the cache: fingerprint, last run times, pages that failed ---------------
    def load_state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}

    def save_state(self, state: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps(state, indent=1, sort_keys=True))

    def cache(self):
        from jupyter_cache import get_cache

        return get_cache(str(self.cache_dir))

    def invalidate_if_stale(self, state: dict) -> bool:
        fp = fingerprint(self.root)
        if state.get("fingerprint") == fp:
            return False
        memo = os.environ.get("RELUBOOK_MEMO", "").strip()  # the studies' results (relubook.memo): stale too
        dropped = [p for p in [self.cache_dir, *self.doctrees, *([Path(memo)] if memo else [])] if p.exists()]
        for p in dropped:
            shutil.rmtree(p)
        if state.get("fingerprint") is not None or dropped:
            print("relubook or the locked environment changed: execution cache and doctrees dropped, "
                  "every page runs again", flush=True)
        state["fingerprint"] = fp
        state["sphinx_fingerprint"] = sphinx_fingerprint(self.root)
        state["failed"] = {}
        self.save_state(state)
        return True

    def reread_if_extensions_changed(self, state: dict) -> bool:
        """Drop the doctrees (not the cache) when the book's Sphinx-side code changed since the last
        run: Sphinx reuses a page's doctree while the page's source is unchanged, whatever the
        extensions that made it."""
        fp = sphinx_fingerprint(self.root)
        if state.get("sphinx_fingerprint") == fp:
            return False
        dropped = [p for p in self.doctrees if p.exists()]
        for p in dropped:
            shutil.rmtree(p)
        if dropped:
            print("the book's Sphinx extensions changed (bookkit/): doctrees dropped, every page is read "
                  "again from the cache, nothing runs again", flush=True)
        state["sphinx_fingerprint"] = fp
        self.save_state(state)
        return True

    def forget_failed(self, state: dict | None = None) -> None:
        """Remove the cached notebooks of failed pages, so that no build takes them for good ones."""
        state = self.load_state() if state is None else state
        keys = {f.get("hashkey") for f in (state.get("failed") or {}).values()} - {None}
        if not keys or not self.cache_dir.exists():
            return
        cache = self.cache()
        for record in cache.list_cache_records():
            if record.hashkey in keys:
                cache.remove_cache(record.pk)

    def run(self, pages: list[Path], report: bool = True) -> int:
        import nbformat
        from jupyter_cache.base import CacheBundleIn

        state = self.load_state()
        self.forget_failed(state)  # a page that failed last time is run again
        self.invalidate_if_stale(state) or self.reread_if_extensions_changed(state)
        previously_failed = set(state.get("failed") or {})
        state["failed"] = {}
        times = state.setdefault("seconds", {})
        if self.mode in ("off", False):
            print("execute_notebooks is off: nothing to execute")
            self.save_state(state)
            return 0
        cache = self.cache()
        todo = []
        for path in pages:
            rel = str(path.relative_to(self.root))
            if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat) for pat in self.exclude):
                continue
            nb = read_notebook(path, self.md_extensions)
            if nb is None or not any(c.cell_type == "code" for c in nb.cells):
                continue
            try:
                cache.match_cache_notebook(nb)
                continue  # cached: the build reuses it
            except KeyError:
                todo.append((rel, path, nb))
        if not todo:
            print(f"all {len(pages)} pages are in the execution cache: nothing to execute", flush=True)
            self.save_state(state)
            return 0
        # longest first (last known time; unknown pages first of all) keeps both workers busy
        todo.sort(key=lambda t: -times.get(t[0], 1e9))
        jobs = max(1, min(self.jobs, len(todo)))
        # RELUBOOK_THREADS, when set, wins (relubook.device.pin_threads reads it in every kernel)
        threads = max(1, int(os.environ.get("RELUBOOK_THREADS") or (os.cpu_count() or 1) // jobs))
        print(f"executing {len(todo)} page(s), {jobs} at a time, {threads} thread(s) each: "
              + ", ".join(t[0] for t in todo), flush=True)
        t0 = time.perf_counter()
        doctree_time = self._doctree_mtime()
        ctx = multiprocessing.get_context("spawn")
        # the kernels' environment, set here for the workers, the kernel server and the kernels alike:
        # threads pinned, and slider figures drawn as live figures of the static page (every state)
        kernel_env = {var: str(threads) for var in THREAD_VARS}
        kernel_env[LIVE_FIGURES] = "1"
        # every kernel a fork of one process that has imported torch, relubook, ... (bookkit.forkkernel)
        with environment(kernel_env), ForkedKernels(quiet=True), \
                cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(_execute, str(path), nbformat.writes(nb), self.timeout, self.allow_errors):
                       (rel, path) for rel, path, nb in todo}
            for fut in cf.as_completed(futures):
                rel, path = futures[fut]
                try:
                    nb_json, seconds, failure = fut.result()
                except Exception as exc:  # the worker itself died (kernel failed to start, ...)
                    failure = {"cell": None, "line": None, "error": f"{type(exc).__name__}: {exc}", "traceback": []}
                    state["failed"][rel] = failure
                    print(failure_line(rel, failure), flush=True)
                    continue
                nb = nbformat.reads(nb_json, as_version=4)
                times[rel] = round(seconds, 1)
                record = cache.cache_notebook_bundle(
                    CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}), check_validity=False,
                    overwrite=True)
                if failure:
                    failure["hashkey"] = record.hashkey
                    state["failed"][rel] = failure
                    print(failure_line(rel, failure), flush=True)
                    print("    " + "\n    ".join(failure["traceback"]), flush=True)
                else:
                    print(f"  {seconds:6.1f} s  {rel}", flush=True)
                # Sphinx re-reads a page only when its source is newer than the doctrees: a page
                # executed again without a source change (a failure retried, a cache lost) is marked.
                if doctree_time is not None and (path.stat().st_mtime <= doctree_time or rel in previously_failed):
                    os.utime(path)
        wall = time.perf_counter() - t0
        busy = sum(times[r] for r, _, _ in todo if r in times)
        print(f"executed {len(todo)} page(s) in {wall:.1f} s wall ({busy:.1f} s of page time, {jobs} at a time)",
              flush=True)
        self.save_state(state)
        return self.report(state) if report else (1 if state["failed"] else 0)

    def _doctree_mtime(self):
        env = self.doctrees[0] / "environment.pickle" if self.doctrees else None
        return env.stat().st_mtime if env is not None and env.exists() else None

    @staticmethod
    def report(state: dict) -> int:
        failed = state.get("failed") or {}
        for page, f in sorted(failed.items()):
            print(failure_line(page, f), file=sys.stderr, flush=True)
        return 1 if failed else 0


def longest_first(folder: Path, state_file: Path) -> list[Path]:
    """The notebooks ``folder/*.ipynb``, longest first by the recorded time of their page
    (``book/NAME.md`` in the execution state); pages without a time first of all, then by name."""
    try:
        seconds = json.loads(state_file.read_text()).get("seconds", {})
    except (OSError, ValueError):
        seconds = {}
    times = {Path(page).stem: t for page, t in seconds.items()}
    return sorted(folder.glob("*.ipynb"), key=lambda p: (-times.get(p.stem, float("inf")), p.name))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", "-j", type=int, default=int(os.environ.get("BOOK_JOBS", "2")))
    ap.add_argument("--cache", default="_build/.jupyter_cache", help="jupyter-cache folder (as the build's)")
    ap.add_argument("--doctrees", action="append", default=None,
                    help="doctrees folders dropped with the cache (default: the full and student books')")
    ap.add_argument("--then", help="a build command to run afterwards (even if a page failed)")
    ap.add_argument("--root", default=str(ROOT), help="the book's root (default: this repository)")
    ap.add_argument("--fingerprint", action="store_true", help="print the fingerprint and exit")
    ap.add_argument("--order", metavar="DIR", help="print the notebooks of DIR (one per page, NAME.ipynb), longest "
                    "page first by its last recorded execution time, and exit (nbval's order)")
    ap.add_argument("pages", nargs="*", help="pages to execute (default: every page of _toc.yml)")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    if args.fingerprint:
        print(fingerprint(root))
        return 0
    if args.order:
        print(" ".join(str(p) for p in longest_first(Path(args.order), (root / args.cache).resolve().parent / STATE)))
        return 0
    doctrees = [root / d for d in (args.doctrees or ["_build/.doctrees", "_build/student/_build/.doctrees"])]
    ex = Executor(root, (root / args.cache).resolve(), doctrees, args.jobs)
    pages = [Path(p).resolve() for p in args.pages] if args.pages else toc_pages(root)
    rc = ex.run(pages, report=not args.then)
    if args.then:
        build_rc = subprocess.call(args.then, shell=True, cwd=root)
        state = ex.load_state()
        ex.forget_failed(state)
        if state.get("failed"):
            print("the build rendered the failed pages as far as they ran; fix them and run make again:",
                  file=sys.stderr)
        rc = max(ex.report(state), 1 if build_rc else 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
