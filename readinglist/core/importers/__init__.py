"""Importers: text in, PaperDrafts out. Pure functions, no database.

``parse(text, format)`` detects the format when asked to (``auto``) and raises
BadInput, with a reason a person can act on, when nothing can be read.
"""

from __future__ import annotations

import re

from readinglist.core.errors import BadInput
from readinglist.core.importers.arxiv import looks_like_arxiv, parse_arxiv
from readinglist.core.importers.bibliographic import looks_like_wos, parse_atom, parse_ris
from readinglist.core.importers.bibtex_in import parse_bibtex
from readinglist.core.importers.csl_json import looks_like_json, parse_csl_json
from readinglist.core.importers.flat_page import browser_copy, unflatten
from readinglist.core.importers.listing import parse_listing
from readinglist.core.importers.medline import looks_like_medline, parse_medline
from readinglist.core.importers.page_shapes import extract
from readinglist.core.importers.refused import refused_format
from readinglist.core.models import IMPORT_FORMATS, ParseResult

FORMATS = IMPORT_FORMATS


def detect_format(text: str) -> str:
    head = text.lstrip("\ufeff \t\n")[:20000]
    if re.match(r"<\?xml|<feed\b", head) and "<feed" in head[:5000]:
        return "atom"
    if looks_like_wos(head):
        return "ris"  # refused there with a message naming Web of Science
    if looks_like_medline(head):
        return "medline"
    if looks_like_json(head):
        return "csl-json"  # other JSON is refused there, by name
    refusal = refused_format(head)
    if refusal:
        raise BadInput(refusal)
    ris_tags = len(re.findall(r"(?m)^\s*\ufeff?[A-Z][A-Z0-9]  ?- ", head))
    if ris_tags >= 2 and re.search(r"(?m)^\s*ER\s{0,2}-", text):
        return "ris"
    if re.search(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]", head):
        return "bibtex"
    if looks_like_arxiv(text):
        return "arxiv"
    return "listing"


def _parse_page(text: str) -> ParseResult:
    """A pasted page: its tables, link lists and numbered lists (page_shapes), then
    the rest as a "title, then abstract" listing."""
    shapes = extract(text)
    result = parse_listing(shapes.rest)
    if shapes.drafts or shapes.skipped:
        result.drafts = sorted(shapes.drafts + result.drafts, key=lambda d: d.line)
        result.skipped = sorted(shapes.skipped + result.skipped, key=lambda s: s.line)
    return result


def parse(text: str, format: str = "auto", name: str = "input") -> ParseResult:
    """Parse text into drafts. Raises BadInput when the text holds no paper."""
    if format not in FORMATS:
        raise BadInput(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if not text or text.isspace():  # (strip() would copy a 150 MB text)
        raise BadInput(f"nothing to import: {name} is empty")
    fmt = detect_format(text) if format == "auto" else format
    if fmt in ("listing", "arxiv") and (page := unflatten(text) or browser_copy(text)):
        text, fmt = page, "arxiv"  # an abstract page, flattened or copied from a browser
    if fmt == "arxiv":
        result = parse_arxiv(text)
    elif fmt == "listing":
        result = _parse_page(text)
    elif fmt == "bibtex":
        result = parse_bibtex(text)
    elif fmt == "ris":
        result = parse_ris(text)
    elif fmt == "medline":
        result = parse_medline(text)
    elif fmt == "csl-json":
        result = parse_csl_json(text)
    else:
        result = parse_atom(text)
    if not result.drafts:
        detail = ""
        if result.skipped:
            detail = f" ({len(result.skipped)} parts skipped, first: {result.skipped[0]})"
        raise BadInput(f"no paper recognised in {name} as {fmt}{detail}")
    return result
