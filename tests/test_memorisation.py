"""Memorisation and depth: relubook.memorisation."""

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import memorisation as mem
from relubook.nets import DeepReLU


def _margin(net, X, labels):
    out = mem.exact_outputs(net, X)[:, 0]
    return min((v if lab else -v) for v, lab in zip(out, labels))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), d=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_baum_classifies_with_margin(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    labels = rng.integers(0, 2, n)
    net = mem.baum_network(X, labels)
    m = min(labels.sum(), n - labels.sum())
    assert net.n_neurons == (3 * -(-m // d) if m else 1)
    assert _margin(net, X, labels) >= Fraction(1, 2) - Fraction(1, 10**6)
    assert np.all((net(X) > 0) == (labels == 1))


def test_baum_units_and_torch():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 4))
    labels = np.arange(100) % 2
    net = mem.baum_network(X, labels)
    assert net.n_neurons == 3 * 13  # 50 points of the smaller class in groups of 4
    module = net.to_torch(device="cpu")
    with torch.no_grad():
        out = module(torch.as_tensor(X)).numpy()
    assert np.allclose(out, net(X), atol=1e-12)


def test_baum_rejects_degenerate_points():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="general position"):
        mem.baum_network(X, [1, 1, 0, 0])  # the line through rows 0 and 1 passes through row 2
    with pytest.raises(ValueError, match="labels"):
        mem.baum_network(X, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="labels"):
        mem.baum_network(X, [0, 1])
    with pytest.raises(ValueError, match="duplicate"):
        mem.baum_network([[0.0, 1.0], [0.0, 1.0]], [0, 1])
    with pytest.raises(TypeError, match="seed"):
        mem.baum_network(X, [1, 0, 0, 0], seed=0.5)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 120), d=st.integers(1, 3), seed=st.integers(0, 10**6),
       group=st.one_of(st.none(), st.integers(1, 20)))
def test_two_layers_memorise(n, d, seed, group):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, d))
    y = rng.normal(size=n)
    group = None if group is None else min(group, n)
    net = mem.memorise_two_layers(X, y, group_size=group)
    assert net.depth == 2
    assert net.n_neurons <= mem.two_layer_unit_bound(n, group)
    # the exact weights take the values exactly ...
    W1, b1, W2, b2, beta, b3 = mem._two_layers_exact(X, y, group)
    exact = mem._forward_fractions([(mem._objects(W1), b1), (W2, b2), (beta, b3)], mem._objects(X))
    assert list(exact[:, 0]) == [Fraction(float(t)) for t in y]
    # ... and the stored network, each weight rounded once, within the proven rounding bound (exactly)
    out, bound = mem.exact_outputs(net, X, bound="weights")
    assert all(abs(v - Fraction(float(t))) <= b for v, t, b in zip(out[:, 0], y, bound[:, 0]))


def test_rounding_bound():
    third = DeepReLU([(np.array([[1.0 / 3]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])  # rounds x / 3
    X = np.array([[3.0], [-6.0], [96.0]])
    out, bound = mem.exact_outputs(third, X, bound="weights")
    err = [abs(v - Fraction(max(float(x), 0.0)) / 3) for v, x in zip(out[:, 0], X[:, 0])]
    assert err[0] > 0 and all(e <= b for e, b in zip(err, bound[:, 0]))
    assert max(bound[:2, 0]) < 1e-15 and np.array_equal(bound, mem.rounding_bound(third, X))
    # an exact network (dyadic weights) is its own rounding, but the bound cannot know it: small, not 0
    assert 0 < mem.rounding_bound(third, [[1.0]])[0, 0] < 2 ** -50
    with pytest.raises(ValueError, match="bound"):
        mem.exact_outputs(third, X, bound="both")
    with pytest.raises(ValueError, match="bound"):
        mem.rounding_bound(third, X, bound=None)
    with pytest.raises(ValueError, match="dyadic"):
        mem.rounding_bound(third, np.array([[Fraction(1, 3)]], dtype=object))


@settings(max_examples=20, deadline=None)
@given(widths=st.lists(st.integers(1, 40), min_size=1, max_size=4), d=st.integers(1, 5), seed=st.integers(0, 10**6),
       scale=st.sampled_from([1e-3, 1.0, 1e3]))
def test_float_evaluation_stays_within_its_bound(widths, d, seed, scale):
    """numpy's and torch's float64 evaluations of a random network are within the "evaluation" bound
    of its exact outputs, at every point, compared exactly."""
    rng = np.random.default_rng(seed)
    sizes = [d, *widths, 2]
    net = DeepReLU([(rng.normal(size=(b, a)) * scale, rng.normal(size=b)) for a, b in zip(sizes, sizes[1:])])
    X = rng.normal(size=(30, d))
    out, bound = mem.exact_outputs(net, X, bound="evaluation")
    with torch.no_grad():
        twin = net.to_torch(device="cpu")(torch.as_tensor(X)).numpy()
    for fl in (net(X), twin):
        assert all(abs(Fraction(float(a)) - v) <= b for a, v, b in zip(fl.reshape(-1), out.reshape(-1), bound.reshape(-1)))


def test_two_layers_refuse_weights_beyond_the_float_range():
    with pytest.raises(ValueError, match="y"):
        mem.memorise_two_layers([[0.0], [1e-300], [1.0]], [0.0, 1e100, -1e100])


def test_two_layer_bound_is_order_sqrt_n():
    for n in (100, 400, 2500, 10_000):
        assert mem.two_layer_unit_bound(n) <= 4 * np.sqrt(n)
        assert mem.units_lower_bound(n, 2) <= mem.two_layer_unit_bound(n) < mem.units_lower_bound(n, 1)


def test_units_lower_bound():
    assert [mem.units_lower_bound(n, 1) for n in (1, 2, 3, 4, 5, 10)] == [0, 0, 1, 1, 2, 4]
    # depth 2: least a + b with (a + 1)(b + 1) >= ceil(n / 2), a, b >= 1
    for n in range(1, 300):
        p = -(-n // 2)
        brute = min(a + b for a in range(1, p + 1) for b in range(1, p + 1) if (a + 1) * (b + 1) >= p)
        assert mem.units_lower_bound(n, 2) == brute, n


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 12), seed=st.integers(0, 10**6))
def test_max_network_exact(d, seed):
    net = mem.max_network(d)
    assert net.depth == mem.max_hidden_layers(d) == int(np.ceil(np.log2(d)))
    rng = np.random.default_rng(seed)
    Z = rng.integers(-10**9, 10**9, size=(20, d))
    assert [v for v in mem.exact_outputs(net, Z)[:, 0]] == [max(r) for r in Z.tolist()]
    F = [[Fraction(int(a), int(b)) for a, b in zip(rng.integers(-50, 50, d), rng.integers(1, 9, d))] for _ in range(5)]
    assert list(mem.exact_outputs(net, F)[:, 0]) == [max(r) for r in F]
    assert np.array_equal(net(Z), Z.max(axis=1).astype(float))
    with torch.no_grad():
        out = net.to_torch(device="cpu")(torch.as_tensor(Z, dtype=torch.float64)).numpy()
    assert np.array_equal(out, Z.max(axis=1).astype(float))


def test_max_affine_and_depths():
    A = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    net = mem.max_affine_network(A, [0.0, 0.0, 0.0, 0.0])  # the infinity norm
    X = np.random.default_rng(0).normal(size=(50, 2))
    assert np.allclose(net(X), np.abs(X).max(axis=1))
    assert net.depth == 2
    assert [mem.arora_depth(d) for d in (1, 2, 3, 4, 7, 8)] == [2, 3, 3, 4, 4, 5]
    assert mem.max_network(1).depth == 0


def test_exact_outputs_fraction_path():
    net = mem.max_network(3)
    out = mem.exact_outputs(net, [[Fraction(1, 3), Fraction(2, 7), -1]])
    assert out[0, 0] == Fraction(1, 3)


def test_validation():
    with pytest.raises(ValueError, match="y"):
        mem.memorise_two_layers([[0.0], [1.0]], [1.0])
    with pytest.raises(ValueError, match="group_size"):
        mem.memorise_two_layers([[0.0], [1.0]], [1.0, 2.0], group_size=3)
    with pytest.raises(ValueError, match="duplicate"):
        mem.memorise_two_layers([[0.0], [0.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="d"):
        mem.max_network(0)
    with pytest.raises(TypeError, match="d"):
        mem.max_network(2.0)
    with pytest.raises(ValueError, match="A"):
        mem.max_affine_network(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="c"):
        mem.max_affine_network(np.eye(2), [0.0])
    with pytest.raises(ValueError, match="X"):
        mem.exact_outputs(mem.max_network(3), [[1.0, 2.0]])
    with pytest.raises(ValueError, match="X"):
        mem.exact_outputs(mem.max_network(3), np.zeros((10**6, 3)))
    with pytest.raises(ValueError, match="depth"):
        mem.units_lower_bound(10, 3)
    with pytest.raises(ValueError, match="n"):
        mem.two_layer_unit_bound(0)


def test_checker_max_network():
    from relubook import checks

    with checks.quiet():
        assert checks.memorisation.check_max_network(mem.max_network(4), 4)
        assert checks.memorisation.check_max_network(mem.max_network(4).to_torch(device="cpu"), 4)
        assert checks.memorisation.check_max_network(mem.max_network(9), 9)
        assert checks.memorisation.check_max_network(mem.max_network(3), 3, hidden_layers=2)
        assert not checks.memorisation.check_max_network(mem.max_network(4), 4, hidden_layers=1)  # too deep
        assert not checks.memorisation.check_max_network(mem.max_network(3), 4)  # wrong inputs
        assert not checks.memorisation.check_max_network(mem.max_affine_network(np.eye(4), [0, 0, 0, 1e-3]), 4)
        for bad in (None, "net", float("nan"), [1, 2], mem.max_network(4).layers):
            assert not checks.memorisation.check_max_network(bad, 4)
    with pytest.raises(ValueError, match="d"):
        checks.memorisation.check_max_network(mem.max_network(4), 0)
    with pytest.raises(TypeError, match="hidden_layers"):
        checks.memorisation.check_max_network(mem.max_network(4), 4, hidden_layers="2")
