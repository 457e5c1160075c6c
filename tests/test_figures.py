"""Every figure function of the book, drawn in the house figure: no text below 9 pt as shown in
the text column, legends off the data, every curve inside the axis limits
(:func:`widget_renders.check_legible`).  The widgets' states are checked the same way by
``tests/test_livefigure.py``, on the fresh renders it compares the embedded states with."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from relubook import (  # noqa: E402
    activations, approx_plots, bending, compositional, initialization, interpolation,
    neuron, plotting, pretraining, regions, training,
)
import widget_renders  # noqa: E402


def _interior(ax):
    fig = ax.figure
    fig.clf()
    axes = fig.subplots(2, 3)
    axes[-1, -1].set_visible(False)
    net = compositional.compositional_network(np.array([0.3, 0.6, 0.4, 0.5, 0.7]), -0.3)
    pretraining.draw_interior(axes.ravel()[:5], net)


def _cases():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 2))
    moments = {"he": np.ones(11), "lecun": 0.5 ** np.arange(11)}
    cases = [
        ("neuron", activations.draw_neuron, {}),
        ("derivatives", activations.draw_derivatives, {}),
        ("dependency graph", approx_plots.draw_dependency_graph, {}),
        ("uniform density", approx_plots.draw_uniform_density, {}),
        ("bad set", approx_plots.draw_bad_set, {}),
        ("rho_mu", approx_plots.draw_rho_mu, {}),
        ("h", bending.draw_h, {}),
        ("compositional", compositional.draw_compositional, {}),
        ("error decay", compositional.draw_error_decay, {"peaks": rng.uniform(0.2, 0.8, 10)}),
        ("second moments", initialization.draw_second_moments, {"moments": moments, "rates": {"he": 1.0, "lecun": 0.5}}),
        ("projection", interpolation.draw_projection, {"X": X, "w": np.array([1.0, 0.3])}),
        ("regions", neuron.draw_regions, {}),
        ("activation regions", regions.draw_activation_regions, {"net": regions.random_deep([4, 4], rng, n_in=2), "n": 60}),
        ("history", training.draw_history, {"epochs": np.arange(5), "values": rng.uniform(size=(5, 2)), "labels": ["a", "b"]}),
        ("interior", lambda ax: _interior(ax), {}),
    ]
    return cases


CASES = _cases()


@pytest.mark.parametrize("name, draw, params", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_figure_is_legible_in_the_column(name, draw, params):
    widget_renders.check_legible(name, widget_renders.fresh_render(draw, params, alt=f"The {name} figure of the book."))


def test_the_checks_can_fail():
    fig, ax = plotting.figure(alt="A figure far wider than the column.", figsize=(14, 3))
    ax.plot(np.linspace(0, 1, 200), np.linspace(0, 1, 200), label="a line")
    ax.legend(loc="center")
    assert plotting.small_text(fig)  # 10 pt shrunk to the column
    with pytest.raises(ValueError, match="below"):
        plotting.check_legible(fig)
    assert plotting.legend_overlap(ax) > 0
    plt.close(fig)
    assert plotting.math_label("x^11") == "$x^{11}$"


def _two_panels(legend):
    fig, axes = plotting.figure(alt="Two stacked panels, each with two crossing lines.", nrows=2,
                                figsize=(6.4, 5.6), sharex=True)
    for ax in axes:
        ax.plot([1e-8, 1], [0, 1], label="rising")
        ax.plot([1e-8, 1], [1, 0], label="falling")
        ax.set_xscale("log")
        ax.set_xlabel("activation $h_{30}$ (log scale)")
        legend(ax)
    return fig


def test_text_overlaps_finds_a_legend_on_the_axis_label(monkeypatch):
    """A legend placed a fixed fraction of the axes below it (the old ``legend_below``) lands on the
    x label of a short panel; :func:`plotting.legend_below` offsets it in points and clears it.  In
    the build, :func:`plotting.show` refuses a figure whose text overlaps."""
    fig = _two_panels(lambda ax: ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2))
    assert plotting.text_overlaps(fig) == ["axes 2: legend overlaps axes 2: x label"]
    monkeypatch.setenv("RELUBOOK_LIVE_FIGURES", "1")
    with pytest.raises(ValueError, match="legend overlaps axes 2: x label"):
        plotting.show(fig)
    fig, ax = plotting.figure(alt="A line under a legend in the middle of the axes.")
    ax.plot(np.linspace(0, 1, 200), np.full(200, 0.5), label="a flat line")
    ax.legend(loc="center")
    assert plotting.layout_problems(fig) == ["axes 1: the legend covers 20% of the plotted points"]
    with pytest.raises(ValueError, match="legend covers"):
        plotting.show(fig)
    assert not plt.fignum_exists(fig.number)
    fig = _two_panels(plotting.legend_below)
    assert plotting.text_overlaps(fig) == []
    plt.close(fig)
