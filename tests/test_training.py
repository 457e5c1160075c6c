import numpy as np
import pytest
import torch

from relubook import training


def _blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 4)) * 0.3 + np.eye(4)[y] * 2
    return X.astype(np.float32), y


def test_batched_equals_members():
    m = training.BatchedMLP(4, [4, 5, 5, 3], ["relu", "sigmoid", "tanh", "leaky_relu"],
                            ["he", "xavier", "lecun", "rai"], device="cpu")
    X = torch.randn(7, 4)
    out = m(X)
    assert out.shape == (4, 7, 3)
    for i in range(4):
        assert torch.allclose(out[i], m.model(i)(X), atol=1e-5)


def test_batched_training_matches_loop():
    X, y = _blobs()
    m = training.BatchedMLP(2, [4, 8, 3], ["relu", "tanh"], "he", seed=1, device="cpu", dtype=torch.float64)
    ref = [m.model(i) for i in range(2)]
    hist = training.train_batched(m, X, y, epochs=1, batch_size=len(X), lr=[0.1, 0.05])
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    for net, lr, i in zip(ref, [0.1, 0.05], range(2)):
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        loss = torch.nn.functional.cross_entropy(net(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert torch.allclose(net[0].weight, m.weights[0][i], atol=1e-10)
    assert hist["loss"].shape == (2, 2) and hist["train_acc"].shape == (2, 2)


def test_training_learns_and_records():
    X, y = _blobs()
    m = training.BatchedMLP(3, [4, 16, 3], "relu", "he", seed=0, device="cpu")
    hist = training.train_batched(m, X, y, epochs=15, lr=0.05, optimizer="adam", X_test=X, y_test=y,
                                  record=lambda model, epoch: epoch)
    assert np.all(hist["train_acc"][-1] > 0.9)
    assert hist["test_acc"].shape == (16, 3) and hist["record"].tolist() == list(range(16))
    assert np.all(hist["loss"][-1] < hist["loss"][0])


def test_mse_training():
    x = np.linspace(-1, 1, 40)[:, None]
    m = training.BatchedMLP(2, [1, 16, 1], "relu", "he", seed=0, device="cpu")
    hist = training.train_batched(m, x, np.abs(x), epochs=30, lr=0.02, loss="mse", optimizer="adam", batch_size=8)
    assert np.all(hist["loss"][-1] < hist["loss"][0])


def test_bad_arguments():
    X, y = _blobs()
    with pytest.raises(ValueError):
        training.BatchedMLP(2, [4, 3], "swish")
    with pytest.raises(ValueError, match="rai"):
        training.BatchedMLP(2, [4, 3], "relu", "raai")
    with pytest.raises(ValueError):
        training.BatchedMLP(2, [4, 3], ["relu"] * 3)
    with pytest.raises(TypeError):
        training.BatchedMLP(2, "43")
    with pytest.raises(ValueError):
        training.BatchedMLP(0, [4, 3])
    m = training.BatchedMLP(2, [4, 3], device="cpu")
    with pytest.raises(ValueError):
        training.train_batched(m, X, y, epochs=1, optimizer="lbfgs")
    with pytest.raises(ValueError):
        training.train_batched(m, X, y + 5, epochs=1)
    with pytest.raises(ValueError):
        training.train_batched(m, X[:, :3], y, epochs=1)
    with pytest.raises(ValueError):
        training.train_batched(m, X, y, epochs=1, lr=-1.0)
    with pytest.raises(TypeError):
        training.train_batched("m", X, y, epochs=1)


def test_draw_history():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    training.draw_history(ax, [0, 1, 2], np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]), ["a", "b"], title="t")
    assert len(ax.lines) == 2
    with pytest.raises(ValueError):
        training.draw_history(ax, [0, 1], np.zeros((3, 2)), ["a", "b"])
    with pytest.raises(ValueError):
        training.draw_history(ax, [0, 1, 2], np.zeros((3, 2)), ["a"])
    plt.close(fig)


def test_seeds_table_is_a_book_table_with_every_model():
    grid = [("relu", "he", 0.1), ("tanh", "he", 0.1), ("relu", "lecun", 0.1), ("tanh", "lecun", 0.1), ("relu", "he", 0.01)]
    hist = {"test_acc": np.array([[0.0] * 5, [0.5, 0.25, 0.75, 1.0, 0.1]])}
    acc = training.grid_values(hist, grid=grid)
    assert acc[("relu", "he", 0.01)] == pytest.approx([10.0])
    tab = training.seeds_table(hist, ("he", "lecun"), ("relu", "tanh"), lr=0.1, grid=grid, caption="Demo.", label="tab-demo")
    myst = tab.to_myst()
    assert myst.startswith("~~~~{table} Demo.") and ":name: tab-demo" in myst
    assert "| initialisation | relu (%) | tanh (%) |" in myst and "|:---|---:|---:|" in myst
    assert "| he | 50.0 | 25.0 |" in myst and "| lecun | 75.0 | 100.0 |" in myst
    # the other axis: rows are learning rates of one initialisation
    by_lr = training.seeds_table(acc, (0.1, 0.01), ("relu",), init="he", caption="By rate.", label="tab-demo-lr")
    assert "| learning rate | relu (%) |" in by_lr.to_myst() and "| 0.01 | 10.0 |" in by_lr.to_myst()
    # several seeds: mean [min, max]
    seeds = {("relu", "he", 0.1): np.array([10.0, 20.0, 30.0])}
    assert "| he | 20.0 [10.0, 30.0] |" in training.seeds_table(seeds, ["he"], ["relu"], lr=0.1, caption="c",
                                                                  label="tab-s").to_myst()
    with pytest.raises(ValueError, match="not in the grid"):
        training.seeds_table(hist, ("lecun",), ("relu",), lr=0.01, grid=grid, caption="c", label="tab-x")
    with pytest.raises(ValueError, match="grid has"):
        training.grid_values(hist, grid=grid[:2])
    with pytest.raises(ValueError, match="exactly one"):
        training.seeds_table(acc, ("he",), ("relu",), caption="c", label="tab-x")
    with pytest.raises(ValueError, match="grid is required"):
        training.grid_values(hist)




def _mixed_reference(m, z):
    """The mixed activation as one autograd expression (what :class:`training._MixedActivation` replaces)."""
    return torch.where(m._rect, torch.relu(z), torch.addcmul(m._d, m._a, torch.sigmoid(m._c * z)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_mixed_activation_gives_autograds_values_and_gradients(dtype):
    """The hand-written backward is the chain rule of the expression, element for element."""
    m = training.BatchedMLP(9, [3, 7, 2], ["relu", "sigmoid", "tanh"] * 3, "he", dtype=dtype, device="cpu")
    gen = torch.Generator().manual_seed(0)
    z = (4 * torch.randn(9, 33, 7, generator=gen, dtype=dtype)).requires_grad_()
    z.data[0, 0, :3] = torch.tensor([0.0, -0.0, 1e-30])  # the kink and tiny values
    g = torch.randn(9, 33, 7, generator=gen, dtype=dtype)
    out = m._act(z)
    ref = _mixed_reference(m, z)
    assert torch.equal(out, ref)
    (grad,) = torch.autograd.grad(out, z, g)
    (grad_ref,) = torch.autograd.grad(ref, z, g)
    assert torch.equal(grad, grad_ref)


def test_evaluation_outputs_and_losses_agree_with_the_forward_pass():
    """Evaluations run by blocks of rows and by activation; they give ``model(X)`` to rounding,
    and the single-activation stack (blocks only) bit for bit on this CPU."""
    gen = torch.Generator().manual_seed(1)
    for acts in (["relu", "sigmoid", "tanh"], ["relu", "leaky_relu", "tanh"], ["sigmoid"], ["relu"]):
        m = training.BatchedMLP(40, [64, 16, 16, 10], (acts * 40)[:40], "he", seed=2, device="cpu")
        X = torch.randn(1000, 64, generator=gen)  # several blocks of EVAL_BLOCK values
        assert 1000 > training.EVAL_BLOCK // (40 * 16)
        with torch.no_grad():
            ref = m(X)
        out = training._outputs(m, X)
        assert out.shape == ref.shape
        assert torch.allclose(out, ref, rtol=1e-5, atol=1e-6), acts
        if len(acts) == 1:
            assert torch.equal(out, ref)
        y = torch.randint(0, 10, (1000,), generator=gen).expand(40, 1000)
        fast = training._losses(ref, y, "cross_entropy", classes_first=True)
        assert torch.allclose(fast, training._losses(ref, y, "cross_entropy"), rtol=1e-6)
