"""Exact region enumeration in the plane against a grid fine enough to find every region.

For a few random two-input networks, :func:`relubook.regions2d.linear_regions_2d`
lists the regions on ``[-1, 1]^2``; the grid then gets a spacing
``h <= sqrt(2) * rho``, where ``rho`` is the smallest inradius of a region, so
every region contains a grid point (a disk of radius ``rho`` always does).  The
grid's count is asserted equal to the exact one.  Exact and grid runs alternate,
``REPEATS`` times each; the median times are compared.  The script exits with
status 1 when the exact method is less than 10 times faster on any of the fixed
``CASES``, or when the median ratio over the generated networks is below 10.

The generated networks have the shapes of ``SHAPES`` (at least 16 hidden units)
and seeds ``1000, 1001, ...`` (``GENERATED`` in all).  When the grid such a network
needs is larger than ``MAX_GRID`` points a side, the grid is timed at ``MAX_GRID``
(less work than it needs, so the ratio printed with ``>=`` is a lower bound) and
its count is only asserted not to exceed the exact one.  Not every network clears
10x: one whose regions are all large needs only a coarse grid (the script says how
many do), which is why the target for generated networks is on the median.

Run: ``.venv/bin/python benchmarks/bench_regions2d.py``
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import numpy as np

from relubook.regions import random_deep
from relubook.regions2d import grid_regions_2d, linear_regions_2d, smallest_inradius

REPEATS = 3
NEEDED = 10.0
# Networks whose required grid stays below ~1500^2 points (a few seconds).  The grid's cost grows like
# 1 / rho^2, so most random networks favour the exact method far more; the grid's best case is a network
# whose regions are all large: one layer of 10 units with seed 7 (38 regions, grid 339^2) gives only ~7x.
CASES = [([6, 6], 1), ([6, 6], 3), ([12], 0), ([4, 4, 4], 2)]
SHAPES = [[16], [8, 8], [6, 6, 6], [12, 12]]
GENERATED = 8
MAX_GRID = 1200


def measure(widths, seed, cap: int | None = None) -> tuple[float, str]:
    net = random_deep(widths, np.random.default_rng(seed), n_in=2)
    regs = linear_regions_2d(net)
    rho = smallest_inradius(regs)
    need = int(math.ceil(2.0 / (math.sqrt(2.0) * rho))) + 1  # box side 2
    n = need if cap is None else min(need, cap)
    t_ex, t_gr = [], []
    for _ in range(REPEATS):
        t = time.perf_counter()
        k = len(linear_regions_2d(net))
        t_ex.append(time.perf_counter() - t)
        t = time.perf_counter()
        g = grid_regions_2d(net, n=n)
        t_gr.append(time.perf_counter() - t)
        assert k == len(regs) and (g == k if n == need else g <= k), (k, g, len(regs))
    ratio = statistics.median(t_gr) / statistics.median(t_ex)
    bound = "" if n == need else ">="
    print(f"{str(widths):>9} {seed:>5} {len(regs):>7} {need:>7} {statistics.median(t_ex):>10.4f} "
          f"{statistics.median(t_gr):>9.3f} {bound:>3}{ratio:>6.0f}")
    return ratio, bound


def main() -> int:
    print(f"{'widths':>9} {'seed':>5} {'regions':>7} {'grid n':>7} {'exact [s]':>10} {'grid [s]':>9} {'ratio':>9}")
    fixed = [measure(widths, seed)[0] for widths, seed in CASES]
    print("generated:")
    generated = [measure(SHAPES[i % len(SHAPES)], 1000 + i, MAX_GRID)[0] for i in range(GENERATED)]
    median = statistics.median(generated)
    print(f"fixed cases: smallest speed-up {min(fixed):.0f}x; generated networks: median {median:.0f}x, "
          f"{sum(r >= NEEDED for r in generated)} of {GENERATED} at least {NEEDED:.0f}x "
          f"(needed {NEEDED:.0f}x on every fixed case and for the median; ratios marked >= are lower bounds)")
    return 0 if min(fixed) >= NEEDED and median >= NEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
