"""Lower bounds for x^2: relubook.lower_bounds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import lower_bounds as lb
from relubook.composition import yarotsky_square


@pytest.mark.parametrize("N", [1, 2, 3, 7, 16])
def test_optimal_pwl_attains_bound(N):
    net = lb.optimal_square_pwl(N)
    x = np.linspace(0, 1, 64 * N + 1)
    err = np.abs(net(x) - x**2).max()
    assert err == pytest.approx(lb.square_pwl_lower_bound(N), rel=1e-12)
    assert net.n_neurons == N


@settings(max_examples=15, deadline=None)
@given(N=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_no_knots_beat_the_bound(N, seed):
    rng = np.random.default_rng(seed)
    knots = np.sort(rng.uniform(0.02, 0.98, N - 1)) if N > 1 else np.array([])
    if N > 2 and np.min(np.diff(knots)) < 1e-3:
        return
    best = lb.best_square_error_for_knots(knots, n_grid=801) if N > 1 else 1 / 8
    assert best >= lb.square_pwl_lower_bound(N) * (1 - 1e-6)


def test_uniform_knots_lp_matches_closed_form():
    for N in (2, 4, 5):
        got = lb.best_square_error_for_knots(np.arange(1, N) / N, n_grid=4001)
        assert got == pytest.approx(1 / (8 * N * N), rel=1e-6)


def test_network_bound_below_yarotsky():
    for m in range(1, 7):
        net = yarotsky_square(m)
        x = np.linspace(0, 1, 2**m * 8 + 1)
        err = np.abs(net(x) - x**2).max()
        assert err >= lb.network_square_lower_bound(net.widths)
        assert err == pytest.approx(4.0 ** -(m + 1))
        assert err >= lb.square_pwl_lower_bound(2**m)  # 2^m pieces


def test_validation():
    with pytest.raises(ValueError, match="N"):
        lb.square_pwl_lower_bound(0)
    with pytest.raises(TypeError, match="widths"):
        lb.network_square_lower_bound(3)
    with pytest.raises(ValueError, match="widths"):
        lb.network_square_lower_bound([])
    with pytest.raises(ValueError, match="knots"):
        lb.best_square_error_for_knots([0.5, 0.2])
    with pytest.raises(TypeError, match="N"):
        lb.optimal_square_pwl(2.5)
