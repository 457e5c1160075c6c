"""Weight initialisation schemes and the second moment of activations through depth.

A *scheme* is a sampler registered under a name.  A sampler is a plain
function ``sampler(batch, fan_in, fan_out, generator, dtype, device)`` that
returns a weight tensor of shape ``(*batch, fan_out, fan_in)`` and a bias
tensor of shape ``(*batch, fan_out)``; ``batch`` is a tuple (``()`` for one
layer).  The same sampler serves :func:`initialize`, which fills the
``nn.Linear`` layers of a model, and :func:`second_moments`, which draws a
whole ensemble of deep networks as one batched tensor program.

Built-in schemes (weights; biases):

* ``"torch-default"``: ``U(+-1/sqrt(fan_in))``, variance ``1/(3 fan_in)``, as
  ``nn.Linear.reset_parameters`` does; biases ``U(+-1/sqrt(fan_in))``.
* ``"he"``: ``N(0, 2/fan_in)``; zero biases.
* ``"xavier"``: ``N(0, 2/(fan_in + fan_out))``; zero biases.
* ``"lecun"``: ``N(0, 1/fan_in)``; zero biases.
* ``"he-torch-bias"``: He weights ``N(0, 2/fan_in)`` with PyTorch's default biases
  ``U(+-1/sqrt(fan_in))``, what ``kaiming_normal_`` on the weight of an ``nn.Linear`` leaves.
* ``"rai"``: randomized asymmetric initialisation of Lu et al. (:func:`rai_sample`).

Other modules add schemes with :func:`register_scheme`.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

import torch
import numpy as np

from .memo import memoised
from .validate import check_bool, check_budget, check_choice, check_device, check_dtype, check_int

__all__ = [
    "register_scheme",
    "schemes",
    "weight_variance",
    "bias_variance",
    "sample_layer",
    "initialize",
    "second_moments",
    "layer_activations",
    "draw_layer_statistics",
    "rai_sample",
    "RAI_SIGMA",
]

_SCHEMES: dict[str, dict] = {}


def register_scheme(
    name: str,
    sampler: Callable,
    weight_variance: Callable | None = None,
    bias_variance: Callable | None = None,
) -> None:
    """Register the scheme ``name``.

    ``sampler(batch, fan_in, fan_out, generator, dtype, device) -> (W, b)``
    draws the parameters (see the module docstring).  ``weight_variance`` and
    ``bias_variance``, functions of ``(fan_in, fan_out)``, give the variances of
    one weight and one bias when they have a closed form (``None`` otherwise).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if not callable(sampler):
        raise TypeError(f"sampler must be callable, got {type(sampler).__name__}")
    for arg, value in (("weight_variance", weight_variance), ("bias_variance", bias_variance)):
        if value is not None and not callable(value):
            raise TypeError(f"{arg} must be callable or None, got {type(value).__name__}")
    _SCHEMES[name] = {"sampler": sampler, "weight_variance": weight_variance, "bias_variance": bias_variance}


def schemes() -> tuple[str, ...]:
    """Names of the registered schemes, in registration order."""
    return tuple(_SCHEMES)


def _scheme(scheme) -> dict:
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string, one of {', '.join(schemes())}; got {type(scheme).__name__}")
    if scheme not in _SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(repr(s) for s in schemes())}; got {scheme!r}")
    return _SCHEMES[scheme]


def _fans(fan_in, fan_out):
    return check_int(fan_in, "fan_in", minimum=1), check_int(fan_out, "fan_out", minimum=1)


def weight_variance(scheme: str, fan_in: int, fan_out: int):
    """Variance of one weight under ``scheme`` (``None`` if the scheme has no closed form)."""
    entry = _scheme(scheme)
    fan_in, fan_out = _fans(fan_in, fan_out)
    f = entry["weight_variance"]
    return None if f is None else f(fan_in, fan_out)


def bias_variance(scheme: str, fan_in: int, fan_out: int):
    """Variance of one bias under ``scheme`` (``None`` if the scheme has no closed form)."""
    entry = _scheme(scheme)
    fan_in, fan_out = _fans(fan_in, fan_out)
    f = entry["bias_variance"]
    return None if f is None else f(fan_in, fan_out)


def _draw_device(generator, device):
    """A generator draws on its own device; the numbers are then moved, so that a CPU generator
    gives the same weights on a CPU-only machine and on a GPU machine."""
    return device if generator is None else generator.device


def _uniform(shape, bound, generator, dtype, device):
    u = torch.rand(shape, generator=generator, dtype=dtype, device=_draw_device(generator, device))
    return ((u * 2 - 1) * bound).to(device)


def _normal(shape, std, generator, dtype, device):
    return (torch.randn(shape, generator=generator, dtype=dtype, device=_draw_device(generator, device)) * std).to(device)


def _torch_default(batch, fan_in, fan_out, generator, dtype, device):
    bound = 1.0 / math.sqrt(fan_in)
    W = _uniform((*batch, fan_out, fan_in), bound, generator, dtype, device)
    b = _uniform((*batch, fan_out), bound, generator, dtype, device)
    return W, b


def _gaussian(variance):
    def sampler(batch, fan_in, fan_out, generator, dtype, device):
        W = _normal((*batch, fan_out, fan_in), math.sqrt(variance(fan_in, fan_out)), generator, dtype, device)
        return W, torch.zeros((*batch, fan_out), dtype=dtype, device=device)

    return sampler


def _zero(fan_in, fan_out):
    return 0.0


def _he(fan_in, fan_out):
    return 2.0 / fan_in


def _xavier(fan_in, fan_out):
    return 2.0 / (fan_in + fan_out)


def _lecun(fan_in, fan_out):
    return 1.0 / fan_in


def _one_third(fan_in, fan_out):
    return 1.0 / (3.0 * fan_in)


register_scheme("torch-default", _torch_default, _one_third, _one_third)
register_scheme("he", _gaussian(_he), _he, _zero)
register_scheme("xavier", _gaussian(_xavier), _xavier, _zero)
register_scheme("lecun", _gaussian(_lecun), _lecun, _zero)


def _he_torch_bias(batch, fan_in, fan_out, generator, dtype, device):
    """He-normal weights with the biases ``nn.Linear`` leaves when only its weight is re-initialised."""
    W = _normal((*batch, fan_out, fan_in), math.sqrt(_he(fan_in, fan_out)), generator, dtype, device)
    b = _uniform((*batch, fan_out), 1.0 / math.sqrt(fan_in), generator, dtype, device)
    return W, b


# ``kaiming_normal_(layer.weight)`` alone keeps PyTorch's default biases U(+-1/sqrt(fan_in))
register_scheme("he-torch-bias", _he_torch_bias, _he, _one_third)


#: standard deviation factor of RAI (Lu, Shin, Su, Karniadakis), recovered from public code
RAI_SIGMA = 0.6007


def rai_sample(fan_out, fan_in, batch=(), generator=None, dtype=torch.float64, device=None):
    """Randomized asymmetric initialisation (RAI) of Lu et al., math.md section 4.

    Per layer: ``V`` of shape ``(fan_out, fan_in + 1)`` with i.i.d. ``N(0, 0.6007^2/fan_in)``
    entries (last column = bias); in every row one entry, at a uniformly chosen column, is
    replaced by a ``Beta(2, 1)`` draw (positive, ``E[X^2] = 1/2``).  Returns ``(W, b)`` of
    shapes ``(*batch, fan_out, fan_in)`` and ``(*batch, fan_out)``.
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    batch = _batch(batch)
    dtype = check_dtype(dtype, "dtype")
    device = torch.device("cpu") if device is None else check_device(device, "device")
    generator = _generator(generator, device)
    check_budget(8.0 * math.prod(batch) * fan_out * (fan_in + 1), "the weights of shape (*batch, fan_out, fan_in + 1)")
    V = _normal((*batch, fan_out, fan_in + 1), RAI_SIGMA / math.sqrt(fan_in), generator, dtype, device)
    k = torch.randint(0, fan_in + 1, (*batch, fan_out, 1), generator=generator,
                      device=_draw_device(generator, device)).to(device)
    beta21 = torch.rand((*batch, fan_out, 1), generator=generator, dtype=dtype,
                        device=_draw_device(generator, device)).sqrt().to(device)
    V.scatter_(-1, k, beta21)  # Beta(2, 1) has CDF x^2, so sqrt(U) is Beta(2, 1)
    return V[..., :fan_in].contiguous(), V[..., fan_in].contiguous()


def _rai(batch, fan_in, fan_out, generator, dtype, device):
    return rai_sample(fan_out, fan_in, batch=batch, generator=generator, dtype=dtype, device=device)


register_scheme("rai", _rai, None, None)


def _batch(batch) -> tuple:
    """``batch``: an integer or a tuple of positive integers (the leading shape of the draws)."""
    if isinstance(batch, (int, np.integer)) and not isinstance(batch, (bool, np.bool_)):
        batch = (batch,)
    if not isinstance(batch, (tuple, list)):
        raise TypeError(f"batch must be an integer or a tuple of integers, got {type(batch).__name__}")
    batch = tuple(check_int(s, "batch", minimum=1) for s in batch)
    check_budget(8.0 * math.prod(batch), "the batch of layers (batch)")
    return batch


def _generator(generator, device):
    if generator is None:
        return None
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    return generator


def sample_layer(scheme: str, fan_in: int, fan_out: int, batch=(), generator=None, dtype=None, device=None):
    """Draw ``(W, b)`` of one layer (or a batch of layers of shape ``batch``) under ``scheme``."""

    entry = _scheme(scheme)
    fan_in, fan_out = _fans(fan_in, fan_out)
    batch = _batch(batch)
    dtype = check_dtype(dtype, "dtype")
    device = check_device(device, "device")
    check_budget(8.0 * math.prod(batch) * fan_out * (fan_in + 1), "the weights of shape (*batch, fan_out, fan_in + 1)")
    return entry["sampler"](batch, fan_in, fan_out, _generator(generator, device), dtype, device)


def initialize(model, scheme: str, generator=None):
    """Re-initialise every ``nn.Linear`` layer of ``model`` in place under ``scheme``; returns ``model``.

    A layer without bias keeps having none.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _scheme(scheme)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if not linears:
        raise ValueError("model has no nn.Linear layer to initialise")
    with torch.no_grad():
        for lin in linears:
            W, b = sample_layer(scheme, lin.in_features, lin.out_features, generator=generator,
                                dtype=lin.weight.dtype, device=lin.weight.device)
            lin.weight.copy_(W)
            if lin.bias is not None:
                lin.bias.copy_(b)
    return model


def second_moments(
    scheme: str,
    width: int = 256,
    depth: int = 50,
    n_models: int = 64,
    n_inputs: int = 8,
    bias: bool = False,
    generator=None,
    dtype=None,
    device=None,
) -> torch.Tensor:
    """Mean second moment ``q_l = E[h_l^2]`` of the activations of layers ``l = 0..depth``, shape ``(depth + 1,)``.

    An ensemble of ``n_models`` ReLU networks of ``depth`` hidden layers of
    ``width`` units (input dimension ``width``) is drawn under ``scheme`` and
    run on ``n_inputs`` standard normal inputs each, all at once (one batched
    matrix product per layer).  ``q_0`` is the inputs' mean square; ``q_l``
    averages ``h_l^2`` over units, inputs and models.  With ``bias=False`` the
    biases are set to zero.  Moments as small as ``6**-50`` would underflow in
    float32, so the activations are rescaled by one common factor after each
    layer and the factor's logarithm is carried along (biases are divided by
    the same factor, so the network computed is unchanged).  With a ``generator``, the ensemble is
    drawn and run on the generator's device, so a CPU generator gives the same numbers everywhere.
    Memoised under ``RELUBOOK_MEMO`` (:mod:`relubook.memo`; a CPU ``generator`` is keyed by its state
    and left as a real call leaves it).
    """

    _scheme(scheme)
    width = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    n_models = check_int(n_models, "n_models", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    bias = check_bool(bias, "bias")
    dtype = check_dtype(dtype, "dtype", default=torch.float32)
    device = check_device(device, "device")
    check_budget(8.0 * n_models * width * max(width, n_inputs), "the n_models x width x width weights")
    generator = _generator(generator, device)
    if generator is not None and generator.device.type != device.type:
        # a generator draws on its own device: compute there, so that the same generator gives the
        # same numbers on a CPU-only machine and on a GPU machine
        device = generator.device
    if generator is None:  # torch's global generator, which the memo's key and a hit's restore cover
        return _second_moments(scheme, width, depth, n_models, n_inputs, bias, None, dtype, device)[0]
    if generator.device.type == "cpu":  # keyed by the generator's state (plain data)
        out, after = _second_moments(scheme, width, depth, n_models, n_inputs, bias,
                                     generator.get_state().numpy(), dtype, device)
        generator.set_state(torch.from_numpy(after))
        return out
    return _second_moments_drawn(scheme, width, depth, n_models, n_inputs, bias, generator, dtype, device)


@memoised
def _second_moments(scheme, width, depth, n_models, n_inputs, bias, state, dtype, device):
    """:func:`second_moments` for checked arguments, drawn from torch's global generator (``state``
    ``None``) or from a CPU generator in ``state`` (a uint8 array, plain data, so that the call can be
    memoised); returns the moments and the generator's state after the call (``None`` for the global one)."""
    if state is None:
        return _second_moments_drawn(scheme, width, depth, n_models, n_inputs, bias, None, dtype, device), None
    gen = torch.Generator()
    gen.set_state(torch.from_numpy(state.copy()))
    out = _second_moments_drawn(scheme, width, depth, n_models, n_inputs, bias, gen, dtype, device)
    return out, gen.get_state().numpy()


def _second_moments_drawn(scheme, width, depth, n_models, n_inputs, bias, generator, dtype, device):
    h = torch.randn((n_models, width, n_inputs), generator=generator, dtype=dtype, device=device)
    log_q = [torch.log(h.square().mean()).double()]
    log_scale = torch.zeros((), dtype=torch.float64, device=device)  # true activations = exp(log_scale) * h
    for _ in range(depth):
        W, b = sample_layer(scheme, width, width, batch=(n_models,), generator=generator, dtype=dtype, device=device)
        z = torch.bmm(W, h)
        if bias:
            z = z + (b * torch.exp(-log_scale).to(dtype))[:, :, None]
        h = torch.relu(z)
        m = h.square().mean()
        if not m > 0:
            log_q.append(torch.tensor(-math.inf, dtype=torch.float64, device=device))
            h = torch.zeros_like(h)
            continue
        log_q.append(torch.log(m).double() + 2 * log_scale)
        h = h / torch.sqrt(m)
        log_scale = log_scale + 0.5 * torch.log(m).double()
    return torch.exp(torch.stack(log_q)).cpu()


def draw_second_moments(ax, moments: dict, rates: dict | None = None, q0: float = 1.0):
    """Plot measured second moments against depth on a log scale, with predicted geometric lines.

    ``moments`` maps a scheme name to the array returned by :func:`second_moments`;
    ``rates`` (optional) maps the same names to the predicted factor per layer,
    drawn as thin black dotted lines ``q0 * rate**l``.  Curves differ by colour, line style and marker.
    """
    import numpy as np

    from .plotting import cycle

    if not isinstance(moments, dict) or not moments:
        raise TypeError("moments must be a non-empty dict mapping scheme names to arrays of second moments")
    rates = dict(rates or {})
    for i, (name, q) in enumerate(moments.items()):
        q = np.asarray(q, dtype=float)
        layers = np.arange(q.size)
        style = cycle(i)
        ax.semilogy(layers, q, label=f"{name} (measured)", **style)
        if name in rates:
            ax.semilogy(layers, q0 * float(rates[name]) ** layers, color="black", linewidth=0.8,
                        linestyle=(0, (1, 2)), label="predicted" if i == 0 else None)
    ax.set_xlabel("layer $l$")
    ax.set_ylabel("second moment $q_l$ (log scale)")
    ax.legend(loc="lower left", fontsize=8)
    return ax


#: Schemes the layer-statistics figure offers: Gaussian weights with a closed-form variance, zero biases.
LAYER_STATISTICS_SCHEMES = ("he", "lecun", "xavier")
_LAYER_STATISTICS_MAX = 30


@functools.lru_cache(maxsize=2)
def _standard_walk(width: int, n_inputs: int, depth: int):
    """Fixed inputs and standard normal weight matrices, drawn once from ``default_rng(0)``."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((width, n_inputs))
    G = [rng.standard_normal((width, width)) for _ in range(depth)]
    return x, G


@functools.lru_cache(maxsize=2)
def _unit_activations(width: int, n_inputs: int, depth: int) -> tuple:
    """Activations of the network whose weights are the standard normal draws themselves."""
    x, G = _standard_walk(width, n_inputs, depth)
    h, out = x, [x]
    for g in G:
        h = np.maximum(g @ h, 0.0)
        out.append(h)
    return tuple(out)


def layer_activations(init: str = "he", layer: int = 10, width: int = 256, n_inputs: int = 256) -> np.ndarray:
    """Activations ``h_layer`` of a fixed plain ReLU network on a fixed batch, shape ``(width, n_inputs)``.

    The network has ``width`` units per layer (input dimension ``width``), Gaussian weights of the
    variance :func:`weight_variance` gives for ``init`` (``"he"``, ``"lecun"`` or ``"xavier"``) and
    zero biases; weights and the ``n_inputs`` standard normal inputs come from
    ``numpy.random.default_rng(0)``, and the three schemes share the same standard normal draws (so
    they differ only by the scale of the weights).  ``layer`` runs from 0 (the inputs) to 30.
    Deterministic and cached: one walk through the 30 layers serves every scheme and layer.
    """
    if not isinstance(init, str):
        raise TypeError(f"init must be a string, one of {', '.join(LAYER_STATISTICS_SCHEMES)}; "
                        f"got {type(init).__name__}")
    check_choice(init, "init", LAYER_STATISTICS_SCHEMES)
    layer = check_int(layer, "layer", minimum=0, maximum=_LAYER_STATISTICS_MAX)
    width = check_int(width, "width", minimum=1, maximum=1024)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1, maximum=1024)
    # zero biases: the ReLU network is positively homogeneous in each layer's weights, so scaling
    # every weight by std scales h_layer by std**layer (one walk serves every scheme)
    std = math.sqrt(weight_variance(init, width, width))
    return std ** layer * _unit_activations(width, n_inputs, _LAYER_STATISTICS_MAX)[layer]


def draw_layer_statistics(ax, init: str = "he", layer: int = 10):
    """Histogram of the positive activations at ``layer`` of a fixed ReLU network initialised with ``init``.

    Uses :func:`layer_activations` (width 256, 256 inputs).  The x axis is logarithmic and fixed
    (``1e-10`` to ``1e2``), so that a signal shrinking with depth moves left instead of vanishing;
    bar heights are fractions of all activations (the zeros of the ReLU are counted in the title,
    not drawn).  A dashed line marks the inputs' root mean square, a solid one the layer's; the
    title gives the second moment ``q_l``, the mean of ``h_l**2`` over units and inputs.
    """
    from .plotting import PALETTE, legend_below

    h = layer_activations(init, layer)
    x0 = layer_activations(init, 0)
    q = float(np.mean(h ** 2))
    q0 = float(np.mean(x0 ** 2))
    lo, hi = -10.0, 2.0
    edges = 10.0 ** np.arange(lo, hi + 1e-9, 0.25)
    positive = h[h > 0]
    shown = np.clip(positive, edges[0], edges[-1])
    counts, _ = np.histogram(shown, bins=edges)
    ax.stairs(counts / h.size, edges, fill=True, color=PALETTE["blue"], label="activations $h_l > 0$")
    ax.axvline(math.sqrt(q0), color="black", linestyle="--", linewidth=1.0, label="input RMS")
    if q > 0:
        ax.axvline(math.sqrt(q), color=PALETTE["vermillion"], linewidth=1.5, label=r"RMS $\sqrt{q_l}$")
    ax.set_xscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0.0, 0.2)
    ax.set_xlabel(f"activation $h_{{{layer}}}$ (log scale)")
    ax.set_ylabel("fraction of activations")
    zeros = 1.0 - positive.size / h.size
    ax.set_title(f"{init}, layer {layer}: $q_{{{layer}}}$ = {q:.2g} (input {q0:.2g}); {zeros:.0%} zeros",
                 fontsize=10)
    legend_below(ax)
    return ax
