"""Author-year labels in the bibliography, the same as the citations in the text.

sphinxcontrib-bibtex cites in the text as "Luo et al. [2026]" (``bibtex_reference_style:
author_year``) but labels the list with pybtex's alpha labels ("[LWZ+26]").  This Sphinx
extension registers the pybtex formatting style ``authoryear`` (unsrt formatting, labels
"Luo et al., 2026") and makes it the default style of ``{bibliography}`` directives.

Labels: one author "Clarke, 1990"; two "Glorot and Bengio, 2010"; three or more
"Luo et al., 2026"; no author (a web page) the title, as the text cites it.
Listed in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle

NAME = "authoryear"


def _last(person) -> str:
    text = " ".join(person.prelast_names + person.last_names)
    return text.replace("{", "").replace("}", "")


def author_year_label(entry) -> str:
    """The label of one pybtex entry, as the author-year citations in the text show it."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    year = entry.fields.get("year", "n.d.")
    if not persons:
        who = entry.fields.get("title", entry.key).replace("{", "").replace("}", "")
    elif len(persons) == 1:
        who = _last(persons[0])
    elif len(persons) == 2:
        who = f"{_last(persons[0])} and {_last(persons[1])}"
    else:
        who = f"{_last(persons[0])} et al."
    return f"{who}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        seen: dict[str, int] = {}
        labels = [author_year_label(e) for e in sorted_entries]
        for lab in labels:
            seen[lab] = seen.get(lab, 0) + 1
        count: dict[str, int] = {}
        for lab in labels:
            if seen[lab] > 1:  # two works of the same authors and year: 2018a, 2018b
                count[lab] = count.get(lab, 0) + 1
                yield lab + "abcdefghijklmnopqrstuvwxyz"[count[lab] - 1]
            else:
                yield lab


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.formatting", NAME, AuthorYearStyle, force=True)


def setup(app):
    # the style itself is chosen in _config.yml (bibtex_default_style: authoryear)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
