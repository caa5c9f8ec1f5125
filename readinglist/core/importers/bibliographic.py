"""BibTeX names, RIS (rispy) and arXiv API Atom feeds -> drafts (BibTeX entries: bibtex_in)."""

from __future__ import annotations

import re
from typing import Any

from readinglist.core.errors import BadInput
from readinglist.core.latex import braces_balanced, latex_to_text
from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.names import name_parts
from readinglist.core.text import find_links, normalize_arxiv_id, normalize_doi

# --- names ---------------------------------------------------------------------------------


def _split_top_level(value: str, sep: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    low = value.lower()
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and low.startswith(sep, i):
            parts.append(value[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(value[start:])
    return parts


def bibtex_name(raw: str) -> str:
    """A BibTeX name ("von Last, Jr., First", "First von Last", "given=..., family=...")
    as display text "First von Last, Jr."."""
    raw = " ".join(raw.split())
    if raw.startswith("{") and raw.endswith("}") and braces_balanced(raw[1:-1]):
        return latex_to_text(raw[1:-1])  # {R Core Team}: an institution, kept whole
    if re.search(r"\b(?:given|family|prefix|suffix)\s*=", raw):
        parts = {}
        for item in _split_top_level(raw, ","):
            if "=" in item:
                k, v = item.split("=", 1)
                parts[k.strip().lower()] = latex_to_text(v.strip().strip("{}"))
        name = " ".join(
            x for x in (parts.get("given"), parts.get("prefix"), parts.get("family")) if x
        )
        return f"{name}, {parts['suffix']}" if parts.get("suffix") else name
    pieces = [p.strip() for p in _split_top_level(raw, ",")]
    pieces = [p for p in pieces if p]
    if len(pieces) == 1:
        return latex_to_text(pieces[0])
    if len(pieces) == 2:
        last, first = pieces
        return latex_to_text(f"{first} {last}".strip())
    last, jr, first = pieces[0], pieces[1], ", ".join(pieces[2:])
    return latex_to_text(f"{first} {last}, {jr}".strip())


def name_list(value: str) -> list[str]:
    """The names of a BibTeX name list, as written. An English list typed into the
    field ("R. Michalski, J. Carbonell, and T. Mitchell", which bibtex stops on:
    "has a comma at the end") is split at its commas."""
    out: list[str] = []
    for name in _split_top_level(" ".join(value.split()), " and "):
        name = name.strip()
        if name.endswith(","):
            out.extend(p.strip() for p in _split_top_level(name, ",") if p.strip())
        elif name:
            out.append(name)
    return out


def split_bibtex_authors(value: str) -> list[str]:
    names = name_list(value)
    out = [bibtex_name(n) for n in names if n.strip().lower() != "others"]
    return [n for n in out if n]


def bibtex_family(raw: str) -> str | None:
    """The family name (with its von part) BibTeX reads in a name: before the first
    comma, else the last word, a braced group counting as one ("Yann {Le Cun}"), or
    from the first lower-case word on ("Johannes von Oswald"). None for a braced
    institution."""
    raw = " ".join(raw.split())
    if raw.startswith("{") and raw.endswith("}") and braces_balanced(raw[1:-1]):
        return None
    if re.search(r"\b(?:given|family|prefix|suffix)\s*=", raw):
        return None  # bibtex_name keeps prefix + family last: the rule finds it
    pieces = [p.strip() for p in _split_top_level(raw, ",") if p.strip()]
    if not pieces:
        return None
    if len(pieces) >= 2:
        return latex_to_text(pieces[0])
    words = [w for w in _split_top_level(pieces[0], " ") if w]
    start = next((i for i in range(1, len(words) - 1) if words[i][:1].islower()), len(words) - 1)
    return latex_to_text(" ".join(words[start:]))


def families_where_needed(pairs: list[tuple[str, str | None]]) -> dict[str, str]:
    """{display name: family} for the names the source splits otherwise than the
    rule would (names.name_parts), to keep in ``extra["families"]``."""
    out: dict[str, str] = {}
    for display, family in pairs:
        if not family or not display:
            continue
        split = name_parts(display, family)
        if split is None or split.family != " ".join(family.split()) or not split.given:
            # A family the display name does not end with, or the whole name as the
            # family (Crossref's "family": "Newell P. Campbell"): the rule decides.
            continue
        rule = name_parts(display)
        if rule is None or rule.family != split.family:
            out[display] = split.family
    return out


def bibtex_families(value: str) -> dict[str, str]:
    """``families_where_needed`` for a BibTeX name list."""
    names = [n for n in name_list(value) if n.strip().lower() != "others"]
    return families_where_needed([(bibtex_name(n), bibtex_family(n)) for n in names])


# Public: the BibTeX reader (bibtex_in) finds years the same way.
YEAR = re.compile(r"(?<!\d)(1[4-9]\d\d|2[01]\d\d)(?!\d)")


# --- RIS -------------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?- ?(.*)$")


def looks_like_wos(text: str) -> bool:
    head = text.lstrip("\ufeff \n")[:4000]
    return bool(re.match(r"(?:FN |VR |PT )", head)) and bool(re.search(r"(?m)^PT [A-Z]\b", head))


def _ris_records(text: str) -> list[tuple[int, str]]:
    """Split RIS text into records at ER lines; add a TY line where one is missing."""
    records: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not current and not _RIS_TAG.match(stripped):
            continue  # junk between records ("Record #1 of 2", "1.")
        if not current:
            start = number
        tag = _RIS_TAG.match(stripped)
        # rispy reads only "TY  - " (two spaces): some writers put one.
        current.append(f"{tag.group(1)}  - {tag.group(2)}" if tag else line.rstrip())
        if re.match(r"^ER\s{0,2}-?\s*$", stripped):
            records.append((start, "\n".join(current)))
            current = []
    if current:
        records.append((start, "\n".join(current)))
    fixed = []
    for start, rec in records:
        if not re.search(r"(?m)^TY  - ", rec):
            rec = "TY  - GEN\n" + rec
        if not re.search(r"(?m)^ER\s{0,2}-", rec):
            rec += "\nER  - "
        fixed.append((start, rec))
    return fixed


_INITIALS = re.compile(r"^(?:[A-Z]\.?(?:-?[A-Z]\.?){0,3})$")


def _ris_name(raw: str) -> tuple[str, str | None]:
    """An RIS author as ("Given Family", family): "De Bruin, Marie L." (family first,
    a comma) and Embase's "Liu R." (family, then initials, no comma)."""
    name = " ".join(raw.split())
    if "," in name:
        family, given = (x.strip() for x in name.split(",", 1))
        return f"{given} {family}".strip(), family
    words = name.split(" ")
    if len(words) == 2 and _INITIALS.match(words[1]) and not _INITIALS.match(words[0]):
        return f"{words[1]} {words[0]}", words[0]
    return name, None


def _first(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value).strip()
    return ""


def parse_ris(text: str) -> ParseResult:
    import rispy

    if looks_like_wos(text):
        raise BadInput(
            "this is a Web of Science tagged export (PT/AU/TI tags), not RIS; "
            "export RIS or BibTeX from Web of Science instead"
        )
    result = ParseResult(format="ris", drafts=[])
    for line, chunk in _ris_records(text):
        try:
            records = rispy.loads(chunk, skip_unknown_tags=True)
        except Exception as exc:
            result.skipped.append(Skipped(line, f"RIS record not read: {exc}"[:200]))
            continue
        for record in records:
            title = " ".join(
                _first(record, "title", "primary_title", "translated_title", "short_title").split()
            )
            if not title:
                result.skipped.append(Skipped(line, "RIS record has no title"))
                continue
            # A1 (first authors) and AU both name authors; a record may hold both.
            authors_raw = [*(record.get("first_authors") or []), *(record.get("authors") or [])]
            authors: list[str] = []
            named: list[tuple[str, str | None]] = []
            for a in authors_raw:
                display, family = _ris_name(str(a))
                if display and display not in authors:
                    authors.append(display)
                    named.append((display, family))
            families = families_where_needed(named)
            year = None
            # DA is the full date, Y1 often only the year it was entered.
            for key in ("year", "date", "publication_year", "access_date"):
                m = YEAR.search(str(record.get(key) or ""))
                if m:
                    year = int(m.group(1))
                    break
            urls = [str(u).strip() for u in (record.get("urls") or []) if str(u).strip()]
            url = urls[0] if urls else None
            if url and url.startswith("//"):
                url = "https:" + url
            doi = normalize_doi(_first(record, "doi"))
            if not doi:
                for candidate in [*urls, _first(record, "note"), *(record.get("notes") or [])]:
                    doi = normalize_doi(str(candidate)) or doi
                    m = re.search(r"10\.\d{4,9}/\S+", str(candidate))
                    if not doi and m:
                        doi = normalize_doi(m.group(0))
            abstract = " ".join(_first(record, "abstract", "notes_abstract").split())
            kind = _first(record, "type_of_reference").upper()
            journal = (
                _first(
                    record,
                    "journal_name",
                    "secondary_title",
                    "alternate_title3",
                    "alternate_title1",
                    "alternate_title2",
                )
                if kind in ("JOUR", "JFULL", "MGZN", "NEWS", "EJOUR", "JOURNAL ARTICLE")
                else ""
            )
            bib: dict[str, str] = {"entrytype": "article" if journal else "misc"}
            if journal:
                bib["journal"] = journal
            if kind in ("CONF", "CPAPER") and _first(record, "secondary_title"):
                bib["entrytype"] = "inproceedings"
                bib["booktitle"] = _first(record, "secondary_title")
            for key, name in (
                ("volume", "volume"),
                ("number", "number"),
                ("publisher", "publisher"),
                ("issn", "issn"),
            ):
                if _first(record, key):
                    bib[name] = _first(record, key)
            sp, ep = _first(record, "start_page"), _first(record, "end_page")
            if sp:
                bib["pages"] = f"{sp}--{ep}" if ep and ep != sp else sp
            arxiv_id = normalize_arxiv_id(url) if url and "arxiv.org" in url else None
            result.drafts.append(
                PaperDraft(
                    title=title,
                    abstract=abstract,
                    authors=authors,
                    year=year,
                    arxiv_id=arxiv_id,
                    doi=doi,
                    url=url,
                    links=find_links(abstract),
                    extra={"bibtex": bib, **({"families": families} if families else {})},
                    line=line,
                )
            )
    return result


# --- arXiv API Atom --------------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OS = "{http://a9.com/-/spec/opensearch/1.1/}"


def parse_atom(text: str) -> ParseResult:
    import xml.etree.ElementTree as ET

    if re.search(r"<!DOCTYPE|<!ENTITY", text[:10000], re.IGNORECASE):
        raise BadInput("the feed declares a DTD or entities; refused (arXiv feeds never do)")
    # The text is already decoded: drop the XML declaration, whose encoding (found
    # by fuzzing: "UTF-8x" raised LookupError) no longer describes these bytes.
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text).strip().encode("utf-8")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise BadInput(f"not a valid Atom feed: {exc}") from None
    result = ParseResult(format="atom", drafts=[])
    entries = root.findall(f"{_ATOM}entry")
    total = root.findtext(f"{_OS}totalResults")
    if not entries:
        detail = f" (totalResults {total.strip()})" if total is not None else ""
        raise BadInput(f"the feed is empty: the arXiv API returned no papers{detail}")
    lines = text.split("\n")
    entry_lines = [i + 1 for i, ln in enumerate(lines) if "<entry" in ln]
    for n, e in enumerate(entries):
        line = entry_lines[n] if n < len(entry_lines) else 0
        entry_id = (e.findtext(f"{_ATOM}id") or "").strip()
        title = " ".join((e.findtext(f"{_ATOM}title") or "").split())
        summary = " ".join((e.findtext(f"{_ATOM}summary") or "").split())
        if "api/errors" in entry_id or (title == "Error" and not normalize_arxiv_id(entry_id)):
            result.skipped.append(
                Skipped(line, f"the arXiv API reported an error: {summary or title}")
            )
            continue
        if not title:
            result.skipped.append(Skipped(line, "entry without a title"))
            continue
        arxiv_id = normalize_arxiv_id(entry_id)
        published = e.findtext(f"{_ATOM}published") or ""
        m = YEAR.search(published)
        authors = [
            " ".join((a.findtext(f"{_ATOM}name") or "").split())
            for a in e.findall(f"{_ATOM}author")
        ]
        primary = e.find(f"{_ARXIV}primary_category")
        categories = [primary.get("term", "")] if primary is not None else []
        for c in e.findall(f"{_ATOM}category"):
            term = c.get("term", "")
            if term and term not in categories:
                categories.append(term)
        result.drafts.append(
            PaperDraft(
                title=title,
                abstract=summary,
                authors=[a for a in authors if a],
                year=int(m.group(1)) if m else None,
                arxiv_id=arxiv_id,
                doi=normalize_doi(e.findtext(f"{_ARXIV}doi")),
                url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else entry_id or None,
                links=find_links(summary),
                categories=[c for c in categories if c],
                comments=" ".join((e.findtext(f"{_ARXIV}comment") or "").split()),
                journal_ref=" ".join((e.findtext(f"{_ARXIV}journal_ref") or "").split()),
                extra={"arxiv": {"published": published.strip()[:10]}} if published.strip() else {},
                line=line,
            )
        )
    return result
