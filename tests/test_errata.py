"""Tests of relubook.errata: the evidence pieces of the errata page."""

import math

import numpy as np
import pytest

from relubook import compositional, errata
from relubook.nets import ShallowReLU


def test_dependency_cycle_finds_the_papers_circle_and_none_after_the_fix():
    cycle = errata.dependency_cycle(errata.PAPER_DEPENDENCIES)
    assert cycle[0] == cycle[-1] and {"Lemma 2", "Corollary 3", "Theorem 2"} <= set(cycle)
    for a, b in zip(cycle, cycle[1:]):  # each result uses the next
        assert b in errata.PAPER_DEPENDENCIES[a]
    assert errata.dependency_cycle(errata.BOOK_DEPENDENCIES) is None
    assert errata.dependency_cycle({"a": ["b"], "b": ["a"]}) in (["a", "b", "a"], ["b", "a", "b"])


def test_dependency_cycle_bad_input():
    with pytest.raises(TypeError, match="dependencies"):
        errata.dependency_cycle([("a", "b")])
    with pytest.raises(TypeError, match="dependencies"):
        errata.dependency_cycle({"a": "b"})


@pytest.mark.parametrize("level", [1, 2, 3, 6])
def test_lemma1_intervals_tile_and_printed_ones_do_not(level):
    good = errata.lemma1_intervals(-1.0, 3.0, level)
    assert good.shape == (2 ** (level - 1), 2)
    assert good[0, 0] == -1.0 and good[-1, 1] == 3.0 and np.allclose(good[1:, 0], good[:-1, 1])
    bad = errata.lemma1_intervals(-1.0, 3.0, level, printed=True)
    assert np.allclose(bad[:, 0], good[:, 0])
    assert bad[0, 1] == bad[0, 0]  # the first printed interval is a single point
    if level > 1:
        assert np.all(bad[1:, 1] < bad[1:, 0])  # the others run backwards


def test_lemma1_intervals_bad_input():
    with pytest.raises(ValueError, match="level"):
        errata.lemma1_intervals(0, 1, 0)
    with pytest.raises(ValueError):
        errata.lemma1_intervals(1, 0, 2)
    with pytest.raises(TypeError, match="printed"):
        errata.lemma1_intervals(0, 1, 2, printed="yes")


def test_sum_networks_adds_outputs():
    a = ShallowReLU([1.0, -1.0], [0.0, 0.5], [2.0, 1.0], c=0.5)
    b = ShallowReLU([3.0], [-1.0], [-1.0], c=-2.0)
    x = np.linspace(-2, 2, 41)
    assert np.allclose(errata.sum_networks([a, b])(x), a(x) + b(x))
    with pytest.raises(TypeError, match="nets"):
        errata.sum_networks([])
    with pytest.raises(ValueError, match="one input"):
        errata.sum_networks([ShallowReLU(np.ones((2, 2)), [0.0, 0.0], [1.0, 1.0])])


def test_half_period_network_needs_negative_k():
    M, eps = 5.0, 1e-2
    n = math.floor(M / (2 * math.pi)) + 1
    x = np.linspace(-M, M, 4001)
    full = errata.half_period_network(M, eps, np.arange(-2 * n, 2 * n + 2))
    assert np.max(np.abs(full(x) - np.cos(x))) < eps
    natural = errata.half_period_network(M, eps, np.arange(0, 2 * n + 2))
    assert np.max(np.abs(natural(x) - np.cos(x))) > 0.9
    one = errata.half_period_network(M, eps, np.array([0]))
    outside = np.linspace(2, 6, 50)
    assert np.max(np.abs(one(outside))) < 1e-12 and np.max(np.abs(one(-outside))) < 1e-12


def test_half_period_network_bad_input():
    with pytest.raises(ValueError, match="ks"):
        errata.half_period_network(5.0, 0.1, [0.5, 1.5])
    with pytest.raises(ValueError, match="ks"):
        errata.half_period_network(5.0, 0.1, [])
    with pytest.raises(ValueError, match="M"):
        errata.half_period_network(-1.0, 0.1, [0])
    with pytest.raises(ValueError, match="too small"):
        errata.half_period_network(5.0, 1e-9, [0])


def test_one_sided_sign_matters_only_for_negative_scales():
    peaks = np.array([0.35, 0.6, 0.25, 0.5])
    x = np.linspace(0, 1, 1001)
    for s0, wrong in ((0.3, False), (-0.3, True)):
        target = compositional.compositional_function(x, peaks, compositional.differentiable_scales(peaks, s0))
        err = np.max(np.abs(errata.one_sided_sign_network(peaks, s0)(x) - target))
        assert (err > 0.1) if wrong else (err < 1e-12)


def test_relu_moments_skewed_weights_break_the_half_and_symmetric_ones_keep_it():
    from fractions import Fraction

    assert errata.relu_moments([-2, 1], ["1/3", "2/3"], [1]) == (Fraction(2, 3), Fraction(2))
    assert errata.relu_moments([-2, 1], ["1/3", "2/3"], [1] * 4) == (Fraction(32, 9), Fraction(8))
    for n in (1, 2, 5):
        relu2, z2 = errata.relu_moments([-2, -1, 1, 2], ["1/6", "1/3", "1/3", "1/6"], [1, "1/2", 3, -2, 7][:n])
        assert relu2 == z2 / 2


def test_relu_moments_bad_input():
    with pytest.raises(ValueError, match="probs"):
        errata.relu_moments([-1, 1], ["1/2", "1/3"], [1])
    with pytest.raises(ValueError, match="values and probs"):
        errata.relu_moments([-1, 1], [1], [1])
    with pytest.raises(TypeError, match="values"):
        errata.relu_moments([0.5, 1], ["1/2", "1/2"], [1])
    with pytest.raises(ValueError, match="h must"):
        errata.relu_moments([-1, 1], ["1/2", "1/2"], [1] * 30)
    with pytest.raises(TypeError, match="h must"):
        errata.relu_moments([-1, 1], ["1/2", "1/2"], "11")
