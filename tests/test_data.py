import gzip

import numpy as np
import pytest

from relubook import data


def test_digits_split_and_standardised():
    Xtr, ytr, Xte, yte = data.digits(test_fraction=0.25, seed=3)
    assert Xtr.shape[1] == 64 and len(Xtr) + len(Xte) == 1797
    assert abs(len(Xte) - 0.25 * 1797) <= 1
    assert np.allclose(Xtr.mean(0), 0, atol=1e-4)
    assert set(np.unique(ytr)) == set(range(10))
    with pytest.raises(ValueError):
        data.digits(test_fraction=1.0)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_idx_roundtrip(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) % 7).astype(dtype)
    path = data.write_idx(tmp_path / "a.idx", arr)
    back = data.read_idx(path)
    assert back.dtype == np.dtype(dtype) and np.array_equal(back, arr)


def test_idx_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        data.read_idx(tmp_path / "nope")
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04\x05")
    with pytest.raises(ValueError):
        data.read_idx(tmp_path / "bad")
    with pytest.raises(TypeError):
        data.write_idx(tmp_path / "c", np.zeros(3, dtype=np.complex64))


def _write_mnist(folder, n_train=20, n_test=6, gz=False):
    rng = np.random.default_rng(0)
    parts = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)).astype(np.uint8),
        "train_labels": rng.integers(0, 10, n_train).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28)).astype(np.uint8),
        "test_labels": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    for key, arr in parts.items():
        p = data.write_idx(folder / data.MNIST_FILES[key], arr)
        if gz:
            with open(p, "rb") as fh, gzip.open(str(p) + ".gz", "wb") as out:
                out.write(fh.read())
            p.unlink()
    return parts


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_loader(tmp_path, gz):
    parts = _write_mnist(tmp_path, gz=gz)
    Xtr, ytr, Xte, yte = data.mnist(tmp_path)
    assert Xtr.shape == (20, 784) and Xte.shape == (6, 784)
    assert np.array_equal(ytr, parts["train_labels"]) and np.array_equal(yte, parts["test_labels"])


def test_mnist_missing_files(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="t10k-images"):
        data.mnist(tmp_path)
    monkeypatch.delenv("RELUBOOK_MNIST", raising=False)
    with pytest.raises(FileNotFoundError, match="RELUBOOK_MNIST"):
        data.mnist()
    monkeypatch.setenv("RELUBOOK_MNIST", str(tmp_path))
    _write_mnist(tmp_path)
    assert data.mnist()[0].shape == (20, 784)
    with pytest.raises(TypeError):
        data.mnist(3)
