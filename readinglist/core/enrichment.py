"""Completing papers from arXiv: the look-up (network, no database) and applying
what it found with the import's matching rules and row writer (one undo step)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.core.exports import Exports
from readinglist.core.importing import rows as writer
from readinglist.core.importing.matching import merge_updates, owner_of
from readinglist.core.models import ChangeKind, Changes, EnrichReport, ImportReport, Paper
from readinglist.core.papers import Papers
from readinglist.core.triage import n_papers
from readinglist.core.undo import Journal, delta, snapshot

if TYPE_CHECKING:
    from readinglist.core import arxiv_api

Progress = Callable[[int, int], None]


def client(folder: Path, configured: str, **options: Any) -> arxiv_api.Client:
    """A client for the configured API (setting, or READINGLIST_ARXIV_API),
    caching answers in the library folder."""
    from readinglist.core import arxiv_api

    return arxiv_api.Client(
        arxiv_api.api_url(configured), cache_dir=folder / "cache" / "arxiv", **options
    )


def look_up(
    papers: Sequence[Paper], api: arxiv_api.Client, progress: Progress | None
) -> arxiv_api.Lookup:
    """Ask arXiv about the papers. Raises ArxivUnreachable when the network fails."""
    from readinglist.core import arxiv_api

    return arxiv_api.look_up([arxiv_api.Wanted.of(p) for p in papers], api, progress)


class Enrichment:
    def __init__(self, journal: Journal, papers: Papers, exports: Exports) -> None:
        self.journal = journal
        self.papers = papers
        self.exports = exports

    def targets(self, query_text: str | None, ids: Iterable[int] | None) -> list[Paper]:
        """The papers to complete: those chosen, else every paper missing authors or year."""
        if (query_text and query_text.strip()) or ids is not None:
            return self.exports.select(query_text, ids=ids)
        return self.papers.get_many(self.papers.incomplete_ids())

    def after_import(self, report: ImportReport, wanted: bool) -> list[Paper]:
        """The papers an import added that lack authors or a year (when ``wanted``)."""
        if not report.added or report.dry_run or not wanted:
            return []
        added = self.papers.get_many_existing(report.paper_ids[: report.added])
        return [p for p in added if not p.authors or not p.year]

    def apply(self, lookup: arxiv_api.Lookup) -> EnrichReport:
        """Apply certain findings with the import merge rules: empty fields are
        filled, nothing the user set is overwritten. Safe to call on a lookup
        made earlier (in another thread): it reads the papers afresh."""
        report = EnrichReport(requests=lookup.requests)
        ids: list[int] = []
        with self.journal.store.write() as conn:
            updates, titles = self._decide(conn, lookup, report)
            if not updates:
                return report
            ids = list(updates)
            before = snapshot(conn, ids)
            report.batch_id = batch_id = writer.add_batch(
                conn, f"arXiv API ({lookup.source})", "arxiv-api", merged=len(ids)
            )
            conn.execute(writer.INSERT_TEXT, [batch_id, "\n".join(lookup.feeds)])
            writer.apply_merges(conn, updates, writer.taken_keys(conn), batch_id)
            for pid, change in updates.items():
                fields = [k for k in change if k not in ("citekey_source", "extra")]
                report.changed.append((pid, titles[pid], fields))
            description = f"completed {n_papers(len(ids))} from arXiv"
            step = delta(before, snapshot(conn, ids))
            self.journal.record(conn, ChangeKind.ENRICH, description, ids, step)
            conn.execute(
                "UPDATE batches SET unchanged = ?, skipped = ?, report = ? WHERE id = ?",
                [
                    len(report.unchanged),
                    len(report.left_alone),
                    json.dumps(report.to_json(), ensure_ascii=False),
                    batch_id,
                ],
            )
        report.changes = self.journal.committed(
            Changes.of(ChangeKind.ENRICH, ids, report.summary())
        )
        return report

    @staticmethod
    def _decide(
        conn: sqlite3.Connection, lookup: arxiv_api.Lookup, report: EnrichReport
    ) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
        """What each finding would fill (paper id -> column -> value), and titles."""
        updates: dict[int, dict[str, Any]] = {}
        titles: dict[int, str] = {}
        for finding in lookup.findings:
            pid, draft = finding.paper_id, finding.draft
            if draft is None:
                report.left_alone.append((pid, finding.title, finding.reason))
                continue
            if not conn.execute("SELECT 1 FROM papers WHERE id = ?", [pid]).fetchone():
                report.left_alone.append((pid, finding.title, "deleted meanwhile"))
                continue
            owner = owner_of(conn, draft.arxiv_id, draft.doi, other_than=pid)
            if owner is not None:
                reason = (
                    f"paper {owner} already is arXiv:{draft.arxiv_id}; "
                    "probably a duplicate of it (left alone)"
                )
                report.left_alone.append((pid, finding.title, reason))
                continue
            change = merge_updates(conn, pid, draft)
            if change:
                updates[pid] = change
                titles[pid] = finding.title
            else:
                report.unchanged.append((pid, finding.title))
        return updates, titles
