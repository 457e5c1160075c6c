"""Drawing callbacks of Part II (universal approximation).  Each is ``draw(ax, **params)``."""

from __future__ import annotations

import numpy as np

from . import approximation as ap
from .plotting import cycle, legend_below
from .validate import check_int, check_real

__all__ = [
    "draw_dependency_graph",
    "draw_uniform_density",
    "draw_rho_mu",
    "draw_dyadic",
    "draw_cosine",
    "draw_bad_set",
    "DEMO_A",
    "DEMO_B",
]

DEMO_A, DEMO_B = -0.3, 1.7  # the interval of the e^x demonstrations


def draw_dependency_graph(ax) -> None:
    """Boxes and arrows: Lemma 1 -> Lemma 2 -> Lemma 3 -> Lemma 4 -> Theorem 2 <- Lemma 5."""
    boxes = {
        "Lemma 1\nconvex pieces": (0.1, 0.8),
        "Cor. 4\nconcave pieces": (0.1, 0.45),
        "Lemma 2\n$\\cos$ on $[-M, M]$": (0.37, 0.62),
        "Lemma 3\nsums of\nridge cosines": (0.63, 0.62),
        "Theorem 1 (HSW)\nwith $G = \\cos$": (0.37, 0.15),
        "Lemma 4\n$\\Sigma(R)$ dense\non compacta": (0.63, 0.3),
        "Lemma 5\n$C$ dense in $M$\n(metric $\\rho_\\mu$)": (0.9, 0.75),
        "Theorem 2": (0.9, 0.3),
    }
    texts = []
    for i, (text, (x, y)) in enumerate(boxes.items()):
        texts.append(ax.text(x, y, text, ha="center", va="center", fontsize=9,
                             bbox=dict(boxstyle="round,pad=0.4", fc="white", ec=cycle(i % 4)["color"], lw=1.5)))
    keys = list(boxes)
    edges = [(0, 2), (1, 2), (2, 3), (3, 5), (4, 5), (5, 7), (6, 7)]
    for s, t in edges:
        (x0, y0), (x1, y1) = boxes[keys[s]], boxes[keys[t]]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.3", lw=1.2, shrinkA=3, shrinkB=3,
                                    patchA=texts[s].get_bbox_patch(), patchB=texts[t].get_bbox_patch()))
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(0.0, 0.95)
    ax.axis("off")


def _bump(x):
    return np.sin(3 * x) + 0.5 * np.abs(x - 0.4)


def draw_uniform_density(ax, eps=0.15) -> None:
    """A continuous function, its eps-band on the compact K = [-1, 1], and a network inside it."""
    eps = check_real(eps, "eps", positive=True)
    x = np.linspace(-2, 2, 801)
    knots = np.linspace(-1, 1, 2 + int(np.ceil(4 / np.sqrt(eps))))
    y = _bump(x)
    net = np.interp(x, knots, _bump(knots))
    inside = np.abs(x) <= 1
    ax.fill_between(x[inside], y[inside] - eps, y[inside] + eps, color="0.85", label=rf"band of width $\varepsilon = {eps:g}$")
    ax.plot(x, y, label="$f$", **cycle(0))
    ax.plot(x, net, label="network", **cycle(1))
    ax.axvspan(-2, -1, color="0.95")
    ax.axvspan(1, 2, color="0.95")
    ax.set_xlabel("$x$ ($K = [-1, 1]$ unshaded)")
    legend_below(ax)


def _staircase(x):
    return np.where(x > 0.3, 1.0, 0.0) + np.where(x > 0.7, -0.6, 0.0)


def draw_bad_set(ax, width=0.1) -> None:
    """A staircase g, its ramp network f, and the bad set where they differ (Theorem 2, rho_mu)."""
    w = check_real(width, "width", positive=True)
    x = np.linspace(0, 1, 2001)
    net = ap.ramp_network([0.3, 0.7], [1.0, -0.6], w)
    g, f = _staircase(x), net(x)
    ax.plot(x, g, label="$g$ (discontinuous)", **cycle(0))
    ax.plot(x, f, label="ReLU network $f$", **cycle(1))
    bad = np.abs(f - g) > 1e-9
    ax.fill_between(x, -0.2, 1.2, where=bad, color="0.8", label="bad set")
    ax.set_title(rf"width {w:g}: $\rho_\mu(f, g) = {ap.ky_fan(f, g):.3f}$", fontsize=9)
    ax.set_xlabel(r"$x$ ($\mu$ uniform on $[0, 1]$)")
    legend_below(ax)


def draw_rho_mu(ax) -> None:
    """rho_mu-distance: small everywhere except on a set of small measure."""
    draw_bad_set(ax, width=0.05)


def _demo_f(x):
    return np.exp(x)


def draw_dyadic(ax, depth=3, eps=0.05) -> None:
    """Lemma 1's interpolant of e^x on [-0.3, 1.7] after ``depth`` levels, against the eps band."""
    i = check_int(depth, "depth", minimum=1, maximum=12)
    eps = check_real(eps, "eps", positive=True)
    a, b = DEMO_A, DEMO_B
    net = ap.dyadic_network(_demo_f, a, b, i)
    x = np.linspace(a - 0.3, b + 0.3, 601)
    y = _demo_f(x)
    inside = (x >= a) & (x <= b)
    ax.fill_between(x[inside], y[inside] - eps, y[inside] + eps, color="0.85", label=r"$f \pm \varepsilon$")
    ax.plot(x, y, label="$f = \\exp$", **cycle(0))
    ax.plot(x, ap.evaluate_1d(net, x), label=f"network, depth {i}", **cycle(1))
    nodes = ap.dyadic_nodes(a, b, i)
    if len(nodes) <= 129:
        ax.plot(nodes, _demo_f(nodes), "o", ms=3, color=cycle(1)["color"])
    err = ap.sup_error(net, _demo_f, a, b, 4097)
    need = ap.stopping_index(np.exp(b), a, b, eps)
    ax.set_title(rf"error {err:.1e}, $\varepsilon$ = {eps:g}; {net.n_neurons + 1} units; levels needed {need}", fontsize=9)
    legend_below(ax)


def draw_cosine(ax, M=10.0, eps=0.05) -> None:
    """cos on [-M, M] with the paper's and the uniform network; the title compares unit counts."""
    M = check_real(M, "M", positive=True)
    eps = check_real(eps, "eps", low=1e-3)
    x = np.linspace(-M - 1, M + 1, 801)
    uni = ap.cosine_network(M, eps, "uniform")
    paper = ap.cosine_network(M, eps, "paper")
    ax.plot(x, np.cos(x), label=r"$\cos$", **cycle(0))
    ax.plot(x, ap.evaluate_1d(paper, x), label="paper (Lemma 2)", **cycle(1))
    ax.plot(x, ap.evaluate_1d(uni, x), label="uniform", **cycle(2))
    ax.axvline(-M, color="0.6", lw=0.8)
    ax.axvline(M, color="0.6", lw=0.8)
    ax.set_title(
        f"M={M:g}, eps={eps:g}: paper {ap.paper_cosine_relus(M, eps)} ReLUs, uniform {uni.n_neurons}", fontsize=9
    )
    legend_below(ax)
