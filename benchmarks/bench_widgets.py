"""Benchmark: one slider move of every widget in the book, end to end (recompute, draw, PNG).

Baseline: a fresh figure per move (what ``render_state`` + ``savefig`` do: new axes, constrained
layout, a second draw inside ``savefig``).  Fast way: ``relubook.widgets.LiveFigure``, the path
``slider_figure`` uses (one figure laid out once, the frame kept and blitted while limits and ticks
stay, one rasterisation).  The moves: from each of the two far-apart states of
``relubook._widget_cases`` (A and B), every slider moved alone to its value in the other state and
back, and the jump A <-> B with every slider at once; each widget runs a warm-up move first.
CPU time of this process (``time.process_time``), torch and BLAS on one thread, the two ways
alternated for ``--repeats`` rounds (default 3).

Target: median at most 50 ms per move for every widget (LiveFigure).  Exits 1 when one misses it.
Run: ``.venv/bin/python benchmarks/bench_widgets.py``
"""

import argparse
import io
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import relubook as rb  # noqa: E402
from relubook import widgets  # noqa: E402
from bookkit.widget_cases import book_widget_cases  # noqa: E402

ALT = "One state of a widget, drawn for timing."
TARGET_MS = 50.0


def moves(a: dict, b: dict) -> list:
    """The states visited: every slider alone to the other state's value and back, then the jump."""
    states = []
    for start, other in ((a, b), (b, a)):
        for key in start:
            if start[key] != other[key]:
                states += [{**start, key: other[key]}, start]
        states.append(other)
    return states


def cpu_ms_per_move(render, states) -> list:
    times = []
    for state in states:
        t = time.process_time()
        render(**state)
        times.append(1000 * (time.process_time() - t))
    return times


def fresh(draw):
    def render(**params):
        fig = widgets.render_state(draw, ALT, **params)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return render


def main(repeats: int = 3, only=None) -> int:
    rb.pin_threads(1)
    print(f"one slider move (recompute + draw + PNG): median CPU ms over {repeats} alternating rounds, one thread")
    print(f"{'widget':<18}{'moves':>6}{'fresh figure':>14}{'LiveFigure':>12}{'ratio':>7}  target <= {TARGET_MS:.0f} ms")
    missed = []
    worst = 0.0
    for name, draw, a, b in book_widget_cases():
        if only and not any(o in name for o in only):
            continue
        states = moves(a, b)
        live = widgets.LiveFigure(draw, ALT)
        baseline = fresh(draw)
        live.render(**a)  # warm-up: imports, the first layout, caches of the callback
        baseline(**a)
        t_fresh, t_live = [], []
        for r in range(repeats):
            ways = [(baseline, t_fresh), (live.render, t_live)]
            for render, out in (ways if r % 2 == 0 else ways[::-1]):
                out += cpu_ms_per_move(render, states)
        m_fresh, m_live = float(np.median(t_fresh)), float(np.median(t_live))
        worst = max(worst, m_live)
        ok = m_live <= TARGET_MS
        if not ok:
            missed.append(name)
        print(f"{name:<18}{len(states):>6}{m_fresh:>14.1f}{m_live:>12.1f}{m_fresh / m_live:>7.1f}  {'met' if ok else 'MISSED'}")
    print(f"slowest widget with LiveFigure: {worst:.1f} ms (target {TARGET_MS:.0f} ms)")
    if missed:
        print(f"MISSED the {TARGET_MS:.0f} ms target: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="only the widgets whose name contains one of these (e.g. ch2)")
    args = ap.parse_args()
    sys.exit(main(args.repeats, args.only))
