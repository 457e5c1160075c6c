"""Tests of the Part I checkers: right answers pass, wrong ones fail, no crash, no solution printed."""

import numpy as np

from relubook import bending
from relubook import checks
from relubook.checks import relu as C


def test_registered():
    assert checks.relu is C


def test_relu_derivative(capsys):
    assert C.relu_derivative(lambda z: (z > 0).astype(float))
    assert C.relu_derivative(lambda z: np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.3)))
    out = capsys.readouterr().out
    assert "3/3" in out
    fb = C.relu_derivative(lambda z: np.sign(z))
    assert not fb and fb.score == (2, 3)
    fb = C.relu_derivative(lambda z: np.ones_like(z))
    assert not fb
    assert "z < 0" in capsys.readouterr().out


def test_relu_derivative_broken_inputs(capsys):
    assert not C.relu_derivative(5)
    assert not C.relu_derivative(lambda z: 1 / 0)
    assert not C.relu_derivative(lambda z: 1.0)  # wrong shape
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "shape" in out


def test_leaky_relu(capsys):
    assert C.leaky_relu(lambda z, a: np.maximum(z, a * z), alpha=0.2)
    assert not C.leaky_relu(lambda z, a: np.maximum(z, 0))
    assert not C.leaky_relu(lambda z, a: None)
    assert not C.leaky_relu("x")
    capsys.readouterr()


def test_square_approximation(capsys):
    net = bending.square_interpolant(9)
    fb = C.square_approximation(net, eps=0.011)
    assert fb
    out = capsys.readouterr().out
    assert "10 ReLUs" in out and "0.01" in out
    assert not C.square_approximation(net, eps=0.005)
    assert not C.square_approximation(net, eps=0.011, max_units=6)
    assert not C.square_approximation("net")
    assert not C.square_approximation(bending.square_interpolant(2).to_deep())
    out = capsys.readouterr().out
    # never the solution: no construction details are printed
    assert "h^2" not in out and "R(x" not in out
