"""Every theorem or lemma check that quantifies over all inputs, on many generated instances (issue 13).

The chapters check each statement on the instance they draw; these tests draw many more with
hypothesis (fixed seed, so the suite is reproducible).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import approximation as ap
from relubook import compositional as cnet
from relubook import interpolation as ip
from relubook import regions
from relubook.composition import sawtooth

SET = settings(max_examples=25, deadline=None, derandomize=True)

# convex functions with a known slope bound on [a, a + w]: (f, |f'| bound)
CONVEX = {
    "exp": (np.exp, lambda a, b: np.exp(b)),
    "square": (np.square, lambda a, b: 2 * max(abs(a), abs(b))),
    "softplus": (lambda x: np.logaddexp(0, x), lambda a, b: 1.0),
    "abs-smooth": (lambda x: np.sqrt(1 + x**2), lambda a, b: 1.0),
}


@SET
@given(name=st.sampled_from(sorted(CONVEX)), a=st.floats(-3, 3), w=st.floats(0.01, 4), log_eps=st.floats(-6, -1),
       concave=st.booleans())
def test_lemma1_and_corollary4_for_every_interval_and_eps(name, a, w, log_eps, concave):
    f0, slope = CONVEX[name]
    f = (lambda x: -f0(x)) if concave else f0
    b, eps = a + w, 10.0**log_eps
    M = slope(a, b) * (1 + 1e-12)
    if ap.stopping_index(M, a, b, eps) > 18:
        return
    net = ap.convex_approximation(f, a, b, eps, M)
    assert ap.sup_error(net, f, a, b, n=4001) < eps
    # constant outside [a, b]: f(a) to the left, f(b) to the right
    assert np.allclose(net(np.array([a - 1.0, b + 1.0])), f(np.array([a, b])), atol=1e-9 * (1 + abs(f(b))))


@SET
@given(L=st.integers(1, 6), a=st.floats(-2, 2), w=st.floats(0.1, 3), M2=st.floats(0.1, 10))
def test_c2_levels_give_a_strict_bound(L, a, w, M2):
    eps = w**2 * M2 / (8 * 4.0**L)  # exactly the bound of L levels: c2_levels must go beyond
    assert w**2 * M2 / (8 * 4.0 ** ap.c2_levels(M2, a, a + w, eps)) < eps


@settings(max_examples=15, deadline=None, derandomize=True)
@given(M=st.floats(0.5, 20), log_eps=st.floats(-3, -1))
def test_lemma2_paper_cosine_for_every_M_and_eps(M, log_eps):
    eps = 10.0**log_eps
    net = ap.cosine_network(M, eps, "paper")
    t = np.linspace(-M, M, 20_001)
    assert np.max(np.abs(ap.evaluate_1d(net, t) - np.cos(t))) < eps


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), q=st.integers(1, 3), r=st.integers(1, 2), radius=st.floats(0.2, 2.0),
       log_eps=st.floats(-3, -1))
def test_lemma3_ridge_cosines_for_every_series(seed, q, r, radius, log_eps):
    rng = np.random.default_rng(seed)
    beta, W, b = rng.normal(size=q), rng.normal(size=(q, r)), rng.normal(size=q)
    eps = 10.0**log_eps
    net = ap.trig_series_network(beta, W, b, radius, eps)
    X = rng.uniform(-1, 1, size=(2000, r))
    X *= radius / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), radius)  # inside |x| <= radius
    assert np.max(np.abs(net(X) - ap.trig_series(X, beta, W, b))) < eps


@SET
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), r=st.integers(1, 4), k=st.integers(0, 3),
       method=st.sampled_from(["ramp", "hat"]), spread=st.sampled_from([1e-3, 1.0, 1e3]))
def test_theorem3_and_corollary5_interpolate_every_point_set(seed, n, r, k, method, spread):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, r)) * spread
    Y = rng.normal(size=(n, k)) if k else rng.normal(size=n)
    w = ip.separating_direction(X)
    assert len(np.unique(X @ w)) == n  # the separating direction separates (the lemma)
    net = ip.interpolate(X, Y, method=method, on_error="raise")
    assert ip.residual(net, X, Y) <= ip.INTERPOLATE_RTOL * max(1.0, float(np.max(np.abs(Y))))


@SET
@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_upper_bound_for_one_input_for_every_network(seed, widths):
    net = regions.random_deep(widths, np.random.default_rng(seed), bias_std=1.0)
    p = regions.count_linear_regions(net, -5, 5)
    a = regions.count_linear_regions(net, -5, 5, "activation")
    assert p <= a <= regions.region_upper_bound(widths)


@pytest.mark.parametrize("s", range(1, 16))
def test_sawtooth_lemma_for_every_depth(s):
    assert regions.count_linear_regions(sawtooth(s), 0.0, 1.0) == 2**s


@SET
@given(peaks=st.lists(st.floats(0.1, 0.9), min_size=2, max_size=10), s0=st.floats(0.05, 0.5),
       sign=st.sampled_from([-1.0, 1.0]))
def test_truncation_error_for_every_peaks(peaks, s0, sign):
    """Chapter 13: under the condition sup |F - F_i| = |s_i| <= |s_0| 4^-floor(i/2)."""
    peaks = np.array(peaks)
    sc = cnet.differentiable_scales(peaks, sign * s0)
    for i in range(len(peaks)):
        assert np.isclose(cnet.tail_sup(peaks, sc, i), abs(sc[i]), rtol=1e-9, atol=1e-15)
        assert abs(sc[i]) <= s0 * 4.0 ** -(i // 2) * (1 + 1e-12)
