"""An arXiv abstract page flattened to one line, read as the page it was.

Chat programs, some note apps and a browser's copy of arxiv.org/abs/ID join the
page into one line: "Title:Attention Is All You Need Authors:Ashish Vaswani, …
Abstract:The dominant … Comments: 15 pages Subjects: Computation and Language
(cs.CL) Cite as: arXiv:1706.03762", or an ``.abs`` file's "arXiv:0704.0001 From: …
Title: … Authors: … \\\\ A fully differential … \\\\". The listing parser saw one
title-less line. Here the labels are split out again and the page rebuilt in the
``.abs`` form, which the arXiv parser reads like any other.

A browser's copy of the page that keeps its lines (select all, copy) is read the
same way: its title and authors are the two lines after "[Submitted on …]", with
or without the "Title:" and "Authors:" a browser may leave out, among the site's
menus, which are left out.
"""

from __future__ import annotations

import re

from readinglist.core.importers.arxiv import ARXIV_ID

_LABELS = (
    r"Title|Authors?|Abstract|Comments|Subjects|Categories|Journal-ref|Journal reference|"
    r"DOI|Report-no|Report number|Cite as|From|Date(?: \(revised v\d+\))?|MSC-class|"
    r"ACM-class|License"
)
_LABEL = re.compile(r"(?:(?<=[\s\]])|^)(" + _LABELS + r") ?:\s*")
# The web page's and the .abs file's names for a field, as the .abs form writes them.
_NAMES = {
    "Author": "Authors",
    "Journal reference": "Journal-ref",
    "Report number": "Report-no",
}
# Labels whose value is page furniture here ("Cite as" repeats the id).
_DROPPED = {"Cite as", "From"}
_LONGEST_LINE = 200_000
# The abstract page's buttons, between the authors and the abstract.
_FURNITURE = re.compile(r"\s(?:View PDF|HTML \(experimental\)|TeX Source|Other Formats)(?=\s)")


def unflatten(text: str) -> str | None:
    """The ``.abs`` form of a flattened arXiv abstract page; None for other text."""
    if len(text) > _LONGEST_LINE:  # before strip(): a 150 MB mailing is not copied
        return None
    body = text.strip()
    if body.count("\n") > 2:
        return None
    body = _FURNITURE.sub(" ", " ".join(body.split()))
    found = re.search(r"\barXiv:\s?(" + ARXIV_ID + r")\b", body)
    if found is None or not re.search(r"\bTitle ?:", body) or not re.search(r"\bAuthors? ?:", body):
        return None
    header, abstract = body, ""
    parts = [p.strip() for p in re.split(r"(?:^|\s)\\\\(?:\s|$)", body)]
    if len(parts) >= 3:  # an .abs file: header \\ abstract \\
        header = next((p for p in parts if "Title" in p), parts[0])
        later = parts[parts.index(header) + 1 :]
        abstract = next((p for p in later if p), "")
    fields: list[tuple[str, str]] = []
    labels = list(_LABEL.finditer(header))
    for here, after in zip(labels, [*labels[1:], None], strict=True):
        end = after.start() if after is not None else len(header)
        name = _NAMES.get(here.group(1), here.group(1))
        value = header[here.end() : end].strip()
        if name == "Abstract":
            abstract = abstract or value
        elif name not in _DROPPED and value and name not in dict(fields):
            fields.append((name, value))
    if not dict(fields).get("Title"):
        return None
    lines = [f"arXiv:{found.group(1)}", *(f"{k}: {v}" for k, v in fields)]
    return "\n".join([*lines, "\\\\", f"  {abstract}", "\\\\", ""])


_SUBMITTED = re.compile(r"^\[Submitted on [^\]]+\]\s*$")
_PAGE_LABEL = re.compile(
    r"^(Comments|Subjects|Journal reference|Related DOI|Report number|MSC classes|"
    r"ACM classes|Cite as|Submission history)\s*:?\s*(.*)$"
)
# The page's names for a field, as the .abs form writes them.
_PAGE_NAMES = {
    "Comments": "Comments",
    "Subjects": "Subjects",
    "Journal reference": "Journal-ref",
    "Related DOI": "DOI",
    "Report number": "Report-no",
    "MSC classes": "MSC-class",
    "ACM classes": "ACM-class",
}


def browser_copy(text: str) -> str | None:
    """The ``.abs`` form of a browser's copy of an arXiv abstract page (its lines
    kept); None for other text."""
    if len(text) > _LONGEST_LINE:
        return None
    lines = [line.strip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if _SUBMITTED.match(line)), None)
    cited = re.search(r"^Cite as:\s*arXiv:(" + ARXIV_ID + r")\b", text, re.M)
    if start is None or cited is None:
        return None
    rest = [line for line in lines[start + 1 :] if line]
    at = next((i for i, line in enumerate(rest) if line.startswith("Abstract:")), None)
    if at is None or at < 2:
        return None
    title = re.sub(r"^Title:\s*", "", rest[0])
    authors = re.sub(r"^Authors?:\s*", "", rest[1])
    abstract: list[str] = [rest[at].removeprefix("Abstract:").strip()]
    fields: dict[str, str] = {}
    in_abstract = True
    for line in rest[at + 1 :]:
        label = _PAGE_LABEL.match(line)
        if label is None:
            if in_abstract:
                abstract.append(line)
            continue
        in_abstract = False
        name = _PAGE_NAMES.get(label.group(1))
        if name is None:  # "Cite as" and what follows it are the site's
            if label.group(1) == "Submission history":
                break
            continue
        if label.group(2) and name not in fields:
            fields[name] = " ".join(label.group(2).split())
    if not title or not authors:
        return None
    head = [f"arXiv:{cited.group(1)}", f"Title: {title}", f"Authors: {authors}"]
    head += [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join([*head, "\\\\", "  " + " ".join(" ".join(abstract).split()), "\\\\", ""])
