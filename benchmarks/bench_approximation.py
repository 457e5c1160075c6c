"""Benchmark: one widget update of Part II (build + evaluate + draw) and fast vs naive evaluation.

Run: ``.venv/bin/python benchmarks/bench_approximation.py``.  Prints the median CPU time (one
thread) of a slider move for the dyadic widget and the cosine widget (target: at most 50 ms), and
the ratio of a naive evaluation (a Python loop over the units) to the vectorised one (target: at
least 10x, same values).  Exits 1 when a target is missed.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sys  # noqa: E402

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import check, finish, pin  # noqa: E402

from relubook import approx_plots  # noqa: E402
from relubook import approximation as ap  # noqa: E402


def median_ms(fn, repeat=15):
    """Median CPU time of ``fn`` (this process, one thread) over ``repeat`` calls after a warm-up."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return 1e3 * statistics.median(times)


def widget_update(draw, **params):
    """Median ms of the callback alone (build + evaluate + draw artists) and with rasterising."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))

    def callback():
        draw(ax, **params)
        for artist in list(ax.lines) + list(ax.collections) + list(ax.texts):
            artist.remove()  # cheap reset (ax.clear() alone costs about as much as the callback)

    def with_render():
        ax.clear()
        draw(ax, **params)
        fig.canvas.draw()

    ms, ms_render = median_ms(callback), median_ms(with_render)
    plt.close(fig)
    return ms, ms_render


def render_floor():
    """Rasterising a figure with one two-point line in the house style: matplotlib's own floor."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot([0, 1], [0, 1])
    ms = median_ms(fig.canvas.draw)
    plt.close(fig)
    return ms


def naive_eval(net, x):
    """One Python iteration per unit: the way a hand-written loop evaluates the sum."""
    out = np.full(len(x), net.c[0])
    for w, b, beta in zip(net.W[:, 0], net.b, net.B[0]):
        out += beta * np.maximum(w * x + b, 0.0)
    return out


def main():
    pin(1)
    print("widget update, median of 15 (target: callback = build + evaluate + draw under 50 ms):")
    for name, draw, params in (
        ("dyadic depth=10, eps=0.001", approx_plots.draw_dyadic, {"depth": 10, "eps": 0.001}),
        ("cosine M=20, eps=0.01    ", approx_plots.draw_cosine, {"M": 20.0, "eps": 0.01}),
    ):
        ms, ms_render = widget_update(draw, **params)
        print(f"  {name}: callback {ms:6.1f} ms; with ax.clear() and rasterising {ms_render:6.1f} ms")
        check(f"{name.strip()} callback <= 50 ms", ms <= 50, f"{ms:.1f} ms")
    print(f"  matplotlib floor: rasterising a one-line figure takes {render_floor():.1f} ms on this machine")

    x = np.linspace(-21, 21, 1001)
    net = ap.cosine_network(20.0, 0.01, "paper")
    fast = median_ms(lambda: ap.evaluate_1d(net, x))
    matrix = median_ms(lambda: net(x), repeat=3)
    naive = median_ms(lambda: naive_eval(net, x), repeat=3)
    err = np.max(np.abs(naive_eval(net, x) - ap.evaluate_1d(net, x)))
    print(f"evaluate the paper's cosine network ({net.n_neurons} ReLUs) at {len(x)} points:")
    print(f"  naive loop over units {naive:8.1f} ms")
    print(f"  matrix product net(x) {matrix:8.1f} ms")
    print(f"  evaluate_1d           {fast:8.2f} ms   ratio naive / fast = {naive / fast:.0f}x  (max difference {err:.1e})")
    check("evaluate_1d >= 10x faster than the loop over units, same values", naive / fast >= 10 and err < 1e-9,
          f"{naive / fast:.0f}x, max difference {err:.1e}")
    finish()


if __name__ == "__main__":
    main()
