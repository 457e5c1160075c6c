"""A student notebook in a real JupyterLab, in a real browser.

Starts JupyterLab (the pinned one) on localhost with copies of generated student notebooks (``make
notebooks``), opens each in headless Chromium through playwright, runs all cells, and checks what a
reader sees: every cell ran without an error, no MyST is left, and moving the widget's slider
redraws the figure.  Chapter 1 also: a glued number is filled in, the definition box is rendered (a
quote block with its bold heading), the math is typeset.  Chapter 10 (a training study, book tables,
a widget of two sliders) also: its tables are rendered with their captions.  Keeps
``_build/screenshots/lab-<chapter>.png``.
Run with ``make test-browser``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from built_site import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS

STUDENT = ROOT / "_build" / "notebooks" / "student"
CHAPTERS = ["01_relu", "10_depth_training"]
TOKEN = "relubook-browser-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab")
    for name in CHAPTERS:
        notebook = STUDENT / f"{name}.ipynb"
        if not notebook.is_file():
            pytest.fail(f"no {notebook.relative_to(ROOT)}: run `make notebooks` first")
        shutil.copy(notebook, work / notebook.name)
    port = _free_port()
    # user settings of this JupyterLab only: every cell in the page (no windowing, so that the
    # whole notebook can be read), and no news fetched
    settings = work / ".settings"
    for name, value in {"notebook-extension/tracker": {"windowingMode": "none"},
                        "apputils-extension/notification": {"fetchNews": "false"}}.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               JUPYTER_CONFIG_DIR=str(work / ".jupyter"), JUPYTER_RUNTIME_DIR=str(work / ".runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(work / ".workspaces"))
    base = f"http://127.0.0.1:{port}"
    with open(work / "lab.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.port={port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
             "--LabApp.expose_app_in_browser=True",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"JupyterLab exited: {(work / 'lab.log').read_text()[-2000:]}")
                    if time.time() > deadline:
                        pytest.fail("JupyterLab did not answer within 120 s")
                    time.sleep(1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module", params=CHAPTERS)
def page(lab, request):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        # nothing leaves the machine: only the local JupyterLab answers
        context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
        pg = context.new_page()
        pg.goto(f"{lab}/lab/tree/{request.param}.ipynb?token={TOKEN}")
        pg.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        pg.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000)
        # JupyterLab may ask which kernel to start (when the kernel specs arrive after the notebook):
        # accept its choice, the notebook's own python3; then wait until the kernel is idle
        deadline = time.time() + 180
        while time.time() < deadline:
            accept = pg.locator(".jp-Dialog .jp-mod-accept")
            if accept.count():
                accept.first.click()
            if pg.evaluate("() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status"
                           " === 'idle'"):
                break
            time.sleep(1)
        else:
            pytest.fail("the kernel did not start within 180 s")
        yield request.param, pg
        context.close()
        browser.close()


RUN_ALL_AND_WAIT = """
async () => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:run-all-cells');
  const panel = app.shell.currentWidget;
  const cells = panel.content.widgets.filter(w => w.model.type === 'code');
  const deadline = Date.now() + 540000;
  while (Date.now() < deadline) {
    if (cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'))) break;
    const busy = cells.some(c => c.model.executionCount === null || c.promptNode?.textContent?.includes('*'));
    if (!busy && panel.sessionContext.session?.kernel?.status === 'idle') break;
    await new Promise(r => setTimeout(r, 500));
  }
  return cells.map(c => ({
    count: c.model.executionCount,
    errors: c.model.outputs.toJSON().filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
    source: c.model.sharedModel.getSource().slice(0, 60)}));
}
"""


def _move_slider_and_see_the_figure_change(page):
    slider = page.locator(".jp-OutputArea .widget-slider").first
    slider.scroll_into_view_if_needed()
    area = slider.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    image = area.locator("img").first
    image.wait_for(timeout=60_000)
    before = image.get_attribute("src")
    handle = slider.locator(".noUi-handle, [role=slider]").first
    handle.focus()
    for _ in range(6):
        handle.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => { const i = el.querySelector('img'); return i && i.getAttribute('src') !== old }",
        arg=[area.element_handle(), before], timeout=60_000)
    return slider


def test_student_notebook_runs_in_jupyterlab(page):
    name, page = page
    cells = page.evaluate(RUN_ALL_AND_WAIT)
    assert cells and cells[0]["source"].startswith("# Set-up")
    failed = [c for c in cells if c["errors"]]
    assert not failed, failed
    assert all(c["count"] for c in cells), [c["source"] for c in cells if not c["count"]]
    text = page.inner_text(".jp-Notebook")
    assert "{glue" not in text and "{prf:" not in text and "{numref}" not in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    if name == "10_depth_training":
        # the book tables: HTML tables with their captions, in their scrolling boxes
        captions = page.locator(".jp-OutputArea .relubook-table-scroll caption").all_inner_texts()
        assert len(captions) >= 4, f"the book tables are not rendered: {captions}"
        assert any("50 layers, learning rate 0.01: test accuracy" in c for c in captions), captions
        slider = _move_slider_and_see_the_figure_change(page)
        page.screenshot(path=str(SCREENSHOTS / f"lab-{name}-widget.png"))
        return

    # chapter 1: a glued number in the prose, and no placeholder
    assert re.search(r"smallest value is -0\.\d{3}", text), "the glued GELU minimum is not filled in"
    # the definition box: a quote block with its bold heading, and its math typeset
    box = page.locator(".jp-RenderedMarkdown blockquote", has_text="Definition 1.1").first
    assert box.locator("strong").first.inner_text().startswith("Definition 1.1")
    box.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.jp-RenderedMarkdown mjx-container').length > 5",
                           timeout=60_000)
    assert not page.locator(".jp-RenderedMarkdown mjx-merror").count(), "a formula did not typeset (an undefined macro?)"

    # the widget: move the slider, see the figure change
    slider = _move_slider_and_see_the_figure_change(page)
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lab-01_relu.png"))
    slider.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lab-01_relu-widget.png"))
