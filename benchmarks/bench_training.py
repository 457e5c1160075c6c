"""Batched training of many MLPs vs a Python loop over per-model nn.Sequential + torch.optim.SGD.

Same work: n_models plain MLPs of the same shape, the same number of SGD steps on minibatches
of 32 digits.  Prints both times and the ratio.  Run: python benchmarks/bench_training.py
"""

import time

import torch

from relubook import data, training


def main(n_models=18, depth=50, width=16, steps=40):
    torch.set_num_threads(1)
    Xtr, ytr, _, _ = data.digits()
    X = torch.tensor(Xtr)
    y = torch.tensor(ytr)
    acts = (["relu", "sigmoid", "tanh"] * n_models)[:n_models]
    model = training.BatchedMLP(n_models, [64] + [width] * depth + [10], acts, "he", device="cpu")
    members = [model.model(i) for i in range(n_models)]
    if 32 * steps > len(ytr):
        raise ValueError(f"steps must be at most {len(ytr) // 32} for one epoch of digits")
    n_epochs = 1
    # batched: one program, `steps` SGD steps per model
    t = time.perf_counter()
    training.train_batched(model, Xtr[: 32 * steps], ytr[: 32 * steps], epochs=n_epochs, batch_size=32,
                           lr=0.01, progress=False)
    batched = time.perf_counter() - t
    # per-model loop: the same number of steps, one model after the other
    t = time.perf_counter()
    for net in members:
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        perm = torch.randperm(32 * steps)
        for s in range(steps):
            idx = perm[s * 32:(s + 1) * 32]
            loss = torch.nn.functional.cross_entropy(net(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():  # the batched run also evaluates on the training set twice
            net(X[: 32 * steps])
            net(X[: 32 * steps])
    loop = time.perf_counter() - t
    print(f"{n_models} MLPs of depth {depth}, width {width}, {steps} SGD steps each (batch 32, 1 thread)")
    print(f"batched (one tensor program): {batched:.2f} s")
    print(f"per-model Python loop:        {loop:.2f} s")
    print(f"speed-up: {loop / batched:.1f}x")


if __name__ == "__main__":
    main()
