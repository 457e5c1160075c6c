"""Data sets for the training chapters: scikit-learn's 8x8 digits and MNIST's IDX files.

:func:`digits` ships with the book's dependencies (1,797 images of 8x8 pixels), so the
book-scale experiments need no download.  :func:`mnist` reads the four IDX files of MNIST
from a folder the user gives (argument or the ``RELUBOOK_MNIST`` environment variable) and
says clearly which file is missing; :func:`read_idx` and :func:`write_idx` handle the format.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from .device import shifted
from .validate import check_int, check_real

__all__ = ["digits", "mnist", "read_idx", "write_idx", "MNIST_FILES"]

#: IDX type codes -> numpy dtypes (big-endian, as the format prescribes)
_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _standardise(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


def _float_dtype(dtype, name: str = "dtype"):
    """A numpy floating dtype (``np.float32``, ``"float64"``, ...)."""
    if isinstance(dtype, (str, type, np.dtype)):
        try:
            dt = np.dtype(dtype)
        except TypeError:
            dt = None
        if dt is not None and dt.kind == "f":
            return dt
        raise ValueError(f"{name} must be a numpy floating dtype such as np.float32, got {dtype!r}")
    raise TypeError(f"{name} must be a numpy floating dtype such as np.float32, got {type(dtype).__name__}")


def digits(test_fraction: float = 0.2, seed: int = 0, dtype=np.float32):
    """scikit-learn's 8x8 digits, shuffled, split and standardised with the training statistics.

    Returns ``(X_train, y_train, X_test, y_test)``: float arrays of shape ``(n, 64)`` and
    integer labels 0..9.
    """
    test_fraction = check_real(test_fraction, "test_fraction", low=0.0, high=1.0, open_interval=True)
    seed = check_int(seed, "seed", minimum=0)
    dtype = _float_dtype(dtype)
    X, y = _digits_raw()
    perm = np.random.default_rng(shifted(seed)).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = perm[:n_test], perm[n_test:]
    X_train, X_test = _standardise(X[train], X[test])
    return X_train.astype(dtype), y[train], X_test.astype(dtype), y[test]


def _digits_raw():
    """The 1,797 digits as ``(X, y)``: from scikit-learn, or where it is not installed (the GPU
    machine of ``tools/paper_scale.py``) from the copy of the same arrays in the ``.npz`` file
    named by ``RELUBOOK_DIGITS`` (``tools/digits8x8.npz``: ``images`` 0..16, ``labels``)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        path = os.environ.get("RELUBOOK_DIGITS")
        if not path:
            raise ImportError("digits() needs scikit-learn, or RELUBOOK_DIGITS naming tools/digits8x8.npz") from None
        with np.load(path) as f:
            return f["images"].astype(np.float64), f["labels"].astype(np.int64)
    data = load_digits()
    return data.data.astype(np.float64), data.target.astype(np.int64)


def write_idx(path, array) -> Path:
    """Write ``array`` (uint8, int8, int16, int32, float32 or float64) as an IDX file."""
    arr = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("=").str[1:]: k for k, v in _IDX_TYPES.items()}
    key = arr.dtype.newbyteorder("=").str[1:]
    if key not in codes:
        raise TypeError(f"array must have an IDX dtype (uint8, int8, int16, int32, float32, float64), got {arr.dtype}")
    if arr.ndim == 0 or arr.ndim > 255:
        raise ValueError(f"array must have 1 to 255 dimensions, got {arr.ndim}")
    code = codes[key]
    path = Path(path)
    with open(path, "wb") as fh:
        fh.write(struct.pack(">HBB", 0, code, arr.ndim))
        fh.write(struct.pack(">" + "I" * arr.ndim, *arr.shape))
        fh.write(arr.astype(_IDX_TYPES[code]).tobytes())
    return path


def read_idx(path) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed, name ending in ``.gz``) into a numpy array."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4:
        raise ValueError(f"{path} is too short to be an IDX file")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in _IDX_TYPES or ndim == 0:
        raise ValueError(f"{path} is not an IDX file (bad magic number)")
    header = 4 + 4 * ndim
    shape = struct.unpack(">" + "I" * ndim, raw[4:header])
    dtype = _IDX_TYPES[code]
    count = int(np.prod(shape))
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(f"{path}: header announces shape {shape} but the file holds {len(raw) - header} data bytes")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def mnist(path=None, dtype=np.float32):
    """MNIST from its four IDX files in the folder ``path`` (default: ``$RELUBOOK_MNIST``).

    Images are flattened to 784 columns and standardised with the training statistics.
    Returns ``(X_train, y_train, X_test, y_test)``.  Raises ``FileNotFoundError`` naming the
    folder and the missing files when they are absent (the book does not download them).
    """
    if path is None:
        path = os.environ.get("RELUBOOK_MNIST")
        if not path:
            raise FileNotFoundError(
                "MNIST needs its IDX files: pass path=... or set RELUBOOK_MNIST to a folder holding "
                + ", ".join(MNIST_FILES.values()) + " (optionally .gz)"
            )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a folder name, got {type(path).__name__}")
    dtype = _float_dtype(dtype)
    folder = Path(path)
    found = {key: _find(folder, stem) for key, stem in MNIST_FILES.items()}
    missing = [MNIST_FILES[k] for k, v in found.items() if v is None]
    if missing:
        raise FileNotFoundError(f"MNIST files missing in {folder}: {', '.join(missing)} (also tried .gz)")
    arrays = {k: read_idx(v) for k, v in found.items()}
    for part in ("train", "test"):
        if len(arrays[f"{part}_images"]) != len(arrays[f"{part}_labels"]):
            raise ValueError(f"MNIST {part} images and labels differ in length")
    X_train = arrays["train_images"].reshape(len(arrays["train_images"]), -1).astype(np.float64)
    X_test = arrays["test_images"].reshape(len(arrays["test_images"]), -1).astype(np.float64)
    X_train, X_test = _standardise(X_train, X_test)
    return (X_train.astype(dtype), arrays["train_labels"].astype(np.int64),
            X_test.astype(dtype), arrays["test_labels"].astype(np.int64))
