"""Papers -> BibTeX text that BibTeX, biber, bibtexparser and pybtex all accept.

Pure functions, no database. What is escaped and why:

* ``& % $ # _`` become ``\\& \\% \\$ \\# \\_``; ``{ } \\ ~ ^`` become
  ``\\textbraceleft{} \\textbraceright{} \\textbackslash{} \\textasciitilde{}
  \\textasciicircum{}``: BibTeX counts a brace even after a backslash, so ``\\{``
  would unbalance the field, and the ``\\text...{}`` forms keep braces balanced.
* Math spans (``$...$``, ``\\(...\\)``) stay math, wrapped in braces so no style
  changes their case; a math span with unbalanced braces is escaped as text.
* In titles, acronyms and words with inner capitals or digits (BERT, YOLOv8,
  ChatGPT) are wrapped in braces; in sentence-case titles, capitalised words
  after the first (proper nouns) are too.
* ``url``, ``doi`` and ``eprint`` are written verbatim (braces in a URL are
  percent-encoded so the field stays balanced).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from readinglist.core.latex import MATH_SPAN, braces_balanced, display_plain, to_ascii
from readinglist.core.models import Paper
from readinglist.core.names import name_parts

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_SPECIAL_RE = re.compile(r"[\\{}~^&%$#_]")
_PROCEEDINGS = re.compile(
    r"\b(?:Proc(?:eedings|\.)?|Conference|Conf\.|Workshop|Symposium)\b|"
    r"^(?:ICML|NeurIPS|NIPS|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|EACL|COLING|AAAI|IJCAI|KDD|"
    r"SIGIR|WWW|CHI|ICSE|FSE|ASE|ISSTA|OSDI|SOSP|NSDI|SIGMOD|VLDB|ICRA|IROS|RSS|CoRL|"
    r"AISTATS|UAI|COLT|MICCAI|INTERSPEECH|ICASSP)\b",
    re.IGNORECASE,
)
# Fields kept from imported BibTeX (Paper.extra["bibtex"]) and written back on export;
# the importer reads this same list.
BIB_FIELDS = (
    "journal",
    "booktitle",
    "volume",
    "number",
    "pages",
    "publisher",
    "month",
    "editor",
    "series",
    "address",
    "organization",
    "school",
    "institution",
    "edition",
    "chapter",
    "howpublished",
    "isbn",
    "issn",
    "type",
    "note",
)
_VERBATIM = ("url", "doi", "eprint", "isbn", "issn")
# BibTeX's own entry types (btxdoc); any other type an import brought (biblatex's,
# Mendeley's @web_page, @book_section…) is written as its nearest, else @misc:
# plainnat and every other style silently mis-format an entry of a type they lack.
_BIBTEX_TYPES = frozenset(
    "article book booklet conference inbook incollection inproceedings manual "
    "mastersthesis misc phdthesis proceedings techreport unpublished".split()
)
_NEAREST_TYPE = {
    "book_section": "incollection",
    "inreference": "incollection",
    "bookinbook": "inbook",
    "suppbook": "inbook",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "mvproceedings": "proceedings",
    "conference_proceedings": "proceedings",
    "magazine_article": "article",
    "newspaper_article": "article",
    "journal_article": "article",
    "suppperiodical": "article",
    "thesis": "phdthesis",
    "report": "techreport",
    "manuscript": "unpublished",
}
_MONTHS = {m: m for m in "jan feb mar apr may jun jul aug sep oct nov dec".split()}
_VALID_KEY = re.compile(r"^[A-Za-z0-9_:./+-]+$")


def valid_citekey(key: str) -> bool:
    """ASCII letters, digits and ``_ : . / + -``: what BibTeX and biber both accept."""
    return bool(_VALID_KEY.match(key)) and len(key) <= 100


def _escape_plain(text: str) -> str:
    text = display_plain(text)
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)


def escape(text: str, protect_math: bool = True) -> str:
    """Escape a text field, keeping balanced math spans as math."""
    text = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for m in MATH_SPAN.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        span = m.group(0)
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        if braces_balanced(inner) and "%" not in inner.replace("\\%", ""):
            out.append("{" + span + "}" if protect_math else span)
        else:
            out.append(_escape_plain(span))
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _needs_protection(word: str, sentence_case: bool, first: bool) -> bool:
    letters = re.sub(r"[^A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]", "", word)
    if not letters:
        return False
    if any(c.isupper() for c in letters[1:]):
        return True  # BERT, YOLOv8, ChatGPT, NoiSER
    if any(c.isdigit() for c in word) and any(c.isupper() for c in letters):
        return True
    return sentence_case and not first and letters[0].isupper()


def title_field(title: str) -> str:
    """Escape a title and brace-protect the words whose case must survive."""
    # Dashes judged as BibTeX writes them ("Paper–Code" and "Paper--Code" alike).
    title = " ".join(title.split()).replace("\u2014", "---").replace("\u2013", "--")
    words = re.findall(r"\S+", MATH_SPAN.sub(lambda m: m.group(0).replace(" ", "\x00"), title))
    # Judge the case style on ordinary words: not the first word, not acronyms.
    significant = [
        w for w in words[1:] if re.match(r"[A-Za-z]", w) and len(w) > 3 and not w.isupper()
    ]
    capitalised = sum(1 for w in significant if w[0].isupper())
    sentence_case = bool(significant) and capitalised / len(significant) < 0.5
    out = []
    for i, word in enumerate(words):
        word = word.replace("\x00", " ")
        # Protect the word without its trailing punctuation: "BERT:" -> "{BERT}:".
        m = re.match(r"^([(\[\"'“‘]*)(.*?)([)\]\"'”’.,:;!?]*)$", word)
        lead, core, trail = (m.group(1), m.group(2), m.group(3)) if m else ("", word, "")
        if MATH_SPAN.search(core):
            escaped = escape(core, protect_math=False)
            wrapped = "{" + escaped + "}" if braces_balanced(escaped) else escaped
            out.append(escape(lead) + wrapped + escape(trail))
            continue
        if MATH_SPAN.search(word):
            out.append(escape(word))
            continue
        parts = re.split(r"(-)", core)  # Self-Attention: protect each part on its own
        rendered = []
        for part in parts:
            escaped = escape(part)
            if part != "-" and _needs_protection(part, sentence_case, i == 0):
                rendered.append("{" + escaped + "}")
            else:
                rendered.append(escaped)
        out.append(escape(lead) + "".join(rendered) + escape(trail))
    return " ".join(out)


def format_name(name: str, family: str | None = None) -> str:
    """One author for BibTeX as "Family, Given" (or "Family, Jr., Given"), split where
    the source split it (``family``, see names.py) or else by rule, so that BibTeX
    never re-splits it ("Luc Van Gool" as "Van Gool, Luc", not family "Gool"). A
    group ("The CMS Collaboration") is braced whole: never split into names."""
    parts = name_parts(name, family)
    if parts is None and name.count(",") > 1:
        # Already in BibTeX's "Last, Jr, First" form (a malformed source): as it came.
        return ", ".join(escape(p.strip()) for p in name.split(","))
    if parts is None:
        return "{" + escape(" ".join(name.split())) + "}"
    last = escape(parts.family)
    if "," in parts.family:
        last = "{" + last + "}"
    if not parts.given:
        return last + (f", {escape(parts.suffix)}" if parts.suffix else "")
    if parts.suffix:
        return f"{last}, {escape(parts.suffix)}, {escape(parts.given)}"
    return f"{last}, {escape(parts.given)}"


def _verbatim(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D").replace("\n", " ")


def entry_type_and_venue(paper: Paper) -> tuple[str, dict[str, str]]:
    bib = paper.extra.get("bibtex", {})
    venue: dict[str, str] = {}
    kind = str(bib.get("entrytype", "")).lower()
    if kind and kind not in _BIBTEX_TYPES:
        kind = _NEAREST_TYPE.get(kind, "misc")
    if bib.get("journal"):
        return "article", venue
    if bib.get("booktitle"):
        return ("inproceedings" if kind in ("", "inproceedings", "conference") else kind), venue
    if kind and kind not in ("misc", "article", "inproceedings", "online", "unpublished"):
        return kind, venue
    if paper.journal_ref:
        if _PROCEEDINGS.search(paper.journal_ref):
            venue["booktitle"] = paper.journal_ref
            return "inproceedings", venue
        venue["journal"] = paper.journal_ref
        return "article", venue
    return "misc", venue


def entry(
    paper: Paper,
    abstract: bool = True,
    with_notes: bool = False,
    ascii_only: bool = False,
    biblatex: bool = False,
) -> str:
    """One BibTeX entry for a paper (in biblatex's vocabulary with ``biblatex``)."""
    kind, fields = _fields(paper, abstract, with_notes)
    if biblatex:
        from readinglist.core.biblatex import to_biblatex

        kind, fields = to_biblatex(kind, paper, fields)
    # Dashes as BibTeX writes them: a stored "--" (from a listing) and a stored "–"
    # (from BibTeX, which reads -- as –) export alike, so export -> import -> export
    # gives the same bytes.
    fields = [
        (k, v if k in _VERBATIM else v.replace("\u2014", "---").replace("\u2013", "--"))
        for k, v in fields
    ]
    if ascii_only:
        fields = [(k, to_ascii(v) if k not in _VERBATIM else v) for k, v in fields]
    key = paper.citekey or f"paper{paper.id}"
    width = max(len(k) for k, _ in fields)
    body = ",\n".join(
        f"  {k.ljust(width)} = {v}"
        if k == "month" and v in _MONTHS
        else f"  {k.ljust(width)} = {{{v}}}"
        for k, v in fields
    )
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _fields(paper: Paper, abstract: bool, with_notes: bool) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (name, escaped value) fields of a BibTeX entry."""
    kind, venue = entry_type_and_venue(paper)
    bib: dict[str, Any] = paper.extra.get("bibtex", {})
    fields: list[tuple[str, str]] = [("title", title_field(paper.title))]
    if paper.authors:
        families = paper.extra.get("families") or {}
        names = (format_name(a, families.get(a)) for a in paper.authors)
        fields.append(("author", " and ".join(names)))
    for name in BIB_FIELDS:
        value = venue.get(name) or bib.get(name)
        if not value:
            continue
        if name == "month" and str(value) in _MONTHS:
            fields.append((name, str(value)))  # written as a bare month macro
        elif name == "pages":
            fields.append((name, escape(str(value).replace("–", "--"))))
        else:
            fields.append((name, escape(str(value))))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    if paper.arxiv_id:
        fields.append(("eprint", _verbatim(paper.arxiv_id)))
        fields.append(("archivePrefix", "arXiv"))
        if paper.categories:
            fields.append(("primaryClass", _verbatim(paper.categories[0])))
    url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None)
    if url:
        fields.append(("url", _verbatim(url)))
    if abstract and paper.abstract:
        fields.append(("abstract", escape(paper.abstract)))
    if with_notes:
        if paper.tags:
            fields.append(("keywords", escape(", ".join(paper.tags))))
        # JabRef's special field knows "read" and "skimmed"; only "read" maps.
        if paper.status.value == "read":
            fields.append(("readstatus", "read"))
        if paper.note:
            fields.append(("annote", escape(paper.note.replace("\n", " "))))
    return kind, fields


def bibtex(
    papers: Iterable[Paper],
    abstract: bool = True,
    with_notes: bool = False,
    ascii_only: bool = False,
    biblatex: bool = False,
) -> str:
    """BibTeX for papers, in the order given, one blank line between entries; in
    biblatex's types and fields with ``biblatex`` (for biber)."""
    return "\n".join(entry(p, abstract, with_notes, ascii_only, biblatex) for p in papers)


def cite_command(papers: Iterable[Paper]) -> str:
    keys = [p.citekey or f"paper{p.id}" for p in papers]
    return "\\cite{" + ",".join(keys) + "}"


def markdown_list(papers: Iterable[Paper]) -> str:
    """A Markdown list with links, for notes and messages."""
    lines = []
    for p in papers:
        url = p.url or (f"https://arxiv.org/abs/{p.arxiv_id}" if p.arxiv_id else "")
        title = p.title.replace("[", "\\[").replace("]", "\\]")
        head = f"[{title}]({url})" if url else title
        who = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
        tail = " — ".join(x for x in (who, str(p.year) if p.year else "") if x)
        lines.append(f"- {head}" + (f" — {tail}" if tail else ""))
    return "\n".join(lines) + ("\n" if lines else "")
