"""relubook: the helper package of the executable textbook on ReLU networks.

The chapters tell the story; this package does the work.  Modules map onto the
book's ideas and import downward only:

* ground floor: :mod:`relubook.validate`, :mod:`relubook.nets`, :mod:`relubook.device`;
* one module per idea of the book (activations, approximation, interpolation,
  regions, composition, initialisation, training);
* on top: :mod:`relubook.plotting`, :mod:`relubook.widgets`, :mod:`relubook.checks`.
"""

from .device import device, pin_threads, scale, seed
from .nets import DeepReLU, ShallowReLU, relu
from .approximation import convex_approximation, cosine_network, parity_network, trig_series_network
from .dying import dead_neurons
from .training import BatchedMLP, train_batched
from .interpolation import interpolate, separating_direction
from .composition import multiplication_network, product_network, sawtooth, tent, yarotsky_square
from .regions import count_linear_regions, linear_pieces
from .regions2d import linear_regions_2d
from .bending import square_interpolant
from .compositional import compositional_network, differentiable_scales
from .initialization import initialize
from .pretraining import compositional_weights, run_study as compositional_study
from .rates import optimal_sqrt_knots, pwl_interpolant
from .memorisation import baum_network, max_network, memorise_two_layers

__version__ = "0.1.0"

__all__ = ["DeepReLU", "ShallowReLU", "device", "pin_threads", "relu", "scale", "seed"]
__all__ += ["convex_approximation", "cosine_network", "parity_network", "trig_series_network"]
__all__ += ["dead_neurons", "BatchedMLP", "train_batched"]
__all__ += ["interpolate", "separating_direction"]
__all__ += ["multiplication_network", "product_network", "sawtooth", "tent", "yarotsky_square"]
__all__ += ["count_linear_regions", "linear_pieces"]
__all__ += ["linear_regions_2d"]
__all__ += ["square_interpolant"]
__all__ += ["compositional_network", "differentiable_scales"]
__all__ += ["initialize"]
__all__ += ["compositional_weights", "compositional_study"]
__all__ += ["optimal_sqrt_knots", "pwl_interpolant"]
__all__ += ["baum_network", "max_network", "memorise_two_layers"]
