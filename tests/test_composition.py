"""Tent, sawtooth, Yarotsky's squaring, multiplication, products, Telgarsky's separation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relubook as rb
from relubook import composition as C
from relubook import regions


def tent_formula(x):
    return np.where((x >= 0) & (x <= 1), 1 - np.abs(2 * x - 1), 0.0)


@pytest.mark.parametrize("form", ["yarotsky", "telgarsky", "mossel"])
def test_tent_forms(form):
    x = np.linspace(-2, 3, 5001)
    np.testing.assert_allclose(C.tent(form)(x), tent_formula(x), atol=1e-15)


def test_sawtooth_pieces_and_composition():
    x = np.linspace(-0.5, 1.5, 4001)
    g3 = tent_formula(tent_formula(tent_formula(x)))
    np.testing.assert_allclose(C.sawtooth(3)(x), g3, atol=1e-12)
    for d in range(1, 21, 3):
        assert rb.count_linear_regions(C.sawtooth(d), 0, 1) == 2**d
    assert rb.count_linear_regions(C.sawtooth(4, form="telgarsky"), 0, 1) == 16
    assert C.sawtooth(5).depth == 5 and C.sawtooth(5, form="telgarsky").depth == 10


def test_torch_round_trip():
    import torch

    net = C.yarotsky_square(4)
    x = np.linspace(0, 1, 101)
    with torch.no_grad():
        module = net.to_torch()  # on rb.device(): CUDA where present
        out = module(torch.as_tensor(x[:, None], device=next(module.parameters()).device)).cpu().numpy()
    np.testing.assert_allclose(out, net(x), atol=1e-14)


@pytest.mark.parametrize("m", range(1, 11))
def test_yarotsky_error_is_exact(m):
    net = C.yarotsky_square(m)
    k = np.arange(2**m + 1) / 2**m
    np.testing.assert_allclose(net(k), k**2, atol=1e-15)  # interpolates x^2 at k / 2^m
    P = regions.affine_pieces(net, 0, 1)
    np.testing.assert_allclose(P.edges, k, atol=1e-15)  # and is linear in between: the dyadic interpolant
    mid = (np.arange(2**m) + 0.5) / 2**m
    x = np.unique(np.concatenate((np.linspace(0, 1, 4097), mid)))
    err = net(x) - x**2
    assert abs(err.max() - C.square_error(m)) <= 1e-12 and err.min() >= -1e-15
    assert net.n_neurons == 3 * m and net.depth == m


@settings(max_examples=12, deadline=None)
@given(M=st.floats(0.1, 10.0), m=st.integers(1, 8))
def test_multiplication_bound(M, m):
    net = C.multiplication_network(M, m)
    g = np.linspace(-M, M, 81)
    X, Y = np.meshgrid(g, g)
    P = np.column_stack((X.ravel(), Y.ravel()))
    err = np.abs(net(P) - P[:, 0] * P[:, 1])
    assert err.max() <= M * M * 4.0**-m * (1 + 1e-9)
    assert np.abs(net(np.array([[0.0, M], [M / 2, 0.0]]))).max() <= 1e-12 * M * M


def test_multiplication_bound_is_tight():
    for M, m in [(3.0, 8), (1.0, 2), (5.0, 5)]:
        net = C.multiplication_network(M, m)
        x = M / 2**m  # |x + y| / 2M is a knot, |x| / 2M and |y| / 2M are midpoints
        err = abs(net(np.array([[x, x]]))[0] - x * x)
        assert err == pytest.approx(M * M * 4.0**-m, rel=1e-9)


def test_product_network():
    Z = np.random.default_rng(0).uniform(-1, 1, (4000, 5))
    for k in (2, 3, 5):
        net = C.product_network(k, 6)
        assert np.abs(net(Z[:, :k]) - Z[:, :k].prod(1)).max() <= 1.1 * (k - 1) * 4.0**-6


def test_builders():
    ident = C.identity_network(2, 3)
    X = np.random.default_rng(1).normal(size=(10, 2))
    np.testing.assert_allclose(ident(X), X)
    with pytest.raises(ValueError, match="equal depth"):
        C.parallel(C.sawtooth(1), C.sawtooth(2))
    with pytest.raises(ValueError, match="inputs"):
        C.compose(C.multiplication_network(1, 1), C.sawtooth(1))


def test_telgarsky():
    for k in range(1, 9):
        assert C.classification_error(C.telgarsky_deep(k), k) == 0.0
    assert C.telgarsky_error_bound(2, 4) == 7 / 16
    assert C.telgarsky_error_bound(100, 4) == 0.0
    for h, net in C.train_shallow_telgarsky(4, [2, 4], seeds=2, steps=20):
        p = rb.count_linear_regions(net, 0, 1)
        assert p <= h + 1
        assert C.classification_error(net, 4) >= C.telgarsky_error_bound(p, 4)


def test_draw_callbacks():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    C.draw_sawtooth(ax, depth=4)
    assert "16 linear pieces" in ax.get_title()
    ax.clear()
    C.draw_yarotsky(ax, m=3)
    assert "4^{-4}" in ax.get_title()
    plt.close(fig)


def test_bad_input():
    with pytest.raises(ValueError, match="form"):
        C.tent("round")
    with pytest.raises(ValueError, match="depth"):
        C.sawtooth(0)
    with pytest.raises(TypeError, match="depth"):
        C.sawtooth(2.5)
    with pytest.raises(ValueError, match="m"):
        C.yarotsky_square(0)
    with pytest.raises(ValueError, match="M"):
        C.multiplication_network(-1.0, 3)
    with pytest.raises(ValueError, match="M"):
        C.multiplication_network(float("nan"), 3)
    with pytest.raises(ValueError, match="k"):
        C.product_network(1, 3)


def test_checkers():
    from relubook import checks

    assert checks.composition.check_tent(C.tent())
    assert not checks.composition.check_tent(C.sawtooth(2))
    assert not checks.composition.check_tent("tent")
    x, y = C.telgarsky_points(3)
    n = len(x)
    s = np.diff(y) / np.diff(x)  # interpolant of the labels: n - 1 units
    net = rb.ShallowReLU(np.ones(n - 1), -x[:-1], np.concatenate(([s[0]], np.diff(s))), y[0])
    assert checks.composition.check_shallow_separator(net, 3)
    assert not checks.composition.check_shallow_separator(C.telgarsky_deep(3), 3)
