"""Exact region enumeration in the plane against a grid fine enough to find every region.

For a few random two-input networks, :func:`relubook.regions2d.linear_regions_2d`
lists the regions on ``[-1, 1]^2``; the grid then gets a spacing
``h <= sqrt(2) * rho``, where ``rho`` is the smallest inradius of a region, so
every region contains a grid point (a disk of radius ``rho`` always does).  The
grid's count is asserted equal to the exact one.  Exact and grid runs alternate,
``REPEATS`` times each; the median times are compared.  The script exits with
status 1 when the exact method is less than 10 times faster on any network.

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


def main() -> int:
    print(f"{'widths':>8} {'seed':>4} {'regions':>7} {'grid n':>7} {'exact [s]':>10} {'grid [s]':>9} {'ratio':>6}")
    worst = math.inf
    for widths, seed in CASES:
        net = random_deep(widths, np.random.default_rng(seed), n_in=2)
        regs = linear_regions_2d(net)
        rho = smallest_inradius(regs)
        n = int(math.ceil(2.0 / (math.sqrt(2.0) * rho))) + 1  # box side 2
        t_ex, t_gr = [], []
        for _ in range(REPEATS):
            t = time.perf_counter()
            k = len(linear_regions_2d(net))
            t_ex.append(time.perf_counter() - t)
            t = time.perf_counter()
            g = grid_regions_2d(net, n=n)
            t_gr.append(time.perf_counter() - t)
            assert k == g == len(regs), (k, g, len(regs))
        ratio = statistics.median(t_gr) / statistics.median(t_ex)
        worst = min(worst, ratio)
        print(f"{str(widths):>8} {seed:>4} {len(regs):>7} {n:>7} {statistics.median(t_ex):>10.4f} "
              f"{statistics.median(t_gr):>9.3f} {ratio:>6.0f}")
    print(f"smallest speed-up {worst:.0f}x (needed {NEEDED:.0f}x)")
    return 0 if worst >= NEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
