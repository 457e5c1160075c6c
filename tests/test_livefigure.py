"""Live figures of the static page (relubook.livefigure): the embedded data of a state is what the
Python callback draws for it, for every widget of the book; grids, initial states and limits."""

import ast
import base64
import pathlib
import re
import types

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import widget_renders  # noqa: E402
from relubook import livefigure as lf  # noqa: E402
from relubook import widgets  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES = widget_renders.widget_cases()
TOL = 0.6  # points (1/72 in): matplotlib simplifies paths to 1/9 px, the page rounds to 0.01 pt


def _clip_box(svg: str):
    m = re.search(r'<clipPath id="[^"]+"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    assert m, "no clip box (axes) in the embedded state"
    return [float(v) for v in m.groups()]


def _paths(svg: str):
    """``[(colour, points as axes fractions), ...]`` of the stroked paths clipped to the axes."""
    x, y, w, h = _clip_box(svg)
    out = []
    for m in re.finditer(r'<path d="([^"]+)" clip-path="[^"]+" style="([^"]*)"', svg):
        colour = re.search(r"stroke: (#[0-9a-f]{6})", m.group(2))
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", m.group(1))]
        pts = np.array(nums[: len(nums) // 2 * 2]).reshape(-1, 2)
        out.append((colour.group(1) if colour else None, np.c_[(pts[:, 0] - x) / w, 1 - (pts[:, 1] - y) / h]))
    return out, (w, h)


def _markers(svg: str):
    x, y, w, h = _clip_box(svg)
    pts = [(float(a), float(b)) for a, b in re.findall(r'<use x="(-?[\d.]+)" y="(-?[\d.]+)"', svg)]
    return np.array([((a - x) / w, 1 - (b - y) / h) for a, b in pts]).reshape(-1, 2)


def _dist_to_polyline(p: np.ndarray, poly: np.ndarray) -> np.ndarray:
    a, b = poly[:-1], poly[1:]
    d = b - a
    t = np.clip(np.einsum("pij,ij->pi", p[:, None, :] - a[None], d) / np.maximum((d * d).sum(1), 1e-18), 0, 1)
    nearest = a[None] + t[..., None] * d[None]
    return np.sqrt(((p[:, None, :] - nearest) ** 2).sum(-1)).min(1)


def _python_lines(draw, params):
    """What the callback draws on a fresh figure: each Line2D as (colour, has line, has markers,
    points as axes fractions), and the title (one fresh render per state, shared with test_figures)."""
    fresh = widget_renders.fresh_render(draw, params)
    return fresh.lines, lf.plain_text(fresh.title)


def check_state(svg: str, alt: str, draw, params) -> None:
    """Every line and marker the callback draws for ``params`` is in the embedded SVG: a path of
    its colour through each of its points inside the axes (within TOL), a marker at each point."""
    paths, (w, h) = _paths(svg)
    markers = _markers(svg)
    lines, title = _python_lines(draw, params)
    assert lines, "the callback drew no line"
    scale = np.array([w, h])
    for colour, has_line, has_marker, frac in lines:
        inside = frac[np.all((frac > 0.002) & (frac < 0.998), axis=1) & np.all(np.isfinite(frac), axis=1)]
        if len(inside) == 0:
            continue
        if has_line:
            best = min((_dist_to_polyline(inside * scale, poly * scale).max() for c, poly in paths
                        if c == colour and len(poly) > 1), default=np.inf)
            assert best < TOL, f"{params}: no path of colour {colour} through the callback's line (off by {best:.2f} pt)"
        if has_marker:
            d = np.sqrt((((inside[:, None, :] - markers[None]) * scale) ** 2).sum(-1)).min(1)
            assert d.max() < TOL, f"{params}: a marker of colour {colour} is missing (off by {d.max():.2f} pt)"
    if title:
        assert title in alt, f"the alt text does not say the title {title!r}: {alt!r}"


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES])
def test_embedded_states_are_what_the_callback_draws(name, draw, a, b):
    """A live figure over the two states of each widget case (every parameter takes its value in A
    and in B): decoded from the page's payload, states A and B hold the callback's lines, and differ;
    both states are legible in the column."""
    controls = {k: widgets.choices(a[k], b[k]) if a[k] != b[k] else widgets.choices(a[k]) for k in a}
    live = lf.live_figure_html(draw, "A state of one of the book's widgets.", **controls)
    data = lf.decode_data(live.spec["payload"])
    n = len(data["states"])
    assert n == 2 ** sum(a[k] != b[k] for k in a)
    ka, kb = 0, n - 1
    svg_a, svg_b = lf.state_svg(data, ka), lf.state_svg(data, kb)
    assert svg_a != svg_b, f"{name}: moving every slider changed nothing"
    check_state(svg_a, data["alts"][ka], draw, a)
    check_state(svg_b, data["alts"][kb], draw, b)
    # the same fresh renders, legible in the column (as tests/test_figures.py checks other figures)
    widget_renders.check_legible(name, widget_renders.fresh_render(draw, a), state=f"at {a}")
    widget_renders.check_legible(name, widget_renders.fresh_render(draw, b), state=f"at {b}")
    # the initial state is in the page's HTML as drawn, with its alt text
    k0 = live.spec["initial"]
    assert lf.state_svg(data, k0) in live.html.replace("&", "&amp;") or lf.state_svg(data, k0)[:2000] in live.html
    assert live.data_bytes < lf.MAX_FIGURE_BYTES


@pytest.mark.parametrize("name,draw,a,b", CASES, ids=[c[0] for c in CASES])
def test_reused_axes_are_what_a_full_draw_gives(name, draw, a, b):
    """The recorder draws an axis once per signature (limits, ticks, labels): going A, B, A, B the
    last B reuses the first B's axes (the first A may differ in a detail of the signature from the
    later ones, being the state that laid the figure out), and every state is the same SVG as a
    full draw.  (A full draw is drawn once per state in place: the last B is held to the first
    B's full draw; the first A, which laid the figure out, to its own.)"""
    fast, full = lf.StateRecorder(draw), lf.StateRecorder(draw, reuse_axes=False)
    drawn = [full.record(**state) for state in (a, b, a)]
    for state, expected in zip((a, b, a, b), drawn + drawn[1:2]):
        assert fast.record(**state) == expected, f"{name}: a reused axis differs from a full draw"
    assert fast.reused >= 1 and full.reused == 0


def _ramp(ax, k=1.0, spine=None):
    ax.plot([0, 1], [-1, k])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if spine:
        ax.spines["bottom"].set_position(spine)


@pytest.mark.parametrize("spine", [None, "zero"])
def test_each_axis_is_reused_on_its_own(spine):
    """Only the y limits move: the x axis is drawn once and reused, the y axis drawn for each new
    range; unless the x axis sits on a spine placed at y = 0, which moves with the y limits."""
    fast, full = lf.StateRecorder(_ramp), lf.StateRecorder(_ramp, reuse_axes=False)
    for k in (1.0, 3.0, 7.0, 3.0):
        assert fast.record(k=k, spine=spine) == full.record(k=k, spine=spine)
    x1, y1 = lf.axis_signatures(fast.live.ax)
    fast.record(k=7.0, spine=spine)
    x2, y2 = lf.axis_signatures(fast.live.ax)
    assert y1 != y2 and (x1 == x2) == (spine is None)
    assert fast.reused == (4 if spine is None else 2)  # the repeated 3.0 and 7.0 reuse both axes


def test_axis_signature_sees_what_an_axis_draws():
    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    sig = lf.axis_signatures(ax)
    for change in (lambda: ax.set_xlim(0, 2), lambda: ax.set_xlabel("x"),
                   lambda: ax.grid(not ax.xaxis.majorTicks[0].gridline.get_visible()),
                   lambda: ax.tick_params(labelsize=5), lambda: ax.set_yscale("log"),
                   lambda: ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())):
        change()
        assert lf.axis_signatures(ax) != sig
        sig = lf.axis_signatures(ax)


def test_a_wrong_state_fails_the_check():
    """The check is not vacuous: state B's picture does not pass as state A."""
    name, draw, a, b = CASES[0]
    live = lf.live_figure_html(draw, "The activation variants at one alpha.", alpha=widgets.choices(a["alpha"], b["alpha"]))
    data = lf.decode_data(live.spec["payload"])
    with pytest.raises(AssertionError):
        check_state(lf.state_svg(data, 1), data["alts"][1], draw, a)


def test_control_values_and_initial_state():
    assert lf.control_values("n", (0, 4, 2)) == [0, 2, 4]
    assert lf.control_values("a", (0.0, 1.0, 0.25)) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert lf.control_values("eps", (0.01, 0.3, 0.01))[-1] == 0.3
    assert lf.control_values("m", ["ramp", "hat"]) == ["ramp", "hat"]
    assert lf.control_values("e", widgets.choices(0.1, 0.2)) == [0.1, 0.2]

    def draw(ax, depth=6, s0=-0.25, method="hat", other=3.3):
        pass

    grids = {"depth": [1, 2, 3], "s0": [-0.5, -0.25, 0.0], "method": ["ramp", "hat"], "other": [1.0, 2.0, 3.0]}
    # depth 6 is off the grid: the middle; other defaults are on it
    assert lf.initial_state(draw, grids) == {"depth": 2, "s0": -0.25, "method": "hat", "other": 2.0}
    with pytest.raises(TypeError, match="'n'"):
        lf.control_values("n", (0, "x", 1))
    with pytest.raises(ValueError, match="'n'"):
        lf.control_values("n", (3, 1, 1))
    with pytest.raises(TypeError, match="'n'"):
        lf.control_values("n", object())
    with pytest.raises(ValueError, match="choices"):
        widgets.choices()


def test_live_figure_validates():
    draw = CASES[0][1]
    with pytest.raises(TypeError, match="draw"):
        lf.live_figure_html(3, "A figure that does not exist.", a=(0, 1, 1))
    with pytest.raises(ValueError, match="control"):
        lf.live_figure_html(draw, "A figure without any slider.")
    with pytest.raises(ValueError, match="states"):
        lf.live_figure_html(draw, "A figure with far too many states.", alpha=(0.0, 1.0, 0.0001))


def test_the_build_gets_the_live_figure_and_a_kernel_the_widget(monkeypatch):
    draw = CASES[0][1]
    monkeypatch.delenv(lf.ENV, raising=False)
    w = widgets.slider_figure(draw, "The activation variants at one alpha.", alpha=(0.0, 1.0, 0.05))
    assert type(w).__name__ == "interactive"
    assert w.children[0].value == 0.1  # draw_variants' default alpha, on the grid
    monkeypatch.setenv(lf.ENV, "1")
    page = widgets.slider_figure(draw, "The activation variants at one alpha.", alpha=(0.0, 1.0, 0.25))
    bundle, meta = page._repr_mimebundle_()
    assert bundle["image/png"] and meta["image/png"]["alt"].startswith("The activation variants")  # the PDF's
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"  # drawn when asked for
    assert page._repr_mimebundle_()[0]["image/png"] == bundle["image/png"]  # once
    assert 'class="relubook-live"' in bundle["text/html"] and 'type="range"' in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle


def test_plain_text():
    assert lf.plain_text(r"PReLU, slope $\alpha$ = 0.50") == "PReLU, slope α = 0.50"
    assert lf.plain_text(r"$m = 3$: sup error $= 4^{-4}$") == "m = 3: sup error = 4^-4"


# ---------------------------------------------------------------- the book's slider figures


def _slider_calls():
    """``[(page, callback source, controls), ...]`` for every slider_figure call of the book, the
    controls evaluated (``study.epochs`` stands for chapter 14's 1000 epochs)."""
    from test_widgets_twins import _cell_code, chapters

    from bookkit import editions

    env = {"widgets": widgets, "study": types.SimpleNamespace(epochs=1000)}
    found = []
    for page in chapters():
        for cell in editions.code_cells((ROOT / f"{page}.md").read_text()):
            for node in ast.walk(ast.parse(_cell_code(cell))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "slider_figure":
                    controls = {kw.arg: eval(compile(ast.Expression(kw.value), page, "eval"), env)  # noqa: S307
                                for kw in node.keywords if kw.arg not in ("alt", "figsize")}
                    found.append((page, ast.unparse(node.args[0]), controls))
    return found


def test_every_slider_figure_of_the_book_fits_the_page():
    """Every widget's grid has at most MAX_STATES states, and chapter 13's starts on an informative
    state (s0 not 0)."""
    calls = _slider_calls()
    assert len(calls) >= 12
    for page, callback, controls in calls:
        grids = {k: lf.control_values(k, v) for k, v in controls.items()}
        n = int(np.prod([len(v) for v in grids.values()]))
        assert 2 <= n <= lf.MAX_STATES, f"{page} {callback}: {n} states"
        if "draw_derivative" in callback:
            from relubook import compositional

            start = lf.initial_state(compositional.draw_derivative, grids)
            assert start["s0"] != 0 and start["depth"] >= 4, start
