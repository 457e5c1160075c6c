"""The rectifier and its relatives, in numpy, with derivatives.

Each activation is a pair of plain functions (value, derivative) on numpy
arrays.  At a kink the derivative returned is the value torch's autograd uses
(for ReLU: 0 at 0), which :mod:`relubook` documents next to the subdifferential.
"""

from __future__ import annotations

import math

import numpy as np

from .nets import relu
from .validate import as_array, check_choice, check_real

__all__ = ["relu", "relu_grad", "ACTIVATIONS", "activation", "draw_neuron"]


def relu_grad(z):
    """Derivative of ReLU: 1 for z > 0 and 0 for z <= 0 (the choice torch makes at 0)."""
    return (np.asarray(z) > 0).astype(float)


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


def activation(name: str, z, derivative: bool = False) -> np.ndarray:
    """Evaluate the activation ``name`` (or its derivative) at ``z``."""
    check_choice(name, "name", ACTIVATIONS)
    z = as_array(z, "z")
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
    ax.set_xlabel("x")
    ax.legend(loc="upper left")
    return ax
