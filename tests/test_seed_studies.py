"""Multi-seed studies of chapters 9, 10, 11 and 14, the spread helpers and the 2-D pattern counts."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from relubook import composition, dying, initialization, regions, stats, training  # noqa: E402


def test_mean_interval():
    sp = stats.mean_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert sp.mean == 3.0 and sp.low < 3.0 < sp.high and sp.n == 5
    assert stats.mean_interval([2.0, 2.0]) == (2.0, 2.0, 2.0, 2)
    assert "5 seeds" in sp.text(".2f")
    with pytest.raises(ValueError, match="values"):
        stats.mean_interval([])
    with pytest.raises(ValueError, match="finite"):
        stats.mean_interval([1.0, np.nan])
    assert stats.k_of_n(np.array([True, False, True])) == (2, 3)
    assert stats.describe(np.array([True] * 4)) == "in all 4 seeds"
    with pytest.raises(ValueError, match="flags"):
        stats.k_of_n([1, 0])


def _toy(n=60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    return X, y


def test_train_grid_is_seeds_times_configs():
    X, y = _toy()
    grid = [("relu", "he", 0.1), ("tanh", "lecun", 0.01)]
    res = training.train_grid(X, y, grid, depth=2, width=5, n_seeds=3, epochs=2, X_test=X, y_test=y)
    assert res["test_acc"].shape == (3, 2) and res["curves"]["train_acc"].shape == (3, 3, 2)
    # seed s of config g is model s * len(grid) + g
    assert np.allclose(res["hist"]["test_acc"][-1].reshape(3, 2), res["test_acc"])
    vals = training.grid_values(res)
    assert vals[("relu", "he", 0.1)].shape == (3,)
    tab = training.seeds_table(res, ["he"], ["relu"], lr=0.1, caption="Three seeds.", label="tab-three-seeds")
    v = vals[("relu", "he", 0.1)]
    assert f"| he | {v.mean():.1f} [{v.min():.1f}, {v.max():.1f}] |" in tab.to_myst()
    with pytest.raises(ValueError, match="grid"):
        training.train_grid(X, y, [("relu", "he")], depth=1, width=2, n_seeds=1, epochs=1)
    fig, ax = plt.subplots()
    values = res["curves"]["train_acc"].copy()
    values[:, 0, 0] = np.nan  # a seed left out
    training.draw_seed_history(ax, res["hist"]["epoch"], values, ["a", "b"])
    plt.close(fig)


def test_depth_grid_and_summary():
    g50, g101 = training.depth_grid(50), training.depth_grid(101)
    assert ("relu", "he-torch-bias", 0.01) in g50 and ("tanh", "lecun", 0.0001) in g50
    assert ("sigmoid", "he", 0.001) in g101 and not any(i == "xavier" for _, i, _ in g101)
    X, y = _toy()
    training.DEPTH_SCALES["tiny"] = {"width": 3, "n_seeds": 2, "epochs": {3: 1}, "batch_size": 16}
    try:
        res = training.depth_study(X, y, X, y, "tiny", depths=(3,))
    finally:
        del training.DEPTH_SCALES["tiny"]
    summ = training.depth_summary(res)
    assert summ["3"]["n_seeds"] == 2 and len(summ["3"]["best_activation"]) == 2
    assert all(len(v["test_acc"]) == 2 for v in summ["3"]["configs"].values())


def test_he_torch_bias_scheme():
    W, b = initialization.sample_layer("he-torch-bias", 400, 300, generator=torch.Generator().manual_seed(0))
    assert abs(W.var().item() * 400 / 2 - 1) < 0.05
    assert b.abs().max() <= 1 / 20 and abs(b.var().item() * 3 * 400 - 1) < 0.2


def test_learning_rate_study_shapes_and_divergence():
    X, y = _toy(40)
    r = dying.learning_rate_study(X, y, X, y, lrs=(0.01, 1e6), n_seeds=2, widths=(4,), epochs=2)
    assert r["dead"].shape == (3, 2, 2) and r["test_acc"].shape == (2, 2)
    assert not r["diverged"][:, 0].any() and r["diverged"][:, 1].all()  # lr 1e6 blows up


def test_grid_pattern_counts():
    s3 = composition.parallel(composition.sawtooth(3), composition.sawtooth(3))
    # cell centres never fall on the lines x = +-1: the count is the 9 x 9 grid, not 10 x 10
    assert composition.grid_pattern_count(s3, n=240) == 81
    fig, ax = plt.subplots()
    assert regions.draw_activation_regions(ax, s3, n=240) == 81
    plt.close(fig)
    a = composition.random_pattern_counts([4, 4], 3, n=60, rng=1)
    b = composition.random_pattern_counts([4, 4], 3, n=60, rng=1)
    assert np.array_equal(a, b) and a.min() >= 1


def test_activation_pattern_ids_partition():
    net = regions.random_deep([70, 5], 3, n_in=2)  # more than 64 units: several bytes per key
    P = np.random.default_rng(0).uniform(-1, 1, (3000, 2))
    ids = regions.activation_pattern_ids(net, P)
    pats = np.concatenate([Z > 0 for Z in net.pre_activations(P)], axis=1)
    _, ref = np.unique(pats, axis=0, return_inverse=True)
    ref = ref.reshape(-1)
    assert ids.max() == ref.max() and len(set(zip(ids.tolist(), ref.tolist()))) == ids.max() + 1


def test_progress_bar_without_tqdm(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with training.progress_bar(10, "x", disable=False) as bar:
        bar.update(1)
