"""Lower bounds on the error of ReLU networks for ``x^2`` on ``[0, 1]``.

* On an interval of length ``h`` the best affine approximation of ``x^2`` (in the sup norm) has error
  exactly ``h^2 / 8``: the chord is off by ``h^2/4`` at the midpoint, and lowering it by half of that
  equalises the error at the two ends and the midpoint (three alternation points, Chebyshev).
* A piecewise-linear function with ``N`` pieces on ``[0, 1]`` has a piece of length ``>= 1/N``, so its
  error is at least ``1 / (8 N^2)``; the chord interpolant at ``N + 1`` equispaced nodes lowered by
  ``1 / (8 N^2)`` is continuous and attains it (:func:`optimal_square_pwl`).
* A one-input network with hidden widths ``n_1, ..., n_L`` has at most ``prod(n_l + 1)`` pieces on an
  interval, so its error for ``x^2`` on ``[0, 1]`` is at least ``1 / (8 prod(n_l + 1)^2)``
  (:func:`network_square_lower_bound`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .nets import ShallowReLU
from .validate import as_array, as_sequence, check_int

__all__ = [
    "square_pwl_lower_bound",
    "network_square_lower_bound",
    "optimal_square_pwl",
    "best_square_error_for_knots",
]


def square_pwl_lower_bound(N: int) -> float:
    """``1 / (8 N^2)``: the least sup distance from ``x^2`` on ``[0, 1]`` of a piecewise-linear function with ``N`` pieces."""
    N = check_int(N, "N", minimum=1)
    return 1.0 / (8.0 * N * N)


def network_square_lower_bound(widths) -> float:
    """``1 / (8 prod(n_l + 1)^2)``: no one-input ReLU network with these hidden widths does better for ``x^2`` on ``[0, 1]``."""
    widths = [check_int(w, "widths[i]", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    if not widths:
        raise ValueError("widths must contain at least one hidden width")
    pieces = 1
    for w in widths:
        pieces *= w + 1
    return float(Fraction(1, 8 * pieces * pieces))  # rounds to 0.0 below the float range, no OverflowError


def optimal_square_pwl(N: int) -> ShallowReLU:
    """A continuous piecewise-linear function with ``N`` pieces at distance exactly ``1/(8N^2)`` from ``x^2`` on ``[0, 1]``.

    The chord interpolant at ``k / N`` (``N`` ReLUs, kinks at ``0, 1/N, ..., (N-1)/N``) lowered by ``1/(8N^2)``.
    """
    N = check_int(N, "N", minimum=1, maximum=10**6)
    x = np.arange(N + 1) / N
    s = np.diff(x**2) * N  # chord slopes (2k + 1) / N
    B = np.concatenate([[s[0]], np.diff(s)])
    return ShallowReLU(W=np.ones(N), b=-x[:-1], B=B, c=-1.0 / (8.0 * N * N))


def best_square_error_for_knots(knots, n_grid: int = 4001) -> float:
    """The least sup error over a grid of ``n_grid`` points of ``[0, 1]`` of a continuous piecewise-linear
    function with the given interior ``knots`` (sorted, in ``(0, 1)``), by a linear program in the values at
    the knots and the ends.  A lower estimate of the true minimax error (the grid is finite)."""
    k = as_array(knots, "knots", ndim=1)
    if np.any(k <= 0) or np.any(k >= 1) or np.any(np.diff(k) <= 0):
        raise ValueError("knots must be strictly increasing and inside (0, 1)")
    n_grid = check_int(n_grid, "n_grid", minimum=3, maximum=200_000)
    nodes = np.concatenate(([0.0], k, [1.0]))
    x = np.unique(np.concatenate((np.linspace(0, 1, n_grid), nodes, (nodes[1:] + nodes[:-1]) / 2)))
    # hat-function basis: value at x is sum_j y_j phi_j(x)
    Phi = np.column_stack([np.interp(x, nodes, np.eye(len(nodes))[j]) for j in range(len(nodes))])
    return _minimax_lp(Phi, x**2)


def _minimax_lp(Phi: np.ndarray, y: np.ndarray) -> float:
    """``min_c max_i |(Phi c)_i - y_i|``: the linear program in ``(c, t)`` that minimises ``t`` subject to
    ``-t <= Phi c - y <= t`` (HiGHS).  ``Phi`` has one row per point and one column per basis function."""
    from scipy.optimize import linprog

    m = Phi.shape[1]
    ones = np.ones((len(y), 1))
    A_ub = np.vstack((np.hstack((Phi, -ones)), np.hstack((-Phi, -ones))))
    b_ub = np.concatenate((y, -y))
    c = np.zeros(m + 1)
    c[-1] = 1.0
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * m + [(0, None)], method="highs")
    if not res.success:  # pragma: no cover
        raise RuntimeError(f"linear program failed: {res.message}")
    return float(res.x[-1])
