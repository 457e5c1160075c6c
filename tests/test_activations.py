"""Tests of relubook.activations: values, derivatives, the autograd probe, the table, callbacks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import activations as A

floats = st.floats(-50, 50, allow_nan=False)


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_derivatives_match_finite_differences(name):
    z = np.linspace(-4, 4, 4001)
    z = z[np.abs(z) > 1e-2]  # away from the kinks
    h = 1e-6
    fd = (A.activation(name, z + h) - A.activation(name, z - h)) / (2 * h)
    assert np.allclose(A.activation(name, z, derivative=True), fd, atol=1e-5)


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_formula_listed(name):
    assert name in A.FORMULAS


@given(st.lists(floats, min_size=1, max_size=20), st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_prelu_is_max_for_small_slopes(zs, alpha):
    z = np.array(zs)
    assert np.allclose(A.prelu(z, alpha), np.maximum(z, alpha * z))
    dz, da = A.prelu_grad(z, alpha)
    assert np.allclose(dz, np.where(z > 0, 1.0, alpha))
    assert np.allclose(da, np.where(z > 0, 0.0, z))


def test_prelu_grad_matches_torch():
    z = torch.tensor([-2.0, -0.5, 0.0, 0.7, 3.0], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.2], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.prelu(z, a).sum().backward()
    dz, da = A.prelu_grad(z.detach().numpy(), 0.2)
    assert np.allclose(z.grad.numpy(), dz)
    assert np.isclose(a.grad.item(), da.sum())


def test_prelu_bad_input():
    with pytest.raises(ValueError, match="z"):
        A.prelu([np.nan], 0.1)
    with pytest.raises(TypeError, match="alpha"):
        A.prelu([1.0], "a")


def test_clarke_subdifferential():
    lo, hi = A.clarke_subdifferential([-1.0, 0.0, 2.0])
    assert lo.tolist() == [0, 0, 1] and hi.tolist() == [0, 1, 1]
    assert A.in_clarke_subdifferential([0.0, 0.0, 0.0], [0.0, 0.5, 1.0]).all()
    assert not A.in_clarke_subdifferential([0.0, 1.0, -1.0], [1.5, 0.5, 0.1]).any()
    with pytest.raises(ValueError, match="tol"):
        A.in_clarke_subdifferential(0.0, 0.0, tol=-1)


def test_torch_grad_at_zero_conventions():
    g = {e: A.torch_grad_at(e, 0.0) for e in A.TORCH_PROBES}
    assert g["torch.relu(z)"] == 0.0 and g["nn.ReLU()(z)"] == 0.0
    assert g["torch.maximum(z, 0)"] == 0.5 and g["z.clamp(min=0)"] == 1.0
    assert g["F.leaky_relu(z, 0.01)"] == pytest.approx(0.01)
    assert A.torch_grad_at("torch.relu(z)", 2.0) == 1.0
    assert A.torch_grad_at("torch.relu(z)", -2.0) == 0.0
    assert A.relu_grad(0.0) == g["torch.relu(z)"]


def test_torch_grad_at_bad_input():
    with pytest.raises(ValueError, match="expression"):
        A.torch_grad_at("torch.sin(z)")
    with pytest.raises(ValueError, match="z"):
        A.torch_grad_at("torch.relu(z)", float("inf"))
    with pytest.raises(TypeError, match="z"):
        A.torch_grad_at("torch.relu(z)", "0")


def test_comparison_table():
    t = A.comparison_table(("relu", "sigmoid", "tanh", "gelu", "leaky_relu"))
    r = {row["name"]: row for row in t.rows}
    assert r["relu"]["range"] == (0.0, 1e6) and not r["relu"]["open_low"]
    assert r["sigmoid"]["range"] == (0.0, 1.0) and r["sigmoid"]["open_low"] and r["sigmoid"]["open_high"]
    assert r["sigmoid"]["max_grad"] == pytest.approx(0.25)
    assert r["tanh"]["saturates"] == "both" and r["leaky_relu"]["saturates"] == "no"
    assert r["gelu"]["range"][0] == pytest.approx(-0.17, abs=0.005)
    assert (r["relu"]["elementary_ops"], r["relu"]["transcendental_ops"]) == (1, 0)
    assert r["tanh"]["transcendental_ops"] == 1 and r["sigmoid"]["transcendental_ops"] == 1
    assert A.comparison_table(("relu",)).rows == A.comparison_table(("relu",)).rows  # no timing in it
    text = t.text()
    assert "[0, inf)" in text and "(0, 1)" in text and "(-inf, inf)" in text
    html = t._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == 6
    assert t.row("relu") is r["relu"]
    rec = {row["activation"]: row for row in t.records()}
    assert rec["relu"]["range"] == r"$[0, \infty)$" and rec["leaky relu"]["$f'(10)$"] == 1.0
    with pytest.raises(ValueError, match="name"):
        t.row("swish")


def test_comparison_table_bad_input():
    with pytest.raises(ValueError, match="names"):
        A.comparison_table(("relu", "swish"))
    with pytest.raises(ValueError, match="names"):
        A.comparison_table(())
    with pytest.raises(ValueError, match="saturation"):
        A.comparison_table(saturation=0)
    with pytest.raises(TypeError, match="saturation"):
        A.comparison_table(saturation=1j)


def test_drawing_callbacks():
    fig, ax = plt.subplots()
    A.draw_variants(ax, alpha=0.3)
    assert len(ax.lines) == 5
    ax.clear()
    A.draw_derivatives(ax, names="relu")
    assert len(ax.lines) == 1
    with pytest.raises(ValueError, match="alpha"):
        A.draw_variants(ax, alpha=-0.1)
    with pytest.raises(ValueError, match="names"):
        A.draw_derivatives(ax, names=("swish",))
    plt.close(fig)
