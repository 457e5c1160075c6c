"""Unit tests of relubook.tables: numbers, captions, units, aligned figures."""

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from relubook import tables


def test_fixed_point_column_shares_decimals():
    col = tables.format_column([0.25, 1.5, 12.0], sig=3)
    assert col == ["0.250", "1.500", "12.000"]
    assert len({c.index(".") - len(c) for c in col}) == 1  # decimal points align when right-justified


def test_wide_range_goes_scientific_with_sig_figures():
    col = tables.format_column([0.25, 1.5e-5], sig=2)
    assert col == ["2.5 × 10⁻¹", "1.5 × 10⁻⁵"]


def test_integers_missing_and_signs():
    assert tables.format_column([np.int64(3), 40, -2]) == ["3", "40", "\u22122"]
    assert tables.format_column([1.0, float("nan"), None])[1:] == ["\u2013", "\u2013"]
    assert tables.format_column([-0.0001, 0.5], sig=1)[0] in ("\u22121 × 10⁻⁴",)
    assert tables.format_number(np.float64(0.5)) == "0.500"
    assert tables.format_column(["text", True]) == ["text", "yes"]


def test_no_python_reprs_reach_the_reader():
    t = tables.table({"n": [np.int64(1), np.int64(2)], "x": [np.float64(0.1), np.float64(0.2)]},
                     caption="C", label="tab-x")
    for text in (t.to_myst(), t.to_html(), t.to_text()):
        assert "np." not in text and "array(" not in text and "None" not in text


def test_myst_table_is_numbered_captioned_and_has_units():
    t = tables.table(pd.DataFrame({"$n$": [1, 2], "error": [0.25, 0.0625], "pipe": ["a|b", "c"]}),
                     caption="Errors of $f$", label="tab-errors", units={"error": "abs."})
    md = t.to_myst()
    assert md.startswith("~~~~{table} Errors of $f$\n:name: tab-errors")
    # a caption with a role (backticks) needs a tilde fence: a backtick fence's info string may not hold one
    assert tables.table({"a": [1.0]}, label="tab-role", caption="See {prf:ref}`lem-x`.").to_myst().startswith("~~~~{table}")
    assert "| $n$ | error (abs.) | pipe |" in md
    assert "|---:|---:|:---|" in md
    assert "a\\|b" in md
    assert tables.table({"$|x|$": [1]}, caption="c", label="tab-p").to_myst().count("$\\vert x\\vert $") == 1
    bundle = t._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/html", "text/plain"}
    assert "<caption>" in bundle["text/html"] and "overflow-x: auto" in bundle["text/html"]
    assert repr(t).startswith("Errors of $f$")


def test_formats_sig_and_columns():
    t = tables.table([{"eps": 1e-2, "units": 7, "r": 0.123456}, {"eps": 1e-4, "units": 70, "r": 0.5}],
                     caption="C", label="tab-c", formats={"eps": "{:.0e}"}, sig={"r": 2}, columns=["eps", "r"])
    assert list(t.strings.columns) == ["eps", "r"]
    assert t.strings["eps"].tolist() == ["1e-02", "1e-04"]
    assert t.strings["r"].tolist() == ["0.12", "0.50"]
    # preformatted numbers (text) may be right-aligned on request
    t = tables.table({"name": ["a"], "cell": ["1.0 [0.5, 2.0]"]}, caption="C", label="tab-c", align={"cell": "right"})
    assert t.align == ["left", "right"] and "|:---|---:|" in t.to_myst()


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(caption="", label="tab-a"), ValueError, "caption"),
        (dict(caption="c", label="Tab A"), ValueError, "label"),
        (dict(caption="c", label="tab-a", units={"zz": "s"}), ValueError, "units"),
        (dict(caption="c", label="tab-a", sig=0), ValueError, "sig"),
        (dict(caption="c", label="tab-a", sig={"zz": 2}), ValueError, "sig"),
        (dict(caption="c", label="tab-a", columns=["zz"]), ValueError, "columns"),
        (dict(caption="c", label="tab-a", formats={"a": 3}), TypeError, "formats"),
        (dict(caption="c", label="tab-a", align={"a": "middle"}), ValueError, "align"),
        (dict(caption="c", label="tab-a", align={"zz": "left"}), ValueError, "align"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        tables.table({"a": [1.0]}, **kwargs)


def test_bad_data():
    with pytest.raises(TypeError, match="data"):
        tables.table(3, caption="c", label="tab-a")
    with pytest.raises(ValueError, match="data"):
        tables.table({}, caption="c", label="tab-a")


def test_equations_typeset():
    x = sp.symbols("x")
    one = tables.equations({"Q": x**2})
    assert one._repr_latex_() == "$\\displaystyle Q = x^{2}$"
    two = tables.equations({"a": x**2, "b": sp.Rational(1, 3)})
    assert "aligned" in two._repr_latex_() and "\\frac{1}{3}" in two._repr_latex_()
    with pytest.raises(ValueError, match="equations"):
        tables.equations({})


def test_latex_number():
    assert tables.latex_number(1.6e-14, 2) == "1.6\\times10^{-14}"
    assert tables.latex_number(-0.25) == "-0.250"
    assert tables.latex_number(np.int64(7)) == "7"


def test_latex_matrix():
    m = tables.latex_matrix(np.array([[1.0, 0.0], [1.0, 0.5]]), sig=1)
    assert m == r"\begin{pmatrix}1 & 0.0 \\ 1 & 0.5\end{pmatrix}"
    with pytest.raises(ValueError, match="A must"):
        tables.latex_matrix([1.0, 2.0])
