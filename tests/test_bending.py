"""Tests of relubook.bending: the thread's networks, the interpolant of x^2, training, callbacks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import relubook as rb
from relubook import bending as B


def test_h1_is_abs():
    x = np.linspace(-3, 3, 101)
    assert np.array_equal(B.h1()(x), np.abs(x))


def test_h2_code_interpolates_and_formula_does_not():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert np.array_equal(B.h2("code")(x), x**2)
    assert np.array_equal(B.h2()(x), x**2)
    assert B.h2("formula")(x).tolist() == [8.0, 5.0, 2.0, 1.0, 4.0]
    assert B.kinks(B.h2("formula")).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="version"):
        B.h2("paper")


@given(st.integers(0, 40), st.floats(-5, 4), st.floats(0.1, 5))
@settings(max_examples=40, deadline=None)
def test_square_interpolant_exact_error(n, a, width):
    b = a + width
    net = B.square_interpolant(n, a, b)
    assert net.n_neurons == n + 1
    nodes = B.square_nodes(n, a, b)
    assert np.allclose(net(nodes), nodes**2, atol=1e-9 * max(1, a * a, b * b))
    err = B.sup_error_square(net, a, b)
    assert err == pytest.approx(B.square_interpolant_error(n, a, b), rel=1e-8, abs=1e-12)


def test_square_interpolant_torch_matches():
    net = B.square_interpolant(5, -2, 1)
    x = np.linspace(-2, 1, 50)
    out = net.to_torch(device="cpu")(torch.as_tensor(x[:, None])).detach().numpy()
    assert np.allclose(out, net(x), atol=1e-12)
    assert rb.square_interpolant is B.square_interpolant


def test_bad_input():
    with pytest.raises(TypeError, match="n"):
        B.square_interpolant(2.5)
    with pytest.raises(ValueError, match="n"):
        B.square_interpolant(-1)
    with pytest.raises(ValueError, match="a"):
        B.square_interpolant(3, 1.0, 1.0)
    with pytest.raises(ValueError, match="b"):
        B.square_interpolant_error(3, 0.0, float("nan"))
    with pytest.raises(TypeError, match="net"):
        B.kinks(lambda x: x)
    with pytest.raises(TypeError, match="net"):
        B.sup_error_square(3.0)
    with pytest.raises(ValueError, match="n_grid"):
        B.sup_error_square(B.h1(), n_grid=1)
    with pytest.raises(ValueError, match="n and err"):
        B.loglog_slope([1, 2], [1.0])
    with pytest.raises(ValueError, match="positive"):
        B.loglog_slope([1, 2], [1.0, 0.0])


def test_loglog_slope():
    n = np.array([2.0, 4, 8, 16])
    assert B.loglog_slope(n, 3 / n**2) == pytest.approx(-2)


def test_sup_error_square_callable():
    assert B.sup_error_square(lambda x: x**2) == 0.0
    assert B.sup_error_square(B.h1().to_deep(), -1, 1) == pytest.approx(0.25)


def test_train_square_short():
    net, losses = B.train_square(4, -1, 1, steps=30, lr=0.05, n_points=33, seed=1, device="cpu")
    assert isinstance(net, rb.ShallowReLU) and net.n_neurons == 4
    assert losses.shape == (31,) and losses[-1] < losses[0]
    x = np.linspace(-1, 1, 33)
    assert np.mean((net(x) - x**2) ** 2) == pytest.approx(losses[-1], rel=1e-9)


def test_train_square_start():
    built = B.square_interpolant(3)
    net, losses = B.train_square(4, steps=1, lr=1e-14, start=built, device="cpu")
    x = np.linspace(-1, 1, 201)
    assert losses[0] == pytest.approx(np.mean((built(x) - x**2) ** 2))
    assert np.allclose(net(x), built(x), atol=1e-10)
    with pytest.raises(ValueError, match="start"):
        B.train_square(5, steps=1, start=built)
    with pytest.raises(TypeError, match="start"):
        B.train_square(4, steps=1, start="net")
    with pytest.raises(ValueError, match="lr"):
        B.train_square(4, steps=1, lr=0)


def test_drawing_callbacks():
    fig, ax = plt.subplots()
    B.draw_h(ax)
    assert len(ax.lines) == 5
    ax.clear()
    B.draw_square_interpolant(ax, n=3)
    assert "4 ReLUs" in ax.get_title() and "0.0625" in ax.get_title()
    with pytest.raises(TypeError, match="n"):
        B.draw_square_interpolant(ax, n=2.0)
    plt.close(fig)
