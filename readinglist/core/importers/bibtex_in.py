"""BibTeX and BibLaTeX files -> drafts.

bibtexparser 2 splits the file into blocks; the values are evaluated here as BibTeX
evaluates them (``@string`` macros, ``#`` concatenation, month macros), because its
string middleware resolves a lone macro only: ``MCDERMOTT # " and Gerald J. Sussman"``
stayed one author of that name.

Every entry comes in (issue 17). bibtexparser sets aside an entry whose key was seen
before (Mendeley writes ``@article{,`` for every item without a key; hand-kept files
reuse keys) and one with a repeated field (Scopus repeats ``funding_details``);
BibTeX itself keeps both. Here the first becomes a draft with a generated key, the
second keeps its first value, each with a warning naming the entry.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from readinglist.core.bibtex import BIB_FIELDS
from readinglist.core.importers.bibliographic import (
    YEAR,
    bibtex_families,
    name_list,
    split_bibtex_authors,
)
from readinglist.core.latex import latex_to_text
from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.text import arxiv_ids_in_text, find_links, normalize_arxiv_id, normalize_doi

# biblatex names of the same fields: journaltitle -> journal, location -> address.
_ALIASES = {"journaltitle": "journal", "location": "address"}
_MONTHS = dict(
    zip(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
        (
            "January February March April May June July August September October November December"
        ).split(),
        strict=True,
    )
)
_MONTH_WORDS = set(_MONTHS.values())
# DBLP's CoRR volume "abs/ID".
_CORR_VOLUME = re.compile(r"(?i)^abs/(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.\-]*/\d{7}(?:v\d+)?)$")
_ID_SOURCES = ("url", "doi", "journal", "journaltitle", "note", "howpublished", "booktitle")


def _concatenation(raw: str) -> list[str]:
    """The parts of a value joined by ``#`` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def evaluate(raw: str, macros: dict[str, str], unknown: set[str] | None = None) -> str:
    """A field's value as BibTeX reads it: delimiters removed, macros expanded,
    ``#`` parts joined. A lone month macro stays as written (it is exported as one);
    an undefined macro is kept as its name (BibTeX would make it empty) and added
    to ``unknown``."""
    parts = _concatenation(raw)
    out = []
    for part in parts:
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        elif part.lower() in _MONTHS:
            out.append(_MONTHS[part.lower()] if len(parts) > 1 else part)
        else:
            if unknown is not None and part and not part.isdigit() and part not in _MONTH_WORDS:
                unknown.add(part)
            out.append(part)
    return "".join(out)


def _blocks(library: Any, result: ParseResult) -> list[tuple[Any, str]]:
    """The entries of the file in order, each with why it needs a warning ("" when
    it does not), and the macros; reports the blocks that cannot be read at all."""
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        ParsingFailedBlock,
    )

    out: list[tuple[Any, str]] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, Entry):
            out.append((block, "" if block.key.strip() else "no key"))
        elif isinstance(block, DuplicateBlockKeyBlock):
            entry: Any = block.ignore_error_block
            key = entry.key.strip()
            out.append((entry, f"repeated key {key}" if key else "no key"))
        elif isinstance(block, DuplicateFieldKeyBlock):
            names = ", ".join(sorted(block.duplicate_keys))
            out.append((block.ignore_error_block, f"repeated field {names}"))
        elif isinstance(block, ParsingFailedBlock):
            error = block.error
            detail = getattr(error, "abort_reason", None) or str(error or "") or "invalid syntax"
            detail = " ".join(str(detail).split())
            result.skipped.append(Skipped(line, f"BibTeX block not read: {detail}"[:300]))
    return out


def _macros(library: Any) -> dict[str, str]:
    macros: dict[str, str] = {}
    for string in library.strings:  # in file order: a macro may use earlier ones
        macros[string.key.strip().lower()] = evaluate(str(string.value), macros)
    return macros


def _arxiv_ids(fields: dict[str, str]) -> list[str]:
    """Every arXiv id the entry names, the eprint field's first."""
    found: list[str] = []
    kind = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    eprint = normalize_arxiv_id(fields.get("eprint")) if kind in ("arxiv", "") else None
    if eprint and (kind or re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", fields["eprint"].strip())):
        found.append(eprint)
    texts = [fields.get(k, "") for k in _ID_SOURCES]
    if fields.get("journal", "").strip().lower() in ("corr", "arxiv"):  # DBLP, Semantic Scholar
        m = _CORR_VOLUME.match(fields.get("volume", "").strip())
        if m:
            texts.append("arXiv:" + m.group(1))
    for text in texts:
        for arxiv_id in arxiv_ids_in_text(text.replace("{", "").replace("}", "")):
            if arxiv_id not in found:
                found.append(arxiv_id)
    return found


def parse_bibtex(text: str) -> ParseResult:
    import bibtexparser

    result = ParseResult(format="bibtex", drafts=[])
    # bibtexparser logs each broken block; the reasons are reported instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    macros = _macros(library)
    blocks = _blocks(library, result)
    evaluated = []
    unknown: dict[str, int] = {}
    for entry, problem in blocks:
        fields: dict[str, str] = {}
        for f in entry.fields:
            names: set[str] = set()
            fields.setdefault(f.key.lower(), evaluate(str(f.value), macros, names))
            for name in names:
                unknown.setdefault(name, (entry.start_line or 0) + 1)
        evaluated.append((entry, problem, fields))
    if unknown:
        # One line: a hand-kept file may lean on a hundred macros of a .bib it left out.
        undefined = list(unknown)
        shown = ", ".join(undefined[:8])
        if len(undefined) > 8:
            shown += f" and {len(undefined) - 8} more"
        what = "macro is" if len(undefined) == 1 else f"{len(undefined)} macros are"
        result.warnings.append(
            Skipped(
                unknown[undefined[0]],
                f"@string {what} not defined in the file ({shown}); kept as written",
            )
        )
    by_key: dict[str, dict[str, str]] = {}
    for entry, _, fields in evaluated:
        by_key.setdefault(entry.key.strip().lower(), fields)
    for entry, problem, fields in evaluated:
        draft = _draft(entry, fields, by_key, result)
        if draft is None:
            continue
        label = f"BibTeX entry {entry.key.strip()!r}" if entry.key.strip() else "a BibTeX entry"
        if problem == "no key":
            result.warnings.append(Skipped(draft.line, f"{label} has no key; a key was made"))
            draft.citekey = None
        elif problem.startswith("repeated key"):
            result.warnings.append(
                Skipped(draft.line, f"{label} reuses the key of an earlier entry; a key was made")
            )
            draft.citekey = None
        elif problem:
            result.warnings.append(
                Skipped(draft.line, f"{label} has a {problem}; its first value was kept")
            )
        result.drafts.append(draft)
    return result


def _draft(
    entry: Any, fields: dict[str, str], by_key: dict[str, dict[str, str]], result: ParseResult
) -> PaperDraft | None:
    line = (entry.start_line or 0) + 1
    parent_key = fields.get("crossref") or fields.get("xref")
    parent = by_key.get(parent_key.strip().lower()) if parent_key else None
    if parent is not None and parent is not fields:
        if "title" in parent and "title" not in fields:
            fields["title"] = parent["title"]  # as BibTeX inherits any missing field
        elif "title" in parent and "booktitle" not in fields:
            fields["booktitle"] = parent["title"]
        for k, v in parent.items():
            if k not in ("title", "crossref", "xref", "ids", "key") and k not in fields:
                fields[k] = v
    entrytype = entry.entry_type.lower()
    if entrytype in ("set", "xdata"):
        return None
    title = latex_to_text(fields.get("title", ""))
    if not title:
        result.skipped.append(Skipped(line, f"BibTeX entry {entry.key!r} has no title"))
        return None
    year = None
    for source in (fields.get("year", ""), fields.get("date", "")):
        m = YEAR.findall(source)
        if m:
            year = int(m[-1])
            break
    ids = _arxiv_ids(fields)
    arxiv_id = ids[0] if ids else None
    if len(ids) > 1:
        result.warnings.append(
            Skipped(
                line,
                f"BibTeX entry {entry.key.strip()!r} names {len(ids)} arXiv ids "
                f"({', '.join(ids)}); {arxiv_id} was kept",
            )
        )
    url = fields.get("url", "").strip() or None
    doi = normalize_doi(fields.get("doi")) or (normalize_doi(url) if url else None)
    abstract = latex_to_text(fields.get("abstract", ""))
    if fields.get("editor"):
        fields["editor"] = " and ".join(name_list(fields["editor"]))
    bib = {"entrytype": entrytype}
    for k in (*BIB_FIELDS, *_ALIASES):
        if fields.get(k):
            bib.setdefault(_ALIASES.get(k, k), latex_to_text(fields[k]))
    draft = PaperDraft(
        title=title,
        abstract=abstract,
        authors=split_bibtex_authors(fields.get("author", "")),
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        url=url or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
        links=find_links(abstract),
        categories=[fields["primaryclass"].strip()] if fields.get("primaryclass") else [],
        citekey=entry.key.strip() or None,
        extra={"bibtex": bib},
        line=line,
    )
    if fields.get("keywords"):
        draft.extra["keywords"] = latex_to_text(fields["keywords"])
    families = bibtex_families(fields.get("author", ""))
    if families:
        draft.extra["families"] = families
    return draft
