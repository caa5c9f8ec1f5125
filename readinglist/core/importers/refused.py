"""Bibliographic formats Readinglist does not read, recognised so that they are
refused by name, with what to export instead, rather than read as a listing of
junk papers ("no paper recognised ... as listing" at best)."""

from __future__ import annotations

import re

_INSTEAD = "export BibTeX, RIS or CSL-JSON instead"

# (what it is, how to know it from the first few kilobytes, what to do instead)
_REFUSED: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "PubMed XML",
        re.compile(r"<(?:!DOCTYPE\s+)?PubmedArticleSet\b"),
        "in PubMed use Send to > Citation manager (MEDLINE .nbib, which Readinglist reads) instead",
    ),
    (
        "EndNote XML",
        re.compile(r"<xml>\s*<records>\s*<record>|<records>\s*<record>\s*<database"),
        "in EndNote export RIS (File > Export, RefMan (RIS) Export) instead",
    ),
    (
        "MODS XML",
        re.compile(r"<(?:mods:)?mods\b[^>]*loc\.gov/mods|<modsCollection\b"),
        _INSTEAD,
    ),
    (
        "Word bibliography XML (MsBib)",
        re.compile(r"<b:Sources\b|officeDocument/2006/bibliography"),
        _INSTEAD,
    ),
    (
        "an RSS feed",
        re.compile(r"<rss\b[^>]*version="),
        "feeds will be read by subscriptions; until then paste the listing page instead",
    ),
    (
        "CITATION.cff",
        re.compile(r"(?m)^cff-version:\s*\S"),
        "it describes one piece of software; export its BibTeX (GitHub's 'Cite this "
        "repository') instead",
    ),
    (
        "CSL-YAML",
        re.compile(r"(?m)^references:\s*\n\s*-\s+\w[\w-]*:|^-\s+id:\s*\S+\s*\n\s+\w"),
        "export CSL-JSON (which Readinglist reads) or BibTeX instead",
    ),
    (
        "EndNote tagged text or refer (.enw)",
        re.compile(r"(?m)^%0 \S"),
        "in EndNote export RIS (RefMan (RIS) Export) instead",
    ),
    ("refer/BibIX text", re.compile(r"(?m)^%[TA] \S[^\n]*\n(?:%[A-Z] [^\n]*\n){1,}"), _INSTEAD),
)


def refused_format(text: str) -> str | None:
    """The message refusing ``text``'s format, or None for a format we read."""
    head = text.lstrip("\ufeff \t\r\n")[:8000]
    for name, pattern, instead in _REFUSED:
        if pattern.search(head):
            return (
                f"this is {name if name.startswith('an ') else name + ' data'}, which "
                f"Readinglist does not read; {instead}"
            )
    return None
