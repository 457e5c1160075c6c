"""relubook.memo: a study's result is read back only for an identical call, and then as if computed."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import relubook as rb
from relubook import memo, pretraining

CALLS = []


@memo.memoised
def study(n, scale=1.0):
    """Draws from every global generator, like a training run."""
    CALLS.append(n)
    return {"x": np.random.rand(n) * scale, "t": torch.rand(n).numpy(), "r": random.random(),
            "g": np.random.default_rng(n).random()}


def _draws():
    from relubook.device import generator

    return np.random.rand(), torch.rand(1).item(), random.random(), generator().random()


@pytest.fixture
def memo_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(memo.ENV, str(tmp_path / "memo"))
    CALLS.clear()
    return tmp_path / "memo"


def test_off_without_the_variable(monkeypatch):
    monkeypatch.delenv(memo.ENV, raising=False)
    CALLS.clear()
    rb.seed(0)
    a = study(3)
    rb.seed(0)
    b = study(3)
    assert CALLS == [3, 3] and np.array_equal(a["x"], b["x"])
    assert memo.memo_dir() is None


def test_a_hit_returns_the_result_and_the_random_state_of_a_real_call(memo_dir):
    rb.seed(0)
    first = study(4)
    after_first = _draws()
    rb.seed(0)
    second = study(4)
    after_second = _draws()
    assert CALLS == [4]  # computed once
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert after_first == after_second  # the code after a hit draws what it would after a real call
    assert len(list(memo_dir.glob("*.pkl"))) == 1


def test_another_random_state_or_argument_is_another_call(memo_dir):
    rb.seed(0)
    study(4)
    rb.seed(1)
    study(4)
    rb.seed(0)
    study(4, scale=2.0)
    rb.seed(0)
    study(5)
    assert CALLS == [4, 4, 4, 5]
    rb.seed(0)
    torch.rand(1)  # only torch's generator moved
    study(4)
    assert CALLS == [4, 4, 4, 5, 4]


def test_arguments_that_are_not_plain_data_are_computed_every_time(memo_dir):
    calls = []

    @memo.memoised
    def apply(f, x):
        calls.append(x)
        return f(x)

    assert apply(lambda v: v + 1, 1) == 2 and apply(lambda v: v + 1, 1) == 2
    assert calls == [1, 1] and not memo_dir.exists()


def test_an_unreadable_file_is_computed_and_written_again(memo_dir):
    rb.seed(0)
    first = study(2)
    (path,) = memo_dir.glob("*.pkl")
    path.write_bytes(b"not a pickle")
    rb.seed(0)
    again = study(2)
    assert CALLS == [2, 2] and np.array_equal(first["x"], again["x"])
    rb.seed(0)
    study(2)
    assert CALLS == [2, 2]


def test_an_error_is_raised_and_nothing_is_kept(memo_dir):
    with pytest.raises(ValueError, match="n_models"):
        pretraining.run_study(n_models=0, epochs=2, pretrain_epochs=1, progress=False)
    assert not memo_dir.exists() or not list(memo_dir.iterdir())


def test_a_study_read_back_is_the_study_computed(memo_dir):
    kw = dict(curves=("x^3",), n_models=2, epochs=6, pretrain_epochs=2, n_points=20, snapshot_every=2, progress=False)
    rb.seed(0)
    computed = pretraining.run_study(**kw)
    rb.seed(0)
    read = pretraining.run_study(**kw)
    assert read is not computed
    assert np.array_equal(read.loss, computed.loss) and read.curves == computed.curves
    assert set(read.snapshots) == set(computed.snapshots)
    assert len(list(memo_dir.glob("relubook.pretraining.run_study-*.pkl"))) == 1


def test_a_generator_passed_in_is_keyed_by_its_state_and_left_as_a_real_call_leaves_it(memo_dir, monkeypatch):
    from relubook import initialization, neuron

    def run():
        g = np.random.default_rng(3)
        t = torch.Generator().manual_seed(4)
        p = neuron.active_probability_mc(0.5, 1.0, 4, n=500, rng=g)
        q = initialization.second_moments("he", width=8, depth=3, n_models=2, generator=t)
        return p, q, g.random(), torch.rand(1, generator=t).item()

    monkeypatch.delenv(memo.ENV)
    computed = run()
    monkeypatch.setenv(memo.ENV, str(memo_dir))
    for _ in range(2):  # written, then read back
        p, q, after_g, after_t = run()
        assert p == computed[0] and torch.equal(q, computed[1]) and (after_g, after_t) == computed[2:]
    assert len(list(memo_dir.glob("*.pkl"))) == 2


def test_piece_counts_of_a_study_read_back_are_those_computed(memo_dir, monkeypatch):
    kw = dict(curves=("x^3",), n_models=2, epochs=4, pretrain_epochs=2, n_points=20, snapshot_every=2, progress=False)
    rb.seed(0)
    study = pretraining.run_study(**kw)
    counts = [study.pieces("x^3", k, 2) for k in study.types]
    assert [study.pieces("x^3", k, 2).tolist() for k in study.types] == [c.tolist() for c in counts]
    assert list(memo_dir.glob("relubook.pretraining._stored_pieces-*.pkl"))  # the second round read them
    monkeypatch.delenv(memo.ENV)
    assert [study.pieces("x^3", k, 2).tolist() for k in study.types] == [c.tolist() for c in counts]
