"""Depth by composition: tent maps, sawtooths, Yarotsky's squaring, products.

Every construction returns a :class:`~relubook.nets.DeepReLU`.  Two generic
builders put networks together:

* :func:`compose(outer, inner) <compose>` feeds ``inner``'s output into
  ``outer`` (the affine output layer of ``inner`` is folded into ``outer``'s
  first layer, so no neuron is added);
* :func:`parallel(*nets) <parallel>` runs networks of equal depth side by side
  on concatenated inputs and returns concatenated outputs (block-diagonal
  weights).

Constructions (sources: Telgarsky 2015/16, Yarotsky 2017; see the book's
chapter on composition):

* :func:`tent` -- ``g(x) = 1 - |2x - 1|`` on ``[0, 1]``, 0 outside, in three ReLU forms;
* :func:`sawtooth` -- ``g_s = g o ... o g`` (``s`` times), ``2^s`` pieces on ``[0, 1]``;
* :func:`yarotsky_square` -- ``f_m(x) = x - sum_{s<=m} g_s(x) / 4^s`` on ``[0, 1]``,
  the interpolant of ``x^2`` at ``k / 2^m`` with sup error ``4^-(m+1)``;
* :func:`multiplication_network` -- ``xy`` on ``[-M, M]^2`` with error ``<= M^2 4^-m``;
* :func:`product_network` -- the product of ``k`` numbers in ``[-1, 1]`` by a tree of multiplications;
* :func:`telgarsky_points`, :func:`telgarsky_deep`, :func:`classification_error`,
  :func:`telgarsky_error_bound` -- depth separation on ``2^k`` alternating labels.

Widget callbacks: :func:`draw_sawtooth`, :func:`draw_yarotsky`.
"""

from __future__ import annotations

import numpy as np

from .device import shifted
from .nets import DeepReLU, ShallowReLU
from .validate import as_array, check_budget, check_choice, check_int, check_real, check_size

MAX_DEPTH = 64
"""Largest sawtooth depth: a sawtooth of depth d has 2^d pieces, beyond 2^64 no float grid resolves them."""
MAX_M = 500
"""Largest Yarotsky level m: the terms 4^-m of f_m leave double precision (4^m overflows past m = 511)."""

__all__ = [
    "random_pattern_counts",
    "grid_pattern_count",
    "compose",
    "parallel",
    "affine_network",
    "identity_network",
    "tent",
    "sawtooth",
    "yarotsky_square",
    "square_error",
    "multiplication_network",
    "product_network",
    "telgarsky_points",
    "telgarsky_deep",
    "classification_error",
    "telgarsky_error_bound",
    "draw_sawtooth",
    "draw_yarotsky",
]


def _deep(net, name="net") -> DeepReLU:
    if isinstance(net, DeepReLU):
        return net
    if isinstance(net, ShallowReLU):
        return net.to_deep()
    raise TypeError(f"{name} must be a DeepReLU or ShallowReLU, got {type(net).__name__}")


# -- builders ------------------------------------------------------------------
def affine_network(W, b) -> DeepReLU:
    """The affine map ``x -> W x + b`` as a DeepReLU without hidden layers."""
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=(0, 1)).reshape(-1)
    return DeepReLU([(W, b)], scalar_output=W.shape[0] == 1)


def compose(outer, inner) -> DeepReLU:
    """The network ``x -> outer(inner(x))``; depth adds up, widths are kept.

    ``inner``'s output layer and ``outer``'s first layer are multiplied into one
    affine layer, so the neuron count is the sum of the two counts.
    """
    outer, inner = _deep(outer, "outer"), _deep(inner, "inner")
    if outer.input_dim != inner.output_dim:
        raise ValueError(f"outer takes {outer.input_dim} inputs but inner has {inner.output_dim} outputs")
    (W2, b2), (W1, b1) = outer.layers[0], inner.layers[-1]
    joint = (W2 @ W1, W2 @ b1 + b2)
    layers = inner.layers[:-1] + [joint] + outer.layers[1:]
    return DeepReLU._trusted(layers, scalar_output=outer.scalar_output)


def parallel(*nets) -> DeepReLU:
    """Side by side: input ``(x_1, ..., x_k)`` -> ``(net_1(x_1), ..., net_k(x_k))``.

    All networks must have the same depth (pad with :func:`identity_network`).
    """
    if not nets:
        raise ValueError("parallel needs at least one network")
    nets = [_deep(n, f"nets[{i}]") for i, n in enumerate(nets)]
    depth = nets[0].depth
    if any(n.depth != depth for n in nets):
        raise ValueError(f"parallel networks must have equal depth, got {[n.depth for n in nets]}")
    size = max(sum(n.layers[i][0].shape[0] for n in nets) * sum(n.layers[i][0].shape[1] for n in nets)
               for i in range(depth + 1))
    check_budget(8.0 * size, "a weight matrix of the parallel network (nets)")
    layers = []
    for i in range(depth + 1):
        Ws = [n.layers[i][0] for n in nets]
        rows = sum(W.shape[0] for W in Ws)
        cols = sum(W.shape[1] for W in Ws)
        W = np.zeros((rows, cols))
        r = c = 0
        for M in Ws:
            W[r : r + M.shape[0], c : c + M.shape[1]] = M
            r, c = r + M.shape[0], c + M.shape[1]
        layers.append((W, np.concatenate([n.layers[i][1] for n in nets])))
    return DeepReLU._trusted(layers, scalar_output=len(nets) == 1 and nets[0].scalar_output)


def identity_network(dim: int = 1, depth: int = 1) -> DeepReLU:
    """``x -> x`` on ``R^dim`` with ``depth`` hidden layers of ``2 dim`` units (``x = R(x) - R(-x)``)."""
    dim = check_size(dim, "dim", maximum=4096, reason="the network stores dense (2 dim)^2 weight matrices")
    depth = check_size(depth, "depth", maximum=10_000, reason="one hidden layer per unit of depth")
    check_budget(8.0 * 4 * dim * dim * depth, "identity_network(dim, depth)")
    eye = np.eye(dim)
    first = (np.vstack((eye, -eye)), np.zeros(2 * dim))
    mid = np.block([[eye, -eye], [-eye, eye]])
    layers = [first] + [(mid, np.zeros(2 * dim)) for _ in range(depth - 1)]
    layers.append((np.hstack((eye, -eye)), np.zeros(dim)))
    return DeepReLU(layers, scalar_output=dim == 1)


# -- tent and sawtooth ------------------------------------------------------------
_TENT_FORMS = ("yarotsky", "telgarsky", "mossel")


def tent(form: str = "yarotsky") -> DeepReLU:
    """The tent map ``g`` (``1 - |2x - 1|`` on ``[0, 1]``, zero outside) in one of three ReLU forms.

    * ``"yarotsky"``: ``2R(x) - 4R(x - 1/2) + 2R(x - 1)`` (one hidden layer, 3 units);
    * ``"telgarsky"``: ``R(R(2x) - R(4x - 2))`` (hidden widths 2, 1);
    * ``"mossel"``: ``R(2R(x) - 4R(x - 1/2))`` (hidden widths 2, 1).

    All three equal ``g`` on the whole real line.
    """
    form = check_choice(form, "form", _TENT_FORMS)
    if form == "yarotsky":
        return DeepReLU([(np.ones((3, 1)), np.array([0.0, -0.5, -1.0])), (np.array([[2.0, -4.0, 2.0]]), np.zeros(1))])
    if form == "telgarsky":
        first = (np.array([[2.0], [4.0]]), np.array([0.0, -2.0]))
        second = (np.array([[1.0, -1.0]]), np.zeros(1))
    else:
        first = (np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))
        second = (np.array([[2.0, -4.0]]), np.zeros(1))
    return DeepReLU([first, second, (np.ones((1, 1)), np.zeros(1))])


def sawtooth(depth: int, form: str = "yarotsky") -> DeepReLU:
    """``g_depth = g o g o ... o g``: ``2^(depth-1)`` teeth and exactly ``2^depth`` pieces on ``[0, 1]``.

    With the default form the network has ``depth`` hidden layers of 3 units;
    ``form="telgarsky"`` gives Telgarsky's ``2 depth`` layers of widths 2, 1, 2, 1, ...
    """
    depth = check_size(depth, "depth", maximum=MAX_DEPTH, reason="a sawtooth of depth d has 2^d pieces")
    g = tent(form)
    net = g
    for _ in range(depth - 1):
        net = compose(g, net)
    return net


# -- squaring and products -----------------------------------------------------------
def yarotsky_square(m: int) -> DeepReLU:
    """Yarotsky's ``f_m(x) = x - sum_{s=1}^m g_s(x) / 4^s``, which approximates ``x^2`` on ``[0, 1]``.

    ``f_m`` is the piecewise-linear interpolant of ``x^2`` at the points
    ``k / 2^m``; its sup error on ``[0, 1]`` is exactly ``4^-(m+1)``.  The network
    has ``m`` hidden layers of width 3 (units: the running sum, ``R(g_{s-1})``,
    ``R(g_{s-1} - 1/2)``), so ``3m`` neurons: size ``O(m) = O(log 1/eps)``.
    Valid on ``[0, 1]`` (where every unit's input is non-negative).
    """
    m = check_size(m, "m", maximum=MAX_M, reason="the terms 4^-m of f_m leave double precision (4^m overflows past 511)")
    # layer 1 from x: acc_0 = x, g_0 = x
    layers = [(np.ones((3, 1)), np.array([0.0, 0.0, -0.5]))]
    for s in range(1, m + 1):
        # g_s = 2 u1 - 4 u2 and acc_s = acc_{s-1} - g_s / 4^s, from units (acc, u1, u2)
        row_g = np.array([0.0, 2.0, -4.0])
        row_acc = np.array([1.0, 0.0, 0.0]) - row_g / 4.0**s
        if s < m:
            layers.append((np.vstack((row_acc, row_g, row_g)), np.array([0.0, 0.0, -0.5])))
        else:
            layers.append((row_acc[None, :], np.zeros(1)))
    return DeepReLU(layers)


def square_error(m: int) -> float:
    """The exact sup error ``4^-(m+1)`` of :func:`yarotsky_square` on ``[0, 1]``."""
    m = check_size(m, "m", maximum=MAX_M, reason="4^-(m+1) underflows double precision")
    return 4.0 ** (-(m + 1))


def multiplication_network(M: float, m: int) -> DeepReLU:
    """Approximate ``xy`` for ``|x|, |y| <= M`` (two inputs, one output).

    ``2M^2 [f_m(|x+y| / 2M) - f_m(|x| / 2M) - f_m(|y| / 2M)]`` with Yarotsky's
    ``f_m`` and ``|z| = R(z) + R(-z)``.  The error is at most ``M^2 4^-m``
    (each ``f_m(t) - t^2`` lies in ``[0, 4^-(m+1)]``) and the network returns
    exactly 0 when ``x = 0`` or ``y = 0``.  ``m + 1`` hidden layers, ``6 + 9m`` neurons.
    """
    M = check_real(M, "M", low=1e-150, high=1e150)
    m = check_size(m, "m", maximum=MAX_M, reason="the terms 4^-m of f_m leave double precision (4^m overflows past 511)")
    s = 1.0 / (2 * M)
    rows = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]) * s
    pair = np.array([1.0, 1.0])
    absolute = DeepReLU([(rows, np.zeros(6)), (np.kron(np.eye(3), pair), np.zeros(3))])
    sq = yarotsky_square(m)
    squares = compose(parallel(sq, sq, sq), absolute)
    return compose(affine_network(2 * M * M * np.array([[1.0, -1.0, -1.0]]), [0.0]), squares)


def product_network(k: int, m: int) -> DeepReLU:
    """Approximate ``x_1 x_2 ... x_k`` on ``[-1, 1]^k`` by a balanced tree of :func:`multiplication_network` (``M = 1``).

    Level by level the numbers are multiplied in pairs; an odd one out is
    carried by an identity block of the same depth.  Each multiplication adds
    an error of at most about ``4^-m``, so the total error is at most about
    ``(k - 1) 4^-m``.  Depth ``ceil(log2 k) (m + 1)``.
    """
    k = check_size(k, "k", minimum=2, maximum=1024, reason="the first level alone has 9 k dense units")
    m = check_size(m, "m", maximum=MAX_M, reason="the terms 4^-m of f_m leave double precision (4^m overflows past 511)")
    # the widest layer of the first level: ceil(k/2) blocks of width 9, one dense square matrix
    check_budget(8.0 * (9 * (k // 2 + 1)) ** 2 * (m + 2), f"the dense block-diagonal layers of product_network(k={k}, m={m})")
    mult = multiplication_network(1.0, m)
    net, width = None, k
    while width > 1:
        blocks = [mult] * (width // 2)
        if width % 2:
            blocks.append(identity_network(1, mult.depth))
        level = parallel(*blocks)
        net = level if net is None else compose(level, net)
        width = width // 2 + width % 2
    return DeepReLU._trusted(net.layers, scalar_output=True)


# -- depth separation (Telgarsky) --------------------------------------------------------
def telgarsky_points(k: int):
    """The ``n = 2^k`` points ``x_i = i / 2^k`` with alternating labels ``y_i = i mod 2``."""
    k = check_int(k, "k", minimum=1, maximum=24)
    i = np.arange(2**k)
    return i / 2.0**k, (i % 2).astype(float)


def telgarsky_deep(k: int) -> DeepReLU:
    """Telgarsky's deep classifier: the sawtooth ``g_k`` in his form (2k layers of widths 2, 1).

    ``g_k(i / 2^k) = i mod 2``, so ``1[g_k > 1/2]`` labels every point correctly.
    """
    k = check_size(k, "k", maximum=MAX_DEPTH, reason="a sawtooth of depth k has 2^k pieces")
    return sawtooth(k, form="telgarsky")


def classification_error(net, k: int) -> float:
    """Fraction of Telgarsky's ``2^k`` points misclassified by ``1[net(x) > 1/2]``."""
    x, y = telgarsky_points(k)
    from .regions import as_deep

    pred = (as_deep(net)(x) > 0.5).astype(float)
    return float(np.mean(pred != y))


def telgarsky_error_bound(pieces: int, k: int) -> float:
    """Lower bound ``ceil((n - 1 - t) / 2) / n`` on the error of any continuous classifier with ``t`` pieces.

    ``1[f > 1/2]`` changes at most ``t`` times along the sorted points (once per
    affine piece) while the labels change ``n - 1`` times; every missing change
    costs at least one mistake per two changes.  Returns 0 when ``t >= n - 1``.
    """
    pieces = check_int(pieces, "pieces", minimum=1)
    k = check_int(k, "k", minimum=1, maximum=24)
    n = 2**k
    return max(0, -(-(n - 1 - pieces) // 2)) / n


# -- widget callbacks --------------------------------------------------------------------
def draw_sawtooth(ax, depth: int = 3) -> None:
    """Plot ``g_depth`` on ``[0, 1]`` with its breakpoints (marked while there are at most 127 of them,
    depth 7; deeper, the teeth are denser than the marks) and the piece count in the title."""
    from .regions import linear_pieces

    depth = check_int(depth, "depth", minimum=1, maximum=12)
    net = sawtooth(depth)
    kinks = linear_pieces(net, 0.0, 1.0)
    x = np.concatenate(([0.0], kinks, [1.0]))
    # deeper than 7 the teeth are narrower than a thick line: a thin one keeps them apart on screen
    ax.plot(x, net(x), color="#0072B2", lw=1.5 if len(kinks) <= 127 else 0.5)
    if len(kinks) <= 127:
        ax.plot(kinks, net(kinks), "o", ms=3, color="#D55E00")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$g_s(x)$")  # fixed: a label that moved with the slider would redraw the whole frame
    ax.set_title(f"depth s = {depth}: {len(kinks) + 1} linear pieces")


def draw_yarotsky(ax, m: int = 2) -> None:
    """Plot ``x^2``, Yarotsky's ``f_m`` and the error ``f_m - x^2`` (scaled) on ``[0, 1]``."""
    m = check_int(m, "m", minimum=1, maximum=12)
    net = yarotsky_square(m)
    x = np.linspace(0.0, 1.0, 1025)
    err = net(x) - x**2
    ax.plot(x, x**2, color="#000000", ls="-", lw=1.2, label="$x^2$")
    ax.plot(x, net(x), color="#0072B2", ls="--", label=f"$f_{{{m}}}$")
    ax.plot(x, err * 4.0 ** (m + 1) / 4, color="#D55E00", ls=":", label=r"error $\times 4^{m}$")
    ax.axhline(0.25, color="#999999", lw=0.8, ls="-.")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("$x$")
    ax.legend(loc="upper left")
    ax.set_title(f"$m = {m}$: sup error {err.max():.2e} $= 4^{{-{m + 1}}}$")


def train_shallow_telgarsky(k: int, widths, seeds: int = 3, steps: int = 400, lr: float = 0.02, seed: int = 0):
    """Train one-hidden-layer networks of the given widths on Telgarsky's ``2^k`` alternating points.

    All ``len(widths) * seeds`` networks train together as one batched tensor
    program (narrower networks are masked copies of the widest); full-batch
    Adam on the squared error against the 0/1 labels.  Returns a list of
    ``(width, ShallowReLU)`` pairs.
    """
    import torch

    from .device import device

    widths = [check_int(w, "widths[i]", minimum=1) for w in widths]
    seeds = check_int(seeds, "seeds", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_real(lr, "lr", positive=True)
    dev = device()
    x_np, y_np = telgarsky_points(k)
    E, H = len(widths) * seeds, max(widths)
    gen = torch.Generator().manual_seed(shifted(seed))
    mask = torch.zeros(E, H, dtype=torch.float64)
    for e in range(E):
        mask[e, : widths[e // seeds]] = 1.0
    mask = mask.to(dev)
    # kinks spread over [0, 1]: w ~ +-N(0, 1) scaled, b so that -b/w is uniform in [0, 1]
    w = torch.randn(E, H, generator=gen, dtype=torch.float64) * 4.0
    b = -w * torch.rand(E, H, generator=gen, dtype=torch.float64)
    B = torch.randn(E, H, generator=gen, dtype=torch.float64) * 0.1
    c = torch.full((E, 1), 0.5, dtype=torch.float64)
    params = [p.to(dev).requires_grad_() for p in (w, b, B, c)]
    x = torch.as_tensor(x_np, dtype=torch.float64, device=dev)[None, :, None]
    y = torch.as_tensor(y_np, dtype=torch.float64, device=dev)[None, :]
    from .regions import _one_thread

    opt = torch.optim.Adam(params, lr=lr)
    with _one_thread():
        for _ in range(steps):
            w_, b_, B_, c_ = params
            hidden = torch.relu(x * w_[:, None, :] + b_[:, None, :]) * mask[:, None, :]
            f = (hidden * B_[:, None, :]).sum(-1) + c_
            loss = ((f - y) ** 2).mean(dim=1).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    w_, b_, B_, c_ = (p.detach().cpu().numpy() for p in params)
    out = []
    for e in range(E):
        h = widths[e // seeds]
        out.append((h, ShallowReLU(w_[e, :h], b_[e, :h], B_[e, :h], c_[e, 0])))
    return out


def _cell_centres(n, lo, hi):
    lo, hi = check_real(lo, "lo"), check_real(hi, "hi")
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    n = check_size(n, "n", minimum=10, maximum=2000,
                   reason="the grid has n^2 cells and every cell centre is evaluated")
    t = lo + (np.arange(n) + 0.5) * ((hi - lo) / n)
    XX, YY = np.meshgrid(t, t)
    return np.column_stack((XX.ravel(), YY.ravel()))


def grid_pattern_count(net, n: int = 240, lo: float = -1.0, hi: float = 1.0) -> int:
    """Activation patterns of a two-input network seen at the centres of an ``n x n`` grid of cells
    of ``[lo, hi]^2`` (a lower bound on its regions there; the count that
    :func:`relubook.regions.draw_activation_regions` shows)."""
    from .regions import activation_pattern_ids

    return int(activation_pattern_ids(net, _cell_centres(n, lo, hi)).max()) + 1


def random_pattern_counts(widths, n_nets: int = 20, n: int = 240, lo: float = -1.0, hi: float = 1.0, rng=None) -> np.ndarray:
    """:func:`grid_pattern_count` for ``n_nets`` random two-input networks
    (:func:`relubook.regions.random_deep` with hidden ``widths``, drawn from ``rng``)."""
    from .device import generator
    from .regions import activation_pattern_ids, random_deep

    n_nets = check_int(n_nets, "n_nets", minimum=1)
    rng = generator(rng)
    P = _cell_centres(n, lo, hi)
    return np.array([int(activation_pattern_ids(random_deep(widths, rng, n_in=2), P).max()) + 1
                     for _ in range(n_nets)])
