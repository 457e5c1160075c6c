"""The book-wide base seed RELUBOOK_SEED shifts every random draw of relubook."""

import numpy as np
import pytest
import torch

from relubook import data, dying, pretraining, regions, training
from relubook.device import seed as base_seeded


def _draws():
    net = training.BatchedMLP(2, [3, 4, 2], seed=5)
    return {
        "batched": net.weights[0].detach().cpu().numpy().copy(),
        "digits": data.digits(seed=1)[1][:20].copy(),
        "born_dead": dying.simulate_born_dead(1, 3, n_trials=200, seed=2)[0],
        "peaks": pretraining.starting_peaks(3, seed=4),
        "random_deep": regions.random_deep([3], rng=7).layers[0][0].copy(),
    }


def _differ(a, b):
    return not np.array_equal(np.asarray(a), np.asarray(b))


def test_base_seed_shifts_every_draw(monkeypatch):
    monkeypatch.delenv("RELUBOOK_SEED", raising=False)
    base = _draws()
    monkeypatch.setenv("RELUBOOK_SEED", "0")
    again = _draws()
    for key in base:
        assert not _differ(base[key], again[key]), key  # the default is 0
    monkeypatch.setenv("RELUBOOK_SEED", "3")
    other = _draws()
    for key in ("batched", "digits", "peaks", "random_deep"):
        assert _differ(base[key], other[key]), key
    # shifting by the base seed is the same as asking for seed + base
    monkeypatch.setenv("RELUBOOK_SEED", "0")
    assert np.array_equal(pretraining.starting_peaks(3, seed=7), other["peaks"])


def test_training_order_is_shifted(monkeypatch):
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)

    def final(base):
        monkeypatch.setenv("RELUBOOK_SEED", str(base))
        net = training.BatchedMLP(1, [3, 4, 2], seed=0)
        monkeypatch.setenv("RELUBOOK_SEED", "0")  # same start, different minibatch order below
        net2 = training.BatchedMLP(1, [3, 4, 2], seed=0)
        with torch.no_grad():
            for p, q in zip(net2.parameters(), net.parameters()):
                p.copy_(q)
        monkeypatch.setenv("RELUBOOK_SEED", str(base))
        return training.train_batched(net2, X, y, epochs=2, batch_size=8, seed=0)["loss"][-1]

    assert _differ(final(0), final(2))


def test_rng_none_is_reproducible(monkeypatch):
    monkeypatch.delenv("RELUBOOK_SEED", raising=False)
    base_seeded(0)
    a = regions.random_deep([3]).layers[0][0].copy()
    base_seeded(0)
    b = regions.random_deep([3]).layers[0][0].copy()
    assert np.array_equal(a, b)


def test_bad_base_seed(monkeypatch):
    monkeypatch.setenv("RELUBOOK_SEED", "x")
    with pytest.raises(ValueError, match="RELUBOOK_SEED"):
        training.BatchedMLP(1, [2, 2], seed=0)
