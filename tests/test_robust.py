"""The package's promise on any input (issue 15): clear errors naming the argument, bounded memory
and time, honoured seeds.  Each example of the issue is a regression test here; the fuzz suite
(tests/test_fuzz.py) covers the classes of bad input for every public function."""

import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
import torch

import relubook as rb
from relubook.device import generator
from relubook import (activations, approximation, composition, dying, initialization, interpolation, neuron,
                      pretraining, regions, training, validate)

matplotlib.use("Agg")


# -- the validation contract ----------------------------------------------------------------
@pytest.mark.parametrize("call, exc, name", [
    # complex input is never made real
    (lambda: rb.interpolate([0, 1, 2], [0, 1 + 5j, 2]), TypeError, "Y"),
    (lambda: rb.ShallowReLU([1j, 1], [0, 0], [1, 1]), TypeError, "W"),
    (lambda: rb.ShallowReLU([1, 1], [0, 0], np.array([1, 1 + 1j])), TypeError, "B"),
    (lambda: rb.trig_series_network([1 + 1j], [[1.0]], [0.0], 1.0, 0.1), TypeError, "beta"),
    (lambda: rb.cosine_network(3 + 1j, 0.1), TypeError, "M"),
    (lambda: rb.cosine_network(np.complex128(3), 0.1), TypeError, "M"),
    # numeric strings are not parsed
    (lambda: rb.ShallowReLU(["1", "2"], [0, 0], [1, 1]), TypeError, "W"),
    (lambda: rb.sawtooth("3"), TypeError, "depth"),
    # the argument named is the public one
    (lambda: pretraining.target(name=5, x=[0.5]), TypeError, "name"),
    (lambda: composition.telgarsky_deep(0.5), TypeError, "k"),
    (lambda: composition.telgarsky_deep(10**6), ValueError, "k"),
    # only ValueError/TypeError, nothing from deep inside
    (lambda: rb.yarotsky_square(600), ValueError, "m"),
    (lambda: rb.multiplication_network(1, 600), ValueError, "m"),
    (lambda: rb.convex_approximation(np.square, 0, 1, 1e-308, 2.0), ValueError, "eps"),
    (lambda: approximation.stopping_index(1e308, 0, 1, 0.1), ValueError, "slope_bound"),
    (lambda: approximation.c2_levels(1e308, 0, 1, 5e-324), ValueError, "curvature_bound"),
    (lambda: rb.ShallowReLU([1.0], [0.0], [1.0]).to_torch(dtype="int64", device="cpu"), ValueError, "dtype"),
    (lambda: rb.ShallowReLU([1.0], [0.0], [1.0]).to_torch(dtype=3, device="cpu"), TypeError, "dtype"),
    (lambda: rb.ShallowReLU([1.0], [0.0], [1.0]).to_torch(device="tpu"), ValueError, "device"),
    (lambda: rb.seed(2**32), ValueError, "value"),
    (lambda: rb.approximation.sup_error(1j, np.square, 0, 1), TypeError, "net"),
    # hangs become immediate refusals with the reason
    (lambda: regions.montufar_lower_bound(2, 10**9), ValueError, "L"),
    (lambda: rb.sawtooth(10**6), ValueError, "depth"),
    (lambda: rb.sawtooth(3000), ValueError, "depth"),
    (lambda: rb.separating_direction(np.eye(3), trials=10**9), ValueError, "trials"),
    # silent nonsense
    (lambda: rb.relu(np.nan), ValueError, "z"),
    (lambda: rb.relu("a"), TypeError, "z"),
    (lambda: activations.relu_grad("a"), TypeError, "z"),
    (lambda: activations.relu_grad([1j]), TypeError, "z"),
    (lambda: dying.domain_born_dead(3, 3, bias_std=np.nan), ValueError, "bias_std"),
    (lambda: dying.domain_born_dead(3, 3, bias_std="0.1"), TypeError, "bias_std"),
    # memory and time refused up front with the size needed
    (lambda: regions.grid_count(rb.square_interpolant(10_000), -1, 1, n=10**6), ValueError, "n"),
    (lambda: interpolation.design_matrix(np.arange(10.0**5)), ValueError, "design matrix"),
    (lambda: rb.product_network(4096, 4), ValueError, "k"),
    (lambda: dying.simulate_born_dead(100, 3), ValueError, "n_trials"),
    (lambda: rb.ShallowReLU(np.ones(20_000), np.zeros(20_000), np.ones(20_000)).hidden(np.zeros(10**5)),
     ValueError, "X"),
])
def test_issue_examples(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


def test_peaks_outside_the_unit_interval_are_refused():
    bad = torch.tensor([[1.5, 0.5]], dtype=torch.float64)
    with pytest.raises(ValueError, match="peaks"):
        pretraining.compositional_weights(bad, torch.tensor([[0.1, 0.1]], dtype=torch.float64))
    with pytest.raises(ValueError, match="peaks"):
        pretraining.batched_tied_scales(bad, torch.tensor([-0.25], dtype=torch.float64))
    with pytest.raises(ValueError, match="peaks"):
        pretraining.batched_waves(torch.linspace(0, 1, 5, dtype=torch.float64), bad)


def test_train_batched_labels_and_test_set():
    model = training.BatchedMLP(1, [2, 3, 2], device="cpu")
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="y"):
        rb.train_batched(model, X, np.array([0.5, 1.2, 0, 1]), epochs=1)
    with pytest.raises(ValueError, match="y_test"):
        rb.train_batched(model, X, y, epochs=1, X_test=X)
    # whole-number float labels are labels; numpy input to accuracy works
    rb.train_batched(model, X, y.astype(float), epochs=1)
    assert training.accuracy(model, X, y).shape == (1,)
    with pytest.raises(TypeError, match="model"):
        training.accuracy("model", X, y)


def test_numpy_scalars_accepted():
    assert rb.sawtooth(np.int64(3)).depth == 3
    net = rb.interpolate([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], merged=np.bool_(True))
    assert np.allclose(net([0.0, 1.0, 2.0]), [0, 1, 0])
    rb.convex_approximation(np.square, 0, 1, np.float64(0.1), np.float32(2.0), merged=np.bool_(False))
    rb.separating_direction(np.eye(3), seed=np.int64(0), trials=np.int32(2))
    assert validate.check_real(np.float32(0.5), "x") == 0.5
    assert validate.check_int(np.uint8(7), "n") == 7
    with pytest.raises(TypeError, match="n"):
        validate.check_int(np.bool_(True), "n")
    with pytest.raises(TypeError, match="flag"):
        validate.check_bool(1, "flag")


def test_check_size_states_the_reason():
    with pytest.raises(ValueError, match="depth must be at most 64: a sawtooth of depth d has 2\\^d pieces"):
        rb.sawtooth(65)


def test_device_argument():
    net = rb.ShallowReLU([1.0], [0.0], [1.0])
    assert net.to_torch(dtype="float32", device="cpu")[0].weight.dtype == torch.float32
    assert net.to_torch(dtype=np.float64, device=torch.device("cpu"))[0].weight.dtype == torch.float64
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            net.to_torch(device="cuda")
        with pytest.raises(ValueError, match="no CUDA"):
            training.BatchedMLP(1, [2, 2], device="cuda")


# -- bounded memory and time ----------------------------------------------------------------
def _run_limited(code: str, gib: float = 2.0, timeout: float = 120.0) -> str:
    """Run ``code`` in a fresh interpreter whose address space is limited to ``gib`` above the imports."""
    prelude = textwrap.dedent(f"""
        import resource, numpy as np, torch, relubook as rb
        vm = next(int(l.split()[1]) * 1024 for l in open('/proc/self/status') if l.startswith('VmSize'))
        resource.setrlimit(resource.RLIMIT_AS, (vm + int({gib} * 2**30),) * 2)
    """)
    out = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_large_shallow_network_in_bounded_memory():
    out = _run_limited("""
        rng = np.random.default_rng(0)
        m = 10_000
        net = rb.ShallowReLU(rng.normal(size=m), rng.normal(size=m), rng.normal(size=m))
        x = np.linspace(-1, 1, 10**6)
        y = net(x)
        i = rng.integers(0, x.size, 200)
        direct = np.maximum(np.outer(x[i], net.W[:, 0]) + net.b, 0) @ net.B[0] + net.c[0]
        print(float(np.max(np.abs(y[i] - direct))))
    """)
    assert float(out) < 1e-9


def test_sorted_knot_evaluation_matches_the_direct_sum():
    from relubook import nets

    rng = np.random.default_rng(1)
    W, b, B, c = rng.normal(size=300), rng.normal(size=300), rng.normal(size=(3, 300)), rng.normal(size=3)
    W[:5] = 0.0
    x = np.linspace(-4, 4, 1001)
    direct = np.maximum(np.outer(x, W) + b, 0) @ B.T + c
    np.testing.assert_allclose(nets._evaluate_sorted(W, b, B, c, x), direct, atol=1e-11)


def test_deep_network_chunked_and_built_in_linear_time():
    rng = np.random.default_rng(2)
    layers = [(rng.normal(size=(40, 2)), rng.normal(size=40)), (rng.normal(size=(40, 40)), rng.normal(size=40)),
              (rng.normal(size=(1, 40)), rng.normal(size=1))]
    net = rb.DeepReLU(layers)
    X = rng.normal(size=(50_000, 2))
    H = X
    for W, bb in layers[:-1]:
        H = np.maximum(H @ W.T + bb, 0)
    np.testing.assert_allclose(net(X), (H @ layers[-1][0].T + layers[-1][1])[:, 0], rtol=1e-12, atol=1e-12)
    deep = rb.sawtooth(64)  # 64 compositions: linear in depth, no re-validation of every layer
    assert deep.depth == 64


def test_activation_pattern_ids_packed():
    rng = np.random.default_rng(3)
    net = regions.random_deep([30, 30], rng=rng, n_in=2)
    X = rng.uniform(-1, 1, size=(2000, 2))
    ids = regions.activation_pattern_ids(net, X)
    pats = np.concatenate([Z > 0 for Z in net.pre_activations(X)], axis=1)
    _, ref = np.unique(pats, axis=0, return_inverse=True)
    assert np.array_equal(ids, ref.reshape(-1))


# -- seeds ----------------------------------------------------------------------------------
def _random_calls():
    import matplotlib.pyplot as plt

    X = np.random.default_rng(5).normal(size=(6, 3))
    net2 = rb.ShallowReLU(np.eye(2).repeat(3, 0), np.linspace(-1, 1, 6), np.ones(6))

    def regions_drawing():
        fig, ax = plt.subplots()
        regions.draw_activation_regions(ax, net2, n=20, seed=None)
        out = np.asarray(ax.images[0].get_array()) if ax.images else np.asarray(ax.collections[0].get_array())
        plt.close(fig)
        return out

    B = 0.5 * np.array([[0.0, 0.1], [1.0, 0.3], [0.4, 1.0], [-0.9, 0.8], [0.2, -0.5], [-0.3, -0.3]])  # in the unit ball
    return {
        "bending.train_square": lambda: rb.bending.train_square(3, steps=2, n_points=5, device="cpu"),
        "data.digits": lambda: rb.data.digits(),
        "device.generator": lambda: generator(None).normal(size=3),
        "dying.simulate_born_dead": lambda: dying.simulate_born_dead(2, 3, n_trials=200),
        "dying.simulate_born_dead_curve": lambda: dying.simulate_born_dead_curve(2, [1, 3], n_trials=200),
        "dying.domain_born_dead": lambda: dying.domain_born_dead(2, 2, n_trials=20, n_points=5),
        "initialization.sample_layer": lambda: initialization.sample_layer("he", 3, 2, device="cpu"),
        "initialization.initialize": lambda: initialization.initialize(torch.nn.Linear(3, 2), "he").weight,
        "initialization.second_moments": lambda: initialization.second_moments(
            "he", width=4, depth=2, n_models=2, n_inputs=2, device="cpu"),
        "initialization.rai_sample": lambda: initialization.rai_sample(2, 3),
        "interpolation.separating_direction": lambda: interpolation.separating_direction(X),
        "interpolation.train_same_width": lambda: interpolation.train_same_width(
            [0.0, 0.5, 1.0], [0.0, 1.0, 0.0], steps=2),
        "interpolation.noisy_sample": lambda: interpolation.noisy_sample(5)[:2],
        "neuron.active_probability_mc": lambda: neuron.active_probability_mc(0.0, 1.0, 2, n=500),
        "pretraining.starting_peaks": lambda: pretraining.starting_peaks(2),
        "pretraining.run_study": lambda: pretraining.run_study(
            curves=("x^3",), types=("default",), n_models=2, depth=2, epochs=2, pretrain_epochs=1, n_points=10,
            snapshot_every=1, device="cpu", progress=False).loss,
        "training.BatchedMLP": lambda: training.BatchedMLP(2, [2, 3, 2], device="cpu").weights[0],
        "training.train_batched": lambda: training.train_batched(
            training.BatchedMLP(1, [2, 3, 2], device="cpu"), X[:, :2], np.array([0, 1, 0, 1, 0, 1]), epochs=1,
            progress=False)["loss"],
        "regions.random_deep": lambda: regions.random_deep([3, 3]).layers[0][0],
        "rates.activation_fit_error": lambda: rb.rates.activation_fit_error("relu", 3, n_grid=21),
        "rates.grid_interpolation_error": lambda: rb.rates.grid_interpolation_error(
            lambda P: np.sin(P).sum(axis=1), 2, 3, n_test=20),
        "rates.ball_points": lambda: rb.rates.ball_points(5, 2),
        "rates.ridge_sum": lambda: rb.rates.ridge_sum(2).V,
        "rates.barron_fit": lambda: sorted(rb.rates.barron_fit(
            rb.rates.ridge_sum(2, rng=np.random.default_rng(1)), 4, B, B).items())[0][1],
        "rates.sampled_errors": lambda: rb.rates.sampled_errors(
            rb.rates.ridge_sum(2, rng=np.random.default_rng(1)), [2, 4], B, draws=2),
        "memorisation.baum_network": lambda: rb.memorisation.baum_network(
            np.array([[0.0, 0.1], [1.0, 0.3], [0.4, 1.0], [0.9, 0.8]]), [0, 1, 1, 0]).W,
        "dying.learning_rate_study": lambda: dying.learning_rate_study(
            X[:, :2], np.array([0, 1, 0, 1, 0, 1]), X[:, :2], np.array([0, 1, 0, 1, 0, 1]), lrs=(0.1,), n_seeds=1,
            widths=(3,), epochs=1)["dead"],
        "pretraining.choices_study": lambda: pretraining.choices_study(
            1, device="cpu", epochs=20, variants=((10, 0.5, 3e-4), (5, 0.25, 1e-3)))["mse"],
        "training.train_grid": lambda: training.train_grid(
            X[:, :2], np.array([0, 1, 0, 1, 0, 1]), [("relu", "he", 0.1)], depth=2, width=3, n_seeds=2, epochs=1,
            batch_size=3),
        "training.depth_study": lambda: training.depth_study(
            X[:, :2], np.array([0, 1, 0, 1, 0, 1]), X[:, :2], np.array([0, 1, 0, 1, 0, 1]), depths=(2,), n_seeds=1),
        "composition.random_pattern_counts": lambda: composition.random_pattern_counts([2, 2], n_nets=2, n=20),
        "regions2d.line_region_counts": lambda: __import__("relubook.regions2d").regions2d.line_region_counts([3], 4, 1.0, 0.3),
        "regions.init_region_counts": lambda: regions.init_region_counts(4, [1, 2], 2),
        "regions.draw_activation_regions": regions_drawing,
        "stats.mean_interval": lambda: __import__("relubook.stats").stats.mean_interval([0.1, 0.4, 0.3], seed=None),
    }


def _as_comparable(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: _as_comparable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_as_comparable(v) for v in value]
    if hasattr(value, "layers"):
        return _as_comparable(value.layers)
    if hasattr(value, "W") and hasattr(value, "B"):
        return _as_comparable([value.W, value.b, value.B, value.c])
    return value


def _same(a, b):
    a, b = _as_comparable(a), _as_comparable(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    return a == b


def test_every_random_function_is_listed():
    """A public function taking seed, rng or generator must be in the seed test below."""
    import fuzz_driver

    listed = set(_random_calls())
    for key, _, sig in fuzz_driver.public_callables():
        if {"seed", "rng", "generator"} & set(sig.parameters):
            assert key in listed, f"{key} takes a seed: add it to tests/test_robust.py::_random_calls"


@pytest.mark.parametrize("key", sorted(_random_calls()))
def test_seed_makes_random_functions_repeatable(key):
    call = _random_calls()[key]
    rb.seed(11)
    first = call()
    rb.seed(11)
    second = call()
    assert _same(first, second), f"{key} differs between two runs after rb.seed(11)"
