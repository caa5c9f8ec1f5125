"""Full-text search: the SearchIndex, and the facade over the search_* modules.

whoosh-reloaded is pinned (==2.7.5) and says it is no longer maintained, so
everything Whoosh-specific stays behind this module and the ones it imports:
search_schema (the schema and a paper's document), search_query (query parsing
and translation), search_sets (result sets by posting-list set operations),
search_highlight (marking matches) and search_views (reading segments in place).
The index is derived from SQLite and can always be rebuilt; it stores only paper ids.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index, query, scoring

# Re-exported: library.py, cli.py, the GUI and the tests import these from
# readinglist.core.search, which stays the one entry point to the search.
from readinglist.core import search_pairs, search_views, segment_writer
from readinglist.core.errors import UserError
from readinglist.core.search_highlight import MARK_END, MARK_START, highlight_text, render
from readinglist.core.search_query import (
    ParsedQuery,
    expand_fuzzy,
    fallback_query,
    highlight_terms,
    parse_query,
)
from readinglist.core.search_schema import (
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_FILE,
    document,
    index_text,
)
from readinglist.core.search_sets import (
    deleted_docnums,
    docset,
    rank_directly,
    top_hits,
)

__all__ = [
    "MARK_END",
    "MARK_START",
    "WARM_FILTERS",
    "Hit",
    "IndexCorrupt",
    "ParsedQuery",
    "Progress",
    "SearchIndex",
    "SearchResult",
    "document",
    "highlight_text",
    "parse_query",
    "render",
]

# Before any index is opened: every searcher reads its segments in place.
search_views.install()

Progress = Callable[[int, int], None]


class IndexCorrupt(Exception):
    """The index on disk cannot be used; it must be rebuilt from SQLite."""


# --- the index ------------------------------------------------------------------------


@dataclass
class Hit:
    """One matching paper and its score (0.0 when not ranked)."""

    paper_id: int
    score: float


@dataclass
class SearchResult:
    """The shown hits of a search, how many papers match in all, and the words to highlight."""

    hits: list[Hit]
    total: int
    parsed: ParsedQuery
    terms: dict[str, set[str]] = field(default_factory=dict)
    #: With search(..., rest=True): the ids of the other matches, newest first.
    rest: list[int] = field(default_factory=list)

    @property
    def notice(self) -> str:
        """What to tell the user about how the query was read."""
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
        #: Answers the status and star filters (is:read, is:starred) from SQLite,
        #: where they are always current (IndexSync sets itself here): a status
        #: change then needs no reindexing. ``fact_ids(filters)`` and
        #: ``fact_version()``, which changes whenever the answers may have.
        self.facts: Any = None

    # opening and checking

    def exists(self) -> bool:
        """Whether an index is on disk (usable or not: see probe)."""
        # Looking for the table of contents, not opening it: a damaged one
        # must reach probe() (and a rebuild), not fail here.
        return self.folder.is_dir() and any(self.folder.glob("_MAIN_*.toc"))

    def create(self) -> None:
        """Replace whatever is in the folder by a new, empty index."""
        self.close()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self._ix = index.create_in(str(self.folder), SCHEMA)
        (self.folder / VERSION_FILE).write_text(SCHEMA_VERSION)
        search_pairs.register(self.pairs_folder)

    def open(self) -> None:
        """Open the existing index, raising IndexCorrupt if it cannot be used."""
        try:
            version_file = self.folder / VERSION_FILE
            version = version_file.read_text().strip() if version_file.exists() else "none"
            if version == "none" and self.folder.is_dir():
                raise IndexCorrupt("the index is incomplete: its last build was cut short")
            if version != SCHEMA_VERSION:
                raise IndexCorrupt(
                    f"the index has format {version}, this version uses {SCHEMA_VERSION}"
                )
            self._ix = index.open_dir(str(self.folder))
            search_pairs.register(self.pairs_folder)
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
        """Close the searcher and the index (reopened when next used)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        self._filter_cache.clear()

    @property
    def ix(self) -> index.Index:
        """The open Whoosh index, opened on first use."""
        if self._ix is None:
            self.open()
        assert self._ix is not None
        return self._ix

    def doc_count(self) -> int:
        """How many live documents the index holds."""
        return int(self.ix.doc_count())

    def indexed_ids(self) -> list[tuple[int, str]]:
        """Every paper id in the index with its document's fingerprint, once per
        live document (duplicates show)."""
        with self.ix.searcher() as s:
            return [(int(f["id"]), f.get("fingerprint", "")) for f in s.all_stored_fields()]

    # writing

    def apply(
        self,
        docs: Iterable[dict[str, Any]],
        deleted: Iterable[int],
        bulk: bool = False,
        total: int = 0,
        progress: Progress | None = None,
    ) -> int:
        """Write documents (replacing by id) and delete ids, in one commit.

        ``bulk``: add many new documents (their old versions already deleted) as
        new segments, with the grouping writer where it reproduces Whoosh's
        (segment_writer), else with Whoosh's multi-process writer."""
        if bulk and segment_writer.supported(SCHEMA):
            n = segment_writer.write_segments(
                self.ix,
                docs,
                self.pairs_folder,
                progress=progress,
                total=total,
                workers=min(2, os.cpu_count() or 1),
            )
            self._committed()
            return n
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
            # Segments with their word pairs beside them are never merged by Whoosh.
            writer.commit(mergetype=search_pairs.merge_policy)
        except BaseException:
            writer.cancel()
            raise
        self._committed()
        return n

    @property
    def pairs_folder(self) -> Path:
        """Where the word pairs of the segments written in bulk are kept."""
        return self.folder / search_pairs.FOLDER

    def _committed(self) -> None:
        self._filter_cache.clear()
        search_pairs.remove_unused(self.pairs_folder, self.ix)

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

    def _library_facts(self) -> Any:
        if self.facts is None:
            raise UserError("the status filters (is:read, is:starred…) need the library")
        return self.facts

    def _fact_ids(self, filters: list[query.Query]) -> set[int]:
        """Ids of the papers passing the status and star filters, from SQLite."""
        wanted = tuple(sorted((f.fieldname, f.text) for f in filters))
        return set(self._library_facts().fact_ids(wanted))

    def _filter(self, searcher: Any, filters: list[query.Query]) -> set[int] | None:
        """The live documents passing every filter, cached until the searcher or
        the library's facts change."""
        if not filters:
            return None
        version = self._library_facts().fact_version()
        key = ("facts", tuple(sorted(repr(f) for f in filters)), version)
        cached = self._filter_cache.get(key)
        if cached is None:
            where = self._docnum_of_id(searcher)
            cached = {where[i] for i in self._fact_ids(filters) if i in where}
            if len(self._filter_cache) > 32:
                self._filter_cache.clear()
            self._filter_cache[key] = cached
        return cached

    def _deleted(self, searcher: Any) -> set[int]:
        # Postings still list replaced (deleted) versions of a document, and the
        # collector does not drop them when given a docnum filter.
        deleted = self._filter_cache.get(("deleted",))
        if deleted is None:
            deleted = self._filter_cache[("deleted",)] = deleted_docnums(searcher)
        return deleted

    def _docnum_of_id(self, searcher: Any) -> dict[int, int]:
        """The live document number of each indexed paper id."""
        found = self._filter_cache.get(("docnum of id",))
        if found is None:
            deleted = self._deleted(searcher)
            paper_ids = self._paper_ids(searcher)
            found = {pid: d for d, pid in enumerate(paper_ids) if d not in deleted}
            self._filter_cache[("docnum of id",)] = found
        return found

    def _live(self, searcher: Any, docs: set[int], filt: set[int] | None) -> set[int]:
        """``docs`` less deleted documents and those the filters leave out."""
        if filt is not None:
            return docs & filt  # filter sets hold live documents only
        deleted = self._deleted(searcher)
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
        q = parsed.query
        if isinstance(q, query.Every):
            # Filters alone (is:starred): SQLite's answer, papers the index has not
            # caught up with included; newest papers first.
            if parsed.filters:
                ids = sorted(self._fact_ids(parsed.filters), reverse=True)
            else:
                ids = sorted(self._ids_of(s, self._live(s, docset(s, q), None)), reverse=True)
            shown = ids if limit is None else ids[:limit]
            return SearchResult(
                [Hit(i, 0.0) for i in shown],
                len(ids),
                parsed,
                rest=ids[len(shown) :] if rest else [],
            )
        filt = self._filter(s, parsed.filters)
        if filt is not None and not filt:
            # No paper passes the filters. Whoosh reads an empty filter set as
            # "no filter" and would return every match (is:starred with nothing
            # starred listed all papers with the word).
            return SearchResult([], 0, parsed)
        q = expand_fuzzy(q, s.reader())
        few = self._few(s, q, filt, limit, parsed, rest)
        if few is not None:
            return few
        try:
            if limit is None:
                results = list(s.search(q, limit=None, filter=filt))
            else:
                results = top_hits(s, q, limit, filt)
        except Exception as exc:
            if parsed.fallback:
                raise
            plain, words = fallback_query(parsed.text)
            retry = self.search(plain, limit)
            note = (
                f"could not run the query as written ({type(exc).__name__}); "
                f"searched for the words: {words}"
            )
            retry.parsed.notice = "; ".join(x for x in (parsed.notice, note) if x)
            retry.parsed.fallback = True
            return retry
        hits = [Hit(int(h["id"]), float(h.score or 0.0)) for h in results]
        if limit is None:
            return SearchResult(hits, len(results), parsed, highlight_terms(s.reader(), q))
        # Whoosh would count the matches by walking them all again (len(results)).
        matched = self._live(s, docset(s, q), filt)
        others: list[int] = []
        if rest:
            ranked = {h.docnum for h in results}
            others = sorted(self._ids_of(s, matched - ranked), reverse=True)
        return SearchResult(hits, len(matched), parsed, highlight_terms(s.reader(), q), others)

    def _few(
        self,
        s: Any,
        q: query.Query,
        filt: set[int] | None,
        limit: int | None,
        parsed: ParsedQuery,
        rest: bool,
    ) -> SearchResult | None:
        """The query ranked without Whoosh's collector where that is faster (see
        search_sets.rank_directly); None for other queries."""
        if limit is None:
            return None
        found = rank_directly(s, q, filt, limit, lambda docs: self._live(s, docs, filt))
        if found is None:
            return None
        ranked, matched = found
        hits = [Hit(int(s.stored_fields(d)["id"]), score) for score, d in ranked]
        others = matched - {d for _, d in ranked} if rest else set()
        return SearchResult(
            hits,
            len(matched),
            parsed,
            highlight_terms(s.reader(), q),
            sorted(self._ids_of(s, others), reverse=True),
        )

    def similar(self, paper_id: int, text: str, limit: int = 10) -> list[Hit]:
        """Papers like ``paper_id``, by the distinctive words of ``text``; not itself."""
        s = self.searcher()
        docnum = s.document_number(id=str(int(paper_id)))
        if docnum is None:
            return []
        results = s.more_like(docnum, "content", text=index_text(text), top=limit, numterms=12)
        return [Hit(int(h["id"]), float(h.score or 0.0)) for h in results if h.docnum != docnum]
