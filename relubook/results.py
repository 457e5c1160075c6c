"""Stored results of the paper-scale runs (``tools/paper_scale.py``) and the code that reads them.

A paper-scale run (``RELUBOOK_SCALE=paper`` settings, meant for a GPU) is too long for the book's
build, so ``tools/paper_scale.py`` runs chapter 10's and chapter 14's studies once and writes one
JSON file per study into ``book/data/``; the chapters show those numbers beside their own
book-scale run.  Every file records the command, the package versions and the hardware that
produced it.  :func:`write` and :func:`read` are the only code that touches the format, and
``tests/test_results.py`` checks that they agree with the files in the repository.

Format (``FORMAT`` = 1), a JSON object with the keys

* ``format`` (int), ``study`` (``"depth_training"`` or ``"pretraining"``), ``scale`` (str),
* ``placeholder`` (bool: ``true`` for a small example run that only shows the format),
* ``command`` (str), ``created`` (UTC time, ISO 8601), ``seconds`` (float),
* ``versions`` (``{package: version}``), ``hardware`` (``{"device", "cpu", "platform", ...}``),
* ``settings`` (object) and ``results`` (object): what the study's summary function returned.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["FORMAT", "STUDIES", "DATA_DIR", "environment", "write", "read", "load", "describe", "depth_table",
           "figure3_table", "pretraining_table"]

FORMAT = 1
STUDIES = ("depth_training", "pretraining")
DATA_DIR = Path(__file__).resolve().parent.parent / "book" / "data"
_KEYS = {"format": int, "study": str, "scale": str, "placeholder": bool, "command": str, "created": str,
         "seconds": (int, float), "versions": dict, "hardware": dict, "settings": dict, "results": dict}


def environment() -> tuple[dict, dict]:
    """``(versions, hardware)`` of this process: Python and package versions, device and CPU."""
    import numpy
    import scipy
    import torch

    versions = {"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__,
                "scipy": scipy.__version__}
    from .device import device

    dev = device()
    hardware = {"device": str(dev), "platform": platform.platform(), "cpu": platform.processor() or platform.machine(),
                "cpu_count": os.cpu_count() or 0}
    if dev.type == "cuda":
        hardware["gpu"] = torch.cuda.get_device_name(dev)
        hardware["cuda"] = str(torch.version.cuda)
    return versions, hardware


def write(path, study: str, settings: dict, results: dict, *, command: str | None = None, seconds: float = 0.0,
          placeholder: bool = False, scale: str = "paper") -> Path:
    """Write one study's results (JSON) with the command, versions and hardware of this process."""
    if study not in STUDIES:
        raise ValueError(f"study must be one of {STUDIES}, got {study!r}")
    versions, hardware = environment()
    record = {"format": FORMAT, "study": study, "scale": scale, "placeholder": bool(placeholder),
              "command": command if command is not None else " ".join([Path(sys.executable).name] + sys.argv),
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": float(seconds),
              "versions": versions, "hardware": hardware, "settings": settings, "results": results}
    _check(record, str(path))
    path = Path(path)
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path


def _check(record, where):
    if not isinstance(record, dict):
        raise ValueError(f"{where}: not a JSON object")
    for key, kind in _KEYS.items():
        if key not in record:
            raise ValueError(f"{where}: missing key {key!r}")
        if not isinstance(record[key], kind) or (kind is int and isinstance(record[key], bool)):
            raise ValueError(f"{where}: {key!r} has type {type(record[key]).__name__}")
    if record["format"] != FORMAT:
        raise ValueError(f"{where}: format {record['format']} (this code reads {FORMAT})")
    if record["study"] not in STUDIES:
        raise ValueError(f"{where}: unknown study {record['study']!r}")
    if record["study"] == "depth_training":
        for depth, entry in record["results"].items():
            n = entry["n_seeds"]
            for cfg, vals in entry["configs"].items():
                if len(cfg.split("/")) != 3 or any(len(v) != n for v in vals.values()):
                    raise ValueError(f"{where}: results[{depth}] config {cfg!r} does not have {n} seeds")
    else:
        main, choices = record["results"]["main"], record["results"]["choices"]
        per_seed = main["n_models"] * main["n_seeds"]
        for curve, types in main["mse"].items():
            if any(len(v) != per_seed for v in types.values()):
                raise ValueError(f"{where}: main study {curve!r} does not have {per_seed} models per type")
        if len(choices["mse"]) != len(choices["variants"]):
            raise ValueError(f"{where}: choices has {len(choices['mse'])} rows for {len(choices['variants'])} variants")


def read(path) -> dict:
    """Read and check one stored study (raises ``ValueError`` naming what does not fit the format)."""
    path = Path(path)
    record = json.loads(path.read_text())
    _check(record, str(path))
    return record


def load(study: str, folder=None) -> dict | None:
    """The stored paper-scale run of ``study`` from ``folder`` (default ``book/data``), or ``None``."""
    if study not in STUDIES:
        raise ValueError(f"study must be one of {STUDIES}, got {study!r}")
    path = Path(DATA_DIR if folder is None else folder) / f"paper_{study}.json"
    return read(path) if path.is_file() else None


def describe(record: dict | None) -> str:
    """One paragraph saying where a stored run comes from (or that none is stored)."""
    if record is None:
        return "No paper-scale run is stored in book/data: run tools/paper_scale.py on a GPU machine."
    hw, v = record["hardware"], record["versions"]
    where = hw.get("gpu", hw.get("cpu", "?")) + f" ({hw['device']})"
    text = (f"Stored run ({record['created']}): {record['command']}\n"
            f"on {where}, Python {v.get('python')}, torch {v.get('torch')}, numpy {v.get('numpy')}; "
            f"{record['seconds']:.0f} s.")
    if record["placeholder"]:
        text = ("PLACEHOLDER: a tiny CPU run that only shows the format (settings far below paper scale); "
                "no paper-scale run is stored yet.\n" + text)
    return text


def _configs(record, depth):
    out = {}
    for key, vals in record["results"][str(depth)]["configs"].items():
        a, i, lr = key.split("/")
        out[(a, i, float(lr))] = {k: np.asarray(v, dtype=float) for k, v in vals.items()}
    return out


def _show(table) -> None:
    """Display a book table in Jupyter; print its text elsewhere (a script, a terminal)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # relubook works without IPython
        print(table)
        return
    if get_ipython() is None:
        print(table)
    else:
        display(table)


def _labels(label, keys, name="label") -> dict:
    """``label`` as one label per key: a string is a prefix (``{label}-{key}``), a dict maps every key
    to its label.  (A chapter that spells its labels out lets the notebook edition number them.)"""
    if isinstance(label, str):
        return {k: f"{label}-{k}" for k in keys}
    if isinstance(label, dict) and all(isinstance(v, str) for v in label.values()):
        missing = [k for k in keys if k not in label]
        if missing:
            raise ValueError(f"{name} has no label for {missing}")
        return {k: label[k] for k in keys}
    raise TypeError(f"{name} must be a string or a dict of strings, got {type(label).__name__}")


def depth_table(record: dict | None, lr: float = 0.01, metric: str = "test_acc", *, label="tab-paper-depth",
                show: bool = True) -> dict:
    """Chapter 10's stored run as numbered tables (one per depth, labels ``{label}-{depth}``, or
    ``label[depth]`` when ``label`` is a dict ``{depth: label}``): mean
    ``metric`` (%) over seeds with [min, max], per initialisation (rows) and activation (columns) at
    learning rate ``lr``.  Returns ``{depth: {(activation, init, lr): per-seed values}}`` (empty
    without a stored run)."""
    from .training import seeds_table

    if record is None:
        print(describe(None))
        return {}
    out = {}
    labels = _labels(label, [int(d) for d in record["results"]])
    for depth in sorted(record["results"], key=int):
        cfg = _configs(record, depth)
        out[int(depth)] = cfg
        if not show:
            continue
        acts = sorted({g[0] for g in cfg}, key=["relu", "sigmoid", "tanh"].index)
        inits = [i for i in ("he", "xavier", "lecun", "he-torch-bias") if any(g[1] == i and g[2] == lr for g in cfg)]
        entry = record["results"][depth]
        values = {g: 100 * np.asarray(v[metric], dtype=float) for g, v in cfg.items()}
        what = "test accuracy" if metric == "test_acc" else "training accuracy"
        _show(seeds_table(values, inits, acts, lr=lr, label=labels[int(depth)],
                          caption=f"Stored paper-scale run, {depth} layers: mean {what} over {entry['n_seeds']} seeds "
                                  f"with [smallest, largest], width {entry['width']}, {entry['epochs']} epochs, "
                                  f"learning rate {lr:g}; data: {record['settings'].get('data', '?')}."))
    return out


#: The columns of :func:`figure3_table`: (heading, initialisation, learning rate).  The source's Figure 3
#: is its first experiment ("Kaiming normal, gain 1", our ``"lecun"``) at three rates; the last two
#: columns are He initialisation with zero biases and with PyTorch's default biases.
FIGURE3_COLUMNS = (("gain 1, lr 0.01", "lecun", 0.01), ("gain 1, lr 0.001", "lecun", 0.001),
                   ("gain 1, lr 0.0001", "lecun", 0.0001), ("He, lr 0.01", "he", 0.01),
                   ("He + default biases, lr 0.01", "he-torch-bias", 0.01))


def figure3_table(record: dict | None, depth: int = 50, metric: str = "train_acc", *,
                  label: str = "tab-paper-figure3", show: bool = True) -> dict:
    """Chapter 10's stored run beside the source's Figure 3 (training accuracy on MNIST, 50 layers, close to
    100% for all three activations): a numbered table with one row per activation and, per column of
    :data:`FIGURE3_COLUMNS` present in the record, mean ``metric`` (%) over seeds with [min, max].
    Returns ``{(activation, init, lr): per-seed values}`` for those columns (empty without a stored run)."""
    from . import tables
    from .validate import check_choice

    metric = check_choice(metric, "metric", ("train_acc", "test_acc"))
    if record is None:
        print(describe(None))
        return {}
    if str(depth) not in record["results"]:
        raise ValueError(f"depth must be one of the stored depths {sorted(record['results'], key=int)}, got {depth!r}")
    cfg = _configs(record, depth)
    acts = sorted({g[0] for g in cfg}, key=["relu", "sigmoid", "tanh"].index)
    cols = [c for c in FIGURE3_COLUMNS if all((a, c[1], c[2]) in cfg for a in acts)]
    out = {(a, i, lr): cfg[(a, i, lr)][metric] for a in acts for _, i, lr in cols}
    if show:
        rows = []
        for a in acts:
            row = {"activation": a, "Figure 3 (reported)": "close to 100"}
            for head, i, lr in cols:
                v = 100 * out[(a, i, lr)]
                row[head] = f"{v.mean():.0f} [{v.min():.0f}, {v.max():.0f}]"
            rows.append(row)
        entry = record["results"][str(depth)]
        what = "training accuracy" if metric == "train_acc" else "test accuracy"
        _show(tables.table(rows, label=label, units={h: "%" for h in ["Figure 3 (reported)"] + [c[0] for c in cols]},
                           caption=f"The source's Figure 3 (MNIST, {depth} layers, training accuracy read from its "
                                   f"plots) beside the stored paper-scale run: mean {what} after the last of "
                                   f"{entry['epochs']} epochs over {entry['n_seeds']} seeds with [smallest, largest], "
                                   f"width {entry['width']}; data: {record['settings'].get('data', '?')}."))
    return out


def pretraining_table(record: dict | None, *, label="tab-paper-pretraining", show: bool = True) -> dict:
    """Chapter 14's stored run as two numbered tables (labels ``{label}`` and ``{label}-choices``, or
    ``label["main"]`` and ``label["choices"]`` when ``label`` is a dict):
    per curve and type, the mean over seeds of the minimum and of the mean final MSE of each seed's
    models; then the choices study.  Returns the per-seed arrays."""
    from . import tables

    if record is None:
        print(describe(None))
        return {}
    labels = {"main": label, "choices": f"{label}-choices"} if isinstance(label, str) else \
        _labels(label, ["main", "choices"])
    main = record["results"]["main"]
    S, M = main["n_seeds"], main["n_models"]
    out = {"main": {}, "choices": {}}
    rows = []
    for curve, types in main["mse"].items():
        for kind, vals in types.items():
            v = np.asarray(vals, dtype=float).reshape(S, M)
            out["main"][(curve, kind)] = v
            rows.append({"target": curve, "network type": kind, "min MSE": float(v.min(axis=1).mean()),
                         "mean MSE": float(v.mean(axis=1).mean())})
    ch = record["results"]["choices"]
    mse = np.asarray(ch["mse"], dtype=float)
    out["choices"] = {"variants": [tuple(v) for v in ch["variants"]], "mse": mse, "switch": np.asarray(ch["switch"], dtype=float)}
    if show:
        _show(tables.table(rows, label=labels["main"], sig=3,
                           caption=f"Stored paper-scale run: {S} seeds of {M} models per type; the minimum and the "
                                   "mean final MSE over each seed's models, averaged over the seeds."))
        crow = [{"pretraining epochs": int(v[0]), "last peak $a_d$": float(v[1]), "raw learning rate": float(v[2]),
                 "mean final MSE": float(row.mean())} for v, row in zip(ch["variants"], mse)]
        _show(tables.table(crow, label=labels["choices"], sig=3, formats={"raw learning rate": "{:.0e}",
                                                                           "last peak $a_d$": "{:.2f}"},
                           caption=f"Stored paper-scale run: the choices study on $x^3$ with the condition "
                                   f"enforced, {mse.shape[1]} models per variant."))
    return out
