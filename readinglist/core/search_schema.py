"""What the search index holds: the analyzers, the schema and a paper's document.

The index is derived from SQLite and can always be rebuilt; it stores only paper
ids. Changing anything here changes what is on disk: bump SCHEMA_VERSION.
"""

from __future__ import annotations

from typing import Any

from whoosh import fields
from whoosh.analysis import (
    BiWordFilter,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.support.charset import accent_map

from readinglist.core.latex import latex_accents_to_unicode

#: Prefixes up to this length are one term of the edge n-gram field; longer ones
#: expand over the whole words kept there beside the pieces.
PREFIX_GRAM_MAX = 7


class EdgeGramFilter(Filter):  # type: ignore[misc]
    """Each word's leading ``low``..``high``-letter pieces, and the word itself when
    longer than ``high``: a prefix of any length then finds every word it begins,
    unstemmed. The pieces beyond 7 letters were 55% of this field's terms and
    a fifth of the index, for prefixes that a lookup among the long words answers
    as fast (issue 16)."""

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def __call__(self, tokens: Any) -> Any:
        low, high = self.low, self.high
        for t in tokens:
            text = t.text
            n = len(text)
            if n < low:
                continue
            for k in range(low, min(high, n) + 1):
                t.text = text[:k]
                yield t
            if n > high:
                t.text = text
                yield t


# Accents are folded before stemming, so "Stéphane" and "stephane" stem alike.
# Public: the query parser analyzes typed prefixes with it.
text_analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter()
# Adjacent word pairs as single terms: a two-word phrase becomes one term
# lookup instead of a positional intersection (753 ms -> a few ms at p95, 20k papers).
_pair_analyzer = text_analyzer | BiWordFilter(sep=" ")
# Leading 3..7-letter pieces of title and author words, and the longer words whole:
# "trans*" is one term lookup (the issue measured 3-letter prefixes at 10 ms this
# way versus seconds by expansion); "transforme*" expands over a few long words.
_edge_analyzer = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | EdgeGramFilter(3, PREFIX_GRAM_MAX)
)
# Names are folded but not stemmed: "Jones" must not find "Jone".
_name_analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

SCHEMA = fields.Schema(
    # A string ID: update_document() did not replace NUMERIC-keyed documents
    # across segments in whoosh-reloaded 2.7.5 (duplicates appeared).
    id=fields.ID(stored=True, unique=True),
    # What a plain word searches: everything in one field, plus the title alone
    # (boosted). One combined field is much faster than OR-ing five fields.
    # No positions: phrases are answered by the pairs field (see search_query).
    content=fields.TEXT(analyzer=text_analyzer, phrase=False),
    pairs=fields.TEXT(analyzer=_pair_analyzer, phrase=False),
    prefixes=fields.TEXT(analyzer=_edge_analyzer, phrase=False),
    title=fields.TEXT(analyzer=text_analyzer, phrase=True, field_boost=1.0),
    abstract=fields.TEXT(analyzer=text_analyzer, phrase=False),
    authors=fields.TEXT(analyzer=_name_analyzer, phrase=True),
    tags=fields.KEYWORD(lowercase=True, commas=True, scorable=True),
    note=fields.TEXT(analyzer=text_analyzer, phrase=True),
    # No longer written: status and star filters are answered from SQLite (see
    # SearchIndex.facts). Kept in the schema so existing indexes need no rebuild.
    status=fields.ID(),
    starred=fields.ID(),
    year=fields.NUMERIC(int, bits=32, signed=False),
    added=fields.ID(),
    arxiv=fields.ID(),
    categories=fields.KEYWORD(lowercase=True),
    batch=fields.KEYWORD(),
    # What the document was made from, hashed: `check` finds a paper whose
    # indexed text is not the library's (a restore cut short, a write behind the
    # index's back), not only a missing or extra one.
    fingerprint=fields.STORED(),
)
#: Bump when the schema or analyzers change: older indexes are then rebuilt.
SCHEMA_VERSION = "6"
VERSION_FILE = "readinglist-schema-version"
TEXT_FIELDS = ("content", "title", "abstract", "authors", "note")


def index_text(value: str) -> str:
    """``value`` as indexed and highlighted: LaTeX accents turned into letters."""
    return latex_accents_to_unicode(value) if "\\" in value else value


def document(paper: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh document for a paper row (a dict of SQLite columns plus tags/batches)."""
    title = index_text(paper["title"])
    abstract = index_text(paper["abstract"] or "")
    authors = " ; ".join(paper["authors"])
    tags = paper["tags"]
    note = paper["note"] or ""
    doc: dict[str, Any] = {
        "id": str(paper["id"]),
        "content": "\n".join((title, abstract, authors, " ".join(tags), note)),
        "pairs": "\n".join((title, abstract, note)),
        "prefixes": title + "\n" + authors,
        "title": title,
        "abstract": abstract,
        "authors": authors,
        "tags": ",".join(tags),
        "note": note,
        "added": (paper["added_at"] or "")[:10],
        "categories": " ".join(paper["categories"]),
        "batch": " ".join(str(b) for b in paper["batches"]),
    }
    if paper.get("year"):
        doc["year"] = int(paper["year"])
    if paper.get("arxiv_id"):
        doc["arxiv"] = paper["arxiv_id"].lower()
    doc["fingerprint"] = fingerprint(doc)
    return doc


def fingerprint(doc: dict[str, Any]) -> str:
    """A short hash of a document's fields (its fingerprint field left out)."""
    import hashlib
    import json

    fields_ = {k: v for k, v in doc.items() if k != "fingerprint"}
    text = json.dumps(fields_, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
