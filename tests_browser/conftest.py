"""Fixtures of the site tests: the built site, a local HTTP server, headless Chromium.

These tests read the built book (``_build/html`` unless ``RELUBOOK_SITE`` says otherwise); run
them with ``make test-browser`` (which builds the book first when it is missing).  They live
outside ``tests/`` so that the unit run needs neither a built site nor a browser.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import threading

import pytest
from built_site import CHROMIUM, CHROMIUM_ARGS, SITE


@pytest.fixture(scope="session")
def site() -> pathlib.Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book in {SITE}: run `make book` (or `make test`) first")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def server(site):
    """Serve the built site on 127.0.0.1 (an ephemeral port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium, or set RELUBOOK_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
