"""Unit tests for relubook.approximation, approx_plots and checks.approximation (Part II)."""

import itertools
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import approx_plots
from relubook import approximation as ap
from relubook.checks import approximation as chk


# -- Lemma 1 -----------------------------------------------------------------------
def test_clamped_interpolant():
    G = ap.clamped_interpolant(1.0, 3.0, 2.0, 0.0, 2.0)
    assert G.n_neurons == 3
    assert np.allclose(G(np.array([-5.0, 0.0, 0.5, 1.0, 2.0, 9.0])), [1, 1, 2, 3, 2, 2])


@pytest.mark.parametrize("levels", range(1, 9))
def test_dyadic_is_interpolant_and_counts(levels):
    a, b = -0.3, 1.7
    x = np.linspace(a - 1, b + 1, 4001)
    nodes = ap.dyadic_nodes(a, b, levels)
    lit = ap.dyadic_network(np.exp, a, b, levels, merged=False)
    mer = ap.dyadic_network(np.exp, a, b, levels)
    want = np.interp(x, nodes, np.exp(nodes))
    assert np.max(np.abs(lit(x) - want)) < 1e-12 and np.max(np.abs(mer(x) - want)) < 1e-12
    assert lit.n_neurons + 1 == ap.literal_units(levels) == 3 * 2**levels - 2
    assert mer.n_neurons + 1 == ap.merged_units(levels) == 2**levels + 2


@pytest.mark.parametrize("eps", [0.5, 1e-1, 1e-2, 1e-3, 1e-4])
@pytest.mark.parametrize("merged", [True, False])
def test_convex_approximation_bound(eps, merged):
    a, b, M = -0.3, 1.7, math.exp(1.7)
    net = ap.convex_approximation(np.exp, a, b, eps, M, merged=merged)
    i = ap.stopping_index(M, a, b, eps)
    assert ap.lemma1_bound(M, a, b, i) < eps <= ap.lemma1_bound(M, a, b, i - 1) if i > 1 else True
    assert ap.sup_error(net, np.exp, a, b, 20001) < eps
    assert np.allclose(net(np.array([a - 2, b + 2])), [math.exp(a), math.exp(b)])


def test_concave_and_nonconvex():
    net = ap.convex_approximation(np.log1p, 0.0, 3.0, 1e-3, 1.0)
    assert ap.sup_error(net, np.log1p, 0.0, 3.0) < 1e-3
    with pytest.raises(ValueError, match="Lemma 1"):
        ap.convex_approximation(np.sin, 0.0, 6.0, 1e-2, 1.0)
    with pytest.raises(ValueError, match="slope_bound"):
        ap.convex_approximation(np.exp, 0.0, 2.0, 1e-2, 1.0)


def test_natural_log_fails():
    M, eps, c = 11.0, 1e-3, 683 / 2048
    kink = lambda t: M * np.sqrt((t - c) ** 2 + 1e-18)  # noqa: E731
    ie, i2 = ap.natural_log_index(M, 0, 1, eps), ap.stopping_index(M, 0, 1, eps)
    assert (ie, i2) == (10, 14)
    assert ap.sup_error(ap.dyadic_network(kink, 0, 1, ie), kink, 0, 1, 2**15 + 1) > eps
    assert ap.sup_error(ap.dyadic_network(kink, 0, 1, i2), kink, 0, 1, 2**15 + 1) < eps


def test_c2_levels():
    for eps in (1e-2, 1e-4, 1e-6):
        i = ap.c2_levels(math.e, 0.0, 1.0, eps)
        assert math.e * (1 / 2**i) ** 2 / 8 <= eps
        assert ap.sup_error(ap.dyadic_network(np.exp, 0.0, 1.0, i), np.exp, 0.0, 1.0, 20001) <= eps


@settings(max_examples=40, deadline=None)
@given(
    eps=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf"))),
)
def test_bad_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        ap.convex_approximation(np.exp, 0.0, 1.0, eps, 3.0)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(-10, 10), d=st.floats(-10, 0))
def test_bad_interval(a, d):
    with pytest.raises(ValueError, match="a must be smaller than b"):
        ap.convex_approximation(np.exp, a, a + d, 0.1, 1e6)


def test_bad_types_and_values():
    with pytest.raises(TypeError, match="f must be callable"):
        ap.convex_approximation(3.0, 0.0, 1.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="finite"):
        ap.convex_approximation(lambda t: np.where(t > 0, t, np.nan), -1.0, 1.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="slope_bound"):
        ap.convex_approximation(np.exp, 0.0, 1.0, 0.1, -1.0)
    with pytest.raises(TypeError, match="merged"):
        ap.dyadic_network(np.exp, 0.0, 1.0, 2, merged="yes")
    with pytest.raises(ValueError, match="method"):
        ap.cosine_network(5.0, 0.1, method="fast")
    with pytest.raises(ValueError, match="M"):
        ap.cosine_network(-1.0, 0.1)
    with pytest.raises(ValueError, match="r"):
        ap.parity_network(0)


# -- Lemma 2 ------------------------------------------------------------------------------
@pytest.mark.parametrize("M,eps", [(1.0, 0.3), (5.0, 1e-2), (20.0, 1e-3), (13.0, 0.05)])
@pytest.mark.parametrize("method", ["paper", "uniform"])
def test_cosine_network(M, eps, method):
    net = ap.cosine_network(M, eps, method)
    x = np.linspace(-M, M, 100001)
    assert np.max(np.abs(ap.evaluate_1d(net, x) - np.cos(x))) < eps
    want = ap.paper_cosine_relus(M, eps) if method == "paper" else ap.uniform_cosine_pieces(M, eps)
    assert net.n_neurons == want


def test_cosine_counts_ratio():
    assert ap.paper_cosine_relus(20.0, 1e-3) == 221130
    assert ap.uniform_cosine_pieces(20.0, 1e-3) == 633  # ceil(40 / sqrt(4e-3)): interpolation error at most eps / 2
    assert ap.paper_cosine_relus(5.0, 1e-2) == 9198


def test_evaluate_1d_matches_call_and_torch():
    net = ap.cosine_network(5.0, 0.05, "paper")
    x = np.linspace(-7, 7, 3001)
    assert np.max(np.abs(ap.evaluate_1d(net, x) - net(x))) < 1e-10
    mixed = ap.ShallowReLU(np.array([[1.0], [-2.0], [0.0], [0.5]]), np.array([0.3, 1, 2, -1]), np.array([1.0, -1, 3, 2]), c=0.1)
    assert np.max(np.abs(ap.evaluate_1d(mixed, x) - mixed(x))) < 1e-12
    t = torch.tensor(x[:, None], dtype=torch.float64)
    out = ap.cosine_network(5.0, 0.05, "uniform").to_torch(device="cpu")(t).detach().numpy()
    assert np.allclose(out.ravel(), ap.cosine_network(5.0, 0.05, "uniform")(x))


def test_merge_units():
    net = ap.dyadic_network(np.exp, 0.0, 1.0, 4, merged=False)
    m = ap.merge_units(net)
    x = np.linspace(-1, 2, 501)
    assert m.n_neurons == 17 and np.allclose(m(x), net(x))


# -- Lemma 3, 4 --------------------------------------------------------------------------------
def test_trig_series_network():
    rng = np.random.default_rng(1)
    beta = np.array([1.0, -2.0, 0.5, 0.0])
    W = rng.normal(size=(4, 3))
    b = rng.normal(size=4)
    net = ap.trig_series_network(beta, W, b, radius=1.5, eps=1e-2)
    X = rng.normal(size=(4000, 3))
    X *= 1.5 / np.maximum(np.linalg.norm(X, axis=1), 1.5)[:, None]
    assert np.max(np.abs(net(X) - ap.trig_series(X, beta, W, b))) < 1e-2
    zero = ap.trig_series_network(np.zeros(2), W[:2], b[:2], 1.0, 0.1)
    assert np.all(zero(X) == 0)
    with pytest.raises(ValueError, match="W must have shape"):
        ap.trig_series_network(beta, W[:3], b, 1.0, 0.1)
    with pytest.raises(ValueError, match="radius"):
        ap.trig_series_network(beta, W, b, 0.0, 0.1)


def test_cos_product_to_sum():
    rng = np.random.default_rng(2)
    W, b = rng.normal(size=(4, 2)), rng.normal(size=4)
    beta, V, c = ap.cos_product_to_sum(W, b)
    X = rng.normal(size=(300, 2))
    assert len(beta) == 8
    assert np.allclose(np.prod(np.cos(X @ W.T + b), axis=1), ap.trig_series(X, beta, V, c))


def test_fit_trig_series():
    g = lambda X: np.cos(X[:, 0] * np.pi / 2) * np.sin(X[:, 1] * np.pi)  # noqa: E731
    beta, W, b = ap.fit_trig_series(g, order=2, n_grid=21)
    X = np.random.default_rng(3).uniform(-1, 1, (500, 2))
    assert np.max(np.abs(ap.trig_series(X, beta, W, b) - g(X))) < 1e-8


# -- beyond -------------------------------------------------------------------------------
@pytest.mark.parametrize("r", range(1, 9))
def test_parity(r):
    X = np.array(list(itertools.product([0, 1], repeat=r)), dtype=float)
    net = ap.parity_network(r)
    assert net.n_neurons == r and np.array_equal(net(X), X.sum(axis=1) % 2)


def test_ky_fan_and_lp():
    n = 10000
    g = (np.arange(n) < 3000).astype(float)
    assert abs(ap.ky_fan(np.zeros(n), g) - 0.3) < 1e-12
    assert ap.ky_fan(g, g) == 0.0
    assert abs(ap.ky_fan(np.zeros(n), 0.1 * g) - 0.1) < 1e-12  # small everywhere: the value
    assert abs(ap.lp_distance(np.zeros(n), g, 2) - math.sqrt(0.3)) < 1e-12
    with pytest.raises(ValueError, match="p must be >= 1"):
        ap.lp_distance(g, g, 0.5)
    with pytest.raises(ValueError, match="weights"):
        ap.ky_fan(g, g, weights=np.ones(n))


def test_ramp_network():
    net = ap.ramp_network([0.5], [2.0], 0.1)
    assert np.allclose(net(np.array([0.0, 0.45, 0.5, 0.55, 1.0])), [0, 0, 1, 2, 2])


# -- drawing callbacks and checkers ----------------------------------------------------------
@pytest.mark.parametrize(
    "draw,params",
    [
        (approx_plots.draw_dependency_graph, {}),
        (approx_plots.draw_uniform_density, {"eps": 0.1}),
        (approx_plots.draw_rho_mu, {}),
        (approx_plots.draw_bad_set, {"width": 0.05}),
        (approx_plots.draw_dyadic, {"depth": 4, "eps": 0.01}),
        (approx_plots.draw_cosine, {"M": 20.0, "eps": 0.01}),
    ],
)
def test_draw_callbacks(draw, params):
    fig, ax = plt.subplots()
    draw(ax, **params)
    assert ax.has_data() or ax.texts
    plt.close(fig)


def test_draw_bad_params():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="depth"):
        approx_plots.draw_dyadic(ax, depth=0)
    with pytest.raises(ValueError, match="eps"):
        approx_plots.draw_cosine(ax, M=5.0, eps=0.0)
    plt.close(fig)


def test_checkers(capsys):
    assert chk.check_ky_fan(0.3) and not chk.check_ky_fan(0.7) and not chk.check_ky_fan("x")
    assert chk.check_stopping_index(13) and not chk.check_stopping_index(9)
    assert chk.check_cosine_count(15330) and not chk.check_cosine_count(15000)
    AND = ap.ShallowReLU(W=[[1.0, 1.0]], b=[-1.0], B=[1.0])
    assert chk.check_boolean_network(AND, lambda a, b: a * b)
    assert not chk.check_boolean_network(AND, lambda a, b: (a + b) % 2)
    out = capsys.readouterr().out
    assert "13" not in out.replace("checks passed", "")  # never prints the answer


def test_smoothed_kink_is_convex_slope_bounded_and_validated():
    f = ap.smoothed_kink(11.0, 0.3, delta=1e-3)
    x = np.linspace(0, 1, 2001)
    y = f(x)
    assert np.all(np.diff(y, 2) >= -1e-12)
    assert np.max(np.abs(np.diff(y) / np.diff(x))) < 11.0
    assert abs(f(0.3) - 11.0 * 1e-3) < 1e-15
    with pytest.raises(ValueError, match="slope_bound"):
        ap.smoothed_kink(0.0, 0.3)
    with pytest.raises(ValueError, match="delta"):
        ap.smoothed_kink(1.0, 0.3, delta=-1.0)


# -- strict bounds with margin (issue 13) ---------------------------------------------
from hypothesis import given as _given, settings as _settings, strategies as _st  # noqa: E402


def test_c2_levels_strict_where_the_log_is_an_integer():
    assert ap.c2_levels(2.0, 0.0, 1.0, 1 / 16) == 2  # the ceiling gave 1, whose bound equals eps
    for L in range(1, 8):
        eps = 2.0 / (8 * 4.0**L)  # x^2 on [0, 1] with L levels has error bound exactly eps
        assert (1.0) ** 2 * 2.0 / (8 * 4.0 ** ap.c2_levels(2.0, 0.0, 1.0, eps)) < eps


@_settings(max_examples=12, deadline=None, derandomize=True)
@_given(M=_st.sampled_from([0.5, 3.0, 50.0, 1e3]), log_eps=_st.floats(-9, -1))
def test_uniform_cosine_meets_eps_with_margin(M, log_eps):
    eps = 10.0**log_eps
    if 2 * M / np.sqrt(4 * eps) > 2e6:
        return
    net = ap.cosine_network(M, eps, "uniform")
    t = np.linspace(-M, M, 200_001)
    assert np.max(np.abs(ap.evaluate_1d(net, t) - np.cos(t))) < 0.75 * eps
    assert ap.cosine_rounding_bound(M) <= eps / 4


def test_cosine_edges():
    net = ap.cosine_network(50.0, 1e-9, "uniform")  # the example: error was 1.00015e-9
    t = np.linspace(-50, 50, 400_001)
    assert np.max(np.abs(ap.evaluate_1d(net, t) - np.cos(t))) < 0.75e-9
    net = ap.cosine_network(1.0, 1e-12, "uniform")
    t = np.linspace(-1, 1, 200_001)
    assert np.max(np.abs(ap.evaluate_1d(net, t) - np.cos(t))) < 0.75e-12
    with pytest.raises(ValueError, match="eps"):
        ap.cosine_network(1e3, 1e-12, "uniform")


@_settings(max_examples=10, deadline=None, derandomize=True)
@_given(centre=_st.sampled_from([0.0, 1e3, -1e5, 1e7, 1e9]))
def test_sup_error_stable_far_from_origin(centre):
    f = lambda x: (x - centre) ** 2  # noqa: E731
    net = ap.convex_approximation(f, centre, centre + 1, 1e-4, 2.0)
    x = np.linspace(centre, centre + 1, 2001)
    direct = np.max(np.abs(net(x) - f(x)))
    assert ap.sup_error(net, f, centre, centre + 1, n=2001) <= direct + 1e-9
    assert ap.sup_error(net, f, centre, centre + 1, n=2001) < 1e-4
