"""What accuracy costs: universality for every activation, and rates of approximation.

* **Polynomial activations are not universal.**  With ``sigma(z) = z^k`` every one-hidden-layer
  network is a polynomial of degree at most ``k``, so it is no closer to ``|x|`` on ``[-1, 1]``
  than the best polynomial of that degree (``1/8`` for ``k = 2, 3``).  :func:`activation_fit_error`
  fits the output layer of a random hidden layer in the sup norm (a linear program) for any
  activation, :func:`best_polynomial_error` gives the polynomial bound.
* **Free knots beat uniform knots.**  The chord of ``sqrt`` on ``[a, b]`` is off by exactly
  ``(sqrt b - sqrt a)^2 / (4 (sqrt a + sqrt b))`` (:func:`sqrt_chord_error`), so the uniform
  interpolant with ``n`` pieces has sup error ``1 / (4 sqrt n)``, the graded knots ``(i/n)^4`` give
  less than ``1 / (2 n^2)``, and :func:`optimal_sqrt_knots` equalises the error of all pieces at
  ``1 / (2 n (n + 1))``, which is optimal among interpolants with ``n`` pieces.  :func:`pwl_interpolant` builds any of them
  as a :class:`~relubook.nets.ShallowReLU`.
* **The curse of dimensionality.**  :func:`grid_interpolation_error` interpolates a function on the
  uniform grid with ``m`` cells per side of ``[0, 1]^d`` by the piecewise-linear (Kuhn simplicial)
  interpolant and measures its error: about ``m^-2 = N^(-2/d)`` for ``N`` grid values.
* **A class without the curse.**  A function that is a constant plus ``mass * E[sign relu(w.x + b)]``
  with ``|w| = 1``, ``|b| <= 1`` (a Barron-type class) is within ``2 mass / sqrt(n)`` of a network with
  ``n`` units on the unit ball, in every dimension: the average of ``n`` sampled units does it
  (Maurey's argument).  Smooth ridge sums (:class:`RidgeSum`, :func:`ridge_sum`) have such a
  representation with a mass that does not depend on ``d``; :func:`barron_fit` samples ``n`` units
  and also fits their output layer by least squares.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .device import generator
from .lower_bounds import _minimax_lp
from .nets import ShallowReLU
from .validate import as_array, as_points, check_budget, check_choice, check_int, check_real, check_size

__all__ = [
    "POLYNOMIAL_ACTIVATIONS",
    "activation_values",
    "activation_fit_error",
    "best_polynomial_error",
    "sqrt_chord_error",
    "sqrt_interpolation_error",
    "uniform_knots",
    "graded_knots",
    "optimal_sqrt_knots",
    "pwl_interpolant",
    "draw_sqrt_knots",
    "kuhn_interpolate",
    "grid_interpolation_error",
    "ball_points",
    "RidgeSum",
    "ridge_sum",
    "barron_fit",
    "sampled_errors",
]

#: Polynomial activations (not universal), by name.
POLYNOMIAL_ACTIVATIONS = {"identity": 1, "square": 2, "cube": 3}

MAX_KNOTS = 10**6
MAX_WIDTH = 4096


def _check_function(f, name: str = "f") -> Callable:
    if not callable(f):
        raise TypeError(f"{name} must be a callable, got {type(f).__name__}")
    return f


def _values(f, x, name: str = "f") -> np.ndarray:
    try:
        y = np.asarray(f(x), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be evaluated at the points ({exc})") from None
    if y.shape != (x.shape[0],):
        y = y.reshape(-1) if y.size == x.shape[0] else y
    if y.shape != (x.shape[0],):
        raise ValueError(f"{name} must return one value per point, got shape {np.shape(y)} for {x.shape[0]} points")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} returned non-finite values")
    return y


# ---------------------------------------------------------------------------------------------
# activations and the polynomial obstruction


def activation_values(name: str, z) -> np.ndarray:
    """The activation ``name`` at ``z``: one of :data:`relubook.activations.ACTIVATIONS` or a
    polynomial of :data:`POLYNOMIAL_ACTIVATIONS` (``"identity"``, ``"square"``, ``"cube"``)."""
    from .activations import ACTIVATIONS

    check_choice(name, "name", tuple(ACTIVATIONS) + tuple(POLYNOMIAL_ACTIVATIONS))
    z = as_array(z, "z")
    if name in POLYNOMIAL_ACTIVATIONS:
        return z ** POLYNOMIAL_ACTIVATIONS[name]
    return ACTIVATIONS[name][0](z)


def _minimax(Phi: np.ndarray, y: np.ndarray) -> float:
    """``min_c max_i |(Phi c)_i - y_i|`` by a linear program over the column span of ``Phi``."""
    # an orthonormal basis of the column span: polynomial features are (nearly) dependent
    U, S, _ = np.linalg.svd(Phi, full_matrices=False)
    Phi = U[:, S > 1e-10 * S[0]] if S[0] > 0 else U[:, :1] * 0.0
    return _minimax_lp(Phi, y)


def activation_fit_error(name: str, width: int, rng=None, n_grid: int = 401) -> float:
    """The sup error on ``[-1, 1]`` of the best fit of ``|x|`` by ``c + sum_j B_j sigma(w_j x + b_j)``.

    The hidden layer is random (``width`` units; slopes ``w_j = +-s_j`` with ``s_j`` uniform in
    ``[1, 10]``, each unit centred at a uniform point ``t_j`` of ``[-1, 1]``: ``b_j = -w_j t_j``); the
    output weights and ``c`` minimise the largest error over ``n_grid`` equispaced points (a linear
    program).  ``sigma`` is the activation ``name`` (see :func:`activation_values`).
    """
    from .activations import ACTIVATIONS

    check_choice(name, "name", tuple(ACTIVATIONS) + tuple(POLYNOMIAL_ACTIVATIONS))
    width = check_size(width, "width", maximum=512, reason="the linear program grows with the width")
    n_grid = check_size(n_grid, "n_grid", minimum=3, maximum=20_001, reason="the linear program grows with the grid")
    rng = generator(rng)
    w = rng.uniform(1.0, 10.0, width) * rng.choice([-1.0, 1.0], width)
    t = rng.uniform(-1.0, 1.0, width)
    x = np.linspace(-1.0, 1.0, n_grid)
    Phi = activation_values(name, np.outer(x, w) - w * t)
    Phi = np.hstack((np.ones((n_grid, 1)), Phi))
    return _minimax(Phi, np.abs(x))


def best_polynomial_error(degree: int, n_grid: int = 2001) -> float:
    """The least sup distance from ``|x|`` on ``[-1, 1]`` of a polynomial of degree ``<= degree``
    (a linear program over ``n_grid`` points in the Chebyshev basis; ``1/8`` for degrees 2 and 3)."""
    degree = check_size(degree, "degree", minimum=0, maximum=200, reason="the basis is evaluated on a grid")
    n_grid = check_size(n_grid, "n_grid", minimum=3, maximum=20_001, reason="the linear program grows with the grid")
    x = np.linspace(-1.0, 1.0, n_grid)
    Phi = np.polynomial.chebyshev.chebvander(x, degree)
    return _minimax(Phi, np.abs(x))


# ---------------------------------------------------------------------------------------------
# one dimension: knots for sqrt


def sqrt_chord_error(a, b) -> np.ndarray:
    """The largest gap between ``sqrt`` and its chord on ``[a, b]``: ``(sqrt b - sqrt a)^2 / (4 (sqrt a + sqrt b))``.

    ``0 <= a < b`` elementwise (arrays broadcast).  ``sqrt`` is concave, so the gap is one-signed;
    it is attained at ``x = (sqrt a + sqrt b)^2 / 4``.
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise ValueError(f"a and b must broadcast, got shapes {a.shape} and {b.shape}") from None
    if np.any(a < 0) or np.any(b <= a):
        raise ValueError("a and b must satisfy 0 <= a < b")
    u, v = np.sqrt(a), np.sqrt(b)
    return (v - u) ** 2 / (4.0 * (u + v))


def _check_knots(knots, name: str = "knots") -> np.ndarray:
    k = as_array(knots, name, ndim=1)
    if k.size < 2:
        raise ValueError(f"{name} must contain at least two points, got {k.size}")
    if k.size > MAX_KNOTS + 1:
        raise ValueError(f"{name} may contain at most {MAX_KNOTS + 1} points, got {k.size}")
    if np.any(np.diff(k) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return k


def sqrt_interpolation_error(knots) -> float:
    """The exact sup error of the piecewise-linear interpolant of ``sqrt`` at ``knots`` (increasing,
    from ``knots[0] >= 0`` to ``knots[-1]``), on ``[knots[0], knots[-1]]``."""
    k = _check_knots(knots)
    if k[0] < 0:
        raise ValueError(f"knots must be >= 0 (sqrt is defined there), got {k[0]}")
    return float(sqrt_chord_error(k[:-1], k[1:]).max())


def uniform_knots(n: int) -> np.ndarray:
    """``0, 1/n, ..., 1``: ``n`` equal pieces of ``[0, 1]``."""
    n = check_size(n, "n", maximum=MAX_KNOTS, reason="one knot per piece is stored")
    return np.arange(n + 1) / n


def graded_knots(n: int, p: float = 4.0) -> np.ndarray:
    """``(i/n)^p``, ``i = 0, ..., n``: knots crowded towards 0 (``p = 1`` is uniform; ``p = 4``
    equidistributes ``|f''|^(1/2)`` for ``f = sqrt``)."""
    n = check_size(n, "n", maximum=MAX_KNOTS, reason="one knot per piece is stored")
    p = check_real(p, "p", low=1.0, high=20.0)
    k = (np.arange(n + 1) / n) ** p
    if np.any(np.diff(k) <= 0):
        raise ValueError(f"n={n} and p={p} give knots that coincide in floating point; use a smaller n or p")
    return k


def optimal_sqrt_knots(n: int) -> tuple[np.ndarray, float]:
    """Knots ``0 = t_0 < ... < t_n = 1`` on which the chord error of ``sqrt`` is the same on every
    piece, and that error: ``t_i = (i (i + 1) / (n (n + 1)))^2`` and ``1 / (2 n (n + 1))``.

    With ``u = sqrt t_{i-1} = (i - 1) i / N`` and ``v = sqrt t_i = i (i + 1) / N`` (``N = n (n + 1)``),
    ``(v - u)^2 / (4 (u + v)) = (2i/N)^2 / (8 i^2 / N) = 1 / (2N)`` for every ``i``.  No interpolant of
    ``sqrt`` with ``n`` pieces on ``[0, 1]`` does better: a knot set with a smaller error has every
    knot to the left of these (induction over the pieces), so its last knot falls short of 1.
    """
    n = check_size(n, "n", maximum=MAX_KNOTS, reason="one knot per piece is stored")
    i = np.arange(n + 1, dtype=float)
    N = float(n) * (n + 1)
    return (i * (i + 1) / N) ** 2, 1.0 / (2.0 * N)


def pwl_interpolant(f, knots) -> ShallowReLU:
    """The continuous piecewise-linear interpolant of ``f`` at ``knots`` as a network with one ReLU per
    piece (kinks at ``knots[:-1]``), exact on ``[knots[0], knots[-1]]`` and linear beyond its ends."""
    f = _check_function(f)
    k = _check_knots(knots)
    y = _values(f, k)
    s = np.diff(y) / np.diff(k)
    if not np.all(np.isfinite(s)):
        raise ValueError("knots are too close together for the slopes of f to be finite")
    B = np.concatenate(([s[0]], np.diff(s)))
    return ShallowReLU(W=np.ones(k.size - 1), b=-k[:-1], B=B, c=y[0])


def draw_sqrt_knots(ax, n: int = 8, p: float = 4.0):
    """The widget callback: ``sqrt x`` on ``[0, 1]``, its interpolant at the knots ``(i/n)^p`` and the
    error (scaled by a power of 10 to be visible); the title compares the sup error with the optimum
    ``1 / (2 n (n + 1))`` of :func:`optimal_sqrt_knots`."""
    from .plotting import cycle, legend_below

    n = check_size(n, "n", maximum=1000, reason="the figure draws every knot")
    p = check_real(p, "p", low=1.0, high=20.0)
    knots = graded_knots(n, p)
    net = pwl_interpolant(np.sqrt, knots)
    x = np.unique(np.concatenate((np.linspace(0.0, 1.0, 1601), np.linspace(0.0, 1e-3, 200))))
    err = sqrt_interpolation_error(knots)
    scale = 10.0 ** np.floor(np.log10(0.3 / err))
    ax.plot(x, np.sqrt(x), label="$\\sqrt{x}$", **cycle(0))
    ax.plot(x, net(x), label=f"interpolant, {n} ReLUs", **cycle(1))
    ax.plot(knots, np.sqrt(knots), "o", color="black", markersize=3)
    ax.plot(x, scale * (np.sqrt(x) - net(x)), label=f"error × {scale:g}", **cycle(2))
    ax.set_title(f"knots $(i/n)^{{{p:g}}}$: sup error {err:.2e}; optimal {1 / (2 * n * (n + 1)):.2e}", fontsize=9)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("$x$")
    legend_below(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# d dimensions: a uniform grid


def kuhn_interpolate(values, X) -> np.ndarray:
    """The piecewise-linear interpolant of grid ``values`` at the points ``X`` in ``[0, 1]^d``.

    ``values`` has shape ``(m + 1,) * d``: the function at the nodes ``i / m`` of the uniform grid.
    Each cube is cut into the ``d!`` simplices ``t_{pi(1)} >= ... >= t_{pi(d)}`` of its local
    coordinates (Kuhn's triangulation), and the interpolant is affine on each: continuous, piecewise
    linear, and equal to ``values`` at the nodes.
    """
    V = as_array(values, "values")
    d = V.ndim
    if d < 1 or d > 8:
        raise ValueError(f"values must have 1 to 8 dimensions (one per coordinate), got {d}")
    if len(set(V.shape)) != 1 or V.shape[0] < 2:
        raise ValueError(f"values must have shape (m + 1,) * d with m >= 1, got {V.shape}")
    m = V.shape[0] - 1
    X = as_points(X, "X", d)
    if np.any(X < 0) or np.any(X > 1):
        raise ValueError("X must lie in [0, 1]^d")
    check_budget(8.0 * X.shape[0] * d * 4, f"interpolating at {X.shape[0]} points")
    G = X * m
    cell = np.minimum(np.floor(G).astype(np.int64), m - 1)
    t = G - cell
    order = np.argsort(-t, axis=1, kind="stable")
    ts = np.take_along_axis(t, order, axis=1)
    strides = np.array([(m + 1) ** (d - 1 - j) for j in range(d)], dtype=np.int64)
    flat = V.reshape(-1)
    idx = cell @ strides
    out = (1.0 - ts[:, 0]) * flat[idx]
    for j in range(d):
        idx = idx + strides[order[:, j]]
        w = ts[:, j] - (ts[:, j + 1] if j + 1 < d else 0.0)
        out += w * flat[idx]
    return out


def grid_interpolation_error(f, d: int, m: int, n_test: int = 4000, rng=None) -> tuple[float, float]:
    """``(rms, max)`` error of the grid interpolant of ``f`` (``m`` cells per side of ``[0, 1]^d``)
    at ``n_test`` uniform random points.  ``f`` maps an ``(n, d)`` array to ``n`` values.

    The interpolant is determined by its ``(m + 1)^d`` values at the nodes.
    """
    f = _check_function(f)
    d = check_size(d, "d", maximum=8, reason="the grid has (m + 1)^d nodes")
    m = check_size(m, "m", maximum=10**6, reason="the grid has (m + 1)^d nodes")
    n_test = check_size(n_test, "n_test", maximum=10**6, reason="the test points are held in memory")
    if (m + 1.0) ** d > 2e7:
        raise ValueError(f"m={m} and d={d} give (m + 1)^d = {(m + 1.0) ** d:.3g} nodes; at most 2e7 are allowed")
    rng = generator(rng)
    axes = np.meshgrid(*([np.arange(m + 1) / m] * d), indexing="ij")
    nodes = np.stack([a.reshape(-1) for a in axes], axis=1)
    V = _values(f, nodes).reshape((m + 1,) * d)
    X = rng.uniform(0.0, 1.0, (n_test, d))
    err = kuhn_interpolate(V, X) - _values(f, X)
    return float(np.sqrt(np.mean(err**2))), float(np.abs(err).max())


# ---------------------------------------------------------------------------------------------
# a class without the curse


def _trapezoid(y, x):
    """Trapezoidal rule along the last axis."""
    return ((y[..., 1:] + y[..., :-1]) * np.diff(x) / 2.0).sum(axis=-1)


def ball_points(n: int, d: int, rng=None) -> np.ndarray:
    """``n`` points drawn uniformly from the unit ball of ``R^d``, shape ``(n, d)``."""
    n = check_size(n, "n", maximum=10**6, reason="the points are held in memory")
    d = check_size(d, "d", maximum=1000, reason="the points are held in memory")
    check_budget(8.0 * n * d, f"{n} points in {d} dimensions")
    rng = generator(rng)
    g = rng.normal(size=(n, d))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return g * rng.uniform(0.0, 1.0, (n, 1)) ** (1.0 / d)


class RidgeSum:
    """``f(x) = sum_j c_j exp(-gamma (v_j . x - s_j)^2)`` on the unit ball of ``R^d``, with unit vectors
    ``v_j``: a smooth function with a representation as an average of ReLU units of bounded size.

    On ``t in [-1, 1]`` every ``C^2`` function ``g`` satisfies
    ``g(t) = g(-1) + g'(-1) relu(t + 1) + int_{-1}^{1} g''(beta) relu(t - beta) d beta``, so ``f`` is a
    constant plus ``mass * E[sign * relu(v . x - beta)]`` for a probability distribution of atoms
    ``(j, beta, sign)``, where ``mass = sum_j |c_j| (|g_j'(-1)| + int |g_j''|)`` (:attr:`mass`).  On the
    ball every atom is at most 2 in size, so the average of ``n`` atoms drawn from that distribution
    (:meth:`sample`) has expected squared error at most ``(2 mass)^2 / n``, in every dimension.

    Parameters
    ----------
    V : array, shape (J, d)
        Directions (rows are normalised to unit length; none may be zero).
    shifts, coefs : arrays, shape (J,)
        The centres ``s_j`` in ``[-1, 1]`` and the weights ``c_j``.
    gamma : float
        The width parameter of the Gaussian bumps, in ``(0, 100]``.
    """

    def __init__(self, V, shifts, coefs, gamma: float = 4.0):
        V = as_array(V, "V", ndim=2)
        J, d = V.shape
        if J < 1 or d < 1 or J > 1000 or d > 1000:
            raise ValueError(f"V must have shape (J, d) with 1 <= J, d <= 1000, got {V.shape}")
        norms = np.linalg.norm(V, axis=1)
        if np.any(norms == 0) or not np.all(np.isfinite(norms)):
            raise ValueError("V must have non-zero rows of finite length")
        self.V = V / norms[:, None]
        self.shifts = as_array(shifts, "shifts", shape=(J,))
        if np.any(np.abs(self.shifts) > 1):
            raise ValueError("shifts must lie in [-1, 1]")
        self.coefs = as_array(coefs, "coefs", shape=(J,))
        if np.any(np.abs(self.coefs) > 1e6):
            raise ValueError("coefs must be at most 1e6 in size")
        self.gamma = check_real(gamma, "gamma", low=0.0, high=100.0, open_interval=False)
        if self.gamma <= 0:
            raise ValueError(f"gamma must be > 0, got {self.gamma}")
        # breakpoints of |g''| on [-1, 1]: where g'' changes sign, s +- 1/sqrt(2 gamma)
        self._pieces = []
        for s in self.shifts:
            z = s + np.array([-1.0, 1.0]) / np.sqrt(2.0 * self.gamma)
            self._pieces.append(np.concatenate(([-1.0], z[(z > -1) & (z < 1)], [1.0])))

    @property
    def input_dim(self) -> int:
        return self.V.shape[1]

    def _g(self, t, j, order=0):
        u = t - self.shifts[j]
        e = np.exp(-self.gamma * u * u)
        if order == 0:
            return e
        if order == 1:
            return -2.0 * self.gamma * u * e
        return (4.0 * self.gamma**2 * u * u - 2.0 * self.gamma) * e

    def __call__(self, X) -> np.ndarray:
        X = as_points(X, "X", self.input_dim)
        T = X @ self.V.T
        return np.exp(-self.gamma * (T - self.shifts) ** 2) @ self.coefs

    def _masses(self) -> np.ndarray:
        """Per ridge: |g'(-1)| and int_{-1}^1 |g''| (exact: |g'| differences between sign changes of g'')."""
        out = []
        for j, z in enumerate(self._pieces):
            dg = self._g(z, j, 1)
            out.append((abs(dg[0]), float(np.abs(np.diff(dg)).sum())))
        return np.array(out)

    @property
    def mass(self) -> float:
        """``sum_j |c_j| (|g_j'(-1)| + int_{-1}^{1} |g_j''|)``: the total weight of the atoms."""
        return float(np.abs(self.coefs) @ self._masses().sum(axis=1))

    @property
    def constant(self) -> float:
        """``sum_j c_j g_j(-1)``: the constant part of the representation."""
        return float(sum(c * self._g(-1.0, j) for j, c in enumerate(self.coefs)))

    def sampling_variance(self, X) -> float:
        """``V``: the mean over the points ``X`` of the variance of one sampled atom, so that the average of
        ``n`` atoms has expected mean-square error ``V / n`` on ``X`` (``V <= (2 mass)^2`` on the ball).
        The integral over ``beta`` is a trapezoidal sum on 2001 points."""
        X = as_points(X, "X", self.input_dim)
        check_budget(8.0 * X.shape[0] * 2001 * 2, f"the sampling variance at {X.shape[0]} points")
        T = X @ self.V.T
        beta = np.linspace(-1.0, 1.0, 2001)
        second = np.zeros(X.shape[0])
        for j, c in enumerate(self.coefs):
            dens = np.abs(self._g(beta, j, 2))
            r2 = np.maximum(T[:, j : j + 1] - beta, 0.0) ** 2
            integral = _trapezoid(r2 * dens, beta)
            second += abs(c) * (abs(self._g(-1.0, j, 1)) * (T[:, j] + 1.0) ** 2 + integral)
        mean = self(X) - self.constant
        return float(np.mean(self.mass * second - mean**2))

    def sample(self, n: int, rng=None) -> ShallowReLU:
        """The average of ``n`` atoms drawn from the representing distribution, as a network with ``n``
        units (and the constant as its output bias).  Its expected value is ``f`` on the unit ball."""
        n = check_size(n, "n", maximum=10**6, reason="one unit per atom is stored")
        rng = generator(rng)
        masses = np.abs(self.coefs)[:, None] * self._masses()  # (J, 2): point mass at -1, density part
        p = masses.reshape(-1) / masses.sum()
        kind = rng.choice(p.size, size=n, p=p)
        j, dens = kind // 2, kind % 2 == 1
        beta = np.full(n, -1.0)  # the point mass: g'(-1) relu(t + 1)
        slope = np.array([self._g(-1.0, jj, 1) for jj in range(self.coefs.size)])
        sign = np.sign(self.coefs[j]) * np.sign(slope[j])
        for jj in np.unique(j[dens]):  # the density part: beta ~ |g_j''| on [-1, 1], by rejection (|g''| <= 2 gamma)
            rows = np.flatnonzero(dens & (j == jj))
            got = np.empty(0)
            while got.size < rows.size:
                cand = rng.uniform(-1.0, 1.0, 4 * rows.size + 16)
                keep = rng.uniform(0.0, 2.0 * self.gamma, cand.size) < np.abs(self._g(cand, jj, 2))
                got = np.concatenate((got, cand[keep]))
            beta[rows] = got[: rows.size]
            sign[rows] = np.sign(self.coefs[jj]) * np.sign(self._g(beta[rows], jj, 2))
        return ShallowReLU(self.V[j], -beta, sign * self.mass / n, self.constant)

    def __repr__(self) -> str:
        return f"RidgeSum({self.V.shape[0]} ridges in {self.input_dim} dimensions, gamma={self.gamma:g})"


def ridge_sum(d: int, J: int = 3, gamma: float = 4.0, rng=None) -> RidgeSum:
    """A random :class:`RidgeSum`: ``J`` directions uniform on the unit sphere of ``R^d``, centres
    uniform in ``[-0.5, 0.5]``, weights ``+-1``."""
    d = check_size(d, "d", maximum=1000, reason="the directions are stored")
    J = check_size(J, "J", maximum=1000, reason="the directions are stored")
    gamma = check_real(gamma, "gamma", positive=True, high=100.0)
    rng = generator(rng)
    V = rng.normal(size=(J, d))
    return RidgeSum(V, rng.uniform(-0.5, 0.5, J), rng.choice([-1.0, 1.0], J), gamma)


def barron_fit(target: RidgeSum, n: int, X_train, X_test, rng=None) -> dict:
    """Approximate ``target`` on the unit ball with ``n`` units drawn from its representation.

    Returns a dict with the network ``"sampled"`` (the average of ``n`` atoms, Maurey's estimate:
    no data used), the network ``"fitted"`` (the same ``n`` hidden units with output weights and
    bias fitted by least squares to ``target`` on ``X_train``), and their root-mean-square errors
    ``"rms_sampled"``, ``"rms_fitted"`` on ``X_test``.
    """
    if not isinstance(target, RidgeSum):
        raise TypeError(f"target must be a RidgeSum (from ridge_sum), got {type(target).__name__}")
    d = target.input_dim
    n = check_size(n, "n", maximum=MAX_WIDTH, reason="the least-squares fit grows with n")
    X_train = as_points(X_train, "X_train", d)
    X_test = as_points(X_test, "X_test", d)
    if X_train.shape[0] > 50_000 or X_test.shape[0] > 50_000:
        raise ValueError("X_train and X_test may hold at most 50000 points each")
    if np.any(np.linalg.norm(X_train, axis=1) > 1 + 1e-12) or np.any(np.linalg.norm(X_test, axis=1) > 1 + 1e-12):
        raise ValueError("X_train and X_test must lie in the unit ball")
    sampled = target.sample(n, rng)
    W, b = sampled.W, sampled.b
    H = np.maximum(X_train @ W.T + b, 0.0)
    A = np.hstack((H, np.ones((H.shape[0], 1))))
    coef, *_ = np.linalg.lstsq(A, target(X_train), rcond=None)
    fitted = ShallowReLU(W, b, coef[:-1], coef[-1])
    y = target(X_test)
    return {
        "sampled": sampled,
        "fitted": fitted,
        "rms_sampled": float(np.sqrt(np.mean((sampled(X_test) - y) ** 2))),
        "rms_fitted": float(np.sqrt(np.mean((fitted(X_test) - y) ** 2))),
    }


def sampled_errors(target: RidgeSum, ns, X, draws: int = 50, rng=None) -> np.ndarray:
    """Mean-square errors on ``X`` of the average of ``n`` sampled atoms of ``target``, for each ``n`` in
    ``ns`` and ``draws`` independent draws: an array of shape ``(len(ns), draws)``.  Its mean over the
    draws estimates ``target.sampling_variance(X) / n``."""
    if not isinstance(target, RidgeSum):
        raise TypeError(f"target must be a RidgeSum (from ridge_sum), got {type(target).__name__}")
    ns = as_array(ns, "ns", ndim=1)
    if ns.size == 0 or ns.size > 100 or np.any(ns != np.round(ns)) or np.any(ns < 1) or np.any(ns > MAX_WIDTH):
        raise ValueError(f"ns must be 1 to 100 whole numbers between 1 and {MAX_WIDTH}")
    X = as_points(X, "X", target.input_dim)
    draws = check_size(draws, "draws", maximum=10_000, reason="every draw is evaluated on X")
    check_budget(8.0 * X.shape[0] * ns.max() * 2, f"evaluating {int(ns.max())} units at {X.shape[0]} points")
    if X.shape[0] * ns.sum() * draws > 5e9:
        raise ValueError("X, ns and draws ask for more than 5e9 unit evaluations; use fewer")
    rng = generator(rng)
    y = target(X)
    out = np.empty((ns.size, draws))
    for i, n in enumerate(ns.astype(int)):
        for k in range(draws):
            out[i, k] = np.mean((target.sample(int(n), rng)(X) - y) ** 2)
    return out
