"""Kernels forked from a warm process: the same IPython kernel, started without its imports.

Every page the build executes, and every notebook nbval runs, gets a fresh kernel, and a fresh
kernel spends about 4.5 s of CPU on starting ipykernel and importing torch, matplotlib, pandas and
relubook before the first line of the page runs: some 170 CPU-seconds per ``make test``.  Here one
process (the *server*) imports those modules once; each kernel is a ``fork`` of it that then starts
ipykernel exactly as ``python -m ipykernel_launcher -f CONNECTION_FILE`` would.  The notebook's
namespace is as empty as in any kernel (a missing ``import`` still fails); only ``sys.modules`` is
warm.  Used by ``tools/execute_chapters.py`` and by ``make test-nb`` (``python -m bookkit.forkkernel
run -- COMMAND``), never by readers.

How it fits into Jupyter: :func:`forked_kernels` starts the server and puts a kernel spec named
``python3`` first on ``JUPYTER_PATH``.  Its command is this file's *launcher*, a bare Python process
that hands its arguments, working directory, environment and standard streams (as file descriptors)
to the server over a Unix socket, relays signals (interrupt, terminate) to the forked kernel and
exits when the kernel does; when the launcher is killed, the kernel sees its socket close and exits
too.  The launcher falls back to an ordinary kernel (``exec`` of ``ipykernel_launcher``) whenever the
server is not there or refuses; ``BOOKKIT_FORK_KERNELS=0`` turns the whole mechanism off, and it is
used on Linux only (on macOS a fork without exec is not safe once system frameworks are loaded).

What keeps a forked kernel the same as a fresh one:

* the server refuses (and the launcher falls back) unless the kernel's environment is the server's,
  apart from what Jupyter and pytest set per kernel or per test (``JPY_*``, ``PYTEST_*``,
  ``COLUMNS``, ``LINES``), since modules may read the environment when imported;
* only modules without import-time side effects on other modules or on IPython are preloaded:
  ``relubook.plotting`` (it sets matplotlib's style), the modules importing it, ``ipywidgets`` and
  ``matplotlib_inline`` (both hook into the running IPython when imported) are left to the notebook;
  ``MPLBACKEND`` is set before matplotlib is imported, as ipykernel sets it when it starts;
* the server is single-threaded when it forks (no torch operation has run, no thread pool exists);
  the child starts a new session, as Jupyter starts kernels, and reseeds Python's and numpy's
  global random generators from the operating system, as a new process would;
* the server lives for one command (a build, a test run) and is stopped after it, so an edit of
  relubook can never meet modules imported before it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import socket
import struct
import sys

#: Environment variables that Jupyter or pytest set per kernel or per test, and the terminal's size
#: (pytest-xdist sets it in its workers): they may differ between the server and a kernel (each is
#: read at run time, not at import).
PER_KERNEL_PREFIXES = ("JPY_", "PYTEST_")
PER_KERNEL_NAMES = ("COLUMNS", "LINES")
#: Modules that must not be preloaded: importing them hooks into the running IPython (there is none
#: in the server) or changes global state that a notebook not importing them would not see.
NOT_PRELOADED = ("ipywidgets", "matplotlib_inline.backend_inline", "relubook.plotting", "relubook.widgets",
                 "relubook.approx_plots", "tqdm.autonotebook", "tqdm.notebook")
#: ``BOOKKIT_FORK_KERNELS=0`` starts every kernel the ordinary way (to compare, or to rule this out).
SWITCH = "BOOKKIT_FORK_KERNELS"
#: Set by :class:`ForkedKernels` to the folder of its kernel spec (read by the pytest plugin below).
SPEC_ENV = "BOOKKIT_FORK_KERNELSPEC"
_MPL_INLINE = "module://matplotlib_inline.backend_inline"
_HEADER = struct.Struct("!I")


def default_preload() -> list[str]:
    """numpy, torch, matplotlib, pandas, scipy, sympy, ipykernel and relubook without its drawing modules."""
    import pkgutil
    from pathlib import Path

    mods = ["numpy", "torch", "matplotlib", "matplotlib.pyplot", "matplotlib.figure", "pandas", "scipy.stats",
            "scipy.optimize", "sympy", "nbformat", "ipykernel.kernelapp", "ipykernel.debugger", "myst_nb"]
    root = Path(__file__).resolve().parent.parent / "relubook"
    for pkg, folder in (("relubook", root), ("relubook.checks", root / "checks")):
        mods.append(pkg)
        mods += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules([str(folder)]) if f"{pkg}.{m.name}" not in NOT_PRELOADED]
    return mods


# ---------------------------------------------------------------------------------------- the wire
def _send(sock: socket.socket, obj, fds=()) -> None:
    data = json.dumps(obj).encode()
    msg = _HEADER.pack(len(data)) + data
    if fds:
        socket.send_fds(sock, [msg], list(fds))
    else:
        sock.sendall(msg)


def _recv(sock: socket.socket, maxfds: int = 0):
    """One message and the file descriptors sent with it (None at end of stream).  Reads exactly
    the message's bytes, so that a second message already waiting (a kernel that exits at once)
    stays for the next call."""
    if maxfds:
        head, fds, _flags, _addr = socket.recv_fds(sock, _HEADER.size, maxfds)
    else:
        head, fds = sock.recv(_HEADER.size), []
    head = _read_exactly(sock, head, _HEADER.size)
    if head is None:
        return None, fds
    (size,) = _HEADER.unpack(head)
    body = _read_exactly(sock, b"", size)
    return (None if body is None else json.loads(body)), fds


def _read_exactly(sock: socket.socket, buf: bytes, n: int):
    while len(buf) < n:
        more = sock.recv(n - len(buf))
        if not more:
            return None
        buf += more
    return buf


def _comparable(env) -> dict:
    return {k: v for k, v in env.items() if not k.startswith(PER_KERNEL_PREFIXES) and k not in PER_KERNEL_NAMES}


# ------------------------------------------------------------------------------------ the launcher
def launch(args: list[str]) -> int:
    """The kernel spec's command: ``launch --server SOCKET -f CONNECTION_FILE``."""
    if len(args) < 2 or args[0] != "--server":
        print("usage: forkkernel.py launch --server SOCKET KERNEL_ARGS...", file=sys.stderr)
        return 2
    server, kernel_args = args[1], args[2:]
    pid = None
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(server)
        _send(sock, {"argv": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)}, fds=(0, 1, 2))
        reply, _ = _recv(sock)
        pid = (reply or {}).get("pid")
    except OSError:
        pid = None
    if not pid:  # no server, or it refused: an ordinary kernel
        os.execv(sys.executable, [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", *kernel_args])

    def relay(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, relay)
    code = 0
    while True:  # until the kernel exits (the server sends its exit status, then closes the connection)
        data, _ = _recv(sock)
        if data is None:
            break
        code = int(data.get("exit", 0))
    return code


# -------------------------------------------------------------------------------------- the server
def serve(path: str, preload: list[str]) -> int:
    """Import ``preload``, then fork a kernel for each launcher that connects to ``path``.

    Stops when its standard input closes (the command it served is over)."""
    import gc
    import importlib
    import selectors

    sys.path[0] = os.getcwd()  # not this file's folder (a kernel child removes it, as ipykernel_launcher does)
    own_env = _comparable(os.environ)
    # listening at once: a launcher that connects while the modules are still being imported waits
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    print("listening", flush=True)
    os.environ.setdefault("MPLBACKEND", _MPL_INLINE)  # what ipykernel sets before any user code
    for mod in preload:
        if mod in NOT_PRELOADED:
            continue
        try:
            importlib.import_module(mod)
        except Exception as exc:  # a module that fails here will fail (and say so) in the notebook
            print(f"forkkernel: not preloaded {mod}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    hooked = sorted(m for m in NOT_PRELOADED if m in sys.modules)
    if hooked:  # the launchers waiting see their connection close and start ordinary kernels
        print(f"forkkernel: the preload imported {', '.join(hooked)}; not serving", file=sys.stderr, flush=True)
        srv.close()
        return 1
    gc.collect()
    gc.freeze()  # the preloaded objects stay shared between the kernels, untouched by their collections
    wake_r, wake_w = os.pipe()  # a child's exit wakes the loop at once (SIGCHLD written here)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # pid -> the launcher's connection
    refused: set = set()
    try:
        while True:
            for key, _ in sel.select():
                if key.fileobj is sys.stdin:
                    if not os.read(sys.stdin.fileno(), 1 << 12):
                        return 0
                elif key.fileobj == wake_r:
                    os.read(wake_r, 1 << 12)
                elif key.fileobj is srv:
                    conn, _ = srv.accept()
                    pid = _accept(conn, own_env, refused, [srv, wake_r, wake_w, *kernels.values()])
                    if pid:
                        kernels[pid] = conn
                        sel.register(conn, selectors.EVENT_READ, pid)
                elif not key.fileobj.recv(1 << 12):  # a launcher is gone (killed): so is its kernel
                    _end(sel, kernels, key.data)
                    try:
                        os.kill(key.data, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            for pid, code in _reap():
                if pid in kernels:
                    try:
                        _send(kernels[pid], {"exit": code})
                    except OSError:
                        pass
                    _end(sel, kernels, pid)
    finally:
        srv.close()
        for pid in list(kernels):
            _end(sel, kernels, pid)


def _accept(conn, own_env, refused, inherited) -> int | None:
    """Read a launcher's request; fork its kernel (returns the pid) or refuse (returns None)."""
    try:
        request, fds = _recv(conn, maxfds=3)
    except OSError:
        request, fds = None, []
    pid = None
    if request is not None and len(fds) == 3:
        theirs = _comparable(request["env"])
        if theirs == own_env:
            pid = os.fork()
            if pid == 0:
                for obj in inherited:  # the other kernels' connections above all: each must close with its kernel
                    try:
                        obj.close() if hasattr(obj, "close") else os.close(obj)
                    except OSError:
                        pass
                _kernel(conn, request, fds)  # never returns
        else:
            differ = sorted(k for k in set(theirs) | set(own_env) if theirs.get(k) != own_env.get(k))
            if tuple(differ) not in refused:  # said once per difference
                refused.add(tuple(differ))
                print(f"forkkernel: a kernel with another environment ({', '.join(differ)}) starts "
                      "the ordinary way", file=sys.stderr, flush=True)
    for fd in fds:
        os.close(fd)
    try:
        _send(conn, {"pid": pid})
    except OSError:
        pass
    if pid is None:
        conn.close()
    return pid


def _end(sel, kernels, pid) -> None:
    conn = kernels.pop(pid, None)
    if conn is not None:
        sel.unregister(conn)
        conn.close()


def _reap():
    """(pid, exit code) of every child that has ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        yield pid, os.waitstatus_to_exitcode(status)


def _kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel the launcher would have started, then exit."""
    code = 1
    try:
        conn.close()  # the server keeps the connection: it tells the launcher when this process ends
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = list(request["argv"])
        import importlib.util
        import random

        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *argv]
        del sys.path[0]  # the server's working directory: ipykernel_launcher removes its own the same way
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        from ipykernel.kernelapp import IPKernelApp

        # ipykernel read JPY_PARENT_PID when the server imported it; the launcher's is the one meant
        parent = os.environ.get("JPY_PARENT_PID")
        extra = [f"--IPKernelApp.parent_handle={int(parent)}"] if parent and parent.isdigit() else []
        IPKernelApp.launch_instance(argv=argv + extra)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


# --------------------------------------------------------------------- starting and stopping it all
@contextlib.contextmanager
def environment(values: dict):
    """These variables set in ``os.environ`` for the block (inherited by what it starts), then restored."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ForkedKernels:
    """Context manager: a server and a ``python3`` kernel spec that uses it, for one command.

    On entry ``JUPYTER_PATH`` (of this process, hence of every process it starts from then on) puts
    the kernel spec first; on exit the server stops and ``JUPYTER_PATH`` is restored.  When the
    server cannot start, a line says why and kernels start the ordinary way."""

    def __init__(self, preload: list[str] | None = None, quiet: bool = False):
        self.preload = default_preload() if preload is None else list(preload)
        self.quiet = quiet
        self.proc = None
        self.tmp = None
        self._env = contextlib.ExitStack()

    def __enter__(self):
        import subprocess
        import tempfile

        # Linux only: elsewhere (macOS above all) forking a process that has loaded system frameworks
        # without exec is not safe, and Python itself spawns there
        if os.environ.get(SWITCH, "1").strip() == "0" or not sys.platform.startswith("linux"):
            return self

        self.tmp = tempfile.mkdtemp(prefix="rbfork-")
        sock = os.path.join(self.tmp, "s")
        spec_dir = os.path.join(self.tmp, "kernels", "python3")
        os.makedirs(spec_dir)
        from ipykernel.kernelspec import get_kernel_dict

        spec = get_kernel_dict()
        spec["argv"] = [sys.executable, os.path.abspath(__file__), "launch", "--server", sock, "-f", "{connection_file}"]
        with open(os.path.join(spec_dir, "kernel.json"), "w") as fh:
            json.dump(spec, fh, indent=1)
        old = os.environ.get("JUPYTER_PATH")
        self._env.enter_context(environment({"JUPYTER_PATH": self.tmp + (os.pathsep + old if old else ""),
                                             SPEC_ENV: spec_dir}))
        # -Xfrozen_modules=off as ipykernel's own kernel spec starts a kernel (its debugger, preloaded,
        # warns without it)
        self.proc = subprocess.Popen([sys.executable, "-Xfrozen_modules=off", os.path.abspath(__file__), "serve", sock,
                                      *self.preload],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(os.environ))
        line = self.proc.stdout.readline().strip()  # the modules are imported while the command starts
        if line != b"listening":
            print("forkkernel: the kernel server did not start; kernels start the ordinary way", file=sys.stderr)
            self._stop()
            self._restore()
        elif not self.quiet:
            print(f"kernels forked from one process that imported {len(self.preload)} modules (bookkit.forkkernel)",
                  flush=True)
        return self

    def _stop(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except Exception:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None

    def _restore(self):
        self._env.close()
        if self.tmp:
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __exit__(self, *exc):
        self._stop()
        self._restore()
        return False


# ------------------------------------------------------------------------------ the IPC transport
_IPC_DIR: list = []


def ipc_prefix() -> str:
    """A fresh path prefix for one kernel's sockets, in a private folder of this process (removed at exit)."""
    if not _IPC_DIR:
        import atexit
        import shutil
        import tempfile

        _IPC_DIR.append(tempfile.mkdtemp(prefix="rbipc-"))
        atexit.register(shutil.rmtree, _IPC_DIR[0], True)
    import uuid

    return os.path.join(_IPC_DIR[0], uuid.uuid4().hex[:12])


@functools.lru_cache(maxsize=None)
def ipc_manager(base=None):
    """``base`` (jupyter_client's ``KernelManager`` by default) made to start its kernels on the IPC
    transport: Unix sockets under :func:`ipc_prefix` instead of TCP ports on localhost.

    With TCP, a kernel manager picks free ports by binding port 0 and releasing it, and the kernel
    binds them a moment later; another process starting a kernel, or connecting to one, in between
    may take such a port.  The kernel then never answers (its socket failed to bind), and the client
    waits out its start timeout (a minute).  ``make test`` starts dozens of kernels from several
    processes at once (the build's workers, nbval's, the unit tests'), so the build's and nbval's
    kernels use private socket paths, which no other process can take.  One class per ``base``."""
    if base is None:
        from jupyter_client.manager import KernelManager as base
    if getattr(base, "_bookkit_ipc", False):
        return base

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        if kwargs["transport"] == "ipc" and not kwargs.get("ip"):
            kwargs["ip"] = ipc_prefix()
        base.__init__(self, **kwargs)

    return type("IPC" + base.__name__, (base,), {"__init__": __init__, "_bookkit_ipc": True,
                                                    "__doc__": f"{base.__name__} on the IPC transport (bookkit)."})


def pytest_configure(config) -> None:
    """pytest plugin (``-p bookkit.forkkernel``): nbval's kernels on the IPC transport
    (:func:`ipc_manager`), and its ``--nbval-current-env`` kernel forked too.

    With ``--nbval-current-env`` (the project's pytest default) nbval starts ``ipykernel_launcher``
    itself rather than the ``python3`` kernel spec; under :class:`ForkedKernels` this makes it use the
    forked kernel's spec instead, the same Python (outside it, nbval's own kernel, on IPC)."""
    try:
        import nbval.kernel as nbk
    except ImportError:
        return
    nbk.KernelManager = ipc_manager(nbk.KernelManager)  # nbval's kernels on private sockets
    spec_dir = os.environ.get(SPEC_ENV)
    if not spec_dir or not os.path.isdir(spec_dir):
        return
    from jupyter_client.kernelspec import KernelSpec

    plain = nbk.NbvalKernelspecManager.get_kernel_spec

    def get_kernel_spec(self, kernel_name):
        if kernel_name == nbk.CURRENT_ENV_KERNEL_NAME:
            return KernelSpec.from_resource_dir(spec_dir)
        return plain(self, kernel_name)

    nbk.NbvalKernelspecManager.get_kernel_spec = get_kernel_spec


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["launch"]:
        return launch(argv[1:])
    if argv[:1] == ["serve"] and len(argv) >= 2:
        return serve(argv[1], argv[2:])
    if argv[:1] == ["run"] and "--" in argv:
        import subprocess

        command = argv[argv.index("--") + 1:]
        if not command:
            print("usage: python -m bookkit.forkkernel run -- COMMAND [ARGS...]", file=sys.stderr)
            return 2
        with ForkedKernels():
            return subprocess.call(command)
    print("usage: python -m bookkit.forkkernel run -- COMMAND [ARGS...]", file=sys.stderr)
    return 2


if __name__ == "__main__":  # the launcher too: this module imports nothing beyond the standard library at first
    sys.exit(main())
