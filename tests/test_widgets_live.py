"""The fast widget path (one figure redrawn in place) draws what a fresh figure draws."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from relubook import widgets  # noqa: E402
from bookkit.widget_cases import book_widget_cases  # noqa: E402

CASES = book_widget_cases()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES])
def test_redrawing_in_place_leaves_nothing_behind(name, draw, a, b):
    """A -> A -> B -> A on one LiveFigure: the last picture of A is the second one, pixel for pixel.

    (The first render also runs the layout engine, which can move a few pixels.)"""
    live = widgets.LiveFigure(draw, "A state of one of the book's widgets.", palette=False)
    first = _pixels(live.render(**a))
    second = _pixels(live.render(**a))
    live.render(**b)
    again = _pixels(live.render(**a))
    assert first.shape == second.shape == again.shape
    assert np.mean(np.any(first != second, axis=-1)) < 0.002, f"{name}: the layout moved after the first render"
    assert (second != again).sum() == 0, f"{name}: state B left a trace on the redraw of state A"


def test_live_figure_matches_a_fresh_render():
    """The first render is the same picture that render_state draws (same size, same content)."""
    name, draw, a, _ = CASES[0]
    live = _pixels(widgets.LiveFigure(draw, "The activation variants at one alpha.", palette=False).render(**a))
    fig = widgets.render_state(draw, "The activation variants at one alpha.", **a)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    fresh = _pixels(buf.getvalue())
    assert live.shape == fresh.shape
    assert np.mean(np.any(live != fresh, axis=-1)) < 0.01


def test_a_callback_that_adds_axes_gets_a_fresh_figure():
    def draw(ax, k=1):
        ax.plot([0, 1], [0, k])
        ax.twinx().plot([0, 1], [k, 0])

    live = widgets.LiveFigure(draw, "Two lines on twin axes, for a test.")
    live.render(k=1)
    assert not live.in_place
    live.render(k=2)
    assert len(live.fig.axes) == 2


def test_live_figure_validates():
    with pytest.raises(TypeError, match="draw"):
        widgets.LiveFigure(3, "A figure that does not exist.")
    with pytest.raises(ValueError, match="alt"):
        widgets.LiveFigure(lambda ax: None, "short")


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES])
def test_blitting_draws_the_pixels_of_a_full_draw(name, draw, a, b):
    """Moves that keep the frame (same limits and ticks) restore the kept background and draw only
    the callback's layers: the picture equals a full draw of the same state, pixel for pixel."""
    live = widgets.LiveFigure(draw, "A state of one of the book's widgets.", palette=False)
    full = widgets.LiveFigure(draw, "A state of one of the book's widgets.", palette=False)
    full._draw = lambda: full.fig.canvas.draw()  # the plain way: draw everything
    key = next(iter(b))
    one_move = {**a, key: b[key]}
    for state in (a, a, b, b, one_move, a):
        assert (_pixels(live.render(**state)) != _pixels(full.render(**state))).sum() == 0, name
    assert live.blits >= 1, f"{name}: the background was never reused"


def test_a_legend_off_the_data_stays_in_the_background_and_one_on_it_does_not():
    """A legend below the axes (plotting.legend_below) is part of the kept frame while it shows the
    same entries; a legend inside the axes, where the data are drawn, is drawn with the data."""
    from relubook.plotting import legend_below

    def below(ax, k=1.0):
        ax.plot([0, 1], [0, k], label="a line")
        legend_below(ax)

    def inside(ax, k=1.0):
        ax.plot([0, 1], [0, k], label="a line")
        ax.legend(loc="upper left")

    for draw, kept in ((below, True), (inside, False)):
        live = widgets.LiveFigure(draw, "A line and its legend, for a test.")
        live.render(k=1.0)
        live.render(k=0.9)
        assert live._layers()[2] is kept
