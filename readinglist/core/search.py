"""Full-text search: the only module that knows about Whoosh.

whoosh-reloaded is pinned (==2.7.5) and says it is no longer maintained, so
everything Whoosh-specific stays behind this module: the schema, the writer
settings, query translation, highlighting and "more like this". The index is
derived from SQLite and can always be rebuilt; it stores only paper ids.
"""

from __future__ import annotations

import contextvars
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import fields, highlight, index, qparser, query, scoring
from whoosh.analysis import (
    BiWordFilter,
    CharsetFilter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher
from whoosh.support.charset import accent_map

from readinglist.core import text as text_module
from readinglist.core.latex import latex_accents_to_unicode

Progress = Callable[[int, int], None]


# --- reading segments without copying them ---------------------------------------
#
# Whoosh maps each compound segment file into memory and then hands every part of
# it to a BufferFile, whose BytesIO copies the part: opening a searcher over the
# 100,000-paper index (1.4 GB) took 1.7 s and 1.4 GB of private memory on top of
# the 1.4 GB mapping. The same file over a stream that reads the mapping in place
# opens in a few milliseconds, with the memory the queries touch; queries ran as
# fast (bench/bench_gui.py and bench/bench_search.py measure both). whoosh-reloaded
# is pinned, so this replacement is checked against its code by the tests.


class _ViewStream:
    """read/readline/seek/tell over a memoryview, without copying it."""

    __slots__ = ("_len", "_pos", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0
        self._len = len(view)

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        if start >= self._len:
            return b""
        end = self._len if n is None or n < 0 else min(self._len, start + n)
        self._pos = end
        return self._view[start:end].tobytes()

    def readline(self, n: int | None = -1) -> bytes:
        limit = self._len if n is None or n < 0 else min(self._len, self._pos + n)
        end = self._pos
        while end < limit:
            chunk = self._view[end : min(limit, end + 256)].tobytes()
            cut = chunk.find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == 0:
            self._pos = pos
        elif whence == 1:
            self._pos += pos
        else:
            self._pos = self._len + pos
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


class _ViewBufferFile(BufferFile):
    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _ViewStream(memoryview(buf))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


compound.BufferFile = _ViewBufferFile

#: Title hits count this much more than hits in the rest of the text.
TITLE_BOOST = 4.0
#: Prefixes shorter than this are not expanded (too many terms while typing).
MIN_PREFIX = 3
#: Prefix queries expand at most this many index terms.
MAX_PREFIX_TERMS = 256
#: Prefixes up to this length are answered from the edge n-gram field.
PREFIX_GRAM_MAX = 12

# Accents are folded before stemming, so "Stéphane" and "stephane" stem alike.
_text_analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter()
# Adjacent word pairs as single terms: a two-word phrase becomes one term
# lookup instead of a positional intersection (753 ms -> a few ms at p95, 20k papers).
_pair_analyzer = _text_analyzer | BiWordFilter(sep=" ")
# Leading 3..12-letter pieces of title and author words: "trans*" is one term lookup
# (the issue measured 3-letter prefixes at 10 ms this way versus seconds by expansion).
_edge_analyzer = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | NgramFilter(3, PREFIX_GRAM_MAX, at="start")
)
# Names are folded but not stemmed: "Jones" must not find "Jone".
_name_analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

SCHEMA = fields.Schema(
    # A string ID: update_document() did not replace NUMERIC-keyed documents
    # across segments in whoosh-reloaded 2.7.5 (duplicates appeared).
    id=fields.ID(stored=True, unique=True),
    # What a plain word searches: everything in one field, plus the title alone
    # (boosted). One combined field is much faster than OR-ing five fields.
    # No positions: phrases are answered by the pairs field (see _restrict).
    content=fields.TEXT(analyzer=_text_analyzer, phrase=False),
    pairs=fields.TEXT(analyzer=_pair_analyzer, phrase=False),
    prefixes=fields.TEXT(analyzer=_edge_analyzer, phrase=False),
    title=fields.TEXT(analyzer=_text_analyzer, phrase=True, field_boost=1.0),
    abstract=fields.TEXT(analyzer=_text_analyzer, phrase=False),
    authors=fields.TEXT(analyzer=_name_analyzer, phrase=True),
    tags=fields.KEYWORD(lowercase=True, commas=True, scorable=True),
    note=fields.TEXT(analyzer=_text_analyzer, phrase=True),
    status=fields.ID(),
    starred=fields.ID(),
    year=fields.NUMERIC(int, bits=32, signed=False),
    added=fields.ID(),
    arxiv=fields.ID(),
    categories=fields.KEYWORD(lowercase=True),
    batch=fields.KEYWORD(),
)
#: Bump when the schema or analyzers change: older indexes are then rebuilt.
SCHEMA_VERSION = "4"
_VERSION_FILE = "readinglist-schema-version"
TEXT_FIELDS = ("content", "title", "abstract", "authors", "note")
#: The pairs field is searched for phrases; highlighting maps it back to words.
FIELD_ALIASES = {
    "title": "title",
    "abstract": "abstract",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "tag": "tags",
    "tags": "tags",
    "note": "note",
    "arxiv": "arxiv",
    "year": "year",
    "category": "categories",
    "cat": "categories",
    "added": "added",
    "import": "batch",
}
STATUS_FILTERS = ("unread", "queued", "read", "dismissed", "starred", "unstarred")


class IndexCorrupt(Exception):
    """The index on disk cannot be used; it must be rebuilt from SQLite."""


def _index_text(value: str) -> str:
    return latex_accents_to_unicode(value) if "\\" in value else value


def document(paper: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh document for a paper row (a dict of SQLite columns plus tags/batches)."""
    title = _index_text(paper["title"])
    abstract = _index_text(paper["abstract"] or "")
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
        "status": paper["status"],
        "starred": "yes" if paper["starred"] else "no",
        "added": (paper["added_at"] or "")[:10],
        "categories": " ".join(paper["categories"]),
        "batch": " ".join(str(b) for b in paper["batches"]),
    }
    if paper.get("year"):
        doc["year"] = int(paper["year"])
    if paper.get("arxiv_id"):
        doc["arxiv"] = paper["arxiv_id"].lower()
    return doc


# --- queries ----------------------------------------------------------------------


@dataclass
class ParsedQuery:
    query: query.Query
    text: str
    filters: list[query.Query] = field(default_factory=list)
    notice: str = ""
    fallback: bool = False

    @property
    def is_empty(self) -> bool:
        return self.query is query.NullQuery or isinstance(self.query, query.Every)


_IS_RE = re.compile(r"(?i)(?<![\w:])is:(\w+)")
_MINUS_RE = re.compile(r'(?<![\w"\-])-(?=[\w"(])')
_SYNTAX_RE = re.compile(r'[(){}\[\]"~*^:+\-]|\b(?:AND|OR|NOT|TO)\b')


# FieldAliasPlugin wants {field: [aliases]}; several aliases map to one field.
_ALIASES: dict[str, list[str]] = {}
for _alias, _field in FIELD_ALIASES.items():
    if _alias != _field:
        _ALIASES.setdefault(_field, []).append(_alias)


def _parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        ["title", "content"], SCHEMA, fieldboosts={"title": TITLE_BOOST}, group=qparser.AndGroup
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(_ALIASES))
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


_PARSER = _parser()


def parse_query(text: str) -> ParsedQuery:
    """Translate the user's query; never raises. Broken syntax falls back to plain words."""
    filters: list[query.Query] = []
    notices: list[str] = []

    def take_filter(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word in ("unread", "queued", "read", "dismissed"):
            filters.append(query.Term("status", word))
        elif word == "starred":
            filters.append(query.Term("starred", "yes"))
        elif word == "unstarred":
            filters.append(query.Term("starred", "no"))
        else:
            notices.append(f"unknown filter is:{word} (use {', '.join(STATUS_FILTERS)})")
        return " "

    rest = _IS_RE.sub(take_filter, text)
    # The parser stems "trans*" to "tran*"; remember what was typed.
    raw_prefixes: dict[str, str] = {}
    for raw in re.findall(r"(?<![\w*])([^\W_][\w'-]*)\*", rest):
        tokens = [t.text for t in _text_analyzer(raw)]
        if tokens:
            raw_prefixes[tokens[-1]] = raw.lower()
    _RAW_PREFIXES.set(raw_prefixes)
    # "-word" means NOT word, as in a mail client.
    rest = _MINUS_RE.sub(" NOT ", rest)
    parsed: query.Query | None = None
    fallback = False
    if rest.strip():
        try:
            parsed = _PARSER.parse(rest)
            _check(parsed)
            parsed = _restrict(parsed, notices)
        except Exception:
            parsed = None
        if parsed is None or _has_error(parsed):
            words = " ".join(_SYNTAX_RE.sub(" ", rest).split())
            fallback = True
            notices.append(f"could not read the query as written; searched for the words: {words}")
            parsed = _PARSER.parse(words) if words.strip() else query.NullQuery
            parsed = _restrict(parsed, notices)
    if parsed is not None:
        parsed = parsed.normalize()
    if parsed is None or parsed is query.NullQuery:
        parsed = query.Every() if filters else query.NullQuery
    return ParsedQuery(parsed, text, filters, "; ".join(dict.fromkeys(notices)), fallback)


def _has_error(q: query.Query) -> bool:
    return any(getattr(sub, "error", None) for sub in _walk(q))


def _walk(q: query.Query) -> Iterable[query.Query]:
    yield q
    if q.is_leaf():
        return
    for child in q.children():
        yield from _walk(child)


def _check(q: query.Query) -> None:
    for sub in _walk(q):
        if isinstance(sub, query.Term) and sub.fieldname not in SCHEMA.names():
            raise ValueError(sub.fieldname)


_RAW_PREFIXES: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar(
    "raw_prefixes",
    default={},  # noqa: B039 - read-only default
)


def _expand_fuzzy(q: query.Query, reader: Any) -> query.Query:
    """Replace typo terms by the words they stand for, once. Whoosh expands a
    FuzzyTerm when searching and again when asked for the terms to highlight;
    expanding first saves the second walk of the term list (~20 ms of ~90 ms)."""
    if isinstance(q, query.FuzzyTerm):
        words = list(reader.terms_within(q.fieldname, q.text, q.maxdist, prefix=q.prefixlength))
        if not words:
            return query.NullQuery
        return query.Or([query.Term(q.fieldname, w, boost=q.boost) for w in words])
    if q.is_leaf():
        return q
    return q.apply(lambda sub: _expand_fuzzy(sub, reader))


def _restrict(q: query.Query, notices: list[str]) -> query.Query:
    """Keep typing-time queries bounded: prefixes only over titles and authors, with a
    minimum length; fuzzy terms need their first two letters right."""
    if isinstance(q, (query.Prefix, query.Wildcard)):
        stem = q.text.rstrip("*?") if isinstance(q, query.Wildcard) else q.text
        stem = _RAW_PREFIXES.get().get(stem, stem)
        if isinstance(q, query.Wildcard) and ("*" in stem or "?" in stem):
            notices.append(f"wildcards inside words are not supported: {q.text}")
            return query.NullQuery
        if len(stem) < MIN_PREFIX:
            notices.append(f"prefix {stem}* is too short (at least {MIN_PREFIX} letters)")
            return query.NullQuery
        if q.fieldname in ("content", "title") and len(stem) <= PREFIX_GRAM_MAX:
            # One term of the edge n-gram field (title and author words).
            return query.Term("prefixes", stem.lower(), boost=q.boost)
        if q.fieldname in ("content", "title", "authors"):
            fields_ = ("title", "authors") if q.fieldname == "content" else (q.fieldname,)
            return query.Or(
                [
                    _BoundedPrefix(f, stem.lower(), boost=TITLE_BOOST if f == "title" else 1.0)
                    for f in fields_
                ]
            )
        return _BoundedPrefix(q.fieldname, stem.lower())
    if isinstance(q, query.FuzzyTerm):
        if q.fieldname == "title":
            # The content field holds the title too; expanding the typo over one
            # term list instead of two halves the cost.
            return query.NullQuery
        if len(q.text) <= 3:
            notices.append(f"{q.text}~ is too short to search loosely; searched for it exactly")
            return query.Term(q.fieldname, q.text, boost=q.boost)
        return query.FuzzyTerm(
            q.fieldname, q.text, boost=q.boost, maxdist=min(q.maxdist, 2), prefixlength=2
        )
    if isinstance(q, query.Phrase) and q.fieldname == "tags":
        return query.Term("tags", " ".join(q.words).lower())
    if isinstance(q, query.Phrase) and q.fieldname in ("content", "abstract"):
        # Consecutive word pairs, all present: exact for two words, near-exact
        # beyond (the content field keeps no positions; the pairs field does the work).
        if len(q.words) == 1:
            return query.Term(q.fieldname, q.words[0], boost=q.boost)
        if q.slop > 1:
            notices.append("phrases with ~N are searched as exact phrases")
        pairs = [f"{a} {b}" for a, b in zip(q.words, q.words[1:], strict=False)]
        terms: list[query.Query] = [query.Term("pairs", p, boost=q.boost) for p in pairs]
        if q.fieldname == "abstract":
            # The pairs field covers title and abstract; the words must be in the abstract.
            terms += [query.Term("abstract", w) for w in q.words]
        return terms[0] if len(terms) == 1 else query.And(terms)
    if q.is_leaf():
        return q
    return q.apply(lambda child: _restrict(child, notices))


class _BoundedPrefix(query.Prefix):
    """A prefix query that expands to at most MAX_PREFIX_TERMS terms."""

    def _btexts(self, ixreader: Any) -> Iterable[bytes]:
        for n, term in enumerate(super()._btexts(ixreader)):
            if n >= MAX_PREFIX_TERMS:
                break
            yield term


# --- highlighting -------------------------------------------------------------------

# The markers live in core/text.py so the window can use them without importing
# Whoosh before it is shown; re-exported here for the search's users.
MARK_START, MARK_END = text_module.MARK_START, text_module.MARK_END


class _MarkFormatter(highlight.Formatter):
    """Marks matches with private-use characters; front ends turn them into markup."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def render(marked: str, start: str = "[", end: str = "]") -> str:
    return marked.replace(MARK_START, start).replace(MARK_END, end)


# --- the index ------------------------------------------------------------------------


@dataclass
class Hit:
    paper_id: int
    score: float


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    parsed: ParsedQuery
    terms: dict[str, set[str]] = field(default_factory=dict)
    #: With search(..., rest=True): the ids of the other matches, newest first.
    rest: list[int] = field(default_factory=list)

    @property
    def notice(self) -> str:
        return self.parsed.notice


# The filters of the sidebar's views: warmed when the app opens the index.
WARM_FILTERS = ("is:unread", "is:queued", "is:starred")


class SearchIndex:
    """The Whoosh index in ``folder`` (normally ``<library>/index``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ix: index.Index | None = None
        self._searcher: Any = None
        self._filter_cache: dict[tuple[Any, ...], Any] = {}
        # Paper id of each document number, per segment: segments never change
        # (deletions aside), so a searcher opened after a small commit reuses them.
        self._segment_ids: dict[str, list[int]] = {}

    # opening and checking

    def exists(self) -> bool:
        # Looking for the table of contents, not opening it: a damaged one
        # must reach probe() (and a rebuild), not fail here.
        return self.folder.is_dir() and any(self.folder.glob("_MAIN_*.toc"))

    def create(self) -> None:
        self.close()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self._ix = index.create_in(str(self.folder), SCHEMA)
        (self.folder / _VERSION_FILE).write_text(SCHEMA_VERSION)

    def open(self) -> None:
        """Open the existing index, raising IndexCorrupt if it cannot be used."""
        try:
            version_file = self.folder / _VERSION_FILE
            version = version_file.read_text().strip() if version_file.exists() else "none"
            if version != SCHEMA_VERSION:
                raise IndexCorrupt(
                    f"the index has format {version}, this version uses {SCHEMA_VERSION}"
                )
            self._ix = index.open_dir(str(self.folder))
            if set(self._ix.schema.names()) != set(SCHEMA.names()):
                raise IndexCorrupt("the index was built with another schema")
        except IndexCorrupt:
            raise
        except Exception as exc:
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc

    def probe(self, expected_count: int) -> None:
        """Raise IndexCorrupt unless the index opens, counts right and answers a query."""
        try:
            if self._ix is None:
                self.open()
            assert self._ix is not None
            count = self._ix.doc_count()
            with self._ix.searcher() as s:
                s.search(query.Term("content", "probe"), limit=1)
                if count:
                    s.search(query.Every(), limit=1)
        except IndexCorrupt:
            raise
        except Exception as exc:
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc
        if count != expected_count:
            raise IndexCorrupt(f"the index has {count} papers, the library {expected_count}")

    def move_aside(self) -> Path | None:
        """Rename a damaged index so a new one can be built (kept for inspection)."""
        self.close()
        if not self.folder.exists():
            return None
        target = self.folder.with_name(
            f"{self.folder.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}"
        )
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"{target.name}-{n}")
        self.folder.rename(target)
        # Keep only the newest damaged copy.
        for old in sorted(self.folder.parent.glob(f"{self.folder.name}.broken-*"))[:-1]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        self._filter_cache.clear()

    @property
    def ix(self) -> index.Index:
        if self._ix is None:
            self.open()
        assert self._ix is not None
        return self._ix

    def doc_count(self) -> int:
        return int(self.ix.doc_count())

    def indexed_ids(self) -> list[int]:
        """Every paper id in the index, once per live document (duplicates show)."""
        with self.ix.searcher() as s:
            return [int(f["id"]) for f in s.all_stored_fields()]

    # writing

    def apply(
        self,
        docs: Iterable[dict[str, Any]],
        deleted: Iterable[int],
        bulk: bool = False,
        total: int = 0,
        progress: Progress | None = None,
    ) -> int:
        """Write documents (replacing by id) and delete ids, in one commit."""
        if bulk:
            # Measured: procs=2 + multisegment indexes ~3x faster than the default
            # writer; procs>1 without multisegment is never used (slow merge).
            writer = self.ix.writer(procs=2, multisegment=True, limitmb=128)
        else:
            writer = self.ix.writer(timeout=30.0, delay=0.05)
        n = 0
        try:
            for pid in deleted:
                writer.delete_by_term("id", str(int(pid)))
            for doc in docs:
                if bulk:
                    writer.add_document(**doc)
                else:
                    writer.update_document(**doc)
                n += 1
                if progress and n % 500 == 0:
                    progress(n, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._filter_cache.clear()
        return n

    # searching

    def searcher(self) -> Any:
        """One long-lived searcher, replaced when the index has changed.

        Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it reuses segment
        readers with their old deletion lists, so a replaced document showed
        in both versions (a paper marked read still matched is:unread). It also
        raises TypeError over an empty index. A new searcher costs ~25 ms more
        and only after a commit.
        """
        if self._searcher is not None:
            try:
                current = self._searcher.up_to_date()
            except Exception:
                current = False
            if current:
                return self._searcher
            self._searcher.close()
            self._searcher = None
            self._filter_cache.clear()
        self._searcher = self.ix.searcher(weighting=scoring.BM25F())
        return self._searcher

    def _filter(self, searcher: Any, filters: list[query.Query]) -> set[int] | None:
        """The documents passing every filter, cached until the searcher changes."""
        if not filters:
            return None
        key = tuple(repr(f) for f in filters)
        cached = self._filter_cache.get(key)
        if cached is None:
            q = query.And(filters) if len(filters) > 1 else filters[0]
            # Postings still list replaced (deleted) versions of a document, and
            # the collector does not drop them when given a docnum filter.
            cached = self._live(searcher, _docset(searcher, q), None)
            if len(self._filter_cache) > 32:
                self._filter_cache.clear()
            self._filter_cache[key] = cached
        return cached

    def _live(self, searcher: Any, docs: set[int], filt: set[int] | None) -> set[int]:
        """``docs`` less deleted documents and those the filters leave out."""
        if filt is not None:
            return docs & filt  # filter sets hold live documents only
        deleted = self._filter_cache.get(("deleted",))
        if deleted is None:
            deleted = self._filter_cache[("deleted",)] = _deleted(searcher)
        return docs - deleted if deleted else docs

    def _ids_of(self, searcher: Any, docnums: set[int]) -> list[int]:
        """Paper ids of documents: a few are read from stored fields (the CLI's
        `is:starred` must not build the whole map); many from the cached map."""
        if len(docnums) < 1000 and ("paper ids",) not in self._filter_cache:
            return [int(searcher.stored_fields(d)["id"]) for d in docnums]
        paper_ids = self._paper_ids(searcher)
        return [paper_ids[d] for d in docnums]

    def _paper_ids(self, searcher: Any) -> list[int]:
        """The paper id of every document number of this searcher."""
        flat = self._filter_cache.get(("paper ids",))
        if flat is not None:
            return flat
        flat = []
        keep: dict[str, list[int]] = {}
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            segment = reader.segment() if hasattr(reader, "segment") else None
            key = segment.segment_id() if segment is not None else None
            ids = self._segment_ids.get(key) if key else None
            if ids is None:
                # Stored fields stay readable for deleted documents.
                ids = [int(sub.stored_fields(d)["id"]) for d in range(reader.doc_count_all())]
            if key:
                keep[key] = ids
            flat.extend(ids)
        self._segment_ids = keep
        self._filter_cache[("paper ids",)] = flat
        return flat

    def warm(self, filters: tuple[str, ...] = WARM_FILTERS) -> None:
        """Compute the common filters' document sets (and the paper id of each
        document) now. The first search with a filter otherwise pays for it (about
        100-300 ms at 100,000 papers); the app calls this in its worker thread right
        after opening the index."""
        s = self.searcher()
        for text in filters:
            self._filter(s, parse_query(text).filters)
        self._paper_ids(s)

    def search(self, text: str, limit: int | None = 50, rest: bool = False) -> SearchResult:
        """The ``limit`` best matches, ranked, and how many papers match in all.

        With ``rest`` the result also lists the other matches, newest first: a
        window shows the best ones at once instead of ranking 20,000 papers for
        a common word (which takes about a second at 100,000 papers).
        """
        parsed = parse_query(text)
        if parsed.query is query.NullQuery:
            return SearchResult([], 0, parsed)
        s = self.searcher()
        filt = self._filter(s, parsed.filters)
        q = parsed.query
        if isinstance(q, query.Every):
            # Filters alone (is:starred): newest papers first.
            docnums = filt if filt is not None else self._live(s, _docset(s, q), None)
            ids = sorted(self._ids_of(s, docnums), reverse=True)
            shown = ids if limit is None else ids[:limit]
            return SearchResult(
                [Hit(i, 0.0) for i in shown],
                len(ids),
                parsed,
                rest=ids[len(shown) :] if rest else [],
            )
        if filt is not None and not filt:
            # No paper passes the filters. Whoosh reads an empty filter set as
            # "no filter" and would return every match (is:starred with nothing
            # starred listed all papers with the word).
            return SearchResult([], 0, parsed)
        q = _expand_fuzzy(q, s.reader())
        try:
            results = s.search(q, limit=limit, filter=filt)
        except Exception as exc:
            if parsed.fallback:
                raise
            kept = [m.group(0) for m in _IS_RE.finditer(parsed.text)]  # filters still apply
            words = " ".join(_SYNTAX_RE.sub(" ", _IS_RE.sub(" ", parsed.text)).split())
            retry = self.search(" ".join([*kept, words]), limit)
            note = (
                f"could not run the query as written ({type(exc).__name__}); "
                f"searched for the words: {words}"
            )
            retry.parsed.notice = "; ".join(x for x in (parsed.notice, note) if x)
            retry.parsed.fallback = True
            return retry
        hits = [Hit(int(h["id"]), float(h.score or 0.0)) for h in results]
        if limit is None:
            return SearchResult(hits, len(results), parsed, self._terms(s, q))
        # Whoosh would count the matches by walking them all again (len(results)).
        matched = self._live(s, _docset(s, q), filt)
        others: list[int] = []
        if rest:
            ranked = {h.docnum for h in results}
            others = sorted(self._ids_of(s, matched - ranked), reverse=True)
        return SearchResult(hits, len(matched), parsed, self._terms(s, q), others)

    def _terms(self, s: Any, q: query.Query) -> dict[str, set[str]]:
        """The analyzed words a query looks for, by field (prefixes and fuzzy terms
        expanded to the words they matched), for highlighting."""
        terms: dict[str, set[str]] = {}
        reader = s.reader()
        for leaf in _walk(q):
            if isinstance(leaf, query.Term) and leaf.fieldname == "pairs":
                terms.setdefault("content", set()).update(str(leaf.text).split(" "))
                continue
            if isinstance(leaf, query.Term) and leaf.fieldname == "prefixes":
                # Highlight the words the prefix stands for (bounded expansion).
                for field_name in ("content", "authors"):
                    for n, word in enumerate(reader.expand_prefix(field_name, str(leaf.text))):
                        if n >= MAX_PREFIX_TERMS:
                            break
                        text_word = word.decode("utf-8") if isinstance(word, bytes) else word
                        terms.setdefault("content", set()).add(str(text_word))
                continue
            if not leaf.is_leaf() or getattr(leaf, "fieldname", None) not in TEXT_FIELDS:
                continue
            words: list[str] = []
            if isinstance(leaf, (query.Prefix, query.FuzzyTerm, query.Wildcard)):
                try:
                    found = leaf.existing_terms(reader, expand=True)
                except Exception:
                    continue
                words = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for _, t in found]
            elif isinstance(leaf, query.Phrase):
                words = [str(w) for w in leaf.words]
            elif isinstance(leaf, query.Term):
                words = [str(leaf.text)]
            terms.setdefault(leaf.fieldname, set()).update(words)
        return terms

    def similar(self, paper_id: int, text: str, limit: int = 10) -> list[Hit]:
        s = self.searcher()
        docnum = s.document_number(id=str(int(paper_id)))
        if docnum is None:
            return []
        results = s.more_like(docnum, "content", text=_index_text(text), top=limit, numterms=12)
        return [Hit(int(h["id"]), float(h.score or 0.0)) for h in results if h.docnum != docnum]


def highlight_text(
    text: str, terms: set[str], fieldname: str = "content", top: int = 3, whole: bool = False
) -> str:
    """Mark the words of ``text`` that match ``terms`` (analyzed forms).

    With ``whole`` the entire text comes back with marks, else up to ``top``
    fragments around the matches.
    """
    if not terms or not text:
        return text if whole else ""
    analyzer = SCHEMA[fieldname].analyzer
    btext = _index_text(text)
    fragmenter: highlight.Fragmenter = (
        highlight.WholeFragmenter()
        if whole
        else highlight.ContextFragmenter(maxchars=160, surround=60)
    )
    marked = highlight.highlight(
        btext, frozenset(terms), analyzer, fragmenter, _MarkFormatter(), top=top if not whole else 1
    )
    if whole and not marked:
        return btext
    return str(marked)


# --- whole result sets, by set operations -------------------------------------------
#
# Counting a common word's matches through Whoosh's matchers walks every posting
# in Python (35 ms for 19,000 of 100,000 papers, on top of ranking them); posting
# lists read block by block into Python sets, combined with set operations in C,
# take a few milliseconds. Query shapes not listed here go through Whoosh.


def _posting_docnums(reader: Any, fieldname: str, text: Any) -> Iterable[int]:
    """The segment's document numbers for one term, deleted documents included."""
    if (fieldname, text) not in reader:
        return ()
    m = reader.postings(fieldname, text)
    if isinstance(m, FilterMatcher):  # wraps the postings to hide deletions
        m = m.child
    if not isinstance(m, W3LeafMatcher):
        return list(m.all_ids())
    out: list[int] = []
    while m.is_active():  # a block at a time (the generic all_ids() steps per posting)
        if m._ids is None:
            m._read_ids()
        out.extend(m._ids[m._i :])
        m._next_block()
    return out


def _docset(searcher: Any, q: query.Query) -> set[int]:
    """Global document numbers matching ``q`` (deleted ones may be included:
    callers intersect with live documents)."""
    kind = type(q)
    if kind is query.Term:
        found: set[int] = set()
        try:
            for sub, offset in searcher.leaf_searchers():
                docnums = _posting_docnums(sub.reader(), q.fieldname, q.text)
                found.update(docnums if offset == 0 else (offset + d for d in docnums))
        except (ValueError, TypeError):
            # A text the field cannot encode (year:"" on a number field): as Whoosh does.
            return set(q.docs(searcher))
        return found
    if kind is query.Or and not getattr(q, "minmatch", 0):
        found = set()
        for child in q.subqueries:
            found |= _docset(searcher, child)
        return found
    if kind is query.And and q.subqueries:
        parts = sorted((_docset(searcher, c) for c in q.subqueries), key=len)
        return parts[0].intersection(*parts[1:])
    if kind is query.AndNot:
        return _docset(searcher, q.a) - _docset(searcher, q.b)
    if kind is query.AndMaybe:
        return _docset(searcher, q.a)
    if kind is query.Require:
        return _docset(searcher, q.a) & _docset(searcher, q.b)
    if kind is query.Not:
        return set(range(searcher.doc_count_all())) - _docset(searcher, q.query)
    if kind is query.Every:
        return set(range(searcher.doc_count_all()))
    if q is query.NullQuery:
        return set()
    return set(q.docs(searcher))


def _deleted(searcher: Any) -> set[int]:
    out: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if reader.has_deletions():
            out.update(offset + d for d in reader.deleted_docs_set)
    return out
