"""Training compositional networks: pretraining in peaks and scales, then on the raw weights.

The experiment of Milkert, Hyde and Laine (Section 4) compares five kinds of width-4 ReLU
networks with five hidden layers, each fitted to a curve on 500 points of [0, 1] with Adam:

* ``"default"``: PyTorch's ``nn.Linear`` initialisation, then training on the weights;
* ``"rai"``: randomized asymmetric initialisation (Lu et al.), standing in for the source's RAAI,
  whose recipe was not recovered;
* ``"no-pretraining"``: the compositional network of :mod:`relubook.compositional` (tied scales),
  then training on the weights;
* ``"free-scales"``: first training the peaks ``a_i`` and all scales ``s_i`` (the
  *reparameterisation*), then the weights;
* ``"enforced"``: first training the peaks and ``s_0`` with the later scales tied by the
  differentiability condition, then the weights.

:func:`run_study` trains every model of every type on every curve as **one** batched tensor
program: the raw networks live in one :class:`~relubook.training.BatchedMLP` (stacked weights),
the reparameterised ones in stacked tensors of peak logits (``a = sigmoid(theta)`` stays in
(0, 1)) and scales; every step evaluates all of them, sums the per-model losses (their gradients
do not mix) and takes one Adam step per model.  At the switch epoch the pretrained peaks and
scales are written into the raw weights (:func:`compositional_weights`, the batched twin of
:func:`relubook.compositional.compositional_network`) and those models go on training their
weights.  The result (:class:`Study`) holds the per-epoch losses and weight snapshots, from
which the chapter reads tables, pieces (with :mod:`relubook.regions`) and fitted curves.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import torch

from .compositional import compositional_network
from .device import shifted
from .memo import memoised
from .nets import DeepReLU
from .training import BatchedMLP
from .validate import check_budget, as_array, check_bool, check_choice, check_device, check_dtype, check_int, check_real, check_size

__all__ = [
    "TARGETS",
    "NETWORK_TYPES",
    "TYPE_LABELS",
    "ICML_TABLE1",
    "target",
    "wave_sign",
    "starting_peaks",
    "batched_waves",
    "batched_tied_scales",
    "compositional_weights",
    "Study",
    "run_study",
    "BOOK_LR",
    "mse_table",
    "ordering_table",
    "CURVE_MATH",
    "ordering",
    "neuron_bends",
    "draw_mse",
    "draw_interior",
    "draw_pieces",
    "draw_fit",
    "CHOICE_VARIANTS",
    "choices_study",
    "study_summary",
]

#: the four target curves of the source's Section 4, on [0, 1]
TARGETS = {
    "x^3": lambda x: x**3,
    "x^11": lambda x: x**11,
    "tanh(3x)": lambda x: np.tanh(3 * x),
    "sin": lambda x: np.sin(np.pi * x / 2),
}

#: the five network types, in the order of the source's tables
NETWORK_TYPES = ("default", "rai", "no-pretraining", "free-scales", "enforced")

TYPE_LABELS = {
    "default": "Default network",
    "rai": "RAI (for RAAI)",
    "no-pretraining": "No pretraining",
    "free-scales": "Differentiability not enforced",
    "enforced": "Differentiability enforced",
}

#: Table 1 of the ICML 2025 version (x^3 and x^11; MSE), from third-party notes on the paper
#: (math.md section 2.5); the RAAI row is the source's own RAAI, not our RAI.
ICML_TABLE1 = {
    "default": {"min x^3": 2.11e-5, "min x^11": 2.19e-5, "mean x^3": 7.20e-2, "mean x^11": 2.82e-2},
    "rai": {"min x^3": 2.14e-5, "min x^11": 4.40e-5, "mean x^3": 3.97e-2, "mean x^11": 4.12e-2},
    "no-pretraining": {"min x^3": 7.63e-7, "min x^11": 1.86e-5, "mean x^3": 3.89e-5, "mean x^11": 3.56e-4},
    "free-scales": {"min x^3": 1.64e-7, "min x^11": 3.20e-6, "mean x^3": 1.02e-5, "mean x^11": 3.73e-5},
    "enforced": {"min x^3": 7.86e-8, "min x^11": 8.86e-7, "mean x^3": 5.27e-7, "mean x^11": 7.87e-6},
}

_PRETRAINED = ("free-scales", "enforced")
_COMPOSITIONAL = ("no-pretraining", "free-scales", "enforced")
_INIT = {"default": "torch-default", "rai": "rai"}


# -- targets and starting points -----------------------------------------------------
def _curve(name, arg: str = "curve") -> str:
    if not isinstance(name, str):
        raise TypeError(f"{arg} must be a string, one of {', '.join(TARGETS)}; got {type(name).__name__}")
    return check_choice(name, arg, tuple(TARGETS))


def target(name: str, x) -> np.ndarray:
    """Values of the target curve ``name`` (a key of :data:`TARGETS`) at ``x``."""
    name = _curve(name, "name")
    return TARGETS[name](as_array(x, "x"))


def wave_sign(name: str) -> float:
    """``-1`` if the waves are subtracted from ``y = x`` for this target (convex: x^3, x^11), ``+1`` if added."""
    name = _curve(name, "name")
    x = np.linspace(0, 1, 501)
    return -1.0 if np.mean(target(name, x) - x) < 0 else 1.0


def starting_peaks(n_models: int, depth: int = 5, seed: int = 0, low: float = 0.25, high: float = 0.75) -> np.ndarray:
    """Shared starting peaks of the compositional types: ``U(low, high)``, shape ``(n_models, depth)``."""
    n_models = check_int(n_models, "n_models", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    check_budget(8.0 * n_models * depth, "the n_models x depth peaks")
    low = check_real(low, "low", low=0.0, high=1.0, open_interval=True)
    high = check_real(high, "high", low=0.0, high=1.0, open_interval=True)
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}")
    return np.random.default_rng(shifted(seed)).uniform(low, high, (n_models, depth))


# -- the reparameterisation in torch (batched over models) ------------------------------
def _tensor2d(value, name, peaks: bool = False):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of shape (models, depth), got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a real floating tensor, got dtype {value.dtype}")
    if value.dim() != 2 or value.shape[0] == 0 or value.shape[1] == 0:
        raise ValueError(f"{name} must have shape (models, depth), got {tuple(value.shape)}")
    with torch.no_grad():
        if not bool(torch.isfinite(value).all()):
            raise ValueError(f"{name} must be finite")
        if peaks and not bool(((value > 0) & (value < 1)).all()):
            raise ValueError(f"{name} must lie strictly between 0 and 1 (a peak at 0 or 1 divides by zero)")
    return value


def _peak_value(value, name, like):
    """``next_peak``: a number or a tensor broadcastable to ``(M, 1)``, strictly inside (0, 1)."""
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            raise TypeError(f"{name} must be a real number or floating tensor, got dtype {value.dtype}")
        with torch.no_grad():
            if not bool(((value > 0) & (value < 1)).all()):
                raise ValueError(f"{name} must lie strictly between 0 and 1")
        try:
            torch.broadcast_shapes(value.shape, (like.shape[0], 1))
        except RuntimeError:
            raise ValueError(f"{name} must be a number or broadcast to ({like.shape[0]}, 1), got {tuple(value.shape)}") from None
        return value
    return check_real(value, name, low=0.0, high=1.0, open_interval=True)


def batched_waves(x, peaks):
    """Waves ``W_0..W_{d-1}`` of every model: ``x`` of shape ``(n,)``, ``peaks`` ``(M, d)`` -> ``(M, d, n)``."""
    peaks = _tensor2d(peaks, "peaks", peaks=True)
    if not isinstance(x, torch.Tensor) or x.dim() != 1:
        raise TypeError("x must be a one-dimensional torch tensor of points in [0, 1]")
    if not x.is_floating_point():
        raise TypeError(f"x must be a real floating tensor, got dtype {x.dtype}")
    with torch.no_grad():
        if not bool(((x >= 0) & (x <= 1)).all()):
            raise ValueError("x must lie in [0, 1] (and be finite)")
    return _batched_waves(x, peaks)


def _batched_waves(x, peaks):
    w = x.expand(peaks.shape[0], -1)
    out = []
    for i in range(peaks.shape[1]):
        a = peaks[:, i : i + 1]
        w = torch.minimum(w / a, (1 - w) / (1 - a))  # T_a on [0, 1]
        out.append(w)
    return torch.stack(out, dim=1)


def batched_tied_scales(peaks, s0, next_peak: float = 0.5):
    """Scales tied by ``s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}``; ``peaks`` ``(M, d)``, ``s0`` ``(M,)`` -> ``(M, d)``.

    The last scale uses ``next_peak`` for the peak ``a_d`` the network does not have.
    """
    peaks = _tensor2d(peaks, "peaks", peaks=True)
    if not isinstance(s0, torch.Tensor):
        raise TypeError(f"s0 must be a torch tensor of shape ({peaks.shape[0]},), got {type(s0).__name__}")
    if s0.shape != peaks.shape[:1]:
        raise ValueError(f"s0 must be a torch tensor of shape ({peaks.shape[0]},), one first scale per model")
    if not s0.is_floating_point():
        raise TypeError(f"s0 must be a real floating tensor, got dtype {s0.dtype}")
    with torch.no_grad():
        if not bool(torch.isfinite(s0).all()):
            raise ValueError("s0 must be finite")
    next_peak = _peak_value(next_peak, "next_peak", peaks)
    return _tied_scales(peaks, s0, next_peak)


def _tied_scales(peaks, s0, next_peak):
    nxt = torch.as_tensor(next_peak, dtype=peaks.dtype, device=peaks.device).expand(peaks.shape[0], 1)
    ext = torch.cat([peaks, nxt], dim=1)
    ratios = (1 - ext[:, 1:-1]) * ext[:, 2:]
    return s0.unsqueeze(1) * torch.cat([torch.ones_like(s0).unsqueeze(1), torch.cumprod(ratios, dim=1)], dim=1)


def compositional_weights(peaks, scales):
    """Stacked raw weights of the width-4 compositional networks, one per row of ``peaks``/``scales``.

    The batched twin of :func:`relubook.compositional.compositional_network` (the same function,
    in the source's layout with the copy unit ``A W`` rather than the book's shifted ``A (W + 1)``:
    the study trains these raw weights, so the layout is part of the experiment): returns a list of
    ``(W, b)`` with shapes ``(M, fan_out, fan_in)`` and ``(M, fan_out)``, ``d + 1`` layers for
    ``d`` peaks.  Scales must be nonzero.
    """
    peaks = _tensor2d(peaks, "peaks", peaks=True)
    scales = _tensor2d(scales, "scales")
    if scales.shape != peaks.shape:
        raise ValueError(f"scales must have the shape of peaks {tuple(peaks.shape)}, got {tuple(scales.shape)}")
    if bool((scales == 0).any()):
        raise ValueError("scales must all be nonzero (the amplitude of every later wave is |s_i|)")
    return _weights(peaks, scales)


def _weights(peaks, scales):
    M, d = peaks.shape
    amp, sign = scales.abs(), torch.sign(scales)
    if bool((amp == 0).any()):
        raise ValueError("scales must all be nonzero (the amplitude of every later wave is |s_i|)")
    offset = amp.sum(1)
    zero, one = torch.zeros_like(offset), torch.ones_like(offset)
    A1 = amp[:, 0]
    layers = [(torch.stack([one, A1, A1, zero], 1).unsqueeze(2), torch.stack([offset, zero, -A1 * peaks[:, 0], A1], 1))]
    for k in range(1, d):
        al = peaks[:, k - 1]
        rho = amp[:, k] / amp[:, k - 1]
        u, v = 1 / al, -1 / (al * (1 - al))
        sg = sign[:, k - 1]
        rows = [
            torch.stack([one, sg * u, sg * v, zero], 1),
            torch.stack([zero, rho * u, rho * v, zero], 1),
            torch.stack([zero, rho * u, rho * v, -rho * peaks[:, k]], 1),
            torch.stack([zero, zero, zero, rho], 1),
        ]
        layers.append((torch.stack(rows, 1), torch.zeros_like(peaks[:, :1]).expand(M, 4).clone()))
    al, sg = peaks[:, -1], sign[:, -1]
    layers.append((torch.stack([one, sg / al, -sg / (al * (1 - al)), zero], 1).unsqueeze(1), -offset.unsqueeze(1)))
    return layers


# -- the study ----------------------------------------------------------------------------
@dataclass
class Study:
    """Result of :func:`run_study`.

    ``loss[t, c, k, m]`` is the training MSE of model ``m`` of type ``types[k]`` on curve
    ``curves[c]`` before step ``t`` (``t = epochs`` is after the last step); during
    pretraining it is the loss of the reparameterised network.  ``snapshots`` maps an epoch to
    the stacked raw weights of all models at that epoch (for the pretrained types during
    pretraining: the weights that encode their current peaks and scales); ``position[c, k, m]``
    is a model's row in them.  ``peaks``, ``scales`` (shape ``(C, K, M, d)``) and
    ``switch_loss`` (``(C, K, M)``) hold the pretrained models' peaks, scales and loss at the
    end of pretraining (NaN for the other types).
    """

    curves: tuple
    types: tuple
    n_models: int
    depth: int
    epochs: int
    pretrain_epochs: np.ndarray
    lr: np.ndarray
    pretrain_lr: np.ndarray
    next_peak: np.ndarray
    x: np.ndarray
    loss: np.ndarray
    snapshots: dict = field(repr=False)
    position: np.ndarray = field(repr=False)
    peaks: np.ndarray | None = field(default=None, repr=False)
    scales: np.ndarray | None = field(default=None, repr=False)
    switch_loss: np.ndarray | None = field(default=None, repr=False)
    start_peaks: np.ndarray | None = field(default=None, repr=False)
    seconds: float = 0.0

    @property
    def final(self) -> np.ndarray:
        """Final training MSE, shape ``(curves, types, models)``."""
        return self.loss[-1]

    def _index(self, curve, kind):
        curve, kind = _curve(curve), check_choice(kind, "kind", NETWORK_TYPES)
        if curve not in self.curves:
            raise ValueError(f"curve must be one of the study's curves {self.curves}; got {curve!r}")
        if kind not in self.types:
            raise ValueError(f"kind must be one of the study's types {self.types}; got {kind!r}")
        return self.curves.index(curve), self.types.index(kind)

    def mse(self, curve: str, kind: str) -> np.ndarray:
        """Final MSE of the ``n_models`` models of type ``kind`` on ``curve``."""
        c, k = self._index(curve, kind)
        return self.final[c, k]

    def best(self, curve: str, kind: str) -> int:
        """Index of the model with the smallest final MSE."""
        return int(np.argmin(self.mse(curve, kind)))

    def network(self, curve: str, kind: str, model: int, epoch: int | None = None) -> DeepReLU:
        """Model ``model`` of type ``kind`` on ``curve`` as a float64 :class:`DeepReLU` at a snapshot epoch."""
        c, k = self._index(curve, kind)
        model = check_int(model, "model", minimum=0, maximum=self.n_models - 1)
        epoch = self.epochs if epoch is None else check_int(epoch, "epoch", minimum=0, maximum=self.epochs)
        if epoch not in self.snapshots:
            raise ValueError(f"epoch must be a snapshot epoch {sorted(self.snapshots)}; got {epoch}")
        flat = int(self.position[c, k, model])
        return DeepReLU([(W[flat].astype(np.float64), b[flat].astype(np.float64)) for W, b in self.snapshots[epoch]])

    def pieces(self, curve: str, kind: str, epoch: int | None = None, min_width: float = 1e-6) -> np.ndarray:
        """Number of linear pieces of width at least ``min_width`` on [0, 1], for every model of ``kind``.

        The pieces are found exactly (no tolerance) by :func:`relubook.regions.affine_pieces`, for
        the stored float32 weights read as float64.  Rounding the weights to float32 lets a neuron
        that should just touch zero (the copy of a wave at its valleys) dip below it on an interval
        far narrower than float32 resolution; those slivers are real pieces of the stored network,
        and the default ``min_width=1e-6`` leaves them out of the count.  ``min_width=0`` gives the
        exact count of the stored network.  The counts are memoised under ``RELUBOOK_MEMO``
        (:mod:`relubook.memo`), keyed by the stored weights.
        """
        min_width = check_real(min_width, "min_width", nonnegative=True)
        return _stored_pieces([self.network(curve, kind, m, epoch).layers for m in range(self.n_models)], min_width)

    def predictions(self, curve: str, kind: str, model: int, epoch: int | None = None) -> np.ndarray:
        """Outputs of one model on the study's points at a snapshot epoch."""
        return self.network(curve, kind, model, epoch)(self.x)


@memoised
def _stored_pieces(models, min_width: float) -> np.ndarray:
    """:meth:`Study.pieces` for the models' layers (a list of ``(W, b)`` per model, plain data, so
    that the count can be memoised)."""
    from .regions import affine_pieces

    out = []
    for layers in models:
        edges = affine_pieces(DeepReLU(list(layers)), 0.0, 1.0).edges
        out.append(max(1, int(np.sum(np.diff(edges) >= min_width))) if min_width > 0 else len(edges) - 1)
    return np.array(out)


def _checked_list(values, name, allowed):
    if isinstance(values, str):
        values = (values,)
    try:
        values = tuple(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of names from {allowed}, got {type(values).__name__}") from None
    if not values:
        raise ValueError(f"{name} must name at least one of {allowed}")
    for v in values:
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold strings, got {type(v).__name__}")
        check_choice(v, name, allowed)
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a name, got {values}")
    return values


def _adam(params, grads, states, lr, steps, active, betas=(0.9, 0.999), eps=1e-8):
    """One Adam step per model on stacked parameters (model axis first); inactive models do not move."""
    b1, b2 = betas
    t = steps.clamp(min=1)
    c1 = 1 - b1**t
    c2 = 1 - b2**t
    scale = torch.where(active, lr / c1, torch.zeros_like(c1))
    for p, g, (m, v) in zip(params, grads, states):
        shape = (-1,) + (1,) * (p.dim() - 1)
        act = active.view(shape)
        m.copy_(torch.where(act, b1 * m + (1 - b1) * g, m))
        v.copy_(torch.where(act, b2 * v + (1 - b2) * g * g, v))
        p.sub_(scale.view(shape) * m / ((v / c2.view(shape)).sqrt() + eps))


def _forward(weights, biases, x, lo: int, hi: int, chunk: int):
    """Outputs of models ``lo:hi`` on the points ``x`` (shape ``(n,)``), points last: ``(hi - lo, n)``.

    The same networks as :meth:`BatchedMLP.forward`, laid out as ``(models, neurons, points)``
    and evaluated in chunks of models: with width 4 this is several times faster than the
    ``(models, points, neurons)`` layout, and a chunk stays in the CPU cache.
    """
    outs = []
    last = len(weights) - 1
    for s in range(lo, hi, chunk):
        e = min(s + chunk, hi)
        h = torch.relu(torch.addcmul(biases[0][s:e].unsqueeze(2), weights[0][s:e], x.view(1, 1, -1)))
        for layer in range(1, last + 1):
            h = torch.baddbmm(biases[layer][s:e].unsqueeze(2), weights[layer][s:e], h)
            if layer < last:
                h = torch.relu(h)
        outs.append(h[:, 0, :])
    return torch.cat(outs) if len(outs) > 1 else outs[0]


def _per_model(value, n_models, name, check):
    """A scalar or one value per model index ``m`` -> float64 array of length ``n_models``."""
    try:
        scalar = np.ndim(value) == 0
    except (TypeError, ValueError):  # a ragged list: as_array says so, naming the argument
        scalar = False
    if scalar and not isinstance(value, (str, bytes)):
        return np.full(n_models, check(value, name))
    arr = as_array(value, name, ndim=1)
    if arr.shape[0] != n_models:
        raise ValueError(f"{name} must be one value or one per model ({n_models}), got {arr.shape[0]}")
    return np.array([check(float(v), name) for v in arr])


#: learning rates of the raw-weight phase used by the book (Adam's default, and a smaller rate to
#: fine-tune a pretrained network)
BOOK_LR = {"default": 1e-3, "rai": 1e-3, "no-pretraining": 1e-3, "free-scales": 3e-4, "enforced": 3e-4}


@memoised
def run_study(curves=tuple(TARGETS), types=NETWORK_TYPES, *, n_models: int = 30, depth: int = 5,
              epochs: int = 1000, pretrain_epochs=200, lr=None, pretrain_lr=3e-2, next_peak=0.5,
              n_points: int = 500, seed: int = 0, start_peaks=None, snapshot_every: int = 50,
              chunk: int = 100, progress: bool | None = None, device=None, dtype=torch.float32) -> Study:
    """Train ``n_models`` networks of every type in ``types`` on every curve in ``curves``, all at once.

    Every model takes ``epochs`` full-batch Adam steps on the MSE over ``n_points`` evenly
    spaced points of [0, 1].  For the pretrained types the first ``pretrain_epochs`` of them are
    taken on the peak logits and scales (learning rate ``pretrain_lr``), the rest on the raw
    weights.  ``lr`` is the learning rate of the raw-weight steps: one number, a dict from type
    to number, or ``None`` for :data:`BOOK_LR`.  ``next_peak`` stands in for the peak ``a_d`` in
    the last tied scale.  ``pretrain_epochs``, ``pretrain_lr``, ``next_peak`` and a non-dict
    ``lr`` may also be given per model index (arrays of length ``n_models``, the same for every
    curve and type), which runs several settings as one program.  The compositional types start
    from the same peaks (``start_peaks`` of shape ``(n_models, depth)``, default
    :func:`starting_peaks`) with ``s_0 = 0.25 * wave_sign(curve)``.  Weights are kept every
    ``snapshot_every`` epochs, at the switches and at the end; ``chunk`` models are evaluated at
    a time.  ``progress=None`` shows a tqdm bar only on an interactive terminal, ``False`` never
    (as in the book).
    """
    import time

    curves = _checked_list(curves, "curves", tuple(TARGETS))
    types = _checked_list(types, "types", NETWORK_TYPES)
    n_models = check_int(n_models, "n_models", minimum=1)
    depth = check_int(depth, "depth", minimum=1, maximum=20)
    epochs = check_size(epochs, "epochs", maximum=1_000_000, reason="the book trains for 1,000 epochs; a million "
                        "full-batch steps would run for hours")
    M = n_models

    def _epochs(v, name):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return float(check_int(v, name, minimum=0, maximum=epochs))

    switch_m = _per_model(pretrain_epochs, M, "pretrain_epochs", _epochs).astype(int)
    pre_lr_m = _per_model(pretrain_lr, M, "pretrain_lr", lambda v, n: check_real(v, n, positive=True))
    next_m = _per_model(next_peak, M, "next_peak", lambda v, n: check_real(v, n, low=0.0, high=1.0, open_interval=True))
    if lr is None:
        lr = BOOK_LR
    if isinstance(lr, dict):
        for key in lr:
            check_choice(key, "lr", NETWORK_TYPES)
        lr_type = {k: check_real(lr.get(k, 1e-3), "lr", positive=True) for k in types}
        lr_m = None
    else:
        lr_m = _per_model(lr, M, "lr", lambda v, n: check_real(v, n, positive=True))
    n_points = check_size(n_points, "n_points", minimum=2, maximum=1_000_000,
                          reason="every model is trained on all the points in one batch")
    seed = check_int(seed, "seed", minimum=0)
    if start_peaks is None:
        peaks0 = starting_peaks(M, depth, seed=seed)
    else:
        peaks0 = as_array(start_peaks, "start_peaks", shape=(M, depth))
        if np.any((peaks0 <= 0) | (peaks0 >= 1)):
            raise ValueError("start_peaks must lie strictly inside (0, 1)")
    snapshot_every = check_int(snapshot_every, "snapshot_every", minimum=1)
    chunk = check_int(chunk, "chunk", minimum=1)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")
    dtype = check_dtype(dtype, "dtype", default=torch.float32)
    dev = check_device(device, "device")

    start = time.perf_counter()
    C, K = len(curves), len(types)
    # flat model order: models that train raw weights from the start first, the pretrained ones
    # last, so that while every pretrained model is still pretraining the raw ones are one slice
    def is_pre(k, m):
        return types[k] in _PRETRAINED and switch_m[m] > 0

    grid = [(c, k, m) for c in range(C) for k in range(K) for m in range(M)]
    grid.sort(key=lambda ckm: is_pre(ckm[1], ckm[2]))
    total = len(grid)
    position = np.empty((C, K, M), dtype=np.int64)
    for i, (c, k, m) in enumerate(grid):
        position[c, k, m] = i
    pre = [i for i, (c, k, m) in enumerate(grid) if is_pre(k, m)]
    n_raw = total - len(pre)
    inits = [_INIT.get(types[k], "torch-default") for c, k, m in grid]
    net = BatchedMLP(total, [1] + [4] * depth + [1], "relu", inits, seed=seed, dtype=dtype, device=dev)
    x_np = np.linspace(0.0, 1.0, n_points)
    x = torch.tensor(x_np, dtype=dtype, device=dev)
    Y = torch.tensor(np.stack([target(curves[c], x_np) for c, k, m in grid]), dtype=dtype, device=dev)

    def t_(values):
        return torch.tensor(np.asarray(values, dtype=np.float64), dtype=dtype, device=dev)

    signs = t_([wave_sign(curves[c]) for c, k, m in grid])
    nexts = t_([next_m[m] for c, k, m in grid])
    comp = [i for i, (c, k, m) in enumerate(grid) if types[k] in _COMPOSITIONAL]
    if comp:  # compositional initialisation: shared peaks, tied scales, s_0 = +-1/4
        pk = t_(peaks0[[grid[i][2] for i in comp]])
        sc = _tied_scales(pk, 0.25 * signs[comp], nexts[comp].unsqueeze(1))
        with torch.no_grad():
            for W, b, (Wn, bn) in zip(net.weights, net.biases, _weights(pk, sc)):
                W[comp], b[comp] = Wn, bn
    weights, biases = list(net.weights), list(net.biases)
    params = weights + biases
    states = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    steps = torch.zeros(total, dtype=dtype, device=dev)
    lr_t = t_([lr_type[types[k]] if lr_m is None else lr_m[m] for c, k, m in grid])
    raw_active = torch.zeros(total, dtype=torch.bool, device=dev)
    raw_active[:n_raw] = True

    pre_params = []
    if pre:
        pk = t_(peaks0[[grid[i][2] for i in pre]])
        s0 = 0.25 * signs[n_raw:]
        nx = nexts[n_raw:].unsqueeze(1)
        free = torch.tensor([types[grid[i][1]] == "free-scales" for i in pre], device=dev).unsqueeze(1)
        theta = torch.logit(pk).requires_grad_(True)  # peaks a = sigmoid(theta) stay in (0, 1)
        s0_p = s0.clone().requires_grad_(True)
        s_free = _tied_scales(pk, s0, nx).requires_grad_(True)  # free scales start tied
        pre_params = [theta, s0_p, s_free]
        pre_states = [(torch.zeros_like(p), torch.zeros_like(p)) for p in pre_params]
        pre_steps = torch.zeros(len(pre), dtype=dtype, device=dev)
        pre_lr = t_([pre_lr_m[grid[i][2]] for i in pre])
        switch_at = np.array([switch_m[grid[i][2]] for i in pre])
        Y_pre = Y[n_raw:]

        def reparam():
            a = torch.sigmoid(theta)
            return a, torch.where(free, s_free, _tied_scales(a, s0_p, nx))

    losses = np.empty((epochs + 1, total))
    snapshots = {}
    sw_peaks = np.full((total, depth), np.nan)
    sw_scales = np.full((total, depth), np.nan)
    sw_loss = np.full(total, np.nan)

    def snapshot(epoch, pending):
        with torch.no_grad():
            Ws = [(W.detach().clone(), b.detach().clone()) for W, b in zip(weights, biases)]
            if pending.any():
                a, s = reparam()
                idx = np.flatnonzero(pending)
                for (W, b), (Wn, bn) in zip(Ws, _weights(a[idx], s[idx])):
                    W[n_raw + idx], b[n_raw + idx] = Wn, bn
            snapshots[epoch] = [(W.cpu().numpy(), b.cpu().numpy()) for W, b in Ws]

    from .training import progress_bar

    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    with progress_bar(total=epochs, desc="compositional study", disable=disable) as bar:
        for t in range(epochs + 1):
            pending = (switch_at > t) if pre else np.zeros(0, dtype=bool)  # still pretraining
            if pre and np.any(switch_at == t):  # write the pretrained peaks and scales into the weights
                idx = np.flatnonzero(switch_at == t)
                with torch.no_grad():
                    a, s = reparam()
                    for W, b, (Wn, bn) in zip(weights, biases, _weights(a[idx], s[idx])):
                        W[n_raw + idx], b[n_raw + idx] = Wn, bn
                    raw_active[n_raw + idx] = True
                    sw_peaks[n_raw + idx] = a[idx].cpu().numpy()
                    sw_scales[n_raw + idx] = s[idx].cpu().numpy()
                    sw_loss[n_raw + idx] = losses[t - 1, n_raw + idx]
            switched_now = pre and np.any(switch_at == t)
            if t % snapshot_every == 0 or t == epochs or switched_now:
                snapshot(t, pending)
            hi = n_raw if pending.all() else total
            any_pre = bool(pending.any())
            with torch.set_grad_enabled(t < epochs):
                per = ((_forward(weights, biases, x, 0, hi, chunk) - Y[:hi]) ** 2).mean(dim=1) if hi else None
                loss_sum = (per * raw_active[:hi]).sum() if hi else 0.0
                record = per.detach().clone() if hi else torch.zeros(0, dtype=dtype, device=dev)
                if any_pre:
                    on = torch.as_tensor(pending, device=dev)
                    a, s = reparam()
                    out = x + torch.einsum("md,mdn->mn", s, _batched_waves(x, a))
                    per_pre = ((out - Y_pre) ** 2).mean(dim=1)
                    loss_sum = loss_sum + (per_pre * on).sum()
                    if hi == total:
                        record[n_raw:] = torch.where(on, per_pre.detach(), record[n_raw:])
                    else:
                        record = torch.cat([record, per_pre.detach()])
                losses[t] = record.cpu().numpy()
                if t == epochs:
                    break
                wrt = params + pre_params if any_pre else params
                grads = torch.autograd.grad(loss_sum, wrt, allow_unused=True)
            with torch.no_grad():
                grads = [torch.zeros_like(p) if g is None else g for p, g in zip(wrt, grads)]
                steps += raw_active
                _adam(params, grads[: len(params)], states, lr_t, steps, raw_active)
                if any_pre:
                    pre_steps += on
                    _adam(pre_params, grads[len(params):], pre_states, pre_lr, pre_steps, on)
            bar.update(1)

    def per_ckm(flat):
        return flat[position]

    has_pre = bool(pre)
    return Study(curves=curves, types=types, n_models=M, depth=depth, epochs=epochs,
                 pretrain_epochs=switch_m, lr=lr_t.cpu().numpy()[position], pretrain_lr=pre_lr_m,
                 next_peak=next_m, x=x_np, loss=losses[:, position], snapshots=snapshots, position=position,
                 peaks=per_ckm(sw_peaks) if has_pre else None, scales=per_ckm(sw_scales) if has_pre else None,
                 switch_loss=per_ckm(sw_loss) if has_pre else None, start_peaks=peaks0,
                 seconds=time.perf_counter() - start)


#: chapter 14's variants of the book's choices: (pretraining epochs, stand-in a_d, raw-weight lr);
#: the first is the book's choice
CHOICE_VARIANTS = ((200, 0.5, 3e-4), (50, 0.5, 3e-4), (500, 0.5, 3e-4),
                   (200, 0.25, 3e-4), (200, 0.75, 3e-4), (200, 0.5, 1e-3))


@memoised
def choices_study(reps: int, seed: int = 0, progress: bool | None = False, device=None, *,
                  epochs: int = 1000, variants=CHOICE_VARIANTS) -> dict:
    """Every variant of ``variants`` (default :data:`CHOICE_VARIANTS`) on ``x^3`` with the condition
    enforced, ``reps`` models each (the same starting peaks for every variant), as one program of
    ``epochs`` steps.  A variant is ``(pretraining epochs, stand-in a_d, raw-weight lr)``; its
    pretraining epochs are at most ``epochs``.

    Returns ``{"variants", "mse", "switch", "study"}``: final MSE and MSE at the end of
    pretraining, arrays of shape ``(len(variants), reps)``, and the :class:`Study`.
    """
    reps = check_int(reps, "reps", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    if isinstance(variants, (str, bytes)) or not hasattr(variants, "__len__") or len(variants) == 0:
        raise TypeError("variants must be a non-empty sequence of (pretraining epochs, a_d, lr) triples")
    checked = []
    for v in variants:
        if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != 3:
            raise TypeError(f"variants must hold (pretraining epochs, a_d, lr) triples, got {v!r}")
        checked.append((check_int(v[0], "variants", minimum=0, maximum=epochs),
                        check_real(v[1], "variants", low=0.0, high=1.0, open_interval=True),
                        check_real(v[2], "variants", positive=True)))
    variants = tuple(checked)
    V = len(variants)
    per_model = np.repeat(np.array(variants, dtype=float), reps, axis=0)
    study = run_study(["x^3"], ["enforced"], n_models=len(per_model), epochs=epochs,
                      pretrain_epochs=per_model[:, 0].astype(int),
                      next_peak=per_model[:, 1], lr=per_model[:, 2], seed=seed,
                      start_peaks=np.tile(starting_peaks(reps, seed=seed), (V, 1)), progress=progress, device=device)
    return {"variants": variants, "mse": study.mse("x^3", "enforced").reshape(V, reps),
            "switch": study.switch_loss[0, 0].reshape(V, reps), "study": study}


def study_summary(study: Study) -> dict:
    """The final MSE of every model of ``study`` as ``{curve: {type: [per-model values]}}`` (JSON-ready)."""
    study = _study(study)
    return {c: {k: [float(v) for v in study.mse(c, k)] for k in study.types} for c in study.curves}


# -- reading a study -------------------------------------------------------------------------
def _study(study):
    if not isinstance(study, Study):
        raise TypeError(f"study must be a Study (from run_study), got {type(study).__name__}")
    return study


def ordering(study: Study, curve: str, stat: str = "min") -> list:
    """The study's types sorted from the smallest to the largest ``stat`` (``"min"`` or ``"mean"``) final MSE."""
    study = _study(study)
    stat = check_choice(stat, "stat", ("min", "mean"))
    f = np.min if stat == "min" else np.mean
    return sorted(study.types, key=lambda k: f(study.mse(curve, k)))


#: the target curves as typeset math (table headers and captions)
CURVE_MATH = {"x^3": "$x^3$", "x^11": "$x^{11}$", "tanh(3x)": r"$\tanh(3x)$", "sin": r"$\sin(\pi x/2)$"}


def mse_table(study: Study, curve: str, *, label: str, icml: bool = True):
    """A book table of the minimum and mean final MSE per network type on ``curve``.

    For ``x^3`` and ``x^11`` (with ``icml=True``) the numbers of Table 1 of the ICML version of the
    source stand in their own columns beside the book's.  Returns a :class:`relubook.tables.Table`.
    """
    from . import tables

    study = _study(study)
    icml = check_bool(icml, "icml")
    curve = _checked_list([curve], "curve", study.curves)[0]
    ref = icml and any(f"min {curve}" in ICML_TABLE1.get(k, {}) for k in study.types)
    rows = []
    for k in study.types:
        v = study.mse(curve, k)
        row = {"network": TYPE_LABELS[k], "min": float(v.min())}
        if ref:
            row["min, ICML"] = ICML_TABLE1.get(k, {}).get(f"min {curve}")
        row["mean"] = float(v.mean())
        if ref:
            row["mean, ICML"] = ICML_TABLE1.get(k, {}).get(f"mean {curve}")
        rows.append(row)
    caption = (f"Final training error (MSE) on {CURVE_MATH.get(curve, curve)}: minimum and mean over the "
               f"{study.n_models} models of each type")
    caption += ", beside Table 1 of the ICML version (its RAAI row next to our RAI)." if ref else "."
    return tables.table(rows, caption=caption, label=label, sig=3)


def ordering_table(study: Study, curves=("x^3", "x^11"), *, label: str):
    """A book table of the types ordered from the smallest to the largest minimum and mean final MSE
    per curve, the book's order beside the ICML version's.  Returns a :class:`relubook.tables.Table`."""
    from . import tables

    study = _study(study)
    curves = _checked_list(curves, "curves", study.curves)
    rows = []
    for c in curves:
        for stat in ("min", "mean"):
            theirs = [k for k in sorted(ICML_TABLE1, key=lambda k: ICML_TABLE1[k].get(f"{stat} {c}", np.inf))
                      if f"{stat} {c}" in ICML_TABLE1[k]]
            rows.append({"curve": CURVE_MATH.get(c, c), "statistic": stat,
                         "book, best first": " < ".join(ordering(study, c, stat)),
                         "ICML, best first": " < ".join(theirs) if theirs else tables.MISSING})
    return tables.table(rows, caption="The network types ordered by final error, best first: this build and the "
                                      "ICML version's Table 1.", label=label)


def neuron_bends(net, n: int = 20001) -> np.ndarray:
    """State of every hidden neuron of a one-input network on [0, 1], shape ``(depth, width)``.

    ``0``: never active (dead), ``1``: always active (a linear map, never bends),
    ``2``: takes both signs on [0, 1] (bends).  Read from the pre-activations on ``n`` evenly
    spaced points, end points included; a neuron that only touches zero does not bend.
    """
    from .regions import as_deep

    deep = as_deep(net)
    if deep.input_dim != 1:
        raise ValueError(f"net must have one input, got {deep.input_dim}")
    n = check_int(n, "n", minimum=2)
    check_budget(8.0 * n * max(1, deep.n_neurons), "the pre-activations at n points")
    pre = deep.pre_activations(np.linspace(0.0, 1.0, n)[:, None])
    widths = {z.shape[1] for z in pre}
    if len(widths) != 1:
        raise ValueError("net must have hidden layers of equal width")
    out = np.empty((len(pre), pre[0].shape[1]), dtype=int)
    for l, z in enumerate(pre):
        pos, neg = (z > 0).any(axis=0), (z < 0).any(axis=0)
        out[l] = np.where(pos & neg, 2, np.where(pos, 1, 0))
    return out


# -- drawing callbacks ---------------------------------------------------------------------------
def draw_mse(ax, study: Study, curve: str = "x^3"):
    """Final MSE of every model (dots, log scale) per type on ``curve``, with the ICML Table 1 minimum and mean (x^3, x^11)."""
    from .plotting import cycle, math_label

    study = _study(study)
    for j, k in enumerate(study.types):
        v = study.mse(curve, k)
        jitter = np.linspace(-0.15, 0.15, v.size)
        style = cycle(j)
        ax.semilogy(j + jitter, v, linestyle="none", marker=style["marker"], color=style["color"], markersize=4,
                    alpha=0.8)
        ref = ICML_TABLE1.get(k, {})
        if f"min {curve}" in ref:
            label = "ICML Table 1 (min, mean)" if j == 0 else None
            ax.semilogy([j + 0.3, j + 0.3], [ref[f"min {curve}"], ref[f"mean {curve}"]], color="black",
                        linestyle="-", marker="_", markersize=10, linewidth=1, label=label)
    ax.set_xticks(range(len(study.types)))
    ax.set_xticklabels([TYPE_LABELS[k].replace(" ", "\n", 1) for k in study.types], fontsize=8)
    ax.set_ylabel(f"final MSE on {math_label(curve)}")
    if curve in ("x^3", "x^11"):
        ax.legend(loc="upper right", fontsize="small")
    return ax


def draw_interior(axes, net, title: str = "layer"):
    """Pre-activations of every hidden neuron of ``net`` on [0, 1], one axes per layer.

    Neurons that bend are drawn solid, those that never change sign dashed; the zero line is
    where ReLU bends.  ``axes`` is a sequence with one axes per hidden layer.
    """
    from .plotting import PALETTE
    from .regions import as_deep

    deep = as_deep(net)
    axes = list(np.ravel(axes))
    if len(axes) != deep.depth:
        raise ValueError(f"axes must hold one axes per hidden layer ({deep.depth}), got {len(axes)}")
    x = np.linspace(0.0, 1.0, 501)
    pre = deep.pre_activations(x[:, None])
    states = neuron_bends(deep)
    colours = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky")]
    for l, (ax, z) in enumerate(zip(axes, pre)):
        ax.axhline(0.0, color="0.5", linewidth=0.8)
        for j in range(z.shape[1]):
            ax.plot(x, z[:, j], color=colours[j % len(colours)], linewidth=1.3,
                    linestyle="-" if states[l, j] == 2 else "--")
        ax.set_title(f"{title} {l + 1}: {int((states[l] == 2).sum())} bend", fontsize=9)
        ax.set_xlabel("$x$")
        ax.tick_params(labelsize=8)
    return axes


def draw_pieces(ax, study: Study, curve: str = "x^3", kinds=("no-pretraining", "enforced")):
    """Mean number of linear pieces (and the range over models) against the epoch, per type."""
    from .plotting import cycle, math_label

    study = _study(study)
    kinds = _checked_list(kinds, "kinds", study.types)
    epochs = sorted(study.snapshots)
    for j, k in enumerate(kinds):
        counts = np.array([study.pieces(curve, k, e) for e in epochs])
        style = cycle(j)
        ax.plot(epochs, counts.mean(axis=1), label=f"{TYPE_LABELS[k]} (mean)", **style)
        ax.fill_between(epochs, counts.min(axis=1), counts.max(axis=1), color=style["color"], alpha=0.15)
    ax.axhline(2**study.depth, color="black", linewidth=0.8, linestyle=":", label=f"$2^{study.depth}$")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"linear pieces on $[0, 1]$ ({math_label(curve)})")
    ax.legend(fontsize="small")
    return ax


def draw_fit(ax, study: Study, epoch: int = 0, curve: str = "x^3", kinds=("default", "enforced")):
    """Absolute error ``|network - target|`` on [0, 1] (log scale) at a snapshot ``epoch`` for the best final model of each kind.

    The widget callback of the chapter (an epoch slider); the title gives each model's MSE then.
    """
    from .plotting import cycle, math_label

    study = _study(study)
    kinds = _checked_list(kinds, "kinds", study.types)
    epoch = check_int(epoch, "epoch", minimum=0, maximum=study.epochs)
    if epoch not in study.snapshots:
        raise ValueError(f"epoch must be a snapshot epoch {sorted(study.snapshots)}; got {epoch}")
    y = target(curve, study.x)
    parts = []
    for j, k in enumerate(kinds):
        m = study.best(curve, k)
        err = study.predictions(curve, k, m, epoch) - y
        style = cycle(j)
        ax.semilogy(study.x, np.maximum(np.abs(err), 1e-9), label=TYPE_LABELS[k], color=style["color"],
                    linestyle=style["linestyle"], linewidth=1.2)
        parts.append(f"{k} {np.mean(err**2):.1e}")
    ax.set_ylim(1e-6, 1.0)
    ax.set_xlim(0, 1)
    ax.set_xlabel("$x$")
    ax.set_ylabel(f"|network $-$ {math_label(curve)}|")
    ax.set_title(f"epoch {epoch}: MSE " + ", ".join(parts), fontsize=9)
    ax.legend(loc="lower left", fontsize="small")
    return ax
