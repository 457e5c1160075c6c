"""Renders of the book's widget cases that several test modules check, each drawn once per process.

``tests/test_livefigure.py`` compares the embedded states of each widget with what the callback
draws on a fresh figure and checks the same fresh figure for legibility (:func:`check_legible`, as
``tests/test_figures.py`` checks the book's other figures): one fresh render per (callback, state).
The widget cases (chapter 14's trains a small study) are built once.  Everything here is cached
per process: with pytest-xdist each worker builds what its own tests ask for, in whatever order
they run.
"""

from __future__ import annotations

import dataclasses
import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bookkit.widget_cases import book_widget_cases  # noqa: E402
from relubook import plotting  # noqa: E402


@functools.lru_cache(maxsize=None)
def widget_cases() -> tuple:
    """:func:`bookkit.widget_cases.book_widget_cases`, built once per process (do not mutate)."""
    return tuple(book_widget_cases())


def _hex(color) -> str:
    return matplotlib.colors.to_hex(color, keep_alpha=False).lower()


@dataclasses.dataclass(frozen=True)
class FreshRender:
    """What one state of a callback draws on a fresh house figure, measured after a full draw.

    ``lines``: the first axes' visible Line2D as (colour, has line, has markers, points as axes
    fractions); ``title``: its title; ``small_text``: :func:`relubook.plotting.small_text`;
    ``axes``: per axes ``(legend_overlap, ylim, yscale, [(label, finite y data, number of x), ...])``;
    ``overlaps``: :func:`relubook.plotting.text_overlaps`."""

    lines: list
    title: str
    small_text: list
    axes: list
    overlaps: list


def _render(draw, params: dict, alt: str) -> FreshRender:
    # plotting.figure is the house figure; widgets.render_state draws a widget's state the same way
    # (plt.subplots at the house size, 6.4 x 3.6 in, constrained layout)
    fig, ax = plotting.figure(alt=alt)
    try:
        draw(ax, **params)
        small = plotting.small_text(fig)  # draws the figure (layout and all)
        first = fig.axes[0]
        lines = []
        for line in first.get_lines():
            if not line.get_visible():
                continue
            xy = np.asarray(line.get_xydata(), float)
            frac = (line.get_transform() - first.transAxes).transform(xy)
            has_line = line.get_linestyle() not in ("None", "", " ") and len(xy) > 1
            has_marker = line.get_marker() not in ("None", "", " ", None) and line.get_markevery() is None
            lines.append((_hex(line.get_color()), has_line, has_marker, frac))
        title = first.get_title()
        axes = []
        for a in fig.axes:
            overlap = plotting.legend_overlap(a)
            ys = []
            for line in a.get_lines():
                y = np.asarray(line.get_ydata(), dtype=float)
                ys.append((line.get_label(), y[np.isfinite(y)], len(line.get_xdata())))
            axes.append((overlap, a.get_ylim(), a.get_yscale(), ys))
        return FreshRender(lines, title, small, axes, plotting.text_overlaps(fig))
    finally:
        plt.close(fig)


_FRESH: dict = {}


def fresh_render(draw, params: dict, alt: str = "A state of one of the book's widgets.") -> FreshRender:
    """:class:`FreshRender` of ``draw(ax, **params)``, drawn once per (callback, parameters) when the
    parameters are hashable (the widget states), else drawn each time."""
    try:
        key = (draw, tuple(sorted(params.items())))
        hash(key)
    except TypeError:
        return _render(draw, params, alt)
    if key not in _FRESH:
        _FRESH[key] = _render(draw, params, alt)
    return _FRESH[key]


#: widgets that keep fixed axis limits on purpose: the interpolant's ramp goes on for ever
FIXED_LIMITS = {"ch8 interpolant"}


def check_legible(name: str, fresh: FreshRender, state: str = "") -> None:
    """No text below :data:`relubook.plotting.MIN_TEXT_PT` as shown in the column, no legend over the
    data, no text over other text (:func:`relubook.plotting.text_overlaps`), and no long curve mostly
    outside the axis limits (linear scales).  ``state`` names the
    widget's state in the messages."""
    where = f"{name} {state}".strip()
    assert fresh.small_text == [], f"{where}: text below {plotting.MIN_TEXT_PT} pt: {fresh.small_text}"
    assert fresh.overlaps == [], f"{where}: text over text: {fresh.overlaps}"
    for overlap, (lo, hi), yscale, lines in fresh.axes:
        assert overlap < plotting.LEGEND_OVER_DATA, f"{where}: the legend covers data"
        for label, y, n_x in lines:
            if y.size and yscale == "linear" and n_x > 20 and name not in FIXED_LIMITS:
                span = max(hi - lo, 1e-12)
                clipped = np.mean((y < lo - 1e-9 * span) | (y > hi + 1e-9 * span))
                assert clipped < 0.3, f"{where}: a curve ({label}) leaves the axis limits"
