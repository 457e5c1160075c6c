"""Exact linear regions of ReLU networks with one input.

A ReLU network ``f: R -> R^k`` is piecewise affine.  This module finds its
pieces on an interval ``[lo, hi]`` and counts them *exactly* for the network's
floating-point weights (see :func:`affine_pieces` for the guarantee) by
*breakpoint propagation*:

* keep sorted breakpoints ``lo = b_0 < ... < b_K = hi`` and, at each of them,
  the pre-activations of the current layer (between two breakpoints the layer
  is affine, so its values at the ends determine it);
* a unit whose value changes sign between two neighbouring breakpoints has
  exactly one root between them: split there; the values at the new
  breakpoint are interpolated, and the next layer is updated one unit per
  root (prefix sums), so a wide layer never forms a breakpoints-by-units table;
* every value carries a rigorous bound on its rounding error (zero where the
  arithmetic is provably exact, as for dyadic weights), so each sign, order
  and slope comparison is certified or recognised as undecided; undecided
  counts are redone in exact arithmetic;
* the exact path (``exact=True``, and the fallback) runs the same propagation
  on integers: every float weight is an integer times a power of two, so the
  slope and intercept of every unit on every segment are integers (one
  exponent per layer), breakpoints are quotients of two integers, and every
  sign, order and slope comparison is an exact integer comparison.  Values at
  the old breakpoints go to the next layer through the (small) weight
  integers; a big-by-big product is needed only at a new breakpoint.  Layers
  with many segments are cut into chunks of :data:`EXACT_CHUNK` segments and
  followed depth first, so memory stays at the chunk plus the float output
  (the compositional network of depth 20, 2**20 pieces, counts in about half
  a minute of one core);
* the intervals at the end are the *activation regions* along the line
  (maximal intervals of constant activation pattern); merging neighbours on
  which the output has the same slope gives the *linear pieces* of the
  function.  The second count is never larger than the first.

Everything is vectorised over breakpoints with numpy, so a network with a
million pieces (``sawtooth(20)``) is counted in seconds.

Public API
----------
:func:`affine_pieces`
    the pieces themselves (edges, slopes, intercepts) as a :class:`Pieces`.
:func:`linear_pieces`
    the sorted breakpoints of the function strictly inside ``(lo, hi)``.
:func:`count_linear_regions`
    the number of linear pieces (``kind="pieces"``) or activation regions
    (``kind="activation"``) on ``[lo, hi]``.
:func:`decided_in_float`
    whether the float pass alone certifies the count (else exact arithmetic decides).
:func:`grid_count`
    the brute-force count on a dense grid (for tests and benchmarks).
:func:`region_upper_bound`, :func:`montufar_lower_bound`
    ``prod(n_l + 1)`` and Montufar et al.'s ``n^(L-1) (n+1)`` for one input.
:func:`activation_pattern_ids`, :func:`draw_activation_regions`
    the activation-region map of a network with two inputs.

Networks may be given as :class:`~relubook.nets.DeepReLU`,
:class:`~relubook.nets.ShallowReLU` or a ``torch.nn.Sequential`` of
``Linear``/``ReLU`` layers (read with :meth:`DeepReLU.from_torch`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from .device import generator, shifted
from .memo import memoised
from .nets import DeepReLU, ShallowReLU
from .validate import CHUNK_BYTES, as_points, as_sequence, check_budget, check_choice, check_int, check_interval, check_real

GRID_WORK_LIMIT = 2e9
"""Most unit values (points x units x layers) :func:`grid_count` computes before refusing up front."""

__all__ = [
    "Pieces",
    "UndecidedError",
    "EXACT_FALLBACK_BUDGET",
    "as_deep",
    "affine_pieces",
    "linear_pieces",
    "count_linear_regions",
    "decided_in_float",
    "grid_count",
    "region_upper_bound",
    "montufar_lower_bound",
    "activation_pattern_ids",
    "draw_activation_regions",
]


class Pieces(NamedTuple):
    """Affine pieces of a one-input network on ``[lo, hi]``.

    ``edges`` has length ``K + 1`` (``edges[0] = lo``, ``edges[-1] = hi``);
    on ``[edges[k], edges[k+1]]`` the network equals ``slopes[k] * x + intercepts[k]``
    (``slopes`` and ``intercepts`` have shape ``(K, k_out)``).
    """

    edges: np.ndarray
    slopes: np.ndarray
    intercepts: np.ndarray

    @property
    def count(self) -> int:
        return len(self.edges) - 1


def as_deep(net) -> DeepReLU:
    """Return ``net`` as a :class:`DeepReLU` (accepts ShallowReLU and torch ``nn.Sequential``)."""
    if isinstance(net, DeepReLU):
        return net
    if isinstance(net, ShallowReLU):
        return net.to_deep()
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if torch is not None and isinstance(net, torch.nn.Module):
        return DeepReLU.from_torch(net)
    raise TypeError(f"net must be a DeepReLU, ShallowReLU or torch.nn.Sequential, got {type(net).__name__}")


def _one_input(net) -> DeepReLU:
    deep = as_deep(net)
    if deep.input_dim != 1:
        raise ValueError(f"net has {deep.input_dim} inputs; exact region counting is for one input only")
    return deep


class UndecidedError(ArithmeticError):
    """Floating point could not decide a count and exact arithmetic was too costly to run automatically.

    ``estimate`` is the floating-point count (not certified); ``x`` lists where floating point was
    undecided.  Pass ``exact=True`` to count in rational arithmetic.
    """

    def __init__(self, message, estimate, x):
        super().__init__(message)
        self.estimate, self.x = estimate, x


_U = np.finfo(float).eps / 2  # unit roundoff of float64
#: Work (per layer, the segments times the size of the next weight matrix, summed) up to which an
#: undecided fast count is redone in exact arithmetic automatically; above it the fast path raises
#: :class:`UndecidedError`.  A compositional network of depth 20 (2**20 pieces, width 4) needs about
#: 1.3e7 and takes about half a minute of one core.
EXACT_FALLBACK_BUDGET = 20_000_000


def _fractions(a) -> np.ndarray:
    """The exact values of a float array as an object array of ``Fraction``."""
    a = np.asarray(a, dtype=float)
    return np.array([Fraction(v) for v in a.ravel()], dtype=object).reshape(a.shape)


def _exact_layers(deep: DeepReLU):
    return [(_fractions(W), _fractions(b)) for W, b in deep.layers]


def _dyadic(a):
    """A float array as exact integers times one power of two: ``(object array of int, exponent)``."""
    a = np.asarray(a, dtype=float)
    mant, ex = np.frexp(a)
    m = (mant * 2.0**53).astype(np.int64)
    exps = ex.astype(np.int64) - 53
    nz = m != 0
    e = int(exps[nz].min()) if nz.any() else 0
    # Python ints, shifted one by one (object arrays): m << (exps - e), and 0 for a zero
    return m.astype(object) << np.where(nz, exps - e, 0).astype(object), e


def _exact_layer_values(h, layer, relu: bool = True):
    """Exact pre-activations ``(ints, exponent)`` of a layer at one point, from the exact pre-activations
    ``h = (ints, exponent)`` of the layer before (``relu=False``: ``h`` is the input itself).

    Integer arithmetic on the dyadic values of the weights: ``layer = (_dyadic(W), _dyadic(b))``."""
    (Wi, eW), (bi, eb) = layer
    h, eh = h
    if relu:
        h = np.array([v if v > 0 else 0 for v in h], dtype=object)
    e = min(eW + eh, eb)
    z = np.array([int(v) << (eW + eh - e) for v in Wi.dot(h)], dtype=object) if len(h) else None
    z = z + np.array([int(v) << (eb - e) for v in bi], dtype=object)
    return z, e


def _rounded(value) -> tuple[np.ndarray, np.ndarray]:
    """Floats nearest to exact dyadic values and a bound on the rounding (0 where the float is exact)."""
    ints, e = value
    f = np.empty(len(ints))
    err = np.empty(len(ints))
    for i, n in enumerate(ints):
        try:
            fn = float(n)
            v = math.ldexp(fn, e)
            exact = fn == n and math.ldexp(v, -e) == fn
        except OverflowError:
            q = Fraction(n) * Fraction(2) ** e
            v, exact = float(q), False
        f[i] = v
        err[i] = 0.0 if exact else _U * abs(v) + 5e-324
    return f, err


def _fraction_pieces(deep: DeepReLU, lo: float, hi: float, kind: str):
    """Breakpoint propagation in :class:`~fractions.Fraction` arithmetic, one segment at a time (slow; the
    independent reference the tests compare :func:`_exact_pieces` with): (edges, slopes, intercepts), merged."""
    layers = _exact_layers(deep)
    edges = [Fraction(lo), Fraction(hi)]
    A = [np.array([Fraction(1)], dtype=object)]  # slope of the layer input on each segment
    C = [np.array([Fraction(0)], dtype=object)]
    for W, b in layers[:-1]:
        new_edges, new_A, new_C = [edges[0]], [], []
        for k in range(len(edges) - 1):
            za, zc = W.dot(A[k]), W.dot(C[k]) + b
            left, right = edges[k], edges[k + 1]
            roots = sorted({-c / a for a, c in zip(za, zc) if a != 0 and left < -c / a < right})
            pts = [left, *roots, right]
            for u, v in zip(pts[:-1], pts[1:]):
                mid = (u + v) / 2
                on = np.array([a * mid + c > 0 for a, c in zip(za, zc)])
                new_A.append(np.where(on, za, Fraction(0)))
                new_C.append(np.where(on, zc, Fraction(0)))
            new_edges.extend(pts[1:])
        edges, A, C = new_edges, new_A, new_C
    W, b = layers[-1]
    S = [W.dot(a) for a in A]
    I = [W.dot(c) + b for c in C]
    if kind == "activation":
        keep = list(range(len(S)))
    else:
        keep = [0] + [k for k in range(1, len(S)) if any(S[k] != S[k - 1])]
    kept_edges = [edges[k] for k in keep] + [edges[-1]]
    return kept_edges, [S[k] for k in keep], [I[k] for k in keep]


# -- exact arithmetic on integers ---------------------------------------------------------
#: Segments held at once by the exact path; bigger layers are split and followed depth first.
EXACT_CHUNK = 1 << 12


def _int_layer(W, b):
    """A layer as exact integers: ``(W_int, eW, b_int, eb)`` with ``W = W_int 2**eW`` and ``b = b_int 2**eb``."""
    Wi, eW = _dyadic(W)
    bi, eb = _dyadic(b)
    return Wi, eW, bi, eb


def _shift(a, s: int):
    """``a * 2**s`` for an object array of ints and ``s >= 0``."""
    return a << s if s else a


def _to_float(n, e: int):
    """The floats nearest to ``n 2**e`` (``n`` an object array of ints): one correctly rounded division."""
    if not np.size(n):
        return np.zeros(np.shape(n))
    if e >= 0:
        n, e = n << e, 0
    return np.true_divide(n, 1 << -e).astype(float)


def _insert_roots(seg, dup, n_segments: int):
    """Where the roots found in a layer go among the edges, for the exact and the fast pass alike.

    ``seg`` is the segment of each root (sorted, roots in order inside a segment) and ``dup`` marks a
    root equal to the next one (such a group makes one edge, which takes the state after its last
    root).  Returns ``(counts, rank, last, gseg, gcounts, old_pos, root_pos, starts, n_new)``: roots per
    segment, each root's rank in its segment, the last root of each group (a mask, or ``slice(None)``
    when no two roots coincide), the segment of each new edge, new edges per segment, the new
    positions of the old edges, of the new ones and of the new segments that start at an old edge
    (``old_pos[:-1]``), and how many edges there are now.  The positions are index arrays, or slices
    when every segment gets exactly one new edge (a strided copy costs less than a scatter)."""
    counts = np.bincount(seg, minlength=n_segments)
    ends = np.cumsum(counts)
    rank = np.arange(len(seg)) - np.concatenate(([0], ends[:-1]))[seg]
    if dup.any():
        last = np.concatenate((~dup, [True]))
        gseg = seg[last]
        gcounts = np.bincount(gseg, minlength=n_segments)
        gends = np.cumsum(gcounts)
        grank = np.arange(len(gseg)) - np.concatenate(([0], gends[:-1]))[gseg]
    else:  # every root makes its own edge: the groups are the roots (``last`` selects them all)
        last, gseg, gcounts, gends, grank = slice(None), seg, counts, ends, rank
    n_new = n_segments + 1 + len(gseg)
    if len(gseg) == n_segments and gcounts.max(initial=0) == 1:  # old and new edges alternate
        old_pos, root_pos, starts = slice(0, n_new, 2), slice(1, n_new, 2), slice(0, n_new - 1, 2)
        return counts, rank, last, gseg, gcounts, old_pos, root_pos, starts, n_new
    old_pos = np.arange(n_segments + 1) + np.concatenate(([0], gends))
    root_pos = old_pos[gseg] + 1 + grank
    return counts, rank, last, gseg, gcounts, old_pos, root_pos, old_pos[:-1], n_new


def _exact_step(state, Wn, eWn, bn, ebn, values: bool = True):
    """Split the segments where a unit of the current layer changes sign; the next layer on the new segments.

    ``state = (P, Q, V, eV, A, C, eA, eC)``, all exact integers (object arrays): the edges ``P/Q``
    (``Q > 0``), the current layer's values ``V 2**eV / Q`` at the edges and, per segment, its affine form
    ``A 2**eA x + C 2**eC``.  Values at the old edges go to the next layer by one matrix-vector product
    with the (small) weight integers; only a new edge (a root) is evaluated from the affine forms.  The
    next layer's forms on the pieces of a parent differ by one unit per root (running sums).
    """
    P, Q, V, eV, A, C, eA, eC = state
    K, m = A.shape
    sgn = (V > 0).astype(np.int8) - (V < 0).astype(np.int8)
    sL, sR = sgn[:-1], sgn[1:]
    seg, unit = np.nonzero((sL * sR) < 0)  # an affine unit changes sign strictly inside: one root there
    Ar, Cr = A[seg, unit], C[seg, unit]
    Pn, Qn = (-_shift(Cr, eC - eA), Ar) if eC >= eA else (-Cr, _shift(Ar, eA - eC))
    neg = (Qn < 0).astype(bool)
    Pn = np.where(neg, -Pn, Pn)
    Qn = np.where(neg, -Qn, Qn)
    f = (Pn / Qn).astype(float) if len(seg) else np.zeros(0)  # correctly rounded, so monotone in the exact root
    order = np.lexsort((f, seg))
    seg, unit, Pn, Qn, f = seg[order], unit[order], Pn[order], Qn[order], f[order]
    Ar, Cr = Ar[order], Cr[order]
    tie = (seg[1:] == seg[:-1]) & (f[1:] == f[:-1])
    if tie.any():  # roots that round to the same float: order them exactly (rare)
        idx = np.flatnonzero(tie)
        j = 0
        while j < len(idx):
            a = b = idx[j]
            while j + 1 < len(idx) and idx[j + 1] == b + 1:
                j, b = j + 1, idx[j + 1]
            run = np.arange(a, b + 2)
            run = run[sorted(range(len(run)), key=lambda r: Fraction(int(Pn[run[r]]), int(Qn[run[r]])))]
            sl = slice(a, b + 2)
            unit[sl], Pn[sl], Qn[sl], Ar[sl], Cr[sl] = unit[run], Pn[run], Qn[run], Ar[run], Cr[run]
            j += 1
    dup = np.zeros(len(tie), dtype=bool)  # two units with exactly the same root: one edge, both flip
    if tie.any():
        t = np.flatnonzero(tie)
        dup[t] = (Pn[t + 1] * Qn[t] == Pn[t] * Qn[t + 1]).astype(bool)
    _, rank, last, gseg, _, old_pos, root_pos, starts, n_new = _insert_roots(seg, dup, K)
    Pe = np.empty(n_new, dtype=object)
    Qe = np.empty(n_new, dtype=object)
    Pe[old_pos], Qe[old_pos] = P, Q
    Pe[root_pos], Qe[root_pos] = Pn[last], Qn[last]
    # the next layer's affine forms: the parent's mask, then one unit flipped per root
    mask0 = (sL > 0) | ((sL == 0) & (sR > 0))
    WT = Wn.T
    e1 = eC + eWn
    Ec = min(e1, ebn)
    bC = _shift(bn, ebn - Ec)[None, :]
    base_A = np.where(mask0, A, 0).dot(WT)
    base_C = np.where(mask0, C, 0).dot(WT)
    sigma = np.where(sL[seg, unit] < 0, 1, -1).astype(object)[:, None]
    cols = WT[unit]
    An = np.empty((n_new - 1, Wn.shape[0]), dtype=object)
    Cn = np.empty_like(An)
    An[starts], Cn[starts] = base_A, _shift(base_C, e1 - Ec) + bC
    if len(seg):
        An[root_pos] = _segmented_cumsum(base_A, sigma * cols * Ar[:, None], seg, rank, K)[last]
        Cg = _segmented_cumsum(base_C, sigma * cols * Cr[:, None], seg, rank, K)[last]
        Cn[root_pos] = _shift(Cg, e1 - Ec) + bC
    eAn = eA + eWn
    if not values:  # the output layer: its forms are all that is needed
        return Pe, Qe, None, None, An, Cn, eAn, Ec
    # the next layer's values: at the old edges from this layer's values, at the roots from the forms
    Ev = min(eV + eWn, ebn)
    Vn = np.empty((n_new, Wn.shape[0]), dtype=object)
    Vn[old_pos] = _shift(np.where(sgn > 0, V, 0).dot(WT), eV + eWn - Ev)
    if np.any(bn != 0):
        Vn[old_pos] += _shift(bn, ebn - Ev)[None, :] * Q[:, None]
    if len(gseg):
        Er = min(eAn, Ec)
        Vr = _shift(An[root_pos], eAn - Er) * Pe[root_pos][:, None] + _shift(Cn[root_pos], Ec - Er) * Qe[root_pos][:, None]
        Vn[root_pos] = _shift(Vr, Er - Ev) if Er >= Ev else Vr
        if Er < Ev:  # bring the old edges down to the roots' exponent
            Vn[old_pos] = _shift(Vn[old_pos], Ev - Er)
            Ev = Er
    return Pe, Qe, Vn, Ev, An, Cn, eAn, Ec


def _exact_pieces(deep: DeepReLU, lo: float, hi: float, kind: str) -> Pieces:
    """Breakpoint propagation in exact integer arithmetic on the network's dyadic weights.

    Slopes and intercepts of every unit on every segment are integers times a power of two (one exponent
    per layer), breakpoints are fractions of two integers, so every sign, order and slope comparison is
    exact.  Layers with more than :data:`EXACT_CHUNK` segments are split and followed depth first, so the
    integers of at most a few chunks are held at once; the result keeps only floats.
    """
    ints = [_int_layer(W, b) for W, b in deep.layers]
    W0, eW0, b0, eb0 = ints[0]
    (plo, qlo), (phi, qhi) = float(lo).as_integer_ratio(), float(hi).as_integer_ratio()
    P = np.array([plo, phi], dtype=object)
    Q = np.array([qlo, qhi], dtype=object)
    A0, C0 = W0[:, 0][None, :].copy(), b0[None, :].copy()
    E0 = min(eW0, eb0)
    V0 = _shift(A0, eW0 - E0) * P[:, None] + _shift(C0, eb0 - E0) * Q[:, None]
    state = (P, Q, V0, E0, A0, C0, eW0, eb0)
    edges, slopes, inters, keep = [], [], [], []
    prev = None  # exact slope of the last emitted segment
    stack = [(state, 0)]
    n_steps = len(ints) - 1
    while stack:
        state, i = stack.pop()
        while i < n_steps:
            state = _exact_step(state, *ints[i + 1], values=i + 1 < n_steps)
            i += 1
            K = state[4].shape[0]
            if K > EXACT_CHUNK and i < n_steps:
                P, Q, V, eV, A, C, eA, eC = state
                n = EXACT_CHUNK
                parts = [((P[s:s + n + 1], Q[s:s + n + 1], V[s:s + n + 1], eV, A[s:s + n], C[s:s + n], eA, eC), i)
                         for s in range(0, K, n)]
                stack.extend(parts[::-1])
                state = None
                break
        if state is None:
            continue
        P, Q, _, _, A, C, eA, eC = state
        if kind == "activation":
            change = np.ones(A.shape[0], dtype=bool)
        else:
            change = np.concatenate(([True], np.any(A[1:] != A[:-1], axis=1).astype(bool)))
        if prev is not None:
            change[0] = kind == "activation" or bool(np.any(A[0] != prev))
        prev = A[-1].copy()
        x = (P / Q).astype(float)
        edges.append(x[:-1])
        slopes.append(_to_float(A, eA))
        inters.append(_to_float(C, eC))
        keep.append(change)
    edges.append(np.array([float(hi)]))
    X = np.concatenate(edges)
    S = np.concatenate(slopes)
    I = np.concatenate(inters)
    start = np.flatnonzero(np.concatenate(keep))
    return Pieces(np.concatenate((X[start], [X[-1]])), S[start], I[start])


def _bits(a):
    """(lowest set bit, highest set bit) exponents of each float; zeros give (+big, -big)."""
    a = np.asarray(a, dtype=float)
    mant, ex = np.frexp(a)
    m = (mant * 2.0**53).astype(np.int64)
    low_in = np.frexp((m & -m).astype(float))[1] - 1  # exponent of the lowest set bit of the significand
    nz = m != 0
    low = np.where(nz, ex - 53 + low_in, 10**6)
    high = np.where(nz, ex - 1, -(10**6))
    return low, high


def _row_bits(M, bits=None, keep=None):
    """Per row: the lowest set bit over the row and the widest significand (high - low + 1) in it.

    ``bits``: ``_bits(M)`` when already known; ``keep``: a mask of the entries to count (the others
    count as zeros), which gives the row bits of ``np.where(keep, M, 0)`` from those of ``M``."""
    low, high = _bits(M) if bits is None else bits
    span = np.where(high > -(10**6), high - low + 1, 0)
    if keep is not None:
        low, span = np.where(keep, low, 10**6), np.where(keep, span, 0)
    return low.min(axis=-1, initial=10**6), span.max(axis=-1, initial=0)


def _sum_exact(low, mag):
    """A sum of multiples of 2**low whose absolute terms add up to ``mag`` is computed without rounding."""
    with np.errstate(divide="ignore"):
        top = np.floor(np.log2(mag))
    return (mag == 0) | ((top + 1 - low <= 53) & (low >= -1074))


def _matvec_exact(Wn, bn, H, H_exact, mag, H_bits=None, W_bits=None):
    """Which entries of ``H @ Wn.T + bn`` floating point computes exactly (every product and partial sum
    representable); ``H_bits``, ``W_bits``: ``_row_bits(H)``, ``_row_bits(Wn)`` when already known."""
    lowW, spanW = _row_bits(Wn) if W_bits is None else W_bits
    lowb, _ = _bits(bn)
    lowH, spanH = _row_bits(H) if H_bits is None else H_bits
    low = np.minimum(lowH[:, None] + lowW[None, :], lowb[None, :])
    ok = (spanH[:, None] + spanW[None, :] <= 53) & _sum_exact(low, mag)
    return ok & np.all(H_exact, axis=1)[:, None]


def _slopes_exact(Wn, A, A_exact, mag, W_bits=None):
    """Which entries of ``(mask * A) @ Wn.T`` are exact for every mask (no bias term)."""
    lowW, spanW = _row_bits(Wn) if W_bits is None else W_bits
    lowA, spanA = _row_bits(A)
    ok = (spanA[:, None] + spanW[None, :] <= 53) & _sum_exact(lowA[:, None] + lowW[None, :], mag)
    return ok & np.all(A_exact, axis=1)[:, None]


def _product_exact(a, b):
    """Whether the float product ``a * b`` is exact (Dekker's error-free product, vectorised)."""
    def split(v):
        c = 134217729.0 * v
        hi = c - (c - v)
        return hi, v - hi

    with np.errstate(over="ignore", invalid="ignore"):
        p = a * b
        ah, al = split(a)
        bh, bl = split(b)
        err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return (err == 0) & np.isfinite(p) & ((p != 0) | (a == 0) | (b == 0))


def _twosum_exact(a, b, s):
    """Whether the float sum ``s = a + b`` is exact (Knuth's error-free sum, vectorised)."""
    with np.errstate(over="ignore", invalid="ignore"):
        bb = s - a
        err = (a - (s - bb)) + (b - bb)
    return (err == 0) & np.isfinite(s)


def _segmented_cumsum(base, delta, parent, rank, n_parents, counts=None):
    """Running sums ``base[parent] + delta[first] + ... + delta[this]`` along each parent's roots (rank order).

    ``parent`` is sorted; ``counts``: its ``np.bincount`` when already known."""
    out = np.empty_like(delta)
    if len(delta) == 0:
        return out
    if counts is None:
        counts = np.bincount(parent, minlength=n_parents)
    if counts.max() == 1:  # one root per parent (the sawtooth): the step below, once
        # a root in every parent: parent is 0, 1, ..., n_parents - 1
        return (base if len(parent) == n_parents else base[parent]) + delta
    if counts.max() <= 64:  # many parents, few roots each: one vectorised step per rank
        prev = base.copy()
        for k in range(int(counts.max())):
            rows = np.flatnonzero(rank == k)
            prev[parent[rows]] = prev[parent[rows]] + delta[rows]
            out[rows] = prev[parent[rows]]
        return out
    starts = np.concatenate(([0], np.cumsum(counts)))
    for p in np.flatnonzero(counts):
        sl = slice(starts[p], starts[p + 1])
        out[sl] = base[p] + np.cumsum(delta[sl], axis=0)
    return out


_NO_BITS = (10**6, -(10**6))  # the (lowest, highest) bits of an array of zeros, as in _bits


def _grid(a):
    """``(g, h)``: every entry of ``a`` is an integer multiple of ``2**g`` (the lowest bit set in any of them)
    and ``|a| < 2**h``, with ``h - g <= 53``; ``(+big, -big)`` when ``a`` is all zeros.  ``None`` when the entries
    do not fit one such grid (or one is not finite, or the scaling below would leave float64's range).

    A whole-array test in a few passes: scaled by ``2**(53 - h)`` (exact: a power of two, no overflow), the
    entries are integers exactly when they lie on the grid ``2**(h - 53)``; then the lowest set bit of their
    bitwise or (two's complement keeps the trailing zeros of a negative number) is the lowest of them all."""
    if not a.size:
        return _NO_BITS
    top, bottom = float(np.maximum.reduce(a, axis=None)), float(np.minimum.reduce(a, axis=None))
    if not (-math.inf < bottom and top < math.inf):  # an infinity or a NaN
        return None
    amax = max(top, -bottom)
    if amax == 0:
        return _NO_BITS
    h = math.frexp(amax)[1]  # 2**(h - 1) <= amax < 2**h
    if not -970 <= h <= 53:  # 2**(53 - h) must be a float, and the scaling must not round (h - 53 <= 0)
        return None
    s = a * 2.0 ** (53 - h)
    n = s.astype(np.int64)  # |s| < 2**53: exact where s is an integer
    if not (n == s).all():
        return None
    low = int(np.bitwise_or.reduce(n, axis=None))
    return h - 53 + (low & -low).bit_length() - 1, h


def _fits(top: int, low: int) -> bool:
    """Whether every multiple of ``2**low`` below ``2**top`` in absolute value is a float, with one bit to spare.

    The spare bit lets a computed sum of absolute values (rounded up by at most a factor ``1 + (m + 2) u``)
    pass the tests of :func:`_sum_exact` too; ``top <= 960`` keeps Dekker's splitting in
    :func:`_product_exact` from overflowing."""
    return top + 1 - low <= 53 and low >= -1074 and top <= 960


def _layer_exact(grid_Z, A, t, Wn, bn) -> bool:
    """Whether one layer of :func:`_fast_pieces` is computed without rounding: a certificate from whole-array grids.

    ``grid_Z`` is :func:`_grid` of the layer's values ``Z`` at the edges; ``A`` are its slopes, ``t`` the
    root positions, ``Wn`` and ``bn`` the next weights and biases.  With ``Z`` on the grid ``2**gZ`` below
    ``2**hZ`` (and so on) every quantity the layer computes is, exactly, a multiple of a known power of two
    below a known bound (``|Z @ W.T| < m 2**(hZ + hW) <= 2**zw``, ``|D| < 2**(hZ + 1)``, ``|t Q| < 2**(ht + zw
    + 1)``, ...), so each is a float and each floating-point operation is exact.  Every per-entry test of the
    general path then passes as well (each row's bits lie inside the array's, each row's magnitude below the
    array's bound, and the error-free transformations find no error), so the certificate changes no result:
    it only skips those tests.  The caller still checks ``t * den == ZL`` (each root is a float)."""
    grids = [grid_Z]
    for a in (Wn, bn, A, t):  # the small arrays first
        grids.append(_grid(a))
        if grids[-1] is None:
            return False
    (gZ, hZ), (gW, hW), (gb, hb), (gA, hA), (gt, ht) = grids
    cm = (Wn.shape[1] - 1).bit_length()  # Z has m = Wn.shape[1] columns, m <= 2**cm
    zw = hZ + hW + cm
    return (_fits(max(zw, hb) + 1, min(gZ + gW, gb))  # H @ W.T + b at the old edges (and P, the masked Z @ W.T)
            and _fits(hZ + 1, gZ)  # D = Z[1:] - Z[:-1] and the denominators ZL - ZR
            and _fits(zw + 1, gZ + gW)  # Q, running sums of D @ W.T
            and _fits(ht + hZ + 1, gt + gZ)  # t * (ZL - ZR)
            and _fits(max(max(0, ht + 1) + zw + 1, hb) + 1, min(min(0, gt) + gZ + gW, gb))  # P + t Q + b at the roots
            and _fits(hA + hW + cm, gA + gW))  # the slopes (masked A) @ W.T


def _fast_pieces(deep: DeepReLU, lo: float, hi: float):
    """Certified floating-point breakpoint propagation.

    Returns ``(edges, Y, S, ES, undecided, work)``: the edges, the output at the edges, the output slopes
    on the segments with error bounds, the x-positions where a sign or an order could not be decided, and
    the work the exact path would do (segments times the sizes of each weight matrix, summed over layers).
    Values are carried at the edges (not as intercepts), so nothing cancels far from the origin.

    While every value and slope is exact (dyadic networks such as the sawtooth), a layer whose whole
    arrays fit the grids of :func:`_layer_exact` skips the per-entry exactness tests and error bounds:
    the results are the same, every error bound zero.
    """
    layers = deep.layers
    # exact values at the two ends lo and hi, layer by layer; None where the floats Z[0], Z[-1] are exact
    first = (_dyadic(layers[0][0]), _dyadic(layers[0][1]))
    ends = [_exact_layer_values(_dyadic(np.array([x])), first, relu=False) for x in (lo, hi)]
    W0 = layers[0][0]
    X = np.array([lo, hi])
    Z, EZ = (np.array(v) for v in zip(*(_rounded(e) for e in ends)))
    A = W0[:, 0][None, :].copy()  # exact: the slope of the first pre-activations is the weight column
    EA = np.zeros_like(A)
    exact = not EZ.any()  # every error bound (EZ and EA) is zero
    undecided = []
    work = 0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # non-finite values fail the tests
        for i in range(len(layers) - 1):
            Wn, bn = layers[i + 1]
            m = Z.shape[1]
            S = len(X) - 1
            grid_Z = _grid(Z) if exact else None
            if grid_Z is None:  # (else every value is exact and finite: no sign in doubt)
                # a value within its error bound of zero: its sign is undecided
                bad = ~((np.abs(Z) > EZ) | ((Z == 0) & (EZ == 0)))
                if bad.any():
                    undecided.extend(X[np.any(bad, axis=1)].tolist())
            # the sign of each value: that of Z (where undecided too; a NaN counts as zero)
            pos, neg = Z > 0, Z < 0
            root = (pos[:-1] & neg[1:]) | (neg[:-1] & pos[1:])
            mask0 = pos[:-1] | (~neg[:-1] & pos[1:])  # the state on the segment, next to its left edge
            seg, unit = np.nonzero(root)
            ZL, ZR = Z[seg, unit], Z[seg + 1, unit]
            den = ZL - ZR
            t = ZL / den
            multi = bool(np.any(seg[1:] == seg[:-1]))  # a segment with two roots
            if multi:  # order them (nonzero gives seg order)
                order = np.lexsort((t, seg))
                seg, unit, t, ZL, ZR, den = (v[order] for v in (seg, unit, t, ZL, ZR, den))
            certified = (grid_Z is not None
                         and _layer_exact(grid_Z, A, t, Wn, bn)
                         and bool(np.all(t * den == ZL)))
            t_ok = None  # certified: every root computed without rounding
            if multi or not certified:
                eL, eR = EZ[seg, unit], EZ[seg + 1, unit]
                if not certified:
                    t_ok = ((eL == 0) & (eR == 0) & _twosum_exact(ZL, -ZR, den) & (t * den == ZL)
                            & _product_exact(t, den))
                room = np.abs(ZL) + np.abs(ZR) - eL - eR
                dt = np.minimum(np.where(room > 0, (eL + eR) / room, 1.0) + 4 * _U * t, 1.0)
            if multi:
                same = seg[1:] == seg[:-1]
                # two roots computed without rounding and equal coincide exactly: one breakpoint, both flips
                dup = same & (t[1:] == t[:-1])
                if t_ok is not None:
                    dup &= t_ok[1:] & t_ok[:-1]
                close = same & ~dup & (t[1:] - t[:-1] <= (dt[1:] + dt[:-1]) * (1 + 4 * _U))
                if close.any():
                    j = np.flatnonzero(close)
                    undecided.extend((X[seg[j]] + t[j] * (X[seg[j] + 1] - X[seg[j]])).tolist())
            else:
                dup = np.zeros(max(len(seg) - 1, 0), dtype=bool)
            counts, rank, last, gseg, gcounts, old_pos, root_pos, starts, n_new = _insert_roots(seg, dup, S)
            Xn = np.empty(n_new)
            Xn[old_pos] = X
            Xn[root_pos] = X[gseg] + t[last] * (X[gseg + 1] - X[gseg])
            # next pre-activations (or outputs) at the old edges: direct evaluation
            H = np.where(pos, Z, 0.0)
            Zn = np.empty((n_new, Wn.shape[0]))
            EZn = np.zeros(Zn.shape)  # (np.zeros: pages that stay zero cost nothing)
            Zn[old_pos] = H @ Wn.T + bn
            if not certified:
                absW = np.abs(Wn)
                magH = np.abs(H) @ absW.T + np.abs(bn)
                Z_bits = _bits(Z)  # once for Z: the row bits of H (its active entries) and of Z[:-1] follow
                W_bits = _row_bits(Wn)  # once per layer, for the three exactness checks below
                exact_H = _matvec_exact(Wn, bn, H, EZ == 0, magH, _row_bits(Z, Z_bits, pos), W_bits)
                if not exact_H.all():
                    g1 = (m + 2) * _U * 1.01
                    EZn[old_pos] = np.where(exact_H, 0.0, EZ @ absW.T + g1 * magH)
            # at the roots: z(t) = ZL + t D is affine on the parent; the mask changes one unit per root
            # the three running sums in one pass (each column is summed on its own, in the same order): of
            # the values P and the differences Q = D @ W.T at the left edge, and of the slopes
            D = Z[1:] - Z[:-1]
            base = np.empty((S, 3, Wn.shape[0]))
            for k, M in enumerate((Z[:-1], D, A)):
                np.matmul(mask0 * M, Wn.T, out=base[:, k])
            sigma = np.where(neg[seg, unit], 1.0, -1.0)[:, None]
            cols = Wn.T[unit]  # (R, m_next)
            # at the roots Z[seg, unit] = ZL and D[seg, unit] = ZR - ZL = -den (the same rounded difference)
            steps = (sigma * cols)[:, None, :] * np.stack((ZL, -den, A[seg, unit]), axis=1)[:, :, None]
            run = _segmented_cumsum(base, steps, seg, rank, S, counts)[last]
            P, Q, An_roots = run[:, 0], run[:, 1], run[:, 2]
            tt = t[last][:, None]
            Zn[root_pos] = (P + tt * Q) + bn  # this order: the exactness check below follows it
            K = int(counts.max(initial=0))
            g2 = (m + K + 6) * _U * 1.01
            if not certified and len(gseg):
                EZn[root_pos] = _root_bounds(Z, EZ, D, Wn, bn, absW, Z_bits, W_bits, P, Q, tt, dt[last],
                                             t_ok[last], gseg, Zn[root_pos], g2)
            # slopes on the new segments: segment starts[p] starts parent p, the others start at a root
            An = np.empty((n_new - 1, Wn.shape[0]))
            An[starts] = base[:, 2]
            An[root_pos] = An_roots
            EAn = np.zeros(An.shape)
            if not certified:
                magA = np.abs(A) @ absW.T
                exact_A = _slopes_exact(Wn, A, EA == 0, magA, W_bits)
                if not exact_A.all():
                    EAn = np.repeat(np.where(exact_A, 0.0, EA @ absW.T + g2 * magA), gcounts + 1, axis=0)
            # the two ends of the interval: exact values of every layer
            if certified:  # computed exactly already; as _rounded gives them (a zero is +0.0)
                Zn[[0, -1]] += 0.0
                ends = None
            else:
                if ends is None:  # this layer's values at the ends are exact floats
                    ends = [_dyadic(Z[0]), _dyadic(Z[-1])]
                layer = (_dyadic(Wn), _dyadic(bn))
                ends = [_exact_layer_values(e, layer) for e in ends]
                for row, e in zip((0, -1), ends):
                    Zn[row], EZn[row] = _rounded(e)
            work += S * m * Wn.shape[0] + len(gseg) * Wn.shape[0]  # what the exact path does at this layer
            exact = certified or not (EZn.any() or EAn.any())
            X, Z, EZ, A, EA = Xn, Zn, EZn, An, EAn
    return X, Z, A, EA, undecided, work


def _root_bounds(Z, EZ, D, Wn, bn, absW, Z_bits, W_bits, P, Q, tt, dtg, t_ok, gseg, Zr, g2):
    """Error bounds of the next layer's values ``Zr = (P + tt Q) + bn`` at the roots (one row per root, parent
    ``gseg``): zero where every step is certified exact, else the rounding bound of the interpolation."""
    U3, U4 = np.abs(D) @ absW.T, np.abs(Z[:-1]) @ absW.T
    par_ok = np.all((EZ[:-1] == 0) & (EZ[1:] == 0) & _twosum_exact(Z[1:], -Z[:-1], D), axis=1)
    lowW, spanW = W_bits
    lowZ, spanZ = _row_bits(Z[:-1], (Z_bits[0][:-1], Z_bits[1][:-1]))
    lowD, spanD = _row_bits(D)
    P_ok = (spanZ[:, None] + spanW[None, :] <= 53) & _sum_exact(lowZ[:, None] + lowW[None, :], U4)
    Q_ok = (spanD[:, None] + spanW[None, :] <= 53) & _sum_exact(lowD[:, None] + lowW[None, :], U3)
    tQ = tt * Q
    s1 = P + tQ
    ok = (t_ok & par_ok[gseg])[:, None] & P_ok[gseg] & Q_ok[gseg] & _product_exact(tt, Q)
    ok &= _twosum_exact(P, tQ, s1) & _twosum_exact(s1, np.broadcast_to(bn, s1.shape), Zr)
    if ok.all():
        return 0.0
    U1, U2 = EZ[:-1] @ absW.T, EZ[1:] @ absW.T
    return np.where(ok, 0.0, (1 - tt) * U1[gseg] + tt * U2[gseg] + dtg[:, None] * U3[gseg]
                    + (3 * _U + g2) * (U4[gseg] + tt * U3[gseg]) + g2 * np.abs(bn))


def _assemble(X, Y, S, keep, exact_count=None) -> Pieces:
    start = np.concatenate(([0], np.flatnonzero(keep) + 1))
    edges = np.concatenate(([X[0]], X[1:-1][keep], [X[-1]]))
    slopes = S[start]
    return Pieces(edges, slopes, Y[start] - slopes * X[start][:, None])


def affine_pieces(net, lo, hi, kind: str = "pieces", exact: bool = False) -> Pieces:
    """The affine pieces of a one-input network on ``[lo, hi]``, counted exactly.

    ``kind="pieces"`` merges neighbouring intervals on which the network has the
    same slope (the linear pieces of the function); ``kind="activation"`` keeps
    one interval per activation region.

    **Guarantee.**  The count (``len(edges) - 1``) is the exact count for the
    network whose weights are the given floating-point numbers (a float32 torch
    module: its float32 values), as rational arithmetic would give it.  The fast
    path (``exact=False``) carries every pre-activation *at the breakpoints*
    together with a rigorous bound on its rounding error, so each decision it
    takes (the sign of a unit at a breakpoint, the order of two kinks inside an
    interval, whether the output slope changes at a kink) is certified; at the
    two ends of the interval the values are computed exactly.  Where a decision
    is not certified (two kinks within rounding of each other, a unit within
    rounding of zero at a kink, two slopes equal up to rounding), the count is
    redone in exact arithmetic when that is affordable (at most
    :data:`EXACT_FALLBACK_BUDGET`) and :class:`UndecidedError`
    is raised otherwise.  Nothing depends on a tolerance, so the count is
    invariant under scaling the network.  ``exact=True`` skips the float pass
    and uses exact integer arithmetic on the weights' dyadic values throughout
    (breakpoints are exact fractions): slower than the float path, but a
    compositional network of depth 20 (2**20 pieces) takes about half a
    minute, with memory for one chunk of :data:`EXACT_CHUNK` segments plus
    the float result.

    The edges, slopes and intercepts are floats (the edges are accurate to
    rounding of their exact positions); only the count is certified.
    Memory: the values at the breakpoints of one layer at a time (breakpoints
    times width); a layer that puts many kinks into one interval (a wide
    shallow network) updates the next layer one unit per kink, so the product
    of breakpoints and width is never formed for it.
    """
    deep = _one_input(net)
    lo, hi = check_interval(lo, hi)
    kind = check_choice(kind, "kind", ("pieces", "activation"))
    if not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True or False, got {type(exact).__name__}")
    try:
        if exact:
            return _exact_result(deep, lo, hi, kind)
        X, Y, S, keep, undecided, work = _float_pass(deep, lo, hi, kind)
        if undecided and work <= EXACT_FALLBACK_BUDGET:
            return _exact_result(deep, lo, hi, kind)
    except OverflowError:  # exact values at the ends (Fractions) that no float can hold
        raise ValueError(f"lo and hi are too large for this network: its values on [{lo!r}, {hi!r}] "
                         "overflow float64") from None
    if undecided:
        guess = int(keep.sum()) + 1
        where = ", ".join(f"{v:.17g}" for v in sorted(set(undecided))[:3])
        raise UndecidedError(
            f"floating point cannot decide {len(undecided)} breakpoint(s) of this network on [{lo!r}, {hi!r}] "
            f"(first near x = {where}; estimate {guess} {kind}), and exact arithmetic (work about {work:.3g} "
            f"segment-weights) is above the automatic budget {EXACT_FALLBACK_BUDGET:.3g}; pass exact=True to count "
            f"in exact arithmetic", estimate=guess, x=sorted(set(undecided)))
    return _assemble(X, Y, S, keep)


def _float_pass(deep, lo, hi, kind):
    """The certified float pass: ``(X, Y, S, keep, undecided)``; ``undecided`` lists the x it could not decide."""
    X, Y, S, ES, undecided, work = _fast_pieces(deep, lo, hi)
    if kind == "activation":
        keep = np.ones(len(X) - 2, dtype=bool)
    elif not ES.any():  # every slope computed without rounding: the test below reduces to dS != 0
        keep = np.any(S[1:] - S[:-1] != 0, axis=1)
    else:
        dS = np.abs(S[1:] - S[:-1])
        bound = (ES[1:] + ES[:-1]) * (1 + 4 * _U) + 2 * _U * (np.abs(S[1:]) + np.abs(S[:-1]))
        exact = (ES[1:] == 0) & (ES[:-1] == 0)  # both slopes computed without rounding
        keep = np.any((dS > bound) | (exact & (dS != 0)), axis=1)
        same = np.all(exact & (dS == 0), axis=1)
        if not np.all(keep | same):
            undecided.extend(X[1:-1][~(keep | same)].tolist())
    return X, Y, S, keep, undecided, work


def decided_in_float(net, lo, hi, kind: str = "pieces") -> bool:
    """Whether the float pass of :func:`affine_pieces` certifies the count on ``[lo, hi]`` by itself.

    ``False`` means floating point could not decide some breakpoint and the count needs exact
    arithmetic (which :func:`count_linear_regions` then uses, within :data:`EXACT_FALLBACK_BUDGET`).
    """
    deep = _one_input(net)
    lo, hi = check_interval(lo, hi)
    kind = check_choice(kind, "kind", ("pieces", "activation"))
    return not _float_pass(deep, lo, hi, kind)[4]


def _exact_result(deep, lo, hi, kind) -> Pieces:
    return _exact_pieces(deep, lo, hi, kind)


def _fraction_result(deep, lo, hi, kind) -> Pieces:
    edges, S, I = _fraction_pieces(deep, lo, hi, kind)
    to_float = np.vectorize(float, otypes=[float])
    return Pieces(to_float(np.array(edges, dtype=object)), to_float(np.array(S, dtype=object)),
                  to_float(np.array(I, dtype=object)))


def linear_pieces(net, lo, hi, exact: bool = False) -> np.ndarray:
    """Sorted breakpoints (kinks) of the function ``net`` strictly inside ``(lo, hi)``.

    The number of linear pieces on ``[lo, hi]`` is ``len(linear_pieces(...)) + 1``
    (exact, see :func:`affine_pieces`; the positions are floats).
    Raises ``ValueError`` for a network with more than one input, ``lo >= hi``
    or non-finite ends.
    """
    return affine_pieces(net, lo, hi, kind="pieces", exact=exact).edges[1:-1].copy()


def count_linear_regions(net, lo, hi, kind: str = "pieces", exact: bool = False) -> int:
    """Number of linear pieces (``kind="pieces"``) or activation regions (``kind="activation"``) on ``[lo, hi]``.

    Exact for the network's floating-point weights, with no tolerance: the fast
    path certifies every decision with rounding-error bounds and falls back to
    rational arithmetic (or raises :class:`UndecidedError`) where it cannot
    (see :func:`affine_pieces`); ``exact=True`` counts in rational arithmetic.
    A piece is a maximal interval on which the function is affine; an
    activation region a maximal interval on which every neuron keeps its on/off
    state.  Pieces never outnumber activation regions.
    """
    return affine_pieces(net, lo, hi, kind=kind, exact=exact).count


def _slopes_and_patterns(deep: DeepReLU, x: np.ndarray):
    """Exact slope and activation pattern at each point of ``x`` (forward-mode)."""
    H = x[:, None]
    D = np.ones_like(H)
    pats = []
    for W, b in deep.layers[:-1]:
        with np.errstate(over="ignore", invalid="ignore"):
            Z = H @ W.T + b
        if not np.all(np.isfinite(Z)):
            raise ValueError("lo and hi are too large for this network: its pre-activations overflow float64")
        m = Z > 0
        pats.append(m)
        H = np.where(m, Z, 0.0)
        D = np.where(m, D @ W.T, 0.0)
    W, _ = deep.layers[-1]
    return D @ W.T, np.concatenate(pats, axis=1)


def grid_count(net, lo, hi, n: int, kind: str = "pieces", chunk: int = 1 << 18, offset: float = 0.381966) -> int:
    """Brute-force count on ``n`` grid points of ``[lo, hi]`` (the naive way).

    The points are ``lo + (i + offset) (hi - lo) / n``; the default offset (not a
    simple fraction) keeps grid points off dyadic and other simple kinks.

    Counts changes of the exact slope (``kind="pieces"``) or of the activation
    pattern (``kind="activation"``) between consecutive grid points.  It agrees
    with :func:`count_linear_regions` when every region contains a grid point
    and no two breakpoints share a grid cell.
    """
    deep = _one_input(net)
    lo, hi = check_interval(lo, hi)
    n = check_int(n, "n", minimum=2)
    kind = check_choice(kind, "kind", ("pieces", "activation"))
    chunk = check_int(chunk, "chunk", minimum=2)
    offset = check_real(offset, "offset", low=0.0, high=1.0, open_interval=True)
    work = float(n) * (deep.n_neurons + 1) * max(1, deep.depth)
    if work > GRID_WORK_LIMIT:
        raise ValueError(
            f"grid_count would evaluate n x units = {work:.3g} unit values, more than the limit "
            f"{GRID_WORK_LIMIT:.0e}; use a smaller n or count_linear_regions (exact, no grid)"
        )
    # bounded memory: a chunk holds (points, units) slopes and patterns
    chunk = min(chunk, max(2, CHUNK_BYTES // (32 * (deep.n_neurons + 1))))
    count, prev = 1, None
    h = (hi - lo) / n
    for start in range(0, n, chunk):
        x = lo + (np.arange(start, min(n, start + chunk)) + offset) * h
        S, P = _slopes_and_patterns(deep, x)
        V = P if kind == "activation" else S
        if prev is not None:
            V = np.concatenate((prev, V))
        if kind == "activation":
            diff = np.any(V[1:] != V[:-1], axis=1)
        else:
            scale = max(1.0, float(np.abs(V).max()))
            diff = np.any(np.abs(V[1:] - V[:-1]) > 1e-9 * scale, axis=1)
        count += int(diff.sum())
        prev = V[-1:]
    return count


def region_upper_bound(widths) -> int:
    """``prod(n_l + 1)``: the most regions a one-input network with these hidden widths can have."""
    widths = [check_int(w, "widths", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    out = 1
    for w in widths:
        out *= w + 1
    return out


def montufar_lower_bound(n: int, L: int) -> int:
    """Montufar et al.'s lower bound ``n^(L-1) (n+1)`` for one input, width ``n``, ``L`` hidden layers."""
    n = check_int(n, "n", minimum=1)
    L = check_int(L, "L", minimum=1)
    bits = (L - 1) * n.bit_length() + (n + 1).bit_length()
    if bits > 1 << 20:
        raise ValueError(
            f"L must be at most {(1 << 20) // max(1, n.bit_length()) + 1} for n = {n}: "
            f"n^(L-1) (n+1) would have about {bits} bits, got L = {L}"
        )
    return n ** (L - 1) * (n + 1)


def activation_pattern_ids(net, X) -> np.ndarray:
    """An integer id per point of ``X`` (shape ``(N, d)``): equal ids mean equal activation patterns."""
    deep = as_deep(net)
    X = as_points(X, "X", deep.input_dim)
    units = max(1, deep.n_neurons)
    nbytes = (units + 7) // 8
    check_budget(float(X.shape[0]) * (nbytes + 16), f"the packed activation patterns of the {X.shape[0]} points X")
    packed = np.empty((X.shape[0], nbytes), dtype=np.uint8)
    step = max(1, CHUNK_BYTES // (8 * units))
    for start in range(0, X.shape[0], step):
        rows = slice(start, min(X.shape[0], start + step))
        H, bits = X[rows], []
        for W, b in deep.layers[:-1]:
            with np.errstate(over="ignore", invalid="ignore"):
                Z = H @ W.T + b
            if not np.all(np.isfinite(Z)):
                raise ValueError("X is too large for this network: its pre-activations overflow float64")
            bits.append(Z > 0)
            H = np.maximum(Z, 0.0)
        pat = np.concatenate(bits, axis=1) if bits else np.zeros((H.shape[0], 1), bool)
        packed[rows] = np.packbits(pat, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, nbytes))).reshape(-1)
    _, ids = np.unique(keys, return_inverse=True)
    return ids.reshape(-1)


def draw_activation_regions(ax, net, lo: float = -1.0, hi: float = 1.0, n: int = 300, seed: int = 0) -> int:
    """Colour the square ``[lo, hi]^2`` by activation pattern of a two-input network.

    Regions get shuffled shades of the colour-blind-safe ``cividis`` map and
    their boundaries are drawn in black, so neighbouring regions stay apart in
    grey-scale too.  Returns the number of patterns seen on the grid.
    """
    deep = as_deep(net)
    if deep.input_dim != 2:
        raise ValueError(f"net must have two inputs to draw a region map, got {deep.input_dim}")
    lo, hi = check_interval(lo, hi)
    n = check_int(n, "n", minimum=10)
    t = lo + (np.arange(n) + 0.5) * ((hi - lo) / n)  # cell centres: no point on the lines x = lo, hi (measure zero)
    XX, YY = np.meshgrid(t, t)
    ids = activation_pattern_ids(deep, np.column_stack((XX.ravel(), YY.ravel()))).reshape(n, n)
    k = int(ids.max()) + 1
    shade = generator(seed).permutation(k) / max(k - 1, 1)
    ax.imshow(shade[ids], origin="lower", extent=(lo, hi, lo, hi), cmap="cividis", vmin=0, vmax=1,
              interpolation="nearest")
    edge = np.zeros((n, n), dtype=bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    ax.imshow(np.ma.masked_where(~edge, edge.astype(float)), origin="lower", extent=(lo, hi, lo, hi),
              cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return k


# -- constructions and experiments -------------------------------------------------------
class _one_thread:
    """Run small batched torch programs on one thread (much faster on a shared CPU), then restore."""

    def __enter__(self):
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.threads)
        return False


def montufar_network(n: int, L: int) -> DeepReLU:
    """Montufar et al.'s construction for one input: ``L - 1`` zig-zag layers of width ``n``, then ``n`` knots.

    Each zig-zag layer folds ``[0, 1]`` onto itself ``n`` times
    (``z = R(n x) - 2R(n x - 1) + 2R(n x - 2) - ...``), so ``L - 1`` of them make
    ``n^(L-1)`` monotone pieces; the last hidden layer puts ``n`` knots at
    ``z = (j + 1/2) / n`` into each.  On ``[0, 1]`` the network has exactly
    ``n^(L-1) (n + 1)`` activation regions; its linear pieces are fewer, because
    the flat stretches on both sides of each valley of ``z`` merge.
    """
    n = check_int(n, "n", minimum=1)
    L = check_int(L, "L", minimum=1)
    j = np.arange(n)
    c = np.where(j == 0, 1.0, 2.0 * (-1.0) ** j)  # zig-zag output weights
    fold_b = -j.astype(float)
    layers = [(np.full((n, 1), float(n)), fold_b)]
    knots = -(j + 0.5)  # R(n z - j - 1/2)
    for _ in range(L - 2):
        layers.append((n * np.outer(np.ones(n), c), fold_b))
    if L > 1:
        layers.append((n * np.outer(np.ones(n), c), knots))
    else:
        layers = [(np.full((n, 1), float(n)), knots)]
    out = 1.0 + np.arange(n)  # distinct non-zero slope changes
    layers.append((out[None, :] * (-1.0) ** j[None, :], np.zeros(1)))
    return DeepReLU(layers)


def random_deep(widths, rng=None, bias_std: float = 0.3, n_in: int = 1) -> DeepReLU:
    """A random network with He-normal weights and ``N(0, bias_std^2)`` biases, one output."""
    widths = [check_int(w, "widths[i]", minimum=1) for w in widths]
    bias_std = check_real(bias_std, "bias_std", nonnegative=True)
    n_in = check_int(n_in, "n_in", minimum=1)
    rng = generator(rng)  # None: the generator rb.seed set
    sizes = [n_in, *widths, 1]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append((rng.normal(size=(b, a)) * np.sqrt(2.0 / a), rng.normal(size=b) * bias_std))
    return DeepReLU(layers)


def budget_widths(budget: int, depth: int) -> list[int]:
    """``depth`` equal hidden widths with ``budget`` neurons in total (``budget`` divisible by ``depth``)."""
    budget = check_int(budget, "budget", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    if budget % depth:
        raise ValueError(f"budget={budget} is not divisible by depth={depth}")
    return [budget // depth] * depth


@memoised
def init_region_counts(budget: int, depths, n_nets: int, rng=None, lo=-1.0, hi=1.0, bias_std: float = 0.3):
    """Activation regions on ``[lo, hi]`` of ``n_nets`` random networks per depth, ``budget`` neurons each.

    Returns ``{depth: array of counts}`` (the Hanin-Rolnick experiment; memoised under
    ``RELUBOOK_MEMO``, :mod:`relubook.memo`).
    """
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    rng = generator(rng)  # None: the generator rb.seed set
    out = {}
    for d in depths:
        widths = budget_widths(budget, d)
        out[d] = np.array(
            [count_linear_regions(random_deep(widths, rng, bias_std), lo, hi, "activation") for _ in range(n_nets)]
        )
    return out


def train_region_counts(budget: int, depths, n_nets: int, target, steps: int = 300, lr: float = 3e-3,
                        n_points: int = 128, lo=-1.0, hi=1.0, seed: int = 0):
    """Train ``n_nets`` networks per depth (one batched tensor program per depth) on ``target`` and count regions.

    Full-batch Adam on ``n_points`` equispaced points of ``[lo, hi]``, He-normal
    initialisation.  Returns ``{depth: (counts_before, counts_after, final_mse)}``.
    """
    import torch

    from .device import device

    if not callable(target):
        raise TypeError(f"target must be a function of a numpy array, got {type(target).__name__}")
    steps = check_int(steps, "steps", minimum=1)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    lr = check_real(lr, "lr", positive=True)
    lo, hi = check_interval(lo, hi)
    dev = device()
    gen = torch.Generator().manual_seed(shifted(seed))
    x_np = np.linspace(lo, hi, check_int(n_points, "n_points", minimum=2))
    x = torch.as_tensor(x_np, dtype=torch.float64, device=dev)[None, :, None].expand(n_nets, -1, -1)
    y = torch.as_tensor(np.asarray(target(x_np), dtype=float), dtype=torch.float64, device=dev)[None, :, None]
    out = {}
    for d in depths:
        sizes = [1, *budget_widths(budget, d), 1]
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            W = torch.randn(n_nets, a, b, generator=gen, dtype=torch.float64) * np.sqrt(2.0 / a)
            bb = torch.randn(n_nets, 1, b, generator=gen, dtype=torch.float64) * 0.3
            params += [W.to(dev).requires_grad_(), bb.to(dev).requires_grad_()]

        def nets():
            return [DeepReLU([(params[2 * i][e].detach().cpu().numpy().T, params[2 * i + 1][e, 0].detach().cpu().numpy())
                              for i in range(len(sizes) - 1)]) for e in range(n_nets)]

        before = np.array([count_linear_regions(net, lo, hi, "activation") for net in nets()])
        opt = torch.optim.Adam(params, lr=lr)
        with _one_thread():
            for _ in range(steps):
                h = x
                for i in range(len(sizes) - 1):
                    h = torch.baddbmm(params[2 * i + 1], h, params[2 * i])
                    if i < len(sizes) - 2:
                        h = torch.relu(h)
                loss_each = ((h - y) ** 2).mean(dim=(1, 2))
                opt.zero_grad()
                loss_each.sum().backward()
                opt.step()
        after = np.array([count_linear_regions(net, lo, hi, "activation") for net in nets()])
        out[d] = (before, after, loss_each.detach().cpu().numpy())
    return out
