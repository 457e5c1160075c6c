"""Evidence for the errata page: the few pieces that no chapter's module already provides.

* :func:`lemma1_intervals` -- the level-``i`` intervals of Lemma 1 of Luo et al., as the paper
  prints them and as they must read (erratum E3);
* :func:`dependency_cycle` with :data:`PAPER_DEPENDENCIES` / :data:`BOOK_DEPENDENCIES` -- which
  result the proof of which rests on, and the circle in the paper's order (erratum E7);
* :func:`half_period_network` -- the sum of Lemma 2's half-period pieces over chosen ``k``, to show
  that ``k`` must run over the integers, not the natural numbers (erratum E8);
* :func:`sum_networks` -- the sum of one-input shallow networks as one shallow network;
* :func:`one_sided_sign_network` -- the compositional network with the sign of the scale on one
  entry of the accumulator row only, as the recovered notes print it (book erratum M1);
* :func:`relu_moments` -- exact second moments of ``relu(w . h)`` for discrete weights, the
  counterexample that shows why the moment recursion of chapter 2 needs symmetric weights.
"""

from __future__ import annotations

import math
from graphlib import CycleError, TopologicalSorter

import numpy as np

from .approximation import cosine_levels, dyadic_network
from .compositional import compositional_network
from .nets import DeepReLU, ShallowReLU
from .validate import as_sequence, check_bool, check_int, check_interval, check_real

__all__ = [
    "BOOK_DEPENDENCIES",
    "PAPER_DEPENDENCIES",
    "dependency_cycle",
    "half_period_network",
    "lemma1_intervals",
    "one_sided_sign_network",
    "relu_moments",
    "sum_networks",
]

#: what each proof of Luo et al. uses, as printed: Lemma 2 cites Corollary 3 for concave pieces
PAPER_DEPENDENCIES = {
    "Theorem 2": ["Lemma 4", "Lemma 5"],
    "Lemma 4": ["Theorem 1", "Lemma 3"],
    "Lemma 3": ["Lemma 2"],
    "Lemma 2": ["Lemma 1", "Corollary 3"],
    "Corollary 3": ["Theorem 2"],
    "Corollary 4": ["Lemma 1"],
    "Lemma 1": [],
    "Lemma 5": [],
    "Theorem 1": [],
}
#: the same with the book's correction: Lemma 2 uses Corollary 4 (the concave form of Lemma 1)
BOOK_DEPENDENCIES = {**PAPER_DEPENDENCIES, "Lemma 2": ["Lemma 1", "Corollary 4"]}


def dependency_cycle(dependencies) -> list[str] | None:
    """A circle of results whose proofs use each other, or ``None`` if the order is sound.

    ``dependencies`` maps each result to the results its proof uses.  The circle is returned as
    a list that starts and ends with the same result.
    """
    if not isinstance(dependencies, dict):
        raise TypeError(f"dependencies must be a dict, got {type(dependencies).__name__}")
    for key, used in dependencies.items():
        if isinstance(used, (str, bytes)) or not hasattr(used, "__iter__") or not all(isinstance(u, str) for u in used):
            raise TypeError(f"dependencies[{key!r}] must be a list of result names")
    try:
        tuple(TopologicalSorter(dependencies).static_order())
    except CycleError as exc:
        cycle = list(exc.args[1])
        return cycle[::-1]  # graphlib lists the circle against the direction of "uses"
    return None


def lemma1_intervals(a, b, level, printed=False) -> np.ndarray:
    """The ``2**(level-1)`` intervals on which Lemma 1's ``g_level`` is built, shape ``(m, 2)``.

    Corrected: ``[a + (j-1) H, a + j H]`` with ``H = (b-a) / 2**(level-1)``, which tile ``[a, b]``.
    ``printed=True`` gives the paper's ``[a + (j-1) H, a + (j-1) (b-a) / 2**level]`` (erratum E3).
    """
    a, b = check_interval(a, b, ("a", "b"))
    i = check_int(level, "level", minimum=1, maximum=30)
    printed = check_bool(printed, "printed")
    j = np.arange(1, 2 ** (i - 1) + 1)
    H = (b - a) / 2 ** (i - 1)
    left = a + (j - 1) * H
    right = a + (j - 1) * (b - a) / 2**i if printed else a + j * H
    return np.stack([left, right], axis=1)


def sum_networks(nets) -> ShallowReLU:
    """One shallow network computing the sum of one-input, one-output shallow networks."""
    nets = as_sequence(nets, "nets", "ShallowReLU networks")
    if not nets or not all(isinstance(n, ShallowReLU) for n in nets):
        raise TypeError("nets must be a non-empty sequence of ShallowReLU networks")
    if any(n.W.shape[1] != 1 or n.B.shape[0] != 1 for n in nets):
        raise ValueError("nets must all have one input and one output")
    W = np.concatenate([n.W[:, 0] for n in nets])
    b = np.concatenate([n.b for n in nets])
    B = np.concatenate([n.B[0] for n in nets])
    c = float(sum(np.asarray(n.c).reshape(-1)[0] for n in nets))
    return ShallowReLU(W, b, B, c=c)


def half_period_network(M, eps, ks) -> ShallowReLU:
    """Lemma 2's pieces of the cosine on the half periods ``[k pi - pi/2, k pi + pi/2]``, ``k`` in ``ks``.

    Each piece is Lemma 1's dyadic network (concave half periods for even ``k``, convex ones for
    odd ``k``), zero outside its half period; the paper's construction takes ``k`` from
    ``-2n`` to ``2n+1`` with ``n = floor(M / 2 pi) + 1``.  ``M`` only checks that it is positive:
    which half periods are needed to cover ``[-M, M]`` is the point of erratum E8.
    """
    check_real(M, "M", positive=True)
    eps = check_real(eps, "eps", positive=True)
    ks = np.asarray(ks)
    if ks.ndim != 1 or ks.size == 0 or not np.issubdtype(ks.dtype, np.integer):
        raise ValueError("ks must be a non-empty one-dimensional array of integers")
    levels = cosine_levels(eps)
    if levels > 16:
        raise ValueError(f"eps={eps} is too small for the literal construction (needs {levels} levels)")
    pieces = []
    for k in ks.tolist():
        a, b = k * math.pi - math.pi / 2, k * math.pi + math.pi / 2

        def piece(x, a=a, b=b):
            y = np.cos(x)
            y[(x <= a) | (x >= b)] = 0.0  # cos vanishes at the ends of a half period (E6)
            return y

        pieces.append(dyadic_network(piece, a, b, levels, merged=True))
    return sum_networks(pieces)


def one_sided_sign_network(peaks, s0) -> DeepReLU:
    """The compositional network with ``sign(s)`` on the first entry of the accumulator row only.

    The third-party notes print the layer matrix with ``+-`` on one entry of the accumulator row;
    the sign must multiply both entries that read the wave (book erratum M1).  For negative scales
    this network therefore adds something other than ``s_i W_i``.
    """
    net = compositional_network(peaks, s0)
    layers = [(W.copy(), b.copy()) for W, b in net.layers]
    for W, _ in layers[1:]:
        if W.shape[0] == 4 or W.shape[0] == 1:
            W[0, 2] = abs(W[0, 2]) * -1.0  # the t2 entry keeps its unsigned value -1/(a(1-a))
    return DeepReLU(layers)


def _fraction(value, name: str):
    from fractions import Fraction

    if isinstance(value, bool) or not isinstance(value, (int, str, Fraction)):
        raise TypeError(f"{name} must hold ints, Fractions or strings such as '1/3', got {type(value).__name__}")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{name} has an entry {value!r} that is not a rational number") from exc


def relu_moments(values, probs, h):
    """Exact ``(E relu(z)**2, E z**2)`` for ``z = sum_k w_k h_k`` with i.i.d. discrete weights.

    Each ``w_k`` takes ``values[m]`` with probability ``probs[m]``; ``h`` is a fixed input vector.
    Everything is rational (ints, :class:`fractions.Fraction` or strings such as ``'1/3'``), and
    the expectation is an exact sum over all ``len(values) ** len(h)`` weight vectors.  The
    evidence for the symmetry hypothesis of the second-moment recursion: for symmetric weights
    ``E relu(z)**2 = E z**2 / 2``; for skewed weights with mean 0 it need not be.
    """
    import itertools
    from fractions import Fraction

    values, probs, h = (as_sequence(arg, name, "rational numbers")
                        for arg, name in ((values, "values"), (probs, "probs"), (h, "h")))
    vals = [_fraction(v, "values") for v in values]
    ps = [_fraction(p, "probs") for p in probs]
    hs = [_fraction(x, "h") for x in h]
    if not vals or len(vals) != len(ps):
        raise ValueError(f"values and probs must be non-empty and of equal length, got {len(vals)} and {len(ps)}")
    if any(p <= 0 for p in ps) or sum(ps) != 1:
        raise ValueError("probs must be positive and sum to exactly 1")
    if not hs or len(vals) ** len(hs) > 10**6:
        raise ValueError(f"h must have between 1 and {int(6 / math.log10(max(len(vals), 2)))} entries for exact enumeration")
    relu2, z2 = Fraction(0), Fraction(0)
    for combo in itertools.product(range(len(vals)), repeat=len(hs)):
        p = math.prod((ps[m] for m in combo), start=Fraction(1))
        z = sum((vals[m] * x for m, x in zip(combo, hs)), start=Fraction(0))
        z2 += p * z * z
        relu2 += p * z * z if z > 0 else 0
    return relu2, z2
