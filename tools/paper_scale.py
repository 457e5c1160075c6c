"""Run chapter 10's and chapter 14's studies at the sources' scale and store the results as JSON.

    python tools/paper_scale.py --out book/data            # both studies, 5 seeds, on CUDA if present
    python tools/paper_scale.py --out /tmp/x --seeds 1 --quick   # a minute-long check of the pipeline

Writes ``paper_depth_training.json`` and ``paper_pretraining.json`` into ``--out`` (format:
:mod:`relubook.results`), each with this command, the package versions and the hardware.  Needs
only relubook's core (torch, numpy, scipy); no Jupyter, widgets or network.  Chapter 10's data:
MNIST when ``RELUBOOK_MNIST`` names its IDX files, otherwise scikit-learn's 8x8 digits (from
scikit-learn, or from the copy in ``tools/digits8x8.npz`` where scikit-learn is absent); the file
says which.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository's relubook, without installing it
os.environ.setdefault("RELUBOOK_DIGITS", str(HERE / "digits8x8.npz"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from relubook import data, pretraining, results, training  # noqa: E402
from relubook.device import base_seed, device, seed  # noqa: E402


def depth_training(n_seeds: int, quick: bool) -> tuple[dict, dict]:
    if os.environ.get("RELUBOOK_MNIST"):
        X, y, Xt, yt = data.mnist()
        source = "MNIST (RELUBOOK_MNIST)"
    else:
        X, y, Xt, yt = data.digits()
        source = "scikit-learn 8x8 digits (no MNIST on this machine)"
    scale = dict(training.DEPTH_SCALES["paper"])
    if quick:
        scale = {"width": 32, "n_seeds": n_seeds, "epochs": {50: 1, 101: 1}, "batch_size": 32}
    training.DEPTH_SCALES["quick"] = scale
    res = training.depth_study(X, y, Xt, yt, "quick" if quick else "paper", n_seeds=n_seeds)
    settings = {"data": source, "n_train": int(len(y)), "n_test": int(len(yt)), "width": scale["width"],
                "epochs": {str(k): v for k, v in scale["epochs"].items()}, "batch_size": scale["batch_size"],
                "n_seeds": n_seeds, "optimizer": "sgd", "quick": quick}
    return settings, training.depth_summary(res)


def pretraining_study(n_seeds: int, quick: bool) -> tuple[dict, dict]:
    n_models = 4 if quick else 30
    epochs = 100 if quick else 1000
    main = pretraining.run_study(n_models=n_models * n_seeds, epochs=epochs, pretrain_epochs=min(200, epochs // 2),
                                 progress=False, chunk=1000 if device().type == "cuda" else 100)
    if quick:
        choices = {"variants": pretraining.CHOICE_VARIANTS, "mse": np.ones((6, n_models * n_seeds)),
                   "switch": np.ones((6, n_models * n_seeds))}
    else:
        choices = pretraining.choices_study(n_models * n_seeds)
    settings = {"n_models": n_models, "n_seeds": n_seeds, "epochs": epochs, "pretrain_epochs": min(200, epochs // 2),
                "lr": pretraining.BOOK_LR, "quick": quick}
    out = {"main": {"n_models": n_models, "n_seeds": n_seeds, "mse": pretraining.study_summary(main)},
           "choices": {"variants": [list(v) for v in choices["variants"]], "reps": n_models * n_seeds,
                       "mse": np.asarray(choices["mse"]).tolist(), "switch": np.asarray(choices["switch"]).tolist()}}
    return settings, out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder for the JSON files (book/data to update the book)")
    parser.add_argument("--seeds", type=int, default=5, help="independent seeds per configuration (default 5)")
    parser.add_argument("--only", choices=("depth_training", "pretraining"), help="run one study only")
    parser.add_argument("--quick", action="store_true", help="tiny settings, marked as a placeholder: checks the pipeline")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(min(8, os.cpu_count() or 1))
    seed(0)
    command = "python tools/paper_scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"device {device()}, base seed {base_seed()}", flush=True)
    for name, fn in (("depth_training", depth_training), ("pretraining", pretraining_study)):
        if args.only and args.only != name:
            continue
        start = time.perf_counter()
        settings, res = fn(args.seeds, args.quick)
        seconds = time.perf_counter() - start
        path = results.write(out / f"paper_{name}.json", name, settings, res, command=command, seconds=seconds,
                             placeholder=args.quick)
        print(f"{name}: {seconds:.0f} s -> {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
