"""relubook: the helper package of the executable textbook on ReLU networks.

The chapters tell the story; this package does the work.  Modules map onto the
book's ideas and import downward only:

* ground floor: :mod:`relubook.validate`, :mod:`relubook.nets`, :mod:`relubook.device`;
* one module per idea of the book (activations, approximation, interpolation,
  regions, composition, initialisation, training);
* on top: :mod:`relubook.plotting`, :mod:`relubook.widgets`, :mod:`relubook.checks`.
"""

from .device import device, scale, seed
from .nets import DeepReLU, ShallowReLU, relu

__version__ = "0.1.0"

__all__ = ["DeepReLU", "ShallowReLU", "device", "relu", "scale", "seed"]
