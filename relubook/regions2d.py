"""Exact linear regions of ReLU networks with two inputs, as polygons.

A ReLU network ``f: R^2 -> R^k`` is affine on each *activation region*: the
set of inputs on which every hidden unit keeps its sign.  For a fixed pattern
the pre-activations of every layer are affine in ``x``, so each region is a
convex polygon, the intersection of half-planes.  :func:`linear_regions_2d`
lists them on a box ``[x0, x1] x [y0, y1]``, layer by layer:

* start with the box, on which the input map is ``x -> x``;
* for a hidden layer ``(W, b)`` and a polygon on which the layer's input is
  ``h(x) = M x + v``, every unit's pre-activation ``z_j(x) = (W M)_j x + (W v + b)_j``
  is affine *on that polygon*; cut the polygon by the line ``z_j = 0`` of each
  unit in turn (a half-plane clip of a convex polygon);
* each piece knows the sign of every unit, hence the mask ``D`` and its new map
  ``h'(x) = D (W M x + W v + b)``.

The pre-activations are carried as extra coordinates of the vertices and
interpolated along the cut edges, so no value is recomputed.

Two arithmetics share one code path:

* ``exact=True``: every weight is converted exactly to a :class:`fractions.Fraction`
  (a float is a dyadic rational), vertices, patterns and maps are exact, and the
  signs are decided without tolerance.  Meant for small networks (the size of the
  fractions grows with depth); at most :data:`MAX_EXACT_NEURONS` hidden units.
* ``exact=False`` (default): floats; a vertex whose pre-activation is within
  ``tol`` times the scale of the line's coefficients counts as on the line.

Degenerate cases are handled by the rule "a unit whose pre-activation is
(numerically) zero on the whole polygon is inactive": dead units, units whose
line misses the polygon, coincident or parallel lines (a second coincident line
cuts nothing new) and lines through corners (a vertex on the line goes to both
sides, no zero-area piece is created).

Limits: at most :data:`MAX_NEURONS` hidden units and ``max_regions`` regions
(default 100000) at any stage, else ``ValueError``; memory is proportional to the
number of regions times the number of vertices.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from .device import generator
from .memo import memoised
from .nets import DeepReLU, ShallowReLU
from .validate import as_sequence, check_int, check_real, check_size

__all__ = [
    "Region",
    "linear_regions_2d",
    "polygon_area",
    "region_areas",
    "smallest_inradius",
    "grid_regions_2d",
    "draw_regions_2d",
    "zaslavsky_count",
    "serra_bound",
    "arrangement_box",
    "hanin_rolnick_line",
    "line_region_counts",
    "MAX_NEURONS",
    "MAX_EXACT_NEURONS",
]

MAX_NEURONS = 4096
MAX_EXACT_NEURONS = 64


class Region(NamedTuple):
    """One activation region of a two-input network.

    ``vertices``: array of shape ``(K, 2)``, counter-clockwise, no repeated vertex
    (dtype float, or object holding Fractions in exact mode).
    ``pattern``: bool array over all hidden units, layer after layer (True = active).
    ``A``, ``c``: the network equals ``A @ x + c`` on the region (``A`` of shape ``(k, 2)``).
    """

    vertices: np.ndarray
    pattern: np.ndarray
    A: np.ndarray
    c: np.ndarray

    @property
    def area(self):
        return polygon_area(self.vertices)

    @property
    def centroid(self) -> np.ndarray:
        """The mean of the vertices (an interior point of the convex polygon), as floats."""
        return np.asarray(self.vertices, dtype=float).mean(axis=0)

    def __call__(self, X) -> np.ndarray:
        """Evaluate the region's affine map at points ``X`` (shape ``(n, 2)``), as floats."""
        X = np.asarray(X, dtype=float).reshape(-1, 2)
        return X @ np.asarray(self.A, dtype=float).T + np.asarray(self.c, dtype=float)


def polygon_area(vertices):
    """Shoelace area of a polygon with vertices in order (exact for Fractions)."""
    V = as_sequence(vertices, "vertices", "(x, y) vertices")
    for v in V:
        pair = list(v) if isinstance(v, (list, tuple, np.ndarray)) else None
        if pair is None or len(pair) != 2:
            raise TypeError(f"vertices must be a sequence of (x, y) pairs, found {type(v).__name__}")
        for t in pair:
            if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Real):
                raise TypeError(f"vertices must hold real coordinates, found {type(t).__name__}")
            if not np.isfinite(float(t)):
                raise ValueError(f"vertices must be finite, found {t}")
    n = len(V)
    s = 0
    for i in range(n):
        x0, y0 = V[i][0], V[i][1]
        x1, y1 = V[(i + 1) % n][0], V[(i + 1) % n][1]
        s = s + x0 * y1 - x1 * y0
    return s / 2


def region_areas(regions) -> np.ndarray:
    """Areas of a list of regions, as floats."""
    return np.array([float(r.area) for r in _regions(regions)])


def _regions(regions) -> list:
    out = as_sequence(regions, "regions", "Region objects (from linear_regions_2d)")
    for r in out:
        if not isinstance(r, Region):
            raise TypeError(f"regions must hold Region objects (from linear_regions_2d), found {type(r).__name__}")
    return out


def smallest_inradius(regions) -> float:
    """The smallest inradius over the regions: radius of the largest disk inside each polygon.

    Computed by a small linear program per polygon (scipy's ``linprog``); used to
    size a grid that is sure to put a point in every region.
    """
    from scipy.optimize import linprog

    best = np.inf
    for r in _regions(regions):
        V = np.asarray(r.vertices, dtype=float)
        E = np.roll(V, -1, axis=0) - V
        L = np.hypot(E[:, 0], E[:, 1])
        keep = L > 0
        # inward normal of a counter-clockwise edge (dx, dy) is (-dy, dx)
        N = np.column_stack((-E[keep, 1], E[keep, 0])) / L[keep, None]
        # maximise rho s.t. N_i . (p - V_i) >= rho
        A_ub = np.column_stack((-N, np.ones(len(N))))
        b_ub = -(N * V[keep]).sum(axis=1)
        res = linprog([0, 0, -1], A_ub=A_ub, b_ub=b_ub, bounds=[(None, None), (None, None), (0, None)])
        best = min(best, float(res.x[2]) if res.success else 0.0)
    return best


def _as_deep(net) -> DeepReLU:
    from .regions import as_deep

    deep = as_deep(net)
    if deep.input_dim != 2:
        raise ValueError(f"net must have two inputs, got {deep.input_dim}")
    if deep.n_neurons > MAX_NEURONS:
        raise ValueError(f"net has {deep.n_neurons} hidden units; linear_regions_2d takes at most {MAX_NEURONS}")
    return deep


def _check_lim(lim, name):
    try:
        pair = not isinstance(lim, (str, bytes, dict)) and len(lim) == 2
    except TypeError:  # no length (a number, a 0-d array)
        pair = False
    if not pair:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {type(lim).__name__}")
    lo, hi = lim
    if isinstance(lo, Fraction) and isinstance(hi, Fraction):
        pass
    else:
        lo = check_real(lo, f"{name}[0]")
        hi = check_real(hi, f"{name}[1]")
    if not lo < hi:
        raise ValueError(f"{name} must have low < high, got ({lo}, {hi})")
    if max(abs(float(lo)), abs(float(hi))) > 1e12:
        raise ValueError(f"{name} must lie within [-1e12, 1e12], got ({lo}, {hi})")
    return lo, hi


def _to_fraction(a):
    out = np.empty(np.shape(a), dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(np.asarray(a, dtype=float).reshape(-1)):
        flat[i] = Fraction(float(v))
    return out


def _clip(P, j, eps):
    """Split convex polygon ``P`` (rows: vertices; column ``j``: a pre-activation) by ``P[:, j] = 0``.

    Returns ``(positive_piece, negative_piece)``, either possibly ``None``.  A
    polygon on which the column is within ``eps`` of zero everywhere goes to the
    negative (inactive) side.
    """
    s = P[:, j].tolist()
    hi, lo = max(s), min(s)
    if lo >= -eps:
        return (P, None) if hi > eps else (None, P)
    if hi <= eps:
        return None, P
    K = len(s)
    up, down = [], []
    for i in range(K):
        k = i + 1 if i + 1 < K else 0
        si, sk = s[i], s[k]
        row = P[i]
        if si > eps:
            up.append(row)
            cross = sk < -eps
        elif si < -eps:
            down.append(row)
            cross = sk > eps
        else:
            up.append(row)
            down.append(row)
            cross = False
        if cross:
            new = row + (P[k] - row) * (si / (si - sk))
            new[j] = 0 * new[j]  # exactly on the line
            up.append(new)
            down.append(new)
    return np.array(up), np.array(down)


def linear_regions_2d(net, xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), *, exact: bool = False, tol: float = 1e-10,
                      max_regions: int = 100_000) -> list[Region]:
    """The activation regions of a two-input ReLU network on the box ``xlim x ylim``.

    Parameters
    ----------
    net : DeepReLU, ShallowReLU or torch.nn.Sequential of Linear/ReLU layers
        Two inputs, any number of outputs.  A torch module (float32 or float64)
        is read with :meth:`DeepReLU.from_torch`; float32 weights convert to
        float64 exactly.
    xlim, ylim : pairs of numbers (floats, or Fractions in exact mode)
        The box; ``low < high``, within ``[-1e12, 1e12]``.
    exact : bool
        Rational arithmetic (see the module docstring); at most
        :data:`MAX_EXACT_NEURONS` hidden units.
    tol : float in [0, 1e-3]
        Relative tolerance for "on the line" in float mode (ignored when exact).
    max_regions : int
        Stop with ``ValueError`` when more regions than this appear.

    Returns
    -------
    list of :class:`Region`, one per activation region of positive area.  Their
    areas sum to the area of the box.
    """
    deep = _as_deep(net)
    if not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True or False, got {type(exact).__name__}")
    tol = check_real(tol, "tol", low=0.0, high=1e-3)
    max_regions = check_int(max_regions, "max_regions", minimum=1, maximum=10_000_000)
    x0, x1 = _check_lim(xlim, "xlim")
    y0, y1 = _check_lim(ylim, "ylim")
    if exact:
        if deep.n_neurons > MAX_EXACT_NEURONS:
            raise ValueError(f"exact=True takes at most {MAX_EXACT_NEURONS} hidden units, net has {deep.n_neurons}")
        conv = _to_fraction
        x0, x1, y0, y1 = (v if isinstance(v, Fraction) else Fraction(float(v)) for v in (x0, x1, y0, y1))
        box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=object)
        layers = [(conv(W), conv(b)) for W, b in deep.layers]
        eye = np.array([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]], dtype=object)
        zero2 = np.array([Fraction(0), Fraction(0)], dtype=object)
        tol = 0.0
    else:
        x0, x1, y0, y1 = (float(v) for v in (x0, x1, y0, y1))
        box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
        layers = deep.layers
        eye, zero2 = np.eye(2), np.zeros(2)
    sx = max(abs(float(x0)), abs(float(x1)), float(x1 - x0))
    sy = max(abs(float(y0)), abs(float(y1)), float(y1 - y0))
    # state: (vertices, M, v, pattern list)
    state = [(box, eye, zero2, [])]
    for W, b in layers[:-1]:
        n = W.shape[0]
        nxt = []
        for V, M, v, pat in state:
            WM = W.dot(M)  # (n, 2)
            c = W.dot(v) + b
            Z = V.dot(WM.T) + c  # pre-activations at the vertices, (K, n)
            P = np.concatenate((V, Z), axis=1)
            if exact:
                eps = np.zeros(n)
            else:
                eps = tol * (np.abs(WM[:, 0]) * sx + np.abs(WM[:, 1]) * sy + np.abs(c))
            # units whose line misses the polygon keep one sign on every piece of it
            above, below = Z > eps, Z < -eps
            if exact:
                above, below = above.astype(bool), below.astype(bool)
            base = above.any(axis=0) & ~below.any(axis=0)
            pieces = [(P, 0)]  # active units found by cutting, as a bit mask
            for j in np.flatnonzero(above.any(axis=0) & below.any(axis=0)):
                bit = 1 << int(j)
                out = []
                for Q, bits in pieces:
                    up, down = _clip(Q, 2 + j, eps[j])
                    if up is not None:
                        out.append((up, bits | bit))
                    if down is not None:
                        out.append((down, bits))
                pieces = out
                if len(nxt) + len(pieces) > max_regions:
                    raise ValueError(f"more than max_regions={max_regions} regions; raise max_regions or shrink the box")
            powers = 1 << np.arange(n, dtype=object)
            for Q, bits in pieces:
                mask = base | ((bits & powers) != 0).astype(bool)
                D = mask.astype(int) if not exact else np.array([1 if m else 0 for m in mask], dtype=object)
                nxt.append((Q[:, :2].copy(), WM * D[:, None], c * D, pat + [mask]))
        state = nxt
    W, b = layers[-1]
    regions = []
    n_hidden = deep.n_neurons
    for V, M, v, pat in state:
        pattern = np.concatenate(pat) if pat else np.zeros(n_hidden, dtype=bool)
        regions.append(Region(V, pattern, W.dot(M), W.dot(v) + b))
    return regions


def grid_regions_2d(net, xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), n: int = 300, chunk: int = 1 << 16) -> int:
    """Count distinct activation patterns on an ``n x n`` grid of cell centres of the box (the naive way).

    Finds every region when the grid spacing is below ``sqrt(2)`` times the
    smallest inradius (a disk of radius ``rho`` contains a point of any square
    grid of spacing ``h <= rho sqrt(2)``).  Memory is bounded by ``chunk`` points at a time.
    """
    deep = _as_deep(net)
    x0, x1 = _check_lim(xlim, "xlim")
    y0, y1 = _check_lim(ylim, "ylim")
    n = check_int(n, "n", minimum=2, maximum=1_000_000)
    chunk = check_int(chunk, "chunk", minimum=1)
    xs = float(x0) + (np.arange(n) + 0.5) * (float(x1) - float(x0)) / n
    ys = float(y0) + (np.arange(n) + 0.5) * (float(y1) - float(y0)) / n
    seen = set()
    rows = max(1, chunk // n)
    nh = deep.n_neurons
    for start in range(0, n, rows):
        YY, XX = np.meshgrid(ys[start:start + rows], xs, indexing="ij")
        H = np.column_stack((XX.ravel(), YY.ravel()))
        bits = []
        for W, b in deep.layers[:-1]:
            Z = H @ W.T + b
            bits.append(Z > 0)
            H = np.maximum(Z, 0.0)
        B = np.concatenate(bits, axis=1)
        if nh <= 62:
            codes = B.astype(np.int64) @ (np.int64(1) << np.arange(nh, dtype=np.int64))
            seen.update(np.unique(codes).tolist())
        else:
            packed = np.ascontiguousarray(np.packbits(B, axis=1))
            seen.update(map(bytes, np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel())))
    return len(seen)


def zaslavsky_count(n: int, d: int = 2) -> int:
    """Regions of ``n`` hyperplanes in general position in ``R^d``: ``sum_{j<=d} C(n, j)``."""
    from math import comb

    n = check_int(n, "n", minimum=0)
    d = check_size(d, "d", maximum=1000, reason="the count sums d + 1 binomial coefficients of n")
    return sum(comb(n, j) for j in range(min(n, d) + 1))  # C(n, j) = 0 for j > n


def serra_bound(widths, d: int = 2) -> int:
    """Serra, Tjandraatmadja and Ramalingam's bound on the activation regions of a deep network.

    ``sum over (j_1, ..., j_L) in J of prod_l C(n_l, j_l)`` with
    ``J = {0 <= j_l <= min(d, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)}``:
    the dimension available to layer ``l`` is ``d_l = min(d, n_1, ..., n_{l-1})``
    reduced by the units switched off before it.
    """
    from math import comb

    widths = [check_int(w, "widths[i]", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    if not widths:
        raise ValueError("widths must contain at least one hidden width")
    d = check_int(d, "d", minimum=1)

    def rec(l, cap):
        if l == len(widths):
            return 1
        n = widths[l]
        total = 0
        for j in range(0, min(cap, n) + 1):
            total += comb(n, j) * rec(l + 1, min(cap, n - j))
        return total

    return rec(0, d)


def draw_regions_2d(ax, regions, values: str = "pattern", seed: int = 0, edgecolor: str = "black",
                    linewidth: float = 0.4, cmap: str = "cividis"):
    """Draw regions as filled polygons with black edges on a matplotlib axis.

    ``values="pattern"`` gives every region a shuffled shade (neighbours differ);
    ``values="output"`` shades by the network's value at the region's centroid
    (first output).  Returns the ``PolyCollection``.
    """
    from matplotlib.collections import PolyCollection

    if values not in ("pattern", "output"):
        raise ValueError(f"values must be 'pattern' or 'output', got {values!r}")
    if not regions:
        raise ValueError("regions must contain at least one Region")
    polys = [np.asarray(r.vertices, dtype=float) for r in regions]
    if values == "pattern":
        k = len(regions)
        shade = np.random.default_rng(seed).permutation(k) / max(k - 1, 1)
    else:
        shade = np.array([float(r(r.centroid[None, :])[0, 0]) for r in regions])
    coll = PolyCollection(polys, array=shade, cmap=cmap, edgecolors=edgecolor, linewidths=linewidth)
    ax.add_collection(coll)
    allv = np.concatenate(polys)
    ax.set_xlim(allv[:, 0].min(), allv[:, 0].max())
    ax.set_ylim(allv[:, 1].min(), allv[:, 1].max())
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return coll


def arrangement_box(W, b, margin: float = 1.0):
    """A box ``(xlim, ylim)`` containing every pairwise intersection of the lines ``W[i] . x + b[i] = 0``
    and a point of every line, widened by ``margin`` on each side.

    With such a box, ``n`` lines in general position cut it into exactly Zaslavsky's ``1 + n + C(n, 2)``
    regions.  Raises ``ValueError`` for a zero row of ``W`` (no line) or two parallel lines.
    """
    from .validate import as_array

    W = as_array(W, "W", ndim=2)
    if W.shape[1] != 2:
        raise ValueError(f"W must have shape (n, 2), got {W.shape}")
    b = as_array(b, "b", shape=(W.shape[0],))
    margin = check_real(margin, "margin", positive=True)
    nrm = (W**2).sum(axis=1)
    if np.any(nrm == 0):
        raise ValueError("W has a zero row: that unit has no line")
    pts = [-c * a / q for a, c, q in zip(W, b, nrm)]
    n = len(b)
    for i in range(n):
        for j in range(i + 1, n):
            M = W[[i, j]]
            if abs(np.linalg.det(M)) < 1e-12 * np.sqrt(nrm[i] * nrm[j]):
                raise ValueError(f"rows {i} and {j} of W give parallel lines")
            pts.append(np.linalg.solve(M, -b[[i, j]]))
    P = np.array(pts)
    lo, hi = P.min(axis=0) - margin, P.max(axis=0) + margin
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def hanin_rolnick_line(n: int, sigma_w: float, sigma_b: float) -> float:
    """Expected number of activation regions on ``[-1, 1]`` of one layer of ``n`` units with one input,
    weights ``N(0, sigma_w^2)`` and biases ``N(0, sigma_b^2)``: ``1 + n (2/pi) arctan(sigma_w / sigma_b)``.

    Unit ``j`` has its kink at ``-b_j / w_j``, inside ``[-1, 1]`` when ``|b_j| < |w_j|``; for independent
    centred normals that has probability ``(2/pi) arctan(sigma_w / sigma_b)``.
    """
    n = check_int(n, "n", minimum=0)
    sigma_w = check_real(sigma_w, "sigma_w", positive=True)
    sigma_b = check_real(sigma_b, "sigma_b", positive=True)
    return 1.0 + n * (2.0 / np.pi) * float(np.arctan(sigma_w / sigma_b))


@memoised
def line_region_counts(widths, n_nets: int, sigma_w: float, sigma_b: float, rng=None) -> np.ndarray:
    """Activation regions on ``[-1, 1]`` of ``n_nets`` random one-input networks (exact counts).

    Weights ``N(0, sigma_w^2 / fan_in)`` (for one input and one layer: ``N(0, sigma_w^2)``), biases
    ``N(0, sigma_b^2)``, hidden ``widths``.  Memoised under ``RELUBOOK_MEMO`` (:mod:`relubook.memo`;
    a call with a generator object as ``rng`` is always computed).
    """
    from .regions import count_linear_regions

    widths = [check_int(w, "widths[i]", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    if sum(widths) > MAX_NEURONS:
        raise ValueError(f"widths must add up to at most {MAX_NEURONS} units, got {sum(widths)}")
    n_nets = check_int(n_nets, "n_nets", minimum=1, maximum=1_000_000)
    sigma_w = check_real(sigma_w, "sigma_w", positive=True)
    sigma_b = check_real(sigma_b, "sigma_b", nonnegative=True)
    rng = generator(rng)  # None: the generator rb.seed set; an integer: a seed shifted by RELUBOOK_SEED
    sizes = [1, *widths, 1]
    out = np.empty(n_nets, dtype=int)
    for k in range(n_nets):
        layers = [(rng.normal(size=(o, i)) * sigma_w / np.sqrt(i), rng.normal(size=o) * sigma_b)
                  for i, o in zip(sizes[:-1], sizes[1:])]
        out[k] = count_linear_regions(DeepReLU(layers), -1.0, 1.0, "activation")
    return out
