"""Batched training of many MLPs vs a Python loop over per-model nn.Sequential + torch.optim.SGD.

Same work: 120 plain MLPs of the same shape (relu, sigmoid and tanh in turn), the same number of
SGD steps on minibatches of 32 digits, built afresh in each round, and the loss and accuracy on the
training set before and after.  The two ways alternate for 3 rounds on one thread; the minimum of
each is reported with the ratio.  Target: the batched program at least 5x faster than the loop
(README, Benchmarks, for the last measured figure).  Exits 1 when missed.  Run: python benchmarks/bench_training.py
"""

import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import alternate, check, finish, pin  # noqa: E402

from relubook import data, training  # noqa: E402


# The 20x once hoped for is not what 120 models of this size give; the target guards against losing
# the batching.  The ratio depends on the machine: the loop pays Python and dispatch overhead per
# operation, the batched program pays for memory and for computing every activation of a mixed stack
# (chapter 10's study mixes three).  On a faster CPU the loop gains more, and the batched program
# needs its evaluations by activation and by blocks of rows (training._outputs) and its fused
# mixed-activation backward to stay above 5x.
TARGET = 5.0


def main(n_models=120, depth=10, width=16, steps=40):
    pin(1)
    Xtr, ytr, _, _ = data.digits()
    X = torch.tensor(Xtr)
    y = torch.tensor(ytr)
    if 32 * steps > len(ytr):
        raise ValueError(f"steps must be at most {len(ytr) // 32} for one epoch of digits")
    acts = (["relu", "sigmoid", "tanh"] * n_models)[:n_models]

    def batched():
        model = training.BatchedMLP(n_models, [64] + [width] * depth + [10], acts, "he", device="cpu")
        training.train_batched(model, Xtr[: 32 * steps], ytr[: 32 * steps], epochs=1, batch_size=32,
                               lr=0.01, progress=False)

    def loop():
        model = training.BatchedMLP(n_models, [64] + [width] * depth + [10], acts, "he", device="cpu")
        for i in range(n_models):  # the same models, one after the other
            net = model.model(i)
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            perm = torch.randperm(32 * steps)
            for s in range(steps):
                idx = perm[s * 32:(s + 1) * 32]
                loss = torch.nn.functional.cross_entropy(net(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():  # the same evaluations as the batched run: loss and accuracy on the training set, twice
                for _ in range(2):
                    out = net(X[: 32 * steps])
                    torch.nn.functional.cross_entropy(out, y[: 32 * steps])
                    (out.argmax(1) == y[: 32 * steps]).float().mean()

    res = alternate({"batched": batched, "loop": loop}, repeats=3)
    tb, tl = min(res["batched"]), min(res["loop"])
    print(f"{n_models} MLPs of depth {depth}, width {width}, {steps} SGD steps each (batch 32, 1 thread), "
          f"min of 3 alternating rounds")
    print(f"batched (one tensor program): {tb:.2f} s   rounds: {', '.join(f'{t:.2f}' for t in res['batched'])}")
    print(f"per-model Python loop:        {tl:.2f} s   rounds: {', '.join(f'{t:.2f}' for t in res['loop'])}")
    print(f"speed-up: {tl / tb:.1f}x")
    check(f"batched >= {TARGET:.0f}x faster than the loop over {n_models} models", tl / tb >= TARGET,
          f"{tl / tb:.1f}x")
    finish()


if __name__ == "__main__":
    main()
