"""Benchmark of relubook.interpolate at scale (issue 4).

Prints, in one run:

* build time of ``interpolate`` for n = 100,000 points in r = 10 dimensions
  (target: under 1 s), and the exactness of the fit, evaluated on all points
  with the O(n log n) path ``evaluate_projected``;
* the same for i.i.d. Gaussian points, whose projections are badly
  conditioned (smallest relative gap ~ 1/n^2), to show what "well separated"
  buys;
* the naive way, solving the dense n x n design system ``H B = Y``, measured at
  equal n where feasible (n = 1000, 2000, 4000), extrapolated to n = 100,000
  with the O(n^3) law, and the ratio against ``interpolate``.

Run: ``.venv/bin/python benchmarks/bench_interpolation.py``
"""

from __future__ import annotations

import time

import sys

import numpy as np
import scipy.linalg

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import check, finish, pin  # noqa: E402

from relubook.interpolation import design_matrix, evaluate_projected, interpolate, projection_gap


def best_time(fn, repeat=3):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def well_separated(n, r, rng):
    """Points spread along one hidden direction u with spacing >= 0.5, plus small transverse noise."""
    u = rng.standard_normal(r)
    u /= np.linalg.norm(u)
    s = rng.permutation(np.arange(n) + rng.uniform(0.0, 0.5, n))
    noise = 1e-3 * rng.standard_normal((n, r))
    noise -= np.outer(noise @ u, u)
    return np.outer(s, u) + noise


def main():
    pin(1)
    rng = np.random.default_rng(0)
    n, r = 100_000, 10
    print(f"interpolate: n = {n:,} points in r = {r} dimensions, scalar values")
    for name, X in [("well separated", well_separated(n, r, rng)), ("Gaussian i.i.d.", rng.standard_normal((n, r)))]:
        Y = rng.standard_normal(n)
        for method in ("ramp", "hat"):
            t, net = best_time(lambda: interpolate(X, Y, method=method))
            te, out = best_time(lambda: evaluate_projected(net, X), repeat=1)
            rel = np.abs(out - Y).max() / np.abs(Y).max()
            gap = projection_gap(X, net.W[0])
            print(
                f"  {name:16s} {method:4s}: build {t:.3f} s ({net.n_neurons:,} ReLUs), "
                f"fast evaluation {te:.3f} s, relative max error {rel:.1e}, relative smallest gap {gap:.1e}"
            )
            if name == "well separated":
                check(f"{method}: build of n = {n:,} under 1 s (best of 3)", t < 1, f"{t:.3f} s")
                check(f"{method}: relative error under 1e-9", rel < 1e-9, f"{rel:.1e}")
    # 5 outputs
    X = well_separated(n, r, rng)
    Y = rng.standard_normal((n, 5))
    t, net = best_time(lambda: interpolate(X, Y))
    rel = np.abs(evaluate_projected(net, X) - Y).max() / np.abs(Y).max()
    print(f"  well separated, k = 5 outputs: build {t:.3f} s, relative max error {rel:.1e}")

    print("naive: dense solve of the n x n design system H B = Y (LU, O(n^3))")
    times = {}
    for m in (1000, 2000, 4000):
        Xm = rng.standard_normal((m, r))
        Ym = rng.standard_normal(m)
        w = interpolate(Xm, Ym).W[0]
        y = np.sort(Xm @ w)

        def naive():
            H = design_matrix(y)
            return scipy.linalg.solve(H, Ym)

        tn, _ = best_time(naive, repeat=1)
        tf, _ = best_time(lambda: interpolate(Xm, Ym))
        times[m] = tn
        print(f"  n = {m:5d}: dense solve {tn:.3f} s, interpolate {tf:.4f} s, ratio {tn / tf:.0f}x")
    m = max(times)
    t_big, _ = best_time(lambda: interpolate(well_separated(n, r, rng), rng.standard_normal(n)), repeat=1)
    extrap = times[m] * (n / m) ** 3
    print(
        f"  extrapolated dense solve at n = {n:,}: {extrap:.0f} s ({extrap / 3600:.1f} h) and "
        f"{8 * n * n / 2**30:.0f} GiB for H; interpolate {t_big:.3f} s; ratio {extrap / t_big:.1e}x"
    )
    check("interpolate >= 10x faster than the dense solve at n = 4000", times[m] / best_time(
        lambda: interpolate(well_separated(m, r, rng), rng.standard_normal(m)))[0] >= 10, "measured above")
    finish()


if __name__ == "__main__":
    main()
