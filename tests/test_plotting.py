"""House style, alt text, static twins, widgets and the checker pattern."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from relubook import activations, plotting, widgets  # noqa: E402
from relubook.checks import Feedback  # noqa: E402


def test_figure_carries_alt_text():
    fig, ax = plotting.figure(alt="A test figure with one line.")
    assert plotting.alt_text(fig) == "A test figure with one line."
    plt.close(fig)
    fig = plt.figure()
    with pytest.raises(ValueError, match="no alt text"):
        plotting.alt_text(fig)
    plt.close(fig)


@pytest.mark.parametrize("alt, exc", [(None, TypeError), (3, TypeError), ("short", ValueError), ("   ", ValueError)])
def test_alt_text_is_validated(alt, exc):
    with pytest.raises(exc, match="alt"):
        plotting.figure(alt=alt)


def test_palette_is_okabe_ito_and_cycle_varies_style():
    assert plotting.PALETTE["blue"] == "#0072B2" and len(plotting.PALETTE) == 8
    styles = {str(plotting.cycle(i)["linestyle"]) for i in range(4)}
    assert len(styles) == 4


def test_show_displays_png_with_alt(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = plotting.figure(alt="A line through the origin.")
    ax.plot([0, 1], [0, 1])
    plotting.show(fig)
    (img,) = shown
    assert img.metadata == {"alt": "A line through the origin."}
    assert img.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)


def test_animate_makes_one_frame_per_value_with_alt():
    calls = []

    def draw(ax, b, w=1.0):
        calls.append((b, w))
        activations.draw_neuron(ax, w=w, b=b)

    anim = plotting.animate(draw, "b", [-1.0, 0.0, 1.0], alt="One neuron as its bias moves.", fixed={"w": 2.0})
    assert anim.frames == 3 and anim.values == [-1.0, 0.0, 1.0]
    assert {c for c in calls if c[0] == 1.0} == {(1.0, 2.0)}
    html = anim._repr_html_()
    assert 'alt="One neuron as its bias moves."' in html and "anim" in html
    # ids from the content and a counter, not random: the same animation again differs only in its
    # number, so a page executed again writes the same HTML, and two alike on a page do not clash
    again = plotting.animate(draw, "b", [-1.0, 0.0, 1.0], alt="One neuron as its bias moves.", fixed={"w": 2.0})
    ids = [re.search(r'id="_anim_img(\w+)"', a._repr_html_()).group(1) for a in (anim, again)]
    assert ids[0] != ids[1] and ids[0][:24] == ids[1][:24]
    assert int(ids[1][24:], 16) == int(ids[0][24:], 16) + 1
    with pytest.raises(ValueError, match="values"):
        plotting.animate(draw, "b", [], alt="One neuron as its bias moves.")
    with pytest.raises(TypeError, match="draw"):
        plotting.animate("draw", "b", [1], alt="One neuron as its bias moves.")


def test_slider_figure_calls_the_plain_callback():
    seen = []

    def draw(ax, depth):
        seen.append(depth)
        ax.plot([0, depth], [0, 1])

    w = widgets.slider_figure(draw, alt="A line whose end moves with depth.", depth=(1, 5, 1))
    assert seen  # the initial state is drawn
    w.children[0].value = 4
    assert seen[-1] == 4
    with pytest.raises(ValueError, match="at least one control"):
        widgets.slider_figure(draw, alt="A line whose end moves with depth.")
    fig = widgets.render_state(draw, "A line whose end moves with depth.", depth=2)
    assert plotting.alt_text(fig).startswith("A line") and seen[-1] == 2
    plt.close(fig)


def test_draw_neuron_marks_the_kink():
    fig, ax = plt.subplots()
    activations.draw_neuron(ax, w=2.0, b=-1.0)
    xs = [line.get_xdata() for line in ax.get_lines()]
    assert any(np.allclose(x, 0.5) for x in xs if len(x) == 2)
    plt.close(fig)


def test_feedback_pattern(capsys):
    fb = Feedback("Exercise 1.1")
    fb.expect(True, "shape is right", "shape is wrong")
    fb.expect(False, "values match", "values differ at x = 0: look at the kink")
    assert not fb and fb.score == (1, 2)
    fb.report()
    out = capsys.readouterr().out
    assert "1/2 checks passed" in out and "[fix]  values differ" in out and "[ok]   shape is right" in out
    assert not Feedback("empty")



def test_math_text_is_parsed_once_for_every_renderer():
    """The house style shares matplotlib's cache of parsed math text between renderers: a label
    drawn on a second figure is not parsed again, and the shared parse is matplotlib's own."""
    import io

    from matplotlib import mathtext

    cached = mathtext.MathTextParser._parse_cached
    assert cached.shared_by_relubook
    label = r"$\sup_x |F'(x)| \cdot 7^{-3}$"
    pngs = []
    for _ in range(2):
        fig, ax = plotting.figure(alt="A figure with a math label, drawn twice for a test.")
        ax.set_title(label)
        before = cached.cache_info()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        after = cached.cache_info()
        pngs.append(buf.getvalue())
        plt.close(fig)
    assert after.misses == before.misses and after.hits > before.hits  # the second figure parsed nothing
    assert pngs[0] == pngs[1]
    prop = matplotlib.font_manager.FontProperties(size=10)
    from matplotlib.ft2font import LoadFlags

    for output, flags in (("path", LoadFlags.NO_HINTING), ("agg", LoadFlags.FORCE_AUTOHINT)):
        shared = mathtext.MathTextParser(output)._parse_cached(label, 100, prop, True, flags)
        own = cached.original(mathtext.MathTextParser(output), label, 100, prop, True, flags)
        assert repr(shared) == repr(own)  # matplotlib's method on a parser that never saw the label
