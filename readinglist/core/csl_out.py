"""CSL-JSON out, for Pandoc, Zotero and citation-js: one item per paper, its id the
citation key, fields in a fixed order so that the same library writes the same bytes.
Field names and types: https://github.com/citation-style-language/schema
(csl-data.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from readinglist.core.bibtex import entry_type_and_venue
from readinglist.core.models import Paper

# Our BibTeX entry types -> CSL item types.
_CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "book": "book",
    "booklet": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "manual": "report",
    "unpublished": "manuscript",
}
_GROUP = re.compile(r"\b(?:Collaborations?|Consortium|Team|Group|Project|Institute)\b")
_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


def csl_name(name: str) -> dict[str, str]:
    """A display name ("Given [von] Family[, Jr.]") as CSL name parts; a group or a
    single word as a literal."""
    name = " ".join(name.split())
    suffix = ""
    if name.count(",") == 1:
        name, _, suffix = (x.strip() for x in name.rpartition(","))
    words = name.split(" ")
    if not suffix and len(words) > 2 and _SUFFIX.match(words[-1]):
        suffix = words.pop()
    if len(words) == 1 or _GROUP.search(name) or " and " in f" {name} ":
        return {"literal": name}
    start = next((i for i in range(1, len(words) - 1) if words[i][:1].islower()), len(words) - 1)
    out = {"family": " ".join(words[start:]), "given": " ".join(words[:start])}
    if suffix:
        out["suffix"] = suffix
    return out


def item(paper: Paper, abstract: bool = True) -> dict[str, Any]:
    kind, venue = entry_type_and_venue(paper)
    bib: dict[str, Any] = paper.extra.get("bibtex", {})
    csl_type = _CSL_TYPES.get(kind) or ("article" if paper.arxiv_id else "document")
    out: dict[str, Any] = {
        "id": paper.citekey or f"paper{paper.id}",
        "type": csl_type,
        "title": paper.title,
    }
    if paper.authors:
        out["author"] = [csl_name(a) for a in paper.authors]
    if paper.year:
        out["issued"] = {"date-parts": [[paper.year]]}
    container = venue.get("journal") or venue.get("booktitle")
    container = container or bib.get("journal") or bib.get("booktitle")
    if container:
        out["container-title"] = str(container)
    for name, key in (
        ("volume", "volume"),
        ("number", "issue"),
        ("publisher", "publisher"),
        ("issn", "ISSN"),
        ("isbn", "ISBN"),
    ):
        if bib.get(name):
            out[key] = str(bib[name])
    if bib.get("pages"):
        out["page"] = str(bib["pages"]).replace("--", "-").replace("\u2013", "-")
    if paper.arxiv_id:
        # As Zotero writes an arXiv preprint: the id as the number, arXiv the publisher.
        out["number"] = f"arXiv:{paper.arxiv_id}"
        out.setdefault("publisher", "arXiv")
    if paper.doi:
        out["DOI"] = paper.doi
    url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None)
    if url:
        out["URL"] = url
    if abstract and paper.abstract:
        out["abstract"] = paper.abstract
    if paper.tags:
        out["keyword"] = ", ".join(paper.tags)
    return out


def csl_json(papers: Iterable[Paper], abstract: bool = True) -> str:
    """A CSL-JSON array for papers, in the order given (UTF-8, two-space indent)."""
    items = [item(p, abstract) for p in papers]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
