"""Widget builders.  A widget's callback is a plain drawing function.

The pattern used in every chapter:

* a chapter (or a module of :mod:`relubook`) defines ``draw(ax, **params)``,
  a plain function that draws one state on a matplotlib axes; unit tests call
  it directly;
* :func:`slider_figure` wraps it in ipywidgets sliders for readers with a
  kernel (Binder, Jupyter) and, in the book's build, in the live figure of the static page
  (:mod:`relubook.livefigure`: every state of the sliders' grid drawn and embedded);
* :func:`relubook.plotting.animate` turns the same function and a grid of one
  parameter into the static twin shown in the built page.

A slider move must redraw fast (the book's target is 50 ms).  A fresh figure per move spends most
of that in matplotlib: creating the axes, the constrained layout and a second draw inside
``savefig``.  :class:`LiveFigure` keeps one figure per widget, lays it out once, and on each move
removes what the callback drew, calls it again and rasterises once (``benchmarks/bench_widgets.py``
measures both ways).
"""

from __future__ import annotations

import io
import os
from typing import Callable

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import livefigure
from .livefigure import choices
from .plotting import _check_alt, set_alt

__all__ = ["slider_figure", "choices", "render_state", "LiveFigure"]


def render_state(draw: Callable, alt: str, figsize=(6.4, 3.6), **params):
    """Draw one state of a widget into a new figure with alt text and return the figure."""
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    fig, ax = plt.subplots(figsize=figsize)
    draw(ax, **params)
    return set_alt(fig, alt)


class LiveFigure:
    """One figure that a widget redraws in place: ``render(**params)`` returns PNG bytes.

    The first render lays the figure out (constrained layout, as every figure of the book); later
    renders keep that layout, remove the artists the callback drew, reset what a fresh axes would
    have (title, labels, colour cycle, autoscaling, linear scales, aspect) and draw once.  A
    callback that adds axes (a colorbar, a twin) gets a fresh figure on every render instead.

    Blitting: the frame, ticks, tick labels and grid cost most of a draw and rarely change between
    two moves of a slider.  Each full draw keeps a copy of the picture without the layers the
    callback draws (everything below the lowest of its artists' z-orders), together with a
    signature of what that copy shows (limits, scales, ticks and their labels, axis labels); the
    last ``KEEP`` copies are kept, as a slider goes back and forth.  A legend off the data (below
    the axes, as ``plotting.legend_below`` puts it) belongs to the kept copy while its entries stay
    the same; the house style draws the grid beneath everything plotted, so fills and bars do not
    pull the frame into the upper layers.  When a state has the signature
    of a kept copy, the copy is restored and only the upper layers are drawn again, in z-order: the
    same pixels as a full draw (``tests/test_widgets_live.py``).
    """

    KEEP = 8

    def __init__(self, draw: Callable, alt: str, figsize=(6.4, 3.6), dpi: float | None = None,
                 palette: bool = True):
        if not callable(draw):
            raise TypeError(f"draw must be callable, got {type(draw).__name__}")
        self.draw = draw
        self.alt = _check_alt(alt)
        self.figsize = figsize
        self.dpi = dpi
        self.palette = bool(palette)
        self.fig = None
        self.in_place = True
        self._backgrounds = {}  # signature -> kept background, the most recent last
        self._legend_boxes = {}  # legend signature -> its box on the canvas (padded)
        self.blits = 0  # how many renders restored the background (for tests and benchmarks)

    def _new(self):
        fig = Figure(figsize=self.figsize, dpi=self.dpi or matplotlib.rcParams["savefig.dpi"])
        FigureCanvasAgg(fig)
        return fig, fig.add_subplot()

    @staticmethod
    def _reset(ax) -> None:
        for container in list(ax.containers):  # errorbar and bar containers (legend handles)
            container.remove()
        for group in (ax.lines, ax.collections, ax.patches, ax.texts, ax.images, ax.tables, ax.artists):
            for artist in list(group):
                artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        for loc in ("center", "left", "right"):
            ax.set_title("", loc=loc)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if ax.get_xscale() != "linear":
            ax.set_xscale("linear")
        if ax.get_yscale() != "linear":
            ax.set_yscale("linear")
        if ax.get_aspect() != "auto":
            ax.set_aspect("auto")
        ax.set_prop_cycle(None)
        ax.relim()
        ax.set_autoscale_on(True)

    def _layers(self):
        """``(z, upper, legend_kept)``: the artists from the lowest z-order the callback drew at, in
        drawing order, and whether the legend stays in the kept background (:meth:`_legend_apart`).

        ``None`` when the callback drew nothing or drew an image (images ignore ``animated``)."""
        ax = self.ax
        drawn = [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.tables, *ax.artists]
        if ax.images or not drawn:
            return None
        legend = ax.get_legend()
        if legend is not None:
            drawn.append(legend)
        z = min(a.get_zorder() for a in drawn)
        upper = [a for a in ax.get_children() if a is not ax.patch and a.get_zorder() >= z]
        upper.sort(key=lambda a: a.get_zorder())  # stable, as Axes.draw sorts
        kept = legend is not None and self._legend_apart(legend, [a for a in upper if a is not legend])
        if kept:
            upper = [a for a in upper if a is not legend]
        return z, upper, kept

    def _legend_apart(self, legend, others) -> bool:
        """Whether the legend can stay in the kept background: it lies outside the axes (where the
        clipped data are drawn) and no unclipped artist drawn later reaches it, with 2 px to spare
        for anti-aliasing.  Its box is measured once per legend signature."""
        sig = livefigure.legend_signature(self.ax)
        if sig is None:
            return False
        renderer = self.fig.canvas.get_renderer()
        box = self._legend_boxes.get(sig)
        if box is None:
            box = legend.get_window_extent(renderer).padded(2)
            self._legend_boxes[sig] = box
        if box.overlaps(self.ax.bbox):
            return False
        for a in others:
            clipped = a.get_clip_on() and (a.get_clip_box() is not None or a.get_clip_path() is not None)
            if a.get_visible() and not clipped and box.overlaps(a.get_window_extent(renderer)):
                return False
        return True

    def _static_signature(self, z, legend_kept: bool = False):
        """What the kept background shows: it may be reused only while this is unchanged (the axes'
        :func:`relubook.livefigure.axis_signatures`, the lowest upper layer, the kept legend)."""
        ax = self.ax
        return (z, livefigure.legend_signature(ax) if legend_kept else None, livefigure.axis_signatures(ax))

    def _draw(self) -> None:
        """Draw the current state, restoring the kept background when its signature still holds."""
        canvas = self.fig.canvas
        for artist in self.ax.get_children():
            artist.set_animated(False)
        layers = self._layers()
        if layers is None:
            canvas.draw()
            return
        z, upper, legend_kept = layers
        signature = self._static_signature(z, legend_kept)
        for artist in upper:
            artist.set_animated(True)
        background = self._backgrounds.pop(signature, None)
        if background is not None:
            canvas.restore_region(background)
            self.blits += 1
        else:
            canvas.draw()  # everything but the upper layers
            background = canvas.copy_from_bbox(self.fig.bbox)
            if len(self._backgrounds) >= self.KEEP:
                self._backgrounds.pop(next(iter(self._backgrounds)))
        self._backgrounds[signature] = background
        renderer = canvas.get_renderer()
        for artist in upper:
            if artist.get_visible():
                artist.draw(renderer)
        for artist in upper:
            artist.set_animated(False)

    def render(self, **params) -> bytes:
        """Draw the state ``params`` and return it as PNG bytes."""
        if self.fig is None or not self.in_place:
            self.fig, self.ax = self._new()
            self.draw(self.ax, **params)
            self.fig.canvas.draw()
            self.in_place = len(self.fig.axes) == 1
            self.fig.set_layout_engine("none")  # keep the layout just computed
            self._backgrounds = {}
        else:
            self._reset(self.ax)
            self.draw(self.ax, **params)
            if len(self.fig.axes) != 1:  # the callback added axes after all: start afresh
                self.in_place = False
                self.fig.canvas.draw()
            else:
                self.ax.autoscale_view()
                self._draw()
        return self._png()

    def _png(self) -> bytes:
        """The canvas as PNG.  With ``palette`` (the default) the picture is reduced to 256 colours
        first (a plot has few; anti-aliased edges keep their nearest one): a third of the bytes of
        ``savefig``'s PNG, and faster to encode.  zlib level 3: half the time of the default 6 for
        about 9% more bytes."""
        from PIL import Image

        buf = io.BytesIO()
        size = self.fig.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", size, self.fig.canvas.buffer_rgba())
        if self.palette:
            image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="png",
                                                                                  compress_level=3)
        else:
            image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def slider_figure(draw: Callable, alt: str, figsize=(6.4, 3.6), **controls):
    """Sliders that redraw ``draw(ax, **params)`` on every change: the book's interactive figure.

    ``controls`` maps each parameter of ``draw`` to an ipywidgets abbreviation (``(min, max,
    step)``, a list of options), :func:`choices` (a slider over listed values) or a widget.  The
    sliders start at ``draw``'s default values where these lie on the grid (else in the middle).

    With a kernel this returns the ``ipywidgets.interactive`` object (display it as the last
    expression of a cell).  In the book's build (``RELUBOOK_LIVE_FIGURES=1``) it returns the live
    figure of the static page instead: every state of the grid drawn by ``draw`` and embedded, so
    that the sliders work without a kernel (:mod:`relubook.livefigure`).
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    alt = _check_alt(alt)
    if not controls:
        raise ValueError("slider_figure needs at least one control, e.g. depth=(1, 8, 1)")
    if os.environ.get(livefigure.ENV, "") == "1":
        return livefigure.live_figure_html(draw, alt, figsize=figsize, **controls)

    import ipywidgets

    grids = {name: livefigure.control_values(name, abbrev) for name, abbrev in controls.items()}
    start = livefigure.initial_state(draw, grids)
    kwargs = {}
    for name, abbrev in controls.items():
        if isinstance(abbrev, ipywidgets.Widget):
            kwargs[name] = abbrev
            continue
        if isinstance(abbrev, livefigure.Choices):
            widget = ipywidgets.SelectionSlider(options=abbrev.values, value=start[name])
        else:
            widget = ipywidgets.interactive.widget_from_abbrev(abbrev, start[name])
        widget.description = name
        kwargs[name] = widget

    live = LiveFigure(draw, alt, figsize=figsize)

    def update(**params):
        from IPython.display import Image, display

        display(Image(data=live.render(**params), format="png", metadata={"alt": alt}))

    return ipywidgets.interactive(update, **kwargs)
