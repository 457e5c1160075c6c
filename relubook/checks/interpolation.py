"""Checkers for Part III, "Fitting data" (chapter on exact interpolation).

Each follows the contract of :mod:`relubook.checks._core`.
"""

from __future__ import annotations

import numpy as np

from ..validate import check_int, check_real
from ._core import Reject, array, call, checker, parameter

__all__ = ["check_fit", "check_direction"]

#: The most numbers (entries of X) these checkers take: larger data cannot be checked in the time limit.
MAX_ENTRIES = 10**6


def _is_torch_module(net) -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return isinstance(net, torch.nn.Module)


def _evaluate(net, X):
    """Evaluate a relubook network, a torch module or a plain callable on X, as float64 numpy."""
    if _is_torch_module(net):
        import torch

        p = next(iter(net.parameters()), None)
        dtype = p.dtype if p is not None and p.dtype.is_floating_point else torch.float64
        dev = p.device if p is not None else None
        with torch.no_grad():
            return call(net, torch.as_tensor(X, dtype=dtype, device=dev), what="your network")
    if not callable(net):
        raise Reject(f"net must be a network or a function of X, got {type(net).__name__}")
    return call(net, X, what="your network")


def _hidden_units(net, n_out: int):
    """Hidden ReLUs of a relubook network or a torch module (None when they cannot be counted)."""
    units = getattr(net, "n_neurons", None)
    if isinstance(units, (int, np.integer)):
        return int(units)
    if _is_torch_module(net):
        import torch

        linear = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
        if linear:
            return sum(m.out_features for m in linear) - n_out
    return None


@checker("exact fit")
def check_fit(fb, net, X, Y, max_units: int | None = None, tol: float = 1e-8):
    """Check that ``net`` fits the points exactly: ``max |net(X) - Y| <= tol * max(1, max |Y|)``.

    ``net`` may be a :class:`relubook.ShallowReLU`, a :class:`relubook.DeepReLU`, a
    ``torch.nn.Module`` or any callable.  ``max_units`` (optional) bounds the number of hidden
    ReLUs.  At most 10^6 numbers in X are checked.
    """
    tol = parameter(check_real, tol, "tol", nonnegative=True)
    if max_units is not None:
        max_units = parameter(check_int, max_units, "max_units", minimum=0)
    X = array(X, "X", max_size=MAX_ENTRIES)
    Y = array(Y, "Y", max_size=MAX_ENTRIES)
    if X.ndim not in (1, 2) or Y.ndim not in (1, 2) or X.shape[0] == 0 or X.shape[0] != Y.shape[0]:
        raise Reject(f"X must have one row per point and Y one value (or row) per point; got X of shape "
                     f"{X.shape} and Y of shape {Y.shape}")
    Xin = X[:, None] if X.ndim == 1 else X
    raw = _evaluate(net, Xin)  # first, so that no line passes for an answer that is not a network
    if raw is None:
        raise Reject("your network returned None")
    fb.expect(True, f"{X.shape[0]} points and {Y.shape[0]} values.", "")
    out = array(raw, "the network's output", max_size=MAX_ENTRIES)
    if out.size != Y.size:
        raise Reject(f"The network returns {out.shape} values for targets of shape {Y.shape}; check the output size.")
    fb.expect(True, "The network returns one value per data value.", "")
    out = out.reshape(Y.shape)
    err = np.abs(out - Y)
    scale = max(1.0, float(np.abs(Y).max()))
    worst = int(np.argmax(err.reshape(Y.shape[0], -1).max(axis=1)))
    fb.expect(float(err.max()) <= tol * scale,
              f"Exact fit: largest error {float(err.max()):.1e} <= {tol:g} x {scale:g}.",
              f"Not exact: the largest error is {float(err.max()):.3g}, at point {worst}. "
              "Check the slope on each interval between consecutive projected points.")
    if max_units is not None:
        units = _hidden_units(net, 1 if Y.ndim == 1 else Y.shape[1])
        if units is None:
            raise Reject("the checker cannot count the hidden ReLUs of a plain function: give a relubook "
                         "ShallowReLU or DeepReLU, or a torch module built from nn.Linear layers")
        fb.expect(units <= max_units, f"{units} hidden ReLUs, within the budget of {max_units}.",
                  f"Your network uses {units} hidden ReLUs; the budget is {max_units}. Can knots be merged?")


@checker("separating direction")
def check_direction(fb, w, X):
    """Check that the projections ``w . x_i`` of the rows of ``X`` are pairwise distinct (at most 10^6 numbers in X)."""
    X = array(X, "X", max_size=MAX_ENTRIES)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0:
        raise Reject(f"X must be a list of points (one row each), got shape {X.shape}")
    w = array(w, "w", max_size=MAX_ENTRIES).reshape(-1)
    if not fb.expect(w.shape == (X.shape[1],), f"w has {w.size} entries.", f"w must have {X.shape[1]} entries, got {w.size}."):
        return
    if not fb.expect(bool(np.any(w != 0)), "w is a finite non-zero vector.", "w must be non-zero."):
        return
    t = X @ w
    if t.size < 2:
        fb.expect(True, "One point: its projection is trivially distinct.", "")
        return
    order = np.argsort(t, kind="stable")
    gaps = np.diff(t[order])
    if np.all(gaps > 0):
        fb.expect(True, f"All {t.size} projections are distinct (smallest gap "
                        f"{gaps.min() / np.linalg.norm(w):.3g} per unit length of w).", "")
    else:
        k = int(np.argmin(gaps))
        i, j = sorted((int(order[k]), int(order[k + 1])))
        fb.fail(f"Points {i} and {j} have the same projection {t[i]:g}: w is orthogonal to x_{i} - x_{j}.")
