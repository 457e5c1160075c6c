"""The gated separator, the Hebbian gradient, regions on the plane, active probabilities, drawings."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from relubook import DeepReLU, ShallowReLU, checks, neuron  # noqa: E402


def test_neuron_is_gate_times_affine():
    rng = np.random.default_rng(0)
    w, b, X = rng.normal(size=3), 0.2, rng.normal(size=(100, 3))
    z = X @ w + b
    np.testing.assert_array_equal(neuron.gate(w, b, X), z > 0)
    np.testing.assert_allclose(neuron.neuron(w, b, X), np.maximum(z, 0))


def test_hebbian_gradient_matches_autograd():
    rng = np.random.default_rng(1)
    w, b, X, y = rng.normal(size=4), -0.1, rng.normal(size=(30, 4)), rng.normal(size=30)
    gw, gb = neuron.squared_loss_gradient(w, b, X, y)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = 0.5 * ((torch.relu(torch.tensor(X) @ wt + bt) - torch.tensor(y)) ** 2).sum()
    loss.backward()
    np.testing.assert_allclose(gw, wt.grad.numpy(), atol=1e-12)
    assert abs(gb - bt.grad.item()) < 1e-12


def test_hebbian_gradient_is_gated_and_broadcasts_error():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    gw, gb = neuron.hebbian_gradient([1.0, 0.0], 0.0, X, 2.0)  # only the first sample is active
    np.testing.assert_allclose(gw, [2.0, 0.0])
    assert gb == 2.0


def test_example_network_regions_and_pieces():
    net = neuron.example_network()
    regions = neuron.region_table(net)
    assert [r.label for r in regions] == ["001", "010", "011", "100", "101", "110", "111"]
    feasible = [p for p in itertools.product([0, 1], repeat=3) if neuron.pattern_feasible(net, p)]
    assert sorted(r.pattern for r in regions) == feasible
    rng = np.random.default_rng(2)
    P = rng.uniform([-2, -2], [4, 3], size=(400, 2))
    pats = neuron.activation_patterns(net, P)
    for p, x in zip(pats, P):
        s, c = neuron.affine_piece(net, p)
        assert abs(s @ x + c - net(x[None, :])[0]) < 1e-12
    assert sum(r.area for r in regions) == pytest.approx(30.0)
    table = neuron.region_markdown(regions)
    assert table.count("\n") == 8 and "`101`" in table
    records = neuron.region_records(regions)
    assert len(records) == 7 and records[0]["pattern"] == f"`{regions[0].label}`"
    assert sum(r["area in the box"] for r in records) == pytest.approx(30.0)


def test_affine_piece_of_deep_network_and_vector_output():
    rng = np.random.default_rng(3)
    deep = DeepReLU([(rng.normal(size=(4, 2)), rng.normal(size=4)), (rng.normal(size=(3, 4)), rng.normal(size=3)),
                     (rng.normal(size=(2, 3)), rng.normal(size=2))])
    X = rng.normal(size=(50, 2))
    for p, x in zip(neuron.activation_patterns(deep, X), X):
        A, c = neuron.affine_piece(deep, p)
        np.testing.assert_allclose(A @ x + c, deep(x[None, :])[0], atol=1e-12)


def test_active_probability_formula_and_simulation():
    rng = np.random.default_rng(4)
    for d, b, inputs in [(3, -0.5, "sphere"), (2, -1.0, "gaussian"), (5, 0.7, "gaussian")]:
        p = neuron.active_probability(b, 1.3, d, inputs=inputs)
        mc, se = neuron.active_probability_mc(b, 1.3, d, n=50_000, inputs=inputs, rng=rng)
        assert abs(mc - p) < 5 * se
    assert neuron.active_probability(-1.0, 1.0, 2, "gaussian") == pytest.approx(0.5 * np.exp(-1.0), abs=1e-8)
    assert neuron.active_probability(0.0, 2.0, 7, "gaussian") == 0.5


def test_drawing_callbacks():
    fig, ax = plt.subplots()
    assert neuron.draw_gate(ax, angle=100.0, b=-0.5) is ax
    plt.close(fig)
    fig, ax = plt.subplots()
    regions = neuron.draw_regions(ax, resolution=61)
    assert len(regions) == 7 and len(ax.texts) == 7
    plt.close(fig)


def test_gate_polygon_and_contour_chords_are_exact():
    # the widget's active region is the clipped half-plane: its area is the exact measure of
    # {w . x + b >= 0} in the square, and each contour chord lies on its level line, ends on the border
    rng = np.random.default_rng(2)
    pts = rng.uniform(-3, 3, (200_000, 2))
    for angle, b in ((0.0, -2.0), (30.0, 0.5), (120.0, 1.5), (225.0, -4.5), (90.0, 5.0)):
        w = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
        poly = neuron._half_plane_in_square(w, b, 3.0)
        area = 0.0 if len(poly) < 3 else 0.5 * abs(np.dot(poly[:, 0], np.roll(poly[:, 1], -1))
                                                  - np.dot(poly[:, 1], np.roll(poly[:, 0], -1)))
        frac = np.mean(pts @ w + b >= 0)
        assert abs(area / 36 - frac) < 5 * np.sqrt(frac * (1 - frac) / len(pts)) + 1e-12, (angle, b)
        u = np.array([-w[1], w[0]])
        for c in np.arange(0.5, 10, 0.5):
            chord = neuron._square_chord((c - b) * w, u, 3.0)
            if chord is None:
                assert np.all(pts @ w + b < c) or np.all(pts @ w + b > c), (angle, b, c)
                continue
            for end in chord:
                assert abs(end @ w + b - c) < 1e-12 and abs(np.abs(end).max() - 3.0) < 1e-12


def test_region_checker():
    assert checks.neuron.region_piece((3, -1), "101", (-1, -3), 2)
    assert not checks.neuron.region_piece((3, -1), "100", (-1, -3), 2)
    assert not checks.neuron.region_piece((3, -1), "abc", (-1, -3), 2)
    assert not checks.neuron.region_piece((2, 1), "101", (-1, -3), 2)  # on two boundary lines
    assert not checks.neuron.region_piece((3, -1), "101", (1,), "x")


# -- bad input -----------------------------------------------------------------
@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: neuron.gate([], 0.0, [[1.0]]), ValueError),
        (lambda: neuron.gate([1.0, 2.0], np.nan, [[1.0, 2.0]]), ValueError),
        (lambda: neuron.gate([1.0, 2.0], 0.0, [[1.0, 2.0, 3.0]]), ValueError),
        (lambda: neuron.hebbian_gradient([1.0], 0.0, [[1.0], [2.0]], [1.0, 2.0, 3.0]), ValueError),
        (lambda: neuron.squared_loss_gradient([1.0], 0.0, [[1.0]], [1.0, 2.0]), ValueError),
        (lambda: neuron.affine_piece(neuron.example_network(), [1, 0]), ValueError),
        (lambda: neuron.affine_piece(neuron.example_network(), [1, 0, 2]), ValueError),
        (lambda: neuron.affine_piece("net", [1, 0, 1]), TypeError),
        (lambda: neuron.region_table(ShallowReLU(np.ones((2, 3)), np.zeros(2), np.ones(2))), ValueError),
        (lambda: neuron.region_table(neuron.example_network(), lo=(1.0, 0.0), hi=(0.0, 1.0)), ValueError),
        (lambda: neuron.region_table(neuron.example_network(), resolution=1), ValueError),
        (lambda: neuron.pattern_feasible(neuron.example_network().to_deep(), [1, 0, 1]), TypeError),
        (lambda: neuron.active_probability(0.0, -1.0, 3), ValueError),
        (lambda: neuron.active_probability(0.0, 1.0, 0), ValueError),
        (lambda: neuron.active_probability(0.0, 1.0, 2, inputs="uniform"), ValueError),
        (lambda: neuron.active_probability_mc(0.0, 1.0, 2, rng="3"), TypeError),
        (lambda: neuron.region_markdown(["row"]), TypeError),
        (lambda: neuron.region_records(["row"]), TypeError),
    ],
)
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


@settings(max_examples=30, deadline=None)
@given(b=st.one_of(st.just(float("nan")), st.just(float("inf")), st.text(max_size=3), st.none()))
def test_bad_bias_is_rejected(b):
    with pytest.raises((TypeError, ValueError), match="b"):
        neuron.neuron([1.0, 1.0], b, [[0.0, 1.0]])


@settings(max_examples=30, deadline=None)
@given(sigma=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf"))),
       d=st.integers(min_value=-5, max_value=0))
def test_bad_probability_arguments(sigma, d):
    with pytest.raises(ValueError, match="sigma"):
        neuron.active_probability(0.0, sigma, 3)
    with pytest.raises(ValueError, match="d"):
        neuron.active_probability(0.0, 1.0, d)
