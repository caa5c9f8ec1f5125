"""A BibTeX entry's type and fields in biblatex's vocabulary (for biber).

biber reads BibTeX's own types and fields too, but a biblatex style then has to
guess: ``journal`` is an alias, a ``@phdthesis`` carries no ``type``, an arXiv
preprint is a ``@misc`` with ``archivePrefix``, and a Mendeley ``@web_page``
(written ``@misc`` for BibTeX) loses what it was. Here each becomes what the
biblatex manual (section 2) names: ``journaltitle``, ``location``, ``date``,
``@thesis`` with ``type = {phdthesis}``, ``@online`` with ``eprinttype = {arxiv}``
as Better BibTeX writes preprints, ``@online`` for web pages.
"""

from __future__ import annotations

from readinglist.core.models import Paper

# biblatex's entry types (manual, 2.1): an import's type among them is kept.
BIBLATEX_TYPES = frozenset(
    "article book mvbook inbook bookinbook suppbook booklet collection mvcollection "
    "incollection suppcollection dataset manual misc online patent periodical "
    "suppperiodical proceedings mvproceedings inproceedings reference mvreference "
    "inreference report set software thesis unpublished".split()
)
# Types of other programs that name a web page (Mendeley, JabRef, Zotero's old export).
_WEB_TYPES = frozenset({"web_page", "webpage", "electronic", "www", "online"})
# BibTeX's types that biblatex spells otherwise, and the ``type`` they imply.
_FROM_BIBTEX = {
    "phdthesis": ("thesis", "phdthesis"),
    "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"),
    "conference": ("inproceedings", ""),
}
_RENAMED = {
    "journal": "journaltitle",
    "address": "location",
    "school": "institution",
    "annote": "annotation",
    "archivePrefix": "eprinttype",
    "primaryClass": "eprintclass",
}
_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def to_biblatex(
    kind: str, paper: Paper, fields: list[tuple[str, str]]
) -> tuple[str, list[tuple[str, str]]]:
    """``kind`` and ``fields`` (a BibTeX entry's, escaped) as biblatex names them."""
    original = str(paper.extra.get("bibtex", {}).get("entrytype", "")).lower()
    given = dict(fields)
    implied = ""
    if original in _WEB_TYPES:
        kind = "online"
    elif original in BIBLATEX_TYPES and original != "misc" and kind == "misc":
        kind = original  # @software, @dataset, @report ... written @misc for BibTeX
    elif kind in _FROM_BIBTEX:
        kind, implied = _FROM_BIBTEX[kind]
    elif kind == "misc" and paper.arxiv_id and not given.get("howpublished"):
        kind = "online"  # a preprint: what Better BibTeX writes for biblatex
    out: list[tuple[str, str]] = []
    for name, value in fields:
        if name == "year":
            out.append(("date", _date(value, given.get("month", ""))))
        elif name == "month":
            if _month(value) is None:
                out.append(("issue", value))  # "Spring", "Winter": biblatex's issue
        elif name == "archivePrefix":
            out.append(("eprinttype", value.lower()))
        else:
            out.append((_RENAMED.get(name, name), value))
    if implied and "type" not in given:
        out.append(("type", implied))
    return kind, out


def _month(value: str) -> int | None:
    text = value.strip().rstrip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text)


def _date(year: str, month: str) -> str:
    """biblatex's ISO 8601 date: ``2024`` or ``2024-03``."""
    number = _month(month) if month else None
    return f"{year}-{number:02d}" if number else year
