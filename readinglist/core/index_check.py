"""`check`: whether the search index agrees with the library, and the repair.

Agreeing means the same papers (none missing, none extra, none twice), nothing
waiting in the queue, and each paper indexed with the text the library holds: a
fingerprint of its document is stored in the index and compared, so a database
replaced behind the index's back (a restore cut short) is found, not only a
missing paper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from readinglist.core.papers import chunks

if TYPE_CHECKING:
    from readinglist.core.index_sync import IndexSync
    from readinglist.core.search import Progress


def check(sync: IndexSync, repair: bool, progress: Progress | None) -> dict[str, Any]:
    ix = sync.index()
    ids = {r[0] for r in sync.store.conn.execute("SELECT id FROM papers")}
    report: dict[str, Any] = {"papers": len(ids), "pending": sync.pending()}
    prints: dict[int, str] = {}
    try:
        listed = ix.indexed_ids()
        prints = dict(listed)
        indexed = set(prints)
        problem = ""
        if len(listed) != len(indexed):
            problem = f"{len(listed) - len(indexed)} papers are in the index twice"
    except Exception as exc:
        indexed = set()
        problem = f"the index cannot be read ({type(exc).__name__}: {exc})"
    stale = _stale(sync, ids & indexed, prints)
    report["stale"] = stale[:20]
    report["stale_count"] = len(stale)
    report["indexed"] = len(indexed)
    report["missing"] = sorted(ids - indexed)[:20]
    report["missing_count"] = len(ids - indexed)
    report["extra"] = sorted(indexed - ids)[:20]
    report["extra_count"] = len(indexed - ids)
    report["problem"] = problem
    report["ok"] = not problem and ids == indexed and not stale and report["pending"] == 0
    if repair and not report["ok"]:
        with sync.lock():
            _repair(sync, report, stale, progress)
        after = check(sync, False, None)
        report["repaired"] = after["ok"]
    return report


def _stale(sync: IndexSync, ids: set[int], prints: dict[int, str]) -> list[int]:
    """Indexed papers whose document is not the one the library makes now
    (papers waiting in the queue are not stale: they are on their way)."""
    from readinglist.core.search_schema import document

    queued = {r[0] for r in sync.store.conn.execute("SELECT paper_id FROM index_queue")}
    stale = []
    for part in chunks(sorted(ids - queued), 5000):
        for pid, row in sync.rows(part).items():
            if document(row)["fingerprint"] != prints.get(pid):
                stale.append(pid)
    return sorted(stale)


def _repair(
    sync: IndexSync, report: dict[str, Any], stale: list[int], progress: Progress | None
) -> None:
    from readinglist.core.search import IndexCorrupt

    ix = sync.index()
    broken = report["problem"] or report["missing_count"] or report["extra_count"]
    if stale and not broken:
        # Only some papers' text differs: index them again, not everything.
        with sync.store.write() as wconn:
            wconn.executemany(
                "INSERT INTO index_queue (paper_id) VALUES (?)", [(pid,) for pid in stale]
            )
    try:
        if broken:
            raise IndexCorrupt(report["problem"] or "the index disagrees with the library")
        sync.sync(progress)
    except IndexCorrupt:
        ix.move_aside()
        sync.reindex(progress)
