"""How sums of ReLUs bend a line into x^2 (Part I, chapter "How ReLUs bend").

* :func:`h1` and :func:`h2` are the two networks of the Q&A thread (seed 003): ``|x|`` and the
  four-unit correction.  The thread writes ``h2`` one way and codes it another; both versions are
  here (``version="formula"`` and ``version="code"``) so that the chapter can compare them.
* :func:`square_interpolant` is the piecewise-linear interpolant of ``x^2`` with ``n`` kinks at
  uniformly spaced nodes of ``[a, b]``, written as a :class:`~relubook.nets.ShallowReLU` with
  ``n + 1`` units; :func:`square_interpolant_error` is its exact sup error ``h^2 / 4``.
* :func:`sup_error_square` measures ``max |net - x^2|`` on a fine grid plus the net's kinks and the
  midpoints between them (where the interpolation error of ``x^2`` peaks), so it is exact for
  piecewise-linear interpolants.
* :func:`train_square` trains a one-hidden-layer ReLU network of the same width on ``x^2`` by
  full-batch gradient descent (Adam), reusing :func:`relubook.training.train_batched`.
* :func:`draw_square_interpolant` is the drawing callback of the chapter's widget.
"""

from __future__ import annotations

import numpy as np

from .memo import memoised
from .nets import DeepReLU, ShallowReLU
from .validate import finite_result, check_size, as_array, check_choice, check_int, check_interval, check_real

__all__ = [
    "h1",
    "h2",
    "square_nodes",
    "square_interpolant",
    "square_interpolant_error",
    "kinks",
    "sup_error_square",
    "loglog_slope",
    "train_square",
    "draw_h",
    "draw_square_interpolant",
]


def h1() -> ShallowReLU:
    """``h1(x) = R(x) + R(-x) = |x|``: two ReLUs, the thread's first approximation of ``x^2``."""
    return ShallowReLU(W=[1.0, -1.0], b=[0.0, 0.0], B=[1.0, 1.0])


def h2(version: str = "code") -> ShallowReLU:
    """The thread's second approximation of ``x^2``, four ReLUs.

    * ``version="code"`` (the thread's R code): ``R(x) + R(-x) + R(2(x - 1)) + R(-2(x + 1))``,
      kinks at 0 and +-1; it interpolates ``x^2`` at 0, +-1, +-2.
    * ``version="formula"`` (the thread's displayed formula):
      ``R(x) + R(-x) + R(2x - 2) + R(-2x + 2)``; the last two terms add ``2|x - 1|``, with one kink
      at ``x = 1`` only, so the result is not even symmetric.
    """
    check_choice(version, "version", ("code", "formula"))
    if version == "code":
        return ShallowReLU(W=[1.0, -1.0, 2.0, -2.0], b=[0.0, 0.0, -2.0, -2.0], B=[1.0, 1.0, 1.0, 1.0])
    return ShallowReLU(W=[1.0, -1.0, 2.0, -2.0], b=[0.0, 0.0, -2.0, 2.0], B=[1.0, 1.0, 1.0, 1.0])


def square_nodes(n: int, a: float = -1.0, b: float = 1.0) -> np.ndarray:
    """The ``n + 2`` uniformly spaced nodes ``a = x_0 < ... < x_{n+1} = b`` (``n`` interior kinks)."""
    n = check_size(n, "n", minimum=0, maximum=10**7, reason="the n + 2 nodes are held in memory")
    a, b = check_interval(a, b, ("a", "b"))
    return np.linspace(a, b, n + 2)


def square_interpolant(n: int, a: float = -1.0, b: float = 1.0) -> ShallowReLU:
    """The piecewise-linear interpolant of ``x^2`` on ``[a, b]`` with ``n`` kinks, as ``n + 1`` ReLUs.

    With nodes ``x_i = a + i h``, ``h = (b - a)/(n + 1)``, and slopes ``s_i`` of the chords,
    ``f(x) = a^2 + s_0 R(x - a) + sum_{i=1}^{n} (s_i - s_{i-1}) R(x - x_i)``; on ``[a, b]`` it
    equals the interpolant (left of ``a`` it is the constant ``a^2``; right of ``b`` it continues
    the last chord).
    """
    x = square_nodes(n, a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        y = x**2
        s = np.diff(y) / np.diff(x)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s))):
        raise ValueError(f"a and b are too large: x^2 overflows float64 on [{a}, {b}]")
    W = np.ones(n + 1)
    bias = -x[:-1]
    B = np.concatenate([[s[0]], np.diff(s)])
    return ShallowReLU(W=W, b=bias, B=B, c=y[0])


def square_interpolant_error(n: int, a: float = -1.0, b: float = 1.0) -> float:
    """The exact sup error ``h^2 / 4`` of :func:`square_interpolant`, ``h = (b - a) / (n + 1)``.

    On a piece ``[x_i, x_i + h]`` the chord minus ``x^2`` is ``(x - x_i)(x_i + h - x)``, largest at
    the midpoint, ``h^2/4``.
    """
    n = check_int(n, "n", minimum=0)
    a, b = check_interval(a, b, ("a", "b"))
    h = (b - a) / (n + 1)
    return h * h / 4


def kinks(net: ShallowReLU) -> np.ndarray:
    """Sorted kink locations ``-b_j / w_j`` of a one-input :class:`ShallowReLU` (units with ``w_j != 0``)."""
    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU, got {type(net).__name__}")
    if net.input_dim != 1:
        raise ValueError(f"net must take one input, it takes {net.input_dim}")
    w = net.W[:, 0]
    keep = w != 0
    return np.unique(-net.b[keep] / w[keep])


def sup_error_square(net, a: float = -1.0, b: float = 1.0, n_grid: int = 4001) -> float:
    """``max |net(x) - x^2|`` over ``[a, b]``: a uniform grid plus the kinks of ``net`` and midpoints.

    Between two kinks ``net`` is affine, so ``net - x^2`` is concave there and peaks either at an end
    or where the slope matches; for interpolants that is the midpoint, which is included.  ``net``
    may be any callable taking a 1-D array (a :class:`ShallowReLU`, a :class:`DeepReLU`, ...).
    """
    if not callable(net):
        raise TypeError(f"net must be a callable network, got {type(net).__name__}")
    a, b = check_interval(a, b, ("a", "b"))
    n_grid = check_size(n_grid, "n_grid", minimum=2, maximum=10**7, reason="the grid is held in memory")
    pts = [np.linspace(a, b, n_grid)]
    if isinstance(net, ShallowReLU) and net.input_dim == 1:
        k = kinks(net)
        k = np.unique(np.concatenate([[a, b], k[(k > a) & (k < b)]]))
        pts += [k, 0.5 * (k[1:] + k[:-1])]
    x = np.unique(np.concatenate(pts))
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.asarray(net(x), dtype=float).reshape(-1)
        err = np.abs(y - x**2)
    if not np.all(np.isfinite(err)):
        raise ValueError(f"the error is not finite on [a, b] = [{a}, {b}]: net or x^2 overflows float64 there")
    return float(np.max(err))


def loglog_slope(n, err) -> float:
    """Least-squares slope of ``log err`` against ``log n`` (``-2`` for an error ~ ``1/n^2``)."""
    n = as_array(n, "n", ndim=1)
    err = as_array(err, "err", ndim=1)
    if n.shape != err.shape or len(n) < 2:
        raise ValueError(f"n and err must have the same length >= 2, got {n.shape} and {err.shape}")
    if np.any(n <= 0) or np.any(err <= 0):
        raise ValueError("n and err must be positive to take logarithms")
    return float(np.polyfit(np.log(n), np.log(err), 1)[0])


@memoised
def train_square(width: int, a: float = -1.0, b: float = 1.0, *, steps: int = 1500, lr: float = 0.02,
                 n_points: int = 201, seed: int = 0, start: ShallowReLU | None = None, device=None):
    """Train ``x -> c + B R(W x + b)`` with ``width`` units on ``x^2`` (MSE, full-batch Adam).

    The network starts from torch's default ``nn.Linear`` initialisation (seeded), sees ``n_points``
    equally spaced points of ``[a, b]`` and takes ``steps`` full-batch Adam steps in float64 on
    ``device`` (default :func:`relubook.device`).  ``start``, a one-input scalar
    :class:`ShallowReLU` with ``width`` units, replaces the random initialisation.  Returns ``(net, losses)``: the trained network as
    a :class:`ShallowReLU` and the training MSE before training and after each step.  Memoised under
    ``RELUBOOK_MEMO`` (:mod:`relubook.memo`; a call with a ``start`` network is always computed).
    """
    import torch

    from .training import BatchedMLP, train_batched

    width = check_int(width, "width", minimum=1)
    a, b = check_interval(a, b, ("a", "b"))
    steps = check_size(steps, "steps", maximum=100_000,
                       reason="train_square is a small demonstration (the book takes 1,500 full-batch steps)")
    lr = check_real(lr, "lr", positive=True)
    n_points = check_size(n_points, "n_points", minimum=2, maximum=1_000_000, reason="the points are one full batch")
    seed = check_int(seed, "seed", minimum=0)
    x = np.linspace(a, b, n_points)
    target = finite_result(lambda: x**2, f"a and b are too large: x^2 overflows float64 on [{a}, {b}]")
    model = BatchedMLP(1, [1, width, 1], init="torch-default", seed=seed, dtype=torch.float64, device=device)
    if start is not None:
        if not isinstance(start, ShallowReLU):
            raise TypeError(f"start must be a ShallowReLU, got {type(start).__name__}")
        if start.input_dim != 1 or start.output_dim != 1 or start.n_neurons != width:
            raise ValueError(f"start must have one input, one output and {width} units, got {start!r}")
        with torch.no_grad():
            for p, v in zip(list(model.weights) + list(model.biases), [start.W, start.B, start.b, start.c]):
                p[0].copy_(torch.as_tensor(v, dtype=p.dtype).reshape(p[0].shape))
    hist = train_batched(model, x[:, None], target, epochs=steps, batch_size=n_points, lr=lr,
                         optimizer="adam", loss="mse", seed=seed, progress=False)
    deep = DeepReLU.from_torch(model.model(0))
    (W, bias), (B, c) = deep.layers
    net = ShallowReLU(W=W, b=bias, B=B[0], c=c[0])
    return net, hist["loss"][:, 0]


def draw_h(ax, lo: float = -3.0, hi: float = 3.0):
    """``x^2`` next to the thread's ``h1`` and both versions of ``h2`` on ``[lo, hi]``."""
    from .plotting import cycle, legend_below

    lo, hi = check_interval(lo, hi)
    x = np.linspace(lo, hi, 601)
    curves = [("$x^2$", x**2), ("$h_1 = |x|$", h1()(x)), ("$h_2$, thread's code", h2("code")(x)),
              ("$h_2$, thread's formula", h2("formula")(x))]
    for i, (label, y) in enumerate(curves):
        ax.plot(x, y, label=label, **cycle(i))
    nodes = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    ax.plot(nodes, nodes**2, "o", color="black", markersize=5, label=r"$x^2$ at $0, \pm 1, \pm 2$")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.5, 1.05 * max(float(np.max(y)) for _, y in curves))
    ax.set_xlabel("$x$")
    legend_below(ax)
    return ax


def draw_square_interpolant(ax, n: int = 3, a: float = -1.0, b: float = 1.0):
    """The widget callback: ``x^2``, its ``n``-kink interpolant on ``[a, b]`` and the error (inset axis).

    The title reports the unit count and the measured sup error against ``h^2/4``.
    """
    from .plotting import cycle, legend_below

    n = check_int(n, "n", minimum=0)
    net = square_interpolant(n, a, b)
    x = np.linspace(a, b, 801)
    ax.plot(x, x**2, label="$x^2$", **cycle(0))
    ax.plot(x, net(x), label=f"interpolant, {n} kinks", **cycle(1))
    nodes = square_nodes(n, a, b)
    ax.plot(nodes, nodes**2, "o", color="black", markersize=4)
    ax.plot(x, net(x) - x**2, label="error", **cycle(2))
    err = sup_error_square(net, a, b)
    ax.set_title(f"{net.n_neurons} ReLUs, sup error {err:.4f} ($h^2/4$ = {square_interpolant_error(n, a, b):.4f})",
                 fontsize=9)
    ax.set_xlim(a, b)
    top = max(a * a, b * b)
    ax.set_ylim(-0.05 * top, 1.05 * top)
    ax.set_xlabel("$x$")
    legend_below(ax)
    return ax
