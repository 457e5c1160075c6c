"""Widget builders.  A widget's callback is a plain drawing function.

The pattern used in every chapter:

* a chapter (or a module of :mod:`relubook`) defines ``draw(ax, **params)``,
  a plain function that draws one state on a matplotlib axes; unit tests call
  it directly;
* :func:`slider_figure` wraps it in ipywidgets sliders for readers with a
  kernel (Binder, Jupyter);
* :func:`relubook.plotting.animate` turns the same function and a grid of one
  parameter into the static twin shown in the built page.
"""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt

from .plotting import _check_alt, set_alt, show

__all__ = ["slider_figure", "render_state"]


def render_state(draw: Callable, alt: str, figsize=(6.4, 3.6), **params):
    """Draw one state of a widget into a new figure with alt text and return the figure."""
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    fig, ax = plt.subplots(figsize=figsize)
    draw(ax, **params)
    return set_alt(fig, alt)


def slider_figure(draw: Callable, alt: str, figsize=(6.4, 3.6), **controls):
    """An ipywidgets control panel that redraws ``draw(ax, **params)`` on every change.

    ``controls`` maps each parameter of ``draw`` to an ipywidgets abbreviation
    (``(min, max, step)``, a list of options) or a widget.  Returns the
    ``ipywidgets.interactive`` object; display it as the last expression of a cell.
    """
    import ipywidgets

    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    alt = _check_alt(alt)
    if not controls:
        raise ValueError("slider_figure needs at least one control, e.g. depth=(1, 8, 1)")

    def update(**params):
        show(render_state(draw, alt, figsize=figsize, **params))

    return ipywidgets.interactive(update, **controls)
