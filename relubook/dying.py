"""Dead ReLUs: dying areas, born-dead networks, dead-neuron counts.

* :func:`dying_area` / :func:`dying_fraction`: which points of a data set a neuron's affine map
  sends to the non-positive half-line (the paper's "dying area", erratum E17 for the conventions);
* :func:`born_dead_probability` (the single-input formula ``1 - (1 - 2^-N)^L``) and
  :func:`simulate_born_dead` (its batched Monte Carlo check);
* :func:`domain_born_dead`: Monte Carlo probability that a 1-D-input network is constant on
  ``[-1, 1]`` at initialisation, for He or RAI weights;
* :func:`dead_neurons` and :func:`sparsity`: per hidden layer, which units are zero on every
  row of ``X`` and which fraction of activations is zero;
* :func:`neuron_states`, :func:`nan_neurons`: units whose pre-activation is not finite (a diverged
  run) form their own category, neither dead nor alive.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .device import device as default_device, shifted
from .memo import memoised
from .validate import finite_result, CHUNK_BYTES, as_array, as_points, check_budget, check_choice, check_int, check_real, as_sequence

__all__ = ["dying_area", "dying_fraction", "born_dead_probability", "born_dead_width",
           "simulate_born_dead", "simulate_born_dead_curve", "domain_born_dead", "dead_neurons", "dead_fraction", "sparsity",
           "neuron_states", "nan_neurons", "nan_fraction", "learning_rate_study"]


def dying_area(w, b, X) -> np.ndarray:
    """Boolean mask of the rows ``x`` of ``X`` with ``w . x + b <= 0`` (the neuron outputs 0 there)."""
    w = as_array(w, "w", ndim=1)
    X = as_points(X, "X", len(w))
    b = float(as_array(b, "b", ndim=0))
    return finite_result(lambda: X @ w + b, "X, w and b are too large: w . x + b overflows float64") <= 0


def dying_fraction(W, b, X) -> np.ndarray:
    """For a layer ``x -> ReLU(W x + b)``: the fraction of rows of ``X`` in each neuron's dying area.

    A neuron with fraction 1 is dead on ``X``: its gradient vanishes for every sample.
    """
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", shape=(W.shape[0],))
    X = as_points(X, "X", W.shape[1])
    Z = finite_result(lambda: X @ W.T + b, "X, W and b are too large: W x + b overflows float64")
    return np.mean(Z <= 0, axis=0)


def born_dead_probability(width, depth) -> float:
    """``1 - (1 - 2^-width)^depth``: probability that one nonzero input gives ``h^L(x) = 0``.

    Zero biases, i.i.d. symmetric continuous weights, ``depth`` hidden layers of ``width`` units
    (math.md section 5).
    """
    width = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    return float(-math.expm1(depth * math.log1p(-(2.0 ** -width))))


def born_dead_width(depth, delta) -> int:
    """Smallest width with ``born_dead_probability(width, depth) <= delta``."""
    depth = check_int(depth, "depth", minimum=1)
    from .validate import check_real

    delta = check_real(delta, "delta", low=0.0, high=1.0, open_interval=True)
    N = 1
    while born_dead_probability(N, depth) > delta:
        N += 1
    return N


WORK_LIMIT = 2e8
"""Most random numbers or multiply-adds one Monte Carlo call of this module does before refusing."""


def _check_work(work: float, what: str) -> None:
    if work > WORK_LIMIT:
        raise ValueError(f"{what} would need about {work:.3g} operations, more than the limit {WORK_LIMIT:.0e}; "
                         "use fewer trials or a smaller network")


def simulate_born_dead(width, depth, n_trials=100_000, seed=0, chunk=50_000):
    """Monte Carlo estimate of :func:`born_dead_probability` with its standard error.

    Draws ``n_trials`` networks (standard normal weights, zero biases, input ``x = 1`` in one
    dimension) as one batched tensor program per chunk and returns ``(p_hat, standard_error)``.
    """
    width = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    chunk = check_int(chunk, "chunk", minimum=1)
    _check_work(float(n_trials) * width * (1 + width * (depth - 1)), "simulate_born_dead(width, depth, n_trials)")
    # bounded memory: a chunk holds (chunk, width, width) float32 weights, at most CHUNK_BYTES
    chunk = min(chunk, max(1, CHUNK_BYTES // (4 * width * width)))
    gen = torch.Generator().manual_seed(shifted(seed))
    dead = 0
    done = 0
    while done < n_trials:
        T = min(chunk, n_trials - done)
        h = torch.relu(torch.randn(T, width, generator=gen))  # first layer on x = 1
        for _ in range(depth - 1):
            W = torch.randn(T, width, width, generator=gen)
            h = torch.relu(torch.bmm(W, h.unsqueeze(-1)).squeeze(-1))
        dead += int((h.abs().sum(1) == 0).sum())
        done += T
    p = dead / n_trials
    return p, math.sqrt(max(p * (1 - p), 1e-300) / n_trials)


def simulate_born_dead_curve(width, depths, n_trials=4000, seed=0):
    """:func:`simulate_born_dead` at several depths from one batch of networks.

    Death is absorbing (a zero layer stays zero), so one pass through ``max(depths)`` layers of
    ``n_trials`` networks gives the born-dead event at every smaller depth: each estimate has the
    right distribution, and the cost is that of the deepest one alone.  Returns two arrays,
    ``(p_hat, standard_error)``, in the order of ``depths``.
    """
    width = check_int(width, "width", minimum=1)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    if isinstance(depths, (str, bytes)) or depths is None:
        raise TypeError(f"depths must be a sequence of integers, got {type(depths).__name__}")
    try:
        depths = np.asarray(depths)
    except (TypeError, ValueError):  # a ragged list
        raise ValueError("depths must be a non-empty 1-D sequence of integers >= 1") from None
    if depths.ndim != 1 or depths.size == 0 or not np.issubdtype(depths.dtype, np.integer) or depths.min() < 1:
        raise ValueError(f"depths must be a non-empty 1-D sequence of integers >= 1, got {depths!r}")
    _check_work(float(n_trials) * width * (1 + width * (int(depths.max()) - 1)),
                "simulate_born_dead_curve(width, depths, n_trials)")
    check_budget(4.0 * n_trials * width * width, "simulate_born_dead_curve's batch of weights (n_trials x width^2)")
    dead_at = _born_dead_counts(width, n_trials, seed, int(depths.max()))
    p = np.array([dead_at[int(d) - 1] / n_trials for d in depths])
    return p, np.sqrt(np.maximum(p * (1 - p), 1e-300) / n_trials)


_BORN_DEAD_RUNS: dict = {}  # (width, n_trials, seed) -> [generator, last layer, dead counts by depth]


def _born_dead_counts(width: int, n_trials: int, seed: int, depth: int) -> list:
    """Dead networks after 1, ..., ``depth`` layers (at least): the run of one seed, kept and extended.

    The run is one stream of a seeded generator, layer after layer, so extending a kept run to more
    layers draws exactly what a fresh run would: the counts do not depend on what was asked before.
    A slider move of the born-dead widget therefore computes only the layers never computed yet.
    Runs of up to 2,000,000 numbers per layer are kept (at most 32 of them).
    """
    key = (width, n_trials, shifted(seed))  # the shifted seed: RELUBOOK_SEED may change between calls
    run = _BORN_DEAD_RUNS.get(key)
    if run is None:
        gen = torch.Generator().manual_seed(key[2])
        h = torch.relu(torch.randn(n_trials, width, generator=gen))  # first layer on x = 1
        run = [gen, h, [int((h.abs().sum(1) == 0).sum())]]
        if n_trials * width <= 2_000_000:
            if len(_BORN_DEAD_RUNS) >= 32:
                _BORN_DEAD_RUNS.pop(next(iter(_BORN_DEAD_RUNS)))
            _BORN_DEAD_RUNS[key] = run
    gen, h, dead = run
    while len(dead) < depth:
        W = torch.randn(n_trials, width, width, generator=gen)
        h = torch.relu(torch.bmm(W, h.unsqueeze(-1)).squeeze(-1))
        dead.append(int((h.abs().sum(1) == 0).sum()))
    run[1] = h
    return dead


def domain_born_dead(width, depth, init="he", n_trials=2000, n_points=201, bias_std=0.1, seed=0):
    """Probability that a 1-D-input ReLU net is constant on ``[-1, 1]`` at initialisation.

    ``init="he"``: weights ``N(0, 2/fan_in)``, biases ``N(0, bias_std^2)``; ``init="rai"``: the
    randomized asymmetric initialisation of Lu et al.  A net counts as born dead when its last
    hidden layer takes exactly the same value at all ``n_points`` grid points.  Returns
    ``(p_hat, standard_error)``.
    """
    width = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    check_choice(init, "init", ("he", "rai"))
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    n_points = check_int(n_points, "n_points", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    bias_std = check_real(bias_std, "bias_std", nonnegative=True)
    _check_work(float(n_trials) * width * (n_points + width) * depth, "domain_born_dead(width, depth, n_trials, n_points)")
    check_budget(8.0 * n_trials * width * (n_points + width) * 2, "domain_born_dead's batch (n_trials x width x (n_points + width))")
    gen = torch.Generator().manual_seed(shifted(seed))
    x = torch.linspace(-1, 1, n_points, dtype=torch.float64)
    h = x.view(1, n_points, 1).expand(n_trials, n_points, 1)
    fan_in = 1
    for _ in range(depth):
        if init == "he":
            W = torch.randn(n_trials, width, fan_in, generator=gen, dtype=torch.float64) * math.sqrt(2 / fan_in)
            b = torch.randn(n_trials, width, generator=gen, dtype=torch.float64) * bias_std
        else:
            from .initialization import rai_sample

            W, b = rai_sample(width, fan_in, batch=n_trials, generator=gen, dtype=torch.float64, device="cpu")
        h = torch.relu(torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)))
        fan_in = width
    const = (h == h[:, :1, :]).all(dim=2).all(dim=1)
    p = float(const.double().mean())
    return p, math.sqrt(max(p * (1 - p), 1e-300) / n_trials)


def _hidden_pre_activations(model, X):
    """List of hidden pre-activation arrays for a DeepReLU, nn.Sequential or BatchedMLP."""
    from .nets import DeepReLU
    from .training import BatchedMLP

    if isinstance(model, DeepReLU):
        return model.pre_activations(X), False
    if isinstance(model, BatchedMLP):
        p = model.weights[0]
        Xt = torch.as_tensor(as_points(X, "X", model.widths[0]), dtype=p.dtype, device=p.device)
        with torch.no_grad():
            _, pre = model(Xt, return_hidden=True)
        return [z.cpu().numpy() for z in pre], True
    if isinstance(model, torch.nn.Sequential):
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        if not linears:
            raise ValueError("model contains no Linear layer")
        p = linears[0].weight
        h = torch.as_tensor(as_points(X, "X", linears[0].in_features), dtype=p.dtype, device=p.device)
        pre = []
        children = list(model)
        with torch.no_grad():
            for i, m in enumerate(children):
                h = m(h)
                if isinstance(m, torch.nn.Linear) and any(
                    not isinstance(c, torch.nn.Linear) for c in children[i + 1:i + 2]
                ) and i + 1 < len(children) and any(isinstance(c, torch.nn.Linear) for c in children[i + 1:]):
                    pre.append(h.cpu().numpy())
        return pre, False
    raise TypeError(f"model must be a DeepReLU, a torch.nn.Sequential or a BatchedMLP, got {type(model).__name__}")


def neuron_states(model, X) -> list[np.ndarray]:
    """Per hidden layer, the state of every unit on ``X``: ``"nan"``, ``"dead"`` or ``"alive"``.

    ``"nan"``: the pre-activation is not finite (NaN or infinite) on some row of ``X``, as after a
    diverged run; such a unit is neither dead nor alive.  ``"dead"``: finite and ``<= 0`` on every
    row.  ``"alive"``: the rest.  Shapes as in :func:`dead_neurons`.
    """
    pre, batched = _hidden_pre_activations(model, X)
    axis = 1 if batched else 0
    out = []
    for z in pre:
        bad = ~np.all(np.isfinite(z), axis=axis)
        dead = np.all(z <= 0, axis=axis) & ~bad  # NaN <= 0 is False, so a NaN unit is never "dead"
        out.append(np.where(bad, "nan", np.where(dead, "dead", "alive")))
    return out


def dead_neurons(model, X) -> list[np.ndarray]:
    """Per hidden layer, a boolean array: which units have a finite pre-activation ``<= 0`` on every row of ``X``.

    For ReLU these units output zero on all of ``X``, so no sample moves their weights.
    Units with a non-finite pre-activation are not dead (nor alive): :func:`nan_neurons` marks
    them and :func:`neuron_states` gives all three categories.
    Works for :class:`~relubook.DeepReLU`, ``torch.nn.Sequential`` (Linear + activation
    modules) and :class:`~relubook.training.BatchedMLP` (then each array has shape
    ``(n_models, width)``).
    """
    return [s == "dead" for s in neuron_states(model, X)]


def nan_neurons(model, X) -> list[np.ndarray]:
    """Per hidden layer, a boolean array: which units have a NaN or infinite pre-activation on some row of ``X``."""
    return [s == "nan" for s in neuron_states(model, X)]


def _fraction(states, name):
    frac = np.mean([(s == name).mean(axis=-1) for s in states], axis=0)
    return float(frac) if np.ndim(frac) == 0 else frac


def dead_fraction(model, X):
    """The fraction of hidden units that are dead on ``X`` (:func:`dead_neurons`), averaged over layers.

    A float for one network; an array with one entry per model for a
    :class:`~relubook.training.BatchedMLP`.  A model with a non-finite unit (a diverged run) gets
    NaN: its dead fraction is undefined, and reporting the finite units alone would call a
    diverged network healthy (:func:`nan_fraction` says how much of it is NaN).  Pass it as
    ``record`` to :func:`relubook.training.train_batched` to follow it during training.
    """
    states = neuron_states(model, X)
    frac = np.where(np.asarray(_fraction(states, "nan")) > 0, np.nan, _fraction(states, "dead"))
    return float(frac) if np.ndim(frac) == 0 else frac


def nan_fraction(model, X):
    """The fraction of hidden units with a non-finite pre-activation on ``X``, averaged over layers (as :func:`dead_fraction`)."""
    return _fraction(neuron_states(model, X), "nan")


def sparsity(model, X) -> list[float]:
    """Per hidden layer, the fraction of (sample, unit) pairs with pre-activation ``<= 0``."""
    pre, _ = _hidden_pre_activations(model, X)
    return [float(np.mean(z <= 0)) for z in pre]


def draw_born_dead(ax, width: int = 2, max_depth: int = 40, n_trials: int = 4000, seed: int = 0):
    """Born-dead probability against depth for one width: formula (line) and Monte Carlo (dots)."""
    from .plotting import cycle

    width = check_int(width, "width", minimum=1, maximum=12)
    max_depth = check_int(max_depth, "max_depth", minimum=2)
    L = np.arange(1, max_depth + 1)
    ax.plot(L, [born_dead_probability(width, int(l)) for l in L], label=f"formula, width {width}", **cycle(0))
    ls = np.unique(np.linspace(1, max_depth, 6).astype(int))
    p_hat, se = simulate_born_dead_curve(width, ls, n_trials=n_trials, seed=seed)
    ax.errorbar(ls, p_hat, yerr=3 * se, fmt="o", color=cycle(1)["color"],
                label="Monte Carlo (3 s.e.)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("depth $L$ (hidden layers)")
    ax.set_ylabel("$P(h^L(x) = 0)$")
    ax.legend(fontsize="small", loc="lower right")
    return ax


@memoised
def learning_rate_study(X, y, X_test, y_test, lrs=(0.01, 0.1, 0.3, 1.0), n_seeds: int = 5,
                        widths=(64, 64, 64), epochs: int = 6, seed: int = 0) -> dict:
    """Dead units during SGD training, for every learning rate in ``lrs`` and ``n_seeds`` seeds at once.

    Trains ``len(lrs) * n_seeds`` ReLU networks (hidden ``widths``, He weights) on ``(X, y)`` as
    one batched program (model ``s * len(lrs) + j`` is seed ``s`` of rate ``lrs[j]``) and follows
    :func:`dead_fraction` on ``X`` after every epoch.  Returns a dict of arrays: ``dead`` of shape
    ``(epochs + 1, n_seeds, len(lrs))``, ``test_acc`` and ``diverged`` (a non-finite training
    loss: the network's outputs are NaN or infinite, so its units are neither dead nor alive) of
    shape ``(n_seeds, len(lrs))``, the ``model`` and ``lrs``.
    """
    from .training import BatchedMLP, train_batched

    lrs = [check_real(v, "lrs[i]", positive=True) for v in as_sequence(lrs, "lrs", "learning rates")]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    n_seeds = check_int(n_seeds, "n_seeds", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    X = as_array(X, "X", ndim=2)
    widths = [check_int(w, "widths[i]", minimum=1) for w in as_sequence(widths, "widths", "integers")]
    seed = check_int(seed, "seed", minimum=0)
    y = as_array(y, "y", ndim=1)
    y_test = as_array(y_test, "y_test", ndim=1)
    labels = np.concatenate([y, y_test])
    if labels.size == 0 or np.any(labels < 0) or np.any(labels != np.round(labels)):
        raise ValueError("y and y_test must hold class labels 0, 1, 2, ... (non-negative whole numbers)")
    n_classes = int(labels.max()) + 1
    M, J = n_seeds * len(lrs), len(lrs)
    model = BatchedMLP(M, [X.shape[1], *widths, n_classes], "relu", "he", seed=seed)
    with np.errstate(invalid="ignore", over="ignore"):
        hist = train_batched(model, X, y, epochs=epochs, lr=lrs * n_seeds, X_test=X_test, y_test=y_test,
                             seed=seed, record=lambda m, epoch: dead_fraction(m, X))
    dead = np.asarray(hist["record"], dtype=float).reshape(-1, n_seeds, J)
    diverged = ~np.isfinite(hist["loss"][-1]).reshape(n_seeds, J)
    return {"lrs": lrs, "dead": dead, "test_acc": hist["test_acc"][-1].reshape(n_seeds, J),
            "diverged": diverged, "model": model, "epoch": hist["epoch"]}
