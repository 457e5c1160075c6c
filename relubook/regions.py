"""Exact linear regions of ReLU networks with one input.

A ReLU network ``f: R -> R^k`` is piecewise affine.  This module finds its
pieces on an interval ``[lo, hi]`` exactly (up to a floating-point tolerance
``tol`` on the position of breakpoints) by *breakpoint propagation*:

* keep sorted breakpoints ``lo = b_0 < ... < b_K = hi``; on every interval
  ``[b_k, b_{k+1}]`` the current layer is affine, ``v(x) = A_k x + C_k``;
* for each hidden layer ``(W, b)`` the pre-activations ``W v + b`` are affine on
  each interval, so the only new kinks are the roots ``-C/A`` that fall strictly
  inside an interval; split there, then apply the 0/1 activation mask of each
  new interval (read at its midpoint);
* the intervals at the end are the *activation regions* along the line
  (maximal intervals of constant activation pattern); merging neighbours on
  which the output map has the same slope gives the *linear pieces* of the
  function.  The second count is never larger than the first.

Everything is vectorised over intervals with numpy, so a network with a million
pieces (``sawtooth(20)``) is counted in a fraction of a second.

Public API
----------
:func:`affine_pieces`
    the pieces themselves (edges, slopes, intercepts) as a :class:`Pieces`.
:func:`linear_pieces`
    the sorted breakpoints of the function strictly inside ``(lo, hi)``.
:func:`count_linear_regions`
    the number of linear pieces (``kind="pieces"``) or activation regions
    (``kind="activation"``) on ``[lo, hi]``.
:func:`grid_count`
    the brute-force count on a dense grid (for tests and benchmarks).
:func:`region_upper_bound`, :func:`montufar_lower_bound`
    ``prod(n_l + 1)`` and Montufar et al.'s ``n^(L-1) (n+1)`` for one input.
:func:`activation_pattern_ids`, :func:`draw_activation_regions`
    the activation-region map of a network with two inputs.

Networks may be given as :class:`~relubook.nets.DeepReLU`,
:class:`~relubook.nets.ShallowReLU` or a ``torch.nn.Sequential`` of
``Linear``/``ReLU`` layers (read with :meth:`DeepReLU.from_torch`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .nets import DeepReLU, ShallowReLU
from .device import generator
from .validate import CHUNK_BYTES, as_points, as_sequence, check_budget, check_choice, check_int, check_interval, check_real

GRID_WORK_LIMIT = 2e9
"""Most unit values (points x units x layers) :func:`grid_count` computes before refusing up front."""

__all__ = [
    "Pieces",
    "as_deep",
    "affine_pieces",
    "linear_pieces",
    "count_linear_regions",
    "grid_count",
    "region_upper_bound",
    "montufar_lower_bound",
    "activation_pattern_ids",
    "draw_activation_regions",
]


class Pieces(NamedTuple):
    """Affine pieces of a one-input network on ``[lo, hi]``.

    ``edges`` has length ``K + 1`` (``edges[0] = lo``, ``edges[-1] = hi``);
    on ``[edges[k], edges[k+1]]`` the network equals ``slopes[k] * x + intercepts[k]``
    (``slopes`` and ``intercepts`` have shape ``(K, k_out)``).
    """

    edges: np.ndarray
    slopes: np.ndarray
    intercepts: np.ndarray

    @property
    def count(self) -> int:
        return len(self.edges) - 1


def as_deep(net) -> DeepReLU:
    """Return ``net`` as a :class:`DeepReLU` (accepts ShallowReLU and torch ``nn.Sequential``)."""
    if isinstance(net, DeepReLU):
        return net
    if isinstance(net, ShallowReLU):
        return net.to_deep()
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if torch is not None and isinstance(net, torch.nn.Module):
        return DeepReLU.from_torch(net)
    raise TypeError(f"net must be a DeepReLU, ShallowReLU or torch.nn.Sequential, got {type(net).__name__}")


def _one_input(net) -> DeepReLU:
    deep = as_deep(net)
    if deep.input_dim != 1:
        raise ValueError(f"net has {deep.input_dim} inputs; exact region counting is for one input only")
    return deep


def _propagate(deep: DeepReLU, lo: float, hi: float, tol: float):
    """Breakpoint propagation; returns (edges, A_out, C_out, changed) before merging.

    ``changed[j]`` says whether the activation pattern differs across the
    interior edge ``edges[j + 1]``.
    """
    eps = tol * (hi - lo)
    edges = np.array([lo, hi])
    A = np.ones((1, 1))
    C = np.zeros((1, 1))
    changed = np.zeros(0, dtype=bool)
    for W, b in deep.layers[:-1]:
        ZA = A @ W.T  # (K, m)
        ZC = C @ W.T + b
        left, right = edges[:-1, None], edges[1:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = -ZC / ZA
        inside = (ZA != 0) & (roots > left + eps) & (roots < right - eps)
        if inside.any():
            # roots of one interval, sorted along the row; rows are already in order
            R = np.where(inside, roots, np.inf)
            R.sort(axis=1)
            valid = np.isfinite(R)
            with np.errstate(invalid="ignore"):  # inf - inf where a row has few roots
                valid[:, 1:] &= np.diff(R, axis=1) > eps  # roots closer than eps are one kink
            table = np.concatenate((edges[:-1, None], R), axis=1)
            keep = np.concatenate((np.ones((len(R), 1), dtype=bool), valid), axis=1)
            is_old = np.broadcast_to(np.arange(keep.shape[1]) == 0, keep.shape)[keep]
            parent = np.repeat(np.arange(len(R)), keep.sum(axis=1))
            edges = np.concatenate((table[keep], edges[-1:]))
            old_changed = np.zeros(len(edges) - 2, dtype=bool)
            old_changed[is_old[1:]] = changed
            changed = old_changed
        else:
            parent = np.arange(len(edges) - 1)
        ZA, ZC = ZA[parent], ZC[parent]
        mid = 0.5 * (edges[:-1] + edges[1:])
        mask = (ZA * mid[:, None] + ZC) > 0
        changed = changed | np.any(mask[1:] != mask[:-1], axis=1)
        A, C = ZA * mask, ZC * mask
    W, b = deep.layers[-1]
    return edges, A @ W.T, C @ W.T + b, changed


def _check_args(lo, hi, tol):
    lo, hi = check_interval(lo, hi)
    tol = check_real(tol, "tol", positive=True)
    return lo, hi, tol


def affine_pieces(net, lo, hi, kind: str = "pieces", tol: float = 1e-11) -> Pieces:
    """The affine pieces of a one-input network on ``[lo, hi]``.

    ``kind="pieces"`` merges neighbouring intervals on which the network has the
    same slope (the linear pieces of the function); ``kind="activation"`` keeps
    one interval per activation region.  ``tol`` is the relative tolerance (times
    ``hi - lo``) under which two breakpoints count as one, and (times the largest
    slope) under which two slopes count as equal.
    """
    deep = _one_input(net)
    lo, hi, tol = _check_args(lo, hi, tol)
    kind = check_choice(kind, "kind", ("pieces", "activation"))
    edges, S, I, changed = _propagate(deep, lo, hi, tol)
    if kind == "activation":
        keep = changed
    else:
        scale = max(1.0, float(np.abs(S).max(initial=0.0)))
        keep = np.any(np.abs(S[1:] - S[:-1]) > tol * 100 * scale, axis=1)
    start = np.concatenate(([0], np.flatnonzero(keep) + 1))
    new_edges = np.concatenate(([edges[0]], edges[1:-1][keep], [edges[-1]]))
    return Pieces(new_edges, S[start], I[start])


def linear_pieces(net, lo, hi, tol: float = 1e-11) -> np.ndarray:
    """Sorted breakpoints (kinks) of the function ``net`` strictly inside ``(lo, hi)``.

    The number of linear pieces on ``[lo, hi]`` is ``len(linear_pieces(...)) + 1``.
    Raises ``ValueError`` for a network with more than one input, ``lo >= hi``
    or non-finite ends.
    """
    return affine_pieces(net, lo, hi, kind="pieces", tol=tol).edges[1:-1].copy()


def count_linear_regions(net, lo, hi, kind: str = "pieces", tol: float = 1e-11) -> int:
    """Number of linear pieces (``kind="pieces"``) or activation regions (``kind="activation"``) on ``[lo, hi]``.

    Exact up to the tolerance ``tol`` (see :func:`affine_pieces`).  A piece is a
    maximal interval on which the function is affine; an activation region a
    maximal interval on which every neuron keeps its on/off state.  Pieces never
    outnumber activation regions.
    """
    return affine_pieces(net, lo, hi, kind=kind, tol=tol).count


def _slopes_and_patterns(deep: DeepReLU, x: np.ndarray):
    """Exact slope and activation pattern at each point of ``x`` (forward-mode)."""
    H = x[:, None]
    D = np.ones_like(H)
    pats = []
    for W, b in deep.layers[:-1]:
        Z = H @ W.T + b
        m = Z > 0
        pats.append(m)
        H = np.where(m, Z, 0.0)
        D = np.where(m, D @ W.T, 0.0)
    W, _ = deep.layers[-1]
    return D @ W.T, np.concatenate(pats, axis=1)


def grid_count(net, lo, hi, n: int, kind: str = "pieces", chunk: int = 1 << 18, offset: float = 0.381966) -> int:
    """Brute-force count on ``n`` grid points of ``[lo, hi]`` (the naive way).

    The points are ``lo + (i + offset) (hi - lo) / n``; the default offset (not a
    simple fraction) keeps grid points off dyadic and other simple kinks.

    Counts changes of the exact slope (``kind="pieces"``) or of the activation
    pattern (``kind="activation"``) between consecutive grid points.  It agrees
    with :func:`count_linear_regions` when every region contains a grid point
    and no two breakpoints share a grid cell.
    """
    deep = _one_input(net)
    lo, hi = check_interval(lo, hi)
    n = check_int(n, "n", minimum=2)
    kind = check_choice(kind, "kind", ("pieces", "activation"))
    chunk = check_int(chunk, "chunk", minimum=2)
    offset = check_real(offset, "offset", low=0.0, high=1.0, open_interval=True)
    work = float(n) * (deep.n_neurons + 1) * max(1, deep.depth)
    if work > GRID_WORK_LIMIT:
        raise ValueError(
            f"grid_count would evaluate n x units = {work:.3g} unit values, more than the limit "
            f"{GRID_WORK_LIMIT:.0e}; use a smaller n or count_linear_regions (exact, no grid)"
        )
    # bounded memory: a chunk holds (points, units) slopes and patterns
    chunk = min(chunk, max(2, CHUNK_BYTES // (32 * (deep.n_neurons + 1))))
    count, prev = 1, None
    h = (hi - lo) / n
    for start in range(0, n, chunk):
        x = lo + (np.arange(start, min(n, start + chunk)) + offset) * h
        S, P = _slopes_and_patterns(deep, x)
        V = P if kind == "activation" else S
        if prev is not None:
            V = np.concatenate((prev, V))
        if kind == "activation":
            diff = np.any(V[1:] != V[:-1], axis=1)
        else:
            scale = max(1.0, float(np.abs(V).max()))
            diff = np.any(np.abs(V[1:] - V[:-1]) > 1e-9 * scale, axis=1)
        count += int(diff.sum())
        prev = V[-1:]
    return count


def region_upper_bound(widths) -> int:
    """``prod(n_l + 1)``: the most regions a one-input network with these hidden widths can have."""
    widths = [check_int(w, "widths", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    out = 1
    for w in widths:
        out *= w + 1
    return out


def montufar_lower_bound(n: int, L: int) -> int:
    """Montufar et al.'s lower bound ``n^(L-1) (n+1)`` for one input, width ``n``, ``L`` hidden layers."""
    n = check_int(n, "n", minimum=1)
    L = check_int(L, "L", minimum=1)
    bits = (L - 1) * n.bit_length() + (n + 1).bit_length()
    if bits > 1 << 20:
        raise ValueError(
            f"L must be at most {(1 << 20) // max(1, n.bit_length()) + 1} for n = {n}: "
            f"n^(L-1) (n+1) would have about {bits} bits, got L = {L}"
        )
    return n ** (L - 1) * (n + 1)


def activation_pattern_ids(net, X) -> np.ndarray:
    """An integer id per point of ``X`` (shape ``(N, d)``): equal ids mean equal activation patterns."""
    deep = as_deep(net)
    X = as_points(X, "X", deep.input_dim)
    units = max(1, deep.n_neurons)
    nbytes = (units + 7) // 8
    check_budget(float(X.shape[0]) * (nbytes + 16), f"the packed activation patterns of the {X.shape[0]} points X")
    packed = np.empty((X.shape[0], nbytes), dtype=np.uint8)
    step = max(1, CHUNK_BYTES // (8 * units))
    for start in range(0, X.shape[0], step):
        rows = slice(start, min(X.shape[0], start + step))
        H, bits = X[rows], []
        for W, b in deep.layers[:-1]:
            Z = H @ W.T + b
            bits.append(Z > 0)
            H = np.maximum(Z, 0.0)
        pat = np.concatenate(bits, axis=1) if bits else np.zeros((H.shape[0], 1), bool)
        packed[rows] = np.packbits(pat, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, nbytes))).reshape(-1)
    _, ids = np.unique(keys, return_inverse=True)
    return ids.reshape(-1)


def draw_activation_regions(ax, net, lo: float = -1.0, hi: float = 1.0, n: int = 300, seed: int = 0) -> int:
    """Colour the square ``[lo, hi]^2`` by activation pattern of a two-input network.

    Regions get shuffled shades of the colour-blind-safe ``cividis`` map and
    their boundaries are drawn in black, so neighbouring regions stay apart in
    grey-scale too.  Returns the number of patterns seen on the grid.
    """
    deep = as_deep(net)
    if deep.input_dim != 2:
        raise ValueError(f"net must have two inputs to draw a region map, got {deep.input_dim}")
    lo, hi = check_interval(lo, hi)
    n = check_int(n, "n", minimum=10)
    t = np.linspace(lo, hi, n)
    XX, YY = np.meshgrid(t, t)
    ids = activation_pattern_ids(deep, np.column_stack((XX.ravel(), YY.ravel()))).reshape(n, n)
    k = int(ids.max()) + 1
    shade = generator(seed).permutation(k) / max(k - 1, 1)
    ax.imshow(shade[ids], origin="lower", extent=(lo, hi, lo, hi), cmap="cividis", vmin=0, vmax=1,
              interpolation="nearest")
    edge = np.zeros((n, n), dtype=bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    ax.imshow(np.ma.masked_where(~edge, edge.astype(float)), origin="lower", extent=(lo, hi, lo, hi),
              cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return k


# -- constructions and experiments -------------------------------------------------------
class _one_thread:
    """Run small batched torch programs on one thread (much faster on a shared CPU), then restore."""

    def __enter__(self):
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.threads)
        return False


def montufar_network(n: int, L: int) -> DeepReLU:
    """Montufar et al.'s construction for one input: ``L - 1`` zig-zag layers of width ``n``, then ``n`` knots.

    Each zig-zag layer folds ``[0, 1]`` onto itself ``n`` times
    (``z = R(n x) - 2R(n x - 1) + 2R(n x - 2) - ...``), so ``L - 1`` of them make
    ``n^(L-1)`` monotone pieces; the last hidden layer puts ``n`` knots at
    ``z = (j + 1/2) / n`` into each.  On ``[0, 1]`` the network has exactly
    ``n^(L-1) (n + 1)`` activation regions; its linear pieces are fewer, because
    the flat stretches on both sides of each valley of ``z`` merge.
    """
    n = check_int(n, "n", minimum=1)
    L = check_int(L, "L", minimum=1)
    j = np.arange(n)
    c = np.where(j == 0, 1.0, 2.0 * (-1.0) ** j)  # zig-zag output weights
    fold_b = -j.astype(float)
    layers = [(np.full((n, 1), float(n)), fold_b)]
    knots = -(j + 0.5)  # R(n z - j - 1/2)
    for _ in range(L - 2):
        layers.append((n * np.outer(np.ones(n), c), fold_b))
    if L > 1:
        layers.append((n * np.outer(np.ones(n), c), knots))
    else:
        layers = [(np.full((n, 1), float(n)), knots)]
    out = 1.0 + np.arange(n)  # distinct non-zero slope changes
    layers.append((out[None, :] * (-1.0) ** j[None, :], np.zeros(1)))
    return DeepReLU(layers)


def random_deep(widths, rng=None, bias_std: float = 0.3, n_in: int = 1) -> DeepReLU:
    """A random network with He-normal weights and ``N(0, bias_std^2)`` biases, one output."""
    widths = [check_int(w, "widths[i]", minimum=1) for w in widths]
    bias_std = check_real(bias_std, "bias_std", nonnegative=True)
    n_in = check_int(n_in, "n_in", minimum=1)
    rng = generator(rng)  # None: the generator rb.seed set
    sizes = [n_in, *widths, 1]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append((rng.normal(size=(b, a)) * np.sqrt(2.0 / a), rng.normal(size=b) * bias_std))
    return DeepReLU(layers)


def budget_widths(budget: int, depth: int) -> list[int]:
    """``depth`` equal hidden widths with ``budget`` neurons in total (``budget`` divisible by ``depth``)."""
    budget = check_int(budget, "budget", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    if budget % depth:
        raise ValueError(f"budget={budget} is not divisible by depth={depth}")
    return [budget // depth] * depth


def init_region_counts(budget: int, depths, n_nets: int, rng=None, lo=-1.0, hi=1.0, bias_std: float = 0.3):
    """Activation regions on ``[lo, hi]`` of ``n_nets`` random networks per depth, ``budget`` neurons each.

    Returns ``{depth: array of counts}`` (the Hanin-Rolnick experiment).
    """
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    rng = generator(rng)  # None: the generator rb.seed set
    out = {}
    for d in depths:
        widths = budget_widths(budget, d)
        out[d] = np.array(
            [count_linear_regions(random_deep(widths, rng, bias_std), lo, hi, "activation") for _ in range(n_nets)]
        )
    return out


def train_region_counts(budget: int, depths, n_nets: int, target, steps: int = 300, lr: float = 3e-3,
                        n_points: int = 128, lo=-1.0, hi=1.0, seed: int = 0):
    """Train ``n_nets`` networks per depth (one batched tensor program per depth) on ``target`` and count regions.

    Full-batch Adam on ``n_points`` equispaced points of ``[lo, hi]``, He-normal
    initialisation.  Returns ``{depth: (counts_before, counts_after, final_mse)}``.
    """
    import torch

    from .device import device

    if not callable(target):
        raise TypeError(f"target must be a function of a numpy array, got {type(target).__name__}")
    steps = check_int(steps, "steps", minimum=1)
    n_nets = check_int(n_nets, "n_nets", minimum=1)
    lr = check_real(lr, "lr", positive=True)
    lo, hi = check_interval(lo, hi)
    dev = device()
    gen = torch.Generator().manual_seed(seed)
    x_np = np.linspace(lo, hi, check_int(n_points, "n_points", minimum=2))
    x = torch.as_tensor(x_np, dtype=torch.float64, device=dev)[None, :, None].expand(n_nets, -1, -1)
    y = torch.as_tensor(np.asarray(target(x_np), dtype=float), dtype=torch.float64, device=dev)[None, :, None]
    out = {}
    for d in depths:
        sizes = [1, *budget_widths(budget, d), 1]
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            W = torch.randn(n_nets, a, b, generator=gen, dtype=torch.float64) * np.sqrt(2.0 / a)
            bb = torch.randn(n_nets, 1, b, generator=gen, dtype=torch.float64) * 0.3
            params += [W.to(dev).requires_grad_(), bb.to(dev).requires_grad_()]

        def nets():
            return [DeepReLU([(params[2 * i][e].detach().cpu().numpy().T, params[2 * i + 1][e, 0].detach().cpu().numpy())
                              for i in range(len(sizes) - 1)]) for e in range(n_nets)]

        before = np.array([count_linear_regions(net, lo, hi, "activation") for net in nets()])
        opt = torch.optim.Adam(params, lr=lr)
        with _one_thread():
            for _ in range(steps):
                h = x
                for i in range(len(sizes) - 1):
                    h = torch.baddbmm(params[2 * i + 1], h, params[2 * i])
                    if i < len(sizes) - 2:
                        h = torch.relu(h)
                loss_each = ((h - y) ** 2).mean(dim=(1, 2))
                opt.zero_grad()
                loss_each.sum().backward()
                opt.step()
        after = np.array([count_linear_regions(net, lo, hi, "activation") for net in nets()])
        out[d] = (before, after, loss_each.detach().cpu().numpy())
    return out
