"""The fast widget path (one figure redrawn in place) draws what a fresh figure draws."""

import functools
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import widget_renders  # noqa: E402
from relubook import widgets  # noqa: E402

CASES = widget_renders.widget_cases()
ALT = "A state of one of the book's widgets."
# The redraw and blitting tests of a case share one set of renders (_renders); scope="module" on
# their parametrize puts them next to each other, so that pytest-xdist hands them to one worker.


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def _key(state: dict) -> tuple:
    return tuple(sorted(state.items()))


@functools.lru_cache(maxsize=None)
def _renders(name: str):
    """One LiveFigure of the case going A, A, B, A, B, B, (A with B's first parameter), A (the
    first four are the redraw test's, the rest the moves of the blitting test), and a full draw of
    each state (a LiveFigure that never blits, laid out on A as the other): ``(states, PNGs,
    blits, {state: full draw's PNG}, first full draw's PNG)``.  Drawn once for both tests."""
    _, draw, a, b = next(c for c in CASES if c[0] == name)
    key = next(iter(b))
    states = (a, a, b, a, b, b, {**a, key: b[key]}, a)
    live = widgets.LiveFigure(draw, ALT, palette=False)
    pngs = [live.render(**state) for state in states]
    full = widgets.LiveFigure(draw, ALT, palette=False)
    full._draw = lambda: full.fig.canvas.draw()  # the plain way: draw everything
    first_full = full.render(**a)  # the layout, as the live figure's first render
    drawn = {}
    for state in states[1:]:
        if _key(state) not in drawn:  # a full draw in place is the same for a state whatever came before
            drawn[_key(state)] = full.render(**state)
    return states, pngs, live.blits, drawn, first_full


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES], scope="module")
def test_redrawing_in_place_leaves_nothing_behind(name, draw, a, b):
    """A -> A -> B -> A on one LiveFigure: the last picture of A is the second one, pixel for pixel.

    (The first render also runs the layout engine, which can move a few pixels.)"""
    states, pngs, _, _, _ = _renders(name)
    assert [_key(s) for s in states[:4]] == [_key(a), _key(a), _key(b), _key(a)]
    first, second, again = _pixels(pngs[0]), _pixels(pngs[1]), _pixels(pngs[3])
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


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES], scope="module")
def test_blitting_draws_the_pixels_of_a_full_draw(name, draw, a, b):
    """Moves that keep the frame (same limits and ticks) restore the kept background and draw only
    the callback's layers: the picture equals a full draw of the same state, pixel for pixel, at
    every render of A, A, B, A, B, B, (A with B's first parameter), A (the moves A, A, B, B, one
    parameter, A after the redraw test's A, A, B, A on the same figure)."""
    states, pngs, blits, drawn, first_full = _renders(name)
    for k, (state, png) in enumerate(zip(states, pngs)):
        full = first_full if k == 0 else drawn[_key(state)]
        assert (_pixels(png) != _pixels(full)).sum() == 0, f"{name}: render {k} ({state}) differs from a full draw"
    assert blits >= 1, f"{name}: the background was never reused"


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
