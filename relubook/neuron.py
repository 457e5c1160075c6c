"""One neuron and one layer: the gated linear separator and its regions.

* A ReLU neuron ``x -> relu(w . x + b)`` is a *gate* (the half-space
  ``w . x + b > 0``) times an *affine function* (``w . x + b``):
  :func:`gate`, :func:`neuron`.
* Its gradient is a gated, error-modulated Hebbian update:
  :func:`hebbian_gradient`, :func:`squared_loss_gradient`.
* A small ReLU network on the plane cuts it into regions with one activation
  pattern each and computes one affine function per region:
  :func:`example_network` (the three-neuron example of the seed chapter),
  :func:`activation_patterns`, :func:`affine_piece`, :func:`region_table`.
* The probability that a random neuron is active:
  :func:`active_probability` (formula) and :func:`active_probability_mc`
  (simulation).
* Drawing callbacks for the chapter's figures and widget: :func:`draw_gate`,
  :func:`draw_regions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .device import generator
from .memo import memoised
from .nets import DeepReLU, ShallowReLU, relu
from .validate import finite_result, check_budget, check_size, as_sequence, as_array, as_points, check_choice, check_int, check_interval, check_real

__all__ = [
    "gate",
    "neuron",
    "hebbian_gradient",
    "squared_loss_gradient",
    "example_network",
    "activation_patterns",
    "affine_piece",
    "Region",
    "region_table",
    "region_labels",
    "pattern_feasible",
    "region_markdown",
    "region_records",
    "INPUT_MODELS",
    "active_probability",
    "active_probability_mc",
    "draw_gate",
    "draw_regions",
]


# ---------------------------------------------------------------------------
# one neuron
# ---------------------------------------------------------------------------
def _neuron_args(w, b, X):
    w = as_array(w, "w", ndim=1)
    if w.size == 0:
        raise ValueError("w must have at least one entry")
    b = check_real(b, "b")
    X = as_points(X, "X", w.size)
    return w, b, X


def gate(w, b, X) -> np.ndarray:
    """Boolean array, shape ``(n,)``: is the neuron ``relu(w . x + b)`` active at each row of ``X``?

    Active means strictly positive pre-activation, ``w . x + b > 0``.
    """
    w, b, X = _neuron_args(w, b, X)
    return finite_result(lambda: X @ w + b, "X, w and b are too large: w . x + b overflows float64") > 0


def neuron(w, b, X) -> np.ndarray:
    """Output ``relu(w . x + b)`` at each row of ``X``: the gate times the affine function."""
    w, b, X = _neuron_args(w, b, X)
    z = finite_result(lambda: X @ w + b, "X, w and b are too large: w . x + b overflows float64")
    return (z > 0) * z


def hebbian_gradient(w, b, X, error) -> tuple[np.ndarray, float]:
    """Gradient of a loss ``L`` w.r.t. ``(w, b)`` of one neuron, summed over the rows of ``X``.

    ``error[i] = dL/da_i`` is the error signal arriving at the neuron's output
    ``a_i = relu(w . x_i + b)``.  The gradient is the Hebbian product of that
    error and the input, gated by the neuron's activity::

        dL/dw = sum_i error_i * 1[w . x_i + b > 0] * x_i,   dL/db = sum_i error_i * 1[...]

    (the gate uses the convention ``relu'(0) = 0``, as torch does).
    """
    w, b, X = _neuron_args(w, b, X)
    error = as_array(error, "error", ndim=(0, 1)).reshape(-1)
    if error.size == 1 and X.shape[0] != 1:
        error = np.full(X.shape[0], error[0])
    if error.shape != (X.shape[0],):
        raise ValueError(f"error must have one entry per row of X ({X.shape[0]}), got shape {error.shape}")
    signal = error * (finite_result(lambda: X @ w + b, "X, w and b are too large: w . x + b overflows float64") > 0)
    grad_w = finite_result(lambda: signal @ X, "error and X are too large: the gradient sum_i error_i x_i overflows float64")
    grad_b = finite_result(lambda: signal.sum(), "error is too large: the gradient sum_i error_i overflows float64")
    return grad_w, float(grad_b)


def squared_loss_gradient(w, b, X, y) -> tuple[np.ndarray, float]:
    """Gradient of ``L = 1/2 sum_i (relu(w . x_i + b) - y_i)^2``: :func:`hebbian_gradient` with error ``a - y``."""
    w, b, X = _neuron_args(w, b, X)
    y = as_array(y, "y", ndim=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one entry per row of X ({X.shape[0]}), got shape {y.shape}")
    return hebbian_gradient(w, b, X, neuron(w, b, X) - y)


# ---------------------------------------------------------------------------
# one layer on the plane: regions and affine pieces
# ---------------------------------------------------------------------------
def example_network() -> ShallowReLU:
    """The three-neuron network on the plane of the seed chapter, with output weights of our choice.

    Hidden pre-activations ``z1 = x1 - 2 x2``, ``z2 = -x1 + x2 + 1``,
    ``z3 = 2 x1 + x2 - 2`` (from the seed); output ``f = h1 + 2 h2 - h3``
    (the seed leaves the output layer open).
    """
    W = np.array([[1.0, -2.0], [-1.0, 1.0], [2.0, 1.0]])
    b = np.array([0.0, 1.0, -2.0])
    return ShallowReLU(W, b, np.array([1.0, 2.0, -1.0]), 0.0)


def _as_deep(net) -> DeepReLU:
    if isinstance(net, ShallowReLU):
        return net.to_deep()
    if isinstance(net, DeepReLU):
        return net
    raise TypeError(f"net must be a ShallowReLU or DeepReLU, got {type(net).__name__}")


def activation_patterns(net, X) -> np.ndarray:
    """Activation pattern of every hidden unit at every row of ``X``: 0/1 array of shape ``(n, n_neurons)``.

    For a :class:`DeepReLU` the hidden layers are concatenated, first layer first.
    """
    deep = _as_deep(net)
    return np.concatenate([(Z > 0) for Z in deep.pre_activations(X)], axis=1).astype(np.int8)


def affine_piece(net, pattern) -> tuple[np.ndarray, np.ndarray]:
    """The affine function ``x -> A x + c`` that ``net`` computes where its pattern is ``pattern``.

    Returns ``(A, c)`` with ``A`` of shape ``(k, r)`` and ``c`` of shape ``(k,)``
    (``k`` outputs, ``r`` inputs); for a scalar network ``A`` has shape ``(r,)``
    and ``c`` is a float.  Exact: it multiplies the layers with the inactive
    units' rows set to zero.
    """
    deep = _as_deep(net)
    pattern = as_array(pattern, "pattern", ndim=1)
    if pattern.shape != (deep.n_neurons,):
        raise ValueError(f"pattern must have one entry per hidden unit ({deep.n_neurons}), got shape {pattern.shape}")
    if not np.all((pattern == 0) | (pattern == 1)):
        raise ValueError("pattern must contain only 0 (inactive) and 1 (active)")
    A = np.eye(deep.input_dim)
    c = np.zeros(deep.input_dim)
    start = 0
    for W, b in deep.layers[:-1]:
        gate_ = pattern[start : start + W.shape[0]][:, None]
        A, c = gate_ * (W @ A), gate_[:, 0] * (W @ c + b)
        start += W.shape[0]
    W, b = deep.layers[-1]
    A, c = W @ A, W @ c + b
    if deep.scalar_output:
        return A[0], float(c[0])
    return A, c


@dataclass(frozen=True)
class Region:
    """One activation region found on a grid: pattern, affine piece, share of the box, a point inside."""

    pattern: tuple
    slope: np.ndarray
    intercept: float
    area: float
    point: np.ndarray

    @property
    def label(self) -> str:
        return "".join(str(int(p)) for p in self.pattern)


def _grid(lo, hi, resolution):
    lo = as_array(lo, "lo", shape=(2,))
    hi = as_array(hi, "hi", shape=(2,))
    for i in range(2):
        check_interval(lo[i], hi[i], (f"lo[{i}]", f"hi[{i}]"))
    resolution = check_int(resolution, "resolution", minimum=2, maximum=4000)
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    XX, YY = np.meshgrid(xs, ys)
    return lo, hi, XX, YY


def region_table(net, lo=(-2.0, -2.0), hi=(4.0, 3.0), resolution: int = 301) -> list[Region]:
    """The activation regions of a scalar network on the plane that a grid over the box ``[lo, hi]`` meets.

    Each region carries its pattern, its exact affine piece (:func:`affine_piece`),
    its approximate area (the share of grid points times the box area) and a
    grid point inside it (the grid point nearest to the region's centroid; a
    region of one layer is convex, so that point lies in it).  Regions are
    sorted by pattern.  Regions thinner than the grid spacing can be missed.
    """
    deep = _as_deep(net)
    if deep.input_dim != 2:
        raise ValueError(f"net must take 2 inputs (a network on the plane), it takes {deep.input_dim}")
    if not deep.scalar_output:
        raise ValueError("net must have one output")
    lo, hi, XX, YY = _grid(lo, hi, resolution)
    P = np.column_stack([XX.ravel(), YY.ravel()])
    pats = activation_patterns(deep, P)
    keys, inverse, counts = np.unique(pats, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    box = float(np.prod(hi - lo))
    regions = []
    for k, (key, count) in enumerate(zip(keys, counts)):
        pts = P[inverse == k]
        centre = pts.mean(axis=0)
        point = pts[np.argmin(((pts - centre) ** 2).sum(axis=1))]
        slope, intercept = affine_piece(deep, key)
        regions.append(Region(tuple(int(v) for v in key), slope, intercept, box * count / P.shape[0], point))
    return regions


def pattern_feasible(net, pattern) -> bool:
    """Exact test: is there an open region of the plane (or of ``R^r``) where the one-hidden-layer ``net`` has ``pattern``?

    Solves the linear programme ``max t`` subject to ``s_i (w_i . x + b_i) >= t``
    (``s_i = +1`` for active units, ``-1`` for inactive ones) and ``t <= 1``; the
    pattern has a region with interior exactly when the optimum is positive.
    """
    from scipy.optimize import linprog

    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU (one hidden layer), got {type(net).__name__}")
    pattern = as_array(pattern, "pattern", ndim=1)
    if pattern.shape != (net.n_neurons,):
        raise ValueError(f"pattern must have one entry per hidden unit ({net.n_neurons}), got shape {pattern.shape}")
    if not np.all((pattern == 0) | (pattern == 1)):
        raise ValueError("pattern must contain only 0 (inactive) and 1 (active)")
    sign = np.where(pattern == 1, 1.0, -1.0)
    r = net.input_dim
    # variables (x, t); constraints  -s_i w_i . x + t <= s_i b_i
    A = np.column_stack([-sign[:, None] * net.W, np.ones(net.n_neurons)])
    res = linprog(np.r_[np.zeros(r), -1.0], A_ub=A, b_ub=sign * net.b,
                  bounds=[(None, None)] * r + [(None, 1.0)], method="highs")
    return bool(res.status == 0 and -res.fun > 1e-9)


def region_records(regions, digits: int = 3) -> list[dict]:
    """:func:`region_table` rows as dicts for :func:`relubook.tables.table`: pattern, active units,
    the affine function (as math) and the area."""
    digits = check_int(digits, "digits", minimum=0, maximum=12)
    regions = as_sequence(regions, "regions", "Region objects")
    out = []
    for r in regions:
        if not isinstance(r, Region):
            raise TypeError(f"regions must contain Region objects, got {type(r).__name__}")
        active = ", ".join(f"$h_{i + 1}$" for i, p in enumerate(r.pattern) if p) or "none"
        terms = " ".join(f"{v:+.{digits}g}\\,x_{j + 1}" for j, v in enumerate(np.atleast_1d(r.slope)))
        out.append({"pattern": f"`{r.label}`", "active units": active,
                    "$f(x)$ on the region": f"${terms} {r.intercept:+.{digits}g}$", "area in the box": float(r.area)})
    return out


def region_markdown(regions, digits: int = 3) -> str:
    """A markdown table of :func:`region_table` rows: pattern, affine function, approximate area."""
    digits = check_int(digits, "digits", minimum=0, maximum=12)
    regions = as_sequence(regions, "regions", "Region objects")
    lines = ["| pattern | active units | f(x) on the region | area in the box |", "| --- | --- | --- | --- |"]
    for r in regions:
        if not isinstance(r, Region):
            raise TypeError(f"regions must contain Region objects, got {type(r).__name__}")
        active = ", ".join(f"$h_{i + 1}$" for i, p in enumerate(r.pattern) if p) or "none"
        terms = " ".join(f"{v:+.{digits}g}\\,x_{j + 1}" for j, v in enumerate(np.atleast_1d(r.slope)))
        lines.append(f"| `{r.label}` | {active} | ${terms} {r.intercept:+.{digits}g}$ | {r.area:.{digits}g} |")
    return "\n".join(lines)


def region_labels(net, X) -> list[str]:
    """Activation patterns at the rows of ``X`` as strings such as ``"101"``."""
    return ["".join(str(int(v)) for v in row) for row in activation_patterns(net, X)]


# ---------------------------------------------------------------------------
# probability that a random neuron is active
# ---------------------------------------------------------------------------
#: Input models of :func:`active_probability`: the input lies on the sphere of
#: radius sqrt(d), or has i.i.d. standard normal coordinates.
INPUT_MODELS = ("sphere", "gaussian")


def active_probability(b, sigma, d, inputs: str = "sphere") -> float:
    """Probability that ``w . x + b > 0`` for ``w ~ N(0, sigma^2 I_d)`` independent of ``x``.

    * ``inputs="sphere"``: ``|x| = sqrt(d)`` (any such ``x``, fixed or random).
      Then ``w . x ~ N(0, sigma^2 d)`` exactly and the probability is
      ``Phi(b / (sigma sqrt(d)))``.
    * ``inputs="gaussian"``: ``x ~ N(0, I_d)``.  Given ``x`` the probability is
      ``Phi(b / (sigma |x|))``; this averages it over ``|x| ~ chi_d``
      (numerical integration).  ``Phi(b / (sigma sqrt(d)))`` is only its
      large-``d`` approximation.
    """
    from scipy import integrate, special, stats

    b = check_real(b, "b")
    sigma = check_real(sigma, "sigma", positive=True)
    d = check_size(d, "d", maximum=10**9, reason="the input dimension enters a chi distribution")
    check_choice(inputs, "inputs", INPUT_MODELS)
    if inputs == "sphere" or b == 0:
        return float(special.ndtr(b / (sigma * np.sqrt(d))))
    dist = stats.chi(d)
    lo, hi = dist.ppf(1e-12), dist.ppf(1 - 1e-12)
    value, _ = integrate.quad(lambda r: special.ndtr(b / (sigma * r)) * dist.pdf(r), lo, hi, limit=200)
    return float(value)


def active_probability_mc(b, sigma, d, n: int = 100_000, inputs: str = "sphere", rng=None) -> tuple[float, float]:
    """Monte Carlo estimate of :func:`active_probability` and its standard error.

    Draws ``n`` independent pairs ``(w, x)`` in one vectorised step (``w``
    Gaussian; ``x`` Gaussian, or Gaussian rescaled to the sphere of radius
    ``sqrt(d)``) and counts active neurons.  Memoised under ``RELUBOOK_MEMO``
    (:mod:`relubook.memo`; a generator ``rng`` is keyed by its state and left as a real call leaves it).
    """
    b = check_real(b, "b")
    sigma = check_real(sigma, "sigma", positive=True)
    d = check_int(d, "d", minimum=1)
    n = check_int(n, "n", minimum=2)
    check_budget(3 * 8.0 * n * d, f"the n x d = {n} x {d} draws of w and x")
    check_choice(inputs, "inputs", INPUT_MODELS)
    if rng is not None and not isinstance(rng, np.random.Generator):
        rng = check_int(rng, "rng", minimum=0)
    if isinstance(rng, np.random.Generator):
        state = rng.bit_generator.state
        if hasattr(np.random, str(state.get("bit_generator"))):  # a numpy bit generator: keyed by its state
            result, after = _active_probability_mc(b, sigma, d, n, inputs, state)
            rng.bit_generator.state = after
            return result
        return _active_probability_mc_drawn(b, sigma, d, n, inputs, rng)
    return _active_probability_mc(b, sigma, d, n, inputs, rng)[0]


@memoised
def _active_probability_mc(b, sigma, d, n, inputs, rng):
    """:func:`active_probability_mc` for checked arguments, ``rng`` ``None``, a seed or a bit generator's
    state (plain data, so that the call can be memoised); returns the result and the state after it."""
    if isinstance(rng, dict):
        gen = np.random.Generator(getattr(np.random, rng["bit_generator"])())
        gen.bit_generator.state = rng
        return _active_probability_mc_drawn(b, sigma, d, n, inputs, gen), gen.bit_generator.state
    return _active_probability_mc_drawn(b, sigma, d, n, inputs, generator(rng)), None  # None: rb.seed's


def _active_probability_mc_drawn(b, sigma, d, n, inputs, rng):
    w = rng.normal(0.0, sigma, size=(n, d))
    x = rng.normal(size=(n, d))
    if inputs == "sphere":
        x *= np.sqrt(d) / np.linalg.norm(x, axis=1, keepdims=True)
    active = np.einsum("ij,ij->i", w, x) + b > 0
    p = float(active.mean())
    return p, float(np.sqrt(max(p * (1 - p), 1.0 / n) / n))


# ---------------------------------------------------------------------------
# drawing callbacks
# ---------------------------------------------------------------------------
def _square_chord(p, u, lim: float):
    """The part ``p + s u`` (``s`` in an interval) of a line that lies in the square ``[-lim, lim]^2``, or None."""
    lo, hi = -np.inf, np.inf
    for k in range(2):
        if u[k] == 0.0:
            if abs(p[k]) > lim:
                return None
            continue
        a, b = sorted(((-lim - p[k]) / u[k], (lim - p[k]) / u[k]))
        lo, hi = max(lo, a), min(hi, b)
    return (p + lo * u, p + hi * u) if hi > lo else None


def _half_plane_in_square(w, b: float, lim: float) -> np.ndarray:
    """Corners of the polygon ``{x in [-lim, lim]^2 : w . x + b >= 0}`` (Sutherland-Hodgman, one edge)."""
    square = np.array([[-lim, -lim], [lim, -lim], [lim, lim], [-lim, lim]])
    out = []
    for P, Q in zip(square, np.roll(square, -1, axis=0)):
        zP, zQ = float(w @ P + b), float(w @ Q + b)
        if zP >= 0:
            out.append(P)
        if (zP >= 0) != (zQ >= 0):
            out.append(P + zP / (zP - zQ) * (Q - P))
    return np.array(out).reshape(-1, 2)


def draw_gate(ax, angle: float = 30.0, b: float = 0.0, lim: float = 3.0):
    """One neuron on the plane, ``w = (cos angle, sin angle)``: the callback of the chapter's widget.

    Shades and hatches the active half-plane, draws the output ``relu(w . x + b)``
    as contour lines there (every 0.5, labelled at whole numbers), the boundary line and the weight vector.  Everything
    is drawn from the affine ``w . x + b`` exactly: the active part of the square is a polygon and each
    contour line is a chord of the square, so edges are straight at any size.
    """
    from matplotlib.collections import LineCollection

    from .plotting import PALETTE

    angle = check_real(angle, "angle")
    b = check_real(b, "b")
    lim = check_real(lim, "lim", positive=True)
    t = np.deg2rad(angle)
    w = np.array([np.cos(t), np.sin(t)])
    u = np.array([-w[1], w[0]])  # along the lines w . x = const
    active = _half_plane_in_square(w, b, lim)
    if len(active) >= 3:
        ax.fill(active[:, 0], active[:, 1], facecolor=PALETTE["sky"], alpha=0.35, hatch="//",
                edgecolor=PALETTE["sky"], linewidth=0)
    top = lim * (abs(w[0]) + abs(w[1])) + b  # the largest output on the square (at a corner)
    chords, labels = [], []
    for c in np.arange(0.5, top, 0.5):
        chord = _square_chord((c - b) * w, u, lim)
        if chord is not None:
            chords.append(chord)
            if c == int(c):  # lines every 0.5, labels on the whole numbers
                labels.append((0.5 * (chord[0] + chord[1]), c))
    if chords:
        ax.add_collection(LineCollection(chords, colors=[PALETTE["blue"]], linewidths=0.8))
        rot = (np.rad2deg(np.arctan2(u[1], u[0])) + 90.0) % 180.0 - 90.0  # upright text along the lines
        for (x, y), c in labels:
            ax.text(x, y, f"{c:.0f}", fontsize=8, color=PALETTE["blue"], rotation=rot, rotation_mode="anchor",
                    ha="center", va="center", bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})
    # boundary w.x + b = 0: the point -b w plus multiples of the direction orthogonal to w
    p0 = -b * w
    s = np.array([-3 * lim, 3 * lim])
    ax.plot(p0[0] + s * u[0], p0[1] + s * u[1], color=PALETTE["black"], linewidth=1.5, label="gate boundary")
    ax.annotate("", xy=p0 + w, xytext=p0, arrowprops={"arrowstyle": "->", "color": PALETTE["vermillion"], "lw": 2})
    ax.text(*(p0 + 1.15 * w), "$w$", color=PALETTE["vermillion"], ha="center", va="center")
    ax.text(0.02, 0.02, f"angle {angle:.0f}°, b = {b:.2f}; hatched: active", transform=ax.transAxes, fontsize=8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


_HATCHES = ["", "//", "\\\\", "..", "xx", "oo", "--", "++", "**", "||"]


def draw_regions(ax, net=None, lo=(-2.0, -2.0), hi=(4.0, 3.0), resolution: int = 301, labels: bool = True):
    """Colour and hatch the activation regions of a scalar network on the plane; label each by its pattern.

    Colours are the Okabe-Ito palette; hatching and the printed pattern keep the
    map readable in grey.  Returns the :func:`region_table` of the drawn regions.
    """
    from matplotlib.colors import ListedColormap

    from .plotting import PALETTE, _ORDER

    net = example_network() if net is None else net
    deep = _as_deep(net)
    regions = region_table(deep, lo, hi, resolution)
    lo, hi, XX, YY = _grid(lo, hi, resolution)
    pats = activation_patterns(deep, np.column_stack([XX.ravel(), YY.ravel()]))
    index = {r.pattern: i for i, r in enumerate(regions)}
    K = np.array([index[tuple(int(v) for v in p)] for p in pats]).reshape(XX.shape)
    colours = [PALETTE[_ORDER[(i + 5) % len(_ORDER)]] for i in range(len(regions))]
    levels = np.arange(len(regions) + 1) - 0.5
    ax.contourf(XX, YY, K, levels=levels, cmap=ListedColormap(colours), alpha=0.55,
                hatches=[_HATCHES[i % len(_HATCHES)] for i in range(len(regions))])
    for W_row, b_i in zip(deep.layers[0][0], deep.layers[0][1]):
        if abs(W_row[1]) > 1e-12:
            xs = np.array([lo[0], hi[0]])
            ax.plot(xs, -(W_row[0] * xs + b_i) / W_row[1], color="black", linewidth=1.2)
        else:
            ax.axvline(-b_i / W_row[0], color="black", linewidth=1.2)
    if labels:
        for r in regions:
            ax.text(r.point[0], r.point[1], r.label, ha="center", va="center", fontsize=9,
                    bbox={"facecolor": "white", "edgecolor": "0.3", "boxstyle": "round,pad=0.2"})
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return regions
