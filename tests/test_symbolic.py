"""The sympy derivations of relubook.symbolic."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from relubook import symbolic

S = symbolic.SYMBOLS


def test_relu_keeps_half_the_second_moment():
    half, full = symbolic.relu_second_moment("normal")
    assert sp.simplify(half - S["s2"] / 2) == 0 and sp.simplify(full - S["s2"]) == 0
    half, full = symbolic.relu_second_moment("uniform")
    assert sp.simplify(half - S["a"] ** 2 / 6) == 0 and sp.simplify(full - S["a"] ** 2 / 3) == 0


def test_recursion_rate_critical_variance_fixed_point():
    eq = symbolic.second_moment_recursion()
    assert sp.simplify(eq.rhs - (S["n"] * S["sigma_w2"] * S["q"] + S["sigma_b2"]) / 2) == 0
    assert S["sigma_b2"] not in symbolic.second_moment_recursion(bias=False).rhs.free_symbols
    assert sp.simplify(symbolic.layer_rate() - S["n"] * S["sigma_w2"] / 2) == 0
    assert symbolic.critical_weight_variance() == 2 / S["n"]
    q_star = symbolic.fixed_point()
    assert symbolic.evaluate(q_star, n=10, sigma_w2=1 / 30, sigma_b2=1 / 30) == pytest.approx(1 / 50)


def test_expectation_of_a_polynomial():
    z = S["z"]
    assert symbolic.expectation(z**4, symbolic.normal_density(1)) == 3
    assert symbolic.expectation(symbolic.relu_expr(), symbolic.uniform_density(2)) == sp.Rational(1, 2)


def test_evaluate_numbers():
    assert symbolic.evaluate(symbolic.layer_rate(), n=256, sigma_w2=2 / 256) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: symbolic.relu_second_moment("cauchy"), ValueError),
        (lambda: symbolic.second_moment_recursion(bias=1), TypeError),
        (lambda: symbolic.relu_expr("z"), TypeError),
        (lambda: symbolic.expectation(3.0, symbolic.normal_density()), TypeError),
        (lambda: symbolic.expectation(S["z"], "normal"), TypeError),
        (lambda: symbolic.evaluate(symbolic.layer_rate(), n=3), ValueError),
        (lambda: symbolic.evaluate(symbolic.layer_rate(), n=3, sigma_w2=1.0, width=2), ValueError),
        (lambda: symbolic.evaluate("n", n=3), TypeError),
    ],
)
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.just(float("nan")), st.just(float("inf")), st.just(float("-inf")), st.text(max_size=2),
                       st.none(), st.booleans(), st.lists(st.floats(), max_size=2)))
def test_evaluate_rejects_bad_values(value):
    with pytest.raises((TypeError, ValueError), match="sigma_w2"):
        symbolic.evaluate(symbolic.layer_rate(), n=4, sigma_w2=value)
