"""Exact region counting: agreement with brute force, known counts, speed-free checks, bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import relubook as rb
from relubook import DeepReLU, ShallowReLU, regions
from relubook.composition import sawtooth, tent


def random_net(seed, widths):
    return regions.random_deep(widths, np.random.default_rng(seed), bias_std=1.0)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_exact_counter_agrees_with_dense_grid(seed, widths):
    net = random_net(seed, widths)
    for kind in ("pieces", "activation"):
        exact = regions.count_linear_regions(net, -2.0, 2.0, kind)
        brute = regions.grid_count(net, -2.0, 2.0, 50_003, kind)
        assert exact == brute


def test_pieces_never_exceed_activation_regions_and_bound():
    for seed in range(20):
        net = random_net(seed, [3, 4, 2])
        p = regions.count_linear_regions(net, -3, 3)
        a = regions.count_linear_regions(net, -3, 3, kind="activation")
        assert p <= a <= regions.region_upper_bound(net.widths)


def test_linear_pieces_of_tent_and_pieces_reproduce_function():
    kinks = rb.linear_pieces(tent(), -1.0, 2.0)
    np.testing.assert_allclose(kinks, [0.0, 0.5, 1.0])
    net = random_net(3, [5, 5])
    P = regions.affine_pieces(net, -2, 2)
    mids = 0.5 * (P.edges[:-1] + P.edges[1:])
    np.testing.assert_allclose(P.slopes[:, 0] * mids + P.intercepts[:, 0], net(mids), atol=1e-12)
    assert P.count == len(regions.linear_pieces(net, -2, 2)) + 1


def test_sawtooth_has_two_to_the_depth_pieces():
    for d in (1, 2, 5, 12):
        assert rb.count_linear_regions(sawtooth(d), 0, 1) == 2**d


def test_montufar_construction_counts():
    for (n, L), pieces in {(2, 3): 11, (3, 3): 32, (3, 4): 95, (4, 3): 73}.items():
        net = regions.montufar_network(n, L)
        assert regions.count_linear_regions(net, 0, 1, "activation") == regions.montufar_lower_bound(n, L)
        assert regions.count_linear_regions(net, 0, 1) == pieces


def test_activation_regions_differ_from_pieces():
    # R(x) - R(x) is the zero function but has two activation regions on [-1, 1]
    net = ShallowReLU([1.0, 1.0], [0.0, 0.0], [1.0, -1.0])
    assert rb.count_linear_regions(net, -1, 1, kind="activation") == 2
    assert rb.count_linear_regions(net, -1, 1) == 1


def test_torch_sequential_accepted():
    net = random_net(5, [4, 3])
    seq = net.to_torch()
    assert rb.count_linear_regions(seq, -1, 1) == rb.count_linear_regions(net, -1, 1)
    plain = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    assert rb.count_linear_regions(plain, -1, 1) >= 1


def test_bad_input():
    net = sawtooth(2)
    with pytest.raises(ValueError, match="one input"):
        rb.count_linear_regions(DeepReLU([(np.ones((2, 2)), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]), 0, 1)
    with pytest.raises(ValueError, match="one input"):
        rb.linear_pieces(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)), 0, 1)
    with pytest.raises(ValueError, match="lo"):
        rb.count_linear_regions(net, 1, 0)
    with pytest.raises(ValueError, match="lo"):
        rb.count_linear_regions(net, 0.5, 0.5)
    with pytest.raises(ValueError, match="finite"):
        rb.count_linear_regions(net, 0, float("inf"))
    with pytest.raises(ValueError, match="finite"):
        rb.linear_pieces(net, float("nan"), 1)
    with pytest.raises(ValueError, match="kind"):
        rb.count_linear_regions(net, 0, 1, kind="cells")
    with pytest.raises(TypeError, match="net"):
        rb.count_linear_regions("sawtooth", 0, 1)
    with pytest.raises(ValueError, match="divisible"):
        regions.budget_widths(10, 3)


def test_region_map_and_experiments():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    k = regions.draw_activation_regions(ax, regions.random_deep([6, 6], 0, n_in=2), n=60)
    plt.close(fig)
    assert k >= 2
    with pytest.raises(ValueError, match="two inputs"):
        regions.draw_activation_regions(ax, sawtooth(2))
    counts = regions.init_region_counts(12, [1, 2], 3, rng=0)
    assert set(counts) == {1, 2} and all(len(v) == 3 for v in counts.values())
    trained = regions.train_region_counts(8, [1, 2], 2, np.abs, steps=5)
    assert trained[2][1].shape == (2,)


# -- exactness (issue 13) -------------------------------------------------------------
def test_issue_examples_are_counted_exactly():
    assert rb.count_linear_regions(ShallowReLU([1.0, -1.0], [0.0, 0.0], [1e-10, 1e-10]), -1, 1) == 2
    assert rb.count_linear_regions(ShallowReLU([1.0, 1.0], [-0.9, -0.1], [1e9, 0.5]), 0, 1) == 3
    # kinks exactly at the interval ends are not inside it
    assert rb.count_linear_regions(ShallowReLU([1.0, 1.0], [0.0, -1.0], [1.0, 1.0]), 0, 1) == 1
    # coincident kinks within a layer and across layers (R(R(x)) kinks where R(x) does)
    twin = ShallowReLU([1.0, 2.0], [-0.3, -0.6], [1.0, 1.0])
    assert rb.count_linear_regions(twin, 0, 1) == 2
    assert rb.count_linear_regions(twin, 0, 1, kind="activation") == 2
    nested = DeepReLU([(np.array([[1.0]]), np.array([-0.25])), (np.array([[3.0]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    assert rb.count_linear_regions(nested, 0, 1) == 2


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 3), min_size=1, max_size=20),
       scale=st.sampled_from([1e-12, 1e-3, 1.0, 3.0, 1e9]), dead=st.booleans(), f32=st.booleans())
def test_fast_count_agrees_with_rational_arithmetic(seed, widths, scale, dead, f32):
    rng = np.random.default_rng(seed)
    net = regions.random_deep(widths, rng, bias_std=1.0)
    layers = [(W.copy(), b.copy()) for W, b in net.layers]
    if dead:  # a unit that is off everywhere, and a duplicated unit (coincident kinks)
        layers[0][1][0] = -1e3
        if layers[0][0].shape[0] > 1:
            layers[0][0][1], layers[0][1][1] = 2 * layers[0][0][-1], 2 * layers[0][1][-1]
    layers[-1] = (layers[-1][0] * scale, layers[-1][1] * scale)
    if f32:
        layers = [(W.astype(np.float32).astype(float), b.astype(np.float32).astype(float)) for W, b in layers]
    net = DeepReLU(layers)
    for kind in ("pieces", "activation"):
        fast = regions.count_linear_regions(net, -2.0, 2.0, kind)
        assert fast == regions.count_linear_regions(net, -2.0, 2.0, kind, exact=True)
    # invariant under scaling the output by a power of two (the float network scales exactly)
    scaled = DeepReLU(layers[:-1] + [(layers[-1][0] * 2.0**-40, layers[-1][1] * 2.0**-40)])
    assert regions.count_linear_regions(scaled, -2.0, 2.0) == regions.count_linear_regions(net, -2.0, 2.0)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(peaks=st.lists(st.floats(0.1, 0.9), min_size=1, max_size=8), s0=st.sampled_from([-0.3, 0.25]))
def test_compositional_network_has_exactly_two_to_the_depth_pieces(peaks, s0):
    from relubook import compositional as cnet

    net = cnet.compositional_network(np.array(peaks), s0)
    d = len(peaks)
    assert regions.count_linear_regions(net, 0.0, 1.0) == 2**d
    if d <= 5:
        assert regions.count_linear_regions(net, 0.0, 1.0, exact=True) == 2**d


@settings(max_examples=60, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 4), min_size=1, max_size=8),
       dyadic=st.booleans(), kind=st.sampled_from(["pieces", "activation"]))
def test_integer_exact_path_agrees_with_fractions(seed, widths, dyadic, kind):
    # the exact path (integers on the dyadic weights) against the independent Fraction reference;
    # weights rounded to quarters make coincident kinks within and across layers and kinks at the ends
    net = random_net(seed, widths)
    if dyadic:
        net = DeepReLU([(np.round(4 * W) / 4, np.round(4 * b) / 4) for W, b in net.layers])
    got = regions.affine_pieces(net, -2.0, 2.0, kind, exact=True)
    edges, S, I = regions._fraction_pieces(net, -2.0, 2.0, kind)
    assert got.count == len(edges) - 1
    assert got.edges.tolist() == [float(e) for e in edges]
    assert got.slopes.tolist() == [[float(v) for v in row] for row in S]
    assert np.allclose(got.intercepts, np.array(I, dtype=float), rtol=1e-12, atol=1e-12)


def test_exact_path_follows_chunks_depth_first(monkeypatch):
    # tiny chunks: the split-and-merge bookkeeping (slopes compared across chunk borders) changes nothing
    net = regions.montufar_network(3, 3)  # flat stretches merge: fewer pieces than activation regions
    whole = {kind: regions.affine_pieces(net, 0.0, 1.0, kind, exact=True) for kind in ("pieces", "activation")}
    monkeypatch.setattr(regions, "EXACT_CHUNK", 2)
    for kind in ("pieces", "activation"):
        chunked = regions.affine_pieces(net, 0.0, 1.0, kind, exact=True)
        assert chunked.count == whole[kind].count == regions.count_linear_regions(net, 0.0, 1.0, kind)
        assert np.array_equal(chunked.edges, whole[kind].edges)
        assert np.array_equal(chunked.slopes, whole[kind].slopes)
    assert whole["pieces"].count < whole["activation"].count == 3**2 * 4  # merges across chunk borders


@pytest.mark.slow
@settings(max_examples=1, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_compositional_network_of_depth_20_has_exactly_2_to_the_20_pieces(seed):
    # issue 13: float64 cannot certify these (kinks closer than rounding); exact integers count them,
    # in about half a minute of one core and memory for one chunk plus the float result.  Peaks are
    # drawn from U(0.1, 0.9): with every peak at 0.1 the rounded weights lose pieces (see chapter 12)
    from relubook import compositional as cnet

    net = cnet.compositional_network(np.random.default_rng(seed).uniform(0.1, 0.9, 20), -0.3)
    assert regions.count_linear_regions(net, 0.0, 1.0, exact=True) == 2**20


def test_compositional_networks_beyond_float_certification_fall_back_to_exact():
    from relubook import compositional as cnet

    rng = np.random.default_rng(13)
    assert regions.decided_in_float(cnet.compositional_network(rng.uniform(0.1, 0.9, 8), -0.3), 0.0, 1.0)
    for d in (14, 15):  # the float pass leaves thousands of kinks undecided here
        net = cnet.compositional_network(rng.uniform(0.1, 0.9, d), -0.3)
        assert not regions.decided_in_float(net, 0.0, 1.0)
        assert regions.count_linear_regions(net, 0.0, 1.0) == 2**d
    with pytest.raises(ValueError, match="kind"):
        regions.decided_in_float(net, 0.0, 1.0, kind="regions")
    extreme = cnet.compositional_network(np.array([0.1, 0.9] * 6), 0.25)  # pieces as narrow as 1e-12
    assert regions.count_linear_regions(extreme, 0.0, 1.0, exact=True) == 2**12


def test_float32_torch_module_counted_on_its_float32_values():
    net = random_net(7, [4, 4])
    seq = net.to_torch(dtype=torch.float32, device="cpu")
    assert rb.count_linear_regions(seq, -2, 2) == rb.count_linear_regions(seq, -2, 2, exact=True)


def test_grid_of_an_array():
    # (g, h): every entry a multiple of 2**g (the lowest bit set in any), |entries| < 2**h, h - g <= 53
    assert regions._grid(np.array([[0.75, -2.0], [0.0, 1.5]])) == (-2, 2)
    assert regions._grid(np.array([-(2.0**52) - 1, 3.0])) == (0, 53)
    assert regions._grid(np.array([2.0**-900, -(2.0**-940)])) == (-940, -899)
    assert regions._grid(np.zeros((2, 3))) == regions._grid(np.zeros(0)) == regions._NO_BITS
    # None: more than 53 bits, not finite, or too small to scale up to integers (no test decided there)
    for a in ([1.0, 2.0**-53], [2.0**53], [1.0, np.nan], [np.inf, 1.0], [-np.inf], [0.1, 1.0], [5e-324, 2.0**-1030]):
        assert regions._grid(np.array(a)) is None, a


def test_dyadic_layers_are_certified_exact_without_per_entry_tests(monkeypatch):
    # the sawtooth's values are dyadic: every layer is certified from whole-array grids, so the per-entry
    # exactness tests (which start from _bits) never run, and the count is that of exact arithmetic
    def no_bits(*args):
        raise AssertionError("a per-entry exactness test ran")

    monkeypatch.setattr(regions, "_bits", no_bits)
    assert regions.count_linear_regions(sawtooth(12), 0.0, 1.0) == 2**12
    assert regions.count_linear_regions(sawtooth(5, form="telgarsky"), 0.0, 1.0) == 2**5


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 4), min_size=1, max_size=6),
       bits=st.sampled_from([2, 3, 24, 48]), scale=st.sampled_from([2.0**-1000, 1.0, 2.0**900]))
def test_dyadic_networks_counted_as_exact_arithmetic_counts_them(seed, widths, bits, scale):
    # dyadic weights: layers whose grids fit a float are certified exact whole (short weights; with more bits
    # the roots are not dyadic and the per-entry tests decide), the others are bounded as usual
    rng = np.random.default_rng(seed)
    sizes = [1, *widths, 1]
    layers = [(rng.integers(-2**bits, 2**bits, (b, a)) / 2.0**bits, rng.integers(-2**bits, 2**bits, b) / 2.0**bits)
              for a, b in zip(sizes[:-1], sizes[1:])]
    net = DeepReLU(layers[:-1] + [(layers[-1][0] * scale, layers[-1][1] * scale)])
    for kind in ("pieces", "activation"):
        assert regions.count_linear_regions(net, -2.0, 2.0, kind) == regions.count_linear_regions(net, -2.0, 2.0, kind,
                                                                                                     exact=True)


def test_undecided_error_names_exact_mode(monkeypatch):
    monkeypatch.setattr(regions, "EXACT_FALLBACK_BUDGET", 0)
    # R(3x) fl(1/3) - R(x): the slopes differ by 3 fl(1/3) - 1 = -2^-54, below what float can resolve
    near = ShallowReLU([3.0, 1.0], [0.0, 0.0], [1 / 3, -1.0])
    with pytest.raises(regions.UndecidedError, match="exact=True"):
        rb.count_linear_regions(near, -1, 1)
    assert rb.count_linear_regions(near, -1, 1, exact=True) == 2
    monkeypatch.undo()
    assert rb.count_linear_regions(near, -1, 1) == 2  # small: the fast path falls back to fractions
    # R(x) - R(x): slopes computed without rounding are certified equal, no fallback needed
    twin = ShallowReLU([1.0, 1.0], [0.0, 0.0], [1.0, -1.0])
    monkeypatch.setattr(regions, "EXACT_FALLBACK_BUDGET", 0)
    assert rb.count_linear_regions(twin, -1, 1) == 1
    with pytest.raises(TypeError, match="exact"):
        rb.count_linear_regions(twin, -1, 1, exact="yes")
    with pytest.raises(regions.UndecidedError) as info:
        rb.count_linear_regions(near, -1, 1)
    assert info.value.estimate in (1, 2) and len(info.value.x) == 1


def test_counting_an_interpolant_of_20000_points_takes_memory_for_pieces_plus_units():
    # issue 15: counting once formed an intervals-by-units table (3.4 GB at 10,000 points)
    import tracemalloc

    from relubook import interpolation as ip

    x = np.sort(np.random.default_rng(1).uniform(0, 1, 20_000))
    net = ip.interpolate(x[:, None], np.cos(7 * x))
    tracemalloc.start()
    try:
        count = regions.count_linear_regions(net, 0.0, 1.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 64e6  # bytes; a 20,000 x 20,000 table of floats would be 3.2e9


def test_interpolant_of_100000_points_is_counted_without_a_points_by_units_table():
    from relubook import interpolation as ip

    x = np.sort(np.random.default_rng(0).uniform(0, 1, 100_000))
    net = ip.interpolate(x[:, None], np.sin(20 * x))
    assert net.n_neurons == 99_999
    # one kink per data point inside (0, 1): the slope changes at every knot of sin's interpolant
    assert regions.count_linear_regions(net, 0.0, 1.0) == 100_000
