"""Fuzz every public function of relubook and relubook.checks with bad and extreme input.

Run as a script (``python tests/fuzz_driver.py --examples N``): it limits its own address
space (``--memory-gb`` above what the imports took) and the time of every call (``--seconds``),
lets hypothesis pick, for each public function, arguments that are valid except for one or two
that come from the classes of bad input (complex, string, numeric string, None, object, NaN,
infinities, huge and negative sizes, numpy scalars, empty and misshaped arrays), and prints a
JSON report: the table of outcomes and every bad one.

An outcome is good when the call returns, or raises ValueError/TypeError whose message names one
of the function's arguments.  Anything else is bad: another exception type, an error that names
no argument, a warning (numpy's ComplexWarning, overflow), a call over the time limit, or a
MemoryError under the memory limit.  tests/test_fuzz.py runs a small budget; ``make fuzz`` a
large one.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import importlib
import inspect
import json
import os
import re
import resource
import signal
import sys
import time
import warnings

MODULES = [
    "nets", "activations", "approximation", "approx_plots", "bending", "composition", "compositional",
    "data", "device", "dying", "errata", "initialization", "interpolation", "neuron", "pretraining",
    "regions", "regions2d", "lower_bounds", "stats", "symbolic", "training", "rates",
    "checks", "checks.approximation", "checks.composition", "checks.compositional", "checks.dying",
    "checks.interpolation", "checks.neuron", "checks.pretraining", "checks.regions2d", "checks.relu",
    "checks.rates", "memorisation", "checks.memorisation",
]
# Not fuzzed: build machinery (editions, sphinx*), figure/widget plumbing whose arguments are
# callables and matplotlib objects (plotting, widgets), and functions that write files or reseed
# the process (listed by name), and chapter 14's fixed-size study (pretraining.choices_study: any
# valid call trains the book's 6 variants for minutes by design; it only forwards its arguments to
# pretraining.run_study, which is fuzzed with small sizes).
SKIP = {
    "data.write_idx", "data.read_idx", "data.mnist", "device.seed", "initialization.register_scheme",
    "symbolic.evaluate", "symbolic.expectation", "activations.torch_grad_at", "device.shifted",
    "pretraining.choices_study",
}


class Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise Timeout()


def valid_pool():
    """Valid example values by argument name (small, so that valid calls are quick)."""
    import numpy as np

    import relubook as rb
    from relubook import composition, neuron, pretraining

    net1 = rb.ShallowReLU([1.0, -1.0, 2.0], [0.0, 0.5, -0.5], [1.0, 1.0, -0.5], 0.1)
    study_cache = {}

    def study():
        if "s" not in study_cache:
            study_cache["s"] = pretraining.run_study(curves=("x^3",), types=("default",), n_models=2, depth=2,
                                                     epochs=2, pretrain_epochs=1, n_points=20, snapshot_every=1,
                                                     device="cpu", progress=False)
        return study_cache["s"]

    pool = {
        "z": np.linspace(-2, 2, 5), "x": np.linspace(0.05, 0.95, 7), "y": np.array([0.0, 1.0, 0.5, 2.0]),
        "X": np.linspace(-1, 1, 6), "Y": np.linspace(0, 2, 6) ** 2, "w": np.array([1.0]), "b": 0.1, "g": 0.5,
        "W": np.array([[1.0], [2.0]]), "B": np.array([1.0, -1.0]), "c": 0.0, "beta": np.array([1.0, 0.5]),
        "alpha": 0.1, "tol": 1e-9, "name": "relu", "names": ("relu", "elu"), "n": 5, "repeat": 1,
        "saturation": 1e-3, "lo": -1.0, "hi": 1.0, "a": 0.0, "slope_bound": 2.0, "eps": 0.1, "delta": 0.01,
        "corner": 0.5, "levels": 3, "curvature_bound": 2.0, "f": np.square, "merged": True, "check_shape": True,
        "net": net1, "M": 3.0, "method": None, "radius": 1.0, "half_width": 1.0, "order": 2, "n_grid": 11,
        "jumps": np.array([0.0, 0.5]), "heights": np.array([1.0, 2.0]), "width": 4, "base": 0.0, "r": 2,
        "f_values": np.array([0.0, 1.0, 2.0]), "g_values": np.array([0.5, 1.0, 1.5]), "weights": None, "p": 2.0,
        "depth": 3, "version": "code", "steps": 2, "lr": 0.01, "n_points": 5, "seed": 0, "start": None,
        "device": "cpu", "outer": composition.tent(), "inner": composition.tent(), "dim": 1, "form": "yarotsky",
        "m": 2, "k": 2, "pieces": 4, "peaks": np.array([0.3, 0.6, 0.4]), "s0": -0.25, "scales": None,
        "next_peak": 0.5, "level": 1, "i": 0, "peak": 0.3, "ratio": 0.5, "upto": None, "test_fraction": 0.2,
        "dtype": None, "path": None, "value": 0, "rng": 0, "n_trials": 50, "chunk": 50, "depths": [1, 2],
        "init": "he", "bias_std": 0.1, "model": None, "dependencies": {"a": ["b"], "b": []}, "ks": [1, 2],
        "printed": False, "nets": [net1, net1], "scheme": "he", "fan_in": 3, "fan_out": 2, "batch": (),
        "generator": 0, "n_models": 2, "n_inputs": 2, "bias": False, "direction": None, "trials": 2,
        "t": 1.0, "relative": True, "noise": 0.1, "pattern": (1, 0, 1), "digits": 3, "sigma": 1.0, "d": 2,
        "inputs": "sphere", "error": np.array([0.1] * 6), "angle": 30.0, "lim": 3.0, "resolution": 11,
        "labels": False, "curves": ("x^3",), "types": ("default",), "epochs": 1, "pretrain_epochs": 1,
        "pretrain_lr": 0.03, "snapshot_every": 1, "progress": False, "low": 0.25, "high": 0.75,
        "curve": "x^3", "stat": "min", "kinds": ("default",), "epoch": 0, "icml": True, "widths": [3],
        "L": 2, "kind": "pieces", "offset": 0.38, "activation": "relu", "batch_size": 4, "optimizer": "sgd",
        "loss": "mse", "X_test": None, "y_test": None, "record": None, "desc": "t", "eval_every": 1,
        "law": "normal", "variance": None, "expr": None, "density": None, "rows": [0.01], "cols": [3],
        "metric": "test_acc", "title": "t", "answer": 4, "table": {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0},
        "layers": [([[1.0]], [0.0]), ([[1.0]], [0.0])], "scalar_output": None, "derivative": False,
        "show_units": True, "y_moved": 0.0, "n_relus": 10, "g_alpha": 0.0, "g_mid": 0.5, "g_beta": 1.0,
        "wave": None, "raw": 10, "tied": 4, "free": 6, "fan": 2, "point": np.array([0.0, 0.0]),
        "slope": np.array([1.0, 1.0]), "intercept": 0.0, "err": np.array([1.0, 0.25, 0.0625]),
        "exact_err": 0.1, "result": None, "fn": np.abs, "K": 2, "layer": 1, "layers_": 10, "study": None,
        "variance_": 1.0, "edges": None, "slopes": None, "intercepts": None,
        "vertices": [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)], "values": [0.2, 0.5, 0.4],
        "flags": np.array([True, False, True]), "sigma_w": 1.0, "sigma_b": 0.5, "n_nets": 2, "N": 3,
        "knots": [0.25, 0.5, 0.75], "mean": 0.5, "seconds": 1.0, "rate": 0.5, "reps": 1, "n_seeds": 1,
        "probs": ["1/2", "1/2"], "h": [1, 2],
        "n_test": 20, "J": 2,
        "gamma": 1.0, "V": np.array([[1.0, 0.0], [0.0, 1.0]]), "shifts": np.array([0.1, -0.2]),
        "coefs": np.array([1.0, -1.0]), "X_train": np.zeros((4, 2)), "X_test": np.zeros((4, 2)), "degree": 2,
    }
    net2 = rb.DeepReLU([(np.array([[1.0, -1.0], [0.5, 1.0], [-1.0, 0.3]]), np.array([0.1, -0.2, 0.0])),
                        (np.array([[1.0, -1.0, 0.5]]), np.array([0.0]))])
    lazy = {
        "study": study,
        # arguments that mean different things in different functions, by function
        "regions2d.region_areas:regions": lambda: rb.linear_regions_2d(net2),
        "regions2d.smallest_inradius:regions": lambda: rb.linear_regions_2d(net2),
        "neuron.region_markdown:regions": lambda: neuron.region_table(net2, resolution=31),
        "neuron.region_records:regions": lambda: neuron.region_table(net2, resolution=31),
        "errata.relu_moments:values": lambda: [-1, 1],
        "rates.sqrt_interpolation_error:knots": lambda: np.array([0.0, 0.25, 1.0]),
        "rates.pwl_interpolant:knots": lambda: np.array([0.0, 0.25, 1.0]),
        "rates.kuhn_interpolate:values": lambda: np.zeros((3, 3)),
    }
    return pool, lazy


def bad_values():
    """The classes of bad input, by class name."""
    import numpy as np

    return {
        "complex": [1 + 2j, np.complex128(0.5 + 0.5j), np.array([0.0, 1 + 5j, 2.0]), np.array([[1j], [2.0]])],
        "string": ["abc", "0.5", "3", ["1", "2"], b"1"],
        "none": [None],
        "object": [object(), {"a": 1}, [[1.0, 2.0], [3.0]], np.array([1, "a"], dtype=object)],
        "nonfinite": [float("nan"), float("inf"), -float("inf"), np.array([0.0, np.nan, 1.0]), np.float64("nan")],
        "huge": [10**9, 10**18, 2**64, 1e308, -1e308, np.int64(2**62)],
        "tiny": [1e-308, 5e-324, -1e-308],
        "negative": [-1, -5, -0.5, np.int64(-3)],
        "zero": [0, 0.0, np.array([])],
        "numpy_scalar": [np.int64(3), np.float64(0.5), np.bool_(True), np.int32(2), np.float32(0.25)],
        "shape": [np.zeros((2, 2, 2)), np.zeros((3, 0)), np.ones((1,)), np.ones((7, 3)), np.array(1.0)],
    }


def public_callables(selected=None):
    out = []
    for m in MODULES:
        mod = importlib.import_module("relubook." + m)
        names = list(getattr(mod, "__all__", []))
        if m.startswith("checks."):
            names = [n for n in dir(mod) if not n.startswith("_") and inspect.isfunction(getattr(mod, n))
                     and getattr(mod, n).__module__ == mod.__name__]
        for n in names:
            obj = getattr(mod, n)
            key = f"{m}.{n}"
            if not callable(obj) or key in SKIP or (selected and not re.search(selected, key)):
                continue
            if n.startswith("draw_") or n in ("Study", "Pieces", "Region", "ComparisonTable", "Squeeze", "Feedback"):
                continue  # figures and plain record classes
            try:
                sig = inspect.signature(obj)
            except (TypeError, ValueError):
                continue
            out.append((key, obj, sig))
    return out


def param_names(sig):
    return [p.name for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def names_argument(message, sig):
    for name in param_names(sig):
        if re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", message):
            return True
    return False


def classify(exc, sig):
    if exc is None:
        return "result"
    if isinstance(exc, Timeout):
        return "timeout"
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, Warning):
        return f"warning {type(exc).__name__}"
    if type(exc) in (ValueError, TypeError) or isinstance(exc, (ValueError, TypeError)) and type(exc).__module__ == "builtins":
        return "named error" if names_argument(str(exc), sig) else "unnamed error"
    return f"other {type(exc).__name__}"


GOOD = {"result", "named error"}


def run(examples, seconds, selected, out):
    import numpy as np
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    import matplotlib
    import torch

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pool, lazy = valid_pool()
    bad = bad_values()
    classes = sorted(bad)
    table = collections.defaultdict(collections.Counter)
    failures = []
    signal.signal(signal.SIGALRM, _alarm)

    for key, fn, sig in public_callables(selected):
        params = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not params:
            continue

        def base_value(p):
            if f"{key}:{p.name}" in lazy:
                return lazy[f"{key}:{p.name}"]()
            if p.name in lazy:
                return lazy[p.name]()
            if p.name in pool and pool[p.name] is not None:
                return pool[p.name]
            if p.default is not inspect.Parameter.empty:
                return p.default
            return pool.get(p.name)

        @settings(max_examples=examples, database=None, derandomize=True, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def one(data):
            n_bad = data.draw(st.integers(1, min(2, len(params))), label="n_bad")
            which = data.draw(st.lists(st.sampled_from([p.name for p in params]), min_size=n_bad,
                                       max_size=n_bad, unique=True), label="which")
            kwargs, shown = {}, {}
            for p in params:
                if p.name in which:
                    cls = data.draw(st.sampled_from(classes), label=f"class of {p.name}")
                    v = data.draw(st.sampled_from(bad[cls]), label=p.name)
                    shown[p.name] = f"{cls}: {v!r}"[:80]
                else:
                    v = base_value(p)
                kwargs[p.name] = v
            args = [kwargs.pop(p.name) for p in params if p.kind == p.POSITIONAL_ONLY]
            exc = None
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("error")
                    warnings.filterwarnings("ignore", category=DeprecationWarning)
                    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
                    fn(*args, **kwargs)
            except BaseException as e:  # noqa: BLE001 - classify everything, including Timeout
                if isinstance(e, KeyboardInterrupt):
                    raise
                exc = e
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                plt.close("all")
                # the driver's own timer may interrupt torch's no_grad between its two halves
                torch.set_grad_enabled(True)
            outcome = classify(exc, sig)
            table[key][outcome] += 1
            if outcome not in GOOD:
                failures.append({"function": key, "bad": shown, "outcome": outcome,
                                 "message": (f"{type(exc).__name__}: {exc}" if exc else "")[:300],
                                 "seconds": round(time.perf_counter() - t0, 2)})

        one()
        out.flush()
    return table, failures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=20, help="hypothesis examples per function")
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit of one call")
    ap.add_argument("--memory-gb", type=float, default=2.0, help="address space allowed above the imports")
    ap.add_argument("--only", default=None, help="regular expression on module.function")
    ap.add_argument("--table", action="store_true", help="print the table of outcomes as text too")
    args = ap.parse_args(argv)
    os.environ.setdefault("RELUBOOK_DEVICE", "cpu")
    import numpy  # noqa: F401
    import torch  # noqa: F401

    import relubook  # noqa: F401
    import relubook.checks  # noqa: F401

    with open("/proc/self/status") as fh:
        vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize"))
    limit = int(vm + args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    table, failures = run(args.examples, args.seconds, args.only, sys.stderr)
    totals = collections.Counter()
    for c in table.values():
        totals.update(c)
    report = {"functions": len(table), "calls": sum(totals.values()), "outcomes": dict(totals),
              "bad": failures, "table": {k: dict(v) for k, v in sorted(table.items())}}
    if args.table:
        cols = sorted(totals)
        print(f"{'function':45s} " + " ".join(f"{c[:14]:>14s}" for c in cols), file=sys.stderr)
        for k, v in sorted(table.items()):
            print(f"{k:45s} " + " ".join(f"{v.get(c, 0):14d}" for c in cols), file=sys.stderr)
        print(f"{'TOTAL':45s} " + " ".join(f"{totals[c]:14d}" for c in cols), file=sys.stderr)
        print(f"{len(failures)} bad outcomes of {sum(totals.values())} calls over {len(table)} functions",
              file=sys.stderr)
    print(json.dumps(report, default=str))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
