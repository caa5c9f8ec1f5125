"""PubMed's MEDLINE format (``.nbib``, "Send to > Citation manager").

A record is a run of ``TAG - value`` lines (tags of up to four letters, padded to
four, a dash, a space) with continuation lines indented by six spaces; records
are separated by blank lines and begin with ``PMID-``. Field meanings:
https://www.nlm.nih.gov/bsd/mms/medlineelements.html
"""

from __future__ import annotations

import re

from readinglist.core.importers.bibliographic import YEAR, families_where_needed
from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.text import normalize_arxiv_id, normalize_doi

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
# PubMed's records start with PMID; ERIC's .nbib records with "OWN - ERIC".
_START = re.compile(r"^(?:PMID ?- ?\d|OWN - ERIC\b)")


def looks_like_medline(head: str) -> bool:
    """A MEDLINE file starts with a PMID (or ERIC's OWN) line, after blank lines."""
    return bool(_START.match(head.lstrip("\ufeff \t\r\n")[:40]))


def _records(text: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """(first line, [(tag, value), ...]) per record, continuation lines joined."""
    out: list[tuple[int, list[tuple[str, str]]]] = []
    fields: list[tuple[str, str]] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip().lstrip("\ufeff")
        m = _TAG.match(line)
        if m and m.group(1) == "PMID" and any(t == "PMID" for t, _ in fields):
            out.append((start, fields))
            fields = []
        if m:
            if not fields:
                start = number
            fields.append((m.group(1), m.group(2).strip()))
        elif line.strip() and fields:
            tag, value = fields[-1]
            joined = value + (line.strip() if value.endswith("-") else " " + line.strip())
            fields[-1] = (tag, joined)
        elif not line.strip() and fields:
            out.append((start, fields))
            fields = []
    if fields:
        out.append((start, fields))
    return out


def _author(full: str, short: str = "") -> str:
    """ "van Raaij, M J" -> "M J van Raaij"; a name without a comma (a group) as is."""
    name = full or short
    if "," in name:
        family, given = (x.strip() for x in name.split(",", 1))
        return f"{given} {family}".strip()
    if not full and short:
        # AU: "Walker JE" (family, then initials).
        m = re.match(r"^(.*\S)\s+([A-Z]{1,4})$", short)
        if m:
            return f"{' '.join(m.group(2))} {m.group(1)}"
    return name


def _draft(line: int, fields: list[tuple[str, str]], result: ParseResult) -> PaperDraft | None:
    first: dict[str, str] = {}
    for tag, value in fields:
        first.setdefault(tag, value)

    def values(tag: str) -> list[str]:
        return [v for t, v in fields if t == tag]

    title = first.get("TI") or first.get("BTI") or ""
    title = " ".join(title.split())
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # MEDLINE ends every title with a period
    pmid = first.get("PMID", "")
    if not title:
        result.skipped.append(Skipped(line, f"MEDLINE record {pmid or '?'} has no title (TI)"))
        return None
    full = values("FAU")
    authors = [_author(a) for a in full] or [_author("", a) for a in values("AU")]
    families = families_where_needed(
        [(_author(a), a.split(",", 1)[0].strip() if "," in a else None) for a in full]
    )
    authors += [a for a in values("CN") if a not in authors]  # group authors
    year = None
    for tag in ("DP", "DEP", "EDAT", "CRDT"):
        m = YEAR.search(first.get(tag, ""))
        if m:
            year = int(m.group(1))
            break
    doi = None
    arxiv_id = None
    for value in values("AID") + values("LID"):
        if value.endswith("[doi]") and not doi:
            doi = normalize_doi(value[: -len("[doi]")].strip())
        if "arxiv" in value.lower() and not arxiv_id:
            arxiv_id = normalize_arxiv_id(re.sub(r"\s*\[[a-z]+\]$", "", value))
    kinds = values("PT")
    bib: dict[str, str] = {"entrytype": "article"}
    if "Book Chapter" in kinds or ("BTI" in first and "TI" in first):
        bib = {"entrytype": "incollection", "booktitle": first.get("BTI", "")}
    elif "Book" in kinds or "Books" in kinds:
        bib = {"entrytype": "book"}
    elif "Preprint" in kinds:
        bib = {"entrytype": "misc"}
    elif any("Report" in k for k in kinds) and not any(k.startswith("Journal Art") for k in kinds):
        # ERIC's reports name their institution where a journal would be.
        bib = {"entrytype": "techreport", "institution": first.get("JT", "")}
    for tag, name in (
        ("JT", "journal"),
        ("VI", "volume"),
        ("IP", "number"),
        ("PB", "publisher"),
        ("PMID", "pmid"),
        ("PMC", "pmcid"),
    ):
        if first.get(tag) and not (name == "journal" and bib["entrytype"] != "article"):
            bib[name] = first[tag]
    if first.get("PG"):
        bib["pages"] = _pages(first["PG"])
    issn = [v.split(" ")[0] for v in values("IS") if re.match(r"\d{4}-\d{3}[\dX]\b", v)]
    if issn:
        bib["issn"] = issn[0]
    return PaperDraft(
        title=title,
        abstract=" ".join(first.get("AB", "").split()),
        authors=authors,
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else None,
        journal_ref=first.get("SO", ""),
        extra={"bibtex": bib, **({"families": families} if families else {})},
        line=line,
    )


def _pages(value: str) -> str:
    """MEDLINE abbreviates page ranges ("6913-7" is 6913--6917)."""
    m = re.fullmatch(r"(\d+)-(\d+)", value.strip())
    if not m:
        return value.strip()
    start, end = m.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}--{end}"


def parse_medline(text: str) -> ParseResult:
    result = ParseResult(format="medline", drafts=[])
    for line, fields in _records(text):
        if not any(tag == "PMID" for tag, _ in fields) and not any(t == "TI" for t, _ in fields):
            result.skipped.append(Skipped(line, "not a MEDLINE record (no PMID or TI line)"))
            continue
        draft = _draft(line, fields, result)
        if draft is not None:
            result.drafts.append(draft)
    return result
