"""Initialisation schemes, initialize(model, scheme), and second moments through depth."""

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from relubook import checks  # noqa: E402
from relubook import initialization as init  # noqa: E402

BUILTIN = ["torch-default", "he", "xavier", "lecun"]


def test_builtin_schemes_registered_with_variances():
    assert set(BUILTIN) <= set(init.schemes())
    assert init.weight_variance("he", 100, 50) == pytest.approx(2 / 100)
    assert init.weight_variance("xavier", 100, 50) == pytest.approx(2 / 150)
    assert init.weight_variance("lecun", 100, 50) == pytest.approx(1 / 100)
    assert init.weight_variance("torch-default", 100, 50) == pytest.approx(1 / 300)
    assert init.bias_variance("torch-default", 100, 50) == pytest.approx(1 / 300)
    assert init.bias_variance("he", 100, 50) == 0


@pytest.mark.parametrize("scheme", BUILTIN)
def test_sampled_variances(scheme):
    g = torch.Generator().manual_seed(0)
    W, b = init.sample_layer(scheme, 200, 100, batch=(20,), generator=g, device="cpu")
    assert W.shape == (20, 100, 200) and b.shape == (20, 100) and W.dtype == torch.float64
    assert W.var().item() == pytest.approx(init.weight_variance(scheme, 200, 100), rel=0.02)
    assert abs(W.mean().item()) < 1e-3
    if scheme == "torch-default":
        assert W.abs().max().item() <= 1 / math.sqrt(200)
        assert b.var().item() == pytest.approx(1 / 600, rel=0.1)
    else:
        assert torch.all(b == 0)


def test_torch_default_matches_nn_linear():
    torch.manual_seed(0)
    lin = torch.nn.Linear(300, 400)
    assert lin.weight.var().item() == pytest.approx(init.weight_variance("torch-default", 300, 400), rel=0.03)


def test_initialize_fills_every_linear_layer():
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8, bias=False))
    init.initialize(model, "he", generator=torch.Generator().manual_seed(0))
    assert model[0].weight.var().item() == pytest.approx(2 / 64, rel=0.1)
    assert torch.all(model[0].bias == 0) and model[2].bias is None
    assert model[2].weight.dtype == torch.float32


@pytest.mark.parametrize("scheme, rate", [("he", 1.0), ("lecun", 0.5), ("torch-default", 1 / 6)])
def test_second_moments_follow_the_geometric_rate(scheme, rate):
    g = torch.Generator().manual_seed(1)
    q = init.second_moments(scheme, width=64, depth=12, n_models=64, n_inputs=8, generator=g, device="cpu").numpy()
    assert q.shape == (13,)
    fitted = np.exp(np.polyfit(np.arange(13), np.log(q), 1)[0])
    assert fitted == pytest.approx(rate, rel=0.05)


def test_second_moments_with_bias_reach_the_floor():
    g = torch.Generator().manual_seed(2)
    q = init.second_moments("torch-default", width=64, depth=15, n_models=32, bias=True, generator=g,
                            device="cpu").numpy()
    assert q[-5:].mean() == pytest.approx(1 / (5 * 64), rel=0.15)


def test_draw_second_moments():
    fig, ax = plt.subplots()
    init.draw_second_moments(ax, {"he": np.ones(5), "lecun": 0.5 ** np.arange(5)}, {"he": 1.0, "lecun": 0.5})
    assert len(ax.lines) == 4
    plt.close(fig)
    with pytest.raises(TypeError):
        init.draw_second_moments(ax, {})


def test_init_variance_checker():
    assert checks.neuron.init_variance("he", 10, 10, 0.2, 1.0)
    assert not checks.neuron.init_variance("he", 10, 10, 0.1, 0.5)
    assert not checks.neuron.init_variance("nope", 10, 10, 0.1, 0.5)
    assert not checks.neuron.init_variance("he", 10, 10, "x", None)


def test_register_scheme_extends_the_registry():
    def ones(batch, fan_in, fan_out, generator, dtype, device):
        return torch.ones((*batch, fan_out, fan_in), dtype=dtype), torch.zeros((*batch, fan_out), dtype=dtype)

    init.register_scheme("test-ones", ones)
    try:
        model = init.initialize(torch.nn.Linear(3, 2), "test-ones")
        assert torch.all(model.weight == 1)
        assert init.weight_variance("test-ones", 3, 2) is None
    finally:
        init._SCHEMES.pop("test-ones")


# -- bad input -------------------------------------------------------------------
def test_unknown_scheme_lists_the_known_ones():
    with pytest.raises(ValueError) as info:
        init.initialize(torch.nn.Linear(2, 2), "glorot")
    for name in BUILTIN:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: init.initialize("model", "he"), TypeError),
        (lambda: init.initialize(torch.nn.ReLU(), "he"), ValueError),
        (lambda: init.initialize(torch.nn.Linear(2, 2), 3), TypeError),
        (lambda: init.weight_variance("he", 0, 3), ValueError),
        (lambda: init.sample_layer("he", 3, 3, generator="seed"), TypeError),
        (lambda: init.second_moments("he", width=0), ValueError),
        (lambda: init.second_moments("he", depth=2.5), TypeError),
        (lambda: init.second_moments("he", bias="yes"), TypeError),
        (lambda: init.register_scheme("", lambda *a: None), TypeError),
        (lambda: init.register_scheme("x", "sampler"), TypeError),
        (lambda: init.register_scheme("x", lambda *a: None, weight_variance=1.0), TypeError),
    ],
)
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


@settings(max_examples=30, deadline=None)
@given(fan_in=st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.text(max_size=2), st.booleans()))
def test_bad_fan_in(fan_in):
    with pytest.raises((TypeError, ValueError), match="fan_in"):
        init.weight_variance("he", fan_in, 4)


def test_layer_activations_fixed_and_homogeneous():
    a = init.layer_activations("he", 5)
    assert a.shape == (256, 256) and np.array_equal(a, init.layer_activations("he", 5))
    assert np.array_equal(init.layer_activations("lecun", 0), init.layer_activations("he", 0))  # the inputs
    # same standard normal draws, so LeCun is He scaled by 2**(-l/2) (zero biases, ReLU homogeneous)
    np.testing.assert_allclose(init.layer_activations("lecun", 7), 2 ** -3.5 * init.layer_activations("he", 7),
                               rtol=1e-12)
    # equal fans: Xavier's variance 2/(n+n) is LeCun's 1/n
    np.testing.assert_allclose(init.layer_activations("xavier", 10), init.layer_activations("lecun", 10), rtol=1e-12)


def test_layer_activations_follow_the_recursion():
    """He keeps the second moment; LeCun halves it per layer (recursion q_l = n sigma_w^2 q_{l-1} / 2)."""
    q = {s: np.array([np.mean(init.layer_activations(s, l) ** 2) for l in range(31)]) for s in ("he", "lecun")}
    assert np.all(np.abs(np.log(q["he"])) < np.log(3))
    np.testing.assert_allclose(q["lecun"], q["he"] * 2.0 ** -np.arange(31), rtol=1e-9)
    assert 1e-11 < q["lecun"][30] < 1e-8


def test_draw_layer_statistics_title_and_validation():
    fig, ax = plt.subplots()
    init.draw_layer_statistics(ax, init="lecun", layer=20)
    q = np.mean(init.layer_activations("lecun", 20) ** 2)
    assert f"{q:.2g}" in ax.get_title() and "layer 20" in ax.get_title()
    assert ax.get_xscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError, match="init"):
        init.layer_activations("torch-default", 3)
    with pytest.raises(TypeError, match="init"):
        init.layer_activations(3, 3)
    with pytest.raises(ValueError, match="layer"):
        init.layer_activations("he", 31)
    with pytest.raises(TypeError, match="layer"):
        init.layer_activations("he", 2.5)
    with pytest.raises(ValueError, match="width"):
        init.layer_activations("he", 2, width=0)
