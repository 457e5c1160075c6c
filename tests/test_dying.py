import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import relubook as rb
from relubook import dying, training
from relubook.checks import dying as chk


def test_dying_area_and_fraction():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    assert dying.dying_area([1.0, 1.0], 0.0, X).tolist() == [False, False, True]
    f = dying.dying_fraction(np.array([[1.0, 1.0], [-1.0, 0.0]]), np.array([0.0, -5.0]), X)
    assert np.allclose(f, [1 / 3, 1.0])
    with pytest.raises(ValueError):
        dying.dying_fraction(np.ones((2, 2)), np.zeros(3), X)
    with pytest.raises(TypeError):
        dying.dying_area("w", 0.0, X)


@given(st.integers(1, 8), st.integers(0, 60))
@settings(max_examples=30, deadline=None)
def test_formula_range(N, L):
    p = dying.born_dead_probability(N, L)
    assert 0 <= p <= 1
    assert math.isclose(p, 1 - (1 - 2.0**-N) ** L, rel_tol=1e-12, abs_tol=1e-15)


def test_simulation_matches_formula():
    for N, L in [(2, 5), (3, 4)]:
        p, se = dying.simulate_born_dead(N, L, n_trials=40_000, seed=1)
        assert abs(p - dying.born_dead_probability(N, L)) < 4 * se


def test_born_dead_width_and_bad_input():
    N = dying.born_dead_width(20, 0.01)
    assert dying.born_dead_probability(N, 20) <= 0.01 < dying.born_dead_probability(N - 1, 20)
    with pytest.raises(ValueError):
        dying.born_dead_probability(0, 3)
    with pytest.raises(TypeError):
        dying.born_dead_probability(2.5, 3)
    with pytest.raises(ValueError):
        dying.born_dead_width(5, 1.5)


def test_domain_born_dead_rai_below_he():
    he, se1 = dying.domain_born_dead(2, 10, "he", n_trials=1500, seed=0)
    rai, se2 = dying.domain_born_dead(2, 10, "rai", n_trials=1500, seed=0)
    assert rai + 3 * (se1 + se2) < he
    with pytest.raises(ValueError):
        dying.domain_born_dead(2, 10, "raai")


def test_dead_neurons_all_model_types():
    W1 = np.array([[1.0], [-1.0], [0.0]])
    b1 = np.array([0.0, -2.0, -1.0])
    net = rb.DeepReLU([(W1, b1), (np.ones((1, 3)), np.zeros(1))])
    X = np.linspace(0, 1, 5)[:, None]
    expected = [False, True, True]
    assert dying.dead_neurons(net, X)[0].tolist() == expected
    assert dying.dead_neurons(net.to_torch(), X)[0].tolist() == expected
    assert rb.dead_neurons(net, X)[0].tolist() == expected
    bm = training.BatchedMLP(3, [1, 3, 1], "relu", "he", device="cpu")
    with torch.no_grad():
        bm.weights[0][1] = torch.tensor(W1, dtype=torch.float32)
        bm.biases[0][1] = torch.tensor(b1, dtype=torch.float32)
    d = dying.dead_neurons(bm, X)
    assert d[0].shape == (3, 3) and d[0][1].tolist() == expected
    assert dying.dead_neurons(bm.model(1), X)[0].tolist() == expected
    s = dying.sparsity(net, X)
    assert 0 < s[0] < 1
    with pytest.raises(TypeError):
        dying.dead_neurons("net", X)


def test_dead_neuron_gets_zero_gradient():
    W1 = np.array([[1.0], [-1.0]])
    b1 = np.array([0.0, -2.0])
    model = rb.DeepReLU([(W1, b1), (np.ones((1, 2)), np.zeros(1))]).to_torch()  # on rb.device()
    X = torch.linspace(0, 1, 7, dtype=torch.float64, device=model[0].weight.device)[:, None]
    loss = (model(X) - 1).pow(2).mean()
    loss.backward()
    g = model[0].weight.grad
    assert g[1].abs().max() == 0 and model[0].bias.grad[1] == 0 and model[2].weight.grad[0, 1] == 0
    assert g[0].abs().max() > 0


def test_checkers(capsys):
    N = dying.born_dead_width(20, 0.01)
    assert chk.check_born_dead_width(N)
    assert not chk.check_born_dead_width(N + 1)
    assert not chk.check_born_dead_width("x")
    assert chk.check_layer_moment(0.5**10)
    assert not chk.check_layer_moment(1.0)
    out = capsys.readouterr().out
    assert "[fix]" in out and "[ok]" in out


def test_draw_born_dead():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    dying.draw_born_dead(ax, width=3, max_depth=10, n_trials=500)
    assert len(ax.lines) >= 1 and ax.get_legend() is not None
    with pytest.raises(ValueError):
        dying.draw_born_dead(ax, width=0)
    plt.close(fig)


def test_born_dead_curve_matches_formula_and_is_monotone():
    depths = [1, 3, 8, 20, 40]
    p, se = dying.simulate_born_dead_curve(2, depths, n_trials=20_000, seed=3)
    assert np.all(np.diff(p) >= 0)  # death is absorbing
    exact = np.array([dying.born_dead_probability(2, d) for d in depths])
    se_exact = np.sqrt(exact * (1 - exact) / 20_000)  # the estimate's own s.e. is 0 where p_hat = 1
    assert np.all(np.abs(p - exact) <= 4 * se_exact + 1e-12)


@pytest.mark.parametrize("depths", [[], [0, 2], [1.5], [[1, 2]]])
def test_born_dead_curve_rejects_bad_depths(depths):
    with pytest.raises(ValueError, match="depths"):
        dying.simulate_born_dead_curve(2, depths)


def test_dead_fraction_single_and_batched():
    net = rb.DeepReLU([(np.array([[1.0], [-1.0]]), np.array([0.0, -1.0])), (np.array([[1.0, 1.0]]), np.array([0.0]))])
    X = np.linspace(0, 1, 11)[:, None]
    assert dying.dead_fraction(net, X) == 0.5  # the second unit is negative on all of [0, 1]
    mlp = training.BatchedMLP(3, [2, 8, 8, 1], "relu", "he", seed=0)
    frac = dying.dead_fraction(mlp, np.random.default_rng(0).normal(size=(32, 2)))
    assert frac.shape == (3,) and np.all((0 <= frac) & (frac <= 1))


def test_nan_units_are_their_own_category():
    """A diverged network (NaN weights) is not reported as 0% dead (issue 13)."""
    net = rb.DeepReLU([(np.array([[1.0], [-1.0], [0.0]]), np.array([0.0, -1.0, 0.0])),
                       (np.ones((1, 3)), np.zeros(1))]).to_torch(device="cpu")
    with torch.no_grad():
        net[0].weight[2, 0] = float("nan")  # DeepReLU refuses NaN weights; a diverged torch model has them
    X = np.linspace(0, 1, 11)[:, None]
    assert [s.tolist() for s in dying.neuron_states(net, X)] == [["alive", "dead", "nan"]]
    assert dying.dead_neurons(net, X)[0].tolist() == [False, True, False]
    assert dying.nan_neurons(net, X)[0].tolist() == [False, False, True]
    assert np.isnan(dying.dead_fraction(net, X)) and dying.nan_fraction(net, X) == pytest.approx(1 / 3)
    mlp = training.BatchedMLP(3, [2, 8, 8, 1], "relu", "he", seed=0)
    with torch.no_grad():
        mlp.weights[0][2].fill_(float("nan"))
    Xb = np.random.default_rng(0).normal(size=(32, 2))
    frac = dying.dead_fraction(mlp, Xb)
    assert np.isnan(frac[2]) and np.all(np.isfinite(frac[:2]))
    assert dying.nan_fraction(mlp, Xb)[2] == 1.0
    states = dying.neuron_states(mlp, Xb)
    assert states[0].shape == (3, 8) and set(states[0][2]) == {"nan"}
def test_born_dead_curve_is_the_same_whatever_was_asked_before():
    """The kept run of a seed is extended, never redrawn: a shallow call, then a deep one, gives the
    numbers of a fresh deep run."""
    dying._BORN_DEAD_RUNS.clear()
    deep = dying.simulate_born_dead_curve(3, [1, 5, 30], n_trials=500, seed=7)
    dying._BORN_DEAD_RUNS.clear()
    dying.simulate_born_dead_curve(3, [2, 4], n_trials=500, seed=7)
    again = dying.simulate_born_dead_curve(3, [1, 5, 30], n_trials=500, seed=7)
    np.testing.assert_array_equal(deep[0], again[0])
    np.testing.assert_array_equal(deep[1], again[1])
