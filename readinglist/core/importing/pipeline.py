"""An import: decode -> parse -> dedup -> decide -> write, in one transaction.

A dry run stops once the import is decided. Re-importing the same text changes
nothing (no papers, no batch). A big listing takes the piecewise path
(pieces.py) when it can.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.core.db import now_iso
from readinglist.core.errors import BadInput
from readinglist.core.importing import rows as writer
from readinglist.core.importing.matching import dedup_within, merge_updates, title_match
from readinglist.core.models import ChangeKind, Changes, ImportReport, PaperDraft, Skipped
from readinglist.core.store import Store
from readinglist.core.text import MAX_IMPORT_BYTES, capped_abstract, decode, strip_controls
from readinglist.core.tuning import Tuning
from readinglist.core.undo import Journal, delta, id_ranges, snapshot

if TYPE_CHECKING:
    from readinglist.core.importing.pieces import Compressor

Progress = Callable[[int, int], None]
Write = Callable[[sqlite3.Connection], list[int]]


class Rollback(Exception):
    """Raised inside a transaction to undo it on purpose (dry runs, no-op imports)."""


def read_file(path: Path) -> bytes:
    """A file's bytes, or BadInput saying in one line why it cannot be imported."""
    try:
        if path.is_dir():
            raise BadInput(f"{path} is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            limit = MAX_IMPORT_BYTES // 1024 // 1024
            raise BadInput(
                f"{path.name} is too large to import ({size / 1024 / 1024:.0f} MB; "
                f"the limit is {limit} MB)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except PermissionError:
        raise BadInput(f"cannot read {path}: permission denied") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder, not a file") from None


class Importer:
    def __init__(self, store: Store, journal: Journal, tuning: Tuning) -> None:
        self.store = store
        self.journal = journal
        self.tuning = tuning

    def import_bytes(
        self,
        data: bytes,
        source: str,
        format: str,
        dry_run: bool,
        progress: Progress | None,
        with_revisions: bool = False,
    ) -> ImportReport:
        notes: list[str] = []
        text = decode(data, name=source, notes=notes)
        report = self.import_text(
            text, source, format, dry_run, progress, with_revisions=with_revisions
        )
        report.warnings[:0] = [Skipped(0, note) for note in notes]
        return report

    def import_text(
        self,
        text: str,
        source: str,
        format: str,
        dry_run: bool,
        progress: Progress | None,
        with_revisions: bool = False,
    ) -> ImportReport:
        """Import a listing in one transaction; raises BadInput when nothing is recognisable."""
        tuning = self.tuning
        text = strip_controls(text)
        # Imported here, not at the top: the parsers and the bulk path's
        # subprocess/pickle are not needed to open the library (cold start).
        from readinglist.core.importers import detect_format
        from readinglist.core.importing.pieces import Compressor

        # A big text is stored zlib-compressed (a third of the bytes to write),
        # compressed in a thread while this one parses (zlib releases the GIL).
        packed = Compressor(text) if len(text) >= tuning.compress_from and not dry_run else None
        done = None
        if not dry_run and len(text) >= tuning.pieces_from and format in ("auto", "listing"):
            # Only into a library smaller than the text's papers: the piecewise
            # import rebuilds the library's indexes (see rows.drop_for_bulk).
            count = self.store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
            if (format == "listing" or detect_format(text) == "listing") and (
                count * tuning.piece_chars_per_paper < len(text)
            ):
                done = self._in_pieces(text, source, packed, progress)
        if done is None:
            done = self._parsed(text, source, format, dry_run, packed, progress, with_revisions)
        report, deferred_checkpoint = done
        if deferred_checkpoint:
            self.store.settle_wal()
        if report.batch_id is not None:
            report.changes = self.journal.committed(
                Changes.of(ChangeKind.IMPORT, report.paper_ids, f"imported {report.source}")
            )
        return report

    def _parsed(
        self,
        text: str,
        source: str,
        format: str,
        dry_run: bool,
        packed: Compressor | None,
        progress: Progress | None,
        with_revisions: bool = False,
    ) -> tuple[ImportReport, bool]:
        """Parse, then decide and write in one transaction; (report, whether the
        commit left the WAL checkpoint to settle_wal)."""
        from readinglist.core.importers import parse

        result = parse(text, format=format, name=source)
        report = ImportReport(
            format=result.format,
            source=source,
            dry_run=dry_run,
            skipped=list(result.skipped),
            warnings=list(result.warnings),
        )
        drafts = dedup_within(result.drafts, report)
        for draft in drafts:
            draft.abstract, cut = capped_abstract(draft.abstract, draft.title)
            if cut:
                report.warnings.append(Skipped(draft.line, cut))
        if progress:
            progress(0, len(drafts))
        return report, self._commit(
            lambda conn: self._write_drafts(conn, drafts, report, progress, with_revisions),
            report,
            text,
            packed,
        )

    def _in_pieces(
        self, text: str, source: str, packed: Compressor | None, progress: Progress | None
    ) -> tuple[ImportReport, bool] | None:
        """A big listing parsed by a child process while this one stores it (see
        store_pieces); None, having changed nothing, when that does not apply."""
        from readinglist.core.importing import pieces

        report = ImportReport(format="listing", source=source, dry_run=False)
        try:
            worker = pieces.ParseWorker(text, self.tuning)
        except OSError:
            return None

        def write(conn: sqlite3.Connection) -> list[int]:
            added = pieces.store_pieces(conn, worker, report, len(text), progress)
            self._record(conn, report, added, [], {})
            return added

        try:
            return report, self._commit(write, report, text, packed)
        except pieces.NotInPieces:
            return None
        finally:
            worker.close()

    def _commit(
        self, write: Write, report: ImportReport, text: str, packed: Compressor | None
    ) -> bool:
        """One transaction: ``write`` the papers and batch, then the raw text. Rolls
        back a dry run or an import that changes nothing. Whether the commit left
        the WAL checkpoint to settle_wal."""
        deferred = False
        try:
            with self.store.write() as conn:
                write(conn)
                if report.dry_run or report.batch_id is None:
                    raise Rollback
                # The raw text last, so that the papers never wait for zlib.
                raw = packed.result() if packed is not None else text
                conn.execute(writer.INSERT_TEXT, [report.batch_id, raw])
                deferred = report.added + report.merged >= self.tuning.bulk_rows
                if deferred:
                    # Copying the WAL into the database file, about 1 s for
                    # 100,000 papers, is done by a thread of its own.
                    self.store.defer_checkpoint()
        except Rollback:
            report.batch_id = None
        finally:
            if deferred:
                self.store.resume_checkpoints()
        return deferred

    def _write_drafts(
        self,
        conn: sqlite3.Connection,
        drafts: list[PaperDraft],
        report: ImportReport,
        progress: Progress | None,
        with_revisions: bool = False,
    ) -> list[int]:
        """Write the drafts and their batch; leaves report.batch_id None when
        nothing changes. The caller stores the batch's raw text. A revision (an
        arXiv mailing's "replaced with revised version" entry: no abstract) of a
        paper not in the library is left out unless ``with_revisions``: 434 of the
        1,141 entries of a real mailing would flood the Inbox as new papers."""
        now = now_iso()
        by_arxiv: dict[str, int] = {}
        by_doi: dict[str, int] = {}
        by_title: dict[str, list[int]] = {}
        taken: set[str] = set()
        for pid, aid, doi, tkey, ckey in conn.execute(
            "SELECT id, arxiv_id, doi, title_key, citekey FROM papers"
        ):
            if aid:
                by_arxiv[aid] = pid
            if doi:
                by_doi[doi.lower()] = pid
            by_title.setdefault(tkey, []).append(pid)
            if ckey:
                taken.add(ckey.lower())

        # Decide everything first (reads only), so an import that changes
        # nothing writes nothing, not even its batch.
        new_drafts: list[PaperDraft] = []
        updates: dict[int, dict[str, Any]] = {}
        unchanged_ids: list[int] = []
        seen: set[int] = set()
        for draft in drafts:
            pid = by_arxiv.get(draft.arxiv_id or "") or by_doi.get((draft.doi or "").lower())
            if pid is None and draft.title_key:
                pid = title_match(conn, by_title.get(draft.title_key, []), draft)
            if pid is None and draft.extra.get("revised") and not with_revisions:
                report.revisions_left_out += 1
            elif pid is None:
                new_drafts.append(draft)
            elif pid not in seen:
                seen.add(pid)
                change = merge_updates(conn, pid, draft)
                if change:
                    updates[pid] = change
                else:
                    unchanged_ids.append(pid)
        report.unchanged = len(unchanged_ids)
        if report.revisions_left_out:
            n = report.revisions_left_out
            report.warnings.append(
                Skipped(
                    0,
                    f"{n:,} revision{'s' if n > 1 else ''} of papers not in your library, "
                    "not imported; --with-revisions imports them",
                )
            )
        if not new_drafts and not updates:
            report.batch_id = None
            return []
        if report.dry_run:
            # What the import would do is decided: no need to write it and roll
            # back (the app's preview of a 150 MB listing took as long as the import).
            report.added, report.merged = len(new_drafts), len(updates)
            return []
        report.batch_id = batch_id = writer.add_batch(conn, report.source, report.format)

        bulk = len(new_drafts) >= self.tuning.bulk_rows and len(new_drafts) > len(seen) + len(
            by_title
        )
        rebuild = writer.drop_for_bulk(conn) if bulk else []
        last_id = writer.last_id(conn)
        with writer.unchecked(conn):
            chunk = 10_000  # between chunks, a progress callback (the app's events)
            for start in range(0, len(new_drafts), chunk):
                rows = writer.new_rows(new_drafts[start : start + chunk], taken, now, batch_id)
                conn.executemany(writer.INSERT_PAPER, rows)
                if progress:
                    progress(min(start + chunk, len(new_drafts)), len(new_drafts))
        # Ids are consecutive: one writer holds the lock and ids are max+1.
        added_ids = list(range(last_id + 1, last_id + 1 + len(new_drafts)))
        if bulk:
            writer.queue_and_rebuild(conn, last_id, rebuild)

        merged_before = snapshot(conn, list(updates))
        writer.apply_merges(conn, updates, taken, batch_id)
        conn.executemany(
            "INSERT OR IGNORE INTO paper_batches (paper_id, batch_id, how) "
            "VALUES (?, ?, 'unchanged')",
            [(pid, batch_id) for pid in unchanged_ids],
        )
        self._record(conn, report, added_ids, list(updates), merged_before)
        return added_ids

    def _record(
        self,
        conn: sqlite3.Connection,
        report: ImportReport,
        added_ids: list[int],
        merged_ids: list[int],
        merged_before: dict[int, Any],
    ) -> None:
        """The report's counts, the undo step and the batch's summary."""
        report.added = len(added_ids)
        report.merged = len(merged_ids)
        report.paper_ids = added_ids + merged_ids
        # One undo step for the whole import: the new papers as a range of ids,
        # the merged ones as the fields they gained.
        step = delta(merged_before, snapshot(conn, merged_ids))
        step["created"] = id_ranges(added_ids)
        description = f"imported {report.source} ({report.summary()})"
        self.journal.record(conn, ChangeKind.IMPORT, description, report.paper_ids, step)
        conn.execute(
            "UPDATE batches SET format = ?, added = ?, merged = ?, unchanged = ?, skipped = ?, "
            "report = ? WHERE id = ?",
            [
                report.format,
                report.added,
                report.merged,
                report.unchanged,
                len(report.skipped),
                json.dumps(report.to_json(), ensure_ascii=False),
                report.batch_id,
            ],
        )
