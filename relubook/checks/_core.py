"""The checker contract, in one place.

Every exercise checker of :mod:`relubook.checks` is written with the :func:`checker` decorator and
the converters of this module, and so behaves the same way:

* **Forms of an answer.**  A number may be a Python or numpy integer or float of any width, a
  fraction, a 0-d array or a 0-d torch tensor; a vector may be a list, a tuple, a numpy array or a
  torch tensor; a count may be any of these as long as it is a whole number (``11`` and ``11.0``
  both count).  A function may return a numpy array, a list or a torch tensor.
* **Tolerance.**  A real number is right when it agrees with the exact value to the precision the
  exercise asks for (:data:`SIG_FIGS` significant figures, i.e. a relative error of at most
  :data:`RTOL`, unless the checker says otherwise in its docstring); counts and patterns are exact.
* **Verdicts, never tracebacks.**  A wrong, NaN, infinite, mis-shaped or mistyped answer, a function
  that raises, or one that does not return within :data:`TIME_LIMIT` seconds, gives a failed line
  with a sentence saying what is wrong.  Only misuse of the checker itself raises (calling it
  without an answer, or with a parameter of the exercise that makes no sense, such as
  ``alpha='0.1'``): a :class:`TypeError` or :class:`ValueError` whose message names the argument.
* **Sizes.**  A checker refuses inputs too large to check within the time limit and says so.
* **Output.**  The checker prints its report once and returns a :class:`Feedback`, which is truthy
  when every test passed; in Jupyter the returned object does not print a second time when the
  call is the last line of a cell.  No message contains the solution.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import inspect
import math
import numbers
import os
import re
import signal
import threading

import numpy as np

__all__ = ["Feedback", "checker", "quiet", "time_limit", "cell_time_limit", "TIME_LIMIT", "RTOL", "SIG_FIGS",
           "Reject", "CheckerMisuse", "CellTimeout"]

#: Seconds a checker (with the student's code it calls) may run before it gives up; a grader may
#: set it with the environment variable ``RELUBOOK_CHECK_TIME_LIMIT``.
TIME_LIMIT = 5.0


def _env_limit() -> float:
    try:
        value = float(os.environ.get("RELUBOOK_CHECK_TIME_LIMIT", TIME_LIMIT))
    except ValueError:
        return TIME_LIMIT
    return value if 0 < value < 3600 else TIME_LIMIT

#: Significant figures a real-number answer must agree to, and the matching relative tolerance.
SIG_FIGS = 3
RTOL = 0.5 * 10.0 ** (1 - SIG_FIGS)  # rounding to 3 significant figures changes a number by at most 0.5%

_state = threading.local()
_settings = {"limit": _env_limit(), "quiet": 0}


class CheckerMisuse(Exception):
    """Mixin of the errors raised for a misused checker (a meaningless parameter of the exercise)."""


class CheckerTypeError(CheckerMisuse, TypeError):
    pass


class CheckerValueError(CheckerMisuse, ValueError):
    pass


def misuse(exc: Exception) -> CheckerMisuse:
    """The checker-misuse error with the message of ``exc`` (a ``TypeError`` or ``ValueError``)."""
    return (CheckerTypeError if isinstance(exc, TypeError) else CheckerValueError)(str(exc))


def parameter(validate, *args, **kwargs):
    """Run a :mod:`relubook.validate` helper on a parameter of the exercise; its errors are misuse."""
    try:
        return validate(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise misuse(exc) from None


class Reject(Exception):
    """Raised inside a checker: the answer fails with this sentence and checking stops."""


class _Timeout(BaseException):
    """Raised asynchronously in a checker thread that ran past the time limit."""


class Feedback:
    """The verdict of one check: a list of (passed, message) lines.

    Truthy when every line passed; ``score`` is (passed, total); ``str()`` is the report.  The
    checker prints the report once; in Jupyter the object itself displays nothing, so a checker
    call on the last line of a cell does not print twice.
    """

    def __init__(self, title: str):
        self.title = title
        self.lines: list[tuple[bool, str]] = []

    def expect(self, passed, right: str, wrong: str) -> bool:
        """Record one test: ``right`` is shown when it passed, ``wrong`` (a hint) otherwise."""
        passed = bool(passed)
        self.lines.append((passed, right if passed else wrong))
        return passed

    def fail(self, message: str) -> bool:
        """Record a failed test."""
        return self.expect(False, "", message)

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

    __str__ = text

    def report(self) -> "Feedback":
        """Print the report (unless inside :func:`quiet`) and return ``self``."""
        if not _settings["quiet"]:
            print(self.text())
        return self

    def __repr__(self) -> str:
        good, total = self.score
        verdict = "right" if self.passed else "not yet right"
        return f"<Feedback {self.title!r}: {good}/{total} checks passed, {verdict}>"

    def _ipython_display_(self):  # the checker has printed the report already
        return None


@contextlib.contextmanager
def quiet():
    """Within this block checkers print nothing (they still return their :class:`Feedback`)."""
    _settings["quiet"] += 1
    try:
        yield
    finally:
        _settings["quiet"] -= 1


@contextlib.contextmanager
def time_limit(seconds: float):
    """Within this block checkers give up after ``seconds`` instead of :data:`TIME_LIMIT`."""
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not 0 < seconds < 3600:
        raise ValueError(f"seconds must be a number in (0, 3600), got {seconds!r}")
    old = _settings["limit"]
    _settings["limit"] = float(seconds)
    try:
        yield
    finally:
        _settings["limit"] = old


class CellTimeout(BaseException):
    """Raised in a notebook cell that ran past :func:`cell_time_limit` (not caught by ``except Exception``)."""


_GRADER_CELL = re.compile(r"\botter\b|\.check\(\s*['\"]|\.check_all\(")
_cell_hooks: list = []


def cell_time_limit(seconds: float | None) -> bool:
    """In Jupyter/IPython, stop any cell that runs longer than ``seconds`` (``None`` removes the limit).

    Used by the exported assignments so that a submission whose own code never returns is stopped
    and graded instead of hanging the grader.  Works with a timer signal in the kernel's main
    thread (Unix); cells of the grader itself (otter's) are not limited.  Returns whether a limit
    is now in force.
    """
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, numbers.Real)
                                or not 0 < seconds < 86400):
        raise ValueError(f"seconds must be a number of seconds in (0, 86400) or None, got {seconds!r}")
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    for event, hook in _cell_hooks:
        with contextlib.suppress(ValueError):
            shell.events.unregister(event, hook)
    _cell_hooks.clear()
    signal.setitimer(signal.ITIMER_REAL, 0)
    if seconds is None:
        return False

    def alarm(signum, frame):
        raise CellTimeout(f"this cell ran longer than {seconds:g} seconds and was stopped")

    def pre(info=None):
        source = getattr(info, "raw_cell", "") or ""
        if not _GRADER_CELL.search(source):
            signal.signal(signal.SIGALRM, alarm)
            signal.setitimer(signal.ITIMER_REAL, float(seconds))

    def post(result=None):
        signal.setitimer(signal.ITIMER_REAL, 0)

    for event, hook in (("pre_run_cell", pre), ("post_run_cell", post)):
        shell.events.register(event, hook)
        _cell_hooks.append((event, hook))
    return True


def _kill(thread: threading.Thread) -> None:
    """Ask a runaway checker thread to stop (at its next Python instruction)."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Timeout))


def checker(title: str):
    """Make ``body(fb, *args)`` an exercise checker that follows the contract of this module.

    ``body`` receives a fresh :class:`Feedback` (whose title it may change) and records tests on
    it; ``raise Reject(sentence)`` fails the answer and stops.  The body, with every call into the
    student's code, runs in a worker thread under the time limit.  Misuse errors (raised through
    :func:`parameter` or :func:`misuse`) propagate; any other error becomes a failed line.
    """

    def decorate(body):
        sig = inspect.signature(body)
        public = sig.replace(parameters=list(sig.parameters.values())[1:])

        @functools.wraps(body)
        def wrapper(*args, **kwargs):
            try:
                public.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{body.__name__}{public}: {exc}") from None
            fb = Feedback(title)
            box = {}

            def target():
                try:
                    body(fb, *args, **kwargs)
                except Reject as exc:
                    fb.fail(str(exc))
                except CheckerMisuse as exc:
                    box["misuse"] = exc
                except _Timeout:
                    pass
                except RecursionError:
                    fb.fail("your code recursed too deeply (RecursionError)")
                except Exception as exc:  # the student's object failed somewhere unexpected
                    fb.fail(f"checking your answer failed: {type(exc).__name__}: {exc}")
                box["done"] = True

            limit = _settings["limit"]
            thread = threading.Thread(target=target, name=f"relubook-check-{body.__name__}", daemon=True)
            thread.start()
            thread.join(limit)
            if "done" not in box:
                _kill(thread)
                result = Feedback(fb.title)
                result.lines = list(fb.lines)
                result.fail(f"your answer did not finish within the checker's time limit of {limit:g} seconds: "
                            "look for a loop that never ends or a computation that is far too large")
                return result.report()
            if "misuse" in box:  # a plain TypeError/ValueError, as for any public function
                exc = box["misuse"]
                raise (TypeError if isinstance(exc, TypeError) else ValueError)(str(exc)) from None
            if not fb.lines:
                fb.fail("nothing could be checked")
            return fb.report()

        del wrapper.__wrapped__  # inspect.signature shows the public signature, without fb
        wrapper.__signature__ = public
        wrapper.is_checker = True
        return wrapper

    return decorate


# ---------------------------------------------------------------------------------------------
# converters: each returns a clean value or raises Reject with a sentence


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _describe(value) -> str:
    name = type(value).__name__
    if isinstance(value, (str, bytes)):
        return f"the text {value!r}" if len(value) < 40 else "a string"
    if value is None:
        return "None"
    return f"a {name}"


def _plain(value):
    """numpy/torch scalars and 0-d arrays as Python numbers; anything else unchanged."""
    if _is_tensor(value):
        value = value.detach().cpu()
        if value.ndim == 0:
            return value.item()
        return value.numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def number(value, what: str = "the answer") -> float:
    """A finite real number (any int/float width, numpy scalar, fraction, 0-d array or tensor)."""
    value = _plain(value)
    if isinstance(value, bool) or isinstance(value, (str, bytes)) or value is None:
        raise Reject(f"{what} must be a number, got {_describe(value)}")
    if isinstance(value, complex) or isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise Reject(f"{what} must be a real number, got the complex number {value}")
    if isinstance(value, (list, tuple, np.ndarray)):
        raise Reject(f"{what} must be one number, got {_describe(value)} of {np.size(value)} entries")
    try:
        if isinstance(value, numbers.Integral):
            x = float(value) if abs(int(value)) < 2**1000 else math.copysign(math.inf, int(value))
        else:
            x = float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        raise Reject(f"{what} must be a number, got {_describe(value)}") from None
    if math.isnan(x):
        raise Reject(f"{what} is NaN (not a number): check for 0/0 or a missing value")
    if math.isinf(x):
        raise Reject(f"{what} is infinite: check for a division by zero or an overflow")
    return x


def count(value, what: str = "the answer", minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (``11``, ``np.int64(11)``, ``11.0`` all give ``11``), exact."""
    value = _plain(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
    else:
        x = number(value, what)
        if x != math.floor(x):
            raise Reject(f"{what} must be a whole number, got {x:g}")
        n = int(x)
    if n < minimum:
        raise Reject(f"{what} must be a whole number >= {minimum}, got {n}")
    return n


def close(x: float, truth: float, rtol: float = RTOL, atol: float = 0.0) -> bool:
    """``|x - truth| <= rtol |truth| + atol`` (the checkers' notion of "right" for a real number)."""
    return abs(x - truth) <= rtol * abs(truth) + atol


def array(value, what: str = "the answer", *, shape=None, size=None, max_size: int = 10**6) -> np.ndarray:
    """A finite float64 array from a list, tuple, numpy array or torch tensor (``shape``/``size`` checked)."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (dict, set)):
        raise Reject(f"{what} must be numbers (a list, an array or a tensor), got {_describe(value)}")
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.size > max_size:
        raise Reject(f"{what} has {value.size} entries: the checker handles at most {max_size} in its time limit")
    if isinstance(value, np.ndarray) and np.iscomplexobj(value):
        raise Reject(f"{what} must be real numbers, got complex ones")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise Reject(f"{what} must be numbers (a list, an array or a tensor of the same length), "
                     f"got {_describe(value)}") from None
    if arr.size > max_size:
        raise Reject(f"{what} has {arr.size} entries: the checker handles at most {max_size} in its time limit")
    if size is not None and arr.size != size:
        raise Reject(f"{what} must have {size} entr{'y' if size == 1 else 'ies'}, got {arr.size}")
    if size is not None:
        arr = arr.reshape(size)
    if shape is not None and arr.shape != tuple(shape):
        raise Reject(f"{what} must have shape {tuple(shape)}, got {arr.shape}")
    if arr.size and not np.all(np.isfinite(arr)):
        kind = "NaN" if np.any(np.isnan(arr)) else "infinite"
        raise Reject(f"{what} contains {kind} values")
    return arr


def output(value, shape, what: str) -> np.ndarray:
    """The return value of the student's function as a finite float64 array of ``shape``."""
    if value is None:
        raise Reject(f"{what} returned None: did you forget a return statement?")
    arr = array(value, f"the value returned by {what}")
    if arr.shape != tuple(shape):
        if arr.size == int(np.prod(shape)) and arr.squeeze().shape == tuple(s for s in shape if s != 1):
            return arr.reshape(shape)
        raise Reject(f"{what} returned shape {arr.shape} for an input of shape {tuple(shape)}; "
                     "work elementwise on the array")
    return arr


def network(net, max_units: int):
    """The student's network as a :class:`relubook.nets.DeepReLU`; a network of another kind, or one with
    more than ``max_units`` hidden units (too large to check within the time limit), fails the answer."""
    from ..regions import as_deep

    try:
        deep = as_deep(net)
    except (TypeError, ValueError, AttributeError) as exc:
        raise Reject(f"give a DeepReLU, ShallowReLU or nn.Sequential of Linear/ReLU layers ({exc})") from None
    if deep.n_neurons > max_units:
        raise Reject(f"your network has {deep.n_neurons} hidden units, more than this checker handles "
                     f"within its time limit ({max_units})")
    return deep


def call(fn, *args, what: str = "your function"):
    """Call the student's ``fn``; an exception becomes a failed answer with its type and message."""
    try:
        return fn(*args)
    except _Timeout:
        raise
    except RecursionError:
        raise Reject(f"{what} recursed too deeply (RecursionError)") from None
    except Exception as exc:
        msg = str(exc).split("\n")[0][:200]
        raise Reject(f"calling {what} raised {type(exc).__name__}: {msg}") from None
