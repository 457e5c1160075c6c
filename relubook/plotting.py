"""One house style for every figure of the book, with alt text and static twins.

* Colours are the Okabe-Ito palette (safe for colour-blind readers); curves
  also differ by line style and marker so that they survive grey-scale print.
* Every figure function of :mod:`relubook` returns a ``matplotlib`` Figure whose
  ``alt_text`` attribute describes it; :func:`show` displays it in a notebook
  with that alt text attached (the book's renderer puts it into the page).
* :func:`animate` turns a widget's drawing callback and a grid of parameter
  values into a scrubbable JavaScript animation: the static twin of a widget
  for readers without a kernel.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import inspect
import io
import itertools
import os
from typing import Callable, Iterable

import matplotlib

import matplotlib.pyplot as plt

__all__ = [
    "PALETTE",
    "LINESTYLES",
    "MARKERS",
    "STYLE",
    "use_style",
    "figure",
    "set_alt",
    "alt_text",
    "show",
    "Animation",
    "animate",
    "cycle",
    "png_data_uri",
    "COLUMN_PX",
    "MIN_TEXT_PT",
    "displayed_text_sizes",
    "small_text",
    "check_legible",
    "legend_below",
    "legend_overlap",
    "text_overlaps",
    "layout_problems",
    "math_label",
]

#: Okabe & Ito (2008) colours, in an order that keeps neighbours distinct.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: numbers the animations of a session, so that two identical ones on a page get distinct ids
_ANIMATIONS = itertools.count()

_ORDER = ["blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), "-", "--"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": matplotlib.cycler(color=[PALETTE[c] for c in _ORDER], linestyle=LINESTYLES),
    "axes.grid": True,
    # the grid and ticks beneath everything plotted (lines, fills, bars, images), as most house
    # styles have it; it also lets a widget keep the frame between two moves (widgets.LiveFigure)
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "mathtext.fontset": "dejavusans",
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "cividis",
    "animation.embed_limit": 40.0,
}


#: Width in CSS pixels of the book's text column at a 1280 px window (sphinx-book-theme): a
#: wider PNG is scaled down to it.  The house figure, 6.4 in at ``savefig.dpi`` 110, is 704 px.
COLUMN_PX = 730
#: The smallest text, in points as the reader sees it, that a figure may carry.
MIN_TEXT_PT = 9.0


def use_style() -> None:
    """Apply the house style to matplotlib's global settings."""
    plt.rcParams.update(STYLE)
    _share_math_parses()


def _share_math_parses(maxsize: int = 2048) -> None:
    """One cache of parsed math text (``$x^2$``, log-scale tick labels) for every renderer.

    Matplotlib caches each parse (about 10 ms of pyparsing) in its ``MathTextParser``, keyed on the
    parser object, and every renderer makes its own parser: every new figure, every ``savefig``
    parses each label again.  The parse depends only on the parser's output type ("vector" or
    "raster") and on the arguments of the cached method (string, dpi, font, antialiasing, hinting),
    so one cache keyed on those gives the same objects.  Where that private method is missing or
    takes other arguments (another matplotlib), nothing changes."""
    from matplotlib import mathtext

    cached = getattr(mathtext.MathTextParser, "_parse_cached", None)
    plain = getattr(cached, "__wrapped__", None)
    if plain is None or getattr(cached, "shared_by_relubook", False):
        return
    if list(inspect.signature(plain).parameters) != ["self", "s", "dpi", "prop", "antialiased", "load_glyph_flags"]:
        return  # another matplotlib: its own cache stays
    parsers: dict = {}

    @functools.lru_cache(maxsize=maxsize)
    def shared(output_type, s, dpi, prop, antialiased, load_glyph_flags):
        return plain(parsers[output_type], s, dpi, prop, antialiased, load_glyph_flags)

    def _parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
        output_type = self._output_type
        parsers.setdefault(output_type, self)
        return shared(output_type, s, dpi, prop, antialiased, load_glyph_flags)

    _parse_cached.shared_by_relubook = True
    _parse_cached.cache_info = shared.cache_info
    _parse_cached.original = plain
    mathtext.MathTextParser._parse_cached = _parse_cached


use_style()


def cycle(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th curve, as keyword arguments for ``plot``."""
    return {
        "color": PALETTE[_ORDER[i % len(_ORDER)]],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
        "markevery": 0.1,
        "markersize": 4,
    }


def _check_alt(alt) -> str:
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a string describing the figure, got {type(alt).__name__}")
    alt = " ".join(alt.split())
    if len(alt) < 10:
        raise ValueError(f"alt must describe the figure in words (at least 10 characters), got {alt!r}")
    return alt


def set_alt(fig, alt: str):
    """Attach the alt text ``alt`` to ``fig`` and return ``fig``."""
    fig.alt_text = _check_alt(alt)
    return fig


def alt_text(fig) -> str:
    """The alt text attached to ``fig`` (``ValueError`` if there is none)."""
    alt = getattr(fig, "alt_text", None)
    if not alt:
        raise ValueError("this figure has no alt text; create it with relubook.plotting.figure(alt=...)")
    return alt


def figure(alt: str, nrows: int = 1, ncols: int = 1, **kwargs):
    """A new figure in the house style, with alt text: returns ``(fig, axes)``.

    Keyword arguments go to :func:`matplotlib.pyplot.subplots`.
    """
    alt = _check_alt(alt)
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    fig.alt_text = alt
    return fig, axes


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def show(fig) -> None:
    """Display ``fig`` in the notebook as a PNG carrying its alt text, then close it.

    In the book's build (``RELUBOOK_LIVE_FIGURES=1``, :mod:`relubook.livefigure`) it first checks
    the layout (:func:`layout_problems`: no text over text, no legend over the data) and raises
    ``ValueError`` naming the problems, so that a figure composed in a chapter (several panels,
    say) fails the build instead of reaching readers."""
    from IPython.display import Image, display

    from . import livefigure

    if os.environ.get(livefigure.ENV, "") == "1":
        fig.draw_without_rendering()
        problems = layout_problems(fig)
        if problems:
            plt.close(fig)
            raise ValueError("the figure is hard to read: " + "; ".join(problems))
    alt = alt_text(fig)
    data = _png(fig)
    plt.close(fig)
    display(Image(data=data, format="png", metadata={"alt": alt}))


class Animation:
    """A scrubbable animation (HTML with a slider) with alt text.

    Displays itself in a notebook and in the built page; ``frames`` is the
    number of frames and ``values`` the parameter values they show.
    """

    def __init__(self, html_text: str, alt: str, values: list):
        self.html = html_text
        self.alt_text = alt
        self.values = list(values)

    @property
    def frames(self) -> int:
        return len(self.values)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Animation({self.frames} frames: {self.alt_text[:60]}...)"


def animate(
    draw: Callable,
    param: str,
    values: Iterable,
    alt: str,
    fixed: dict | None = None,
    figsize=(6.4, 3.6),
    interval: int = 400,
) -> Animation:
    """The static twin of a widget: one frame per value of ``param``.

    ``draw(ax, **{param: value, **fixed})`` is the same plain function that the
    widget calls; the frames are drawn through :class:`relubook.widgets.LiveFigure`
    as the widget's moves are.  The result is matplotlib's JavaScript animation
    player with a scrub bar, so readers of the static page move through the same
    states without a kernel.
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    if not isinstance(param, str):
        raise TypeError(f"param must be the name of draw's parameter, got {type(param).__name__}")
    values = list(values)
    if not values:
        raise ValueError("values must contain at least one parameter value")
    alt = _check_alt(alt)
    fixed = dict(fixed or {})
    from matplotlib._animation_data import DISPLAY_TEMPLATE, JS_INCLUDE, STYLE_INCLUDE
    from matplotlib.animation import _embedded_frames

    from .widgets import LiveFigure

    # The frames are drawn as a widget draws its moves (one figure laid out once, the frame kept
    # while limits and ticks stay, 256-colour PNGs), then laid out in matplotlib's own JavaScript
    # player, the page that FuncAnimation.to_jshtml writes.
    live = LiveFigure(draw, alt, figsize=figsize, dpi=matplotlib.rcParams["figure.dpi"])
    frames = [base64.b64encode(live.render(**{param: v}, **fixed)).decode("ascii") for v in values]
    if live.fig is not None:
        plt.close(live.fig)
    # the player's element ids: from the content and the animation's number in this session (not
    # random), so that executing a page again writes the same HTML
    digest = hashlib.sha256("\n".join([alt, *frames]).encode()).hexdigest()[:24]
    text = JS_INCLUDE + STYLE_INCLUDE + DISPLAY_TEMPLATE.format(
        id=f"{digest}{next(_ANIMATIONS):08x}", Nframes=len(frames), fill_frames=_embedded_frames(frames, "png"),
        interval=int(interval), once_checked="checked", loop_checked="", reflect_checked="")
    label = html.escape(alt, quote=True)
    text = text.replace("<img id=", f'<img alt="{label}" id=', 1)
    text = f'<div class="relubook-animation" role="figure" aria-label="{label}">{text}</div>'
    return Animation(text, alt, values)


def png_data_uri(fig) -> str:
    """``fig`` as a base64 PNG data URI (used in tests and for embedding)."""
    return "data:image/png;base64," + base64.b64encode(_png(fig)).decode()


# ---------------------------------------------------------------------------
# legibility: text size as displayed, legends off the data
# ---------------------------------------------------------------------------
def _display_scale(fig, dpi: float | None = None, column_px: float = COLUMN_PX) -> float:
    """Points shown per point drawn: a PNG at ``dpi`` shows 1 inch as ``dpi`` CSS px (96 per CSS
    inch), scaled down to the text column when wider."""
    dpi = float(dpi or matplotlib.rcParams["savefig.dpi"])
    if dpi <= 0:
        dpi = fig.dpi
    width_px = fig.get_figwidth() * dpi
    return dpi / 96.0 * min(1.0, column_px / width_px)


def _draw_if_stale(fig) -> None:
    """Draw ``fig`` (layout and all) unless nothing changed since its last draw: the measures below
    read positions that only a draw computes, and a second draw of an unchanged figure gives the
    same ones (its layout engine starts from the same artists)."""
    if fig.stale:
        fig.canvas.draw()


def displayed_text_sizes(fig, dpi: float | None = None, column_px: float = COLUMN_PX) -> list[tuple[str, float]]:
    """Every visible, non-empty text of ``fig`` with its size in points as displayed in the column."""
    scale = _display_scale(fig, dpi, column_px)
    _draw_if_stale(fig)
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.get_in_layout() and t.get_clip_on() and t.get_window_extent().width == 0:
            continue
        out.append((t.get_text(), t.get_fontsize() * scale))
    return out


def small_text(fig, min_pt: float = MIN_TEXT_PT, dpi: float | None = None, column_px: float = COLUMN_PX):
    """The texts of ``fig`` shown smaller than ``min_pt`` points: ``[(text, points), ...]``."""
    return [(t, round(pt, 2)) for t, pt in displayed_text_sizes(fig, dpi, column_px) if pt < min_pt - 1e-9]


def check_legible(fig, min_pt: float = MIN_TEXT_PT):
    """Raise ``ValueError`` naming the texts of ``fig`` that would display below ``min_pt`` points."""
    bad = small_text(fig, min_pt)
    if bad:
        raise ValueError(f"fig has text below {min_pt} pt as displayed in the text column: {bad[:6]}")
    return fig


def _below_x_axis_pt(ax) -> float:
    """Points from the bottom of ``ax`` to below its x tick labels and x label, as they are when
    this is called (tall enough for mathtext such as $10^{-10}$ or $h_{30}$)."""
    from matplotlib.font_manager import FontProperties

    rc = matplotlib.rcParams

    def size(key):
        return FontProperties(size=rc[key]).get_size_in_points()

    pt = 3.0
    if ax.xaxis.get_tick_params().get("labelbottom", True):
        pt += max(rc["xtick.major.size"], 0.0) + rc["xtick.major.pad"] + 1.6 * size("xtick.labelsize")
    if ax.get_xlabel().strip():
        pt += rc["axes.labelpad"] + 1.6 * size("axes.labelsize")
    return pt


def legend_below(ax, ncol: int | None = None, **kwargs):
    """A legend under the axes, off the data, below the x tick labels and the x label (set the label
    first); constrained layout makes room for it.  The offset is in points, so it holds for short
    panels as for tall ones."""
    from matplotlib.transforms import offset_copy

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    ncol = ncol or min(len(handles), 3)
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-_below_x_axis_pt(ax), units="points")
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
                     ncol=ncol, borderaxespad=0.0, **kwargs)


def legend_overlap(ax) -> float:
    """Fraction of the plotted points of ``ax`` that lie under its legend box (0 when off the data)."""
    leg = ax.get_legend()
    if leg is None:
        return 0.0
    fig = ax.figure
    _draw_if_stale(fig)
    box = leg.get_window_extent()
    inside = total = 0
    for line in ax.get_lines():
        xy = line.get_xydata()
        if len(xy) == 0:
            continue
        pts = ax.transData.transform(xy)
        total += len(pts)
        inside += int(((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)).sum())
    return inside / total if total else 0.0


def _text_boxes(fig, renderer) -> list:
    """``(owner, element, bbox)`` of the text of ``fig`` that readers must be able to read: per axes
    (owner ``"axes i"``) its legend, axis labels, titles and the union of each axis's drawn tick
    labels; the figure's legends and title (owner ``"figure"``)."""
    from matplotlib.transforms import Bbox

    def visible(t):
        return t is not None and t.get_visible() and bool(t.get_text().strip())

    boxes = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        name = f"axes {i + 1}"
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            boxes.append((name, "legend", leg.get_window_extent(renderer)))
        for what, t in (("x label", ax.xaxis.label), ("y label", ax.yaxis.label), ("title", ax.title),
                        ("left title", getattr(ax, "_left_title", None)),
                        ("right title", getattr(ax, "_right_title", None))):
            if visible(t):
                boxes.append((name, what, t.get_window_extent(renderer)))
        for what, axis in (("x tick labels", ax.xaxis), ("y tick labels", ax.yaxis)):
            lo, hi = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(lo), abs(hi), hi - lo)
            ticks = [*axis.get_major_ticks(len(axis.get_majorticklocs())),
                     *axis.get_minor_ticks(len(axis.get_minorticklocs()))]
            drawn = [t.get_window_extent(renderer) for tick in ticks if lo - slack <= tick.get_loc() <= hi + slack
                     for t in (tick.label1, tick.label2) if visible(t)]  # the labels a draw shows
            if drawn:
                boxes.append((name, what, Bbox.union(drawn)))
    for leg in fig.legends:
        if leg.get_visible():
            boxes.append(("figure", "legend", leg.get_window_extent(renderer)))
    if getattr(fig, "_suptitle", None) is not None and visible(fig._suptitle):
        boxes.append(("figure", "title", fig._suptitle.get_window_extent(renderer)))
    return boxes


def text_overlaps(fig, min_px: float = 1.0) -> list[str]:
    """Pairs of text elements of ``fig`` that overlap (by more than ``min_px`` pixels each way): a
    legend over an axis label or over tick labels, a title over another panel's labels.  The x and
    y tick labels of one axes are not compared (they meet at the corner by design)."""
    _draw_if_stale(fig)
    renderer = fig.canvas.get_renderer()
    boxes = _text_boxes(fig, renderer)
    found = []
    for i, (owner_a, a, ba) in enumerate(boxes):
        for owner_b, b, bb in boxes[i + 1:]:
            if owner_a == owner_b and {a, b} == {"x tick labels", "y tick labels"}:
                continue
            w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if w > min_px and h > min_px:
                found.append(f"{owner_a}: {a} overlaps {owner_b}: {b}")
    return found


#: the share of an axes' plotted points that a legend may cover
LEGEND_OVER_DATA = 0.02


def layout_problems(fig) -> list[str]:
    """What would make ``fig`` hard to read: text over text (:func:`text_overlaps`) and a legend over
    :data:`LEGEND_OVER_DATA` or more of an axes' plotted points (:func:`legend_overlap`)."""
    problems = text_overlaps(fig)
    for i, ax in enumerate(fig.axes):
        share = legend_overlap(ax)
        if share >= LEGEND_OVER_DATA:
            problems.append(f"axes {i + 1}: the legend covers {share:.0%} of the plotted points")
    return problems


def math_label(name: str) -> str:
    """A curve name such as ``"x^3"`` or ``"x^11"`` as mathtext (``"$x^{11}$"``); other text unchanged."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    m = __import__("re").fullmatch(r"([A-Za-z])\^(-?\d+)", name.strip())
    return f"${m.group(1)}^{{{m.group(2)}}}$" if m else name
