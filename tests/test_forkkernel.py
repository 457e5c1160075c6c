"""Kernels forked from a warm process (bookkit.forkkernel): the same kernel as an ordinary one.

The build's execution and make test-nb start every kernel this way; these tests check that such a
kernel is indistinguishable from one started by ``python -m ipykernel_launcher`` where a notebook
could tell, that interrupting, shutting down and killing work, and that anything the server cannot
serve faithfully falls back to an ordinary kernel.
"""

import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from bookkit import forkkernel as fk  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")

# What a notebook could see of its kernel (everything but the process ids and the module cache).
PROBE = textwrap.dedent("""
    import sys
    warm = "matplotlib.pyplot" in sys.modules
    import hashlib, json, os, signal, threading
    import matplotlib, ipywidgets
    ip = get_ipython()
    print(json.dumps({
        "path": sys.path, "cwd": os.getcwd(), "argv0": sys.argv[0],
        "env": sorted(k for k in os.environ if not k.startswith("JPY_") and k not in ("JUPYTER_PATH", "BOOKKIT_FORK_KERNELSPEC")),
        "backend": matplotlib.get_backend(),
        "rc": hashlib.md5(repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())).encode()).hexdigest(),
        "sigint": repr(signal.getsignal(signal.SIGINT)), "sigterm": repr(signal.getsignal(signal.SIGTERM)),
        "threads": sorted(t.name for t in threading.enumerate()),
        "comm_targets": sorted(ip.kernel.comm_manager.targets),
        "session_leader": os.getsid(0) == os.getpid(),
        "formatters": sorted(ip.display_formatter.active_types),
        "post_run_cell": len(ip.events.callbacks["post_run_cell"]),
    }, sort_keys=True))
    print("preloaded" if warm else "cold")
""")


def _run(source, **kw):
    # kernels on private sockets, as the build's and nbval's (TCP ports can be taken by a test running beside)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=120, kernel_name="python3", shutdown_kernel="immediate",
                   kernel_manager_class=fk.ipc_manager(AsyncKernelManager), **kw).execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
    return text.strip().splitlines()


def start_new_kernel(kernel_name, startup_timeout):
    """jupyter_client's start_new_kernel on the IPC transport."""
    km = fk.ipc_manager()(kernel_name=kernel_name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=startup_timeout)
    return km, kc


# what matters for fidelity (matplotlib's backend and settings, ipykernel) without torch's import time;
# the build runs every chapter on the default preload, with the same outputs as ordinary kernels
PRELOAD = ["numpy", "matplotlib.pyplot", "ipykernel.kernelapp", "relubook.device"]


@pytest.fixture(scope="module")
def forked():
    with fk.ForkedKernels(quiet=True, preload=PRELOAD) as ctx:
        yield ctx


def test_a_forked_kernel_is_an_ordinary_kernel_with_its_modules_already_imported(forked, tmp_path, monkeypatch):
    *state, how = _run(PROBE)
    assert how == "preloaded"
    # an ordinary kernel of this Python (the spec nbval's --nbval-current-env uses)
    from ipykernel.kernelspec import get_kernel_dict

    (tmp_path / "kernels" / "python3").mkdir(parents=True)
    (tmp_path / "kernels" / "python3" / "kernel.json").write_text(json.dumps(get_kernel_dict()))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.delenv(fk.SPEC_ENV)
    *plain, plain_how = _run(PROBE)
    assert plain_how == "cold"
    assert json.loads(state[0]) == json.loads(plain[0])


def test_interrupt_graceful_and_immediate_shutdown_and_exit_code(forked):
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        kc.execute("import time\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print('interrupted')")
        time.sleep(0.5)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not km.is_alive()
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    pid = kc.execute_interactive("import os; print(os.getpid())", timeout=30)
    kc.stop_channels()
    km.shutdown_kernel(now=True)  # the launcher killed: the forked kernel follows it
    assert not km.is_alive()
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    kc.execute("import os; os._exit(3)")
    for _ in range(100):
        if not km.is_alive():
            break
        time.sleep(0.1)
    assert km.provisioner.process.poll() == 3  # the kernel's exit status, relayed by the launcher
    kc.stop_channels()
    km.cleanup_resources()
    del pid


def test_another_environment_gets_an_ordinary_kernel(forked, monkeypatch):
    monkeypatch.setenv("RELUBOOK_SEED", "7")  # may be read at import: the server refuses, the launcher falls back
    assert _run("import sys, os\nprint('numpy' in sys.modules, os.environ['RELUBOOK_SEED'])") == ["False 7"]


def _gone(pid, wait=10.0):
    for _ in range(int(wait / 0.1)):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_no_kernel_or_server_outlives_its_command():
    before = os.environ.get("JUPYTER_PATH"), os.environ.get(fk.SPEC_ENV)
    with fk.ForkedKernels(quiet=True, preload=["numpy"]) as ctx:
        server = ctx.proc.pid
        preloaded, kernel = _run("import os, sys\nprint('numpy' in sys.modules)\nprint(os.getpid())")
        assert preloaded == "True"
        assert _gone(int(kernel))
    assert _gone(server)
    assert (os.environ.get("JUPYTER_PATH"), os.environ.get(fk.SPEC_ENV)) == before  # as they were


def test_a_preload_that_hooks_into_ipython_is_refused_and_kernels_start_the_ordinary_way():
    # ipywidgets registers itself with the running IPython when imported: preloaded, a notebook's
    # widgets would never reach the front end.  The server declines; kernels start as usual.
    with fk.ForkedKernels(quiet=True, preload=["ipywidgets.widgets"]):
        assert _run("import sys\nprint('ipywidgets' in sys.modules)") == ["False"]


def test_nbval_current_env_uses_the_forked_spec(forked, monkeypatch):
    nbk = pytest.importorskip("nbval.kernel")
    monkeypatch.setattr(nbk.NbvalKernelspecManager, "get_kernel_spec", nbk.NbvalKernelspecManager.get_kernel_spec)
    monkeypatch.setattr(nbk, "KernelManager", nbk.KernelManager)
    fk.pytest_configure(None)
    spec = nbk.NbvalKernelspecManager().get_kernel_spec(nbk.CURRENT_ENV_KERNEL_NAME)
    assert spec.argv[:3] == [sys.executable, fk.__file__, "launch"]
    assert nbk.KernelManager(kernel_name="python3").transport == "ipc"


def test_ipc_kernels_use_private_sockets_that_go_with_them():
    km = fk.ipc_manager()(kernel_name="python3")
    assert fk.ipc_manager(type(km)) is type(km)
    assert km.transport == "ipc" and os.path.dirname(km.ip) == fk._IPC_DIR[0]
    assert len(km.ip) < 90  # a Unix socket path has at most 107 bytes
    assert fk.ipc_manager()(kernel_name="python3").ip != km.ip  # one prefix per kernel
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        assert json.loads(Path(km.connection_file).read_text())["transport"] == "ipc"
        assert kc.execute_interactive("print(6 * 7)", timeout=30)["content"]["status"] == "ok"
        assert any(name.startswith(os.path.basename(km.ip)) for name in os.listdir(fk._IPC_DIR[0]))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not any(name.startswith(os.path.basename(km.ip)) for name in os.listdir(fk._IPC_DIR[0]))
    assert fk.ipc_manager()(kernel_name="python3", transport="tcp").ip in ("127.0.0.1", "localhost", "")


def test_default_preload_leaves_out_what_hooks_into_ipython():
    mods = fk.default_preload()
    assert "torch" in mods and "relubook.regions" in mods
    assert not set(mods) & set(fk.NOT_PRELOADED)


def test_messages_waiting_together_are_read_one_by_one():
    import socket

    a, b = socket.socketpair()
    with a, b:
        fk._send(a, {"pid": 12})
        fk._send(a, {"exit": 3})  # a kernel that ended at once: both wait in the buffer
        a.close()
        assert fk._recv(b) == ({"pid": 12}, [])
        assert fk._recv(b) == ({"exit": 3}, [])
        assert fk._recv(b) == (None, [])
