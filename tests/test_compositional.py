"""Tests of relubook.compositional (chapters 12 and 13)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import compositional as cnet
from relubook.checks import compositional as ccheck


def grid_pieces(f, lo=0.0, hi=1.0, n=200_001, tol=1e-7):
    """Independent dense-grid count of linear pieces: runs of >= 2 grid intervals with one slope."""
    x = np.linspace(lo, hi, n)
    slope = np.diff(f(x)) / np.diff(x)
    change = np.abs(np.diff(slope)) > tol * (1 + np.abs(slope[1:]))
    # a knot inside a grid interval gives a one-interval run with a mixed slope: skip those runs
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    lengths = np.diff(np.concatenate([starts, [slope.size]]))
    return int(np.sum(lengths >= 2))


def count_pieces(net):
    from relubook import regions

    return regions.count_linear_regions(net, 0.0, 1.0)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5, 6])
def test_exactly_two_to_the_d_pieces(d):
    rng = np.random.default_rng(d)
    peaks = rng.uniform(0.3, 0.7, d)
    net = cnet.compositional_network(peaks, -0.3)
    assert net.widths == [4] * d
    assert grid_pieces(net) == 2**d
    assert count_pieces(net) == 2**d
    assert cnet.wave_structure(peaks, cnet.differentiable_scales(peaks, -0.3))["knots"].size == 2**d + 1


@pytest.mark.parametrize("d", [1, 3, 8, 12])
def test_network_equals_formula(d):
    rng = np.random.default_rng(10 + d)
    peaks = rng.uniform(0.05, 0.95, d)
    scales = rng.choice([-1, 1], d) * rng.uniform(0.1, 1.0, d)
    net = cnet.compositional_network(peaks, scales[0], scales)
    knots = cnet.wave_structure(peaks, scales)["knots"]
    gain = np.prod(np.maximum(1 / peaks, 1 / (1 - peaks)))  # rounding of x is amplified by the slopes
    x = np.concatenate([knots, rng.uniform(0, 1, 3000)])
    assert np.max(np.abs(net(x) - cnet.compositional_function(x, peaks, scales))) < 1e-14 * gain
    import torch

    module = net.to_torch(dtype=torch.float64)  # on rb.device(): CUDA where present
    dev = next(module.parameters()).device
    torch_out = module(torch.tensor(x[:, None], device=dev)).detach().cpu().numpy().ravel()
    assert np.max(np.abs(torch_out - net(x))) < 1e-14 * gain


def test_triangle_and_waves():
    x = np.linspace(0, 1, 101)
    a = 0.3
    expected = np.where(x <= a, x / a, (1 - x) / (1 - a))
    assert np.allclose(cnet.triangle(x, a), expected)
    W = cnet.waves(x, [0.3, 0.6])
    assert np.allclose(W[1], cnet.triangle(W[0], 0.6))
    assert np.allclose(cnet.wave_peaks([0.3, 0.6], 1), [0.3 * 0.6, 0.3 + 0.7 * 0.4])
    assert cnet.wave_peaks([0.3, 0.6, 0.2], 2).size == 4


def test_condition_and_symbolic():
    peaks = np.array([0.3, 0.6, 0.2, 0.7])
    s = cnet.differentiable_scales(peaks, -0.5, next_peak=0.4)
    assert np.allclose(s[1:], s[:-1] * (1 - peaks[1:]) * np.append(peaks[2:], 0.4))
    assert np.all(s < 0)
    from relubook import symbolic

    import sympy as sp

    expr, sym = symbolic.differentiability_condition()
    assert sp.simplify(expr - sym["s_i"] * (1 - sym["a_i+1"]) * sym["a_i+2"]) == 0


def test_jumps_shrink_only_under_condition():
    peaks = np.random.default_rng(5).uniform(0.2, 0.8, 16)
    tied = [cnet.peak_jump(peaks[:d], cnet.differentiable_scales(peaks[:d], -0.3)) for d in (4, 8, 16)]
    free = [cnet.peak_jump(peaks[:d], -0.3 * 0.5 ** np.arange(d)) for d in (4, 8, 16)]
    assert tied[0] > tied[1] > tied[2] and tied[2] < 1e-3 * tied[0]
    assert min(free) > 0.1
    # the measured jump equals equation (4): (sigma_R - sigma_L) Q_0
    s = cnet.differentiable_scales(peaks, -0.3)
    q = cnet.q_value(peaks, s, 0)
    assert np.isclose(cnet.peak_jump(peaks, s), abs((1 / peaks[0] + 1 / (1 - peaks[0])) * q), rtol=1e-6)


def test_half_peaks_give_quadratic_and_square():
    d = 10
    peaks = np.full(d, 0.5)
    x = np.linspace(0, 1, 4 * 2**d + 1)  # knots k / 2**d and the midpoints between them
    for s0 in (-0.25, -0.4, 0.3):
        net = cnet.compositional_network(peaks, s0)
        assert np.max(np.abs(net(x) - (x + 4 * s0 * (x - x**2)))) <= 4 * abs(s0) * 4.0 ** (-(d + 1)) + 1e-12
    net = cnet.compositional_network(peaks, -0.25)
    assert np.max(np.abs(net(x) - x**2)) == pytest.approx(4.0 ** (-(d + 1)), rel=1e-9)
    L, R = cnet.second_difference_quotients(peaks, cnet.differentiable_scales(peaks, -0.3))
    assert np.allclose(L, 2.4) and np.allclose(R, 2.4)
    L, R = cnet.second_difference_quotients(np.full(d, 0.4), cnet.differentiable_scales(np.full(d, 0.4), -0.3, 0.4))
    assert np.allclose(L / R, 2.25) and L[-1] > 10 * L[0]


def test_error_equals_scale_and_convexity():
    peaks = np.random.default_rng(2).uniform(0.2, 0.8, 18)
    s = cnet.differentiable_scales(peaks, -0.3)
    for i in range(6):
        assert cnet.tail_sup(peaks, s, i) == pytest.approx(abs(s[i]), rel=1e-9)
    for i in range(0, 14, 2):
        assert abs(s[i + 2] / s[i]) <= 0.25
    jumps = cnet.derivative_jumps(peaks, s)[1]
    assert jumps.min() > 0  # convex: slopes increase at every knot
    jumps = cnet.derivative_jumps(peaks, -s)[1]
    assert jumps.max() < 0


def test_draw_callbacks():
    for draw, kw in [
        (cnet.draw_waves, {"depth": 3, "peak": 0.3}),
        (cnet.draw_compositional, {"depth": 3, "peak": 0.4, "s0": -0.25}),
        (cnet.draw_derivative, {"depth": 4, "peak": 0.35}),
        (cnet.draw_derivative, {"depth": 3, "peak": 0.5, "s0": 0.0}),
    ]:
        fig, ax = plt.subplots()
        assert draw(ax, **kw) is ax
        assert ax.lines or ax.patches
        plt.close(fig)


def test_checkers(capsys):
    peaks = [0.3, 0.6, 0.2]
    assert ccheck.check_piece_count(peaks, 8)
    assert not ccheck.check_piece_count(peaks, 6)
    assert ccheck.check_tied_scales(peaks, cnet.differentiable_scales(peaks, 0.2))
    assert not ccheck.check_tied_scales(peaks, [0.2, 0.1, 0.05])
    assert ccheck.check_square_network([0.5] * 4, -0.25)
    assert not ccheck.check_square_network([0.4] * 4, -0.25)
    out = capsys.readouterr().out
    assert "[fix]" in out and "[ok]" in out


bad_peak = st.one_of(
    st.floats(max_value=0.0, allow_nan=False), st.floats(min_value=1.0, allow_nan=False), st.just(float("nan"))
)


@settings(max_examples=40, deadline=None)
@given(good=st.lists(st.floats(0.01, 0.99), min_size=0, max_size=4), bad=bad_peak, where=st.integers(0, 4))
def test_bad_peaks_raise(good, bad, where):
    peaks = list(good)
    peaks.insert(min(where, len(peaks)), bad)
    with pytest.raises(ValueError):
        cnet.compositional_network(peaks, -0.25)
    with pytest.raises(ValueError):
        cnet.differentiable_scales(peaks, -0.25)


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 5), extra=st.integers(-3, 3).filter(lambda k: k != 0))
def test_wrong_scale_length_raises(d, extra):
    peaks = np.full(d, 0.4)
    n = d + extra
    if n < 0:
        n = 0
    with pytest.raises(ValueError):
        cnet.compositional_network(peaks, -0.25, np.full(n, -0.25))


def test_other_bad_input():
    with pytest.raises(ValueError):
        cnet.compositional_network([], -0.25)
    with pytest.raises(ValueError):
        cnet.compositional_network([0.3, 0.5], 0.0)
    with pytest.raises(ValueError):
        cnet.compositional_network([0.3, 0.5], -0.25, [-0.2, -0.1])  # scales[0] != s0
    with pytest.raises(ValueError):
        cnet.compositional_network([[0.3, 0.5]], -0.25)
    with pytest.raises(TypeError):
        cnet.compositional_network(0.3, -0.25)
    with pytest.raises(TypeError):
        cnet.differentiable_scales([0.3], "a")
    with pytest.raises(ValueError):
        cnet.differentiable_scales([0.3, 0.4], -0.2, next_peak=1.0)
    with pytest.raises(ValueError):
        cnet.q_value([0.3], [-0.2], 0)
