"""Where the built site is, and how to start this machine's headless Chromium (shared by the
fixtures in conftest.py and the tests)."""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = pathlib.Path(os.environ.get("RELUBOOK_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = pathlib.Path(os.environ.get("RELUBOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
CHROMIUM = os.environ.get("RELUBOOK_CHROMIUM", "/usr/bin/chromium")
# The flags this machine's headless Chromium needs: no sandbox as root, and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def site_pages() -> list[str]:
    """Every HTML page of the built site, relative to its root (theme templates excluded)."""
    if not (SITE / "index.html").is_file():
        return []
    skip = ("_static/", "_sources/", "_images/")
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not p.relative_to(SITE).as_posix().startswith(skip)
    )
