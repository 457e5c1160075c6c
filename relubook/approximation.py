"""Universal approximation by construction (Part II; paper 000, Lemmas 1-5, Theorem 2).

Every construction returns a :class:`~relubook.nets.ShallowReLU`:

* :func:`clamped_interpolant` -- Lemma 1's four-unit function ``G`` (three ReLUs and a constant);
* :func:`dyadic_network` / :func:`convex_approximation` -- Lemma 1's dyadic scheme (and Cor. 4);
* :func:`cosine_network` -- Lemma 2, as the paper builds it or as one uniform interpolant;
* :func:`trig_series_network` -- Lemma 3, sums of ridge cosines with a term-by-term budget;
* :func:`parity_network` -- Corollary 3.5, Boolean parity represented exactly.

Counting helpers give the unit counts of the text; :func:`ky_fan`, :func:`lp_distance` compute
the metrics of Theorem 2's second half.  A *unit* counts the constant ``c R(1)`` as one unit, as
the paper does; ``ShallowReLU.n_neurons`` counts ReLUs only.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np

from .nets import DeepReLU, ShallowReLU
from .validate import check_bool, check_size, as_array, check_choice, check_int, check_interval, check_real

__all__ = [
    "clamped_interpolant",
    "stopping_index",
    "natural_log_index",
    "smoothed_kink",
    "lemma1_bound",
    "literal_units",
    "merged_units",
    "c2_levels",
    "dyadic_nodes",
    "dyadic_network",
    "convex_approximation",
    "merge_units",
    "cosine_levels",
    "paper_cosine_relus",
    "uniform_cosine_pieces",
    "cosine_network",
    "trig_series_network",
    "fit_trig_series",
    "cos_product_to_sum",
    "trig_series",
    "ramp_network",
    "parity_network",
    "ky_fan",
    "lp_distance",
    "sup_error",
    "evaluate_1d",
]

_MAX_LEVELS = 24
MAX_UNITS = 10_000_000
"""Most ReLUs a construction of this module builds (about 80 MB per 10^7 units of float64 weights)."""


def _ratio(M: float, a: float, b: float, eps: float, what: str = "slope_bound * (b - a) / eps") -> float:
    """``M (b - a) / eps`` if it is a finite float, else ValueError naming the arguments."""
    with np.errstate(over="ignore"):
        ratio = M * (b - a) / eps
    if not math.isfinite(ratio):
        raise ValueError(f"{what} must be a finite number, got overflow (slope_bound={M}, a={a}, b={b}, eps={eps})")
    return ratio


def _check_units(n_units: float, what: str) -> None:
    if n_units > MAX_UNITS:
        shown = f"{n_units:.3g}" if n_units < 1e300 else f"about 10^{len(str(int(n_units))) - 1}"  # no float overflow
        raise ValueError(f"{what} would need {shown} ReLUs, more than the limit {MAX_UNITS:.0e}")


def _check_function(f) -> Callable:
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    return f


def _values(f, x, name="f") -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # non-finite values are refused below
        y = np.asarray(f(x), dtype=float)
    if y.shape != x.shape:
        y = np.broadcast_to(y, x.shape).astype(float)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} must return finite values on [a, b]; got a non-finite value")
    return y


# -- Lemma 1: one interval ------------------------------------------------------
def clamped_interpolant(g_alpha, g_mid, g_beta, alpha, beta) -> ShallowReLU:
    """Lemma 1's ``G``: three ReLUs and a constant interpolating ``g`` at ``alpha, m, beta``.

    Equals ``g_alpha`` left of ``alpha`` and ``g_beta`` right of ``beta``.
    """
    alpha, beta = check_interval(alpha, beta, ("alpha", "beta"))
    ga, gm, gb = (check_real(v, n) for v, n in ((g_alpha, "g_alpha"), (g_mid, "g_mid"), (g_beta, "g_beta")))
    m, h = (alpha + beta) / 2, (beta - alpha) / 2
    B = np.array([(gm - ga) / h, -(2 * gm - ga - gb) / h, (gm - gb) / h])
    return ShallowReLU(np.ones(3), np.array([-alpha, -m, -beta]), B, c=ga)


# -- Lemma 1: counting ------------------------------------------------------------
def smoothed_kink(slope_bound, corner, delta=1e-9) -> Callable:
    """``x -> M sqrt((x - c)^2 + delta^2)``: convex, ``|f'| < M``, and a corner of width ``delta`` at ``c``.

    The worst case of Lemma 1's bound: put ``c`` in the middle of a dyadic cell and the
    interpolant at that level misses ``f`` by almost ``M h / 2``.
    """
    M = check_real(slope_bound, "slope_bound", positive=True)
    c = check_real(corner, "corner")
    d2 = check_real(delta, "delta", positive=True, high=1e150) ** 2  # delta^2 stays a finite double
    return lambda x: M * np.sqrt((np.asarray(x, dtype=float) - c) ** 2 + d2)


def stopping_index(slope_bound, a, b, eps) -> int:
    """The corrected stopping index ``floor(log2(M (b-a) / eps)) + 1`` (erratum E1).

    It is the least ``i >= 1`` with ``M (b-a) / 2**i < eps``.
    """
    M = check_real(slope_bound, "slope_bound", positive=True)
    a, b = check_interval(a, b, ("a", "b"))
    eps = check_real(eps, "eps", positive=True)
    ratio = _ratio(M, a, b, eps)
    if ratio < 1:  # M (b-a) / 2 < eps already (a ratio that underflows to 0 included)
        return 1
    i = max(1, math.floor(math.log2(ratio)) + 1)
    while ratio / 2**i >= 1:  # guard rounding of log2 at exact powers of two
        i += 1
    while i > 1 and ratio / 2 ** (i - 1) < 1:
        i -= 1
    return i


def natural_log_index(slope_bound, a, b, eps) -> int:
    """The index the paper prints, ``floor(ln(M (b-a) / eps)) + 1``: too small (erratum E1)."""
    M = check_real(slope_bound, "slope_bound", positive=True)
    a, b = check_interval(a, b, ("a", "b"))
    eps = check_real(eps, "eps", positive=True)
    ratio = _ratio(M, a, b, eps)
    return 1 if ratio < 1 else max(1, math.floor(math.log(ratio)) + 1)  # ln of a ratio below 1 is negative


def lemma1_bound(slope_bound, a, b, levels) -> float:
    """The paper's bound ``M (b-a) / 2**i`` on the error after ``i`` levels."""
    M = check_real(slope_bound, "slope_bound", positive=True)
    a, b = check_interval(a, b, ("a", "b"))
    i = check_int(levels, "levels", minimum=1, maximum=_MAX_LEVELS)
    return M * (b - a) / 2**i


def literal_units(levels) -> int:
    """Units of the literal construction: ``3 * 2**i - 2`` (constant unit included)."""
    i = check_int(levels, "levels", minimum=1, maximum=_MAX_LEVELS)
    return 3 * 2**i - 2


def merged_units(levels) -> int:
    """Units after merging equal knots: ``2**i + 1`` ReLUs plus the constant unit."""
    i = check_int(levels, "levels", minimum=1, maximum=_MAX_LEVELS)
    return 2**i + 2


def c2_levels(curvature_bound, a, b, eps) -> int:
    """Levels enough for ``|f''| <= M2`` with a strict bound: the least ``L >= 1`` with ``(b-a)^2 M2 / (8 4^L) < eps``.

    That is ``floor(log2((b-a) sqrt(M2 / (8 eps)))) + 1``: where the logarithm is an integer the
    ceiling would give an error bound *equal* to ``eps`` (``x^2`` on [0, 1], ``eps = 1/16``).  The
    levels are then raised until the bound is below ``eps (1 - 2^-20)``, a margin that covers the
    rounding of the logarithm and of the network's weights for the intervals the book uses.
    """
    M2 = check_real(curvature_bound, "curvature_bound", positive=True)
    a, b = check_interval(a, b, ("a", "b"))
    eps = check_real(eps, "eps", positive=True)
    q = _ratio(math.sqrt(M2), a, b, math.sqrt(8 * eps), "(b - a) sqrt(curvature_bound / (8 eps))")
    top = (b - a) * (b - a) * M2
    if not math.isfinite(top):
        raise ValueError(f"(b - a)^2 curvature_bound must be a finite number, got overflow (curvature_bound={M2}, a={a}, b={b})")
    L = 1 if q < 1 else max(1, math.floor(math.log2(q)) + 1)  # q may underflow to 0
    while math.ldexp(top, -(2 * L + 3)) >= eps * (1 - 2.0**-20):  # top / (8 4^L), exact scaling
        L += 1
    return L


def dyadic_nodes(a, b, levels) -> np.ndarray:
    """The ``2**i + 1`` nodes ``a + k (b-a) / 2**i``."""
    a, b = check_interval(a, b, ("a", "b"))
    i = check_int(levels, "levels", minimum=1, maximum=_MAX_LEVELS)
    return a + (b - a) * (np.arange(2**i + 1) / 2**i)  # k / 2^i is exact; no overflow for a wide [a, b]


# -- Lemma 1: the dyadic scheme ---------------------------------------------------
def merge_units(net: ShallowReLU) -> ShallowReLU:
    """The same function with units of equal ``(w, b)`` merged (their output weights added)."""
    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU, got {type(net).__name__}")
    rows = np.concatenate([net.W, net.b[:, None]], axis=1)
    uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
    B = np.zeros((net.output_dim, len(uniq)))
    for o in range(net.output_dim):
        B[o] = np.bincount(inverse.ravel(), weights=net.B[o], minlength=len(uniq))
    out_B = B[0] if net.scalar_output else B
    c = net.c[0] if net.scalar_output else net.c
    return ShallowReLU(uniq[:, :-1], uniq[:, -1], out_B, c=c)


def _literal_from_values(nodes: np.ndarray, y: np.ndarray, levels: int):
    """Knots, coefficients, constant and knot node indices of the literal dyadic scheme."""
    n = 2**levels
    knots, coefs = [], []
    for j in range(1, levels + 1):
        step = n // 2 ** (j - 1)  # nodes per level-j interval
        left = np.arange(0, n, step)
        mid, right = left + step // 2, left + step
        if j == 1:
            ga, gm, gb = y[0], y[n // 2], y[n]
        else:
            # f_{j-1} vanishes at the level-(j-1) nodes; at the midpoints it is f minus the chord
            ga = gb = np.zeros(len(left))
            gm = y[mid] - (y[left] + y[right]) / 2
        h = (nodes[right] - nodes[left]) / 2
        knots.append(np.stack([left, mid, right], axis=1).ravel())
        coefs.append(np.stack([(gm - ga) / h, -(2 * gm - ga - gb) / h, (gm - gb) / h], axis=1).ravel())
    index = np.concatenate(knots)  # node index of every knot
    return nodes[index], np.concatenate(coefs), float(y[0]), index


def dyadic_network(f, a, b, levels, merged=True, check_shape=True) -> ShallowReLU:
    """Lemma 1's network after ``levels`` dyadic levels: the interpolant of ``f`` at the nodes.

    ``merged=False`` keeps the literal construction (``3 * 2**i - 3`` ReLUs and a constant);
    ``merged=True`` merges equal knots (``2**i + 1`` ReLUs and a constant).  With
    ``check_shape`` the node values must be convex or concave (Lemma 1 / Corollary 4).
    """
    f = _check_function(f)
    a, b = check_interval(a, b, ("a", "b"))
    i = check_int(levels, "levels", minimum=1, maximum=_MAX_LEVELS)
    merged = check_bool(merged, "merged")
    nodes = dyadic_nodes(a, b, i)
    y = _values(f, nodes)
    if check_bool(check_shape, "check_shape"):
        d2 = np.diff(y, 2)
        tol = 1e-12 * max(1.0, float(np.max(np.abs(y))))
        if np.any(d2 < -tol) and np.any(d2 > tol):
            raise ValueError(
                "f must be convex or concave on [a, b] (the hypothesis of Lemma 1 and Corollary 4); "
                "its second differences at the dyadic nodes change sign"
            )
    knots, coefs, c, index = _literal_from_values(nodes, y, i)
    if merged:  # one ReLU per node: add the output weights of equal knots
        return ShallowReLU(np.ones(len(nodes)), -nodes, np.bincount(index, weights=coefs, minlength=len(nodes)), c=c)
    return ShallowReLU(np.ones(len(knots)), -knots, coefs, c=c)


def convex_approximation(f, a, b, eps, slope_bound, merged=True) -> ShallowReLU:
    """Lemma 1 (and Corollary 4): a network with ``sup_[a,b] |f - net| < eps``.

    ``f`` must be convex or concave with ``|f'| <= slope_bound`` on ``[a, b]``; the network is
    constant outside ``[a, b]`` (``f(a)`` to the left, ``f(b)`` to the right).  It stops at the
    corrected index :func:`stopping_index`, so the paper's bound ``M (b-a) / 2**i`` is below eps.
    """
    f = _check_function(f)
    a, b = check_interval(a, b, ("a", "b"))
    eps = check_real(eps, "eps", positive=True)
    M = check_real(slope_bound, "slope_bound", positive=True)
    i = stopping_index(M, a, b, eps)
    if i > _MAX_LEVELS:
        raise ValueError(f"eps={eps} needs {i} dyadic levels; at most {_MAX_LEVELS} are allowed")
    nodes = dyadic_nodes(a, b, i)
    slopes = np.abs(np.diff(_values(f, nodes))) / np.diff(nodes)
    if np.max(slopes) > M * (1 + 1e-9):
        raise ValueError(
            f"slope_bound={M} is smaller than a slope of f between nodes ({np.max(slopes):.6g}); "
            "Lemma 1 needs |f'| <= slope_bound on [a, b]"
        )
    net = dyadic_network(f, a, b, i, merged=merged)
    # the last ReLU (knot b) must clamp: f(b) to the right
    return net


# -- Lemma 2: cosine ------------------------------------------------------------------
def cosine_levels(eps) -> int:
    """Levels per half period in the paper's Lemma 2: ``floor(log2(pi / eps)) + 1``."""
    return stopping_index(1.0, 0.0, math.pi, eps)


def paper_cosine_relus(M, eps) -> int:
    """ReLUs of the paper's Lemma 2: ``2 (2n+1) (3 * 2**l - 3)`` with ``n = floor(M / 2 pi) + 1``."""
    M = check_real(M, "M", positive=True)
    eps = check_real(eps, "eps", positive=True)
    n = math.floor(M / (2 * math.pi)) + 1
    return 2 * (2 * n + 1) * (3 * 2 ** cosine_levels(eps) - 3)


#: Unit roundoff of float64.
_U = 2.0**-53


def cosine_rounding_bound(M) -> float:
    """A bound on how far rounding the weights moves the uniform cosine network on ``[-M, M]``.

    The knots ``t_j`` are rounded (each by at most ``u M``), each output weight ``beta_j`` is
    computed from a product formula with relative error below ``8 u`` (no cancellation), and the
    weights add up to at most ``2 M + 1`` in absolute value (the total variation of the slope of
    ``cos`` plus the first slope), so the exact function of the float weights is within
    ``(2M + 1)(16 u M + u M) + u`` of the ideal interpolant.
    """
    M = check_real(M, "M", positive=True)
    return (2 * M + 1) * 17 * _U * M + _U


def uniform_cosine_pieces(M, eps) -> int:
    """Pieces of the uniform interpolant: ``ceil(2 M / sqrt(4 eps))`` (one ReLU each).

    Piecewise-linear interpolation of ``cos`` on pieces of length ``h`` is within ``h**2 / 8``;
    the count makes that at most ``eps / 2``, and the other half of the budget covers the
    rounding of the weights (:func:`cosine_rounding_bound`, required below ``eps / 4``), so the
    bound is strict with a margin.
    """
    M = check_real(M, "M", positive=True)
    eps = check_real(eps, "eps", positive=True)
    q = 2 * M / math.sqrt(4 * eps)
    if not math.isfinite(q):
        raise ValueError(f"2 M / sqrt(4 eps) must be finite, got overflow (M={M}, eps={eps})")
    return max(1, math.ceil(q))


def cosine_network(M, eps, method="paper") -> ShallowReLU:
    """Lemma 2: a network with ``sup_{|t| <= M} |net(t) - cos t| < eps``.

    ``method="paper"``: the literal dyadic scheme on every half period
    ``[k pi - pi/2, k pi + pi/2]`` for ``-2n <= k <= 2n+1`` (convex and concave pieces, each zero
    outside its interval), :func:`paper_cosine_relus` ReLUs and no constant.
    ``method="uniform"``: one interpolant with :func:`uniform_cosine_pieces` ReLUs plus a constant;
    its interpolation error is at most ``eps / 2`` and the rounding of its weights at most
    :func:`cosine_rounding_bound` ``<= eps / 4``, so it meets the strict bound with a margin of at
    least ``eps / 4`` (a ``ValueError`` says when ``eps`` is too small for float64 weights at this ``M``).
    """
    M = check_real(M, "M", positive=True)
    eps = check_real(eps, "eps", positive=True)
    check_choice(method, "method", ("paper", "uniform"))
    if method == "uniform":
        if cosine_rounding_bound(M) > eps / 4:
            raise ValueError(f"eps={eps} is below what float64 weights can guarantee on [-M, M] with M={M} "
                             f"(rounding alone may move the network by {cosine_rounding_bound(M):.2g})")
        N = uniform_cosine_pieces(M, eps)
        _check_units(N, f"cosine_network(M={M}, eps={eps})")
        h = 2 * M / N
        t = -M + h * np.arange(N)  # the knots; the last piece ends at M
        # slopes change by cos(t+h) - 2 cos t + cos(t-h) = -4 sin(h/2)^2 cos t (over h): no cancellation
        beta = -4.0 * math.sin(h / 2) ** 2 / h * np.cos(t)
        beta[0] = -2.0 * math.sin(h / 2) * math.sin(-M + h / 2) / h  # first slope (cos(t1) - cos(t0)) / h
        return ShallowReLU(np.ones(N), -t, beta, c=math.cos(M))
    levels = cosine_levels(eps)
    if levels > 16:
        raise ValueError(f"eps={eps} is too small for the literal paper construction (needs {levels} levels)")
    n = math.floor(M / (2 * math.pi)) + 1
    _check_units(paper_cosine_relus(M, eps), f"cosine_network(M={M}, eps={eps})")
    # the half period centred at k pi carries (-1)^k times the piece centred at 0, shifted by k pi:
    # concave pieces for even k, convex pieces for odd k
    nodes = -math.pi / 2 + math.pi * np.arange(2**levels + 1) / 2**levels
    y = np.cos(nodes)
    y[0] = y[-1] = 0.0  # cos vanishes at the ends (E6)
    kn, co, _, _ = _literal_from_values(nodes, y, levels)
    ks = np.arange(-2 * n, 2 * n + 2)
    knots = [(kn[None, :] + math.pi * ks[:, None]).ravel()]
    coefs = [(co[None, :] * np.where(ks % 2 == 0, 1.0, -1.0)[:, None]).ravel()]
    knots, coefs = np.concatenate(knots), np.concatenate(coefs)
    return ShallowReLU(np.ones(len(knots)), -knots, coefs, c=0.0)


# -- Lemma 3: ridge cosines -------------------------------------------------------------
def trig_series(x, beta, W, b) -> np.ndarray:
    """``g(x) = sum_j beta_j cos(W_j . x + b_j)`` at points ``x`` of shape ``(n, r)``."""
    beta, W, b = _check_series(beta, W, b)
    X = as_array(x, "x", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"x must have {W.shape[1]} columns, got shape {X.shape}")
    return np.cos(X @ W.T + b) @ beta


def _check_series(beta, W, b):
    beta = as_array(beta, "beta", ndim=1)
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if len(beta) == 0:
        raise ValueError("beta must have at least one term")
    if W.shape[0] != len(beta) or b.shape != beta.shape:
        raise ValueError(f"W must have shape ({len(beta)}, r) and b shape ({len(beta)},), got {W.shape} and {b.shape}")
    return beta, W, b


def trig_series_network(beta, W, b, radius, eps, method="uniform") -> ShallowReLU:
    """Lemma 3: a ReLU network within ``eps`` of ``sum_j beta_j cos(W_j . x + b_j)`` on ``|x| <= radius``.

    Corrected budget (erratum E9): with ``Q`` non-zero terms and ``M = max_j (|W_j| radius + |b_j|)``,
    term ``j`` uses ``cos_{M, eps / (|beta_j| Q)}``; terms with ``beta_j = 0`` are dropped.
    With ``method="uniform"`` each cosine network stays at least a quarter of its budget inside it
    (:func:`cosine_network`); shifting its knots by ``b_j`` moves each knot by at most ``u (M + |b_j|)``,
    which costs less than :func:`cosine_rounding_bound` and so fits in that quarter: the strict
    bound holds with a margin.
    """
    beta, W, b = _check_series(beta, W, b)
    radius = check_real(radius, "radius", positive=True)
    eps = check_real(eps, "eps", positive=True)
    keep = beta != 0
    r = W.shape[1]
    if not np.any(keep):
        return ShallowReLU(np.zeros((1, r)), np.zeros(1), np.zeros(1), c=0.0)
    beta, W, b = beta[keep], W[keep], b[keep]
    Q = len(beta)
    M = float(np.max(np.linalg.norm(W, axis=1) * radius + np.abs(b)))
    rows, biases, outs, c = [], [], [], 0.0
    for bj, wj, cj in zip(beta, W, b):
        net = cosine_network(M, eps / (abs(bj) * Q), method=method)
        t = -net.b  # knots: units R(t - t_k) with t = w.x + c
        rows.append(np.repeat(wj[None, :], len(t), axis=0))
        biases.append(cj - t)
        outs.append(bj * net.B[0])
        c += bj * net.c[0]
    return ShallowReLU(np.concatenate(rows), np.concatenate(biases), np.concatenate(outs), c=c)


def fit_trig_series(f, half_width=1.0, order=3, n_grid=41):
    """Least-squares fit of ``f`` on ``[-h, h]^2`` by ridge cosines ``cos(pi k.x / (2h) + s pi/2)``.

    Frequencies ``k`` run over ``{-order..order}^2`` (one of ``k, -k``), phases ``s`` in ``{0, 1}``.
    Returns ``(beta, W, b)``.
    """
    f = _check_function(f)
    h = check_real(half_width, "half_width", positive=True, high=1e150)
    K = check_int(order, "order", minimum=0, maximum=20)
    n = check_int(n_grid, "n_grid", minimum=3, maximum=2000)
    if not math.isfinite(2 * K * math.pi / (2 * h)):
        raise ValueError(f"half_width={h} is too small: the frequencies pi k / (2 half_width) overflow float64")
    ks = [(k1, k2) for k1 in range(0, K + 1) for k2 in range(-K, K + 1) if k1 > 0 or k2 >= 0]
    W, b = [], []
    for k in ks:
        for s in (0, 1):
            if k == (0, 0) and s == 1:
                continue
            W.append(np.array(k, dtype=float) * math.pi / (2 * h))
            b.append(s * math.pi / 2)
    W, b = np.array(W), np.array(b)
    g = np.linspace(-h, h, n)
    X = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # non-finite values are refused below
        y = np.asarray(f(X), dtype=float)
    if y.shape != (len(X),) or not np.all(np.isfinite(y)):
        raise ValueError("f must map an (n, 2) array to n finite values")
    A = np.cos(X @ W.T + b)
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    return beta, W, b


def cos_product_to_sum(W, b):
    """Lemma 4: ``prod_k cos(W_k . x + b_k)`` as ``sum_j beta_j cos(V_j . x + c_j)``.

    Repeated ``2 cos u cos v = cos(u + v) + cos(u - v)`` gives ``2**(l-1)`` terms with
    ``beta_j = 2**(1-l)``.  Returns ``(beta, V, c)``.
    """
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if len(b) != W.shape[0] or len(b) == 0:
        raise ValueError(f"W must have shape (l, r) and b shape (l,) with l >= 1, got {W.shape} and {b.shape}")
    l = len(b)
    signs = np.array(list(itertools.product([1.0, -1.0], repeat=l - 1))).reshape(2 ** (l - 1), l - 1)
    S = np.concatenate([np.ones((len(signs), 1)), signs], axis=1)
    return np.full(len(S), 2.0 ** (1 - l)), S @ W, S @ b


# -- Beyond continuous functions ----------------------------------------------------------
def ramp_network(jumps, heights, width, base=0.0) -> ShallowReLU:
    """A staircase ``base + sum_j heights_j 1[x > jumps_j]`` with each jump replaced by a ramp of ``width``.

    Two ReLUs per jump: the ramp ``(R(x - t + w/2) - R(x - t - w/2)) / w``.
    """
    t = as_array(jumps, "jumps", ndim=1)
    hgt = as_array(heights, "heights", ndim=1)
    if t.shape != hgt.shape or len(t) == 0:
        raise ValueError("jumps and heights must be non-empty and of the same length")
    w = check_real(width, "width", positive=True)
    base = check_real(base, "base")
    with np.errstate(over="ignore", invalid="ignore"):
        knots = np.concatenate([t - w / 2, t + w / 2])
        coefs = np.concatenate([hgt / w, -hgt / w])
    if not (np.all(np.isfinite(knots)) and np.all(np.isfinite(coefs))):
        raise ValueError(f"jumps +- width/2 and heights / width must be finite, got overflow (width={w})")
    return ShallowReLU(np.ones(len(knots)), -knots, coefs, c=base)


def parity_network(r) -> ShallowReLU:
    """Parity ``x_1 + ... + x_r mod 2`` on ``{0,1}^r`` exactly, with ``r`` ReLUs of ``s = sum x``.

    It is the interpolant of ``s mod 2`` at ``s = 0..r`` (Remark 1's construction):
    ``R(s) - 2 R(s-1) + 2 R(s-2) - ...``.
    """
    r = check_int(r, "r", minimum=1, maximum=64)
    B = np.array([1.0] + [2.0 * (-1) ** k for k in range(1, r)])
    return ShallowReLU(np.ones((r, r)), -np.arange(r, dtype=float), B, c=0.0)


def ky_fan(f_values, g_values, weights=None) -> float:
    """Ky Fan distance ``inf{e > 0 : mu{|f - g| > e} < e}`` for a discrete measure (uniform by default)."""
    f = as_array(f_values, "f_values", ndim=1)
    g = as_array(g_values, "g_values", ndim=1)
    if f.shape != g.shape or len(f) == 0:
        raise ValueError("f_values and g_values must be non-empty and of the same length")
    if weights is None:
        w = np.full(len(f), 1.0 / len(f))
    else:
        w = as_array(weights, "weights", ndim=1)
        if w.shape != f.shape or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError("weights must be non-negative, one per point, and sum to 1")
    d = np.abs(f - g)
    order = np.argsort(-d)
    d, w = d[order], w[order]
    above = np.concatenate([[0.0], np.cumsum(w)])  # mass of the k largest
    upper = np.concatenate([[np.inf], d])  # d_(k), the k-th largest (d_(0) = inf)
    lower = np.concatenate([d, [0.0]])  # d_(k+1)
    ok = upper > above
    return float(np.min(np.maximum(lower[ok], above[ok])))


def lp_distance(f_values, g_values, p=2.0) -> float:
    """``(mean |f - g|^p)^(1/p)`` for the uniform measure on the sample points, ``1 <= p < inf``."""
    f = as_array(f_values, "f_values", ndim=1)
    g = as_array(g_values, "g_values", ndim=1)
    if f.shape != g.shape or len(f) == 0:
        raise ValueError("f_values and g_values must be non-empty and of the same length")
    p = check_real(p, "p", low=1.0)
    return float(np.mean(np.abs(f - g) ** p) ** (1 / p))


def evaluate_1d(net: ShallowReLU, x) -> np.ndarray:
    """Evaluate a scalar one-input ``ShallowReLU`` at ``x`` in ``O((n + m) log m)`` time.

    The same function as ``net(x)`` (to rounding), computed from sorted knots and prefix sums
    instead of the ``n x m`` matrix of pre-activations; used for networks with many units.
    """
    if not isinstance(net, ShallowReLU):
        raise TypeError(f"net must be a ShallowReLU, got {type(net).__name__}")
    if net.input_dim != 1 or not net.scalar_output:
        raise ValueError("evaluate_1d needs a network with one input and one output")
    x = as_array(x, "x", ndim=1)
    w, bias, beta = net.W[:, 0], net.b, net.B[0]
    # centred form: sums of s (x - t) are formed as s ((x - c) - (t - c)) with c in the middle of
    # the points, so far from the origin (x, t ~ 1e9) the prefix sums do not cancel
    c = 0.5 * (float(np.min(x)) + float(np.max(x))) if x.size else 0.0
    xc = x - c
    out = np.full(x.shape, net.c[0] + float(np.sum(beta[w == 0] * np.maximum(bias[w == 0], 0.0))))
    for sign in (1.0, -1.0):
        sel = (w * sign) > 0
        if not np.any(sel):
            continue
        t = -bias[sel] / w[sel]  # knots
        s = beta[sel] * np.abs(w[sel])  # R(w x + b) = |w| R(sign (x - t))
        order = np.argsort(t)
        t, s = t[order], s[order]
        tc = t - c
        cs, cst = np.concatenate([[0.0], np.cumsum(s)]), np.concatenate([[0.0], np.cumsum(s * tc)])
        if sign > 0:  # units with t < x are active: sum s (x - t)
            k = np.searchsorted(t, x, side="left")
            out += cs[k] * xc - cst[k]
        else:  # units with t > x are active: sum s (t - x)
            k = np.searchsorted(t, x, side="right")
            out += (cst[-1] - cst[k]) - (cs[-1] - cs[k]) * xc
    return out


def sup_error(net, f, a, b, n=20001) -> float:
    """``max |net - f|`` on ``n`` equally spaced points of ``[a, b]`` (endpoints included)."""
    if not isinstance(net, (ShallowReLU, DeepReLU)):
        raise TypeError(f"net must be a ShallowReLU or DeepReLU, got {type(net).__name__}")
    f = _check_function(f)
    a, b = check_interval(a, b, ("a", "b"))
    n = check_size(n, "n", minimum=2, maximum=10**7, reason="the n grid points and values are held in memory")
    x = np.linspace(a, b, n)
    y = evaluate_1d(net, x) if (net.input_dim == 1 and net.scalar_output) else net(x)
    return float(np.max(np.abs(y - _values(f, x))))
