"""The command line: parse arguments, open the Library, call one method, print.

Nothing here imports Qt; the desktop app is imported only when it is opened,
so scripting commands start fast.
"""

from __future__ import annotations

import errno
import json
import shlex
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from readinglist import __version__
from readinglist.core.errors import UserError


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


_DISK_ERRORS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class _Group(click.Group):
    """Turns UserError into one line on stderr and exit status 1, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            _fail(str(exc))
        except OSError as exc:
            # Disk trouble the core did not word itself (a full disk, a read-only
            # folder, missing permissions): one clear line, not a traceback. Every
            # write is one SQLite transaction, so nothing half-done is left.
            if exc.errno not in _DISK_ERRORS:
                raise
            where = f": {exc.filename}" if exc.filename else ""
            _fail(f"{exc.strerror}{where}; nothing was changed")
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was changed by the unfinished command.", err=True)
            sys.exit(130)


def _library(ctx: click.Context, repair_index: bool = True, index: bool = True) -> Any:
    """The library, opened once per command. Commands that only read the database
    pass ``index=False``: opening and probing a large search index costs a second
    (changes still queued are indexed by the next command that opens it)."""
    from readinglist.core.library import Library

    obj = ctx.find_root().obj
    if obj.get("library") is None:
        lib = Library.open(
            obj["path"],
            index=index,
            progress=_progress_printer("Indexing"),
            repair_index=repair_index,
        )
        obj["library"] = lib
        ctx.find_root().call_on_close(lib.close)
        if lib.index_notice:
            click.echo(f"Note: {lib.index_notice}", err=True)
        if lib.backup_notice:
            click.echo(f"Warning: {lib.backup_notice}", err=True)
    return obj["library"]


def _folder(ctx: click.Context) -> Path:
    """The library folder, without opening the library (it may be damaged)."""
    from readinglist.core.library import default_library_dir

    path = ctx.find_root().obj["path"]
    return Path(path).expanduser() if path else default_library_dir()


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _parse_ids(values: tuple[str, ...]) -> list[int]:
    ids: list[int] = []
    for value in values:
        for part in value.replace(",", " ").split():
            try:
                ids.append(int(part))
            except ValueError:
                raise click.BadParameter(f"{part!r} is not a paper id (a number)") from None
    return ids


@click.group(cls=_Group, invoke_without_command=True)
@click.option(
    "--library",
    "library_path",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="READINGLIST_LIBRARY",
    help="Library folder (default: the platform's user data folder; or set READINGLIST_LIBRARY).",
)
@click.version_option(__version__, prog_name="readinglist")
@click.pass_context
def main(ctx: click.Context, library_path: Path | None) -> None:
    """Readinglist: import paper listings, search, triage and export BibTeX.

    With no command, opens the desktop app.
    """
    ctx.obj = {"path": library_path, "library": None}
    if ctx.invoked_subcommand is None:
        try:
            from readinglist.gui import app as gui_app  # Qt is imported only here
        except ImportError as exc:
            click.echo(ctx.get_help())
            click.echo(f"\n(The desktop app cannot start: {exc})", err=True)
            return
        sys.exit(gui_app.run_app(library_path))


@main.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", "listing", "arxiv", "bibtex", "ris", "atom"]),
    default="auto",
    show_default=True,
    help="Input format; auto detects it.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def import_cmd(
    ctx: click.Context, files: tuple[str, ...], format_: str, dry_run: bool, as_json: bool
) -> None:
    """Import listings from FILES (or - for standard input).

    Each file is one transaction: it is imported whole or not at all.
    """
    lib = _library(ctx)
    reports = []
    failed = False
    for name in files:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
                report = lib.import_bytes(
                    data,
                    source="stdin",
                    format=format_,
                    dry_run=dry_run,
                    progress=_progress_printer("Importing"),
                )
            else:
                report = lib.import_file(
                    name, format=format_, dry_run=dry_run, progress=_progress_printer("Importing")
                )
        except UserError as exc:
            if len(files) == 1:
                raise
            click.echo(f"Error: {name}: {exc}", err=True)
            failed = True
            continue
        reports.append(report)
        if not as_json:
            click.echo(f"{report.source}: {report.summary()} (format: {report.format})")
            for item in report.skipped:
                click.echo(f"  skipped {item}", err=True)
            for item in report.warnings:
                click.echo(f"  warning {item}", err=True)
        incomplete = lib.to_complete_after_import(report)
        if incomplete:
            # A failing network must not fail the import that already landed.
            try:
                _print_enrichment(lib.enrich(incomplete, progress=_progress_printer("arXiv")))
            except UserError as exc:
                click.echo(f"Note: not completed from arXiv: {exc}", err=True)
    if as_json:
        if len(files) == 1 and reports:
            _print_json(reports[0].to_json())
        else:
            _print_json([r.to_json() for r in reports])
    if failed:
        sys.exit(1)


def _say(changes: Any) -> None:
    text = changes.description
    click.echo(text[:1].upper() + text[1:])


def _paper_line(p: Any) -> str:
    star = "*" if p.starred else " "
    authors = ", ".join(p.authors[:2]) + (" et al." if len(p.authors) > 2 else "")
    year = f" ({p.year})" if p.year else ""
    tags = f"  [{', '.join(p.tags)}]" if p.tags else ""
    who = f" — {authors}" if authors else ""
    return f"{p.id:>6} {star} {p.status.value:<9} {p.title}{who}{year}{tags}"


def _print_enrichment(report: Any) -> None:
    for pid, title, fields in report.changed:
        click.echo(f"{pid:>6} completed {', '.join(fields)}: {title}")
    for pid, title in report.unchanged:
        click.echo(f"{pid:>6} already complete: {title}")
    for pid, title, reason in report.left_alone:
        click.echo(f"{pid:>6} left alone: {title}\n         {reason}")
    click.echo(f"{report.summary()} ({report.requests} requests to arXiv)")


@main.command("enrich")
@click.argument("query", required=False)
@click.option("--ids", "id_list", help="Comma-separated paper ids to complete.")
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@click.pass_context
def enrich_cmd(ctx: click.Context, query: str | None, id_list: str | None, as_json: bool) -> None:
    """Complete papers from arXiv: authors, year, ids, categories, DOI, links.

    With no QUERY or --ids: every paper missing authors or year. Papers with an
    arXiv id are fetched by id; others are searched by exact title and completed
    only when the titles are equal and the abstracts agree. Empty fields are
    filled, nothing you set is overwritten, and `readinglist undo` takes the run
    back. One request every 3 seconds; answers are cached for a week.
    """
    lib = _library(ctx)
    ids = _parse_ids((id_list,)) if id_list else None
    papers = lib.enrich_targets(query, ids)
    if not papers:
        click.echo("Nothing to complete: every paper has authors and a year.")
        return
    report = lib.enrich(papers, progress=_progress_printer("arXiv"))
    if as_json:
        _print_json(report.to_json())
    else:
        _print_enrichment(report)


@main.command("list")
@click.option(
    "--status",
    type=click.Choice(["unread", "queued", "read", "dismissed"]),
    help="Only this status.",
)
@click.option("--tag", help="Only papers with this tag.")
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--import", "batch_id", type=int, help="Only papers from this import (see stats).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of papers.")
@click.pass_context
def list_cmd(
    ctx: click.Context,
    status: str | None,
    tag: str | None,
    starred: bool,
    batch_id: int | None,
    as_json: bool,
) -> None:
    """List papers, ordered by id."""
    papers = _library(ctx, index=False).list_papers(
        status=status, tag=tag, starred=True if starred else None, batch_id=batch_id
    )
    if as_json:
        _print_json([p.to_json() for p in papers])
        return
    for p in papers:
        click.echo(_paper_line(p))


@main.command("show")
@click.argument("paper_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON.")
@click.pass_context
def show_cmd(ctx: click.Context, paper_id: int, as_json: bool) -> None:
    """Show one paper."""
    p = _library(ctx, index=False).get(paper_id)
    if as_json:
        _print_json(p.to_json())
        return
    click.echo(p.title)
    if p.authors:
        click.echo(", ".join(p.authors))
    facts = [f"id {p.id}", p.status.value]
    if p.starred:
        facts.append("starred")
    if p.year:
        facts.append(str(p.year))
    if p.arxiv_id:
        facts.append(f"arXiv:{p.arxiv_id}")
    if p.doi:
        facts.append(f"doi:{p.doi}")
    if p.citekey:
        facts.append(f"key {p.citekey}")
    click.echo(" · ".join(facts))
    if p.url:
        click.echo(p.url)
    if p.tags:
        click.echo("Tags: " + ", ".join(p.tags))
    if p.categories:
        click.echo("Categories: " + " ".join(p.categories))
    if p.comments:
        click.echo("Comments: " + p.comments)
    if p.journal_ref:
        click.echo("Journal-ref: " + p.journal_ref)
    if p.abstract:
        click.echo("")
        click.echo(p.abstract)
    if p.links:
        click.echo("")
        click.echo("Links: " + " ".join(p.links))
    if p.note:
        click.echo("")
        click.echo("Note:")
        click.echo(p.note)


@main.command("mark")
@click.argument("status", type=click.Choice(["unread", "queued", "read", "dismissed"]))
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def mark_cmd(ctx: click.Context, status: str, ids: tuple[str, ...]) -> None:
    """Set the status of papers: unread, queued, read or dismissed."""
    _say(_library(ctx).mark(_parse_ids(ids), status))


@main.command("star")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def star_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Star papers."""
    _say(_library(ctx).set_starred(_parse_ids(ids), True))


@main.command("unstar")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def unstar_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Remove the star from papers."""
    _say(_library(ctx).set_starred(_parse_ids(ids), False))


@main.command("tag")
@click.argument("ids", nargs=-1, required=True)
@click.option("--add", "-a", "add", multiple=True, help="Tag to add (repeatable).")
@click.option("--remove", "-r", "remove", multiple=True, help="Tag to remove (repeatable).")
@click.pass_context
def tag_cmd(
    ctx: click.Context, ids: tuple[str, ...], add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Add or remove tags on papers."""
    if not add and not remove:
        raise click.UsageError("give at least one --add or --remove")
    _say(_library(ctx).tag(_parse_ids(ids), add=add, remove=remove))


@main.command("note")
@click.argument("paper_id", type=int)
@click.argument("text")
@click.pass_context
def note_cmd(ctx: click.Context, paper_id: int, text: str) -> None:
    """Set the Markdown note of a paper; TEXT - reads it from standard input."""
    if text == "-":
        text = sys.stdin.read()
    _say(_library(ctx).set_note(paper_id, text))


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.pass_context
def stats_cmd(ctx: click.Context, as_json: bool) -> None:
    """Counts by status, tags and imports, and where the library lives."""
    lib = _library(ctx, index=False)
    stats = lib.stats()
    if as_json:
        data = stats.to_json()
        data["library"] = str(lib.folder)
        _print_json(data)
        return
    click.echo(f"Library: {lib.folder}")
    click.echo(f"{stats.total:,} papers")
    for status, n in stats.by_status.items():
        click.echo(f"  {status:<10}{n:>8,}")
    click.echo(f"  {'starred':<10}{stats.starred:>8,}")
    click.echo(f"{stats.tags:,} tags, {stats.batches:,} imports")
    for b in lib.batches()[:10]:
        click.echo(
            f"  import {b['id']}: {b['created_at']} {b['source']} ({b['format']}): "
            f"{b['added']} added, {b['merged']} merged"
        )


def _progress_printer(label: str) -> Any:
    """Progress on stderr for long jobs, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        click.echo(f"\r{label}: {done:,}/{total:,}", err=True, nl=done >= total)

    return progress


def _print_hits(hits: list[Any], as_json: bool, snippets: bool) -> None:
    from readinglist.core.search import render

    if as_json:
        out = []
        for h in hits:
            item = h.paper.to_json()
            item["score"] = round(h.score, 4)
            if snippets:
                item["snippets"] = {k: render(v, "«", "»") for k, v in h.snippets.items()}
            out.append(item)
        _print_json(out)
        return
    for h in hits:
        click.echo(_paper_line(h.paper))
        if snippets and h.snippets.get("abstract"):
            text = render(h.snippets["abstract"], click.style("", bold=True)[:-4], "\x1b[0m")
            if not sys.stdout.isatty():
                text = render(h.snippets["abstract"], "[", "]")
            click.echo(f"         {text}")


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=int, default=20, show_default=True, help="At most N results.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print paper objects with a score, best first."
)
@click.option("--snippets", is_flag=True, help="Show the matching words in context.")
@click.pass_context
def search_cmd(
    ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool, snippets: bool
) -> None:
    """Search titles, abstracts, authors, tags and notes (see README: query language)."""
    outcome = _library(ctx).search(" ".join(query), limit=limit, snippets=snippets)
    if outcome.notice:
        click.echo(f"Note: {outcome.notice}", err=True)
    _print_hits(outcome.hits, as_json, snippets)
    if not as_json:
        click.echo(f"{outcome.total:,} match{'es' if outcome.total != 1 else ''}", err=True)


@main.command("similar")
@click.argument("paper_id", type=int)
@click.option("--limit", "-n", type=int, default=10, show_default=True, help="At most N papers.")
@click.option("--json", "as_json", is_flag=True, help="Print paper objects with a score.")
@click.pass_context
def similar_cmd(ctx: click.Context, paper_id: int, limit: int, as_json: bool) -> None:
    """Papers most like paper ID, by title and abstract."""
    _print_hits(_library(ctx).similar(paper_id, limit=limit), as_json, False)


@main.command("reindex")
@click.pass_context
def reindex_cmd(ctx: click.Context) -> None:
    """Rebuild the search index from the library."""
    n = _library(ctx).reindex(_progress_printer("Indexing"))
    click.echo(f"Indexed {n:,} papers")


@main.command("check")
@click.option("--repair", is_flag=True, help="Make the index agree with the library.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def check_cmd(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Report whether the database and the search index agree (exit 1 if not)."""
    lib = _library(ctx, repair_index=False)
    report = lib.check(repair=repair, progress=_progress_printer("Indexing"))
    integrity = lib.quick_check()
    report["database"] = integrity
    ok = (report["ok"] or report.get("repaired", False)) and integrity == "ok"
    if as_json:
        _print_json(report)
    else:
        click.echo(f"Database: {integrity}")
        click.echo(
            f"Papers: {report['papers']:,}; indexed: {report['indexed']:,}; "
            f"waiting to be indexed: {report['pending']:,}"
        )
        if report["problem"]:
            click.echo(f"Problem: {report['problem']}")
        if report["missing_count"]:
            click.echo(f"Missing from the index: {report['missing_count']:,}")
        if report["extra_count"]:
            click.echo(f"In the index but not the library: {report['extra_count']:,}")
        if report["ok"]:
            click.echo("Database and index agree.")
        elif "repaired" in report:
            click.echo("Repaired." if report["repaired"] else "Repair failed.")
        else:
            click.echo("They disagree; run `readinglist check --repair`.")
    if not ok:
        sys.exit(1)


@main.group("saved")
def saved_group() -> None:
    """Saved searches: add, list, run, remove."""


@saved_group.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.pass_context
def saved_add(ctx: click.Context, name: str, query: tuple[str, ...]) -> None:
    """Save QUERY under NAME (replacing a search of that name)."""
    _say(_library(ctx).save_search(name, " ".join(query)))


@saved_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print name/query objects.")
@click.pass_context
def saved_list(ctx: click.Context, as_json: bool) -> None:
    """List saved searches."""
    items = _library(ctx).saved_searches()
    if as_json:
        _print_json([{"name": n, "query": q} for n, q in items])
        return
    for name, q in items:
        click.echo(f"{name}\t{q}")


@saved_group.command("run")
@click.argument("name")
@click.option("--limit", "-n", type=int, default=20, show_default=True, help="At most N results.")
@click.option("--json", "as_json", is_flag=True, help="Print paper objects with a score.")
@click.pass_context
def saved_run(ctx: click.Context, name: str, limit: int, as_json: bool) -> None:
    """Run the saved search NAME."""
    lib = _library(ctx)
    outcome = lib.search(lib.saved_search(name), limit=limit)
    if outcome.notice:
        click.echo(f"Note: {outcome.notice}", err=True)
    _print_hits(outcome.hits, as_json, False)


@saved_group.command("remove")
@click.argument("name")
@click.pass_context
def saved_remove(ctx: click.Context, name: str) -> None:
    """Delete the saved search NAME."""
    _say(_library(ctx).remove_saved_search(name))


@main.command("export")
@click.argument("query", nargs=-1)
@click.option(
    "--tag", "tags", multiple=True, help="Papers with this tag (repeatable: any of them)."
)
@click.option("--ids", help="Comma-separated paper ids.")
@click.option(
    "--status",
    type=click.Choice(["unread", "queued", "read", "dismissed"]),
    help="Only this status.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option("--no-abstract", is_flag=True, help="Leave abstracts out.")
@click.option(
    "--ascii", "ascii_only", is_flag=True, help="Write non-ASCII letters as LaTeX escapes."
)
@click.option(
    "--with-notes",
    is_flag=True,
    help="Add keywords (tags), readstatus and annote (the note), as JabRef reads them.",
)
@click.pass_context
def export_cmd(
    ctx: click.Context,
    query: tuple[str, ...],
    tags: tuple[str, ...],
    ids: str | None,
    status: str | None,
    output: Path | None,
    no_abstract: bool,
    ascii_only: bool,
    with_notes: bool,
) -> None:
    """Write BibTeX for a search (QUERY), tags, ids or a status; with no filter, everything."""
    lib = _library(ctx)
    id_list = _parse_ids((ids,)) if ids else None
    papers = lib.select(" ".join(query) or None, tags=tags, ids=id_list, status=status)
    text = lib.export_bibtex(
        papers, abstract=not no_abstract, with_notes=with_notes, ascii_only=ascii_only
    )
    if ascii_only and not text.isascii():
        odd = sorted({c for c in text if ord(c) > 127})
        click.echo(
            f"Warning: {len(odd)} characters have no LaTeX form and were kept as UTF-8: "
            + "".join(odd[:20]),
            err=True,
        )
    if output is None:
        click.echo(text, nl=False)
    else:
        import os
        import tempfile

        # Write beside the target and rename: an interrupted export never leaves
        # half a .bib file where a LaTeX build will read it.
        output = output.expanduser()
        try:
            fd, tmp = tempfile.mkstemp(dir=output.parent or Path("."), suffix=".bib.tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.replace(tmp, output)
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror}") from exc
    click.echo(
        f"Exported {len(papers):,} entr{'y' if len(papers) == 1 else 'ies'}"
        + (f" to {output}" if output else ""),
        err=True,
    )


@main.command("citekey")
@click.argument("paper_id", type=int)
@click.argument("key")
@click.pass_context
def citekey_cmd(ctx: click.Context, paper_id: int, key: str) -> None:
    """Set the citation key of a paper (refused when another paper has it)."""
    _say(_library(ctx).set_citekey(paper_id, key))


@main.command("undo")
@click.pass_context
def undo_cmd(ctx: click.Context) -> None:
    """Undo the latest change (status, star, tags, note, key, import, deletion)."""
    click.echo(_library(ctx).undo().description)


@main.command("redo")
@click.pass_context
def redo_cmd(ctx: click.Context) -> None:
    """Redo the change undone last."""
    click.echo(_library(ctx).redo().description)


@main.command("settings")
@click.argument("name", required=False)
@click.argument("value", required=False)
@click.option("--keys", is_flag=True, help="List the app's keyboard action ids and default keys.")
@click.pass_context
def settings_cmd(ctx: click.Context, name: str | None, value: str | None, keys: bool) -> None:
    """Show settings, or set NAME to VALUE (JSON), e.g. keymap '{"triage.read": ["E"]}'."""
    from readinglist.core.settings import SETTINGS

    if keys:
        from readinglist.gui.actions import ACTIONS  # the table itself; no window is opened

        for action in ACTIONS:
            click.echo(f"{action.id:<22} {' / '.join(action.keys):<18} {action.label}")
        return
    lib = _library(ctx)
    if name is None:
        for setting in SETTINGS.values():
            click.echo(f"{setting.name} = {json.dumps(lib.setting(setting.name))}")
            click.echo(f"    {setting.help}")
        return
    if value is None:
        click.echo(json.dumps(lib.setting(name)))
        return
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise UserError(f"the value must be JSON: {exc}") from None
    _say(lib.set_setting(name, parsed))


@main.command("install-desktop")
@click.option("--uninstall", is_flag=True, help="Remove the launcher entry and icons again.")
def install_desktop_cmd(uninstall: bool) -> None:
    """Add Readinglist to the desktop's launcher (Linux and other freedesktop systems).

    Installs the .desktop file, icons and AppStream metainfo into $XDG_DATA_HOME
    (default ~/.local/share), so the app appears among your applications and .bib
    and .ris files can be opened with it.
    """
    from readinglist import desktop

    if uninstall:
        removed = desktop.uninstall()
        click.echo(f"Removed {len(removed)} files from {desktop.data_home()}")
        return
    command = desktop.gui_command()
    written = desktop.install(command=command)
    click.echo(f"Installed {len(written)} files into {desktop.data_home()}")
    click.echo(f"  launcher: {written[0]}")
    click.echo(f"  starts:   {shlex.join(command)}")


@main.command("backup")
@click.option("--list", "list_only", is_flag=True, help="List the backups, newest first.")
@click.pass_context
def backup_cmd(ctx: click.Context, list_only: bool) -> None:
    """Back the library database up now (or list the backups).

    Backups are also made once a day when the library opens, before schema
    migrations and before a restore; the newest `backups_keep` (a setting) are kept.
    """
    from readinglist.core import backups

    folder = _folder(ctx)
    if list_only:
        found = backups.list_backups(folder)
        if not found:
            click.echo(f"No backups yet in {backups.folder_of(folder)}")
        for item in found:
            click.echo(item.describe())
        return
    made = _library(ctx, index=False).backup("manual")
    click.echo(f"Backed up to {made.path} ({made.size / 1e6:.1f} MB)")


@main.command("restore")
@click.argument("name", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_cmd(ctx: click.Context, name: str | None, yes: bool) -> None:
    """Put a backup back as the library (default: the newest backup).

    The current database is backed up first (or, if damaged, moved aside into the
    backups folder): nothing is overwritten for good. The search index is rebuilt.
    """
    from readinglist.core import backups

    folder = _folder(ctx)
    if backups.app_is_open(folder):
        raise UserError("the app has this library open; close it first, then restore")
    chosen = backups.find(folder, name)
    if not yes:
        click.confirm(
            f"Restore {chosen.describe()}?\nThe current library is kept as a backup.",
            abort=True,
            err=True,
        )
    previous = backups.restore(folder, chosen)
    click.echo(f"Restored {chosen.name}. The previous database is kept as {previous}.")
    click.echo("The search index is rebuilt the next time it is needed.")


@main.command("delete")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def delete_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Delete papers (with their tags and note); `readinglist undo` brings them back."""
    _say(_library(ctx).delete(_parse_ids(ids)))
