"""arXiv text formats: e-mail digests (mailings), ``.abs`` pages, and the
"new submissions" listing page as copied from a browser.

Mailing / abs entry::

    \\\\
    arXiv:2601.11559 (*cross-listing*)
    Date: Thu, 18 Dec 2025 05:03:49 GMT   (704kb)

    Title: A title that wraps
      onto an indented continuation line
    Authors: A. One, B. Two and C. Three
    Categories: cs.AI cs.LG
    Comments: 5 pages
    \\\\
      The abstract, first line indented,
    the rest not.
    \\\\ ( https://arxiv.org/abs/2601.11559 ,  704kb)

Replacements have no abstract: the closing ``\\\\ (`` line follows the fields.
"""

from __future__ import annotations

import re

from readinglist.core.latex import latex_accents_to_unicode
from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.text import (
    arxiv_year,
    find_links,
    join_lines,
    join_wrapped,
    normalize_arxiv_id,
    normalize_doi,
)

#: An arXiv id, new style (2401.12345) or old (hep-th/9901001), with its version.
ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_ENTRY_START = re.compile(r"^arXiv:(" + ARXIV_ID + r")\b(.*)$")
_PAGE_START = re.compile(r"^\[(\d+)\]\s+arXiv:(" + ARXIV_ID + r")\b(.*)$")
_FIELD = re.compile(r"^([A-Z][A-Za-z-]*(?: \([^)]*\))?):\s?(.*)$")
_SEPARATOR = re.compile(r"^(?:-{20,}|(?:%-)+%?-?|(?:%%--)+%*-*|(?:%%%---)+%*-*)\s*$")
_CLOSE = re.compile(r"^\\\\\s*\(\s*(\S+)\s*,")
_KNOWN_FIELDS = {
    "title",
    "authors",
    "categories",
    "comments",
    "journal-ref",
    "doi",
    "report-no",
    "acm-class",
    "msc-class",
    "subjects",
    "license",
    "from",
    "date",
    "proxy",
}


def looks_like_arxiv(text: str) -> bool:
    head = text[:200_000]
    has_entry = re.search(r"(?m)^(?:\[\d+\]\s+)?arXiv:" + ARXIV_ID, head) is not None
    return has_entry and re.search(r"(?m)^Title:", head) is not None


def split_authors(value: str) -> list[str]:
    """Split an arXiv author line into names, dropping affiliations in parentheses.

    Handles ``A, B and C``, ``A and B and C``, Oxford commas, suffixes such as
    ``Jr.`` and a collaboration prefix (``The X Collaboration: A, B``).
    """
    value = " ".join(value.split())
    prefix: list[str] = []
    m = re.match(
        r"^([^,:()]*\b(?:Collaborations?|Consortium|Team|Group)\b[^,:()]*):\s*(.*)$", value
    )
    if m:
        prefix, value = [m.group(1).strip()], m.group(2)
    # Drop parenthesised affiliations, including nested ones.
    depth, out = 0, []
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    value = "".join(out)
    names: list[str] = []
    for part in value.split(","):
        for name in re.split(r"\s+and\s+|^and\s+|\s+&\s+", part.strip()):
            name = " ".join(name.split()).strip(" ;")
            if not name:
                continue
            if names and re.fullmatch(r"(?:Jr\.?|Sr\.?|II|III|IV)", name):
                names[-1] = f"{names[-1]}, {name}"
                continue
            names.append(latex_accents_to_unicode(name))
    return prefix + names


def _entry_draft(fields: dict[str, str], arxiv_id: str, abstract: str, line: int) -> PaperDraft:
    aid = normalize_arxiv_id(arxiv_id) or arxiv_id
    categories = fields.get("categories", "").split()
    if not categories and "subjects" in fields:
        categories = re.findall(r"\(([a-z-]+(?:\.[A-Za-z-]+)?)\)", fields["subjects"])
    extra = {
        key: fields[key]
        for key in ("report-no", "acm-class", "msc-class", "license")
        if fields.get(key)
    }
    if fields.get("replaced"):
        # "replaced with revised version Tue, 20 Jan 2026 17:44:29 GMT   (306kb)"
        revised = re.sub(r"^replaced with revised version\s*", "", fields["replaced"])
        extra["revised"] = re.sub(r"\s*\(\d+kb\)$", "", revised).strip() or "yes"
    return PaperDraft(
        title=" ".join(fields.get("title", "").split()),
        abstract=abstract,
        authors=split_authors(fields.get("authors", "")),
        year=arxiv_year(aid),
        arxiv_id=aid,
        doi=normalize_doi(fields.get("doi", "").split(" ")[0]),
        url=f"https://arxiv.org/abs/{aid}",
        links=find_links(abstract),
        categories=categories,
        comments=" ".join(fields.get("comments", "").split()),
        journal_ref=" ".join(fields.get("journal-ref", "").split()),
        extra=extra,
        line=line,
    )


def parse_arxiv(text: str) -> ParseResult:
    """Parse mailings, abs pages and listing pages; never raises on any text."""
    lines = text.split("\n")
    result = ParseResult(format="arxiv", drafts=[])
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        m = _ENTRY_START.match(line)
        page = None if m else _PAGE_START.match(line)
        if not m and not page:
            # An entry whose arXiv line is missing: "\\" followed by fields and a title.
            if line.strip() == "\\\\" and i + 1 < n and _FIELD.match(lines[i + 1]):
                j = i + 1
                while (
                    j < n and not _SEPARATOR.match(lines[j]) and not lines[j].startswith("Title:")
                ):
                    j += 1
                if j < n and lines[j].startswith("Title:"):
                    title = lines[j][6:].strip()
                    result.skipped.append(
                        Skipped(i + 1, f"entry without an arXiv id (title {title[:50]!r})")
                    )
            i += 1
            continue
        if m:
            i = _parse_mail_entry(lines, i, m.group(1), result)
        else:
            assert page is not None
            i = _parse_page_entry(lines, i, page.group(2), result)
    return result


def _read_fields(
    lines: list[str], i: int, stop: re.Pattern[str] | None = None
) -> tuple[dict[str, str], int]:
    """Read ``Key: value`` fields with indented continuation lines, from line i."""
    fields: dict[str, str] = {}
    key: str | None = None
    n = len(lines)
    while i < n:
        line = lines[i]
        if stop is not None and stop.match(line):
            break
        if line.startswith("\\\\") or _SEPARATOR.match(line):
            break
        fm = _FIELD.match(line)
        if fm and fm.group(1).split(" (")[0].lower() in _KNOWN_FIELDS:
            key = fm.group(1).split(" (")[0].lower()
            if key in fields and key == "date":
                key = "date (revised)"
            fields[key] = fm.group(2).strip()
        elif line[:1] in (" ", "\t") and line.strip() and key is not None:
            fields[key] = join_wrapped(fields[key], line)
        elif not line.strip():
            key = None
        elif line.startswith("replaced with revised version"):
            fields["replaced"] = line.strip()
        else:
            break
        i += 1
    return fields, i


def _parse_mail_entry(lines: list[str], i: int, arxiv_id: str, result: ParseResult) -> int:
    start = i
    fields, i = _read_fields(lines, i + 1)
    n = len(lines)
    abstract_lines: list[str] = []
    terminated = True
    if i < n and lines[i].strip() == "\\\\":
        i += 1
        terminated = False
        while i < n:
            line = lines[i]
            if _CLOSE.match(line) or line.strip() == "\\\\":
                terminated = True
                i += 1
                break
            if _SEPARATOR.match(line):
                break
            abstract_lines.append(line.strip())
            i += 1
    elif i < n and _CLOSE.match(lines[i]):
        i += 1
    if not fields.get("title"):
        result.skipped.append(Skipped(start + 1, f"arXiv:{arxiv_id} has no title"))
        return max(i, start + 1)
    abstract = join_lines(abstract_lines)
    draft = _entry_draft(fields, arxiv_id, abstract, start + 1)
    if not terminated:
        result.warnings.append(
            Skipped(start + 1, f"arXiv:{draft.arxiv_id}: the abstract ends abruptly; kept as given")
        )
    result.drafts.append(draft)
    return max(i, start + 1)


_PAGE_STOP = re.compile(
    r"^(?:\[\d+\]\s+arXiv:|(?:New|Cross|Replacement) submissions|Cross-lists|Replacements|"
    r"Total of \d+ entries|Showing \d+|Title:)"
)


def _parse_page_entry(lines: list[str], i: int, arxiv_id: str, result: ParseResult) -> int:
    start = i
    n = len(lines)
    i += 1
    while i < n and not lines[i].strip():
        i += 1
    # Copied pages put each field on its own line; the title may come without
    # its "Title:" label when copied from some browsers, so accept both.
    fields: dict[str, str] = {}
    key: str | None = None
    while i < n:
        line = lines[i]
        fm = _FIELD.match(line.strip())
        if fm and fm.group(1).split(" (")[0].lower() in _KNOWN_FIELDS:
            key = fm.group(1).split(" (")[0].lower()
            fields[key] = fm.group(2).strip()
        elif line.strip() and key in ("title", "authors") and not fields.get(key):
            fields[key] = line.strip()
        elif line.strip() and line[:1] in (" ", "\t") and key is not None:
            fields[key] = join_wrapped(fields[key], line)
        else:
            break
        i += 1
    abstract_lines: list[str] = []
    while i < n:
        line = lines[i]
        if _PAGE_START.match(line) or re.match(
            r"^(?:New|Cross|Replacement) submissions|^Cross-lists|^Replacements|^Total of", line
        ):
            break
        abstract_lines.append(line.strip())
        i += 1
    if not fields.get("title"):
        result.skipped.append(Skipped(start + 1, f"arXiv:{arxiv_id} has no title"))
        return i
    abstract = join_lines(abstract_lines)
    result.drafts.append(_entry_draft(fields, arxiv_id, abstract, start + 1))
    return i
