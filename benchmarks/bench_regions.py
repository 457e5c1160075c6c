"""Exact region counting by breakpoint propagation against the naive dense grid.

Counts the 2^depth linear pieces of the sawtooth on [0, 1] both ways and prints
the times and their ratio.  The grid has four cells per piece so that it sees
every piece (offset by half a cell so that no grid point falls on a kink).

Run: ``.venv/bin/python benchmarks/bench_regions.py``
"""

from __future__ import annotations

import time

from relubook.composition import sawtooth
from relubook.regions import count_linear_regions, grid_count


def timed(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def main():
    print(f"{'depth':>5} {'pieces':>9} {'exact [s]':>10} {'grid [s]':>10} {'grid/exact':>10}")
    for depth in (10, 14, 18, 20):
        net = sawtooth(depth)
        exact, t_exact = timed(lambda: count_linear_regions(net, 0.0, 1.0))
        n = 3 * 2 ** (depth + 1) + 1  # > 4 grid cells per piece, not a dyadic grid
        naive, t_grid = timed(lambda: grid_count(net, 0.0, 1.0, n), repeat=1)
        assert exact == naive == 2**depth, (exact, naive)
        print(f"{depth:>5} {exact:>9} {t_exact:>10.3f} {t_grid:>10.3f} {t_grid / t_exact:>10.1f}")


if __name__ == "__main__":
    main()
