"""Exact region counting by breakpoint propagation against the naive dense grid, at its coarsest.

The baseline is the cheapest grid that is still right: its cells are no longer than the shortest
piece (so every piece holds a grid point and no cell holds two kinks), i.e. ``n = ceil((hi - lo) /
shortest piece) + 1`` points, checked to give the exact count.  A coarser grid would miss pieces, a
finer one would be slower for nothing.  Networks: the sawtooth (2^depth equal pieces, the grid's
best case), compositional networks with random peaks (2^depth pieces of unequal lengths) and random
deep networks (kinks at irregular places).  When the coarsest grid has more than 2e7 points, or
more unit values than ``grid_count`` allows, its time is measured on 5e5 points and scaled
linearly (said on the line).  Both ways alternate for 3
rounds, one thread; the minimum time of each is reported.

Targets: on irregular networks with at least 1000 pieces (compositional with random peaks, random
deep), exact counting at least 3x faster than the coarsest grid; on the sawtooth with at least 2^14
pieces, the grid's best case (and a grid that must already know the piece length, which only the
exact count tells), exact counting no more than 2x slower.  Exits 1 when a target is missed.  Run: ``.venv/bin/python benchmarks/bench_regions.py``
"""

from __future__ import annotations

import math
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import alternate, check, finish, pin  # noqa: E402

from relubook.composition import sawtooth  # noqa: E402
from relubook.compositional import compositional_network  # noqa: E402
from relubook.regions import count_linear_regions, grid_count, linear_pieces, random_deep  # noqa: E402

TARGET_IRREGULAR, MIN_IRREGULAR = 3.0, 1000
TARGET_SAWTOOTH, MIN_SAWTOOTH = 0.5, 2**14
MAX_GRID = 20_000_000


def case(name, net, lo, hi):
    pin(1)
    kinks = linear_pieces(net, lo, hi)
    exact = len(kinks) + 1
    edges = np.concatenate([[lo], kinks, [hi]])
    shortest = float(np.diff(edges).min())
    n = math.ceil((hi - lo) / shortest) + 1
    scaled = n > MAX_GRID
    if not scaled:
        try:
            assert grid_count(net, lo, hi, n) == exact, f"{name}: the coarsest grid missed a piece"
        except ValueError:  # more unit values than grid_count's work limit allows: time a part
            scaled = True
    n_run = 500_000 if scaled else n
    res = alternate({"exact": lambda: count_linear_regions(net, lo, hi),
                     "grid": lambda: grid_count(net, lo, hi, n_run)}, repeats=3)
    t_exact = min(res["exact"])
    t_grid = min(res["grid"]) * (n / n_run)
    ratio = t_grid / t_exact
    print(f"{name:<34}{exact:>9}{n:>14,}{t_exact:>10.3f}{t_grid:>11.3f}{' (scaled)' if scaled else '':>9}{ratio:>8.1f}")
    return exact, ratio


def main():
    print(f"{'network':<34}{'pieces':>9}{'grid points':>14}{'exact [s]':>10}{'grid [s]':>11}{'':>9}{'ratio':>8}")
    rng = np.random.default_rng(0)
    results = []
    for depth in (10, 14, 18):
        results.append((f"sawtooth depth {depth}", *case(f"sawtooth depth {depth}", sawtooth(depth), 0.0, 1.0)))
    for depth in (10, 14):
        peaks = rng.uniform(0.2, 0.8, depth)
        net = compositional_network(peaks, -0.25)
        results.append((f"compositional, random peaks, d={depth}",
                        *case(f"compositional, random peaks, d={depth}", net, 0.0, 1.0)))
    for widths in ([16, 16, 16], [24, 24, 24]):
        net = random_deep(widths, rng=int(rng.integers(1 << 30)))
        name = f"random deep {'x'.join(map(str, widths))}"
        results.append((name, *case(name, net, -3.0, 3.0)))
    for name, pieces, ratio in results:
        if name.startswith("sawtooth"):
            if pieces >= MIN_SAWTOOTH:
                check(f"{name}: exact at most 2x slower than the coarsest grid", ratio >= TARGET_SAWTOOTH,
                      f"ratio {ratio:.1f}")
        elif pieces >= MIN_IRREGULAR:
            check(f"{name}: exact >= {TARGET_IRREGULAR:.0f}x faster than the coarsest grid",
                  ratio >= TARGET_IRREGULAR, f"{ratio:.1f}x")
    finish()


if __name__ == "__main__":
    main()
