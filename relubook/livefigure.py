"""Live figures for the static page: every state of a widget's grid, drawn once by the build.

A widget of the book is a drawing callback ``draw(ax, **params)`` and a few sliders
(:func:`relubook.widgets.slider_figure`).  With a kernel the sliders call the callback.  On the
built page there is no kernel, so the build draws every state of the sliders' grid with the same
callback, records each as SVG (matplotlib's own SVG backend, text kept as text) and embeds it in the
page; a small script of ours (``tools/site/relubook-live.js``, served with the book) swaps the
figure on slider input.  No server, no network, no library.

**The renderer.**  A state is a list of SVG elements (the frame, each tick, each curve, the title,
the legend entries, ...).  Most elements are the same in many states (the frame in all of them), so
the figure's data is one table of distinct elements and, per state, the list of its elements by
number; the table and lists are gzipped and base64-encoded into the page and unpacked by the
browser's own ``DecompressionStream``.  A redraw is one ``innerHTML`` assignment of already
rendered markup: no layout engine, no scales or axes computed in the browser, so the page draws
exactly what matplotlib drew (the same ticks, fonts and house colours) and the script is a few
kilobytes.  Plotly.js (~3.5 MB), Vega-Lite (~0.8 MB with Vega) or uPlot (~50 kB) would each need a
second description of every figure in their own terms, which is the "defined twice" the book avoids,
and would have to be vendored; a hand-written SVG swapper needs neither.

The page's first paint does not wait for any script: the initial state's SVG is in the HTML.

Only the build computes all states (``RELUBOOK_LIVE_FIGURES=1``, set by
``tools/execute_chapters.py``); a reader's kernel gets the ipywidgets sliders.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import inspect
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Callable

import numpy as np

__all__ = ["ENV", "Choices", "choices", "control_values", "initial_state", "StateRecorder", "LiveFigureHTML",
           "live_figure_html", "decode_data", "state_svg", "plain_text"]

#: Set to 1 by the book's build: slider figures then also carry their live static version.
ENV = "RELUBOOK_LIVE_FIGURES"
#: Limits of the issue: the data of one figure (bytes as embedded) and the states of one figure.
MAX_FIGURE_BYTES = 1_000_000
MAX_STATES = 2_000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


class Choices:
    """A slider over a list of values (``widgets.choices(0.01, 0.02, 0.05)``): a ``SelectionSlider``
    with a kernel, a range input over the values on the page."""

    def __init__(self, values):
        values = list(values)
        if not values:
            raise ValueError("choices needs at least one value")
        self.values = values

    def __repr__(self):
        return f"choices({', '.join(map(repr, self.values))})"


def choices(*values) -> Choices:
    """A slider that moves through ``values`` (numbers or strings), in this order."""
    return Choices(values)


def _clean(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    return v


def control_values(name: str, abbrev) -> list:
    """The values one control moves through: ``(min, max, step)`` as ipywidgets reads it (integers
    when all three are), a list of options, :func:`choices`, or an ipywidgets slider/selection."""
    if isinstance(abbrev, Choices):
        return [_clean(v) for v in abbrev.values]
    if isinstance(abbrev, list):
        if not abbrev:
            raise ValueError(f"control {name!r} has no options")
        return [_clean(v) for v in abbrev]
    if isinstance(abbrev, tuple):
        if len(abbrev) not in (2, 3) or not all(isinstance(v, (int, float, np.integer, np.floating))
                                                and not isinstance(v, bool) for v in abbrev):
            raise TypeError(f"control {name!r} must be (min, max) or (min, max, step) numbers, got {abbrev!r}")
        lo, hi = abbrev[0], abbrev[1]
        integer = all(isinstance(v, (int, np.integer)) for v in abbrev)
        step = abbrev[2] if len(abbrev) == 3 else (1 if integer else (hi - lo) / 10)
        if not step > 0 or not hi >= lo:
            raise ValueError(f"control {name!r} needs min <= max and a positive step, got {abbrev!r}")
        n = int(math.floor((hi - lo) / step + 1e-9)) + 1
        if integer:
            return [int(lo + k * step) for k in range(n)]
        digits = max(0, -math.floor(math.log10(step)) + 3)
        return [round(lo + k * step, digits) for k in range(n)]
    options = getattr(abbrev, "options", None)
    if options is not None:  # ipywidgets selection widgets
        return [_clean(o[1] if isinstance(o, tuple) else o) for o in options]
    if all(hasattr(abbrev, a) for a in ("min", "max", "step")):
        return control_values(name, (abbrev.min, abbrev.max, abbrev.step))
    raise TypeError(f"control {name!r}: cannot read the values of {type(abbrev).__name__}; use (min, max, step), "
                    "a list or widgets.choices(...)")


def initial_state(draw: Callable, grids: dict) -> dict:
    """Where the sliders start: the callback's default value when it is on the grid, else the middle
    of the grid (the first option of a list), as ipywidgets does."""
    try:
        params = inspect.signature(draw).parameters
    except (TypeError, ValueError):
        params = {}
    state = {}
    for name, values in grids.items():
        default = params[name].default if name in params else inspect.Parameter.empty
        pick = None
        if default is not inspect.Parameter.empty:
            for v in values:
                if v == default or (isinstance(v, float) and isinstance(default, (int, float))
                                    and not isinstance(default, bool) and abs(v - default) < 1e-9):
                    pick = v
                    break
        if pick is None:
            pick = values[0] if isinstance(values[0], str) else values[(len(values) - 1) // 2]
        state[name] = pick
    return state


def value_label(v) -> str:
    """How a slider shows its value (ipywidgets' readout: two decimals for floats)."""
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:g}"
    return str(v)


_TEX = {r"\alpha": "α", r"\varepsilon": "ε", r"\epsilon": "ε", r"\rho": "ρ", r"\mu": "μ", r"\cdot": "·",
        r"\times": "×", r"\pm": "±", r"\le": "≤", r"\ge": "≥", r"\sigma": "σ", r"\lambda": "λ", r"\,": " ",
        r"\infty": "∞", r"\to": "→", r"\approx": "≈", r"\Delta": "Δ", r"\delta": "δ", "-": "-"}


def plain_text(text: str) -> str:
    """A matplotlib label without its mathtext markup (for alt text): ``$\\alpha$ = 0.5`` -> ``α = 0.5``."""
    out = str(text)
    for tex, uni in sorted(_TEX.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(tex, uni)
    out = re.sub(r"\\(mathrm|mathit|mathbf|operatorname|text)\s*", "", out)
    out = out.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(out.split())


# --------------------------------------------------------------------------------------- recording


def _round(match) -> str:
    s = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _compact(value: str) -> str:
    return _NUMBER.sub(_round, " ".join(value.split()))


_FONTS = re.compile(r"font-family: 'DejaVu Sans'[^;\"]*")
_KEEP_IDS = {"path", "clipPath", "pattern", "marker", "symbol"}


def _tidy(el) -> None:
    """Drop the ids of groups (they number artists and change between states), round coordinates to
    0.01 pt, use ``href`` (SVG 2) for ``xlink:href``."""
    for node in el.iter():
        tag = node.tag.split("}")[-1]
        if tag not in _KEEP_IDS and "id" in node.attrib:
            del node.attrib["id"]
        href = node.attrib.pop(f"{{{XLINK_NS}}}href", None)
        if href is not None:
            node.set("href", href)
        if "style" in node.attrib:
            node.set("style", _FONTS.sub("font-family: 'DejaVu Sans', sans-serif", node.attrib["style"]))
        for key in ("d", "x", "y", "width", "height", "transform", "points"):
            if key in node.attrib:
                node.set(key, _compact(node.attrib[key]))
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def _serialize(el) -> str:
    _tidy(el)
    s = ET.tostring(el, encoding="unicode", short_empty_elements=True)
    return s.replace(f' xmlns="{SVG_NS}"', "").replace(f' xmlns:xlink="{XLINK_NS}"', "").replace("ns0:", "")


def svg_items(svg: str) -> tuple[list[str], tuple[float, float]]:
    """Split matplotlib's SVG of a figure into its drawn elements, in drawing order (``(items,
    (width, height))``, sizes in points): the children of each axes, the figure's other children,
    then the definitions written at the end (clip paths, hatches)."""
    items, _, size = _svg_parts(svg)
    return items, size


def _svg_parts(svg: str) -> tuple[list[str], list[str], tuple[float, float]]:
    """:func:`svg_items`, and for each item the id matplotlib gave its group (``matplotlib.axis_1``
    for the x axis of an axes, ...; empty when none), read before the ids are dropped."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    view = [float(v) for v in root.get("viewBox").split()]
    items, ids = [], []
    for child in root:
        tag = child.tag.split("}")[-1]
        if tag == "metadata":
            continue
        if tag == "defs" and child.find(f"{{{SVG_NS}}}style") is not None:
            continue  # the stylesheet: applied by the page's wrapper (see LiveFigureHTML)
        if tag == "g" and child.get("id", "").startswith("figure"):
            for part in child:
                if part.get("id", "").startswith("axes"):
                    for c in part:
                        ids.append(c.get("id", ""))
                        items.append(_serialize(c))
                else:
                    ids.append(part.get("id", ""))
                    items.append(_serialize(part))
        else:
            ids.append(child.get("id", ""))
            items.append(_serialize(child))
    return items, ids, (view[2], view[3])


#: The prefix of the ids matplotlib's SVG renderer gives the groups of an axes' axes
#: (``matplotlib.axis_1``, ``_2``, in drawing order), and the ids of the empty groups drawn in
#: place of the x and y axis when the recorder reuses an axis drawn for an earlier state.
_AXIS_GROUP = "matplotlib.axis_"
_MARK_IDS = ("relubook-reused-xaxis", "relubook-reused-yaxis")
#: The same for the axes' legend (``legend_1``).
_LEGEND_GROUP = "legend_"
_LEGEND_MARK = "relubook-reused-legend"
_REF = re.compile(r'href="#([^"]+)"|url\(#([^)]+)\)')


def _mark(gid: str):
    """A stand-in for ``Axis.draw``: an empty group with id ``gid``, replaced afterwards."""

    def draw(renderer, *args, **kwargs):
        renderer.open_group("relubook-reused", gid=gid)
        renderer.close_group("relubook-reused")

    return draw


def _no_offset_text(axis):
    """A stand-in for ``Axis.get_tightbbox`` while ``Axes.draw`` places the title above a reused
    axis without an offset text: it leaves the offset text as the real one does (empty) and
    measures nothing."""

    def get_tightbbox(renderer=None, *, for_layout_only=False):
        if axis.get_visible() and not (for_layout_only and not axis.get_in_layout()):
            axis.offsetText.set_text(axis.major.formatter.get_offset())
        return None

    return get_tightbbox


def _one_axis_signature(ax, which: str) -> tuple:
    axis, lim, scale, other = ((ax.xaxis, ax.get_xlim(), ax.get_xscale(), ax.get_ylim()) if which == "x" else
                               (ax.yaxis, ax.get_ylim(), ax.get_yscale(), ax.get_xlim()))
    spines = [ax.spines[name].get_position() for name in (("bottom", "top") if which == "x" else ("left", "right"))
              if name in ax.spines]
    # an axis drawn along a spine placed in data coordinates moves with the other axis' limits
    placed = any(p if isinstance(p, str) else p[0] == "data" for p in spines)
    sig = [which, lim, scale, ax.get_aspect(), ax.get_position().bounds, repr(spines), other if placed else None,
           axis.get_visible(), axis.get_label().get_text(), axis.get_label_position(), axis.get_ticks_position(),
           repr(sorted(axis._major_tick_kw.items())), repr(sorted(axis._minor_tick_kw.items())),
           axis.get_label().get_fontsize(), axis.get_label().get_color()]
    for ticker in (axis.major, axis.minor):
        locs = [float(v) for v in ticker.locator()]
        labels = tuple(ticker.formatter.format_ticks(locs))
        offset = ticker.formatter.get_offset() if hasattr(ticker.formatter, "get_offset") else ""
        sig += [type(ticker.locator).__name__, type(ticker.formatter).__name__, tuple(locs), labels, offset]
    return tuple(sig)


def _font_signature(fp) -> tuple:
    return (tuple(fp.get_family()), fp.get_style(), fp.get_variant(), fp.get_weight(), fp.get_stretch(),
            fp.get_size(), fp.get_math_fontfamily(), fp.get_file())


def _text_signature(t) -> tuple:
    return (t.get_text(), str(t.get_color()), t.get_alpha(), t.get_visible(), t.get_rotation(),
            t.get_horizontalalignment(), t.get_verticalalignment(), t.get_usetex(), t.get_linespacing(),
            _font_signature(t.get_fontproperties()), t.get_bbox_patch() is not None)


def _handle_signature(h):
    import matplotlib.lines as mlines
    import matplotlib.patches as mpatches

    if type(h) is mlines.Line2D:
        return ("line", str(h.get_color()), str(h.get_linestyle()), h.get_linewidth(), str(h._dash_pattern),
                str(h.get_marker()), h.get_markersize(), str(h.get_markerfacecolor()),
                str(h.get_markerfacecoloralt()), str(h.get_markeredgecolor()), h.get_markeredgewidth(),
                h.get_fillstyle(), str(h.get_markevery()), h.get_drawstyle(), h.get_alpha(), h.get_visible(),
                h.get_dash_capstyle(), h.get_solid_capstyle(), h.get_dash_joinstyle(), h.get_solid_joinstyle(),
                h.get_antialiased(), h.get_gapcolor() is not None and str(h.get_gapcolor()),
                tuple(map(float, h.get_xdata())), tuple(map(float, h.get_ydata())), h.get_path_effects() == [])
    if type(h) in (mpatches.Rectangle, mpatches.Patch):
        return ("patch", type(h).__name__, tuple(h.get_facecolor()), tuple(h.get_edgecolor()), str(h.get_hatch()),
                str(getattr(h, "_hatch_color", None)), h.get_linewidth(), str(h.get_linestyle()),
                str(h._dash_pattern), h.get_alpha(), h.get_visible(), h.get_fill(), h.get_capstyle(),
                h.get_joinstyle(), h.get_antialiased(), h.get_path_effects() == [],
                tuple(h.get_bbox().bounds) if hasattr(h, "get_bbox") else None)
    return None


def _boxstyle(style) -> tuple:
    return (type(style).__name__, repr(sorted(vars(style).items())))


def legend_signature(ax):
    """What the axes' legend draws from, or ``None`` for a legend this does not describe (placed
    ``"best"``, on the data; with a kind of handle other than a line or a patch; beside another
    legend; with path effects or a shadow).  Two states with the same signature draw the legend
    the same, given the same fixed layout."""
    import matplotlib.legend as mlegend

    legend = ax.get_legend()
    if legend is None or not legend.get_visible() or legend._loc in (0, "best") or legend.shadow:
        return None
    if type(legend) is not mlegend.Legend or any(isinstance(a, mlegend.Legend) for a in ax.get_children()
                                                 if a is not legend):
        return None
    if legend.get_path_effects() or legend.get_clip_on() and legend.get_clip_path() is not None:
        return None
    frame = legend.legendPatch
    sig = [ax.get_position().bounds, ax.figure.dpi, legend._loc, tuple(legend.get_bbox_to_anchor().bounds),
           legend._ncols, legend._mode, legend.borderpad, legend.labelspacing, legend.handlelength,
           legend.handleheight, legend.handletextpad, legend.borderaxespad, legend.columnspacing,
           legend.markerscale, legend.numpoints, legend.scatterpoints, legend._alignment, legend.get_alpha(),
           legend._fontsize, str(legend._legend_box.align) if legend._legend_box is not None else None,
           _text_signature(legend.get_title()),
           (tuple(frame.get_facecolor()), tuple(frame.get_edgecolor()), frame.get_linewidth(),
            str(frame.get_linestyle()), frame.get_alpha(), frame.get_visible(), _boxstyle(frame.get_boxstyle()),
            frame.get_mutation_scale(), frame.get_path_effects() == [])]
    texts = legend.get_texts()
    handles = legend.legend_handles
    if len(handles) != len(texts):
        return None
    for t, h in zip(texts, handles):
        hs = _handle_signature(h)
        if hs is None:
            return None
        sig.append((_text_signature(t), hs))
    return tuple(sig)


def axis_signatures(ax) -> tuple[tuple, tuple]:
    """The x axis' and the y axis' signature: everything each draws from besides the fixed layout
    (its limits and scale, tick locations and labels with the formatter's offset, axis label, tick
    parameters, the axes' position and aspect, its spines' placement).  Two states with the same
    signature for an axis draw that axis the same, tick for tick, whatever the other axis does."""
    return _one_axis_signature(ax, "x"), _one_axis_signature(ax, "y")


class StateRecorder:
    """Draws states of ``draw`` on one figure (laid out once, on the first state, as
    :class:`relubook.widgets.LiveFigure` does) and returns each as SVG elements.

    The axes' x and y axis (ticks, tick labels, grid, axis label) are most of a draw and stay the
    same over many states.  With ``reuse_axes`` (the default) an axis whose signature
    (:func:`axis_signatures`, one per axis) was drawn before gets that drawing instead of being
    drawn again: the same SVG
    (``tests/test_livefigure.py`` compares both ways on every widget of the book)."""

    def __init__(self, draw: Callable, figsize=(6.4, 3.6), reuse_axes: bool = True):
        from .widgets import LiveFigure

        import matplotlib.text as mtext

        self.live = LiveFigure(draw, "A state of a live figure of the book.", figsize=figsize)
        self.size = None
        self.reuse_axes = bool(reuse_axes)
        self.reused = 0  # states that reused an earlier state's axes (for tests)
        self.legends_reused = 0  # states that reused an earlier state's legend
        self._axes = {}  # one axis' signature -> its drawn element
        self._legends = {}  # a legend's signature -> its drawn element
        self._text2path = mtext.TextToPath()
        self._metrics = {}  # (text, font, ismath, dpi) -> (width, height, descent) of the SVG renderer

    def _text_metrics(self, original):
        """``matplotlib.text._get_text_metrics_with_cache`` with one cache for every SVG renderer of
        this recorder.  Matplotlib caches text metrics per renderer, and ``savefig`` makes a new one
        for each state, so each state measured its tick labels, legend entries and title afresh;
        the SVG renderer's metrics are those of the shared ``TextToPath`` (they depend on nothing
        else), so one cache gives the same numbers."""
        from matplotlib.backends.backend_svg import RendererSVG

        cache, text2path = self._metrics, self._text2path

        def metrics(renderer, text, fontprop, ismath, dpi):
            if type(renderer) is not RendererSVG or renderer._text2path is not text2path:
                return original(renderer, text, fontprop, ismath, dpi)
            prop = fontprop.copy()
            key = (text, prop, ismath, dpi)
            found = cache.get(key)
            if found is None:
                found = cache[key] = text2path.get_text_width_height_descent(text, prop, ismath)
            return found

        return metrics

    def record(self, **params) -> list[str]:
        live = self.live
        if live.fig is None or not live.in_place:
            live.fig, live.ax = live._new()
            live.draw(live.ax, **params)
            live.fig.canvas.draw()
            live.in_place = len(live.fig.axes) == 1
            live.fig.set_layout_engine("none")
            self._axes, self._legends = {}, {}
        else:
            live._reset(live.ax)
            live.draw(live.ax, **params)
            if len(live.fig.axes) != 1:
                live.in_place = False
            else:
                live.ax.autoscale_view()
        # each axis on its own: a slider that moves only the y limits keeps the x axis drawn once
        signatures = axis_signatures(live.ax) if self.reuse_axes and len(live.fig.axes) == 1 else (None, None)
        reuse = [self._axes.get(sig) if sig is not None else None for sig in signatures]
        axes_drawn = (live.ax.xaxis, live.ax.yaxis)
        for axis, gid, kept in zip(axes_drawn, _MARK_IDS, reuse):
            if kept is not None:
                axis.draw = _mark(gid)  # the instance attribute hides Axis.draw for this draw only
        yaxis = live.ax.yaxis
        if reuse[1] is not None and yaxis.major.formatter.get_offset() == "":
            # Axes.draw places a title by measuring the whole y axis (ticks, labels) only to see
            # whether its offset text ("1e-5") overlaps the title; without an offset text that
            # measure decides nothing, and a reused y axis is not drawn from it
            yaxis.get_tightbbox = _no_offset_text(yaxis)
        # the legend likewise, as a whole (legend_signature)
        legend_sig = legend_signature(live.ax) if signatures[0] is not None else None
        legend_kept = self._legends.get(legend_sig) if legend_sig is not None else None
        try:
            items, ids, size = self._savefig(live.ax.get_legend() if legend_kept is not None else None)
            if legend_kept is not None and not self._refs_found(legend_kept, items, ids):
                # the kept legend refers to a definition (a marker's path, a clip path) that an
                # earlier state drew elsewhere and this one does not: draw the legend after all
                legend_kept = None
                items, ids, size = self._savefig(None)
        finally:
            for axis in axes_drawn:
                axis.__dict__.pop("draw", None)
                axis.__dict__.pop("get_tightbbox", None)
        # the axes drawn this time, in drawing order (x before y): matplotlib numbers their groups
        # matplotlib.axis_1, _2, ... counting only the axes it drew
        drawn = [k for k in (0, 1) if reuse[k] is None]
        found = [i for i, gid in enumerate(ids) if gid.startswith(_AXIS_GROUP)]
        if len(found) == len(drawn):
            for k, i in zip(drawn, found):
                if signatures[k] is not None:
                    self._axes[signatures[k]] = items[i]
        for gid, kept in zip(_MARK_IDS, reuse):
            if kept is not None:
                items[ids.index(gid)] = kept
        if any(kept is not None for kept in reuse):
            self.reused += 1
        if legend_kept is not None:
            items[ids.index(_LEGEND_MARK)] = legend_kept
            self.legends_reused += 1
        elif legend_sig is not None:
            found = [i for i, gid in enumerate(ids) if gid.startswith(_LEGEND_GROUP)]
            # a legend that defines something (a marker's path) is drawn each time: others may use it
            if len(found) == 1 and "<defs" not in items[found[0]] and ' id="' not in items[found[0]]:
                self._legends[legend_sig] = items[found[0]]
        self.size = size
        return items

    @staticmethod
    def _refs_found(item: str, items: list[str], ids: list[str]) -> bool:
        """Whether every ``#id`` that ``item`` refers to is defined by the other items of a state."""
        refs = {a or b for a, b in _REF.findall(item)}
        if not refs:
            return True
        others = "".join(x for x, gid in zip(items, ids) if gid != _LEGEND_MARK)
        return all(f'id="{r}"' in others for r in refs)

    def _savefig(self, legend_stub):
        """Draw the figure as SVG and split it (:func:`_svg_parts`); an axis with a ``draw`` stand-in
        and ``legend_stub`` (when not ``None``) are drawn as empty marked groups."""
        import matplotlib
        import matplotlib.text as mtext

        live = self.live
        if legend_stub is not None:
            legend_stub.draw = _mark(_LEGEND_MARK)
        buf = io.StringIO()
        # The layout is fixed (set_layout_engine("none") leaves a placeholder engine), but savefig
        # draws the whole figure once more "for the layout" whenever any engine is set: without the
        # placeholder it draws once, the same picture, in half the time.
        # Every SVG renderer makes its own TextToPath, whose mathtext parser caches by instance: one
        # shared for all the states keeps a label such as $F'(x)$ parsed once, not once per state.
        engine, live.fig._layout_engine = live.fig.get_layout_engine(), None
        make, mtext.TextToPath = mtext.TextToPath, lambda: self._text2path
        metrics = mtext._get_text_metrics_with_cache
        mtext._get_text_metrics_with_cache = self._text_metrics(metrics)
        try:
            with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "relubook", "svg.id": None}):
                live.fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            live.fig._layout_engine = engine
            mtext.TextToPath = make
            mtext._get_text_metrics_with_cache = metrics
            if legend_stub is not None:
                legend_stub.__dict__.pop("draw", None)
        return _svg_parts(buf.getvalue())

    def title(self) -> str:
        ax = self.live.ax
        parts = [ax.get_title(loc) for loc in ("left", "center", "right")]
        return plain_text(" ".join(p for p in parts if p))


# ------------------------------------------------------------------------------------------- page


class LiveFigureHTML:
    """The page's version of a slider figure: ``_repr_mimebundle_`` gives the HTML (sliders, the
    initial state's SVG, the embedded data of every state).  Built by :func:`live_figure_html`."""

    def __init__(self, html_text: str, data: dict, spec: dict, png: bytes | Callable[[], bytes] | None = None,
                 alt0: str = ""):
        self.html = html_text
        self.data = data
        self.spec = spec
        self._png = png  # bytes, or a function drawing them when first asked for (the page never needs them)
        self.alt0 = alt0

    @property
    def png(self) -> bytes | None:
        """The initial state as PNG (drawn on first use)."""
        if callable(self._png):
            self._png = self._png()
        return self._png

    def _repr_mimebundle_(self, include=None, exclude=None):
        """HTML for the page; the initial state as PNG (with its alt text) for builders that take no
        HTML (the PDF)."""
        data = {"text/html": self.html, "text/plain": f"<live figure: {len(self.data['states'])} states>"}
        meta = {}
        if self.png is not None:
            data["image/png"] = base64.b64encode(self.png).decode("ascii")
            meta["image/png"] = {"alt": self.alt0}
        return data, meta

    @property
    def data_bytes(self) -> int:
        return len(self.spec["payload"])


def _encode(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def decode_data(payload: str) -> dict:
    """The embedded data of a live figure (what the page's script unpacks)."""
    return json.loads(gzip.decompress(base64.b64decode(payload)).decode())


def state_svg(data: dict, k: int) -> str:
    """The SVG elements of state number ``k`` of decoded data, as the page draws them."""
    return "".join(data["table"][i] for i in data["states"][k])


def _state_index(grids: dict, state: dict) -> int:
    k = 0
    for name, values in grids.items():
        k = k * len(values) + values.index(state[name])
    return k


def _states(grids: dict):
    names = list(grids)
    for combo in np.ndindex(*[len(v) for v in grids.values()]):
        yield {n: grids[n][i] for n, i in zip(names, combo)}


def live_figure_html(draw: Callable, alt: str, figsize=(6.4, 3.6), fixed: dict | None = None,
                     **controls) -> LiveFigureHTML:
    """Draw every state of the sliders' grid and return the live figure for the page.

    ``controls`` as for :func:`relubook.widgets.slider_figure`; ``fixed`` are further keyword
    arguments of ``draw``.  Raises ``ValueError`` when the grid has more than ``MAX_STATES`` states or
    the data exceeds ``MAX_FIGURE_BYTES``."""
    from .plotting import _check_alt

    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    alt = _check_alt(alt)
    if not controls:
        raise ValueError("live_figure_html needs at least one control, e.g. depth=(1, 8, 1)")
    fixed = dict(fixed or {})
    grids = {name: control_values(name, abbrev) for name, abbrev in controls.items()}
    n_states = int(np.prod([len(v) for v in grids.values()]))
    if n_states > MAX_STATES:
        raise ValueError(f"controls span {n_states} states, more than {MAX_STATES}: use coarser steps or choices(...)")
    start = initial_state(draw, grids)
    recorder = StateRecorder(draw, figsize=figsize)
    recorder.record(**fixed, **start)  # the layout of every state: the initial one's
    table, where, states, alts, titles = [], {}, [], [], []
    for state in _states(grids):
        items = recorder.record(**fixed, **state)
        ids = []
        for item in items:
            if item not in where:
                where[item] = len(table)
                table.append(item)
            ids.append(where[item])
        states.append(ids)
        title = recorder.title()
        shown = ", ".join(f"{n} = {value_label(v)}" for n, v in state.items())
        titles.append(title)
        alts.append(f"{alt} Shown: {shown}." + (f" Title: {title}." if title else ""))
    width, height = recorder.size
    data = {"table": table, "states": states, "alts": alts}
    payload = _encode(data)
    if len(payload) > MAX_FIGURE_BYTES:
        raise ValueError(f"the live figure's data is {len(payload)} bytes, more than {MAX_FIGURE_BYTES}: "
                         "use coarser steps")
    k0 = _state_index(grids, start)
    name = getattr(draw, "__qualname__", None) or getattr(getattr(draw, "func", None), "__qualname__", "figure")
    module = getattr(draw, "__module__", None) or getattr(getattr(draw, "func", None), "__module__", "")
    spec = {
        "callback": f"{module}:{name}",
        "fixed": {k: v for k, v in fixed.items() if isinstance(v, (int, float, str, bool))},
        "controls": [{"name": n, "values": [_clean(v) for v in vals], "labels": [value_label(v) for v in vals]}
                     for n, vals in grids.items()],
        "initial": k0,
        "size": [width, height],
        "payload": payload,
    }
    png = functools.partial(recorder.live.render, **fixed, **start)
    return LiveFigureHTML(_page_html(spec, state_svg(data, k0), alts[k0]), data, spec, png, alts[k0])


_COUNTER = [0]


def _page_html(spec: dict, svg0: str, alt0: str) -> str:
    _COUNTER[0] += 1
    # from the content and the figure's number in this session, not the process id: executing a
    # page again writes the same HTML, and two like figures on a page still get distinct ids
    uid = f"relubook-live-{hashlib.sha256(spec['payload'].encode()).hexdigest()[:12]}-{_COUNTER[0]}"
    width, height = spec["size"]
    rows = []
    for i, c in enumerate(spec["controls"]):
        k = _state_digit(spec, i)
        n = len(c["values"])
        rows.append(
            f'<div class="relubook-live-control"><label for="{uid}-{i}">{html.escape(c["name"])}</label>'
            f'<input type="range" id="{uid}-{i}" min="0" max="{n - 1}" step="1" value="{k}" '
            f'aria-valuetext="{html.escape(c["labels"][k])}" disabled>'
            f'<output for="{uid}-{i}">{html.escape(c["labels"][k])}</output></div>'
        )
    meta = {k: v for k, v in spec.items() if k != "payload"}
    return (
        f'<figure class="relubook-live" id="{uid}" data-state="{spec["initial"]}">'
        f'<div class="relubook-live-controls">{"".join(rows)}</div>'
        f'<svg class="relubook-live-svg" role="img" aria-label="{html.escape(alt0)}" xmlns="{SVG_NS}" '
        f'viewBox="0 0 {width:g} {height:g}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'style="max-width:{width * 100 / 72 * 1.1:.0f}px;height:auto;stroke-linejoin:round;stroke-linecap:butt">'
        f"{svg0}</svg>"
        f'<figcaption class="relubook-live-alt" aria-live="polite">{html.escape(alt0)}</figcaption>'
        f'<script type="application/json" class="relubook-live-spec">{_script_json(meta)}</script>'
        f'<script type="application/octet-stream" class="relubook-live-data">{spec["payload"]}</script>'
        "</figure>"
    )


def _script_json(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def _state_digit(spec: dict, i: int) -> int:
    """The index of control ``i`` in the initial state (the state number is mixed-radix, first
    control most significant)."""
    k = spec["initial"]
    sizes = [len(c["values"]) for c in spec["controls"]]
    for j in range(len(sizes) - 1, i, -1):
        k //= sizes[j]
    return k % sizes[i]
