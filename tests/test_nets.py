"""The core network types: evaluation, sizes, torch round trips, and bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import relubook as rb
from relubook import DeepReLU, ShallowReLU


def random_shallow(rng, r=3, m=5, k=None):
    B = rng.normal(size=(m,) if k is None else (k, m))
    return ShallowReLU(rng.normal(size=(m, r)), rng.normal(size=m), B, rng.normal(size=() if k is None else k))


def test_shallow_matches_formula():
    rng = np.random.default_rng(1)
    net = random_shallow(rng, r=3, m=7, k=2)
    X = rng.normal(size=(11, 3))
    expected = net.c + np.maximum(X @ net.W.T + net.b, 0) @ net.B.T
    np.testing.assert_allclose(net(X), expected)
    assert net(X).shape == (11, 2)
    assert (net.n_neurons, net.input_dim, net.output_dim) == (7, 3, 2)


def test_scalar_network_accepts_1d_input():
    net = ShallowReLU([1.0, -1.0], [0.0, 0.0], [1.0, 1.0])  # |x|
    np.testing.assert_allclose(net(np.array([-2.0, 0.0, 3.0])), [2.0, 0.0, 3.0])
    assert net(2.0).shape == (1,)


def assert_torch_round_trip(net, X):
    """net.to_torch() gives net's outputs to 1e-12 in float64, and DeepReLU.from_torch reads it back."""
    module = net.to_torch(device="cpu")
    with torch.no_grad():
        out = module(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(out, net(X), atol=1e-12, rtol=0)
    back = DeepReLU.from_torch(module)
    np.testing.assert_allclose(np.reshape(back(X), net(X).shape), net(X), atol=1e-12, rtol=0)


@pytest.mark.parametrize("k", [None, 1, 3])
def test_shallow_torch_round_trip(k):
    rng = np.random.default_rng(2)
    net = random_shallow(rng, r=4, m=6, k=k)
    assert_torch_round_trip(net, rng.normal(size=(20, 4)))


def test_deep_matches_torch_and_back():
    rng = np.random.default_rng(3)
    layers = [(rng.normal(size=(5, 2)), rng.normal(size=5)), (rng.normal(size=(4, 5)), rng.normal(size=4)),
              (rng.normal(size=(1, 4)), rng.normal(size=1))]
    net = DeepReLU(layers)
    assert net.widths == [5, 4] and net.depth == 2 and net.n_neurons == 9
    X = rng.normal(size=(30, 2))
    assert_torch_round_trip(net, X)
    pre = net.pre_activations(X)
    assert [p.shape for p in pre] == [(30, 5), (30, 4)]


def test_shallow_to_deep_same_function():
    rng = np.random.default_rng(4)
    net = random_shallow(rng, r=2, m=3)
    X = rng.normal(size=(9, 2))
    np.testing.assert_allclose(net.to_deep()(X), net(X))


def test_from_torch_float32_and_no_bias():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    net = DeepReLU.from_torch(module)
    X = np.random.default_rng(5).normal(size=(4, 2))
    with torch.no_grad():
        out = module(torch.as_tensor(X, dtype=torch.float32)).double().numpy()
    np.testing.assert_allclose(net(X), out, atol=1e-5)


@pytest.mark.parametrize(
    "module, message",
    [
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)), "only Linear and ReLU"),
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()), "ends with a ReLU"),
        (torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 1)), "does not follow"),
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1)), "ReLU expected"),
    ],
)
def test_from_torch_rejects_other_modules(module, message):
    with pytest.raises(ValueError, match=message):
        DeepReLU.from_torch(module)


def test_from_torch_rejects_non_sequential():
    with pytest.raises(TypeError, match="module"):
        DeepReLU.from_torch(torch.nn.Linear(2, 1))


@pytest.mark.parametrize(
    "args, exc, word",
    [
        (([[1.0]], [0.0, 1.0], [1.0]), ValueError, "b must have shape"),
        (([[1.0], [2.0]], [0.0, 1.0], [1.0]), ValueError, "B must have 2 columns"),
        (([[np.nan]], [0.0], [1.0]), ValueError, "W must be finite"),
        (([[1.0]], [np.inf], [1.0]), ValueError, "b must be finite"),
        (([[1.0]], [0.0], [1.0], [1.0, 2.0]), ValueError, "c must be"),
        (("abc", [0.0], [1.0]), TypeError, "W must be an array"),
        (([[1.0]], None, [1.0]), TypeError, "b must be an array"),
        ((np.ones((1, 1, 1)), [0.0], [1.0]), ValueError, "W must have 1 or 2 dimension"),
    ],
)
def test_shallow_bad_input(args, exc, word):
    with pytest.raises(exc, match=word):
        ShallowReLU(*args)


def test_evaluation_bad_input():
    net = ShallowReLU(np.ones((2, 3)), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="X has 2 columns but the network takes 3"):
        net(np.ones((4, 2)))
    with pytest.raises(ValueError, match="1-D array is accepted only for one input"):
        net(np.ones(3))
    with pytest.raises(ValueError, match="X must be finite"):
        net(np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(TypeError, match="X must be an array"):
        net("points")


@pytest.mark.parametrize(
    "layers, exc, word",
    [
        ([], ValueError, "at least one"),
        ("W,b", TypeError, "sequence of"),
        ([([[1.0]],)], TypeError, r"layers\[0\] must be a \(W, b\) pair"),
        ([(np.ones((2, 1)), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))], ValueError, "takes 3 inputs but layer 0 has 2"),
        ([(np.ones((2, 1)), np.zeros(3))], ValueError, r"layers\[0\] b must have shape \(2,\)"),
        ([(np.full((1, 1), np.inf), np.zeros(1))], ValueError, "finite"),
    ],
)
def test_deep_bad_input(layers, exc, word):
    with pytest.raises(exc, match=word):
        DeepReLU(layers)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    W=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4), elements=finite),
    data=st.data(),
)
def test_shallow_random_shapes_evaluate(W, data):
    m, r = W.shape
    b = data.draw(hnp.arrays(np.float64, (m,), elements=finite))
    B = data.draw(hnp.arrays(np.float64, (m,), elements=finite))
    net = ShallowReLU(W, b, B)
    X = data.draw(hnp.arrays(np.float64, (3, r), elements=finite))
    assert net(X).shape == (3,)


@settings(max_examples=60, deadline=None)
@given(
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    where=st.sampled_from(["W", "b", "B", "c", "X"]),
)
def test_nonfinite_anywhere_is_rejected(bad, where):
    parts = {"W": np.ones((2, 2)), "b": np.zeros(2), "B": np.ones(2), "c": 0.0}
    if where == "X":
        net = ShallowReLU(**parts)
        with pytest.raises(ValueError, match="X must be finite"):
            net(np.array([[0.0, bad]]))
    else:
        arr = np.array(parts[where], dtype=float)
        arr.flat[0] = bad
        parts[where] = arr
        with pytest.raises(ValueError, match=f"{where} must be finite"):
            ShallowReLU(**parts)


@settings(max_examples=30, deadline=None)
@given(value=st.one_of(st.text(max_size=3), st.none(), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_wrong_types_are_type_errors(value):
    with pytest.raises((TypeError, ValueError)):
        ShallowReLU(value, [0.0], [1.0])


def test_device_and_seed(monkeypatch):
    assert rb.device().type in ("cpu", "cuda")
    monkeypatch.setenv("RELUBOOK_DEVICE", "cpu")
    assert rb.device().type == "cpu"
    monkeypatch.setenv("RELUBOOK_DEVICE", "tpu")
    with pytest.raises(ValueError, match="RELUBOOK_DEVICE"):
        rb.device()
    a = rb.seed(3).normal(size=3)
    b = rb.seed(3).normal(size=3)
    np.testing.assert_array_equal(a, b)
    t1 = (rb.seed(4), torch.rand(2))[1]
    t2 = (rb.seed(4), torch.rand(2))[1]
    assert torch.equal(t1, t2)
    with pytest.raises(TypeError, match="value must be an integer"):
        rb.seed(1.5)


def test_scale(monkeypatch):
    monkeypatch.delenv("RELUBOOK_SCALE", raising=False)
    assert rb.scale() == "book"
    monkeypatch.setenv("RELUBOOK_SCALE", "paper")
    assert rb.scale() == "paper"
    monkeypatch.setenv("RELUBOOK_SCALE", "huge")
    with pytest.raises(ValueError, match="RELUBOOK_SCALE"):
        rb.scale()
