"""Exact interpolation with one hidden layer (paper 000, Theorem 3, Remark 1, Corollary 5).

Every construction first projects the points to one dimension along a
direction ``w`` with all ``w . x_i`` distinct, sorts the projections, and then
fits the sorted values with a piecewise linear function of ``t = w . x``:

* ``method="ramp"`` (Remark 1 / Corollary 5): ``F(t) = g_1 + sum_l b_l R(t - y_l)``,
  ``n - 1`` ReLUs plus the constant (output bias), vector outputs allowed;
* ``method="hat"`` (Theorem 3): a sum of ``n`` hat functions, ``3n`` ReLUs with
  ``merged=False`` or ``n + 2`` after merging equal knots, no output bias.

End nodes follow the corrected rule ``y_0 = y_1 - 1``, ``y_{n+1} = y_n + 1``
(erratum E13); :func:`paper_hat_coefficients` reproduces the paper's literal rule
for the demonstration that it divides by zero.

Building costs a few projections and sorts, ``O(r n log n)``; no ``n x n``
matrix is ever formed.  :func:`evaluate_projected` evaluates a network whose
units all share one direction in ``O((n + m) log m)`` instead of forming the
``n x m`` matrix of pre-activations.
"""

from __future__ import annotations

import numpy as np

from .device import shifted
from .memo import memoised
from .nets import ShallowReLU, relu
from .validate import check_bool, check_budget, check_size, as_array, as_points, check_choice, check_int, check_real

__all__ = [
    "residual",
    "INTERPOLATE_RTOL",
    "interpolate",
    "separating_direction",
    "moment_direction",
    "projection_gap",
    "find_duplicates",
    "evaluate_projected",
    "paper_end_nodes",
    "paper_hat_coefficients",
    "design_matrix",
    "train_same_width",
    "noisy_sample",
    "draw_interpolant",
    "draw_projection",
    "draw_training",
]


# ----------------------------------------------------------------------------- input checks
def _points(X, name="X") -> np.ndarray:
    """Points as an ``(n, r)`` float array; a 1-D array means ``r = 1``."""
    arr = as_array(X, name, ndim=(1, 2))
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one point, got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    return arr


def _values(Y, n: int, name="Y") -> np.ndarray:
    arr = as_array(Y, name, ndim=(1, 2))
    if arr.shape[0] != n:
        raise ValueError(f"{name} must have one value per point: X has {n} points, {name} has {arr.shape[0]}")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one output column, got shape {arr.shape}")
    return arr


def find_duplicates(X):
    """The first repeated point of ``X`` as a pair ``(i, j)``, ``i < j``, or ``None``.

    ``j`` is the smallest index whose row equals an earlier row and ``i`` the
    first row it equals.  Costs one lexicographic sort, ``O(r n log n)``.
    """
    X = _points(X)
    n = X.shape[0]
    if n < 2:
        return None
    order = np.lexsort(X.T[::-1])
    Xs = X[order]
    same = np.all(Xs[1:] == Xs[:-1], axis=1)
    if not same.any():
        return None
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    group_min = np.minimum.reduceat(order, starts)
    group_of = np.cumsum(np.concatenate([[True], ~same])) - 1
    first = group_min[group_of]
    is_dup = order != first
    j_pos = np.flatnonzero(is_dup)
    k = j_pos[np.argmin(order[j_pos])]
    return int(first[k]), int(order[k])


def _check_distinct(X) -> None:
    dup = find_duplicates(X)
    if dup is not None:
        i, j = dup
        raise ValueError(
            f"X has duplicate points: rows {i} and {j} are equal ({X[i].tolist()}); "
            "exact interpolation needs distinct points (conflicting values are never averaged)"
        )


# ----------------------------------------------------------------------------- directions
def projection_gap(X, w, relative: bool = True) -> float:
    """Smallest gap between the projections ``w . x_i``.

    With ``relative=True`` (default) the gap is divided by the spread
    ``max - min`` of the projections, a scale-free measure of conditioning:
    rounding errors of the interpolant grow like ``eps / gap``.  Returns 0 when
    two projections coincide and ``inf`` for a single point.
    """
    X = _points(X)
    w = as_array(w, "w", shape=(X.shape[1],))
    relative = check_bool(relative, "relative")
    t = np.sort(X @ w)
    if t.size < 2:
        return float("inf")
    gap = float(np.min(np.diff(t)))
    if relative:
        spread = float(t[-1] - t[0])
        return gap / spread if spread > 0 else 0.0
    norm = float(np.linalg.norm(w))
    return gap / norm if norm > 0 else 0.0


def _separates(X, w) -> bool:
    t = np.sort(X @ w)
    return bool(np.all(np.diff(t) > 0))


def moment_direction(r: int, t: float) -> np.ndarray:
    """The moment-curve vector ``(1, t, t^2, ..., t^(r-1))``."""
    r = check_size(r, "r", maximum=10**6, reason="the vector has r coordinates")
    t = check_real(t, "t")
    with np.errstate(over="ignore"):
        w = t ** np.arange(r, dtype=float)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"t^(r-1) overflows a double for t={t}, r={r}; use a smaller |t| or r")
    return w


def separating_direction(X, method: str = "best", trials: int = 8, seed: int = 0) -> np.ndarray:
    """A unit vector ``w`` with all projections ``w . x_i`` distinct.

    ``method``:

    * ``"moment"``: the first ``t = 1, 2, 3, ...`` whose moment vector
      ``(1, t, ..., t^(r-1))`` separates the points (deterministic; at most
      ``(r-1) n(n-1)/2`` values of ``t`` fail);
    * ``"random"``: a standard Gaussian vector (separates with probability 1);
    * ``"best"`` (default): the best of ``trials`` Gaussian draws, the leading
      principal axis and the moment vector, scored by :func:`projection_gap`.

    Raises ``ValueError`` for duplicate points (no direction separates them).
    """
    X = _points(X)
    method = check_choice(method, "method", ("best", "moment", "random"))
    trials = check_size(trials, "trials", maximum=10_000, reason="each trial is one projection and sort of all points")
    seed = check_int(seed, "seed", minimum=0)
    n, r = X.shape
    check_budget(8.0 * (trials + 2) * n, f"the trials + 2 = {trials + 2} candidate projections of the {n} points X")
    if r == 1:
        _check_distinct(X)
        return np.ones(1)
    if n == 1:
        return np.eye(r)[0]
    rng = np.random.default_rng(shifted(seed))
    if method == "moment":
        limit = (r - 1) * n * (n - 1) // 2 + 1
        for t in range(1, limit + 1):
            w = moment_direction(r, float(t))
            if _separates(X, w):
                return w / np.linalg.norm(w)
        _check_distinct(X)  # unreachable for distinct points
        raise ValueError("no moment direction separates X")  # pragma: no cover
    if method == "random":
        for _ in range(64):
            w = rng.standard_normal(r)
            if _separates(X, w):
                return w / np.linalg.norm(w)
        _check_distinct(X)
        raise ValueError("64 random directions failed to separate X; the points are nearly coincident")
    # best: random draws, principal axis, moment vector; keep the best relative gap
    cands = [rng.standard_normal(r) for _ in range(trials)]
    Xc = X - X.mean(axis=0)
    _, vecs = np.linalg.eigh(Xc.T @ Xc)
    cands.append(vecs[:, -1])
    cands.append(moment_direction(r, 1.0))
    Wc = np.array(cands)
    Wc /= np.linalg.norm(Wc, axis=1, keepdims=True)
    T = np.sort(Wc @ X.T, axis=1)  # one matmul and one batched sort (contiguous rows) for all candidates
    spread = T[:, -1] - T[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = np.where(spread > 0, np.min(np.diff(T, axis=1), axis=1) / spread, 0.0)
    i = int(np.argmax(gaps))
    best = Wc[i] if gaps[i] > 0 else None
    if best is None:
        _check_distinct(X)
        return separating_direction(X, method="random", seed=seed + 1)
    return best


# ----------------------------------------------------------------------------- constructions
def _prepare(X, Y, direction):
    X = _points(X)
    Y = _values(Y, X.shape[0])
    n, r = X.shape
    if direction is None:
        w = separating_direction(X)
    else:
        w = as_array(direction, "direction", ndim=(0, 1)).reshape(-1)
        if w.shape != (r,):
            raise ValueError(f"direction must have shape ({r},) to match X's {r} columns, got {w.shape}")
        if not np.any(w != 0):
            raise ValueError("direction must be non-zero")
        if not 1e-150 < np.linalg.norm(w) < 1e150:
            raise ValueError(f"direction must have a norm between 1e-150 and 1e150, got {np.linalg.norm(w):.3g}")
        t = X @ w
        if not np.all(np.isfinite(t)):
            raise ValueError("direction gives non-finite projections w . x (overflow)")
        if not _separates(X, w):
            _check_distinct(X)
            order = np.argsort(t, kind="stable")
            k = int(np.flatnonzero(np.diff(t[order]) <= 0)[0])
            i, j = sorted((int(order[k]), int(order[k + 1])))
            raise ValueError(
                f"direction does not separate the points: rows {i} and {j} have the same projection {t[i]!r}"
            )
    t = X @ w
    order = np.argsort(t, kind="stable")
    y = t[order]
    if n > 1 and not np.all(np.diff(y) > 0):  # direction=None on nearly coincident points
        _check_distinct(X)
        raise ValueError("could not find a direction separating X in floating point")
    G = Y[order]
    return X, w, y, G, Y.ndim == 1


def _net(w, knots, coef, c, scalar) -> ShallowReLU:
    m = knots.shape[0]
    W = np.broadcast_to(w, (m, w.shape[0])).copy()
    B = coef.T  # (k, m)
    if scalar:
        B = B[0]
        c = c[0] if np.ndim(c) else c
    return ShallowReLU(W, -knots, B, c)


#: Default tolerance of :func:`interpolate`'s residual check, relative to ``max |Y|``.
INTERPOLATE_RTOL = 1e-8


def residual(net: ShallowReLU, X, Y) -> float:
    """``max |net(X) - Y|`` for a network built by :func:`interpolate`, in O(n log n) memory-light form.

    All units share the projection direction, so the network is a 1-D piecewise-linear function of
    ``p = w . x``; it is summed from sorted knots with prefix sums in centred form (no ``n x m`` matrix).
    """
    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU, got {type(net).__name__}")
    X = as_points(X, "X", net.input_dim)
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one point")
    Yv = as_array(Y, "Y", ndim=(1, 2))
    if Yv.shape[0] != X.shape[0] or Yv.size == 0:
        raise ValueError(f"Y must have one row per point of X ({X.shape[0]}), got shape {Yv.shape}")
    Yv = Yv.reshape(X.shape[0], -1)
    if Yv.shape[1] != net.output_dim:
        raise ValueError(f"Y must have {net.output_dim} value(s) per point (the network's outputs), got shape {Yv.shape}")
    w = net.W[0]
    if not np.all(net.W == w):
        raise ValueError("net must have one projection direction for all units (as interpolate builds it)")
    p = X @ w
    knots, coef = -net.b, net.B.T  # (m,), (m, k)
    order = np.argsort(knots)
    knots, coef = knots[order], coef[order]
    c0 = 0.5 * (float(p.min()) + float(p.max()))
    cs = np.vstack([np.zeros((1, coef.shape[1])), np.cumsum(coef, axis=0)])
    cst = np.vstack([np.zeros((1, coef.shape[1])), np.cumsum(coef * (knots - c0)[:, None], axis=0)])
    j = np.searchsorted(knots, p, side="left")  # units with knot < p are active
    with np.errstate(over="ignore", invalid="ignore"):
        out = net.c[None, :] + cs[j] * (p - c0)[:, None] - cst[j]
        err = np.abs(out - Yv)
    return float(np.max(err)) if np.all(np.isfinite(err)) else float("inf")


def interpolate(X, Y, method: str = "ramp", direction=None, merged: bool = True, rtol: float = INTERPOLATE_RTOL,
                on_error: str = "warn") -> ShallowReLU:
    """A one-hidden-layer ReLU network ``f`` with ``f(X) == Y`` up to rounding.

    The network checks itself: its residual ``max |f(X) - Y|`` (:func:`residual`) must be at most
    ``rtol * max |Y|`` (default :data:`INTERPOLATE_RTOL` ``= 1e-8``); badly scaled data (points
    very close together next to far ones, huge values) can break that, and then ``on_error``
    decides: ``"warn"`` (a ``RuntimeWarning`` with the achieved error), ``"raise"`` (``ValueError``)
    or ``"ignore"``.  Weights that overflow always raise ``ValueError``.

    Parameters
    ----------
    X : array, shape (n, r) or (n,)
        Distinct points (duplicates raise ``ValueError`` naming the first pair).
    Y : array, shape (n,) or (n, k)
        Values; a 2-D ``Y`` gives a network with ``k`` outputs (Corollary 5).
    method : ``"ramp"`` or ``"hat"``
        ``"ramp"``: ``n - 1`` ReLUs plus an output bias (Remark 1, Corollary 5).
        ``"hat"``: Theorem 3's hats and no output bias, ``3n`` ReLUs
        (``merged=False``) or ``n + 2`` (``merged=True``, equal knots merged).
    direction : array, shape (r,), optional
        Projection direction, used as given; ``ValueError`` if two points
        project to the same value.  ``None`` picks a well-conditioned one
        with :func:`separating_direction`.
    merged : bool
        Only for ``method="hat"``.

    For a single point the ramp network is its constant plus one idle ReLU
    (output weight 0), so that it converts to torch like any other network.
    """
    rtol = check_real(rtol, "rtol", nonnegative=True)
    on_error = check_choice(on_error, "on_error", ("warn", "raise", "ignore"))
    overflow = "Y is too large for these points: the construction's slopes overflow float64 (rescale the data)"
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            net = _interpolate(X, Y, method, direction, merged)
        except ValueError as exc:  # the network refuses non-finite weights
            if "must be finite" in str(exc) and np.all(np.isfinite(np.asarray(Y, dtype=float))):
                raise ValueError(overflow) from exc
            raise
    if on_error != "ignore":
        Yv = np.asarray(Y, dtype=float)
        err = residual(net, X, Yv)
        scale = float(np.max(np.abs(Yv))) if Yv.size else 0.0
        if not err <= rtol * scale:
            msg = (f"interpolate reaches max |f(X) - Y| = {err:.3g}, above rtol * max|Y| = {rtol * scale:.3g} "
                   f"(rtol={rtol:g}): the data are badly scaled for this construction")
            if on_error == "raise":
                raise ValueError(msg)
            import warnings

            warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return net


def _interpolate(X, Y, method, direction, merged) -> ShallowReLU:
    method = check_choice(method, "method", ("ramp", "hat"))
    merged = check_bool(merged, "merged")
    X, w, y, G, scalar = _prepare(X, Y, direction)
    G2 = G.reshape(G.shape[0], -1)  # (n, k)
    n, k = G2.shape
    if method == "ramp":
        if n == 1:
            return _net(w, np.zeros(1), np.zeros((1, k)), G2[0], scalar)
        slopes = np.diff(G2, axis=0) / np.diff(y)[:, None]  # m_1..m_{n-1}
        beta = np.diff(slopes, axis=0, prepend=np.zeros((1, k)))  # b_l = m_l - m_{l-1}, m_0 = 0
        return _net(w, y[:-1], beta, G2[0], scalar)
    # hat: knots y_0 < y_1 < ... < y_{n+1} with the corrected end nodes (erratum E13)
    knots = np.concatenate([[y[0] - 1.0], y, [y[-1] + 1.0]])
    zero = np.zeros(k)
    if merged:
        Gpad = np.vstack([zero, G2, zero])  # F(y_0) = F(y_{n+1}) = 0
        slopes = np.diff(Gpad, axis=0) / np.diff(knots)[:, None]  # n + 1 slopes
        coef = np.diff(slopes, axis=0, prepend=np.zeros((1, k)), append=np.zeros((1, k)))
        return _net(w, knots, coef, zero, scalar)
    left = np.diff(knots)[:-1][:, None]  # y_k - y_{k-1}, k = 1..n
    right = np.diff(knots)[1:][:, None]  # y_{k+1} - y_k
    a = G2 / left
    c = G2 / right
    coef = np.stack([a, -(a + c), c], axis=1).reshape(3 * n, k)
    kn = np.stack([knots[:-2], knots[1:-1], knots[2:]], axis=1).reshape(3 * n)
    return _net(w, kn, coef, zero, scalar)


def design_matrix(y) -> np.ndarray:
    """The ``n x n`` design matrix ``H = [1, R(y_i - y_j)]`` of the ramp construction.

    Column 0 is the constant unit, column ``j`` (``1 <= j <= n-1``) the ReLU with
    knot ``y_j``.  For sorted distinct ``y`` it is lower-triangular with diagonal
    ``(1, y_2 - y_1, ..., y_n - y_{n-1})``.  Meant for small ``n`` (it is dense).
    """
    y = as_array(y, "y", ndim=1)
    if y.size == 0:
        raise ValueError("y must contain at least one value")
    check_budget(8.0 * y.size * y.size * 2, f"the dense {y.size} x {y.size} design matrix of y")
    return np.hstack([np.ones((y.size, 1)), relu(y[:, None] - y[None, :-1])])


# ----------------------------------------------------------------------------- the paper's literal rule
def paper_end_nodes(y) -> tuple[float, float]:
    """The paper's end nodes ``y_0 = min(2y_1, -2y_1)``, ``y_{n+1} = max(2y_n, -2y_n)``.

    ``y`` are the sorted projections.  They coincide with ``y_1`` (or ``y_n``)
    when that projection is 0 (erratum E13).
    """
    y = as_array(y, "y", ndim=1)
    if y.size == 0:
        raise ValueError("y must contain at least one value")
    return float(min(2 * y[0], -2 * y[0])), float(max(2 * y[-1], -2 * y[-1]))


def paper_hat_coefficients(y, g) -> tuple[np.ndarray, np.ndarray]:
    """Theorem 3's ``3n`` knots and coefficients with the paper's literal end nodes.

    Returns ``(knots, coef)`` of the unmerged hats, computed in IEEE arithmetic
    without raising: where the literal rule divides by zero the coefficients
    are ``inf`` or ``nan``.  Used only to demonstrate erratum E13;
    :func:`interpolate` uses the corrected end nodes.
    """
    y = as_array(y, "y", ndim=1)
    g = as_array(g, "g", shape=(y.size,))
    if y.size == 0:
        raise ValueError("y must contain at least one value")
    if np.any(np.diff(y) <= 0):
        raise ValueError("y must be strictly increasing (sorted distinct projections)")
    y0, yn1 = paper_end_nodes(y)
    knots = np.concatenate([[y0], y, [yn1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        left = g / (knots[1:-1] - knots[:-2])
        right = g / (knots[2:] - knots[1:-1])
        coef = np.stack([left, -(left + right), right], axis=1).reshape(-1)
    kn = np.stack([knots[:-2], knots[1:-1], knots[2:]], axis=1).reshape(-1)
    return kn, coef


# ----------------------------------------------------------------------------- fast evaluation
def evaluate_projected(net: ShallowReLU, X, direction=None) -> np.ndarray:
    """Evaluate a :class:`ShallowReLU` whose units all look along one direction.

    Every row of ``net.W`` must be a multiple ``a_j w`` of one vector ``w``
    (true for every network :func:`interpolate` builds).  Then
    ``R(a_j t + b_j)`` with ``t = w . x`` is active on a half-line, and sorting
    the thresholds ``-b_j / a_j`` turns the sum over units into prefix sums:
    ``O((n + m) log m)`` time and ``O(n + m)`` memory instead of an ``n x m``
    matrix.  The prefix sums run in ``numpy.longdouble`` (80-bit on x86), so the
    result is usually closer to the exact value of the network's function than
    ``net(X)`` in float64, and matches it to rounding.
    """
    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU, got {type(net).__name__}")
    X = as_points(X, "X", net.input_dim)
    W, b, B = net.W, net.b, net.B  # B: (k, m)
    if direction is None:
        norms = np.linalg.norm(W, axis=1)
        if not np.any(norms > 0):
            return net(X)
        w = W[int(np.argmax(norms > 0))]
    else:
        w = as_array(direction, "direction", shape=(net.input_dim,))
    ww = float(w @ w)
    if ww == 0:
        raise ValueError("direction must be non-zero")
    a = W @ w / ww
    if not np.allclose(W, np.outer(a, w), rtol=1e-12, atol=1e-12 * np.sqrt(ww)):
        raise ValueError("net's units do not share one direction; use net(X) instead")
    t = X @ w
    k = B.shape[0]
    ld = np.longdouble  # extended precision where the platform has it: prefix sums lose less
    t = t.astype(ld)
    out = np.tile(net.c.astype(ld), (t.size, 1))
    zero = a == 0
    if zero.any():
        out += relu(b[zero]) @ B[:, zero].T
    for sign in (1, -1):
        sel = np.sign(a) == sign
        if not sel.any():
            continue
        theta = (-b[sel] / a[sel]).astype(ld)
        order = np.argsort(theta, kind="stable")
        theta = theta[order]
        Ba = (B[:, sel].astype(ld) * a[sel])[:, order].T  # (m_s, k)
        Bb = (B[:, sel].astype(ld) * b[sel])[:, order].T
        if sign == 1:  # active when t > theta: the first `cnt` thresholds
            cnt = np.searchsorted(theta, t, side="left")
            cA = np.vstack([np.zeros((1, k)), np.cumsum(Ba, axis=0)])
            cB = np.vstack([np.zeros((1, k)), np.cumsum(Bb, axis=0)])
            out += t[:, None] * cA[cnt] + cB[cnt]
        else:  # active when t < theta: thresholds from position `cnt` on
            cnt = np.searchsorted(theta, t, side="right")
            sA = np.vstack([np.cumsum(Ba[::-1], axis=0)[::-1], np.zeros((1, k))])
            sB = np.vstack([np.cumsum(Bb[::-1], axis=0)[::-1], np.zeros((1, k))])
            out += t[:, None] * sA[cnt] + sB[cnt]
    out = out.astype(np.float64)
    return out[:, 0] if net.scalar_output else out


# ----------------------------------------------------------------------------- data and training
def noisy_sample(n: int, noise: float = 0.1, seed: int = 0):
    """``n`` sorted points in ``[0, 1]`` with values ``sin(2 pi x) + noise * N(0, 1)``.

    Returns ``(x, y, truth)`` where ``truth`` is the noise-free function.
    """
    n = check_size(n, "n", maximum=10**7, reason="the sample is held in memory")
    noise = check_real(noise, "noise", nonnegative=True)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(shifted(seed))
    x = np.sort(rng.uniform(0.0, 1.0, n))

    def truth(z):
        return np.sin(2 * np.pi * np.asarray(z, dtype=float))

    return x, truth(x) + noise * rng.standard_normal(n), truth


@memoised
def train_same_width(x, y, width: int | None = None, steps: int = 2000, lr: float = 1e-2, seed: int = 0, tol: float = 1e-6):
    """Train a one-hidden-layer ReLU net of ``width`` units on 1-D data with full-batch Adam.

    ``width`` defaults to ``n - 1``, the width of the ramp interpolant.  Runs on
    :func:`relubook.device` in float64 with PyTorch's default initialisation.
    Returns a dict with ``max_err`` (max absolute error at every step),
    ``hit`` (first step with max error below ``tol``, or ``None``), ``dead``
    (units inactive at every data point at the end), ``width``, ``steps`` and
    the trained ``net`` as a :class:`ShallowReLU`.  Memoised under ``RELUBOOK_MEMO`` (:mod:`relubook.memo`).
    """
    import torch

    from .device import device

    x = as_array(x, "x", ndim=1)
    y = as_array(y, "y", shape=(x.size,))
    if x.size < 2:
        raise ValueError("x must contain at least two points")
    width = x.size - 1 if width is None else check_int(width, "width", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_real(lr, "lr", positive=True)
    seed = check_int(seed, "seed", minimum=0)
    tol = check_real(tol, "tol", positive=True)
    dev = device()
    gen = torch.Generator().manual_seed(shifted(seed))
    dt = torch.float64
    bound = 1.0  # PyTorch's default for fan_in = 1: U(-1/sqrt(1), 1/sqrt(1))
    W1 = ((torch.rand(width, 1, generator=gen, dtype=dt) * 2 - 1) * bound).to(dev).requires_grad_()
    b1 = ((torch.rand(width, generator=gen, dtype=dt) * 2 - 1) * bound).to(dev).requires_grad_()
    b2_bound = 1.0 / np.sqrt(width)
    W2 = ((torch.rand(width, generator=gen, dtype=dt) * 2 - 1) * b2_bound).to(dev).requires_grad_()
    c = ((torch.rand(1, generator=gen, dtype=dt) * 2 - 1) * b2_bound).to(dev).requires_grad_()
    xt = torch.as_tensor(x, dtype=dt, device=dev)[:, None]
    yt = torch.as_tensor(y, dtype=dt, device=dev)
    opt = torch.optim.Adam([W1, b1, W2, c], lr=lr)
    errs = torch.empty(steps, dtype=dt, device=dev)
    for s in range(steps):
        opt.zero_grad()
        pred = torch.relu(xt @ W1.T + b1) @ W2 + c
        diff = pred - yt
        loss = (diff**2).mean()
        loss.backward()
        opt.step()
        errs[s] = diff.detach().abs().max()
    max_err = errs.cpu().numpy()
    below = np.flatnonzero(max_err < tol)
    W1n = W1.detach().cpu().numpy()
    b1n = b1.detach().cpu().numpy()
    net = ShallowReLU(W1n, b1n, W2.detach().cpu().numpy(), float(c.detach().cpu().numpy()[0]))
    dead = int(np.sum(np.all(net.hidden(x[:, None]) <= 0, axis=0)))
    return {
        "max_err": max_err,
        "hit": int(below[0]) + 1 if below.size else None,
        "dead": dead,
        "width": width,
        "steps": steps,
        "net": net,
    }


# ----------------------------------------------------------------------------- drawing
def _widget_points(n_points: int):
    """The fixed data of the widget: up to 12 points in [0, 1]."""
    x, y, _ = noisy_sample(12, noise=0.15, seed=3)
    order = np.random.default_rng(7).permutation(12)  # spread the first few points over [0, 1]
    return x[order][:n_points].copy(), y[order][:n_points].copy()


def draw_interpolant(ax, n_points: int = 6, y_moved: float = 0.0, method: str = "ramp", show_units: bool = True):
    """Widget callback: ``n_points`` data points, the first one moved to height ``y_moved``.

    Draws the data, the exact interpolant (beyond the data too) and, with
    ``show_units``, a tick at every knot (one per ReLU).
    """
    n_points = check_int(n_points, "n_points", minimum=1, maximum=12)
    y_moved = check_real(y_moved, "y_moved")
    method = check_choice(method, "method", ("ramp", "hat"))
    x, y = _widget_points(n_points)
    y[0] = y_moved
    net = interpolate(x, y, method=method)
    grid = np.linspace(-0.25, 1.25, 601)
    ax.plot(grid, net(grid), label=f"interpolant ({net.n_neurons} ReLUs)", color="#0072B2")
    ax.plot(x, y, "o", color="#D55E00", label="data", zorder=3)
    ax.plot([x[0]], [y[0]], "s", color="#009E73", markersize=9, label="moved point", zorder=4)
    if show_units:
        knots = -net.b / net.W[:, 0]
        ax.plot(knots, np.full(knots.size, -2.3), "|", color="#000000", markersize=12, label="knots (one per ReLU)")
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(-2.5, 2.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.legend(loc="upper right", fontsize=8)
    return net


def draw_projection(ax, X, w):
    """Points in the plane, the direction ``w`` and the projections ``w . x_i`` on its line."""
    X = _points(X)
    if X.shape[1] != 2:
        raise ValueError(f"X must have two columns for this drawing, got {X.shape[1]}")
    w = as_array(w, "w", shape=(2,))
    u = w / np.linalg.norm(w)
    t = X @ u
    P = np.outer(t, u)
    for (a, b), (p, q) in zip(X, P):
        ax.plot([a, p], [b, q], color="#999999", linewidth=0.8, linestyle=":")
    lo, hi = t.min() - 0.5, t.max() + 0.5
    ax.plot([lo * u[0], hi * u[0]], [lo * u[1], hi * u[1]], color="#0072B2", label="line spanned by $w$")
    ax.plot(X[:, 0], X[:, 1], "o", color="#D55E00", label="points $x_i$")
    ax.plot(P[:, 0], P[:, 1], "x", color="#000000", label="projections onto the line")
    ax.set_aspect("equal")
    ax.legend(loc="best", fontsize=8)


def draw_training(ax, result: dict, exact_err: float):
    """Max error of gradient-descent training per step, against the exact construction's error."""
    err = np.asarray(result["max_err"])
    ax.semilogy(np.arange(1, err.size + 1), err, color="#0072B2", label=f"Adam, width {result['width']}")
    ax.axhline(max(exact_err, 1e-17), color="#D55E00", linestyle="--", label="exact construction")
    ax.set_xlabel("step")
    ax.set_ylabel("max error on the data")
    ax.legend(loc="best", fontsize=8)
