"""Benchmark: one slider move of every widget in the book, end to end (recompute, draw, PNG).

Naive way: a fresh figure per move (what ``render_state`` + ``savefig`` do: new axes, constrained
layout, and a second draw inside ``savefig``).  Fast way: ``relubook.widgets.LiveFigure``, the
path ``slider_figure`` uses (one figure, laid out once, redrawn in place, rasterised once).
Target: median under 50 ms per move.
"""

import io
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from relubook import widgets  # noqa: E402
from bookkit.widget_cases import book_widget_cases  # noqa: E402

ALT = "One state of a widget, drawn for timing."


def median_ms(move, states, repeat=12):
    move(**states[0])  # warm-up (imports, first layout)
    times = []
    for k in range(repeat):
        t = time.perf_counter()
        move(**states[k % 2])
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def fresh(draw):
    def move(**params):
        fig = widgets.render_state(draw, ALT, **params)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return move


def main():
    print("one slider move (recompute + draw + PNG), median of 12 moves alternating two states far apart")
    print(f"{'widget':<18}{'fresh figure [ms]':>19}{'LiveFigure [ms]':>17}{'ratio':>7}  target 50 ms")
    worst = 0.0
    for name, draw, a, b in book_widget_cases():
        t_fresh = median_ms(fresh(draw), [a, b])
        t_live = median_ms(widgets.LiveFigure(draw, ALT).render, [a, b])
        worst = max(worst, t_live)
        print(f"{name:<18}{t_fresh:>19.1f}{t_live:>17.1f}{t_fresh / t_live:>7.1f}  {'ok' if t_live < 50 else 'OVER'}")
    print(f"slowest widget with LiveFigure: {worst:.1f} ms")


if __name__ == "__main__":
    main()
