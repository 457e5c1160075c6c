"""The stored paper-scale results (book/data) and the code that writes and reads them agree."""

import json

import numpy as np
import pytest

from relubook import results


def test_stored_files_read():
    for study in results.STUDIES:
        record = results.load(study)
        assert record is not None, f"book/data/paper_{study}.json is missing"
        assert record["study"] == study
        assert record["command"].startswith("python tools/paper_scale.py")
        assert {"python", "torch", "numpy"} <= set(record["versions"])
        assert "device" in record["hardware"]


def _depth_results(n):
    cfg = {"test_acc": [0.1] * n, "train_acc": [0.1] * n}
    return {"50": {"epochs": 1, "width": 4, "n_seeds": n, "configs": {"relu/he/0.01": cfg},
                   "best_activation": ["relu"] * n, "relu_he_learns": [False] * n}}


def test_round_trip(tmp_path):
    path = results.write(tmp_path / "paper_depth_training.json", "depth_training", {"width": 4}, _depth_results(2),
                         command="python tools/paper_scale.py --out x", placeholder=True)
    back = results.read(path)
    assert back["results"] == _depth_results(2) and back["placeholder"] is True
    assert results.load("depth_training", tmp_path)["settings"] == {"width": 4}
    assert results.load("pretraining", tmp_path) is None


def test_bad_files(tmp_path):
    path = results.write(tmp_path / "p.json", "depth_training", {}, _depth_results(2), command="python x")
    record = json.loads(path.read_text())
    for key, value in (("format", 99), ("study", "other"), ("seconds", "fast")):
        bad = dict(record, **{key: value})
        path.write_text(json.dumps(bad))
        with pytest.raises(ValueError, match=key if key != "study" else "study"):
            results.read(path)
    short = dict(record)
    short["results"] = _depth_results(2)
    short["results"]["50"]["configs"]["relu/he/0.01"]["test_acc"] = [0.1]
    path.write_text(json.dumps(short))
    with pytest.raises(ValueError, match="seeds"):
        results.read(path)
    with pytest.raises(ValueError, match="study"):
        results.write(tmp_path / "q.json", "nope", {}, {})


def test_pretraining_format(tmp_path):
    res = {"main": {"n_models": 2, "n_seeds": 1, "mse": {"x^3": {"enforced": [1e-6, 2e-6]}}},
           "choices": {"variants": [[200, 0.5, 3e-4]], "reps": 2, "mse": [[1e-6, 1e-6]], "switch": [[1e-5, 1e-5]]}}
    path = results.write(tmp_path / "p.json", "pretraining", {}, res, command="python x")
    assert np.allclose(results.read(path)["results"]["choices"]["mse"], 1e-6)
    res["main"]["mse"]["x^3"]["enforced"] = [1e-6]
    with pytest.raises(ValueError, match="models"):
        results.write(tmp_path / "p.json", "pretraining", {}, res, command="python x")


def test_figure3_table_reads_the_stored_run(capsys):
    record = results.load("depth_training")
    out = results.figure3_table(record, show=False)
    acts = {g[0] for g in out}
    assert acts == {"relu", "sigmoid", "tanh"}
    # every column of the comparison is in the stored run, one value per seed
    assert {(i, lr) for _, i, lr in results.FIGURE3_COLUMNS} == {g[1:] for g in out}
    assert all(len(v) == record["results"]["50"]["n_seeds"] for v in out.values())
    assert all(np.all((0 <= v) & (v <= 1)) for v in out.values())
    results.figure3_table(record)  # prints the table outside Jupyter
    assert "Figure 3" in capsys.readouterr().out
    assert results.figure3_table(None) == {}
    with pytest.raises(ValueError, match="depth"):
        results.figure3_table(record, depth=7)
    with pytest.raises(ValueError, match="metric"):
        results.figure3_table(record, metric="loss")
    # a record without the gain-1 rates shows only the columns it has
    small = results.figure3_table({**record, "results": {"50": {**record["results"]["50"], "configs": {
        k: v for k, v in record["results"]["50"]["configs"].items() if k.endswith("/0.01")}}}}, show=False)
    assert {g[1:] for g in small} == {("lecun", 0.01), ("he", 0.01), ("he-torch-bias", 0.01)}
