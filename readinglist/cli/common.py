"""What every command shares: the one place errors become one line, opening the
library once per command, and the ways papers and results are printed."""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from readinglist.core import backups
from readinglist.core.errors import LibraryError, UserError
from readinglist.core.latex import readable_text


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


DISK_ERRORS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class Group(click.Group):
    """Turns UserError into one line on stderr and exit status 1, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (UserError, sqlite3.DatabaseError) as exc:
            # Damage met inside the database (it opened: its first pages are fine)
            # gets the message a failed open gives, naming the newest backup. It
            # may come bare from SQLite or inside an error the core worded.
            damage = backups.damage_in(library_folder(ctx), exc)
            if damage is not None:
                fail(str(damage))
            if not isinstance(exc, UserError):
                raise
            fail(str(exc))
        except OSError as exc:
            # Disk trouble the core did not word itself (a full disk, a read-only
            # folder, missing permissions): one clear line, not a traceback. Every
            # write is one SQLite transaction, so nothing half-done is left.
            if exc.errno not in DISK_ERRORS:
                raise
            where = f": {exc.filename}" if exc.filename else ""
            fail(f"{exc.strerror}{where}; nothing was changed")
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was changed by the unfinished command.", err=True)
            sys.exit(130)


def library(ctx: click.Context, repair_index: bool = True, index: bool = True) -> Any:
    """The library, opened once per command. Commands that do not search pass
    ``index=False``: they never wait for the index (a catch-up in another process
    holds it for minutes), and opening a large one costs a second. Their changes
    stay queued and are indexed by the next command that searches, or the app."""
    from readinglist.core.library import Library

    obj = ctx.find_root().obj
    if obj.get("library") is None:
        lib = Library.open(
            obj["path"],
            index=index,
            progress=progress_printer("Indexing"),
            repair_index=repair_index,
        )
        obj["library"] = lib
        ctx.find_root().call_on_close(lib.close)
        if lib.index_notice:
            # Indexing that met damage in the database: say the damage, not that
            # the index is behind (a search would answer from an empty index).
            damage = backups.damage_in(lib.folder, LibraryError(lib.index_notice))
            if damage is not None:
                raise damage
            click.echo(f"Note: {lib.index_notice}", err=True)
        if lib.backup_notice:
            click.echo(f"Warning: {lib.backup_notice}", err=True)
    return obj["library"]


def library_folder(ctx: click.Context) -> Path:
    """The library folder, without opening the library (it may be damaged)."""
    from readinglist.core.library import default_library_dir

    path = (ctx.find_root().obj or {}).get("path")
    return Path(path).expanduser() if path else default_library_dir()


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def parse_ids(values: tuple[str, ...]) -> list[int]:
    ids: list[int] = []
    for value in values:
        for part in value.replace(",", " ").split():
            try:
                ids.append(int(part))
            except ValueError:
                raise click.BadParameter(f"{part!r} is not a paper id (a number)") from None
    return ids


def say(changes: Any) -> None:
    text = changes.description
    click.echo(text[:1].upper() + text[1:])


def paper_line(p: Any) -> str:
    star = "*" if p.starred else " "
    authors = ", ".join(p.authors[:2]) + (" et al." if len(p.authors) > 2 else "")
    year = f" ({p.year})" if p.year else ""
    tags = f"  [{', '.join(p.tags)}]" if p.tags else ""
    who = f" — {authors}" if authors else ""
    title = readable_text(p.title)  # as the window shows it; --json keeps the source
    return f"{p.id:>6} {star} {p.status.value:<9} {title}{who}{year}{tags}"


def progress_printer(label: str) -> Any:
    """Progress on stderr for long jobs, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        click.echo(f"\r{label}: {done:,}/{total:,}", err=True, nl=done >= total)

    return progress


def print_enrichment(report: Any) -> None:
    for pid, title, fields in report.changed:
        click.echo(f"{pid:>6} completed {', '.join(fields)}: {title}")
    for pid, title in report.unchanged:
        click.echo(f"{pid:>6} already complete: {title}")
    for pid, title, reason in report.left_alone:
        click.echo(f"{pid:>6} left alone: {title}\n         {reason}")
    click.echo(f"{report.summary()} ({report.requests} requests to arXiv)")


def print_hits(hits: list[Any], as_json: bool, snippets: bool) -> None:
    from readinglist.core.search import render

    if as_json:
        out = []
        for h in hits:
            item = h.paper.to_json()
            item["score"] = round(h.score, 4)
            if snippets:
                item["snippets"] = {k: render(v, "«", "»") for k, v in h.snippets.items()}
            out.append(item)
        print_json(out)
        return
    for h in hits:
        click.echo(paper_line(h.paper))
        if snippets and h.snippets.get("abstract"):
            text = render(h.snippets["abstract"], click.style("", bold=True)[:-4], "\x1b[0m")
            if not sys.stdout.isatty():
                text = render(h.snippets["abstract"], "[", "]")
            click.echo(f"         {text}")
