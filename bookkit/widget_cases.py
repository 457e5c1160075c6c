"""The book's widgets as (name, callback, state A, state B): shared by the widget tests and
``benchmarks/bench_widgets.py``.  Each state is a dict of the callback's slider parameters, the
two far apart so that a move between them changes what is drawn."""

from __future__ import annotations

import functools

__all__ = ["book_widget_cases"]


def book_widget_cases():
    """``[(name, draw, params_a, params_b), ...]`` for every ``slider_figure`` of the book (chapter 14's
    fit widget on a small study trained here)."""
    from relubook import activations, approx_plots, bending, composition, compositional, dying, initialization
    from relubook import interpolation, neuron
    from relubook import pretraining, rates

    study = pretraining.run_study(("x^3",), ("default", "enforced"), n_models=2, epochs=20, pretrain_epochs=5,
                                  snapshot_every=10, n_points=64, progress=False)
    cases = [
        ("ch1 variants", activations.draw_variants, {"alpha": 0.0}, {"alpha": 0.9}),
        ("ch2 gate", neuron.draw_gate, {"angle": 0.0, "b": -2.0}, {"angle": 120.0, "b": 1.5}),
        ("ch3 square", bending.draw_square_interpolant, {"n": 0, "a": -3.0, "b": 0.5}, {"n": 20, "a": -0.5, "b": 3.0}),
        ("ch4 uniform", approx_plots.draw_uniform_density, {"eps": 0.3}, {"eps": 0.005}),
        ("ch5 dyadic", approx_plots.draw_dyadic, {"depth": 1, "eps": 0.2}, {"depth": 10, "eps": 0.001}),
        ("ch6 cosine", approx_plots.draw_cosine, {"M": 1.0, "eps": 0.3}, {"M": 20.0, "eps": 0.01}),
        ("ch7 bad set", approx_plots.draw_bad_set, {"width": 0.2}, {"width": 0.005}),
        ("ch8 interpolant", interpolation.draw_interpolant, {"n_points": 2, "y_moved": -2.0, "method": "ramp"},
         {"n_points": 12, "y_moved": 2.0, "method": "hat"}),
        ("ch9 born dead", dying.draw_born_dead, {"width": 1, "max_depth": 5}, {"width": 8, "max_depth": 80}),
        ("ch10 layer statistics", initialization.draw_layer_statistics, {"init": "he", "layer": 1},
         {"init": "lecun", "layer": 30}),
        ("ch11 sawtooth", composition.draw_sawtooth, {"depth": 1}, {"depth": 10}),
        ("ch11 yarotsky", composition.draw_yarotsky, {"m": 1}, {"m": 10}),
        ("ch12 waves", compositional.draw_waves, {"depth": 1, "peak": 0.05}, {"depth": 7, "peak": 0.95}),
        ("ch13 derivative", compositional.draw_derivative, {"depth": 1, "peak": 0.1, "s0": -0.5, "ratio": 0.05},
         {"depth": 10, "peak": 0.9, "s0": 0.5, "ratio": 1.0}),
        ("ch17 knots", rates.draw_sqrt_knots, {"n": 1, "p": 1.0}, {"n": 32, "p": 8.0}),
    ]
    cases.append(("ch14 fit", functools.partial(pretraining.draw_fit, study=study, curve="x^3"),
                  {"epoch": 0}, {"epoch": study.epochs}))
    return cases
