"""Library: the one object the CLI, the app and the tests hold.

A facade over small parts (see the README's architecture section): the store
(connection and write transactions), the undo journal (every user change goes
through it and returns ``Changes``), reads, triage, importing, enrichment, the
index sync (a listener on commits), saved searches and settings. It owns them
and delegates; it has no SQL of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.core.errors import LibraryError, UserError
from readinglist.core.index_sync import IndexSync, SearchHit, SearchOutcome
from readinglist.core.models import (
    Changes,
    EnrichReport,
    ImportReport,
    Paper,
    Status,
)
from readinglist.core.papers import Papers, Stats
from readinglist.core.saved import SavedSearches, Settings
from readinglist.core.store import Store
from readinglist.core.triage import Triage
from readinglist.core.tuning import DEFAULT, Tuning
from readinglist.core.undo import Journal

if TYPE_CHECKING:
    import sqlite_utils

    from readinglist.core import arxiv_api, backups
    from readinglist.core.enrichment import Enrichment
    from readinglist.core.exports import Exports
    from readinglist.core.importing.pipeline import Importer
    from readinglist.core.ranking import Ranking
    from readinglist.core.search import SearchIndex, SearchResult

Progress = Callable[[int, int], None]

__all__ = [
    "Library",
    "SearchHit",
    "SearchOutcome",
    "Stats",
    "default_library_dir",
]


def default_library_dir() -> Path:
    """``READINGLIST_LIBRARY`` if set, else the platform's user data folder."""
    env = os.environ.get("READINGLIST_LIBRARY")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("readinglist", appauthor=False))


class Parts:
    """The small parts a library is made of, and how they are made; Library (below)
    is the facade that delegates to them."""

    def __init__(self, store: Store, origin: str = "cli", tuning: Tuning = DEFAULT) -> None:
        self.folder = store.folder
        self.store = store
        self.tuning = tuning
        #: The front end whose changes undo takes back ("app", "cli").
        self.origin = origin
        self.journal = Journal(store, origin)
        self.papers = Papers(store.conn)
        self.triage = Triage(self.journal, self.papers)
        self.index_sync = IndexSync(store, self.papers, tuning)
        self.saved = SavedSearches(store)
        self.settings = Settings(store)
        store.add_listener(self.index_sync.on_commit)
        #: Set when the daily backup failed (the library opened anyway).
        self.backup_notice = ""

    # Made when first used: their modules cost 30 ms of a 0.3 s window start.

    @cached_property
    def importer(self) -> Importer:
        from readinglist.core.importing.pipeline import Importer

        return Importer(self.store, self.journal, self.tuning)

    @cached_property
    def exports(self) -> Exports:
        from readinglist.core.exports import Exports

        return Exports(self.papers, self.triage, self.index_sync)

    @cached_property
    def enrichment(self) -> Enrichment:
        from readinglist.core.enrichment import Enrichment

        return Enrichment(self.journal, self.papers, self.exports)

    @cached_property
    def ranking(self) -> Ranking:
        """Predicted interest learned from triage (``ranking/`` in the folder)."""
        from readinglist.core.ranking import Ranking

        return Ranking(self.store.conn, self.folder)


class Library(Parts):
    """A reading list in a folder: ``library.sqlite``, ``backups/`` (and the search index)."""

    # --- opening and closing -------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        index: bool = True,
        progress: Progress | None = None,
        repair_index: bool = True,
        daily_backup: bool = True,
        origin: str = "cli",
        tuning: Tuning = DEFAULT,
    ) -> Library:
        """Open (creating on first use) the library in ``folder``.

        Once a day (``daily_backup``) the database is backed up first; the app
        passes False and lets its background thread do it. ``origin`` names the
        front end ("app", "cli"): undo takes back that front end's own changes.

        With ``index`` (the default) the search index is opened too, checked,
        caught up with changes it missed, and rebuilt if missing or damaged.
        Without it, changes wait in the index queue for the next opening.
        With ``repair_index=False`` the index is opened as it is (for ``check``).
        """
        path = Path(folder).expanduser() if folder is not None else default_library_dir()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create the library folder {path}: {exc.strerror}") from exc
        if not path.is_dir():
            raise LibraryError(f"the library location {path} is not a folder")
        lib = cls(Store.open(path), origin, tuning)
        if daily_backup:
            lib.daily_backup()
        try:
            if index:
                lib.index_sync.open_on_start(repair_index, progress)
        except BaseException:
            lib.close()
            raise
        return lib

    def close(self) -> None:
        self.store.wait_settled()
        self.index_sync.close()
        self.store.close()

    def wait_settled(self) -> None:
        """Wait for a checkpoint started after a big import (benchmarks, close)."""
        self.store.wait_settled()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite_utils.Database:
        """The database, for tests and benchmarks; front ends call methods."""
        return self.store.db

    @property
    def search_index(self) -> SearchIndex | None:
        return self.index_sync.search_index

    @property
    def index_notice(self) -> str:
        """What the last index check or repair did, for the front ends to show."""
        return self.index_sync.notice

    @index_notice.setter
    def index_notice(self, value: str) -> None:
        self.index_sync.notice = value

    # --- backups ---------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> backups.Backup:
        """Back the database up now (SQLite backup API), then rotate old backups."""
        from readinglist.core import backups

        made = backups.make_backup(self.store.conn, self.folder, reason)
        backups.rotate(self.folder, int(self.setting("backups_keep")))
        return made

    def daily_backup(self) -> backups.Backup | None:
        """A backup when the newest is a day old. A failure (full disk, read-only
        folder) does not stop the library from opening: it is said in backup_notice."""
        from readinglist.core import backups

        try:
            if not backups.due_daily(self.folder) or not self.count():
                return None
            return self.backup("daily")
        except (UserError, OSError) as exc:
            self.backup_notice = f"the daily backup failed: {exc}"
            return None

    def quick_check(self) -> str:
        """SQLite's ``PRAGMA quick_check`` of the database: "ok" or what is wrong."""
        return self.papers.quick_check()

    # --- reading ---------------------------------------------------------------------

    def get(self, paper_id: int) -> Paper:
        return self.papers.get(paper_id)

    def get_many(self, ids: Iterable[int]) -> list[Paper]:
        """Papers in the order of ``ids``; raises UnknownPaper naming the first missing id."""
        return self.papers.get_many(ids)

    def get_many_existing(self, ids: Iterable[int]) -> list[Paper]:
        """Like get_many, silently leaving out ids that no longer exist."""
        return self.papers.get_many_existing(ids)

    def list_papers(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
    ) -> list[Paper]:
        """Papers matching every filter given, ordered by id."""
        return self.papers.list_papers(status, tag, starred, batch_id)

    def ids(
        self,
        status: Status | str | None = None,
        tag: str | None = None,
        starred: bool | None = None,
        batch_id: int | None = None,
    ) -> list[int]:
        """Ids of the papers matching every filter, in view order: the newest import
        first, each in its page order (cheap: no rows)."""
        return self.papers.ids(status, tag, starred, batch_id)

    def sorted_ids(self, ids: list[int], key: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a column (sorted by SQLite, so no rows are loaded)."""
        return self.papers.sorted_ids(ids, key, descending)

    def count(self) -> int:
        return self.papers.count()

    def stats(self) -> Stats:
        return self.papers.stats()

    def batches(self) -> list[dict[str, Any]]:
        """Import batches, newest first, without their raw text."""
        return self.papers.batches()

    def batch_raw_text(self, batch_id: int) -> str:
        return self.papers.batch_raw_text(batch_id)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return self.papers.tags()

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, another process) commits."""
        return self.papers.data_version()

    def changed_outside(self, mark: tuple[int, int] | None) -> tuple[bool, tuple[int, int]]:
        """Whether another process wrote since ``mark`` (None: the first look), and the
        new mark; this process's own connections (the app's threads) never count."""
        now = self.store.outside_mark()
        return mark is not None and now != mark, now

    # --- importing ---------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
        with_revisions: bool = False,
    ) -> ImportReport:
        path = Path(path)
        from readinglist.core.importing.pipeline import read_file

        return self.import_bytes(
            read_file(path), path.name, format, dry_run, progress, with_revisions=with_revisions
        )

    def import_bytes(
        self,
        data: bytes,
        source: str,
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
        with_revisions: bool = False,
    ) -> ImportReport:
        report = self.importer.import_bytes(
            data, source, format, dry_run, progress, with_revisions=with_revisions
        )
        return self.index_sync.after_import(report, progress)

    def import_text(
        self,
        text: str,
        source: str = "clipboard",
        format: str = "auto",
        dry_run: bool = False,
        progress: Progress | None = None,
        with_revisions: bool = False,
    ) -> ImportReport:
        """Import a listing in one transaction; raises BadInput when nothing is recognisable.

        Re-importing the same text changes nothing (no papers, no batch).
        With ``dry_run`` the report says what would happen and nothing is written.
        An arXiv mailing's revised versions update papers already here; the others
        are left out (counted in the report) unless ``with_revisions``.
        """
        report = self.importer.import_text(
            text, source, format, dry_run, progress, with_revisions=with_revisions
        )
        return self.index_sync.after_import(report, progress)

    # --- changes the user makes ------------------------------------------------------

    def mark(self, ids: Sequence[int], status: Status | str) -> Changes:
        return self.triage.mark(ids, status)

    def set_starred(self, ids: Sequence[int], starred: bool) -> Changes:
        return self.triage.set_starred(ids, starred)

    def tag(
        self, ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Changes:
        """Add and remove tags on papers. Tag names are unique ignoring case."""
        return self.triage.tag(ids, add, remove)

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag; renaming onto an existing tag merges the two."""
        return self.triage.rename_tag(old, new)

    def delete_tag(self, name: str) -> Changes:
        return self.triage.delete_tag(name)

    def set_note(self, paper_id: int, note: str) -> Changes:
        return self.triage.set_note(paper_id, note)

    def delete(self, ids: Sequence[int]) -> Changes:
        return self.triage.delete(ids)

    def set_citekey(self, paper_id: int, key: str) -> Changes:
        """Give a paper a citation key of the user's choosing (pinned from then on)."""
        return self.triage.set_citekey(paper_id, key)

    def undo(self, origin: str | None = None) -> Changes:
        """Undo the latest change of ``origin`` (default: this library's own; "any":
        anyone's), also one made in an earlier session."""
        return self.journal.undo(origin)

    def redo(self, origin: str | None = None) -> Changes:
        """Redo the change of ``origin`` undone last."""
        return self.journal.redo(origin)

    # --- settings and saved searches ---------------------------------------------------

    def setting(self, name: str) -> Any:
        return self.settings.get(name)

    def set_setting(self, name: str, value: Any) -> Changes:
        return self.settings.set(name, value)

    def saved_searches(self) -> list[tuple[str, str]]:
        return self.saved.all()

    def save_search(self, name: str, query_text: str) -> Changes:
        return self.saved.save(name, query_text)

    def saved_search(self, name: str) -> str:
        return self.saved.get(name)

    def remove_saved_search(self, name: str) -> Changes:
        return self.saved.remove(name)

    # --- exports -------------------------------------------------------------------------

    def select(
        self,
        query_text: str | None = None,
        tags: Iterable[str] = (),
        ids: Iterable[int] | None = None,
        status: Status | str | None = None,
    ) -> list[Paper]:
        """Papers for an export: a search, tags (any of them), ids, a status; every
        filter given applies (see exports.py)."""
        return self.exports.select(query_text, tags, ids, status)

    def export_bibtex(
        self,
        papers: list[Paper],
        abstract: bool = True,
        with_notes: bool = False,
        ascii_only: bool = False,
        biblatex: bool = False,
    ) -> str:
        """BibTeX (biblatex's with ``biblatex``); the keys are pinned (see exports.py)."""
        return self.exports.bibtex(papers, abstract, with_notes, ascii_only, biblatex)

    def export_csl_json(self, papers: list[Paper], abstract: bool = True) -> str:
        """CSL-JSON for papers (Pandoc, Zotero); their keys are pinned as with BibTeX."""
        return self.exports.csl_json(papers, abstract)

    def cite(self, ids: Sequence[int]) -> str:
        """``\\cite{key1,key2}`` for these papers, pinning their keys as an export does."""
        return self.exports.cite(ids)

    # --- metadata from arXiv ---------------------------------------------------------

    def enrich_targets(
        self, query_text: str | None = None, ids: Iterable[int] | None = None
    ) -> list[Paper]:
        """The papers to complete: those chosen, else every paper missing authors or year."""
        return self.enrichment.targets(query_text, ids)

    def to_complete_after_import(self, report: ImportReport) -> list[Paper]:
        """The papers an import added that lack authors or a year, when the
        ``enrich_after_import`` setting asks for them to be completed."""
        return self.enrichment.after_import(report, self.setting("enrich_after_import"))

    def arxiv_client(self, **options: Any) -> arxiv_api.Client:
        """A client for the configured API (setting, or READINGLIST_ARXIV_API),
        caching answers in the library folder."""
        from readinglist.core.enrichment import client as arxiv_client

        return arxiv_client(self.folder, self.setting("arxiv_api"), **options)

    def enrich(
        self,
        papers: Sequence[Paper],
        client: arxiv_api.Client | None = None,
        progress: Progress | None = None,
    ) -> EnrichReport:
        """Look the papers up on arXiv and fill their empty fields (one undo step).
        Raises ArxivUnreachable, changing nothing, when the network fails."""
        from readinglist.core.enrichment import look_up as arxiv_look_up

        lookup = arxiv_look_up(papers, client or self.arxiv_client(), progress)
        return self.apply_enrichment(lookup)

    def apply_enrichment(self, lookup: arxiv_api.Lookup) -> EnrichReport:
        """Apply certain findings with the import merge rules (see enrichment.py);
        safe on a lookup made earlier in another thread."""
        return self.enrichment.apply(lookup)

    # --- the search index --------------------------------------------------------------

    def pending_index_changes(self) -> int:
        return self.index_sync.pending()

    def ensure_index(self, progress: Progress | None = None) -> str:
        """Open the index, catch it up, and rebuild it if it is missing or damaged.
        Returns (and keeps in ``index_notice``) a sentence for the user, or ""."""
        return self.index_sync.ensure(progress)

    def sync_index(
        self, progress: Progress | None = None, in_process: bool = False, wait: bool = True
    ) -> int:
        """Bring the index up to date with the queue of changed papers (see
        IndexSync.sync); -1 with ``wait=False`` when another process is at it."""
        return self.index_sync.sync(progress, in_process, wait)

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the search index from SQLite."""
        return self.index_sync.reindex(progress)

    def check(self, repair: bool = False, progress: Progress | None = None) -> dict[str, Any]:
        """Whether database and index agree; with ``repair``, make them agree."""
        return self.index_sync.check(repair, progress)

    def warm_search(self) -> None:
        """Prepare the common filters (is:unread…) so the first filtered search is
        as fast as the rest; for long-lived processes (the app), off the GUI thread."""
        self.index_sync.searchable().warm()

    def search(self, text: str, limit: int | None = 50, snippets: bool = False) -> SearchOutcome:
        """Papers matching a query, best first (see README: query language)."""
        return self.index_sync.search(text, limit, snippets)

    def ranked_search(self, text: str, limit: int, rest: bool = False) -> SearchResult:
        """The index's own result (ids, not papers): the best ``limit`` ranked, with
        ``rest`` every other match newest first (the app's result list)."""
        return self.index_sync.ranked(text, limit, rest)

    def highlight(self, text: str, terms: set[str], whole: bool = True) -> str:
        """Mark the words of ``text`` matching a search's terms (see SearchOutcome.terms)."""
        from readinglist.core.search import highlight_text

        return highlight_text(text, terms, whole=whole)

    def similar(self, paper_id: int, limit: int = 10) -> list[SearchHit]:
        """Papers most like this one by title and abstract, excluding itself."""
        return self.index_sync.similar(paper_id, limit)
