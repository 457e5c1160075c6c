"""Memorisation with few units, and what depth buys (chapter 18).

* :func:`baum_network`: Baum's construction for binary labels of points in general position in
  ``R^d``.  The points of the smaller class are put in groups of ``d``; the hyperplane through a
  group contains no point of the other class, and a thin slab around it is picked out by a hat
  ``relu(t + delta) - 2 relu(t) + relu(t - delta)`` of ``t = a.x - c`` (three ReLUs; Baum's two
  threshold units become three ReLUs because a ReLU step costs two units, and the two steps share
  their middle kink).  ``3 ceil(m / d)`` ReLUs for ``m`` points in the smaller class.
* :func:`memorise_two_layers`: arbitrary real values at ``n`` distinct points with two hidden
  layers and at most ``2 ceil(n/s) + 2 s - 4`` units (``s`` points per group, ``s = ceil(sqrt n)``
  by default): the first layer lets every second-layer unit be an arbitrary affine function of
  ``t = w.x`` on each group of consecutive points (two kinks in each gap between groups), and the
  second layer's units are the ramps of each group's interpolant.
* :func:`max_affine_network` and :func:`max_network`: ``max_k (A_k x + c_k)`` by a pairwise
  tournament, ``max(u, v) = relu(u - v) + relu(v) - relu(-v)``, with ``ceil(log2 K)`` hidden
  layers (Arora, Basu, Mianjy and Mukherjee: every continuous piecewise-linear function on
  ``R^d`` needs at most ``ceil(log2(d + 1))`` hidden layers).
* :func:`exact_outputs`: a network evaluated in rational arithmetic on the exact values of its
  float weights, so that a margin or an equality can be checked without rounding;
  :func:`rounding_bound`: how far a network whose weights were rounded once can be from the exact one.
* :func:`units_lower_bound`: the fewest hidden units with which a one-input network of depth 1
  or 2 can fit ``n`` points with alternating labels (from the bound ``prod(n_l + 1)`` on pieces).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np

from .nets import DeepReLU, ShallowReLU
from .validate import as_array, check_int, check_size

__all__ = [
    "baum_network",
    "memorise_two_layers",
    "two_layer_unit_bound",
    "max_affine_network",
    "max_network",
    "max_hidden_layers",
    "arora_depth",
    "exact_outputs",
    "rounding_bound",
    "BOUNDS",
    "units_lower_bound",
    "baum_slabs",
    "draw_baum",
    "MAX_POINTS",
    "MAX_EXACT_WORK",
]

MAX_POINTS = 200_000
"""The most points the constructions take (Baum's network forms a groups-by-points matrix)."""

MAX_EXACT_WORK = 5_000_000
"""The most rational multiply-adds :func:`exact_outputs` performs (points times weights)."""


# ----------------------------------------------------------------------------- input checks
def _points(X, name="X") -> np.ndarray:
    arr = as_array(X, name, ndim=(1, 2))
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must contain at least one point with at least one coordinate, got shape {arr.shape}")
    if arr.shape[0] > MAX_POINTS:
        raise ValueError(f"{name} has {arr.shape[0]} points; the constructions take at most {MAX_POINTS}")
    if arr.shape[1] > 10_000:
        raise ValueError(f"{name} has {arr.shape[1]} coordinates; the constructions take at most 10000")
    if np.abs(arr).max() > 1e100:
        raise ValueError(f"{name} must have entries of absolute value at most 1e100")
    return arr


def _labels(labels, n: int) -> np.ndarray:
    lab = as_array(labels, "labels", ndim=1)
    if lab.shape[0] != n:
        raise ValueError(f"labels must have one entry per point: X has {n} points, labels has {lab.shape[0]}")
    if not np.all((lab == 0) | (lab == 1)):
        raise ValueError("labels must be 0 or 1 (or False/True)")
    return lab.astype(bool)


def _distinct_rows(X, name="X") -> None:
    order = np.lexsort(X.T[::-1])
    Xs = X[order]
    same = np.all(Xs[1:] == Xs[:-1], axis=1)
    if same.any():
        k = int(np.flatnonzero(same)[0])
        i, j = sorted((int(order[k]), int(order[k + 1])))
        raise ValueError(f"{name} has duplicate points: rows {i} and {j} are equal")


# ----------------------------------------------------------------------------- Baum
def baum_network(X, labels, seed: int = 0) -> ShallowReLU:
    """One hidden layer of ``3 ceil(m / d)`` ReLUs that classifies ``n`` points in general position.

    ``X`` has shape ``(n, d)``; ``labels`` are 0/1.  ``m`` is the size of the smaller class.  The
    network ``f`` has ``f(x_i) >= 1/2 - eta`` where ``labels[i] == 1`` and ``f(x_i) <= -1/2 + eta``
    where ``labels[i] == 0``, with ``eta`` of the order of rounding (check it with
    :func:`exact_outputs`).

    General position is what the construction needs: the hyperplane through any group of ``d`` points
    of the smaller class keeps a positive distance from every point of the other class.  When a
    distance is below ``1e-9`` times the spread of the points, ``ValueError`` says which group.
    A last group with fewer than ``d`` points is completed with other points of its class, or (with
    fewer than ``d`` in the class) with points drawn from ``seed``.
    """
    X = _points(X)
    n, d = X.shape
    lab = _labels(labels, n)
    seed = check_int(seed, "seed", minimum=0)
    _distinct_rows(X)
    ones = int(lab.sum())
    minority_is_one = ones <= n - ones
    sign = 1.0 if minority_is_one else -1.0
    idx = np.flatnonzero(lab == minority_is_one)
    other = X[lab != minority_is_one]
    m = idx.size
    if m == 0 or other.shape[0] == 0:  # one class only: a constant
        return ShallowReLU(np.zeros((1, d)), [0.0], [0.0], 0.5 if ones else -0.5)
    scale = float(np.ptp(X, axis=0).max()) or 1.0
    centre = X.mean(axis=0)
    rng = np.random.default_rng(seed)
    groups = [idx[k:k + d] for k in range(0, m, d)]
    W, b, B = [], [], []
    for g, members in enumerate(groups):
        P = X[members]
        if len(members) < d:
            if m >= d:
                extra = X[[i for i in idx if i not in set(members.tolist())][: d - len(members)]]
            else:
                extra = centre + scale * rng.normal(size=(d - len(members), d))
            P = np.vstack((P, extra))
        # the hyperplane a.x = c through the d points: the null vector of [P, -1]
        _, _, Vt = np.linalg.svd(np.hstack((P - centre, -np.ones((d, 1)))))
        a, c = Vt[-1, :d], Vt[-1, d]
        norm = float(np.linalg.norm(a))
        if norm < 1e-12:
            raise ValueError(f"X is not in general position: the points of group {g} "
                             f"(rows {members.tolist()}) do not span a hyperplane")
        a, c = a / norm, c / norm + float(a @ centre) / norm
        gap = float(np.min(np.abs(other @ a - c)))
        if gap <= 1e-9 * scale:
            raise ValueError(f"X is not in general position: the hyperplane through rows {members.tolist()} "
                             f"passes within {gap:.3g} of a point of the other class")
        delta = gap / 2
        for shift, coef in ((delta, 1.0), (0.0, -2.0), (-delta, 1.0)):
            W.append(a)
            b.append(shift - c)
            B.append(sign * coef / delta)
    return ShallowReLU(np.array(W), np.array(b), np.array(B), -0.5 * sign)


def baum_slabs(net: ShallowReLU):
    """The slabs of a network from :func:`baum_network`: arrays ``a`` (unit normals, one row per group),
    ``c`` and ``delta`` with slab ``|a . x - c| < delta``."""
    if not isinstance(net, ShallowReLU) or net.n_neurons % 3:
        raise TypeError(f"net must be a ShallowReLU built by baum_network, got {type(net).__name__}")
    W, b = net.W[0::3], net.b
    c = -b[1::3]
    return W, c, b[0::3] + c


def draw_baum(ax, X, labels, net, resolution: int = 300):
    """Two-input picture of Baum's construction: the sign of ``net`` as background, every slab as a
    band, and the points coloured by label."""
    from . import plotting

    X = _points(X)
    lab = _labels(labels, X.shape[0])
    a, c, delta = baum_slabs(net)
    lo, hi = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    F = net(np.column_stack((gx.ravel(), gy.ravel()))).reshape(gx.shape)
    ax.contourf(gx, gy, F > 0, levels=[-0.5, 0.5, 1.5], colors=["#f2f2f2", "#cfe3f3"])
    s = np.linspace(-10, 10, 2)
    for ak, ck, dk in zip(a, c, delta):
        p0, t = ak * ck, np.array([-ak[1], ak[0]])
        for off in (-dk, dk):
            pts = (p0 + off * ak)[None, :] + s[:, None] * t[None, :] * np.ptp(X)
            ax.plot(pts[:, 0], pts[:, 1], color="0.35", linestyle="-", linewidth=0.6)
    ax.scatter(*X[~lab].T, s=14, marker="o", color=plotting.cycle(1)["color"], label="label 0", zorder=3)
    ax.scatter(*X[lab].T, s=18, marker="^", color=plotting.cycle(0)["color"], label="label 1", zorder=3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


# ----------------------------------------------------------------------------- two hidden layers
def two_layer_unit_bound(n: int, group_size: int | None = None) -> int:
    """``(2 ceil(n/s) - 1) + max(1, 2 s - 3)``: the most units :func:`memorise_two_layers` uses for ``n`` points
    in groups of ``s`` (default ``ceil(sqrt n)``)."""
    n = check_size(n, "n", maximum=MAX_POINTS, reason="the constructions take at most MAX_POINTS points")
    s = math.isqrt(n - 1) + 1 if group_size is None else check_int(group_size, "group_size", minimum=1, maximum=n)
    return (2 * -(-n // s) - 1) + max(1, 2 * s - 3)


def memorise_two_layers(X, y, group_size: int | None = None) -> DeepReLU:
    """A network with two hidden layers that takes the value ``y[i]`` at ``X[i]``, for distinct points.

    The points are projected on a direction ``w`` that separates them
    (:func:`relubook.interpolation.separating_direction`), sorted by ``t = w.x`` and cut into groups of
    ``group_size`` consecutive points (default ``ceil(sqrt n)``).  First layer: ``relu(t - t_min + 1)``
    and two units with kinks in each gap between groups, ``2 K - 1`` units for ``K`` groups.  On each
    group, every second-layer pre-activation is then an affine function of ``t`` that can be chosen
    freely per group.  Second layer: one unit carries each group's affine part (shifted by a constant
    ``M`` that the output bias removes), the others the slope changes of the group's interpolant, the
    increasing ones with output weight ``+1`` and the decreasing ones with ``-1``.  At most
    :func:`two_layer_unit_bound` units.

    The weights are computed in exact rational arithmetic from the exact values of ``X`` and ``y`` (so
    that the network they define takes the values ``y`` exactly), then each is rounded once to the
    nearest float.  The stored network's error at the points is therefore at most
    :func:`rounding_bound` (``exact_outputs`` measures it).
    """
    W1, b1, W2, b2, beta, b3 = _two_layers_exact(X, y, group_size)
    return DeepReLU([(W1, _floats(b1)), (_floats(W2), _floats(b2)), (_floats(beta), _floats(b3))])


_TINY = Fraction(2) ** -1022  # the smallest normal float64


def _floats(a) -> np.ndarray:
    """Fractions rounded to the nearest float64 (``float(Fraction)`` rounds correctly).  A weight that
    would overflow, or fall below the normal range (where rounding is no longer relative, the premise
    of :func:`rounding_bound`), is refused."""
    flat = np.asarray(a, dtype=object).reshape(-1)
    if any(v != 0 and abs(v) < _TINY for v in flat):
        raise ValueError("X and y: the construction needs a weight below 2^-1022, beyond float precision; rescale y")
    try:
        return np.array([float(v) for v in flat], dtype=float).reshape(np.shape(a))
    except OverflowError:
        raise ValueError("X and y: the construction needs a weight beyond the float range (points too close for "
                         "values this large); rescale y") from None


def _two_layers_exact(X, y, group_size=None):
    """The weights of :func:`memorise_two_layers` in exact arithmetic: ``(W1, b1, W2, b2, beta, b3)``,
    ``W1`` the float direction (exact), the rest object arrays of :class:`fractions.Fraction`."""
    from .interpolation import separating_direction

    X = _points(X)
    n = X.shape[0]
    yv = as_array(y, "y", ndim=1)
    if yv.shape[0] != n:
        raise ValueError(f"y must have one value per point: X has {n} points, y has {yv.shape[0]}")
    if yv.size and np.abs(yv).max() > 1e100:
        raise ValueError("y must have entries of absolute value at most 1e100")
    s = math.isqrt(n - 1) + 1 if group_size is None else check_int(group_size, "group_size", minimum=1, maximum=n)
    _distinct_rows(X)
    w = separating_direction(X)
    t = list(_objects(X).dot(_objects(w)))  # the exact projections
    order = sorted(range(n), key=t.__getitem__)
    ts, vs = [t[i] for i in order], list(_objects(yv[order]))
    if any(b <= a for a, b in zip(ts, ts[1:])):  # pragma: no cover - separating_direction guarantees this
        raise ValueError("X: no direction found that separates the points")
    groups = [(ts[k:k + s], vs[k:k + s]) for k in range(0, n, s)]
    K = len(groups)
    zero, one = Fraction(0), Fraction(1)
    affine, pos, neg = [], [], []
    for z, v in groups:
        if len(z) == 1:
            affine.append((zero, v[0]))
            pos.append([])
            neg.append([])
            continue
        slopes = [(v[j + 1] - v[j]) / (z[j + 1] - z[j]) for j in range(len(z) - 1)]
        affine.append((slopes[0], v[0] - slopes[0] * z[0]))
        change = [b - a for a, b in zip(slopes, slopes[1:])]
        pos.append([(dl, k) for dl, k in zip(change, z[1:-1]) if dl > 0])
        neg.append([(-dl, k) for dl, k in zip(change, z[1:-1]) if dl < 0])
    n_pos = max(len(p) for p in pos)
    n_neg = max(len(p) for p in neg)
    # M makes the affine unit positive on every group's hull
    M = one + max(max(abs(A * z[0] + Bc), abs(A * z[-1] + Bc)) for (A, Bc), (z, _) in zip(affine, groups))
    width2 = 1 + n_pos + n_neg
    # per-group affine targets q_j(t) = coef[i][j][0] t + coef[i][j][1] for every second-layer unit j
    coef = [[(zero, -one)] * width2 for _ in range(K)]  # unused units are off on the group
    for i in range(K):
        A, Bc = affine[i]
        coef[i][0] = (A, Bc + M)
        for k, (dl, knot) in enumerate(pos[i]):
            coef[i][1 + k] = (dl, -dl * knot)
        for k, (dl, knot) in enumerate(neg[i]):
            coef[i][1 + n_pos + k] = (dl, -dl * knot)
    # first layer: u_0 = relu(t - t_min + 1), then two kinks in each gap
    knots = []
    for i in range(K - 1):
        left, right = groups[i][0][-1], groups[i + 1][0][0]
        knots += [left + (right - left) / 20, right - (right - left) / 20]
    width1 = 1 + len(knots)
    W1 = np.tile(np.asarray(w, dtype=float), (width1, 1))
    b1 = np.array([-(ts[0] - one)] + [-k for k in knots], dtype=object)
    W2 = np.full((width2, width1), zero, dtype=object)
    b2 = np.empty(width2, dtype=object)
    for j in range(width2):
        W2[j, 0] = coef[0][j][0]
        b2[j] = coef[0][j][1] + coef[0][j][0] * (ts[0] - one)
    for i in range(K - 1):
        ta, tb = knots[2 * i], knots[2 * i + 1]
        for j in range(width2):
            (a0, c0), (a1, c1) = coef[i][j], coef[i + 1][j]
            mu = ((a1 * tb + c1) - (a0 * ta + c0)) / (tb - ta)
            W2[j, 1 + 2 * i] = mu - a0
            W2[j, 2 + 2 * i] = a1 - mu
    beta = np.array([[one] * (1 + n_pos) + [-one] * n_neg], dtype=object)
    return W1, b1, W2, b2, beta, np.array([-M], dtype=object)


# ----------------------------------------------------------------------------- max networks
def max_hidden_layers(K: int) -> int:
    """``ceil(log2 K)``: the hidden layers of the tournament for the maximum of ``K`` numbers."""
    K = check_size(K, "K", minimum=1, maximum=1 << 20, reason="the tournament network has about 3K units")
    return (K - 1).bit_length()


def arora_depth(d: int) -> int:
    """``ceil(log2(d + 1)) + 1``: the depth (hidden layers plus the output layer) that suffices for every
    continuous piecewise-linear function on ``R^d`` (Arora, Basu, Mianjy and Mukherjee)."""
    d = check_size(d, "d", minimum=1, maximum=1 << 20, reason="a dimension beyond 2^20 is not meaningful here")
    return d.bit_length() + 1  # ceil(log2(d + 1)) = bit_length(d)


def max_affine_network(A, c=None) -> DeepReLU:
    """``x -> max_k (A[k] . x + c[k])`` as a ReLU network with ``ceil(log2 K)`` hidden layers.

    Each round of the tournament pairs the current values: ``max(u, v) = relu(u - v) + relu(v) - relu(-v)``
    (three units), and an odd one out passes as ``relu(u) - relu(-u)`` (two units).  The weights are the
    entries of ``A`` and ``c``, differences of them, and ``0, 1, -1``: with integer ``A``, ``c`` the network
    is exact on integer inputs (below ``2^52``).  ``K = 1`` gives the affine map itself (no hidden layer).
    """
    A = as_array(A, "A", ndim=2)
    K, d = A.shape
    if K == 0 or d == 0:
        raise ValueError(f"A must have at least one row and one column, got shape {A.shape}")
    K = check_size(K, "K (rows of A)", minimum=1, maximum=1 << 16, reason="the tournament network has about 3K units")
    if K * d > 1 << 24:
        raise ValueError(f"A has shape {A.shape}; the network's first layer would need more than 2^24 weights")
    c = np.zeros(K) if c is None else as_array(c, "c", shape=(K,))
    E, e = A, c  # current values: E h + e, h the previous layer's output (first: the input)
    layers = []
    while E.shape[0] > 1:
        p = E.shape[0]
        rows, bias, out = [], [], []
        for k in range(0, p - 1, 2):
            u, v = k, k + 1
            base = len(rows)
            rows += [E[u] - E[v], E[v], -E[v]]
            bias += [e[u] - e[v], e[v], -e[v]]
            out.append({base: 1.0, base + 1: 1.0, base + 2: -1.0})
        if p % 2:
            base = len(rows)
            rows += [E[-1], -E[-1]]
            bias += [e[-1], -e[-1]]
            out.append({base: 1.0, base + 1: -1.0})
        layers.append((np.array(rows), np.array(bias, dtype=float)))
        E = np.zeros((len(out), len(rows)))
        for r, entries in enumerate(out):
            for col, val in entries.items():
                E[r, col] = val
        e = np.zeros(len(out))
    layers.append((E, e))
    return DeepReLU(layers)


def max_network(d: int) -> DeepReLU:
    """``max(x_1, ..., x_d)`` with ``ceil(log2 d)`` hidden layers (depth ``ceil(log2 d) + 1``)."""
    d = check_size(d, "d", minimum=1, maximum=1 << 12, reason="the network stores dense d x d weight blocks")
    return max_affine_network(np.eye(d))


# ----------------------------------------------------------------------------- exact evaluation
def _fraction(v) -> Fraction:
    if isinstance(v, Fraction):
        return v
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return Fraction(int(v))
    return Fraction(float(v))


def _dyadic(values):
    """Fractions with power-of-two denominators as ``(integers, e)``: ``values = integers * 2**e``,
    or ``None`` when some denominator is not a power of two."""
    flat = list(values.reshape(-1))
    dens = [q.denominator for q in flat]
    if any(den & (den - 1) for den in dens):
        return None
    shift = max(den.bit_length() - 1 for den in dens) if dens else 0
    ints = np.empty(values.shape, dtype=object)
    ints.reshape(-1)[:] = [q.numerator << (shift - (den.bit_length() - 1)) for q, den in zip(flat, dens)]
    return ints, -shift


def _objects(a):
    out = np.empty(np.shape(a), dtype=object)
    out.reshape(-1)[:] = [_fraction(v) for v in np.asarray(a, dtype=object).reshape(-1)]
    return out


def _exact_input(net, X):
    """``(deep, H)``: the network as a :class:`DeepReLU` and ``X`` as an object array of fractions,
    validated (shape, :data:`MAX_EXACT_WORK`)."""
    from .regions import as_deep

    deep = as_deep(net)
    arr = as_array(X, "X", ndim=(1, 2))
    if arr.ndim == 1:
        if deep.input_dim != 1:
            raise ValueError(f"X must have shape (n, {deep.input_dim}); a 1-D X is accepted only for one input")
        arr = arr[:, None]
    if arr.shape[1] != deep.input_dim:
        raise ValueError(f"X has {arr.shape[1]} columns but the network takes {deep.input_dim} inputs")
    n_weights = sum(W.size for W, _ in deep.layers)
    if arr.shape[0] * n_weights > MAX_EXACT_WORK:
        raise ValueError(f"X has {arr.shape[0]} points and net {n_weights} weights: exact evaluation is limited "
                         f"to {MAX_EXACT_WORK} multiply-adds; use fewer points")
    return deep, _objects(np.asarray(X, dtype=object).reshape(arr.shape))


def _as_fractions(ints, e) -> np.ndarray:
    out = np.empty(ints.shape, dtype=object)
    scale = Fraction(2) ** e
    out.reshape(-1)[:] = [Fraction(int(v)) * scale for v in ints.reshape(-1)]
    return out


def _affine(H, eh, W, b, scale: int = 1):
    """``H W^T + scale b`` for integers ``H`` scaled by ``2**eh``, float ``W``, ``b`` and an integer
    ``scale``: ``(Z, e)``, integers scaled by ``2**e``, exactly."""
    Wi, ew = _dyadic(_objects(W))
    bi, eb = _dyadic(_objects(b))
    bi = bi * scale
    e = min(ew + eh, eb)
    if H.size and Wi.size:
        return (H.dot(Wi.T) << (ew + eh - e)) + (bi << (eb - e))[None, :], e
    return np.tile(bi << (eb - e), (H.shape[0], 1)), e


BOUNDS = ("weights", "evaluation")
"""What :func:`exact_outputs` can bound besides computing: see :func:`rounding_bound`."""


def exact_outputs(net, X, bound: str | None = None):
    """The outputs of ``net`` at the rows of ``X`` in exact rational arithmetic, shape ``(n, k)``, dtype object
    (entries :class:`fractions.Fraction`); with ``bound`` (``"weights"`` or ``"evaluation"``) also that
    bound of :func:`rounding_bound`, from the same pass: ``(outputs, bound)``.

    Every float weight is converted exactly (a float is a dyadic rational); entries of ``X`` that are
    Python or numpy integers or :class:`fractions.Fraction` are taken exactly, floats by their exact
    value.  Dyadic inputs are evaluated with Python integers scaled by a common power of two per layer,
    others with fractions (a bound needs dyadic inputs).  At most :data:`MAX_EXACT_WORK` multiply-adds
    (points times weights).
    """
    if bound is not None and not (isinstance(bound, str) and bound in BOUNDS):
        raise ValueError(f"bound must be None or one of {BOUNDS}, got {bound!r}")
    deep, H = _exact_input(net, X)
    dy = _dyadic(H)
    last = len(deep.layers) - 1
    if bound and dy is None:
        raise ValueError("X must hold floats, integers or fractions with power-of-two denominators (dyadic values) "
                         "for a bound")
    if dy is not None:  # integers times a power of two: fast and exact
        H, eh = dy
        E, ee = None, 0
        for k, (W, b) in enumerate(deep.layers):
            if bound:  # e' = m u (|W| |h| + |b|) + (1 + m u) |W| e with u = 2**-52 (see rounding_bound)
                m = 1 if bound == "weights" else W.shape[1] + 1
                G, eg = np.abs(H) * m, eh - 52  # m u |h|
                if E is not None:
                    e = min(eg, ee - 52)
                    G = (G << (eg - e)) + ((E * ((1 << 52) + m)) << (ee - 52 - e))
                    eg = e
                E, ee = _affine(G, eg + 52, np.abs(W), np.abs(b), scale=m)  # 2**52 times e', exactly
                ee -= 52
            Z, eh = _affine(H, eh, W, b)
            H = Z if k == last else np.where(Z > 0, Z, 0)
        out = _as_fractions(H, eh)
        return (out, _rounded_up(_as_fractions(E, ee))) if bound else out
    return _forward_fractions([(_objects(W), _objects(b)) for W, b in deep.layers], H)


def _forward_fractions(layers, H) -> np.ndarray:
    """A ReLU network given by object arrays of fractions ``[(W, b), ...]`` at the rows of ``H``, exactly."""
    last = len(layers) - 1
    for k, (W, b) in enumerate(layers):
        Z = H.dot(W.T) + b[None, :]
        H = Z if k == last else np.where(Z > 0, Z, Fraction(0))
    return H


def _rounded_up(values) -> np.ndarray:
    """Fractions as the floats just above (or equal)."""
    out = np.empty(values.shape, dtype=float)
    for idx in np.ndindex(values.shape):
        v = values[idx]
        f = float(v)
        out[idx] = f if f >= v else math.nextafter(f, math.inf)
    return out


def rounding_bound(net, X, bound: str = "weights") -> np.ndarray:
    """An upper bound at each row ``x`` of ``X`` (dyadic values: floats, integers), shape ``(n, k)``:

    * ``"weights"``: on ``|net(x) - f(x)|`` for every network ``f`` of the same shape whose weights
      round to those of ``net`` (each float weight of ``net`` the nearest to ``f``'s, and ``f``'s nonzero
      weights of absolute value at least ``2**-1022``, so that no rounding underflowed).  Such a weight
      is within ``u |w|`` of ``f``'s, ``u = 2**-52`` (twice the unit roundoff, which also covers
      ``|w_f| <= |w| / (1 - 2**-53)``).
    * ``"evaluation"``: on ``|fl(net(x)) - net(x)|``, the float64 evaluation (numpy, torch: any order
      of summation, with or without fused multiply-adds) against the exact one.  A layer with fan-in
      ``k`` computes each pre-activation within ``gamma (|W| |h| + |b|)`` of the exact value for the
      computed ``h``, ``gamma = (k + 1) u' / (1 - (k + 1) u') <= (k + 1) 2**-52``, ``u' = 2**-53``
      (while ``(k + 1) 2**-53 <= 1/2``; no underflow).

    With ``h`` the hidden values of ``net`` (exact, as :func:`exact_outputs` computes them), ``e`` the
    bound for the layer below (0 at the input) and ``m u`` the layer's relative term (``m = 1`` or
    ``k + 1``), a ReLU being 1-Lipschitz, the pre-activations differ by at most
    ``m u (|W| |h| + |b|) + (1 + m u) |W| e``: the recursion computed here, exactly, and rounded up to
    floats.  :func:`memorise_two_layers` builds its weights exactly and rounds each once, so its
    error at the points is at most the ``"weights"`` bound: a proven margin, not a tolerance.
    """
    if not (isinstance(bound, str) and bound in BOUNDS):
        raise ValueError(f"bound must be one of {BOUNDS}, got {bound!r}")
    return exact_outputs(net, X, bound=bound)[1]


# ----------------------------------------------------------------------------- lower bounds
def units_lower_bound(n: int, depth: int = 1) -> int:
    """The fewest hidden units of a one-input ReLU network with ``depth`` (1 or 2) hidden layers that can
    take alternating values ``+1, -1, +1, ...`` at ``n`` increasing points.

    Each affine piece holds at most two of the points, so the network needs ``ceil(n / 2)`` pieces, and a
    network with widths ``n_1, ..., n_L`` has at most ``prod(n_l + 1)`` (chapter 11).  Depth 1: ``ceil(n/2) - 1``;
    depth 2: the least ``a + b`` with ``(a + 1)(b + 1) >= ceil(n/2)``.
    """
    n = check_size(n, "n", minimum=1, maximum=10**12, reason="a count of points beyond 10^12 is not meaningful here")
    depth = check_int(depth, "depth", minimum=1, maximum=2)
    pieces = -(-n // 2)
    if depth == 1:
        return pieces - 1
    best = None
    for a in range(1, math.isqrt(pieces) + 2):
        b = max(1, -(-pieces // (a + 1)) - 1)
        best = a + b if best is None else min(best, a + b)
    return best
