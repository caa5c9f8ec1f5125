"""Shapes a pasted page lists papers in besides "title, then abstract": Markdown
tables of titles (conference lists), Markdown or "bot" digests of links (an arXiv
link names the paper), numbered lists "1. Title Authors: …". And page furniture
that must never become a paper: Markdown heading marks, table rules, arXiv's
"arXiv:ID Announce Type: new Abstract: …" teasers (no title).

``extract`` takes those lines out (blank lines left in their place, so the line
numbers of what remains stay true) for the listing parser to read the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readinglist.core.importers.arxiv import split_authors
from readinglist.core.models import PaperDraft, Skipped
from readinglist.core.text import normalize_arxiv_id

_LINK = re.compile(r"\[(?P<title>[^\]\n]{3,400})\]\((?P<url>https?://[^)\s]+)\)")
_LINK_ITEM = re.compile(
    r"^\s*(?:[-*+]|\d{1,4}[.)])?\s*(?:\*\*|__)?\[(?P<title>[^\]\n]{3,400})\]"
    r"\((?P<url>https?://[^)\s]+)\)(?:\*\*|__)?(?P<rest>.*)$"
)
_NUMBERED = re.compile(r"^\s*\d{1,4}[.)]\s+(?P<title>\S.*?)\s+Authors?:\s*(?P<authors>\S.*)$")
_TEASER = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*[\w-]+\s+Abstract:", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_ROW = re.compile(r"^\s*\|.*\|\s*$")
_BY = re.compile(r"^\s*(?:[-—–:,]|by\b)\s*(?P<authors>[^()\[\]]{3,400})$", re.IGNORECASE)


@dataclass
class Shapes:
    drafts: list[PaperDraft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rest: str = ""


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _words(title: str) -> bool:
    """Enough like a title: two words or more, not a bare URL or a number."""
    return len(title.split()) >= 2 and not re.fullmatch(r"[\d\s.,:/-]+", title)


def _from_link(title: str, url: str, line: int, authors: str = "") -> PaperDraft:
    arxiv_id = normalize_arxiv_id(url) if "arxiv.org/" in url else None
    return PaperDraft(
        title=" ".join(title.replace("**", "").split()),
        authors=split_authors(authors) if authors else [],
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else url,
        line=line,
    )


def _table(lines: list[str], start: int, out: Shapes) -> int:
    """A Markdown table starting at ``start`` (its header), read into drafts when it
    has a title column; returns the index after it (``start`` if not a table)."""
    if start + 1 >= len(lines) or not _RULE.match(lines[start + 1]):
        return start
    header = [c.lower() for c in _cells(lines[start])]
    title_col = next((i for i, c in enumerate(header) if "title" in c or c == "paper"), None)
    if title_col is None:
        return start
    author_col = next((i for i, c in enumerate(header) if c.startswith("author")), None)
    end = start + 2
    while end < len(lines) and _ROW.match(lines[end]):
        cells = _cells(lines[end])
        if title_col < len(cells):
            cell = cells[title_col]
            link = _LINK.search(cell)
            title, url = (link["title"], link["url"]) if link else (cell, "")
            authors = (
                cells[author_col] if author_col is not None and author_col < len(cells) else ""
            )
            if _words(title):
                draft = _from_link(title, url, end + 1, authors)
                if not link:
                    draft.url = None
                out.drafts.append(draft)
            else:
                out.skipped.append(Skipped(end + 1, f"table row without a title: {cell[:60]!r}"))
        end += 1
    return end


def _abstract_follows(lines: list[str], start: int) -> bool:
    """Whether the next paragraph after ``start`` reads like an abstract (25 words
    or more, not a heading, table or list item)."""
    j = start
    while j < len(lines) and not lines[j].strip():
        j += 1
    words = 0
    while j < len(lines) and lines[j].strip():
        if _HEADING.match(lines[j]) or _ROW.match(lines[j]) or _LINK_ITEM.match(lines[j]):
            return False
        words += len(lines[j].split())
        j += 1
    return words >= 25


_MARKS = ("](http", "|", "Authors:", "Author:", "Announce Type", "#")


def extract(text: str) -> Shapes:
    """The papers of the shapes above, and the text left for the listing parser."""
    out = Shapes()
    if not any(
        mark in text for mark in ("](http", "|", "Authors:", "Author:", "Announce Type", "#")
    ):
        out.rest = text
        return out
    lines = text.split("\n")
    rest = list(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if _ROW.match(line):
            end = _table(lines, i, out)
            if end > i:
                for j in range(i, end):
                    rest[j] = ""
                i = end
                continue
            if _RULE.match(line):
                rest[i] = ""
        elif _TEASER.match(line):
            out.skipped.append(Skipped(i + 1, "an arXiv announcement teaser (no title)"))
            rest[i] = ""
        elif (m := _LINK_ITEM.match(line)) and _words(m["title"]):
            by = _BY.match(m["rest"])
            out.drafts.append(_from_link(m["title"], m["url"], i + 1, by["authors"] if by else ""))
            rest[i] = ""
        elif (m := _NUMBERED.match(line)) and _words(m["title"]):
            out.drafts.append(
                PaperDraft(
                    title=" ".join(m["title"].split()),
                    authors=split_authors(m["authors"]),
                    line=i + 1,
                )
            )
            rest[i] = ""
        elif _HEADING.match(line):
            # "## A Title" over its abstract is a title; a page's other headings
            # ("# Daily digest", "#### Abstract") are furniture.
            rest[i] = _HEADING.sub("", line) if _abstract_follows(lines, i + 1) else ""
        i += 1
    out.rest = "\n".join(rest)
    return out
