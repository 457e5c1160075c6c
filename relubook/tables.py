"""Book tables: numbered, captioned, with units and aligned significant figures.

Every tabular output of the book goes through :func:`table`.  It takes a
:class:`pandas.DataFrame` (or anything the DataFrame constructor accepts) and
returns a :class:`Table` whose rich display carries three forms of one table:

* ``text/markdown``: a MyST ``{table}`` directive around a pipe table.  The book
  build renders it (``nb_render_markdown_format: myst`` and a priority
  override in ``_config.yml``) as a real Sphinx table: numbered ("Table 5.1"),
  captioned, referable with ``{numref}`` through its ``label``, and typeset in
  the PDF as a LaTeX table;
* ``text/html``: the same table from :class:`pandas.io.formats.style.Styler`
  with a ``<caption>``, for Jupyter and Binder, inside a box that scrolls
  horizontally on narrow screens;
* ``text/plain``: a padded terminal table for consoles and logs.

Numbers are formatted per column with one rule (:func:`format_column`): a
column shares one number of decimals (fixed point) or one exponent style
(scientific, written ``2.50 × 10⁻³``), so decimal points line up when the
column is right-aligned, and the most precise entry shows ``sig`` significant
figures.  Integers print as integers, ``NaN`` as an en dash.

:func:`equations` displays symbolic results as typeset math (``text/latex``),
never as strings with ``**`` or ``^``.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .validate import check_int

__all__ = ["Table", "table", "format_column", "format_number", "latex_number", "latex_matrix", "equations"]

_LABEL = re.compile(r"^[a-z][a-z0-9-]*$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
MINUS = "\u2212"
MISSING = "\u2013"


def _is_number(v: Any) -> bool:
    return isinstance(v, (numbers.Real, np.bool_)) and not isinstance(v, (bool, np.bool_))


def _sci(v: float, decimals: int) -> str:
    """``v`` as ``m.mm × 10ᵉ`` with ``decimals`` decimals in the mantissa."""
    if v == 0:
        return "0"
    mantissa, exponent = f"{abs(v):.{decimals}e}".split("e")
    sign = MINUS if v < 0 else ""
    e = int(exponent)
    if e == 0:
        return f"{sign}{mantissa}"
    return f"{sign}{mantissa} × 10{str(e).translate(_SUPERSCRIPT)}"


def _fixed(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    if text.startswith("-"):
        # -0.00 is a rounding artefact, not a sign worth printing
        text = text[1:] if float(text) == 0 else MINUS + text[1:]
    return text


def format_number(value: Any, sig: int = 3) -> str:
    """One number with ``sig`` significant figures (integers exactly), as :func:`format_column` would."""
    return format_column([value], sig=sig)[0]


def latex_number(value: Any, sig: int = 3) -> str:
    """A number as LaTeX with ``sig`` significant figures: ``1.6\\times10^{-14}``, ``0.250``, ``-3``."""
    text = format_number(value, sig)
    text = text.replace(MINUS, "-").replace(MISSING, "-")
    if " × 10" in text:
        mantissa, power = text.split(" × 10")
        exponent = power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        text = f"{mantissa}\\times10^{{{exponent}}}"
    return text


def latex_matrix(A, sig: int = 3) -> str:
    """A 2-d array as a LaTeX ``pmatrix``, each column formatted by :func:`format_column`."""
    arr = np.asarray(A)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"A must be a non-empty 2-d array, got shape {arr.shape}")
    cols = [format_column(arr[:, j].tolist(), sig) for j in range(arr.shape[1])]
    rows = [" & ".join(cols[j][i] for j in range(arr.shape[1])) for i in range(arr.shape[0])]
    body = r" \\ ".join(rows).replace(MINUS, "-")
    return r"\begin{pmatrix}" + body + r"\end{pmatrix}"


def format_column(values, sig: int = 3) -> list[str]:
    """Format a column of numbers so that it aligns when right-justified.

    * all integers (or integral floats of an integer column): plain integers;
    * nonzero magnitudes within ``[1e-3, 1e6)`` spanning at most three decades:
      fixed point, one number of decimals for the whole column, chosen so that
      the smallest nonzero entry has ``sig`` significant figures;
    * otherwise scientific notation, ``sig`` significant figures each.

    Non-numeric entries (strings, math) pass through; ``None`` and ``NaN``
    become an en dash.
    """
    sig = check_int(sig, "sig", minimum=1, maximum=15)
    values = list(values)
    out: list[str | None] = [None] * len(values)
    nums: list[tuple[int, float]] = []
    all_int = True
    for i, v in enumerate(values):
        if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)):
            out[i] = MISSING
        elif isinstance(v, (bool, np.bool_)):
            out[i] = "yes" if v else "no"
        elif _is_number(v):
            if isinstance(v, (numbers.Integral, np.integer)):
                nums.append((i, int(v)))
            else:
                f = float(v)
                if not math.isfinite(f):
                    out[i] = ("" if f > 0 else MINUS) + "∞"
                    continue
                all_int = False
                nums.append((i, f))
        else:
            out[i] = str(v)
    if nums and all_int:
        for i, v in nums:
            out[i] = (MINUS if v < 0 else "") + str(abs(v))
        return out  # type: ignore[return-value]
    nonzero = [abs(v) for _, v in nums if v != 0]
    if nonzero:
        lo, hi = min(nonzero), max(nonzero)
        fixed = lo >= 1e-3 and hi < 1e6 and hi / lo < 1e3
        if fixed:
            decimals = max(0, sig - 1 - math.floor(math.log10(lo)))
            for i, v in nums:
                out[i] = _fixed(float(v), decimals)
        else:
            for i, v in nums:
                out[i] = _sci(float(v), sig - 1)
    else:
        for i, _ in nums:
            out[i] = "0"
    return out  # type: ignore[return-value]


def _header(name: str, unit: str | None) -> str:
    return f"{name} ({unit})" if unit else str(name)


def _md_cell(text: str) -> str:
    """A pipe-table cell: pipes escaped outside math, written ``\\vert`` inside ``$...$``."""
    parts = re.split(r"(\$[^$]*\$)", str(text).replace("\n", " "))
    return "".join(
        p.replace("|", r"\vert ") if p.startswith("$") and p.endswith("$") and len(p) > 1 else p.replace("|", "\\|")
        for p in parts
    )


class Table:
    """A formatted, captioned, numbered book table (see :func:`table`)."""

    def __init__(self, frame: pd.DataFrame, strings: pd.DataFrame, caption: str, label: str, align: list[str]):
        self.frame = frame  # the numbers
        self.strings = strings  # what the reader sees, headers with units
        self.caption = caption
        self.label = label
        self.align = align

    # -- the three display forms ------------------------------------------------
    def to_myst(self) -> str:
        """The MyST ``{table}`` directive: numbered, captioned, referable as ``{numref}`label```."""
        cols = list(self.strings.columns)
        rule = {"left": ":---", "right": "---:", "center": ":---:"}
        lines = [
            "| " + " | ".join(_md_cell(c) for c in cols) + " |",
            "|" + "|".join(rule[a] for a in self.align) + "|",
        ]
        for row in self.strings.itertuples(index=False):
            lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
        # tildes, not backticks: a backtick fence's info string may not contain a backtick, and a
        # caption may hold a role such as {prf:ref}`...` (CommonMark; the table would print as text)
        fence = "~" * 4
        return "\n".join(
            [f"{fence}{{table}} {self.caption}", f":name: {self.label}", ":class: relubook-table", "", *lines, fence]
        )

    def to_html(self) -> str:
        """The pandas Styler rendering (Jupyter, Binder), in a horizontally scrolling box."""
        styler = self.strings.style.hide(axis="index").set_caption(self.caption)
        # the caption wraps to the scrolling box, not to the (possibly wider) table
        styles = [{"selector": "caption",
                   "props": "caption-side: top; text-align: left; font-weight: bold; max-width: 100cqi;"}]
        for j, a in enumerate(self.align):
            styles.append({"selector": f"td.col{j}, th.col_heading.col{j}", "props": f"text-align: {a};"})
        styler = styler.set_table_styles(styles).set_table_attributes('class="relubook-table"')
        return (f'<div class="relubook-table-scroll" style="overflow-x: auto; max-width: 100%; container-type: inline-size;">'
                f'{styler.to_html()}</div>')

    def to_text(self) -> str:
        """A padded plain-text table (consoles, logs, doctests)."""
        body = self.strings.to_string(index=False, justify="right")
        return f"{self.caption}\n{body}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.to_myst(), "text/html": self.to_html(), "text/plain": self.to_text()}

    def __repr__(self) -> str:  # a reader who prints it gets the table, not an object id
        return self.to_text()


def table(
    data,
    *,
    caption: str,
    label: str,
    units: Mapping[str, str] | None = None,
    sig: int | Mapping[str, int] = 3,
    formats: Mapping[str, Any] | None = None,
    columns: list[str] | None = None,
    align: Mapping[str, str] | None = None,
) -> Table:
    """Make a book table from ``data`` (a DataFrame, a dict of columns or a list of row dicts).

    Parameters
    ----------
    caption:
        The caption under the table number; MyST inline markup and ``$math$`` allowed.
    label:
        The target name (lower case, digits and hyphens, e.g. ``"tab-lemma1-units"``);
        chapters refer to the table with ``{numref}`label```.
    units:
        Column name -> unit, shown in the header as ``name (unit)``.
    sig:
        Significant figures of float columns: one number for all, or a dict per column (default 3).
    formats:
        Column name -> a format string (``"{:.0e}"``) or a callable, overriding the numeric rule.
    columns:
        The columns to show, in order (default: all).
    align:
        Column name -> ``"left"``, ``"right"`` or ``"center"`` (default: right for columns holding
        numbers, left otherwise), e.g. right for a column of preformatted numbers.
    """
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("caption must be a non-empty string")
    if not isinstance(label, str) or not _LABEL.match(label):
        raise ValueError(f"label must be lower case letters, digits and hyphens starting with a letter, got {label!r}")
    if isinstance(data, pd.DataFrame):
        frame = data.reset_index(drop=True).copy()
    else:
        try:
            frame = pd.DataFrame(data)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"data must be a DataFrame, a dict of columns or a list of rows, got {type(data).__name__}") from exc
    if frame.shape[1] == 0:
        raise ValueError("data must have at least one column")
    frame.columns = [str(c) for c in frame.columns]
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"columns names {missing} that data does not have; it has {list(frame.columns)}")
        frame = frame[list(columns)]
    units = dict(units or {})
    formats = dict(formats or {})
    aligns = dict(align or {})
    bad = {c: a for c, a in aligns.items() if a not in ("left", "right", "center")}
    if bad:
        raise ValueError(f"align values must be 'left', 'right' or 'center', got {bad}")
    for name, mapping in (("units", units), ("formats", formats), ("align", aligns)):
        unknown = [c for c in mapping if c not in frame.columns]
        if unknown:
            raise ValueError(f"{name} names columns {unknown} that the table does not have; it has {list(frame.columns)}")
    if isinstance(sig, Mapping):
        unknown = [c for c in sig if c not in frame.columns]
        if unknown:
            raise ValueError(f"sig names columns {unknown} that the table does not have; it has {list(frame.columns)}")
        sigs = {c: sig.get(c, 3) for c in frame.columns}
    else:
        sigs = {c: sig for c in frame.columns}
    strings = {}
    alignment = []
    for c in frame.columns:
        values = frame[c].tolist()
        if c in formats:
            f = formats[c]
            fmt = f.format if isinstance(f, str) else f
            if not callable(fmt):
                raise TypeError(f"formats[{c!r}] must be a format string or a callable")
            col = [MISSING if v is None else str(fmt(v)) for v in values]
        else:
            col = format_column(values, sig=sigs[c])
        numeric = any(_is_number(v) for v in values)
        alignment.append(aligns.get(c, "right" if numeric else "left"))
        strings[_header(c, units.get(c))] = col
    return Table(frame, pd.DataFrame(strings), caption.strip(), label, alignment)


def equations(pairs: Mapping[str, Any] | None = None, /, **named):
    """Display symbolic results as typeset math: ``equations({"Q_i": expr})``.

    Keys are LaTeX left-hand sides, values sympy expressions (or LaTeX strings);
    several pairs are aligned on ``=``.  Returns an :class:`IPython.display.Math`.
    """
    import sympy as sp
    from IPython.display import Math

    items = dict(pairs or {})
    items.update(named)
    if not items:
        raise ValueError("equations needs at least one pair of left-hand side and expression")
    rows = []
    for lhs, rhs in items.items():
        body = rhs if isinstance(rhs, str) else sp.latex(rhs)
        rows.append(f"{lhs} &= {body}")
    if len(rows) == 1:
        return Math(rows[0].replace("&=", "="))
    return Math(r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}")
