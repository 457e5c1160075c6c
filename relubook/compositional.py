"""Compositional networks (Milkert, Hyde, Laine): asymmetric triangles and their waves.

A *triangle map* with peak ``a`` in (0, 1) sends [0, 1] onto [0, 1]:
``T_a(x) = x / a`` on [0, a] and ``(1 - x) / (1 - a)`` on [a, 1].  Composing
them gives the *waves* ``W_i = T_{a_i} o ... o T_{a_0}``, and the network output
is ``F(x) = x + sum_i s_i W_i(x)``.

This module builds that function as a width-4 :class:`~relubook.nets.DeepReLU`
(neurons: accumulator, shifted copy, bend, decaying constant), gives the scales tied
to the peaks by the differentiability condition
``s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}``, and computes the exact piecewise-linear
structure (knots, slopes, derivative jumps) by splitting pieces, not by
sampling.  Formulas: ``/work/shared/reference/math.md`` section 2; where each
one comes from (source or reconstruction) is said in the chapters.
"""

from __future__ import annotations

import numpy as np

from .nets import DeepReLU, relu
from .validate import as_array, check_int, check_real

__all__ = [
    "triangle",
    "waves",
    "compositional_function",
    "differentiable_scales",
    "compositional_network",
    "wave_structure",
    "wave_peaks",
    "derivative_jumps",
    "peak_jump",
    "q_value",
    "second_difference_quotients",
    "tail_sup",
    "draw_waves",
    "draw_compositional",
    "draw_derivative",
    "draw_error_decay",
]

#: Depth above which the exact piece structure (2**depth pieces) gets too big to hold.
MAX_EXACT_DEPTH = 22


# -- argument checks -----------------------------------------------------------
def _peaks(peaks, name: str = "peaks") -> np.ndarray:
    try:
        scalar = np.ndim(peaks) == 0
    except (TypeError, ValueError):  # a ragged list: as_array says so, naming the argument
        scalar = False
    if scalar and not isinstance(peaks, (str, bytes)) and peaks is not None:
        raise TypeError(f"{name} must be a sequence of peak locations, got {type(peaks).__name__}")
    arr = as_array(peaks, name, ndim=1)
    if arr.size == 0:
        raise ValueError(f"{name} must contain at least one peak location")
    bad = (arr <= 0) | (arr >= 1)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must lie strictly inside (0, 1), found {arr[i]!r} at index {i}")
    return arr


def _scales(scales, d: int, name: str = "scales") -> np.ndarray:
    arr = as_array(scales, name, ndim=1)
    if arr.shape[0] != d:
        raise ValueError(f"{name} must have one entry per peak ({d}), got {arr.shape[0]}")
    return arr


# -- the functions ---------------------------------------------------------------
def triangle(x, a) -> np.ndarray:
    """The asymmetric triangle ``T_a`` on [0, 1], in its ReLU form ``R(x)/a - R(x-a)/(a(1-a))``."""
    a = check_real(a, "a", low=0.0, high=1.0, open_interval=True)
    x = as_array(x, "x")
    with np.errstate(over="ignore", invalid="ignore"):
        out = relu(x) / a - relu(x - a) / (a * (1 - a))
    if not np.all(np.isfinite(out)):
        raise ValueError(f"T_a(x) overflows a double for a={a} and these x; use a peak a farther from 0 and 1")
    return out


def waves(x, peaks) -> np.ndarray:
    """The waves ``W_0, ..., W_{d-1}`` at ``x``, shape ``(d,) + x.shape``."""
    peaks = _peaks(peaks)
    x = as_array(x, "x")
    out = np.empty((peaks.size,) + x.shape)
    w = x
    with np.errstate(over="ignore", invalid="ignore"):
        for i, a in enumerate(peaks):
            w = np.maximum(w, 0.0) / a - np.maximum(w - a, 0.0) / (a * (1 - a))
            if not np.all(np.isfinite(w)):
                raise ValueError("x is too large for these peaks: the waves overflow float64")
            out[i] = w
    return out


def compositional_function(x, peaks, scales) -> np.ndarray:
    """The formula ``x + sum_i s_i W_i(x)`` (what the network must compute)."""
    peaks = _peaks(peaks)
    scales = _scales(scales, peaks.size)
    x = as_array(x, "x")
    W = waves(x, peaks)
    with np.errstate(over="ignore", invalid="ignore"):
        out = x + np.tensordot(scales, W, axes=1)
    if not np.all(np.isfinite(out)):
        raise ValueError("x and scales are too large: x + sum_i s_i W_i(x) overflows float64")
    return out


def differentiable_scales(peaks, s0, next_peak: float = 0.5) -> np.ndarray:
    """Scales ``s_0, ..., s_{d-1}`` tied to the peaks by ``s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}``.

    The last scale ``s_{d-1}`` needs the peak ``a_d`` of a layer the network
    does not have; ``next_peak`` stands in for it (the book's choice, 1/2: how
    the source handles this factor was not recovered).
    """
    peaks = _peaks(peaks)
    s0 = check_real(s0, "s0")
    if s0 == 0:
        raise ValueError("s0 must be nonzero (a zero scale switches every later wave off)")
    next_peak = check_real(next_peak, "next_peak", low=0.0, high=1.0, open_interval=True)
    ext = np.append(peaks, next_peak)
    ratios = (1 - ext[1:-1]) * ext[2:]  # (1 - a_{i+1}) a_{i+2}, i = 0..d-2
    return s0 * np.concatenate([[1.0], np.cumprod(ratios)])


def compositional_network(peaks, s0, scales=None) -> DeepReLU:
    """A width-4 ReLU network of depth ``len(peaks)`` computing ``x + sum s_i W_i`` on [0, 1].

    Neurons per layer, in order: the accumulator (always active, carries
    ``B + x + sum_{j<i} s_j W_j``), the copy ``t1 = A (W + 1)`` (always active,
    at least ``A`` above zero), the bend ``t2 = A (W - a)`` and the constant
    ``c = A``, which feeds itself and so decays by the ratio of consecutive
    amplitudes ``A = |s|``; the next layer reads ``A W = t1 - c``.  The
    offset 1 in the copy keeps every unit but the bend away from zero by a
    margin, so the network with rounded float weights has exactly ``2**d``
    linear pieces (a copy ``A W`` would touch zero at the valleys of ``W``,
    and rounding would make it dip below zero there on tiny intervals).

    ``scales`` is the full list ``s_0, ..., s_{d-1}`` (its first entry must be
    ``s0``); without it the differentiable scales are used.  All scales must be
    nonzero.
    """
    peaks = _peaks(peaks)
    d = peaks.size
    s0 = check_real(s0, "s0")
    if scales is None:
        scales = differentiable_scales(peaks, s0)
        if s0 != 0 and np.any(scales == 0):
            raise ValueError(f"s0={s0} is too small: the differentiable scales underflow to zero")
    else:
        scales = _scales(scales, d)
        if scales[0] != s0:
            raise ValueError(f"scales[0] must equal s0 ({s0}), got {scales[0]}")
    if np.any(scales == 0):
        raise ValueError("scales must all be nonzero (the amplitude of every later wave is |s_i|)")
    amp = np.abs(scales)  # A_k = |s_{k-1}|
    sign = np.sign(scales)
    offset = float(np.sum(amp))  # B: keeps the accumulator positive on [0, 1]

    # the copy carries A (W + 1) >= A, not A W: a unit that only touched zero at the valleys of W would,
    # once the weights are rounded, dip below zero on intervals of width ~1e-16 and add kinks there
    layers = [(np.array([[1.0], [amp[0]], [amp[0]], [0.0]]), np.array([offset, amp[0], -amp[0] * peaks[0], amp[0]]))]
    for k in range(1, d):  # layer k -> k + 1 adds s_{k-1} W_{k-1}
        al = peaks[k - 1]
        rho = amp[k] / amp[k - 1]
        u, v = 1 / al, -1 / (al * (1 - al))  # T_al(W) = u W + v R(W - al) = (u (copy - c) + v bend) / A
        g = sign[k - 1]
        W = np.array(
            [
                [1.0, g * u, g * v, -g * u],
                [0.0, rho * u, rho * v, rho * (1 - u)],
                [0.0, rho * u, rho * v, -rho * (u + peaks[k])],
                [0.0, 0.0, 0.0, rho],
            ]
        )
        layers.append((W, np.zeros(4)))
    al, g = peaks[-1], sign[-1]
    u, v = 1 / al, -1 / (al * (1 - al))
    layers.append((np.array([[1.0, g * u, g * v, -g * u]]), np.array([-offset])))
    return DeepReLU(layers)


# -- exact structure ----------------------------------------------------------------
def wave_structure(peaks, scales):
    """Exact piecewise-linear structure of ``F = x + sum s_i W_i`` on [0, 1].

    Every piece of ``W_{i-1}`` runs monotonically between 0 and 1, so ``W_i``
    splits it once, where ``W_{i-1} = a_i``.  Returns a dict with the sorted
    ``knots`` (``2**d + 1`` of them, 0 and 1 included), the slopes ``dF`` of
    ``F`` and ``dW`` of ``W_{d-1}`` on the ``2**d`` pieces, and ``levels``:
    ``levels[i]`` holds the peaks of ``W_i`` (the points created at step ``i``),
    and ``stages[i]`` the slopes of ``F_{i+1}`` on the pieces of ``W_i``.
    """
    peaks = _peaks(peaks)
    d = peaks.size
    if d > MAX_EXACT_DEPTH:
        raise ValueError(f"peaks has {d} entries; the exact structure is limited to {MAX_EXACT_DEPTH} (2**d pieces)")
    scales = _scales(scales, d)
    knots = np.array([0.0, 1.0])
    dW = np.array([1.0])  # W_{-1} = x
    dF = np.array([1.0])
    levels, stages = [], []
    for a, s in zip(peaks, scales):
        u, v = knots[:-1], knots[1:]
        inc = dW > 0
        split = np.where(inc, u + a * (v - u), u + (1 - a) * (v - u))
        up, down = dW / a, -dW / (1 - a)
        left, right = np.where(inc, up, down), np.where(inc, down, up)
        new = np.empty(2 * u.size + 1)
        new[0:-1:2], new[1::2], new[-1] = u, split, 1.0
        knots = new
        dW = np.empty(2 * left.size)
        dW[0::2], dW[1::2] = left, right
        dF = np.repeat(dF, 2) + s * dW
        levels.append(split)
        stages.append(dF)
    return {"knots": knots, "dF": dF, "dW": dW, "levels": levels, "stages": stages}


def wave_peaks(peaks, level: int) -> np.ndarray:
    """Sorted peaks of ``W_level`` (where it equals 1); there are ``2**level`` of them."""
    peaks = _peaks(peaks)
    level = check_int(level, "level", minimum=0, maximum=peaks.size - 1)
    return wave_structure(peaks[: level + 1], np.ones(level + 1))["levels"][level]


def derivative_jumps(peaks, scales):
    """Interior knots of ``F`` and the jumps ``F'(x+) - F'(x-)`` there (exact, from the slopes)."""
    st = wave_structure(peaks, scales)
    return st["knots"][1:-1], np.diff(st["dF"])


def peak_jump(peaks, scales, level: int = 0) -> float:
    """Largest ``|F'(p+) - F'(p-)|`` over the peaks ``p`` of ``W_level``, for the depth-``d`` network."""
    peaks = _peaks(peaks)
    level = check_int(level, "level", minimum=0, maximum=peaks.size - 1)
    st = wave_structure(peaks, scales)
    idx = np.searchsorted(st["knots"], st["levels"][level])
    jumps = st["dF"][idx] - st["dF"][idx - 1]
    return float(np.max(np.abs(jumps)))


def q_value(peaks, scales, i: int = 0) -> float:
    """The truncated sum of equation (4): ``s_i - sum_{j>i} s_j prod_{k=i+2}^{j} (1/a_k) / (1 - a_{i+1})``."""
    peaks = _peaks(peaks)
    d = peaks.size
    scales = _scales(scales, d)
    i = check_int(i, "i", minimum=0, maximum=d - 2)
    prods = np.concatenate([[1.0], np.cumprod(1 / peaks[i + 2 :])])  # j = i+1 .. d-1
    return float(scales[i] - np.sum(scales[i + 1 :] * prods) / (1 - peaks[i + 1]))


def second_difference_quotients(peaks, scales):
    """One-sided quotients ``(F'(p) - F'(p_L)) / (p - p_L)`` and ``(F'(p_R) - F'(p)) / (p_R - p)`` at ``p = a_0``.

    ``p_L``, ``p_R`` are the peaks of ``W_j`` nearest to ``p`` on either side
    (``j = 1 .. d-1``); at a peak of ``W_j`` the limit function has the slope of
    ``F_j`` (Lemma A.2), and at ``p`` the slope 1 of ``F_0 = x``.  Returns two
    arrays of length ``d - 1``.
    """
    peaks = _peaks(peaks)
    if peaks.size < 2:
        raise ValueError("peaks needs at least two entries for a second difference")
    st = wave_structure(peaks, scales)
    p = peaks[0]
    left, right = [], []
    for j in range(1, peaks.size):
        pj = st["levels"][j]
        slopes_before = st["stages"][j - 1]  # slopes of F_j, on the pieces that step j splits
        iL = np.searchsorted(pj, p) - 1
        iR = iL + 1
        left.append((1.0 - slopes_before[iL]) / (p - pj[iL]))
        right.append((slopes_before[iR] - 1.0) / (pj[iR] - p))
    return np.array(left), np.array(right)


def tail_sup(peaks, scales, i: int) -> float:
    """``sup_[0,1] |F - F_i| = sup |sum_{j>=i} s_j W_j|`` for the depth-``d`` network, exactly (at the knots)."""
    peaks = _peaks(peaks)
    d = peaks.size
    scales = _scales(scales, d)
    i = check_int(i, "i", minimum=0, maximum=d - 1)
    x = wave_structure(peaks, scales)["knots"]
    return float(np.max(np.abs(np.tensordot(scales[i:], waves(x, peaks)[i:], axes=1))))


# -- drawing callbacks ------------------------------------------------------------
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _even_peaks(depth: int, peak: float) -> np.ndarray:
    depth = check_int(depth, "depth", minimum=1, maximum=12)
    peak = check_real(peak, "peak", low=0.0, high=1.0, open_interval=True)
    return np.full(depth, peak)


def draw_waves(ax, depth: int = 3, peak: float = 0.3):
    """Draw ``W_0, ..., W_{depth-1}`` for peaks all equal to ``peak``: the widget callback of chapter 12."""
    from .plotting import cycle, legend_below

    peaks = _even_peaks(depth, peak)
    # every kink of W_0, ..., W_{depth-2} is a kink of W_{depth-1}: its 2**depth + 1 knots draw every wave exactly
    x = wave_structure(peaks, np.zeros(depth))["knots"]
    W = waves(x, peaks)
    for i in range(depth):
        ax.plot(x, W[i], label=f"$W_{{{i}}}$", linewidth=1.2, **cycle(i))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("x")
    # plain text with a Unicode subscript: a mathtext title would be parsed again for every peak value
    ax.set_title(f"waves for peaks a = {peak:g}: W{str(depth - 1).translate(_SUBSCRIPT)} has {2**depth} pieces")
    legend_below(ax, ncol=min(depth, 4))
    return ax


def draw_compositional(ax, depth: int = 4, peak: float = 0.4, s0: float = -0.25):
    """Draw the network output ``F_d`` with the differentiable scales and mark its knots."""
    from .plotting import cycle, legend_below

    peaks = _even_peaks(depth, peak)
    s0 = check_real(s0, "s0")
    scales = differentiable_scales(peaks, s0)
    net = compositional_network(peaks, s0, scales)
    x = np.linspace(0, 1, 1001)
    knots = wave_structure(peaks, scales)["knots"]
    ax.plot(x, x, color="0.6", linestyle=":", linewidth=1, label="$y = x$")
    ax.plot(x, net(x), label=f"network, depth {depth}", **cycle(0))
    ax.plot(knots, net(knots), "o", markersize=3, color="black", label=f"{knots.size - 2} interior knots")
    ax.set_xlim(0, 1)
    ax.set_xlabel("x")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def draw_derivative(ax, depth: int = 6, peak: float = 0.35, s0: float = -0.25, ratio: float = 0.5):
    """Draw ``F'`` of the depth-``depth`` network with the tied scales and with ``s_i = s0 ratio**i``."""
    from .plotting import cycle, legend_below

    peaks = _even_peaks(depth, peak)
    s0 = check_real(s0, "s0")
    ratio = check_real(ratio, "ratio", positive=True)
    for k, (scales, name) in enumerate(
        [
            (differentiable_scales(peaks, s0) if s0 != 0 else np.zeros(depth), "condition holds"),
            (s0 * ratio ** np.arange(depth), f"$s_i = s_0 \\cdot {ratio:g}^i$"),
        ]
    ):
        st = wave_structure(peaks, scales)
        style = cycle(k)
        # the step function as one line (ax.stairs would compute its limits segment by segment in Python)
        ax.plot(np.repeat(st["knots"], 2)[1:-1], np.repeat(st["dF"], 2), label=name, color=style["color"],
                linestyle=style["linestyle"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("x")
    ax.set_ylabel("$F'(x)$")
    legend_below(ax)
    return ax


def draw_error_decay(ax, peaks, s0: float = -0.3, upto: int | None = None):
    """Plot ``sup |F - F_i|`` (measured at the knots) against ``|s_i|`` and the bound ``|s_0| 4^-floor(i/2)``."""
    from .plotting import cycle

    peaks = _peaks(peaks)
    scales = differentiable_scales(peaks, s0)
    upto = peaks.size - 1 if upto is None else check_int(upto, "upto", minimum=1, maximum=peaks.size - 1)
    i = np.arange(upto + 1)
    sup = np.array([tail_sup(peaks, scales, k) for k in i])
    ax.semilogy(i, sup, label=r"measured $\sup|F - F_i|$", **cycle(0))
    ax.semilogy(i, np.abs(scales[i]), label="$|s_i|$", color="black", linestyle="none", marker="x")
    ax.semilogy(i, abs(scales[0]) * 4.0 ** (-(i // 2)), label=r"$|s_0|\,4^{-\lfloor i/2\rfloor}$", **cycle(1))
    ax.set_xlabel("$i$ (waves kept in $F_i$)")
    ax.legend(loc="lower left", fontsize="small")
    return ax
