"""CSL-JSON out, for Pandoc, Zotero and citation-js: one item per paper, its id the
citation key, fields in a fixed order so that the same library writes the same bytes.
Field names and types: https://github.com/citation-style-language/schema
(csl-data.json)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from readinglist.core.bibtex import entry_type_and_venue
from readinglist.core.models import Paper
from readinglist.core.names import name_parts

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


def csl_name(name: str, family: str | None = None) -> dict[str, str]:
    """A display name as CSL name parts (split as for BibTeX, see names.py); a group
    as a literal."""
    parts = name_parts(name, family)
    if parts is None or not parts.given:
        return {"literal": " ".join(name.split())}
    out = {"family": parts.family, "given": parts.given}
    if parts.suffix:
        out["suffix"] = parts.suffix
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
        families = paper.extra.get("families") or {}
        out["author"] = [csl_name(a, families.get(a)) for a in paper.authors]
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
