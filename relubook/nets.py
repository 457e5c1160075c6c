"""The two network types every chapter uses.

* :class:`ShallowReLU` is the class :math:`\\Sigma^r(R)` of the first paper, with
  vector outputs: ``x -> c + B relu(W x + b)``.
* :class:`DeepReLU` is a plain ReLU multilayer perceptron given as a list of
  affine layers ``(W, b)``; ReLU acts after every layer but the last.

Both evaluate in numpy on arrays of shape ``(n, r)`` (a 1-D array is accepted
when ``r == 1``) and convert with :meth:`to_torch` to a ``torch.nn.Module``
that gives the same outputs.  Shapes follow ``torch.nn.Linear``: a weight
matrix has shape ``(fan_out, fan_in)``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .validate import CHUNK_BYTES, as_array, as_points, check_budget, check_device, check_dtype

__all__ = ["relu", "ShallowReLU", "DeepReLU"]


def relu(z):
    """The rectifier ``max(0, z)``, elementwise, for finite real numbers and arrays of them."""
    return np.maximum(as_array(z, "z"), 0.0)


def _relu(z):
    return np.maximum(z, 0.0)


_DIRECT_LIMIT = 1 << 26
"""Above this many (point, unit) pairs a one-input ShallowReLU is evaluated from sorted knots."""


def _evaluate_sorted(w, b, B, c, x):
    """``c + B relu(w x + b)`` for one input in ``O((n + m) log m)``: sorted knots, prefix sums.

    ``w, b`` shape ``(m,)``, ``B`` ``(k, m)``, ``c`` ``(k,)``, ``x`` ``(n,)``; returns ``(n, k)``.
    Equal to the direct sum up to rounding.
    """
    out = np.empty((x.size, B.shape[0]))
    out[:] = c + (B[:, w == 0] @ np.maximum(b[w == 0], 0.0))
    for sign in (1.0, -1.0):
        sel = (w * sign) > 0
        if not np.any(sel):
            continue
        t = -b[sel] / w[sel]  # knots; relu(w x + b) = |w| relu(sign (x - t))
        order = np.argsort(t)
        t = t[order]
        S = (B[:, sel] * np.abs(w[sel]))[:, order]
        cs = np.concatenate([np.zeros((B.shape[0], 1)), np.cumsum(S, axis=1)], axis=1)
        cst = np.concatenate([np.zeros((B.shape[0], 1)), np.cumsum(S * t, axis=1)], axis=1)
        for rows in _chunks(x.size, 4 * B.shape[0]):
            xr = x[rows]
            if sign > 0:  # units with t < x are active: sum s (x - t)
                k = np.searchsorted(t, xr, side="left")
                out[rows] += (cs[:, k] * xr - cst[:, k]).T
            else:  # units with t > x are active: sum s (t - x)
                k = np.searchsorted(t, xr, side="right")
                out[rows] += ((cst[:, -1:] - cst[:, k]) - (cs[:, -1:] - cs[:, k]) * xr).T
    return out


def _chunks(n: int, width: int):
    """Row slices of at most :data:`CHUNK_BYTES` per ``(rows, width)`` float64 block."""
    step = max(1, CHUNK_BYTES // (8 * max(1, width)))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _torch():
    import torch  # deferred: numpy-only users never pay torch's import time

    return torch


class ShallowReLU:
    """One hidden layer of ReLUs: ``f(x) = c + B relu(W x + b)``.

    Parameters
    ----------
    W : array, shape (m, r)
        Input weights of the ``m`` hidden units.  A 1-D array of length ``m``
        means ``r = 1``.
    b : array, shape (m,)
        Hidden biases.
    B : array, shape (m,) or (k, m)
        Output weights.  A 1-D ``B`` gives a scalar network whose output has
        shape ``(n,)``; a 2-D ``B`` gives ``k`` outputs, shape ``(n, k)``.
    c : float or array, shape (k,)
        Output bias (the constant unit of the paper's constructions).
    """

    def __init__(self, W, b, B, c=0.0):
        W = as_array(W, "W", ndim=(1, 2))
        if W.ndim == 1:
            W = W[:, None]
        m, r = W.shape
        if r == 0:
            raise ValueError("W must have at least one column (one input), got shape " f"{W.shape}")
        b = as_array(b, "b", ndim=1)
        if b.shape != (m,):
            raise ValueError(f"b must have shape ({m},) to match W's {m} rows, got {b.shape}")
        B = as_array(B, "B", ndim=(1, 2))
        if B.shape[-1] != m:
            raise ValueError(f"B must have {m} columns (one per hidden unit), got shape {B.shape}")
        self.scalar_output = B.ndim == 1
        k = 1 if B.ndim == 1 else B.shape[0]
        c = as_array(c, "c", ndim=(0, 1))
        if c.ndim == 0:
            c = np.full(k, float(c))
        elif c.shape != (k,):
            raise ValueError(f"c must be a number or have shape ({k},), got {c.shape}")
        self.W, self.b = W, b
        self.B = B.reshape(k, m)
        self.c = c

    # -- sizes ---------------------------------------------------------------
    @property
    def n_neurons(self) -> int:
        """Number of hidden ReLU units (the constant ``c`` is not counted)."""
        return self.W.shape[0]

    @property
    def input_dim(self) -> int:
        return self.W.shape[1]

    @property
    def output_dim(self) -> int:
        return self.B.shape[0]

    # -- evaluation ------------------------------------------------------------
    def hidden(self, X) -> np.ndarray:
        """Pre-activations ``W x + b`` of the hidden units, shape ``(n, m)``."""
        X = as_points(X, "X", self.input_dim)
        check_budget(8.0 * X.shape[0] * self.n_neurons, f"the ({X.shape[0]}, {self.n_neurons}) pre-activations of X")
        return X @ self.W.T + self.b

    def __call__(self, X) -> np.ndarray:
        """Outputs at the rows of ``X``, computed chunk by chunk over points (bounded memory)."""
        X = as_points(X, "X", self.input_dim)
        if self.input_dim == 1 and X.shape[0] * self.n_neurons > _DIRECT_LIMIT:
            out = _evaluate_sorted(self.W[:, 0], self.b, self.B, self.c, X[:, 0])
            return out[:, 0] if self.scalar_output else out
        out = np.empty((X.shape[0], self.output_dim))
        for rows in _chunks(X.shape[0], self.n_neurons):
            out[rows] = _relu(X[rows] @ self.W.T + self.b) @ self.B.T + self.c
        return out[:, 0] if self.scalar_output else out

    # -- conversions -------------------------------------------------------------
    def to_deep(self) -> "DeepReLU":
        """The same function as a :class:`DeepReLU` with one hidden layer."""
        return DeepReLU([(self.W, self.b), (self.B, self.c)], scalar_output=self.scalar_output)

    def to_torch(self, dtype=None, device=None):
        """A ``torch.nn.Sequential`` (Linear, ReLU, Linear[, Squeeze]) computing the same function.

        ``dtype`` defaults to ``torch.float64`` so that outputs agree with numpy
        to rounding error; ``device`` defaults to :func:`relubook.device`.
        """
        return self.to_deep().to_torch(dtype=dtype, device=device)

    def __repr__(self) -> str:
        out = "scalar" if self.scalar_output else f"{self.output_dim} outputs"
        return f"ShallowReLU({self.input_dim} inputs, {self.n_neurons} ReLUs, {out})"


class DeepReLU:
    """A plain ReLU network: affine layers with ReLU after all but the last.

    Parameters
    ----------
    layers : sequence of (W, b)
        ``W`` of shape ``(fan_out, fan_in)`` and ``b`` of shape ``(fan_out,)``.
        Consecutive layers must chain: ``fan_in`` of one is ``fan_out`` of the
        previous.  The last layer is the (linear) output layer.
    scalar_output : bool, optional
        If the last layer has one output, return shape ``(n,)`` rather than
        ``(n, 1)``.  Defaults to ``True`` for one output.
    """

    @classmethod
    def _trusted(cls, layers, scalar_output: bool) -> "DeepReLU":
        """Build from layers already checked (float arrays that chain): the builders of
        :mod:`relubook.composition` use this so that a network of depth ``d`` costs ``O(d)``."""
        net = cls.__new__(cls)
        net.layers = list(layers)
        net.scalar_output = bool(scalar_output) and net.output_dim == 1
        return net

    def __init__(self, layers: Sequence, scalar_output: bool | None = None):
        if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable) or (
            isinstance(layers, np.ndarray) and layers.ndim == 0
        ):
            raise TypeError(f"layers must be a sequence of (W, b) pairs, got {type(layers).__name__}")
        layers = list(layers)
        if not layers:
            raise ValueError("layers must contain at least one (W, b) pair")
        clean = []
        for i, pair in enumerate(layers):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                if isinstance(pair, np.ndarray) and pair.ndim == 0:
                    raise TypeError(f"layers[{i}] must be a (W, b) pair, got a number")
                raise TypeError(f"layers[{i}] must be a (W, b) pair, got {type(pair).__name__}")
            W = as_array(pair[0], f"layers[{i}] W", ndim=2)
            b = as_array(pair[1], f"layers[{i}] b", ndim=(0, 1)).reshape(-1)
            if b.shape != (W.shape[0],):
                raise ValueError(f"layers[{i}] b must have shape ({W.shape[0]},) to match W, got {b.shape}")
            if clean and W.shape[1] != clean[-1][0].shape[0]:
                raise ValueError(
                    f"layers[{i}] W takes {W.shape[1]} inputs but layer {i - 1} has {clean[-1][0].shape[0]} outputs"
                )
            clean.append((W, b))
        self.layers = clean
        if scalar_output is None:
            scalar_output = self.output_dim == 1
        if not isinstance(scalar_output, (bool, np.bool_)):
            raise TypeError(f"scalar_output must be True, False or None, got {type(scalar_output).__name__}")
        if scalar_output and self.output_dim != 1:
            raise ValueError(f"scalar_output=True needs one output, the last layer has {self.output_dim}")
        self.scalar_output = bool(scalar_output)

    # -- sizes ---------------------------------------------------------------
    @property
    def widths(self) -> list[int]:
        """Widths of the hidden layers."""
        return [W.shape[0] for W, _ in self.layers[:-1]]

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.layers) - 1

    @property
    def n_neurons(self) -> int:
        """Total number of hidden ReLU units."""
        return int(sum(self.widths))

    @property
    def input_dim(self) -> int:
        return self.layers[0][0].shape[1]

    @property
    def output_dim(self) -> int:
        return self.layers[-1][0].shape[0]

    # -- evaluation ------------------------------------------------------------
    def pre_activations(self, X) -> list[np.ndarray]:
        """Pre-activations of every hidden layer, each of shape ``(n, width)``."""
        H = as_points(X, "X", self.input_dim)
        check_budget(8.0 * H.shape[0] * self.n_neurons, f"the pre-activations of the {H.shape[0]} points X")
        out = []
        for W, b in self.layers[:-1]:
            with np.errstate(over="ignore", invalid="ignore"):
                Z = H @ W.T + b
            if not np.all(np.isfinite(Z)):
                raise ValueError("X is too large for this network: its pre-activations overflow float64")
            out.append(Z)
            H = _relu(Z)
        return out

    def __call__(self, X) -> np.ndarray:
        """Outputs at the rows of ``X``, computed chunk by chunk over points (bounded memory)."""
        X = as_points(X, "X", self.input_dim)
        out = np.empty((X.shape[0], self.output_dim))
        width = max([self.input_dim, self.output_dim] + self.widths)
        for rows in _chunks(X.shape[0], width):
            H = X[rows]
            for W, b in self.layers[:-1]:
                H = _relu(H @ W.T + b)
            W, b = self.layers[-1]
            out[rows] = H @ W.T + b
        return out[:, 0] if self.scalar_output else out

    # -- conversions -------------------------------------------------------------
    def to_torch(self, dtype=None, device=None):
        """A ``torch.nn.Sequential`` of Linear/ReLU layers with the same weights.

        ``dtype`` defaults to ``torch.float64``; ``device`` to :func:`relubook.device`.
        A scalar network ends with a module that squeezes the last axis.
        """
        torch = _torch()
        dtype = check_dtype(dtype, "dtype")
        device = check_device(device, "device")
        mods = []
        for i, (W, b) in enumerate(self.layers):
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=dtype, device=device)
            with torch.no_grad():
                lin.weight.copy_(torch.as_tensor(W, dtype=dtype))
                lin.bias.copy_(torch.as_tensor(b, dtype=dtype))
            mods.append(lin)
            if i < len(self.layers) - 1:
                mods.append(torch.nn.ReLU())
        if self.scalar_output:
            from .device import Squeeze

            mods.append(Squeeze())
        return torch.nn.Sequential(*mods)

    @classmethod
    def from_torch(cls, module) -> "DeepReLU":
        """Read an ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers back.

        ReLU must follow every Linear layer but the last and appear nowhere
        else; a trailing squeeze module (as written by :meth:`to_torch`) is
        allowed.
        """
        torch = _torch()
        if not isinstance(module, torch.nn.Sequential):
            raise TypeError(f"module must be a torch.nn.Sequential of Linear/ReLU layers, got {type(module).__name__}")
        layers, expect_relu = [], False
        children = list(module)
        for i, child in enumerate(children):
            name = type(child).__name__
            if isinstance(child, torch.nn.Linear):
                if expect_relu:
                    raise ValueError(f"module[{i}] is a Linear layer directly after another; ReLU expected between")
                if child.bias is None:
                    b = np.zeros(child.out_features)
                else:
                    b = child.bias.detach().cpu().double().numpy()
                layers.append((child.weight.detach().cpu().double().numpy(), b))
                expect_relu = True
            elif isinstance(child, torch.nn.ReLU):
                if not expect_relu:
                    raise ValueError(f"module[{i}] is a ReLU that does not follow a Linear layer")
                expect_relu = False
            elif name == "Squeeze" and i == len(children) - 1:
                pass  # written by to_torch for scalar networks; DeepReLU squeezes by default
            else:
                raise ValueError(f"module[{i}] is {name}; only Linear and ReLU layers can be read")
        if not layers:
            raise ValueError("module contains no Linear layer")
        if not expect_relu:
            raise ValueError("module ends with a ReLU; the last layer must be Linear")
        return cls(layers)

    def __repr__(self) -> str:
        return f"DeepReLU({self.input_dim} inputs, hidden widths {self.widths}, {self.output_dim} outputs)"
