"""Small sympy derivations that chapters show instead of asserting.

Each function returns a sympy expression (or equation) built from the named
symbols in :data:`SYMBOLS`, so a chapter can print it, substitute numbers with
:func:`evaluate`, and a test can check it.  Later chapters add derivations
here in the same style: a few lines of sympy, no numerics.

Second moment through a ReLU layer (zero-mean weights of variance
``sigma_w2``, biases of variance ``sigma_b2``, fan-in ``n``, previous second
moment ``q``)::

    q_next = (n * sigma_w2 * q + sigma_b2) / 2
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np
import sympy as sp

from .validate import check_bool

__all__ = [
    "SYMBOLS",
    "relu_expr",
    "expectation",
    "normal_density",
    "uniform_density",
    "relu_second_moment",
    "second_moment_recursion",
    "layer_rate",
    "critical_weight_variance",
    "fixed_point",
    "evaluate",
    "differentiability_condition",
]

#: The named symbols of the derivations (all positive except the integration variable ``z``).
SYMBOLS = {
    "z": sp.Symbol("z", real=True),
    "s2": sp.Symbol("sigma^2", positive=True),  # variance of a pre-activation
    "a": sp.Symbol("a", positive=True),  # half-width of a uniform law
    "n": sp.Symbol("n", positive=True, integer=True),  # fan-in
    "sigma_w2": sp.Symbol("sigma_w^2", positive=True),
    "sigma_b2": sp.Symbol("sigma_b^2", nonnegative=True),
    "q": sp.Symbol("q_{l-1}", positive=True),
}


def relu_expr(z=None):
    """``max(0, z)`` as a sympy ``Piecewise`` (integrates better than ``Max``)."""
    z = SYMBOLS["z"] if z is None else z
    if not isinstance(z, sp.Symbol):
        raise TypeError(f"z must be a sympy Symbol, got {type(z).__name__}")
    return sp.Piecewise((z, z > 0), (0, True))


def _positive(value, name):
    """A positive real number or a sympy expression, as a sympy object."""
    if isinstance(value, sp.Basic):
        if value.is_real is False or value.is_positive is False:
            raise ValueError(f"{name} must be positive, got {value}")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number or a sympy expression, got {type(value).__name__}")
    if not math.isfinite(float(value)) or value <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {value}")
    return sp.sympify(value)


def normal_density(variance=None):
    """Density of ``N(0, variance)`` in ``z`` and its support ``(-oo, oo)``."""
    z = SYMBOLS["z"]
    v = SYMBOLS["s2"] if variance is None else _positive(variance, "variance")
    return sp.exp(-(z**2) / (2 * v)) / sp.sqrt(2 * sp.pi * v), (-sp.oo, sp.oo)


def uniform_density(half_width=None):
    """Density of ``U(-a, a)`` in ``z`` and its support ``(-a, a)``."""
    a = SYMBOLS["a"] if half_width is None else _positive(half_width, "half_width")
    return 1 / (2 * a), (-a, a)


def expectation(expr, density):
    """``E[expr(z)]`` for ``z`` with ``density = (p(z), (lo, hi))``, simplified."""
    if not isinstance(expr, sp.Basic):
        raise TypeError(f"expr must be a sympy expression in z, got {type(expr).__name__}")
    if not (isinstance(density, tuple) and len(density) == 2 and len(density[1]) == 2):
        raise TypeError("density must be a pair (p(z), (lo, hi)), e.g. normal_density()")
    p, (lo, hi) = density
    z = SYMBOLS["z"]
    integrand = expr * p
    if bool(sp.sympify(lo) < 0) and bool(sp.sympify(hi) > 0):
        # split at the kink 0: on each side every relu_expr is a plain polynomial piece
        zn, zp = sp.Symbol("z_n", negative=True), sp.Symbol("z_p", positive=True)
        total = sp.integrate(integrand.subs(z, zn), (zn, lo, 0)) + sp.integrate(integrand.subs(z, zp), (zp, 0, hi))
    else:
        total = sp.integrate(integrand, (z, lo, hi))
    return sp.simplify(total)


def relu_second_moment(law: str = "normal"):
    """``(E[relu(z)^2], E[z^2])`` for a centred ``z`` (``law`` ``"normal"`` or ``"uniform"``)."""
    if not isinstance(law, str):
        raise TypeError(f"law must be 'normal' or 'uniform', got {type(law).__name__}")
    return _relu_second_moment(law)


@functools.lru_cache(maxsize=None)
def _relu_second_moment(law: str = "normal"):
    """``(E[relu(z)^2], E[z^2])`` for a centred ``z`` (``law`` ``"normal"`` or ``"uniform"``).

    Both laws are symmetric, so the first is half the second.
    """
    if not isinstance(law, str):
        raise TypeError(f"law must be 'normal' or 'uniform', got {type(law).__name__}")
    if law == "normal":
        density = normal_density()
    elif law == "uniform":
        density = uniform_density()
    else:
        raise ValueError(f"law must be one of 'normal', 'uniform'; got {law!r}")
    z = SYMBOLS["z"]
    return expectation(relu_expr() ** 2, density), expectation(z**2, density)


def second_moment_recursion(bias: bool = True):
    """The equation ``q_l = (n sigma_w2 q_{l-1} + sigma_b2) / 2`` for a ReLU layer.

    Derived: ``E[z^2] = n sigma_w2 q_{l-1} + sigma_b2`` (independent zero-mean
    weights and bias; cross terms vanish), and ``E[relu(z)^2] = E[z^2] / 2``
    because ``z`` is symmetric (:func:`relu_second_moment` shows the factor for
    a normal ``z``).  With ``bias=False`` the ``sigma_b2`` term is dropped.
    """
    bias = check_bool(bias, "bias")
    S = SYMBOLS
    pre = S["n"] * S["sigma_w2"] * S["q"] + (S["sigma_b2"] if bias else 0)
    half = sp.simplify(relu_second_moment("normal")[0] / S["s2"])  # = 1/2
    return sp.Eq(sp.Symbol("q_l", positive=True), half * pre)


def layer_rate():
    """The factor by which one layer multiplies the second moment when biases vanish: ``n sigma_w2 / 2``."""
    rhs = second_moment_recursion(bias=False).rhs
    return sp.simplify(sp.diff(rhs, SYMBOLS["q"]))


def critical_weight_variance():
    """The weight variance that keeps the second moment constant: the solution ``2/n`` of ``rate = 1``."""
    (sol,) = sp.solve(sp.Eq(layer_rate(), 1), SYMBOLS["sigma_w2"])
    return sol


def fixed_point():
    """Fixed point ``q* = sigma_b2 / (2 - n sigma_w2)`` of the recursion with bias (attracting when the rate is < 1)."""
    rhs = second_moment_recursion(bias=True).rhs
    (sol,) = sp.solve(sp.Eq(rhs, SYMBOLS["q"]), SYMBOLS["q"])
    return sp.simplify(sol)


def evaluate(expr, **values) -> float:
    """Substitute numbers for the named symbols of :data:`SYMBOLS` and return a float.

    Every free symbol of ``expr`` must get a finite real value.
    """
    if isinstance(expr, sp.Equality):
        expr = expr.rhs
    if not isinstance(expr, sp.Basic):
        raise TypeError(f"expr must be a sympy expression, got {type(expr).__name__}")
    subs = {}
    for name, value in values.items():
        if name not in SYMBOLS:
            raise ValueError(f"{name} is not a symbol of relubook.symbolic; known: {', '.join(SYMBOLS)}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be finite, got {value}")
        subs[SYMBOLS[name]] = value
    result = expr.subs(subs)
    missing = sorted(str(s) for s in result.free_symbols)
    if missing:
        raise ValueError(f"expr still depends on {', '.join(missing)}; give a value for each")
    return float(result)


def differentiability_condition():
    """Derive the scale condition of the compositional network by eliminating the infinite tail.

    Equation (4) gives, at a peak of ``W_i``, the coefficient
    ``Q_i = s_i - (s_{i+1} + R / a_{i+2}) / (1 - a_{i+1})`` with the tail
    ``R = sum_{j >= i+2} s_j prod_{k=i+3}^{j} 1/a_k``, and at a peak of
    ``W_{i+1}`` the coefficient ``Q_{i+1} = s_{i+1} - R / (1 - a_{i+2})``.  Both
    must vanish for ``F'`` to exist there.  Solving the two equations for
    ``s_{i+1}`` and the tail ``R`` removes the infinite sum.  Returns
    ``(s_next, symbols)``: the sympy expression for ``s_{i+1}`` and the dict of
    the symbols used (``s_i``, ``a_i+1``, ``a_i+2``, ``R``, and ``Q_i``, ``Q_i+1``).
    """
    import sympy as sp

    s_i, s_next, a1, a2, tail = sp.symbols("s_i s_{i+1} a_{i+1} a_{i+2} R", real=True)
    q_i = s_i - (s_next + tail / a2) / (1 - a1)
    q_next = s_next - tail / (1 - a2)
    sol = sp.solve([q_i, q_next], [s_next, tail], dict=True)
    if len(sol) != 1:
        raise RuntimeError(f"expected one solution of the two tail equations, got {sol}")
    expr = sp.factor(sol[0][s_next])
    names = {"s_i": s_i, "a_i+1": a1, "a_i+2": a2, "R": tail, "Q_i": q_i, "Q_i+1": q_next}
    return expr, names
