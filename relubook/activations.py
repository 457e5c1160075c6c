"""The rectifier and its relatives, in numpy, with derivatives.

Each activation is a pair of plain functions (value, derivative) on numpy
arrays.  At a kink the derivative returned is the value torch's autograd uses
(for ReLU: 0 at 0), which :mod:`relubook` documents next to the subdifferential.
"""

from __future__ import annotations

import math

import numpy as np

from .nets import relu
from .validate import check_bool, as_array, check_choice, check_interval, check_real

__all__ = [
    "relu",
    "relu_grad",
    "ACTIVATIONS",
    "FORMULAS",
    "activation",
    "prelu",
    "prelu_grad",
    "clarke_subdifferential",
    "in_clarke_subdifferential",
    "TORCH_PROBES",
    "torch_grad_at",
    "ComparisonTable",
    "comparison_table",
    "operation_counts",
    "draw_neuron",
    "draw_variants",
    "draw_derivatives",
]


def relu_grad(z):
    """Derivative of ReLU: 1 for z > 0 and 0 for z <= 0 (the choice torch makes at 0)."""
    return (as_array(z, "z") > 0).astype(float)


def _leaky(slope):
    return (lambda z: np.where(z > 0, z, slope * z), lambda z: np.where(z > 0, 1.0, slope))


def _elu(alpha=1.0):
    return (
        lambda z: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
        lambda z: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))),
    )


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _phi(z):
    return np.exp(-0.5 * np.asarray(z) ** 2) / math.sqrt(2 * math.pi)


def _Phi(z):
    from scipy.special import ndtr

    return ndtr(z)


#: name -> (function, derivative), all numpy-vectorised.
ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "leaky_relu": _leaky(0.01),
    "elu": _elu(1.0),
    "gelu": (lambda z: z * _Phi(z), lambda z: _Phi(z) + z * _phi(z)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z: _sigmoid(z)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}


#: name -> formula in LaTeX (for the chapter's definitions and the comparison table).
FORMULAS = {
    "relu": r"\max\{0, z\}",
    "leaky_relu": r"\max\{z, 0.01 z\}",
    "elu": r"z \text{ if } z>0, \ e^{z}-1 \text{ otherwise}",
    "gelu": r"z\,\Phi(z)",
    "softplus": r"\log(1+e^{z})",
    "sigmoid": r"1/(1+e^{-z})",
    "tanh": r"\tanh z",
}


def _broadcasts(a, b, names):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{names[1]} of shape {b.shape} does not broadcast against {names[0]} of shape {a.shape}: "
                         f"give one {names[1]} or one per entry of {names[0]}") from None


def prelu(z, alpha):
    """Parametric ReLU ``z`` for ``z > 0`` and ``alpha * z`` otherwise (``alpha`` is learned in a network).

    ``alpha`` is a number or an array broadcastable against ``z`` (one slope per channel).
    """
    z = as_array(z, "z")
    alpha = as_array(alpha, "alpha")
    _broadcasts(z, alpha, ("z", "alpha"))
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(z > 0, z, alpha * z)
    if not np.all(np.isfinite(out)):
        raise ValueError("alpha * z overflows a double for these z and alpha; use smaller values")
    return out


def prelu_grad(z, alpha):
    """Derivatives of PReLU: ``(d/dz, d/dalpha)``; at ``z = 0`` the slope ``alpha`` (as torch does)."""
    z = as_array(z, "z")
    alpha = as_array(alpha, "alpha")
    _broadcasts(z, alpha, ("z", "alpha"))
    dz = np.where(z > 0, 1.0, alpha * np.ones_like(z))
    dalpha = np.where(z > 0, 0.0, z)
    return dz, dalpha


def clarke_subdifferential(z) -> tuple[np.ndarray, np.ndarray]:
    """The Clarke subdifferential of ReLU at ``z`` as intervals ``[lo, hi]``.

    ``{0}`` for ``z < 0``, ``{1}`` for ``z > 0`` and ``[0, 1]`` at the kink ``z = 0``.
    """
    z = as_array(z, "z")
    return (z > 0).astype(float), (z >= 0).astype(float)


def in_clarke_subdifferential(z, g, tol: float = 1e-12) -> np.ndarray:
    """Whether each ``g`` is an element of ReLU's Clarke subdifferential at the matching ``z``."""
    z = as_array(z, "z")
    g = as_array(g, "g")
    _broadcasts(z, g, ("z", "g"))
    tol = check_real(tol, "tol", nonnegative=True)
    lo, hi = clarke_subdifferential(z)
    return (g >= lo - tol) & (g <= hi + tol)


def _probes():
    import torch

    F = torch.nn.functional
    return {
        "torch.relu(z)": torch.relu,
        "nn.ReLU()(z)": torch.nn.ReLU(),
        "z.clamp(min=0)": lambda z: z.clamp(min=0),
        "torch.maximum(z, 0)": lambda z: torch.maximum(z, torch.zeros_like(z)),
        "torch.where(z > 0, z, 0)": lambda z: torch.where(z > 0, z, torch.zeros_like(z)),
        "F.leaky_relu(z, 0.01)": lambda z: F.leaky_relu(z, 0.01),
        "F.elu(z)": F.elu,
        "F.gelu(z)": F.gelu,
        "F.softplus(z)": F.softplus,
    }


#: the torch expressions that :func:`torch_grad_at` can probe.
TORCH_PROBES = tuple(
    [
        "torch.relu(z)",
        "nn.ReLU()(z)",
        "z.clamp(min=0)",
        "torch.maximum(z, 0)",
        "torch.where(z > 0, z, 0)",
        "F.leaky_relu(z, 0.01)",
        "F.elu(z)",
        "F.gelu(z)",
        "F.softplus(z)",
    ]
)


def torch_grad_at(expression: str = "torch.relu(z)", z: float = 0.0) -> float:
    """What torch's autograd returns as the derivative of ``expression`` at the point ``z``.

    ``expression`` is one of :data:`TORCH_PROBES`.  The computation is a genuine backward pass in
    float64 on the CPU: a leaf tensor ``z`` with ``requires_grad``, the forward expression, then
    ``backward()``.
    """
    import torch

    check_choice(expression, "expression", TORCH_PROBES)
    z = check_real(z, "z")
    t = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    _probes()[expression](t).sum().backward()
    return t.grad.detach().item()


def activation(name: str, z, derivative: bool = False) -> np.ndarray:
    """Evaluate the activation ``name`` (or its derivative) at ``z``."""
    check_choice(name, "name", ACTIVATIONS)
    z = as_array(z, "z")
    derivative = check_bool(derivative, "derivative")
    return ACTIVATIONS[name][1 if derivative else 0](z)


def draw_neuron(ax, w: float = 1.0, b: float = 0.0, name: str = "relu", lo: float = -3.0, hi: float = 3.0):
    """Draw ``x -> act(w x + b)`` on ``ax``: the callback of the one-neuron widget."""
    w, b = check_real(w, "w"), check_real(b, "b")
    x = np.linspace(lo, hi, 601)
    ax.plot(x, activation(name, w * x + b), label=f"{name}({w:g} x + {b:g})")
    if w != 0:
        ax.axvline(-b / w, color="0.5", linestyle=":", linewidth=1)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-1.5, 4.5)
    ax.set_xlabel("$x$")
    ax.legend(loc="upper left")
    return ax


_LIMIT = 1e6  # "z -> +-infinity" for the numerical range of an activation
_INFINITE = 1e3  # a value beyond this at z = +-_LIMIT is shown as infinite


class ComparisonTable:
    """Rows of :func:`comparison_table`; shows itself as an HTML table (and as text)."""

    columns = ("activation", "range", "max |f'|", "f'(-10)", "f'(10)", "saturates", "ops / element")

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def row(self, name: str) -> dict:
        for r in self.rows:
            if r["name"] == name:
                return r
        raise ValueError(f"name must be one of the table's activations; got {name!r}")

    @staticmethod
    def _bound(v: float) -> str:
        if v >= _INFINITE:
            return "inf"
        if v <= -_INFINITE:
            return "-inf"
        return f"{v + 0.0:.2g}"

    def _cells(self, r: dict) -> list[str]:
        lo, hi = r["range"]
        left = "(" if r["open_low"] else "["
        right = ")" if r["open_high"] else "]"
        rng = f"{left}{self._bound(lo)}, {self._bound(hi)}{right}"
        return [
            r["name"],
            rng,
            f"{r['max_grad']:.3g}",
            f"{r['grad_left']:.2g}",
            f"{r['grad_right']:.2g}",
            "both sides" if r["saturates"] == "both" else r["saturates"],
            f"{r['elementary_ops']} + {r['transcendental_ops']} transc.",
        ]

    @staticmethod
    def _tex_bound(v: float) -> str:
        if v >= _INFINITE:
            return r"\infty"
        if v <= -_INFINITE:
            return r"-\infty"
        return f"{v + 0.0:.2g}"

    def records(self) -> list[dict]:
        """One dict per activation for :func:`relubook.tables.table`: the range as math, numbers as numbers."""
        out = []
        for r in self.rows:
            lo, hi = r["range"]
            left = "(" if r["open_low"] else "["
            right = ")" if r["open_high"] else "]"
            out.append({
                "activation": r["name"].replace("_", " "),
                "range": f"${left}{self._tex_bound(lo)}, {self._tex_bound(hi)}{right}$",
                "$\\max \\lvert f'\\rvert$": r["max_grad"],
                "$f'(-10)$": r["grad_left"],
                "$f'(10)$": r["grad_right"],
                "saturates": "both sides" if r["saturates"] == "both" else r["saturates"],
                "elementary ops": r["elementary_ops"],
                "transcendental ops": r["transcendental_ops"],
            })
        return out

    def text(self) -> str:
        cells = [list(self.columns)] + [self._cells(r) for r in self.rows]
        widths = [max(len(c[i]) for c in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in self._cells(r)) + "</tr>" for r in self.rows
        )
        return f'<table class="relubook-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


_TRANSCENDENTAL = ("EXP", "LOG", "ERF", "TANH")


def operation_counts(name: str) -> tuple[int, int]:
    """``(elementary, transcendental)`` operations per element of activation ``name``.

    Counted by sympy's ``count_ops`` on the defining formula: comparisons, selections, additions,
    multiplications, divisions and negations are elementary; ``exp``, ``log``, ``erf`` and ``tanh``
    are transcendental (each costs many elementary operations in a math library).  A count, not a
    timing: it is the same on every machine and every run.
    """
    import sympy as sp

    name = check_choice(name, "name", ACTIVATIONS)
    z = sp.Symbol("z", real=True)
    forms = {
        "relu": sp.Max(0, z),
        "leaky_relu": sp.Max(z, sp.Float(0.01) * z),
        "elu": sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)),
        "gelu": sp.Float(0.5) * z * (1 + sp.erf(sp.Float(2**-0.5) * z)),
        "softplus": sp.log(1 + sp.exp(z)),
        "sigmoid": 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh(z),
    }
    ops = sp.count_ops(forms[name], visual=True)
    terms = ops.as_coefficients_dict()
    elementary = transcendental = 0
    for sym, k in terms.items():
        if str(sym) in _TRANSCENDENTAL:
            transcendental += int(k)
        else:
            elementary += int(k)
    return elementary, transcendental


def comparison_table(names=("relu", "leaky_relu", "elu", "gelu", "softplus", "sigmoid", "tanh"),
                     saturation: float = 1e-3) -> ComparisonTable:
    """Compare activations on range, gradient, saturation and cost, all computed.

    * range: values at ``z = -+1000`` (shown as infinite when beyond 500) and whether the lower
      end is attained (open if the function never reaches its infimum);
    * ``max |f'|`` on ``[-10, 10]`` and ``f'`` at ``-10`` and ``10``;
    * saturates: on which side ``|f'(+-10)| < saturation``;
    * cost: elementary and transcendental operations per element (:func:`operation_counts`), an
      operation count rather than a timing, so the table is the same on every machine.
    """
    if isinstance(names, str):
        names = (names,)
    if isinstance(names, np.ndarray) or not hasattr(names, "__iter__"):
        raise TypeError(f"names must be a sequence of activation names, got {type(names).__name__}")
    names = [check_choice(nm, "names", ACTIVATIONS) for nm in names]
    if not names:
        raise ValueError("names must list at least one activation")
    saturation = check_real(saturation, "saturation", positive=True)
    grid = np.linspace(-10, 10, 20001)
    rows = []
    for nm in names:
        f, df = ACTIVATIONS[nm]
        vals = f(grid)
        ends = f(np.array([-_LIMIT, _LIMIT]))
        lo, hi = float(min(ends[0], vals.min())), float(max(ends[1], vals.max()))
        # an end is open when it is infinite or approached only in the limit
        open_low = lo <= -_INFINITE or bool(np.all(vals > lo))
        open_high = hi >= _INFINITE or bool(np.all(vals < hi))
        d = df(grid)
        gl, gr = float(df(np.array(-10.0))), float(df(np.array(10.0)))
        sides = [s for s, g in (("left", gl), ("right", gr)) if abs(g) < saturation]
        elementary, transcendental = operation_counts(nm)
        rows.append({
            "name": nm,
            "range": (lo, hi),
            "open_low": open_low,
            "open_high": open_high,
            "max_grad": float(np.max(np.abs(d))),
            "grad_left": gl,
            "grad_right": gr,
            "saturates": "both" if len(sides) == 2 else (sides[0] if sides else "no"),
            "elementary_ops": elementary,
            "transcendental_ops": transcendental,
        })
    return ComparisonTable(rows)


def draw_variants(ax, alpha: float = 0.1, lo: float = -3.0, hi: float = 3.0):
    """ReLU next to its relatives with parameter ``alpha``: leaky/PReLU slope ``alpha`` and ELU(``alpha``).

    The callback of the chapter's variant widget; GELU and softplus have no parameter and are drawn
    for reference.
    """
    from .plotting import cycle, legend_below

    alpha = check_real(alpha, "alpha", nonnegative=True, high=1.0)
    lo, hi = check_interval(lo, hi)
    x = np.linspace(lo, hi, 601)
    curves = [
        ("ReLU", relu(x)),
        (rf"PReLU / leaky, slope $\alpha$ = {alpha:.2f}", prelu(x, alpha)),
        (rf"ELU, $\alpha$ = {alpha:.2f}", _elu(alpha)[0](x)),
        ("GELU", ACTIVATIONS["gelu"][0](x)),
        ("softplus", ACTIVATIONS["softplus"][0](x)),
    ]
    for i, (label, y) in enumerate(curves):
        ax.plot(x, y, label=label, **cycle(i))
    ax.set_xlim(lo, hi)
    ax.set_ylim(min(-1.5, lo - 0.1), hi)  # the same for every alpha in [0, 1]: PReLU reaches alpha * lo
    ax.set_xlabel("$z$")
    ax.set_ylabel("$f(z)$")
    legend_below(ax)
    return ax


def draw_derivatives(ax, names=("relu", "leaky_relu", "gelu", "sigmoid", "tanh"), lo: float = -6.0, hi: float = 6.0):
    """The derivatives of the activations ``names`` on ``[lo, hi]`` (ReLU's jump shown as a step)."""
    from .plotting import cycle, legend_below

    if isinstance(names, str):
        names = (names,)
    for nm in names:
        check_choice(nm, "names", ACTIVATIONS)
    lo, hi = check_interval(lo, hi)
    x = np.linspace(lo, hi, 1201)
    for i, nm in enumerate(names):
        ax.plot(x, activation(nm, x, derivative=True), label=f"{nm}'", **cycle(i))
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.25, 1.25)  # GELU' dips to about -0.13
    ax.set_xlabel("$z$")
    ax.set_ylabel("$f'(z)$")
    legend_below(ax)
    return ax
