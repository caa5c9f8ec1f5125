"""Importers: text in, PaperDrafts out. Pure functions, no database.

``parse(text, format)`` detects the format when asked to (``auto``) and raises
BadInput, with a reason a person can act on, when nothing can be read.
"""

from __future__ import annotations

import re

from readinglist.core.errors import BadInput
from readinglist.core.importers.arxiv import looks_like_arxiv, parse_arxiv
from readinglist.core.importers.listing import parse_listing
from readinglist.core.models import ParseResult

FORMATS = ("auto", "listing", "arxiv", "bibtex", "ris", "atom")


def detect_format(text: str) -> str:
    head = text.lstrip()[:20000]
    if re.match(r"<\?xml|<feed\b", head) and "<feed" in head[:5000]:
        return "atom"
    if re.search(r"(?m)^\s*TY\s{1,2}-\s?\S", head) and re.search(r"(?m)^\s*ER\s{1,2}-", text):
        return "ris"
    if re.search(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]", head):
        return "bibtex"
    if looks_like_arxiv(text):
        return "arxiv"
    return "listing"


def parse(text: str, format: str = "auto", name: str = "input") -> ParseResult:
    """Parse text into drafts. Raises BadInput when the text holds no paper."""
    if format not in FORMATS:
        raise BadInput(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if not text.strip():
        raise BadInput(f"nothing to import: {name} is empty")
    fmt = detect_format(text) if format == "auto" else format
    if fmt == "arxiv":
        result = parse_arxiv(text)
    elif fmt == "listing":
        result = parse_listing(text)
    else:
        raise BadInput(f"{name} looks like {fmt.upper()}; importing {fmt} is not available yet")
    if not result.drafts:
        detail = ""
        if result.skipped:
            detail = f" ({len(result.skipped)} parts skipped, first: {result.skipped[0]})"
        raise BadInput(f"no paper recognised in {name} as {fmt}{detail}")
    return result
