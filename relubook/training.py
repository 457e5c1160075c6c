"""Train many plain MLPs of the same shape as one batched tensor program.

A :class:`BatchedMLP` holds ``n_models`` fully connected networks with identical layer widths
as stacked tensors: layer ``l`` has weights of shape ``(n_models, fan_out, fan_in)`` and one
forward pass is a chain of ``torch.baddbmm`` calls.  Each model may have its own activation
(``"relu"``, ``"leaky_relu"``, ``"sigmoid"``, ``"tanh"``), its own initialisation scheme and
(in :func:`train_batched`) its own learning rate, so a whole grid of configurations (seeds,
activations, initialisations, learning rates) trains in one program.  The models never
interact: the summed loss has block-diagonal gradients.

:func:`train_batched` runs minibatch SGD or Adam with an independent data order per model
and returns the per-epoch history.  :meth:`BatchedMLP.model` extracts one member as an
ordinary ``torch.nn.Sequential`` (used by the per-model benchmark and by
:func:`relubook.dead_neurons`).
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from typing import Callable, Sequence

import numpy as np
import torch

from .device import device as default_device, shifted
from .initialization import sample_layer, schemes
from .memo import memoised
from .validate import MEMORY_BUDGET, as_array, as_sequence, check_budget, check_choice, check_device, check_dtype, check_int, check_real

__all__ = ["ACTIVATIONS", "BatchedMLP", "train_batched", "accuracy", "grid_values", "train_grid", "seeds_table",
           "DEPTH_SCALES", "depth_grid", "depth_study", "depth_summary",
           "DEPTH_ACTIVATIONS", "draw_seed_history"]

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh")
LEAKY_SLOPE = 0.01


def _per_model(value, n_models, name, choices=None):
    """Broadcast a scalar setting to a list of length ``n_models`` (or check a given list)."""
    if isinstance(value, (str, numbers.Number)) or value is None:
        values = [value] * n_models
    else:
        values = list(value)
        if len(values) != n_models:
            raise ValueError(f"{name} must be one value or {n_models} values (one per model), got {len(values)}")
    if choices is not None:
        for v in values:
            check_choice(v, name, choices)
    return values


def _device_budget(device) -> int | None:
    """The memory a batch of models may take: the package's default on the CPU, half the free
    memory of a CUDA device (the paper-scale studies of chapter 10 need several GiB there)."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return max(MEMORY_BUDGET, free // 2)
    return None


class _MixedActivation(torch.autograd.Function):
    """ReLU for the models of ``rect``, ``a * sigmoid(c z) + d`` for the others: the values of
    ``where(rect, relu(z), addcmul(d, a, sigmoid(c z)))`` and the gradient that autograd gives for
    that expression, element for element (the same operations on the same values), in fewer passes:
    autograd masks the incoming gradient once for each branch and adds the two results, where this
    computes both branches' gradients and selects once."""

    @staticmethod
    def forward(ctx, z, rect, a, c, d):
        relu = torch.relu(z)
        s = torch.sigmoid(c * z)
        ctx.save_for_backward(relu, s, rect, a, c)
        return torch.where(rect, relu, torch.addcmul(d, a, s))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        relu, s, rect, a, c = ctx.saved_tensors
        smooth = torch.ops.aten.sigmoid_backward(grad * a, s) * c
        return torch.where(rect, torch.ops.aten.threshold_backward(grad, relu, 0), smooth), None, None, None, None


class BatchedMLP(torch.nn.Module):
    """``n_models`` plain MLPs with layer widths ``widths = [d_in, h_1, ..., h_L, d_out]``.

    ``activation`` and ``init`` are one value or one per model; ``init`` names a scheme of
    :mod:`relubook.initialization` (``"he"`` has gain sqrt 2 whatever the activation, as
    PyTorch's ``kaiming_normal_`` default; ``"lecun"`` is the paper's "gain 1", erratum E20).
    The output layer is linear.
    Parameters are ``weights[l]`` of shape ``(n_models, widths[l+1], widths[l])`` and
    ``biases[l]`` of shape ``(n_models, widths[l+1])``.
    """

    def __init__(self, n_models: int, widths: Sequence[int], activation="relu", init="he", *,
                 seed: int = 0, dtype=torch.float32, device=None):
        super().__init__()
        n_models = check_int(n_models, "n_models", minimum=1)
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
            raise TypeError(f"widths must be a sequence of integers, got {type(widths).__name__}")
        if len(widths) < 2:
            raise ValueError(f"widths must list at least the input and output sizes, got {list(widths)}")
        widths = [check_int(w, f"widths[{i}]", minimum=1) for i, w in enumerate(widths)]
        seed = check_int(seed, "seed", minimum=0)
        self.n_models, self.widths = n_models, widths
        self.activations = _per_model(activation, n_models, "activation", ACTIVATIONS)
        self.inits = _per_model(init, n_models, "init", schemes())
        dtype = check_dtype(dtype, "dtype")
        device = check_device(device, "device")
        check_budget(8.0 * n_models * sum(a * b for a, b in zip(widths[:-1], widths[1:])),
                     "the weights of n_models models of these widths", budget=_device_budget(device))
        gen = torch.Generator(device="cpu").manual_seed(shifted(seed))
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            W = torch.empty(n_models, fan_out, fan_in, dtype=torch.float64)
            b = torch.empty(n_models, fan_out, dtype=torch.float64)
            # one draw per distinct scheme, scattered into the stack
            for key in sorted(set(self.inits)):
                idx = [i for i, k in enumerate(self.inits) if k == key]
                Wg, bg = sample_layer(key, fan_in, fan_out, batch=(len(idx),), generator=gen, device="cpu")
                W[idx], b[idx] = Wg, bg
            self.weights.append(torch.nn.Parameter(W.to(dtype=dtype, device=device)))
            self.biases.append(torch.nn.Parameter(b.to(dtype=dtype, device=device)))
        # one formula for every model: rectifiers as max(z, s z) (s = 0 or the leaky slope),
        # sigmoid and tanh as a * sigmoid(c z) + d (tanh z = 2 sigmoid(2z) - 1)
        table = {"relu": (0.0, 1.0, 1.0, 0.0), "leaky_relu": (LEAKY_SLOPE, 1.0, 1.0, 0.0),
                 "sigmoid": (0.0, 1.0, 1.0, 0.0), "tanh": (0.0, 2.0, 2.0, -1.0)}
        coef = torch.tensor([table[a] for a in self.activations], dtype=dtype, device=device)
        self.register_buffer("_slope", coef[:, 0].view(-1, 1, 1).clone())
        self.register_buffer("_a", coef[:, 1].view(-1, 1, 1).clone())
        self.register_buffer("_c", coef[:, 2].view(-1, 1, 1).clone())
        self.register_buffer("_d", coef[:, 3].view(-1, 1, 1).clone())
        rect = torch.tensor([a in ("relu", "leaky_relu") for a in self.activations], device=device)
        self.register_buffer("_rect", rect.view(-1, 1, 1))
        kinds = set(self.activations)
        self._single = next(iter(kinds)) if len(kinds) == 1 else None
        self._any_leaky = "leaky_relu" in kinds

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.widths) - 2

    def _act(self, z):
        if self._single is not None:
            return _apply(self._single, z)
        if not self._any_leaky:
            return _MixedActivation.apply(z, self._rect, self._a, self._c, self._d)
        rect = torch.maximum(z, self._slope * z)
        smooth = torch.addcmul(self._d, self._a, torch.sigmoid(self._c * z))
        return torch.where(self._rect, rect, smooth)

    def forward(self, X, return_hidden: bool = False):
        """``X`` of shape ``(n, d_in)`` (shared) or ``(n_models, n, d_in)``; output ``(n_models, n, d_out)``.

        With ``return_hidden=True`` also return the list of hidden pre-activations.
        """
        h = X.expand(self.n_models, *X.shape) if X.dim() == 2 else X
        pre = []
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
            if l < last:
                if return_hidden:
                    pre.append(z)
                h = self._act(z)
            else:
                h = z
        return (h, pre) if return_hidden else h

    def model(self, i: int) -> torch.nn.Sequential:
        """Member ``i`` as an ordinary ``nn.Sequential`` with copies of its weights."""
        i = check_int(i, "i", minimum=0, maximum=self.n_models - 1)
        mods = []
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            lin = torch.nn.Linear(W.shape[2], W.shape[1], dtype=W.dtype, device=W.device)
            with torch.no_grad():
                lin.weight.copy_(W[i])
                lin.bias.copy_(b[i])
            mods.append(lin)
            if l < last:
                mods.append(_module(self.activations[i]))
        return torch.nn.Sequential(*mods)

    def __repr__(self) -> str:
        return f"BatchedMLP({self.n_models} models, widths {self.widths[0]}-{self.widths[1:-1] if self.depth < 6 else f'[{self.widths[1]} x {self.depth}]'}-{self.widths[-1]})"


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        pass


def progress_bar(total: int, desc: str, disable: bool):
    """A tqdm bar, or a silent stand-in when it is disabled or tqdm is not installed."""
    if disable:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, leave=False)


def _apply(name, z):
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return torch.nn.functional.leaky_relu(z, LEAKY_SLOPE)
    if name == "sigmoid":
        return torch.sigmoid(z)
    return torch.tanh(z)


def _module(name):
    return {"relu": torch.nn.ReLU(), "leaky_relu": torch.nn.LeakyReLU(LEAKY_SLOPE),
            "sigmoid": torch.nn.Sigmoid(), "tanh": torch.nn.Tanh()}[name]


def _losses(out, y, loss, classes_first: bool = False):
    """Per-model mean loss, shape ``(n_models,)``; ``out`` is ``(M, n, k)``, ``y`` is ``(M, n)`` or ``(M, n, k)``.

    ``classes_first`` (for evaluations, which do not feed back into training) takes the log-softmax
    over the first axis of a ``(k, M, n)`` copy: PyTorch's CPU kernel over a short last axis (ten
    classes) handles one row at a time and is about ten times slower than the same sums laid out
    across rows, and where the two differ, it is by rounding."""
    if loss == "cross_entropy":
        if classes_first:
            logp = torch.log_softmax(out.permute(2, 0, 1).contiguous(), dim=0)
            return -logp.gather(0, y.unsqueeze(0)).squeeze(0).mean(dim=1)
        logp = torch.log_softmax(out, dim=-1)
        return -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1).mean(dim=1)
    return ((out - y) ** 2).reshape(out.shape[0], -1).mean(dim=1)


def _labels(y, name: str, n: int, classes: int, dev):
    """Integer class labels: shape ``(n,)``, values ``0..classes-1``; float labels must be whole."""
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    arr = as_array(y, name, ndim=1)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be integer labels of shape ({n},), got {arr.shape}")
    if arr.size and not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole-number class labels, found {arr[arr != np.round(arr)][0]}")
    if arr.size and (arr.min() < 0 or arr.max() >= classes):
        raise ValueError(f"{name} must hold labels in 0..{classes - 1}")
    return torch.as_tensor(arr.astype(np.int64), device=dev)


def _inputs(model, X, name: str):
    p0 = model.weights[0]
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    Xt = torch.as_tensor(as_array(X, name, ndim=2), dtype=p0.dtype, device=p0.device)
    if Xt.shape[1] != model.widths[0]:
        raise ValueError(f"{name} has {Xt.shape[1]} columns but the models take {model.widths[0]} inputs")
    return Xt


def accuracy(model: BatchedMLP, X, y) -> np.ndarray:
    """Classification accuracy of every member on ``(X, y)``, shape ``(n_models,)``.

    ``X`` and ``y`` may be numpy arrays or torch tensors (on any device)."""
    if not isinstance(model, BatchedMLP):
        raise TypeError(f"model must be a BatchedMLP, got {type(model).__name__}")
    Xt = _inputs(model, X, "X")
    yt = _labels(y, "y", len(Xt), model.widths[-1], Xt.device)
    return _accuracy(model, Xt, yt)


def _accuracy(model, Xt, yt) -> np.ndarray:
    out = _outputs(model, Xt)
    return (out.argmax(-1) == yt.unsqueeze(0)).float().mean(1).cpu().numpy()


#: Evaluation runs over blocks of rows with about this many hidden values per layer: on the CPU one
#: megabyte in float32, so that each layer's temporaries stay in a core's cache; on a GPU far more
#: (256 MB), where each block costs kernel launches and caches are not the point.
EVAL_BLOCK = 2 ** 18
EVAL_BLOCK_GPU = 2 ** 26


def _group_act(kind, z):
    """The activation of one kind, as :meth:`BatchedMLP._act` computes it for a mixed stack: tanh
    as 2 sigmoid(2z) - 1 (the doubling is exact, then one rounding), the others as :func:`_apply`."""
    if kind == "tanh":
        return torch.sigmoid(2 * z).mul_(2).sub_(1)
    return _apply(kind, z)


def _outputs(model, Xt):
    """``model(Xt)`` without gradients, for evaluations.

    Computed a block of rows at a time (:data:`EVAL_BLOCK`, :data:`EVAL_BLOCK_GPU`): on the CPU one
    pass over a large set makes temporaries of many megabytes and is slower.  A stack that mixes activations runs as one
    stack per activation, so that no model computes the other kinds' activations, as
    :meth:`BatchedMLP._act` must when it trains them together.  The operations are those of
    ``model(Xt)`` on fewer values; PyTorch's kernels may round a value differently in a smaller
    tensor (vector tails), so outputs agree to rounding, not always bit for bit
    (``tests/test_training.py``).  Evaluations never feed back into training.  For chapter 10's
    evaluation of 120 networks on 1280 rows: 23 ms against 70 ms for one pass of ``model``.
    """
    M, n = model.n_models, len(Xt)
    last = len(model.weights) - 1
    with torch.no_grad():
        if model._single is not None:
            groups = [(None, None)]
        else:
            kinds = sorted(set(model.activations))
            groups = [(k, torch.tensor([i for i, a in enumerate(model.activations) if a == k],
                                       device=Xt.device)) for k in kinds]
        out = None
        for kind, idx in groups:
            if idx is None:
                weights, biases, act = list(model.weights), list(model.biases), model._act
            else:
                weights = [W.index_select(0, idx) for W in model.weights]
                biases = [b.index_select(0, idx) for b in model.biases]
                act = lambda z, kind=kind: _group_act(kind, z)  # noqa: E731
            m = len(weights[0])
            block = EVAL_BLOCK if Xt.device.type == "cpu" else EVAL_BLOCK_GPU
            rows = max(1, block // (m * max(model.widths[1:])))
            blocks = []
            for i in range(0, n, rows):
                X = Xt[i:i + rows]
                h = X.expand(m, *X.shape)
                for l, (W, b) in enumerate(zip(weights, biases)):
                    z = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
                    h = act(z) if l < last else z
                blocks.append(h)
            res = blocks[0] if len(blocks) == 1 else torch.cat(blocks, dim=1)
            if idx is None:
                return res
            if out is None:
                out = res.new_empty((M, n, res.shape[2]))
            out.index_copy_(0, idx, res)
        return out


def train_batched(model: BatchedMLP, X, y, *, epochs: int, batch_size: int = 32, lr=0.01,
                  optimizer: str = "sgd", loss: str = "cross_entropy", X_test=None, y_test=None,
                  seed: int = 0, record: Callable | None = None, progress: bool | None = None,
                  desc: str = "training", eval_every: int = 1) -> dict:
    """Train every member of ``model`` on ``(X, y)`` at once; return the history.

    ``lr`` is one learning rate or one per model.  Every model sees its own random minibatch
    order (``seed``).  ``loss`` is ``"cross_entropy"`` (integer labels) or ``"mse"``.
    ``record(model, epoch)``, if given, is called at every evaluation; its results are stacked in ``history["record"]``.  ``progress=None`` shows a tqdm bar
    only on an interactive terminal (never in the book build); ``True``/``False`` force it.

    The history holds numpy arrays of shape ``(len(epoch), n_models)``: ``loss`` (training loss
    on the whole training set), and for cross-entropy ``train_acc`` and, with test data,
    ``test_acc``, evaluated before training and then every ``eval_every`` epochs and after the
    last one; ``history["epoch"]`` lists those epochs.
    """
    if not isinstance(model, BatchedMLP):
        raise TypeError(f"model must be a BatchedMLP, got {type(model).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_choice(optimizer, "optimizer", ("sgd", "adam"))
    check_choice(loss, "loss", ("cross_entropy", "mse"))
    seed = check_int(seed, "seed", minimum=0)
    eval_every = check_int(eval_every, "eval_every", minimum=1)
    M = model.n_models
    lrs = [check_real(v, "lr", positive=True) for v in _per_model(lr, M, "lr")]
    p0 = model.weights[0]
    dev, dtype = p0.device, p0.dtype
    Xt = _inputs(model, X, "X")
    if len(Xt) == 0:
        raise ValueError("X must contain at least one row")
    if loss == "cross_entropy":
        yt = _labels(y, "y", len(Xt), model.widths[-1], dev)
    else:
        yt = torch.as_tensor(as_array(y, "y", ndim=(1, 2)), dtype=dtype, device=dev).reshape(len(Xt), -1)
        if len(yt) != len(Xt) or yt.shape[1] != model.widths[-1]:
            raise ValueError(f"y must have shape ({len(Xt)}, {model.widths[-1]}), got {tuple(yt.shape)}")
    if (X_test is None) != (y_test is None):
        given, missing = ("X_test", "y_test") if y_test is None else ("y_test", "X_test")
        raise ValueError(f"{given} was given without {missing}: pass both or neither")
    if X_test is not None and loss != "cross_entropy":
        raise ValueError("X_test and y_test are used for test accuracy, which needs loss='cross_entropy'")
    has_test = X_test is not None
    if has_test:
        Xs = _inputs(model, X_test, "X_test")
        ys = _labels(y_test, "y_test", len(Xs), model.widths[-1], dev)
    lr_t = torch.tensor(lrs, dtype=dtype, device=dev)
    params = list(model.parameters())
    state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params] if optimizer == "adam" else None
    n = len(Xt)
    steps_per_epoch = math.ceil(n / batch_size)
    gen = torch.Generator(device="cpu").manual_seed(shifted(seed))
    hist = {"epoch": [], "loss": [], "train_acc": [], "test_acc": [], "record": []}

    def evaluate(epoch):
        hist["epoch"].append(epoch)
        out = _outputs(model, Xt)
        with torch.no_grad():
            hist["loss"].append(_losses(out, yt.expand(M, *yt.shape), loss, classes_first=True).cpu().numpy())
            if loss == "cross_entropy":
                hist["train_acc"].append((out.argmax(-1) == yt).float().mean(1).cpu().numpy())
                if has_test:
                    hist["test_acc"].append(_accuracy(model, Xs, ys))
        if record is not None:
            hist["record"].append(np.asarray(record(model, epoch)))

    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    evaluate(0)
    step = 0
    with progress_bar(total=epochs * steps_per_epoch, desc=desc, disable=disable) as bar:
        for epoch in range(1, epochs + 1):
            perm = torch.argsort(torch.rand(M, n, generator=gen), dim=1).to(dev)
            for s in range(steps_per_epoch):
                idx = perm[:, s * batch_size:(s + 1) * batch_size]
                xb = Xt[idx]
                yb = yt[idx]
                out = model(xb)
                total = _losses(out, yb, loss).sum()
                grads = torch.autograd.grad(total, params)
                step += 1
                with torch.no_grad():
                    for k, (p, g) in enumerate(zip(params, grads)):
                        shape = (M,) + (1,) * (p.dim() - 1)
                        if optimizer == "sgd":
                            p.sub_(lr_t.view(shape) * g)
                        else:
                            m, v = state[k]
                            m.mul_(0.9).add_(g, alpha=0.1)
                            v.mul_(0.999).addcmul_(g, g, value=0.001)
                            mhat = m / (1 - 0.9**step)
                            vhat = v / (1 - 0.999**step)
                            p.sub_(lr_t.view(shape) * mhat / (vhat.sqrt() + 1e-8))
                bar.update(1)
            if epoch % eval_every == 0 or epoch == epochs:
                evaluate(epoch)
    result = {k: np.stack(v) for k, v in hist.items() if v}
    return result


def draw_history(ax, epochs, values, labels, ylabel: str = "training accuracy", title: str | None = None):
    """Plot one curve per column of ``values`` (shape ``(len(epochs), k)``) against ``epochs``."""
    from .plotting import cycle

    epochs = as_array(epochs, "epochs", ndim=1)
    values = as_array(values, "values", ndim=2, finite=False)
    if values.shape[0] != len(epochs):
        raise ValueError(f"values must have {len(epochs)} rows (one per epoch), got {values.shape[0]}")
    labels = list(labels)
    if len(labels) != values.shape[1]:
        raise ValueError(f"labels must have {values.shape[1]} entries, got {len(labels)}")
    for j, label in enumerate(labels):
        ax.plot(epochs, values[:, j], label=label, **cycle(j))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def draw_seed_history(ax, epochs, values, labels, ylabel: str = "training accuracy", title: str | None = None):
    """One curve per label: the mean over seeds of ``values`` (shape ``(len(epochs), n_seeds, k)``),
    with a band from the smallest to the largest seed; NaN entries (seeds left out) are ignored."""
    from .plotting import cycle

    epochs = as_array(epochs, "epochs", ndim=1)
    values = np.asarray(values, dtype=float)
    if values.ndim != 3 or values.shape[0] != len(epochs):
        raise ValueError(f"values must have shape ({len(epochs)}, n_seeds, k), got {values.shape}")
    labels = list(labels)
    if len(labels) != values.shape[2]:
        raise ValueError(f"labels must have {values.shape[2]} entries, got {len(labels)}")
    for j, label in enumerate(labels):  # NaN marks a seed left out (a diverged run)
        style = cycle(j)
        v = values[:, :, j]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, low, high = np.nanmean(v, axis=1), np.nanmin(v, axis=1), np.nanmax(v, axis=1)
        ax.plot(epochs, mean, label=label, **style)
        ax.fill_between(epochs, low, high, color=style["color"], alpha=0.2, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def train_grid(X, y, grid, *, depth: int, width: int, n_seeds: int, epochs: int, X_test=None, y_test=None,
               batch_size: int = 32, seed: int = 0, desc: str = "grid") -> dict:
    """Train every ``(activation, init, lr)`` of ``grid`` on ``n_seeds`` seeds, all as one batched program.

    The networks are plain MLPs with ``depth`` hidden layers of ``width`` units
    (:class:`BatchedMLP`, minibatch SGD, cross-entropy).  Model ``s * len(grid) + g`` is seed
    ``s`` of configuration ``g``: its own initial weights and data order.  Returns a dict with
    ``grid``, ``n_seeds``, the full ``hist`` of :func:`train_batched` and, for ``"train_acc"``
    and (with test data) ``"test_acc"``, the final values as arrays of shape ``(n_seeds, len(grid))``;
    ``curves[metric]`` has shape ``(len(epochs), n_seeds, len(grid))``.
    """
    grid = as_sequence(grid, "grid", "(activation, init, lr) triples")
    if not grid or any(not (isinstance(g, (tuple, list)) or isinstance(g, np.ndarray) and g.ndim == 1)
                       or len(g) != 3 for g in grid):
        raise ValueError("grid must be a non-empty list of (activation, init, lr) triples")
    n_seeds = check_int(n_seeds, "n_seeds", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    G = len(grid)
    X = as_array(X, "X", ndim=2)
    d_in = X.shape[1]
    y = as_array(y, "y", ndim=1)
    if y_test is not None:
        y_test = as_array(y_test, "y_test", ndim=1)
    labels = np.concatenate([y] + ([y_test] if y_test is not None else []))
    if labels.size == 0 or np.any(labels < 0) or np.any(labels != np.round(labels)):
        raise ValueError("y and y_test must hold class labels 0, 1, 2, ... (non-negative whole numbers)")
    n_classes = int(labels.max()) + 1
    grid = [tuple(g) for g in grid]
    full = grid * n_seeds
    model = BatchedMLP(len(full), [d_in] + [width] * depth + [n_classes], [g[0] for g in full],
                       [g[1] for g in full], seed=seed)
    hist = train_batched(model, X, y, epochs=epochs, batch_size=batch_size, lr=[g[2] for g in full],
                         X_test=X_test, y_test=y_test, seed=seed, desc=desc)
    out = {"grid": grid, "n_seeds": n_seeds, "hist": hist, "curves": {}}
    for metric in ("train_acc", "test_acc"):
        if metric in hist:
            curve = np.asarray(hist[metric]).reshape(len(hist["epoch"]), n_seeds, G)
            out["curves"][metric] = curve
            out[metric] = curve[-1]
    return out


def grid_values(result, metric: str = "test_acc", grid=None) -> dict:
    """The final ``metric`` of every configuration, in %, one value per seed.

    ``result`` is a :func:`train_grid` result, or a history of :func:`train_batched` together with
    ``grid``, the ``(activation, init, lr)`` of each of its models (one seed each).  Returns
    ``{(activation, init, lr): array of per-seed values in %}``.
    """
    if not isinstance(result, dict) or metric not in result:
        raise ValueError(f"result must come from train_grid or train_batched and hold {metric!r}")
    if grid is None:
        if "grid" not in result:
            raise ValueError("grid is required with a train_batched history (a train_grid result holds its own)")
        grid = result["grid"]
        final = np.asarray(result[metric], dtype=float)  # (n_seeds, len(grid))
    else:
        final = np.asarray(result[metric], dtype=float)[-1][None, :]  # last epoch, one seed
    grid = [tuple(g) for g in as_sequence(grid, "grid", "(activation, init, lr) triples")]
    if any(len(g) != 3 for g in grid):
        raise ValueError("grid must list (activation, init, lr) triples")
    if final.ndim != 2 or final.shape[1] != len(grid):
        raise ValueError(f"grid has {len(grid)} entries but result[{metric!r}] has {final.shape[-1]} models")
    return {g: 100 * final[:, k] for k, g in enumerate(grid)}


def seeds_table(result, rows, cols, *, caption: str, label: str, lr=None, init=None, metric: str = "test_acc",
                grid=None):
    """A book table of the final ``metric`` (%) of a grid of runs: the mean over seeds, ``[min, max]``.

    ``result`` is what :func:`grid_values` takes (a :func:`train_grid` result, or a
    :func:`train_batched` history with ``grid``) or its output, ``{(activation, init, lr): per-seed
    values in %}``.  One column per activation in ``cols``; give exactly one of ``lr`` (the rows are
    the initialisations ``rows``) or ``init`` (the rows are the learning rates ``rows``).  With one
    seed a cell is that seed's value.  Returns a :class:`relubook.tables.Table` (numbered, captioned,
    referable as ``{numref}`label```).
    """
    from . import tables

    if (lr is None) == (init is None):
        raise ValueError("give exactly one of lr (rows are initialisations) and init (rows are learning rates)")
    if isinstance(result, dict) and result and all(isinstance(k, tuple) for k in result):
        values = {tuple(k): np.atleast_1d(np.asarray(v, dtype=float)) for k, v in result.items()}
    else:
        values = grid_values(result, metric, grid)
    rows, cols = list(as_sequence(rows, "rows")), list(as_sequence(cols, "cols"))
    if not rows or not cols:
        raise ValueError("rows and cols must be non-empty")
    key = (lambda c, r: (c, r, lr)) if init is None else (lambda c, r: (c, init, r))
    missing = [key(c, r) for r in rows for c in cols if key(c, r) not in values]
    if missing:
        raise ValueError(f"{missing[0]} (activation, init, lr) is not in the grid")
    cells = {c: [values[key(c, r)] for r in rows] for c in cols}

    def cell(v):  # percentages, one decimal each: the columns align on the point

        v = v[np.isfinite(v)]
        if v.size == 0:
            return tables.MISSING
        text = f"{v.mean():.1f}"
        return text if v.size == 1 else f"{text} [{v.min():.1f}, {v.max():.1f}]"

    head = "initialisation" if init is None else "learning rate"
    data = {head: [str(r) if init is None else f"{r:g}" for r in rows]}
    data.update({c: [cell(v) for v in cells[c]] for c in cols})
    return tables.table(data, caption=caption, label=label, units={c: "%" for c in cols},
                        align={c: "right" for c in cols})


#: settings of chapter 10's study per scale: width, seeds, epochs per depth (book: two CPU cores;
#: paper: the source's 50 epochs at width 256, the width being our choice, meant for a GPU)
DEPTH_SCALES = {
    "book": {"width": 16, "n_seeds": 3, "epochs": {50: 4, 101: 3}, "batch_size": 32},
    "paper": {"width": 256, "n_seeds": 5, "epochs": {50: 50, 101: 50}, "batch_size": 32},
}
DEPTH_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def depth_grid(depth: int) -> list:
    """The ``(activation, init, lr)`` configurations of chapter 10's study at ``depth`` (50 or 101).

    Every activation with He, LeCun (the source's "gain 1") and He with PyTorch's default biases
    at learning rate 0.01; at 50 layers also Xavier at 0.01 and the source's first experiment
    (gain 1 at 0.001 and 0.0001); at 101 layers He and gain 1 at the source's 0.001.
    """
    depth = check_int(depth, "depth", minimum=1)
    inits = ("he", "xavier", "lecun", "he-torch-bias") if depth <= 50 else ("he", "lecun", "he-torch-bias")
    grid = [(a, i, 0.01) for a in DEPTH_ACTIVATIONS for i in inits]
    if depth <= 50:
        grid += [(a, "lecun", lr) for a in DEPTH_ACTIVATIONS for lr in (0.001, 0.0001)]
    else:
        grid += [(a, i, 0.001) for a in DEPTH_ACTIVATIONS for i in ("he", "lecun")]
    return grid


@memoised
def depth_study(X, y, X_test, y_test, scale: str = "book", depths=(50, 101), n_seeds: int | None = None,
                seed: int = 0) -> dict:
    """Chapter 10's study: :func:`depth_grid` on ``n_seeds`` seeds at every depth, one program per depth.

    ``scale`` picks :data:`DEPTH_SCALES` (``n_seeds`` overrides its seed count).  Returns
    ``{depth: train_grid result}``; each result also holds ``"epochs"`` and ``"width"``.
    """
    check_choice(scale, "scale", tuple(DEPTH_SCALES))
    st = DEPTH_SCALES[scale]
    n_seeds = st["n_seeds"] if n_seeds is None else check_int(n_seeds, "n_seeds", minimum=1)
    depths = as_sequence(depths, "depths", "depths")
    seed = check_int(seed, "seed", minimum=0)
    out = {}
    for depth in depths:
        depth = check_int(depth, "depths[i]", minimum=1)
        epochs = st["epochs"].get(depth, max(st["epochs"].values()))
        res = train_grid(X, y, depth_grid(depth), depth=depth, width=st["width"], n_seeds=n_seeds,
                         epochs=epochs, X_test=X_test, y_test=y_test, batch_size=st["batch_size"],
                         seed=seed + depth, desc=f"{depth} layers")
        res.update(epochs=epochs, width=st["width"], depth=depth)
        out[depth] = res
    return out


def depth_summary(results: dict, chance: float = 0.12) -> dict:
    """Per-seed facts of :func:`depth_study` that chapter 10 reports and checks (JSON-ready).

    For every depth: final train/test accuracy per configuration (lists over seeds, keyed
    ``"activation/init/lr"``), the best activation per seed at learning rate 0.01, and whether
    ReLU with He weights leaves chance level (training accuracy above ``chance``) per seed.
    """
    if not isinstance(results, dict):
        raise TypeError(f"results must be the dict returned by depth_study, got {type(results).__name__}")
    chance = check_real(chance, "chance", low=0.0, high=1.0)
    summary = {}
    for depth, res in results.items():
        grid, test, train = res["grid"], np.asarray(res["test_acc"]), np.asarray(res["train_acc"])
        configs = {f"{a}/{i}/{lr:g}": {"test_acc": test[:, k].tolist(), "train_acc": train[:, k].tolist()}
                   for k, (a, i, lr) in enumerate(grid)}
        best = []
        for s in range(res["n_seeds"]):
            per_act = {a: max(test[s, k] for k, g in enumerate(grid) if g[0] == a and g[2] == 0.01)
                       for a in DEPTH_ACTIVATIONS}
            best.append(max(per_act, key=per_act.get))
        he = grid.index(("relu", "he", 0.01))
        summary[str(depth)] = {"epochs": int(res["epochs"]), "width": int(res["width"]), "n_seeds": int(res["n_seeds"]),
                               "configs": configs, "best_activation": best,
                               "relu_he_learns": [bool(v > chance) for v in train[:, he]]}
    return summary
