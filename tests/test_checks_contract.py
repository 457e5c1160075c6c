"""The checker contract (relubook/checks/_core.py), enforced on every checker with hypothesis.

For every checker: right answers in every accepted form pass; answers perturbed past the stated
tolerance, NaN, infinite, mistyped, mis-shaped, raising or sleeping answers fail; no call raises
(apart from misuse of the checker), no report contains a traceback, every call returns within the
time limit, and the report is printed exactly once.
"""

from __future__ import annotations

import contextlib
import fractions
import inspect
import io
import itertools
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import relubook as rb
from relubook import approximation as ap
from relubook import bending, checks, composition, compositional as cnet, dying, initialization, interpolation, neuron
from relubook.checks import _core

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLACK = 1.5  # seconds of scheduling slack on a loaded machine, on top of the time limit


def run(fn, *args, **kwargs):
    """Call a checker, capture what it prints, and check the parts of the contract every call obeys."""
    buf = io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(buf):
        fb = fn(*args, **kwargs)
    elapsed = time.monotonic() - t0
    out = buf.getvalue()
    assert isinstance(fb, checks.Feedback)
    assert elapsed <= _core._settings["limit"] + SLACK, f"{fn.__name__} took {elapsed:.1f} s"
    assert "Traceback" not in out and 'File "' not in out
    assert out.count(f"{fb.title}:") == 1, out  # printed once
    assert out.strip() == fb.text().strip()
    assert bool(fb) == (fb.score[0] == fb.score[1] > 0)
    return fb, out


def right(fn, *args, **kwargs):
    fb, out = run(fn, *args, **kwargs)
    assert fb, out
    return out


def wrong(fn, *args, **kwargs):
    fb, out = run(fn, *args, **kwargs)
    assert not fb, out
    assert "[fix]" in out
    return out


# ---------------------------------------------------------------------------------------------
# forms of an answer


def number_forms(v: float):
    """Every accepted spelling of the real number v (rounded to the stated three significant figures too)."""
    forms = [float(v), np.float64(v), np.float32(v), np.array(v), torch.tensor(v, dtype=torch.float64),
             torch.tensor(v, dtype=torch.float32), float(f"{v:.3g}"), fractions.Fraction(float(v))]
    if abs(v) >= 1e-3:
        forms.append(np.float16(v) if np.isfinite(np.float16(v)) and _core.close(float(np.float16(v)), v) else float(v))
    return forms


def count_forms(n: int):
    forms = [int(n), float(n), np.float64(n), np.int64(n), np.array(n), torch.tensor(n)]
    for t in (np.int8, np.int16, np.int32, np.uint16, np.uint32, np.uint64):
        if np.iinfo(t).min <= n <= np.iinfo(t).max:
            forms.append(t(n))
    return forms


def vector_forms(v):
    v = np.asarray(v, dtype=float)
    return [v, list(v), tuple(v), [float(f"{x:.4g}") for x in v], torch.tensor(v), torch.tensor(v, dtype=torch.float32),
            v.astype(np.float32), [np.float64(x) for x in v]]


class Slow:
    """An answer whose every use sleeps: the checker must give up at the time limit."""

    def _sleep(self, *args, **kwargs):
        time.sleep(30)
        return 0.0

    __float__ = __call__ = __array__ = __index__ = __int__ = _sleep

    def __len__(self):
        time.sleep(30)
        return 1


class Boom:
    """An answer whose every use raises."""

    def _boom(self, *args, **kwargs):
        raise RuntimeError("boom")

    __float__ = __call__ = __array__ = __index__ = __int__ = __len__ = __iter__ = _boom


BAD = [float("nan"), float("inf"), -float("inf"), None, "0.3", "", [[1, 2], [3]], object(), True, 1 + 2j,
       {"a": 1}, Boom(), np.array([np.nan, 1.0]), torch.tensor(float("nan"))]


def tol_factor():
    """A relative perturbation past the three-significant-figure tolerance."""
    return st.floats(0.012, 3.0).flatmap(lambda d: st.sampled_from([1 + d, 1 - d / (1 + d)]))


def sig3(v):
    return float(f"{v:.3g}")


# ---------------------------------------------------------------------------------------------
# one registry: each checker with a call taking the answer in its answer slot


def _and_net():
    return rb.ShallowReLU(W=[[1.0, 1.0]], b=[-1.0], B=[1.0])


TENT = dict(W=[1, 1, 1], b=[0, -0.5, -1], B=[2, -4, 2])
X3 = np.array([[0.0], [1.0], [2.0]])
Y3 = np.array([1.0, 3.0, 2.0])
P2 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

# name -> (call(answer), one right answer)
SLOTS = {
    "relu.relu_derivative": (lambda a: checks.relu.relu_derivative(a), lambda z: (z > 0).astype(float)),
    "relu.leaky_relu": (lambda a: checks.relu.leaky_relu(a, alpha=0.1), lambda z, al: np.maximum(z, al * z)),
    "relu.square_approximation": (lambda a: checks.relu.square_approximation(a, eps=0.011),
                                  bending.square_interpolant(9)),
    "neuron.region_piece": (lambda a: checks.neuron.region_piece((3, -1), a, (-1, -3), 2), "101"),
    "neuron.init_variance": (lambda a: checks.neuron.init_variance("torch-default", 256, 256, a, 1 / 6), 1 / 768),
    "approximation.check_ky_fan": (lambda a: checks.approximation.check_ky_fan(a), 0.3),
    "approximation.check_stopping_index": (lambda a: checks.approximation.check_stopping_index(a), 13),
    "approximation.check_cosine_count": (lambda a: checks.approximation.check_cosine_count(a), 15330),
    "approximation.check_boolean_network": (lambda a: checks.approximation.check_boolean_network(a, lambda x, y: x * y),
                                            _and_net()),
    "interpolation.check_fit": (lambda a: checks.interpolation.check_fit(a, X3, Y3, max_units=2),
                                rb.ShallowReLU(W=[[1.0], [1.0]], b=[0.0, -1.0], B=[2.0, -3.0], c=1.0)),
    "interpolation.check_direction": (lambda a: checks.interpolation.check_direction(a, P2), [1.0, 3.0]),
    "dying.check_born_dead_width": (lambda a: checks.dying.check_born_dead_width(a), dying.born_dead_width(20, 0.01)),
    "dying.check_layer_moment": (lambda a: checks.dying.check_layer_moment(a), 0.5**10),
    "composition.check_tent": (lambda a: checks.composition.check_tent(a), rb.ShallowReLU(**TENT)),
    "composition.check_shallow_separator": (lambda a: checks.composition.check_shallow_separator(a, 3),
                                            interpolation.interpolate(*composition.telgarsky_points(3))),
    "compositional.check_piece_count": (lambda a: checks.compositional.check_piece_count([0.3, 0.6, 0.2], a), 8),
    "compositional.check_tied_scales": (lambda a: checks.compositional.check_tied_scales([0.3, 0.6, 0.2, 0.7], a),
                                        [-0.5, -0.04, -0.0224, -0.00336]),
    "compositional.check_square_network": (lambda a: checks.compositional.check_square_network([0.5] * 6, a), -0.25),
    "pretraining.check_parameter_counts": (lambda a: checks.pretraining.check_parameter_counts(a, 6, 10), 93),
    "rates.check_sqrt_knots": (lambda a: checks.rates.check_sqrt_knots(a, 10), (np.arange(11) / 10) ** 4),
    "memorisation.check_max_network": (lambda a: checks.memorisation.check_max_network(a, 2),
                                       rb.memorisation.max_network(2)),
}


def all_checkers():
    found = {}
    for part in ("relu", "neuron", "approximation", "interpolation", "dying", "composition", "compositional",
                 "pretraining", "rates", "memorisation"):
        mod = getattr(checks, part)
        for name in mod.__all__:
            found[f"{part}.{name}"] = getattr(mod, name)
    return found


def test_every_checker_follows_the_contract():
    found = all_checkers()
    assert set(found) == set(SLOTS), "add new checkers to SLOTS and give them a property test"
    for name, fn in found.items():
        assert getattr(fn, "is_checker", False), f"{name} is not built with relubook.checks._core.checker"
        assert fn.__doc__, name
        assert "fb" not in inspect.signature(fn).parameters


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_slot_answer_is_right_and_bad_answers_fail(name):
    call, answer = SLOTS[name]
    right(call, answer)
    for bad in BAD:
        wrong(call, bad)


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_sleeping_answer_times_out(name):
    call, _ = SLOTS[name]
    with checks.time_limit(0.3):
        out = wrong(call, Slow())
    assert "time limit" in out or "[fix]" in out


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_calling_with_nothing_is_misuse(name):
    with pytest.raises(TypeError, match="missing"):
        all_checkers()[name]()


def test_misused_parameters_raise_plain_errors():
    with pytest.raises(TypeError, match="alpha"):
        checks.relu.leaky_relu(lambda z, a: z, alpha="0.1")
    with pytest.raises(TypeError, match="net"):
        checks.neuron.region_piece((3, -1), "101", (-1, -3), 2, net="x")
    with pytest.raises(ValueError, match="k"):
        checks.composition.check_shallow_separator(rb.ShallowReLU(**TENT), 40)
    with pytest.raises(ValueError, match="peaks"):
        checks.compositional.check_piece_count([0.5] * 40, 8)
    with pytest.raises(ValueError, match="seconds"):
        with checks.time_limit(-1):
            pass


def test_printed_once_and_silent_display():
    fb, out = run(checks.approximation.check_ky_fan, 0.3)
    assert fb._ipython_display_() is None  # Jupyter shows nothing more for the cell's last line
    assert "Ky Fan distance" in repr(fb) and "2/2" in repr(fb)
    with checks.quiet():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert checks.approximation.check_ky_fan(0.3)
        assert buf.getvalue() == ""


def test_issue_regressions():
    """The wrong verdicts, crashes and hangs reported in issue 14."""
    wrong(checks.relu.relu_derivative, lambda z: np.where(z == 0, 0, np.nan))
    wrong(checks.approximation.check_boolean_network, _and_net(), lambda a, b: np.nan)
    right(checks.approximation.check_stopping_index, np.int64(13))
    right(checks.approximation.check_cosine_count, np.int64(15330))
    right(checks.dying.check_born_dead_width, np.int64(11))
    right(checks.dying.check_born_dead_width, 11.0)
    right(checks.approximation.check_ky_fan, np.float32(0.3))
    right(checks.dying.check_layer_moment, np.float32(0.5**10))
    right(checks.dying.check_layer_moment, 9.77e-4)
    right(checks.neuron.init_variance, "torch-default", 256, 256, 1.30e-3, 0.1667)
    right(checks.compositional.check_tied_scales, [0.3, 0.6, 0.2, 0.7], [-0.5, -0.04, -0.0224, -0.00336])
    right(checks.neuron.region_piece, (3, -1), "1 0 1", (-1, -3), 2)
    wrong(checks.interpolation.check_fit, rb.ShallowReLU(W=[[1.0]], b=[0.0], B=[1.0]), X3, 5.0)
    wrong(checks.interpolation.check_direction, [1], None)

    class MyNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(1, 2), torch.nn.Linear(2, 1)

        def forward(self, x):
            return self.b(torch.relu(self.a(x)))

    out = wrong(checks.interpolation.check_fit, MyNet(), X3, Y3, max_units=1)
    assert "2 hidden ReLUs" in out
    right(checks.interpolation.check_direction, [1.0, 2.0], [[0.0, 1.0]])
    wrong(checks.compositional.check_piece_count, [0.3, 0.6, 0.2], float("inf"))
    wrong(checks.pretraining.check_parameter_counts, float("inf"), 6, 10)
    wrong(checks.approximation.check_boolean_network, _and_net(), {(0, 0): 0})
    wrong(checks.approximation.check_stopping_index, 10**400)
    out = wrong(checks.approximation.check_boolean_network, ap.parity_network(26), lambda *b: sum(b) % 2)
    assert "at most" in out

    def forever(z):
        while True:
            pass

    with checks.time_limit(0.5):
        assert "time limit of 0.5 seconds" in wrong(checks.relu.relu_derivative, forever)


def test_solutions_are_never_printed():
    for call, text in [
        (lambda: checks.dying.check_layer_moment(0.5), ("0.000977", "9.77e-04", "0.0009765625")),
        (lambda: checks.approximation.check_cosine_count(15000), ("15330",)),
        (lambda: checks.pretraining.check_parameter_counts(90, 5, 9), ("93",)),
        (lambda: checks.neuron.init_variance("torch-default", 256, 256, 0.1, 0.1), ("0.0013", "1.30", "0.1667")),
        (lambda: checks.approximation.check_ky_fan(0.7), ("0.3",)),
        (lambda: checks.dying.check_born_dead_width(30), ("11",)),
        (lambda: checks.approximation.check_stopping_index(20), ("13",)),
    ]:
        _, out = run(call)
        assert not any(t in out for t in text), out


# ---------------------------------------------------------------------------------------------
# generated right and wrong answers, every checker


@SETTINGS
@given(layers=st.integers(0, 40), data=st.data())
def test_layer_moment(layers, data):
    truth = 0.5**layers
    for form in number_forms(truth):
        right(checks.dying.check_layer_moment, form, layers=layers)
    wrong(checks.dying.check_layer_moment, truth * data.draw(tol_factor()), layers=layers)


@SETTINGS
@given(f=tol_factor())
def test_ky_fan(f):
    for form in number_forms(0.3):
        right(checks.approximation.check_ky_fan, form)
    wrong(checks.approximation.check_ky_fan, 0.3 * f)


@SETTINGS
@given(scheme=st.sampled_from([s for s in initialization.schemes()
                               if initialization.weight_variance(s, 3, 3) is not None]),
       fan_in=st.integers(1, 5000), fan_out=st.integers(1, 5000), f=tol_factor(), which=st.booleans())
def test_init_variance(scheme, fan_in, fan_out, f, which):
    var = initialization.weight_variance(scheme, fan_in, fan_out)
    rate = fan_in * var / 2
    for v, r in zip(number_forms(var), number_forms(rate)):
        right(checks.neuron.init_variance, scheme, fan_in, fan_out, v, r)
    wrong(checks.neuron.init_variance, scheme, fan_in, fan_out, var * (f if which else 1), rate * (1 if which else f))


@SETTINGS
@given(M=st.floats(0.1, 100), a=st.floats(-5, 5), width=st.floats(0.01, 10), eps=st.floats(1e-6, 1.0),
       offset=st.integers(-20, 20).filter(bool))
def test_stopping_index(M, a, width, eps, offset):
    i = ap.stopping_index(M, a, a + width, eps)
    for form in count_forms(i):
        right(checks.approximation.check_stopping_index, form, M, a, a + width, eps)
    wrong(checks.approximation.check_stopping_index, i + offset, M, a, a + width, eps)
    wrong(checks.approximation.check_stopping_index, i + 0.5, M, a, a + width, eps)


@SETTINGS
@given(M=st.floats(0.5, 200), eps=st.floats(1e-3, 1.0), offset=st.integers(-50, 50).filter(bool))
def test_cosine_count(M, eps, offset):
    n = ap.paper_cosine_relus(M, eps)
    for form in count_forms(n):
        right(checks.approximation.check_cosine_count, form, M=M, eps=eps)
    wrong(checks.approximation.check_cosine_count, n + offset, M=M, eps=eps)


@SETTINGS
@given(depth=st.integers(1, 10**5), delta=st.floats(1e-12, 0.99), offset=st.integers(-5, 5).filter(bool))
def test_born_dead_width(depth, delta, offset):
    N = dying.born_dead_width(depth, delta)
    for form in count_forms(N):
        right(checks.dying.check_born_dead_width, form, depth=depth, delta=delta)
    wrong(checks.dying.check_born_dead_width, N + offset, depth=depth, delta=delta)


@SETTINGS
@given(peaks=st.lists(st.floats(0.05, 0.95), min_size=1, max_size=8), offset=st.integers(-9, 9).filter(bool))
def test_piece_count(peaks, offset):
    n = 2 ** len(peaks)
    for form in count_forms(n):
        right(checks.compositional.check_piece_count, peaks, form)
    wrong(checks.compositional.check_piece_count, peaks, n + offset)


@SETTINGS
@given(depth=st.integers(1, 200), which=st.integers(0, 2), offset=st.integers(-3, 3).filter(bool))
def test_parameter_counts(depth, which, offset):
    want = [8 + (depth - 1) * 20 + 5, depth + 1, 2 * depth]
    for forms in zip(*(count_forms(v) for v in want)):
        right(checks.pretraining.check_parameter_counts, *forms, depth=depth)
    bad = list(want)
    bad[which] += offset
    wrong(checks.pretraining.check_parameter_counts, *bad, depth=depth)


@SETTINGS
@given(peaks=st.lists(st.floats(0.05, 0.95), min_size=2, max_size=8), s0=st.floats(0.05, 5.0),
       sign=st.sampled_from([-1, 1]), data=st.data())
def test_tied_scales(peaks, s0, sign, data):
    want = cnet.differentiable_scales(peaks, sign * s0)
    for form in vector_forms(want):
        right(checks.compositional.check_tied_scales, peaks, form)
    k = data.draw(st.integers(1, len(peaks) - 1))
    bad = want.copy()
    bad[k] *= data.draw(tol_factor())
    wrong(checks.compositional.check_tied_scales, peaks, bad)
    wrong(checks.compositional.check_tied_scales, peaks, list(want[:-1]))  # mis-shaped
    wrong(checks.compositional.check_tied_scales, peaks, float(want[0]))


@SETTINGS
@given(depth=st.integers(1, 10), peak=st.floats(0.1, 0.9).filter(lambda p: abs(p - 0.5) > 1e-3))
def test_square_network(depth, peak):
    for s0 in number_forms(-0.25):
        right(checks.compositional.check_square_network, [0.5] * depth, s0)
    for peaks in vector_forms([0.5] * depth)[:3] + [torch.full((depth,), 0.5)]:
        right(checks.compositional.check_square_network, peaks, -0.25)
    wrong(checks.compositional.check_square_network, [peak] * depth, -0.25)
    wrong(checks.compositional.check_square_network, [0.5] * depth, 0.25)


@SETTINGS
@given(g0=st.floats(0, 1), form=st.sampled_from(["numpy", "list", "torch"]), data=st.data())
def test_relu_derivative(g0, form, data):
    def fn(z):
        out = np.where(z > 0, 1.0, np.where(z < 0, 0.0, g0))
        return {"numpy": out, "list": out.tolist(), "torch": torch.tensor(out)}[form]

    right(checks.relu.relu_derivative, fn)
    side = data.draw(st.sampled_from(["neg", "pos", "zero"]))
    delta = data.draw(st.floats(1e-6, 10))

    def bad(z):
        out = np.where(z > 0, 1.0, np.where(z < 0, 0.0, g0))
        if side == "neg":
            return out + np.where(z < 0, delta, 0)
        if side == "pos":
            return out - np.where(z > 0, delta, 0)
        return np.where(z == 0, 1 + delta, out)

    wrong(checks.relu.relu_derivative, bad)
    wrong(checks.relu.relu_derivative, lambda z: 1.0)  # wrong shape
    wrong(checks.relu.relu_derivative, lambda z: z.reshape(-1, 1)[:2])


@SETTINGS
@given(alpha=st.floats(0, 1), form=st.sampled_from(["numpy", "list", "torch", "float32"]), d=st.floats(1e-3, 2))
def test_leaky_relu(alpha, form, d):
    def fn(z, a):
        out = np.where(z > 0, z, a * z)
        return {"numpy": out, "list": out.tolist(), "torch": torch.tensor(out),
                "float32": out.astype(np.float32).astype(float)}[form]

    right(checks.relu.leaky_relu, fn, alpha=alpha)
    wrong(checks.relu.leaky_relu, lambda z, a: np.where(z > 0, z, (a + d) * z), alpha=alpha)
    wrong(checks.relu.leaky_relu, lambda z, a: np.where(z > 0, z * (1 + d), a * z), alpha=alpha)


@SETTINGS
@given(n=st.integers(2, 40), a=st.floats(-3, 0), width=st.floats(0.5, 4))
def test_square_approximation(n, a, width):
    b = a + width
    net = bending.square_interpolant(n, a, b)
    err = bending.sup_error_square(net, a, b)
    right(checks.relu.square_approximation, net, eps=err * 1.01 + 1e-12, a=a, b=b)
    right(checks.relu.square_approximation, net, eps=err * 1.01 + 1e-12, a=a, b=b, max_units=net.n_neurons)
    wrong(checks.relu.square_approximation, net, eps=err * 0.9, a=a, b=b)
    wrong(checks.relu.square_approximation, net, eps=err * 1.01 + 1e-12, a=a, b=b, max_units=net.n_neurons - 1)
    wrong(checks.relu.square_approximation, net.to_deep(), eps=err * 1.01 + 1e-12, a=a, b=b)


def _net_forms(net):
    """A relubook ShallowReLU as itself, as a DeepReLU, as a torch module (float64) and as a plain function."""
    return [net, net.to_deep(), net.to_torch(), lambda X: net(X)]


@SETTINGS
@given(n=st.integers(2, 12), seed=st.integers(0, 10**6), d=st.floats(1e-5, 10), dim=st.integers(1, 3))
def test_fit(n, seed, d, dim):
    rng = np.random.default_rng(seed)
    X = rng.permutation(n * 3)[:n].reshape(n, 1) / 3.0 if dim == 1 else rng.integers(-50, 50, (n, dim)) / 7.0
    if len(np.unique(X, axis=0)) < n:
        return
    Y = rng.normal(size=n)
    net = interpolation.interpolate(X, Y)
    for form in _net_forms(net):
        right(checks.interpolation.check_fit, form, X, Y)
    for data in vector_forms(Y)[:3]:
        right(checks.interpolation.check_fit, net, X.tolist(), data)
    right(checks.interpolation.check_fit, net, torch.tensor(X), torch.tensor(Y), max_units=net.n_neurons)
    off = rb.ShallowReLU(W=net.W, b=net.b, B=net.B, c=net.c + d)
    wrong(checks.interpolation.check_fit, off, X, Y)
    wrong(checks.interpolation.check_fit, net, X, Y, max_units=max(net.n_neurons - 1, 0))
    wrong(checks.interpolation.check_fit, net, X, Y[:-1])  # mis-shaped data


@SETTINGS
@given(n=st.integers(2, 20), seed=st.integers(0, 10**6), pair=st.data())
def test_direction(n, seed, pair):
    rng = np.random.default_rng(seed)
    X = rng.integers(-9, 9, size=(n, 2)).astype(float)
    if len(np.unique(X, axis=0)) < n:
        return
    w = interpolation.separating_direction(X)
    for form in vector_forms(w)[:3] + [torch.tensor(w)]:
        right(checks.interpolation.check_direction, form, X)
    i, j = pair.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    dx = X[i] - X[j]
    wrong(checks.interpolation.check_direction, [-dx[1], dx[0]], X)  # orthogonal to x_i - x_j
    wrong(checks.interpolation.check_direction, [0.0, 0.0], X)
    wrong(checks.interpolation.check_direction, [1.0, 2.0, 3.0], X)


@SETTINGS
@given(r=st.integers(1, 4), seed=st.integers(0, 10**6), flip=st.data())
def test_boolean_network(r, seed, flip):
    bits = np.array(list(itertools.product([0, 1], repeat=r)), dtype=float)
    values = np.random.default_rng(seed).integers(0, 2, size=len(bits)).astype(float)
    table = {tuple(int(v) for v in x): int(y) for x, y in zip(bits, values)}
    net = interpolation.interpolate(bits, values)
    right(checks.approximation.check_boolean_network, net, table)
    right(checks.approximation.check_boolean_network, net, lambda *b: table[tuple(int(v) for v in b)])
    k = flip.draw(st.sampled_from(sorted(table)))
    bad = dict(table)
    bad[k] = 1 - bad[k]
    wrong(checks.approximation.check_boolean_network, net, bad)
    wrong(checks.approximation.check_boolean_network, net.to_torch(), table)  # not a ShallowReLU


@SETTINGS
@given(k=st.integers(1, 7))
def test_shallow_separator(k):
    net = interpolation.interpolate(*composition.telgarsky_points(k))
    for form in (net, net.to_deep(), net.to_torch()):
        right(checks.composition.check_shallow_separator, form, k)
    wrong(checks.composition.check_shallow_separator, composition.telgarsky_deep(k), k)  # deep, not shallow
    x, y = composition.telgarsky_points(k)
    wrong(checks.composition.check_shallow_separator, interpolation.interpolate(x, 1 - y), k)


@SETTINGS
@given(f=tol_factor())
def test_tent(f):
    net = rb.ShallowReLU(**TENT)
    for form in (net, net.to_deep(), net.to_torch(), composition.tent()):
        right(checks.composition.check_tent, form)
    wrong(checks.composition.check_tent, rb.ShallowReLU(W=TENT["W"], b=TENT["b"], B=np.array(TENT["B"]) * f))
    wrong(checks.composition.check_tent, rb.ShallowReLU(W=[1, 1], b=[0, -0.5], B=[2, -4]))


def _region_point(draw):
    net = neuron.example_network()
    x = np.array([draw(st.integers(-20, 40)) / 10, draw(st.integers(-20, 30)) / 10 + 0.013])
    if np.min(np.abs(net.hidden(x[None, :])[0])) < 1e-6:
        return None
    return x


@SETTINGS
@given(data=st.data())
def test_region_piece(data):
    net = neuron.example_network()
    x = _region_point(data.draw)
    if x is None:
        return
    p = neuron.activation_patterns(net, x[None, :])[0].astype(int)
    A, c = neuron.affine_piece(net, p)
    A, c = np.asarray(A, float).reshape(-1), float(c)
    text = "".join(map(str, p))
    patterns = [text, " ".join(text), ",".join(text), list(p), [bool(v) for v in p], np.array(p), torch.tensor(p)]
    for pat, slope, icpt in zip(patterns, itertools.cycle(vector_forms(A)), itertools.cycle(number_forms(c))):
        right(checks.neuron.region_piece, x, pat, slope, icpt)
    right(checks.neuron.region_piece, tuple(x), text, tuple(A), c)
    flipped = p.copy()
    flipped[data.draw(st.integers(0, 2))] ^= 1
    wrong(checks.neuron.region_piece, x, flipped, A, c)
    wrong(checks.neuron.region_piece, x, text, A + data.draw(st.floats(0.05, 3)), c)
    wrong(checks.neuron.region_piece, x, text, A, c + data.draw(st.floats(0.05, 3)))
    wrong(checks.neuron.region_piece, x, "1O1", A, c)
    wrong(checks.neuron.region_piece, x, text + "1", A, c)
