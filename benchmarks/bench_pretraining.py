"""The compositional study of chapter 14 as one batched program vs a Python loop over models.

Same work: 4 curves x 5 network types x 30 models, 1000 full-batch Adam steps each on 500 points
(for the two pretrained types the first 200 steps on peaks and scales, then the raw weights),
with the book's learning rates.  The loop trains one ``nn.Sequential`` (or, while pretraining,
one set of peaks and scales) after the other with ``torch.optim.Adam``; it times a subset of
the models (``--loop-models`` per type and curve) and extrapolates linearly to all of them.
Prints both times and the ratio.  Run: python benchmarks/bench_pretraining.py
"""

import argparse
import sys
import time

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import check, finish  # noqa: E402

from relubook import pretraining as pt
from relubook.training import BatchedMLP


def loop_one(kind, curve, peaks, epochs, pretrain_epochs, x, y):
    """Train one model of ``kind`` the ordinary way; returns its final MSE."""
    lr = pt.BOOK_LR[kind]
    if kind in ("default", "rai"):
        mlp = BatchedMLP(1, [1, 4, 4, 4, 4, 4, 1], "relu", "torch-default" if kind == "default" else "rai",
                         device="cpu").model(0)
    else:
        a = torch.tensor(peaks[None], dtype=torch.float32)
        s0 = torch.tensor([0.25 * pt.wave_sign(curve)], dtype=torch.float32)
        steps_raw = epochs
        if kind in ("free-scales", "enforced"):
            theta = torch.logit(a).requires_grad_(True)
            s0p = s0.clone().requires_grad_(True)
            sf = pt.batched_tied_scales(a, s0).requires_grad_(True)
            ps = [theta, s0p] if kind == "enforced" else [theta, sf]
            opt = torch.optim.Adam(ps, lr=3e-2)
            for _ in range(pretrain_epochs):
                aa = torch.sigmoid(theta)
                s = pt.batched_tied_scales(aa, s0p) if kind == "enforced" else sf
                out = x[:, 0] + torch.einsum("md,mdn->mn", s, pt.batched_waves(x[:, 0], aa))[0]
                loss = ((out - y[:, 0]) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                a = torch.sigmoid(theta)
                s0 = s0p if kind == "enforced" else sf[:, 0]
                scales = pt.batched_tied_scales(a, s0p.detach()) if kind == "enforced" else sf.detach()
            steps_raw = epochs - pretrain_epochs
        else:
            scales = pt.batched_tied_scales(a, s0)
        layers = pt.compositional_weights(a.detach(), scales.detach())
        mods = []
        for i, (W, b) in enumerate(layers):
            lin = torch.nn.Linear(W.shape[2], W.shape[1])
            with torch.no_grad():
                lin.weight.copy_(W[0])
                lin.bias.copy_(b[0])
            mods += [lin, torch.nn.ReLU()] if i < len(layers) - 1 else [lin]
        mlp = torch.nn.Sequential(*mods)
        epochs = steps_raw
    opt = torch.optim.Adam(mlp.parameters(), lr=lr)
    for _ in range(epochs):
        loss = ((mlp(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.detach().item()


def main(n_models=30, epochs=1000, pretrain_epochs=200, loop_models=1, threads=1):
    import relubook as rb

    rb.pin_threads(threads)
    curves, types = tuple(pt.TARGETS), pt.NETWORK_TYPES
    total = len(curves) * len(types) * n_models
    t = time.perf_counter()
    study = pt.run_study(curves, types, n_models=n_models, epochs=epochs, pretrain_epochs=pretrain_epochs,
                         progress=False, device="cpu")
    batched = time.perf_counter() - t

    x = torch.linspace(0, 1, 500).unsqueeze(1)
    peaks = pt.starting_peaks(n_models, 5)
    t = time.perf_counter()
    n_loop = 0
    for curve in curves:
        y = torch.tensor(pt.target(curve, x.numpy()), dtype=torch.float32)
        for kind in types:
            for m in range(loop_models):
                loop_one(kind, curve, peaks[m], epochs, pretrain_epochs, x, y)
                n_loop += 1
    loop_sub = time.perf_counter() - t
    loop = loop_sub * total / n_loop
    print(f"study: {len(curves)} curves x {len(types)} types x {n_models} models = {total} networks, "
          f"{epochs} Adam steps each ({pretrain_epochs} of them pretraining for 2 types), {threads} thread(s)")
    print(f"batched (one tensor program, all {total} models): {batched:.1f} s")
    print(f"per-model Python loop: {loop_sub:.1f} s for {n_loop} models, extrapolated linearly to {total}: {loop:.0f} s")
    print(f"speed-up: {loop / batched:.0f}x")
    check("the batched study >= 10x faster than the per-model loop", loop / batched >= 10, f"{loop / batched:.0f}x")
    print(f"x^3: min MSE default {study.mse('x^3', 'default').min():.2e}, enforced {study.mse('x^3', 'enforced').min():.2e}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=30)
    ap.add_argument("--loop-models", type=int, default=1, help="models per type and curve timed in the loop")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    main(n_models=args.models, loop_models=args.loop_models, threads=args.threads)
    finish()
