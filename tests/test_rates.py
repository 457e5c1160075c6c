"""Universality for every activation and rates of approximation: relubook.rates."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import rates


# -- polynomial activations ------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(name=st.sampled_from(["square", "cube"]), width=st.integers(1, 40), seed=st.integers(0, 10**6))
def test_polynomial_activation_never_beats_the_best_quadratic(name, width, seed):
    assert rates.activation_fit_error(name, width, rng=seed, n_grid=201) >= 1 / 8 - 1e-9


def test_best_polynomial_errors():
    assert rates.best_polynomial_error(1) == pytest.approx(0.5, abs=1e-9)
    assert rates.best_polynomial_error(2) == pytest.approx(1 / 8, abs=1e-9)
    assert rates.best_polynomial_error(3) == pytest.approx(1 / 8, abs=1e-9)
    assert rates.best_polynomial_error(10) < rates.best_polynomial_error(4) < 1 / 8


def test_relu_features_get_close():
    assert all(rates.activation_fit_error("relu", 64, rng=s) < 0.05 for s in range(3))
    assert rates.activation_fit_error("square", 64, rng=0) == pytest.approx(1 / 8, abs=1e-8)


# -- sqrt on [0, 1] --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0, 10), h=st.floats(1e-3, 10))
def test_chord_error_formula(a, h):
    b = a + h
    x = np.linspace(a, b, 20001)
    chord = np.sqrt(a) + (np.sqrt(b) - np.sqrt(a)) * (x - a) / (b - a)
    brute = np.max(np.sqrt(x) - chord)
    got = float(rates.sqrt_chord_error(a, b))
    assert got >= brute - 1e-12 and got == pytest.approx(brute, rel=1e-5, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 10**5))
def test_uniform_and_optimal_closed_forms(n):
    assert rates.sqrt_interpolation_error(rates.uniform_knots(n)) == pytest.approx(0.25 / np.sqrt(n), rel=1e-9)
    knots, eps = rates.optimal_sqrt_knots(n)
    assert eps == pytest.approx(1 / (2 * n * (n + 1)), rel=1e-12)
    errs = rates.sqrt_chord_error(knots[:-1], knots[1:])
    assert np.allclose(errs, eps, rtol=1e-6) and knots[0] == 0 and knots[-1] == 1
    g = (2 * n - 1) ** 2
    assert rates.sqrt_interpolation_error(rates.graded_knots(n, 4)) == pytest.approx(g / (2 * (g + 1)) / n**2, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 10**6), p=st.floats(1, 8))
def test_no_knots_beat_the_equalised_ones(n, seed, p):
    rng = np.random.default_rng(seed)
    inner = np.sort(rng.uniform(0, 1, n - 1) ** p)
    knots = np.concatenate(([0.0], inner, [1.0]))
    if np.any(np.diff(knots) <= 0):
        return
    _, eps = rates.optimal_sqrt_knots(n)
    assert rates.sqrt_interpolation_error(knots) >= eps * (1 - 1e-12)
    assert rates.sqrt_interpolation_error(rates.graded_knots(n, max(p, 1.0))) >= eps * (1 - 1e-12)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 60), p=st.sampled_from([1.0, 2.0, 4.0]))
def test_interpolant_network(n, p):
    knots = rates.graded_knots(n, p)
    net = rates.pwl_interpolant(np.sqrt, knots)
    assert net.n_neurons == n
    assert np.allclose(net(knots), np.sqrt(knots), atol=1e-12)
    x = np.unique(np.concatenate((np.linspace(0, 1, 4001), (np.sqrt(knots[:-1]) + np.sqrt(knots[1:])) ** 2 / 4)))
    err = np.max(np.sqrt(x) - net(x))
    assert err == pytest.approx(rates.sqrt_interpolation_error(knots), rel=1e-6)
    module = net.to_torch()
    with torch.no_grad():
        out = module(torch.as_tensor(x[:, None], dtype=torch.float64, device=next(module.parameters()).device))
    assert np.allclose(out.cpu().numpy(), net(x), atol=1e-12)


def test_graded_rates():
    ns = np.array([16, 64, 256, 1024])
    from relubook.bending import loglog_slope

    for p, rate in ((1, -0.5), (2, -1.0), (4, -2.0), (6, -2.0)):
        errs = np.array([rates.sqrt_interpolation_error(rates.graded_knots(int(n), p)) for n in ns])
        assert loglog_slope(ns, errs) == pytest.approx(rate, abs=0.03)


# -- grids in d dimensions ---------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(d=st.integers(1, 4), m=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_kuhn_interpolant_is_exact_on_affine_functions(d, m, seed):
    rng = np.random.default_rng(seed)
    a, c = rng.normal(size=d), rng.normal()
    axes = np.meshgrid(*([np.arange(m + 1) / m] * d), indexing="ij")
    nodes = np.stack([g.reshape(-1) for g in axes], axis=1)
    V = (nodes @ a + c).reshape((m + 1,) * d)
    X = rng.uniform(0, 1, (200, d))
    assert np.allclose(rates.kuhn_interpolate(V, X), X @ a + c, atol=1e-10)
    assert np.allclose(rates.kuhn_interpolate(V, nodes), nodes @ a + c, atol=1e-10)


def test_kuhn_interpolant_is_continuous_and_second_order():
    f = lambda X: np.cos(X.sum(axis=1)) * np.exp(-np.sum(X**2, axis=1))  # noqa: E731
    for d in (1, 2, 3):
        e1 = rates.grid_interpolation_error(f, d, 8, rng=0)[0]
        e2 = rates.grid_interpolation_error(f, d, 16, rng=0)[0]
        assert 3.0 < e1 / e2 < 5.0  # halving h divides the error by about 4
    # continuity across a cell face in 2-D
    m = 4
    V = np.random.default_rng(1).normal(size=(m + 1, m + 1))
    y = np.linspace(0, 1, 50)
    left = rates.kuhn_interpolate(V, np.column_stack((np.full(50, 0.5 - 1e-12), y)))
    right = rates.kuhn_interpolate(V, np.column_stack((np.full(50, 0.5 + 1e-12), y)))
    assert np.allclose(left, right, atol=1e-9)


# -- a class without the curse -------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3, 10])
def test_sampled_units_are_unbiased_with_the_predicted_variance(d):
    F = rates.ridge_sum(d, gamma=1.0, rng=d)
    X = rates.ball_points(300, d, rng=1)
    V = F.sampling_variance(X)
    assert 0 < V <= (2 * F.mass) ** 2
    n, draws = 32, 300
    errs = np.array([np.mean((F.sample(n, rng=s)(X) - F(X)) ** 2) for s in range(draws)])
    # the mean of 300 draws of n * mse estimates V within a few standard errors
    assert np.mean(errs) * n == pytest.approx(V, rel=0.2)
    big = F.sample(200_000, rng=5)
    assert np.max(np.abs(big(X) - F(X))) < 6 * 2 * F.mass / np.sqrt(200_000)


@settings(max_examples=10, deadline=None)
@given(d=st.integers(1, 20), n=st.integers(1, 80), seed=st.integers(0, 10**6))
def test_fitted_output_layer_beats_the_sampled_average_on_its_data(d, n, seed):
    F = rates.ridge_sum(d, rng=seed)
    X = rates.ball_points(400, d, rng=seed + 1)
    out = rates.barron_fit(F, n, X, X, rng=seed + 2)
    assert out["rms_fitted"] <= out["rms_sampled"] + 1e-9
    assert out["fitted"].n_neurons == out["sampled"].n_neurons == n


def test_representation_mass_does_not_grow_with_d():
    masses = [rates.ridge_sum(d, J=3, gamma=1.0, rng=0).mass for d in (1, 4, 16, 64)]
    assert max(masses) < 3 * (2 + 2 * np.exp(-0.5) * np.sqrt(2) + 2)  # three ridges, each at most this


def test_validation():
    with pytest.raises(ValueError, match="name"):
        rates.activation_fit_error("quartic", 4)
    with pytest.raises(TypeError, match="width"):
        rates.activation_fit_error("relu", 2.5)
    with pytest.raises(ValueError, match="a and b"):
        rates.sqrt_chord_error(0.5, 0.2)
    with pytest.raises(ValueError, match="knots"):
        rates.sqrt_interpolation_error([0.0, 0.5, 0.4])
    with pytest.raises(ValueError, match="knots"):
        rates.sqrt_interpolation_error([-1.0, 0.5])
    with pytest.raises(TypeError, match="f"):
        rates.pwl_interpolant(3.0, [0, 1])
    with pytest.raises(ValueError, match="values"):
        rates.kuhn_interpolate(np.zeros((3, 4)), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="X"):
        rates.kuhn_interpolate(np.zeros((3, 3)), [[1.5, 0.5]])
    with pytest.raises(ValueError, match="m"):
        rates.grid_interpolation_error(lambda X: X[:, 0], 8, 100)
    with pytest.raises(ValueError, match="n"):
        rates.uniform_knots(0)
    with pytest.raises(TypeError, match="target"):
        rates.barron_fit("f", 4, np.zeros((2, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="V"):
        rates.RidgeSum(np.zeros((2, 3)), [0, 0], [1, 1])
    with pytest.raises(ValueError, match="shifts"):
        rates.RidgeSum(np.ones((1, 2)), [2.0], [1.0])
    with pytest.raises(ValueError, match="unit ball"):
        rates.barron_fit(rates.ridge_sum(2, rng=0), 4, np.full((3, 2), 1.0), np.zeros((3, 2)))


# -- the checker ---------------------------------------------------------------------------------


def test_checker_sqrt_knots():
    from relubook import checks

    with checks.quiet():
        assert checks.rates.check_sqrt_knots(rates.graded_knots(10, 4), 10)
        assert checks.rates.check_sqrt_knots(list(rates.optimal_sqrt_knots(10)[0]), 10)
        assert checks.rates.check_sqrt_knots(torch.as_tensor(rates.graded_knots(7, 4)), 7)
        assert not checks.rates.check_sqrt_knots(rates.uniform_knots(10), 10)
        assert not checks.rates.check_sqrt_knots(rates.graded_knots(11, 4), 10)  # wrong count
        for bad in (None, "0 0.5 1", [0.0, np.nan, 1.0], [0.0, 0.6, 0.5, 1.0], [[0.0, 1.0]], 3.0):
            fb = checks.rates.check_sqrt_knots(bad, 3)
            assert not fb and fb.lines
    with pytest.raises(ValueError, match="n"):
        checks.rates.check_sqrt_knots([0.0, 1.0], 0)
    with pytest.raises(TypeError, match="n"):
        checks.rates.check_sqrt_knots([0.0, 1.0], "3")
