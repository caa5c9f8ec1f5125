"""CSL-JSON in (Zotero, Pandoc, citation-js), and Crossref's works JSON, which uses
the same field names. Spec: https://citeproc-js.readthedocs.io/en/latest/csl-json/

Other JSON we are handed is named, not guessed at: a JSON Feed, the Hugging Face
daily-papers API, or JSON of no bibliographic shape get a message saying what they
are and what to give instead (see ``json_kind``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from readinglist.core.errors import BadInput
from readinglist.core.importers.bibliographic import YEAR, families_where_needed
from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.text import arxiv_ids_in_text, normalize_doi

# CSL item types (and Crossref's) -> the BibTeX entry type kept for the export.
_ENTRY_TYPES = {
    "article-journal": "article",
    "journal-article": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "proceedings-article": "inproceedings",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "chapter": "incollection",
    "book-chapter": "incollection",
    "thesis": "phdthesis",
    "dissertation": "phdthesis",
    "report": "techreport",
}
_TAGS = re.compile(r"<[^>]{1,200}>")


_JSON_START = re.compile(r'\s*(?:\[\s*(?:\{|\]\s*$)|\{\s*(?:"|\}\s*$))')


def looks_like_json(head: str) -> bool:
    """A JSON object or array of objects; not a listing's "[1] arXiv:..." line."""
    return bool(_JSON_START.match(head.lstrip("\ufeff")))


def _items(data: Any) -> list[Any] | None:
    """The items of a CSL-JSON array (or single item), or of a Crossref response."""
    if isinstance(data, dict) and isinstance(data.get("message"), dict):  # Crossref
        data = data["message"]
        data = data.get("items", data)
    if isinstance(data, dict) and isinstance(data.get("items"), list) and "version" not in data:
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        return None
    bibliographic = [x for x in data if isinstance(x, dict) and "title" in x and "type" in x]
    return data if bibliographic else None


def json_kind(text: str) -> tuple[str, Any]:
    """("csl-json", items), or raises BadInput naming the JSON it is."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadInput(f"this looks like JSON but is not valid JSON ({exc})") from None
    if isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org"):
        raise BadInput(
            "this is a JSON Feed, which Readinglist does not read yet; "
            "paste the feed's page or export its papers as BibTeX or RIS instead"
        )
    if isinstance(data, list) and data and isinstance(data[0], dict) and "paper" in data[0]:
        raise BadInput(
            "this is the Hugging Face daily-papers JSON, which Readinglist does not read "
            "yet (subscriptions will); paste the huggingface.co/papers page instead"
        )
    items = _items(data)
    if items is None:
        raise BadInput(
            "this JSON is not CSL-JSON (a list of items with type and title) or Crossref "
            "JSON; export CSL-JSON, BibTeX or RIS instead"
        )
    return "csl-json", items


def _text(value: Any) -> str:
    """A CSL string (Crossref gives lists of one), markup and spacing removed."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, (str, int, float)):
        return ""
    return " ".join(html.unescape(_TAGS.sub(" ", str(value))).split())


def _name(person: Any) -> str:
    if not isinstance(person, dict):
        return _text(person)
    if person.get("literal"):
        return _text(person["literal"])
    parts = [
        _text(person.get("given")),
        _text(person.get("dropping-particle")),
        _text(person.get("non-dropping-particle")),
        _text(person.get("family")),
    ]
    name = " ".join(p for p in parts if p)
    suffix = _text(person.get("suffix"))
    return f"{name}, {suffix}" if name and suffix else name


def _family(person: Any) -> str | None:
    """A CSL name's family with its non-dropping particle ("de la Fontaine")."""
    if not isinstance(person, dict) or person.get("literal") or not person.get("family"):
        return None
    particle = _text(person.get("non-dropping-particle"))
    return " ".join(x for x in (particle, _text(person.get("family"))) if x)


def _year(item: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        date = item.get(key)
        if isinstance(date, dict):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                try:
                    return int(parts[0][0])
                except (TypeError, ValueError):
                    pass
            m = YEAR.search(str(date.get("raw") or date.get("literal") or ""))
            if m:
                return int(m.group(1))
        elif isinstance(date, (str, int)):
            m = YEAR.search(str(date))
            if m:
                return int(m.group(1))
    return None


def _draft(number: int, item: dict[str, Any], result: ParseResult) -> PaperDraft | None:
    title = _text(item.get("title"))
    if not title:
        result.skipped.append(Skipped(0, f"CSL-JSON item {number} has no title"))
        return None
    kind = str(item.get("type", ""))
    entrytype = _ENTRY_TYPES.get(kind, "misc")
    bib: dict[str, str] = {"entrytype": entrytype}
    container = _text(item.get("container-title"))
    if container and entrytype == "article":
        bib["journal"] = container
    elif container and entrytype in ("inproceedings", "incollection"):
        bib["booktitle"] = container
    for key, name in (
        ("volume", "volume"),
        ("issue", "number"),
        ("publisher", "publisher"),
        ("ISSN", "issn"),
        ("ISBN", "isbn"),
    ):
        if _text(item.get(key)):
            bib[name] = _text(item.get(key))
    page = _text(item.get("page"))
    if page:
        bib["pages"] = re.sub(r"\s*[-\u2013]+\s*", "--", page)
    doi = normalize_doi(_text(item.get("DOI")))
    url = _text(item.get("URL")) or None
    candidates = [url or "", _text(item.get("DOI")), _text(item.get("note"))]
    if "arxiv" in (_text(item.get("publisher")) + _text(item.get("archive"))).lower():
        candidates.append("arXiv:" + _text(item.get("number")))
    ids: list[str] = []
    for candidate in candidates:
        ids += [i for i in arxiv_ids_in_text(candidate) if i not in ids]
    if len(ids) > 1:
        result.warnings.append(
            Skipped(
                0,
                f"CSL-JSON item {number} names {len(ids)} arXiv ids ({', '.join(ids)}); "
                f"{ids[0]} was kept",
            )
        )
    item_id = item.get("id")
    usable = isinstance(item_id, str) and re.fullmatch(r"[^\s,{}()\"#%'=\\~]+", item_id)
    citekey = str(item_id) if usable else None
    people = [p for p in item.get("author") or [] if _name(p)]
    families = families_where_needed([(_name(p), _family(p)) for p in people])
    if families:
        bib_extra: dict[str, Any] = {"bibtex": bib, "families": families}
    else:
        bib_extra = {"bibtex": bib}
    return PaperDraft(
        title=title,
        abstract=_text(item.get("abstract")),
        authors=[_name(p) for p in people],
        year=_year(item),
        arxiv_id=ids[0] if ids else None,
        doi=doi,
        url=url,
        citekey=citekey,
        extra=bib_extra,
        line=0,
    )


def parse_csl_json(text: str) -> ParseResult:
    _, items = json_kind(text)
    result = ParseResult(format="csl-json", drafts=[])
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.skipped.append(Skipped(0, f"CSL-JSON item {number} is not an object"))
            continue
        draft = _draft(number, item, result)
        if draft is not None:
            result.drafts.append(draft)
    return result
