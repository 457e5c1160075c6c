"""Checkers for Part III, "Fitting data" (chapter on exact interpolation)."""

from __future__ import annotations

import numpy as np

from ._core import Feedback

__all__ = ["check_fit", "check_direction"]


def _evaluate(net, X):
    """Evaluate a relubook network, a torch module or a plain callable on X, as float64 numpy."""
    if hasattr(net, "parameters") and hasattr(net, "forward"):  # a torch module
        import torch

        p = next(iter(net.parameters()), None)
        dtype = p.dtype if p is not None else torch.float64
        dev = p.device if p is not None else None
        with torch.no_grad():
            out = net(torch.as_tensor(X, dtype=dtype, device=dev))
        return out.detach().cpu().double().numpy()
    return np.asarray(net(X), dtype=float)


def check_fit(net, X, Y, max_units: int | None = None, tol: float = 1e-8) -> Feedback:
    """Check that ``net`` fits the points exactly: ``max |net(X) - Y| <= tol * max(1, max |Y|)``.

    ``net`` may be a :class:`relubook.ShallowReLU`, a :class:`relubook.DeepReLU`,
    a ``torch.nn.Module`` or any callable.  ``max_units`` (optional) bounds the
    number of hidden ReLUs.  Prints one line per test and returns the
    :class:`Feedback`.
    """
    fb = Feedback("exact fit")
    try:
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
    except (TypeError, ValueError):
        fb.expect(False, "", "X and Y must be arrays of numbers.")
        return fb.report()
    Xin = X[:, None] if X.ndim == 1 else X
    if not fb.expect(
        X.ndim in (1, 2) and X.shape[0] == Y.shape[0] and X.shape[0] > 0,
        f"{X.shape[0]} points and {Y.shape[0]} values.",
        "X must have one row per point and Y one value (or row) per point.",
    ):
        return fb.report()
    if not fb.expect(np.all(np.isfinite(X)) and np.all(np.isfinite(Y)), "The data are finite.", "X or Y contains NaN or inf."):
        return fb.report()
    try:
        out = _evaluate(net, Xin)
    except Exception as exc:  # the student's object may fail in any way; report it
        fb.expect(False, "", f"Evaluating your network on X failed: {type(exc).__name__}: {exc}")
        return fb.report()
    if not fb.expect(
        out.size == Y.size,
        "The network returns one value per data value.",
        f"The network returns {out.shape} values for targets of shape {Y.shape}; check the output size.",
    ):
        return fb.report()
    out = out.reshape(Y.shape)
    err = np.abs(out - Y)
    scale = max(1.0, float(np.abs(Y).max()))
    worst = int(np.argmax(err.reshape(Y.shape[0], -1).max(axis=1)))
    fb.expect(
        bool(np.all(np.isfinite(out))) and float(err.max()) <= tol * scale,
        f"Exact fit: largest error {float(err.max()):.1e} <= {tol:g} x {scale:g}.",
        f"Not exact: the largest error is {float(np.nanmax(err)):.3g}, at point {worst}. "
        "Check the slope on each interval between consecutive projected points.",
    )
    if max_units is not None:
        units = getattr(net, "n_neurons", None)
        if units is None and hasattr(net, "parameters"):
            import torch

            units = sum(m.out_features for m in net if isinstance(m, torch.nn.Linear)) - (1 if Y.ndim == 1 else Y.shape[1])
        fb.expect(
            units is not None and units <= max_units,
            f"{units} hidden ReLUs, within the budget of {max_units}.",
            f"Your network uses {units} hidden ReLUs; the budget is {max_units}. Can knots be merged?",
        )
    return fb.report()


def check_direction(w, X) -> Feedback:
    """Check that the projections ``w . x_i`` of the rows of ``X`` are pairwise distinct."""
    fb = Feedback("separating direction")
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    try:
        w = np.asarray(w, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        fb.expect(False, "", "w must be a vector of numbers.")
        return fb.report()
    if not fb.expect(w.shape == (X.shape[1],), f"w has {w.size} entries.", f"w must have {X.shape[1]} entries, got {w.size}."):
        return fb.report()
    if not fb.expect(bool(np.any(w != 0)) and bool(np.all(np.isfinite(w))), "w is a finite non-zero vector.", "w must be finite and non-zero."):
        return fb.report()
    t = X @ w
    order = np.argsort(t, kind="stable")
    gaps = np.diff(t[order])
    ok = bool(np.all(gaps > 0))
    if ok:
        fb.expect(True, f"All {t.size} projections are distinct (smallest gap {gaps.min() / np.linalg.norm(w):.3g} per unit length of w).", "")
    else:
        k = int(np.argmin(gaps))
        i, j = sorted((int(order[k]), int(order[k + 1])))
        fb.expect(False, "", f"Points {i} and {j} have the same projection {t[i]:g}: w is orthogonal to x_{i} - x_{j}.")
    return fb.report()
