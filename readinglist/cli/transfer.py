"""Getting papers in and out: import, arXiv completion, BibTeX export, citation keys."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from readinglist.cli.common import (
    library,
    parse_ids,
    print_enrichment,
    print_json,
    progress_printer,
    say,
)
from readinglist.core.errors import UserError
from readinglist.core.models import IMPORT_FORMATS


@click.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "format_",
    type=click.Choice(list(IMPORT_FORMATS)),
    default="auto",
    show_default=True,
    help="Input format; auto detects it.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--with-revisions",
    is_flag=True,
    help="Also import an arXiv mailing's revised versions of papers not in the library.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Return once the papers are saved; the search index catches up in the background.",
)
@click.pass_context
def import_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    format_: str,
    dry_run: bool,
    with_revisions: bool,
    as_json: bool,
    no_wait: bool,
) -> None:
    """Import listings from FILES (or - for standard input).

    Each file is one transaction: it is imported whole or not at all. The search
    index then catches up (with a progress line on a terminal), unless --no-wait.
    """
    from readinglist.core.search import SearchIndex

    # Opened without its index: the import never waits for a catch-up elsewhere.
    lib = library(ctx, index=False)
    # A first import builds the index: no need to say it was missing.
    fresh = not SearchIndex(lib.folder / "index").exists()
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
                    progress=progress_printer("Importing"),
                    with_revisions=with_revisions,
                )
            else:
                report = lib.import_file(
                    name,
                    format=format_,
                    dry_run=dry_run,
                    progress=progress_printer("Importing"),
                    with_revisions=with_revisions,
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
                print_enrichment(lib.enrich(incomplete, progress=progress_printer("arXiv")))
            except UserError as exc:
                click.echo(f"Note: not completed from arXiv: {exc}", err=True)
    if any(r.added or r.merged for r in reports if not r.dry_run):
        _catch_up(lib, no_wait, fresh)
    if as_json:
        if len(files) == 1 and reports:
            print_json(reports[0].to_json())
        else:
            print_json([r.to_json() for r in reports])
    if failed:
        sys.exit(1)


def _catch_up(lib: Any, no_wait: bool, fresh: bool) -> None:
    """The papers are saved: index them now, or leave it to a detached process."""
    if no_wait:
        from readinglist.core.indexer import start_detached

        pid = start_detached(lib.folder)
        click.echo(f"Note: the search index catches up in the background (process {pid})", err=True)
        return
    from readinglist.core.index_sync import index_behind
    from readinglist.core.search import IndexCorrupt

    try:
        notice = lib.ensure_index(progress_printer("Indexing"))
    except (UserError, OSError, IndexCorrupt) as exc:
        # SQLite holds the papers; the index catches up from its queue later.
        notice = f"the papers are saved, but {index_behind(exc)}"
    if fresh and notice.startswith("the search index was missing"):
        notice = ""
    if lib.index_sync.busy_holder:
        notice = (
            f"{lib.index_sync.busy_holder} is updating the search index; the new papers "
            "are indexed once it is done (the next search catches them up)"
        )
    if notice:
        click.echo(f"Note: {notice}", err=True)


@click.command("enrich")
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
    lib = library(ctx)
    ids = parse_ids((id_list,)) if id_list else None
    papers = lib.enrich_targets(query, ids)
    if not papers:
        click.echo("Nothing to complete: every paper has authors and a year.")
        return
    report = lib.enrich(papers, progress=progress_printer("arXiv"))
    if as_json:
        print_json(report.to_json())
    else:
        print_enrichment(report)


@click.command("export")
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
@click.option(
    "--format",
    "format_",
    type=click.Choice(["bibtex", "biblatex", "csl-json"]),
    default="bibtex",
    show_default=True,
    help="BibTeX (bibtex and natbib), biblatex's types and fields (biber), or "
    "CSL-JSON for Pandoc and Zotero.",
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
    format_: str,
    no_abstract: bool,
    ascii_only: bool,
    with_notes: bool,
) -> None:
    """Write BibTeX (biblatex, CSL-JSON) for a search (QUERY), tags, ids or a status; with no
    filter, everything."""
    lib = library(ctx, index=bool(query))  # without a search, no waiting for the index
    id_list = parse_ids((ids,)) if ids else None
    papers = lib.select(" ".join(query) or None, tags=tags, ids=id_list, status=status)
    if format_ == "csl-json":
        if ascii_only or with_notes:
            raise UserError("--ascii and --with-notes are for BibTeX; CSL-JSON is UTF-8")
        text = lib.export_csl_json(papers, abstract=not no_abstract)
    else:
        text = lib.export_bibtex(
            papers,
            abstract=not no_abstract,
            with_notes=with_notes,
            ascii_only=ascii_only,
            biblatex=format_ == "biblatex",
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
            fd, tmp = tempfile.mkstemp(dir=output.parent or Path("."), suffix=".export.tmp")
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


@click.command("citekey")
@click.argument("paper_id", type=int)
@click.argument("key")
@click.pass_context
def citekey_cmd(ctx: click.Context, paper_id: int, key: str) -> None:
    """Set the citation key of a paper (refused when another paper has it)."""
    say(library(ctx, index=False).set_citekey(paper_id, key))


@click.command("cite")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def cite_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Print \\cite{key1,key2} for papers; their keys count as exported from now on.

    A later import that adds authors or a year then leaves the keys alone, so the
    citation keeps working in your LaTeX document.
    """
    click.echo(library(ctx, index=False).cite(parse_ids(ids)))


COMMANDS = [import_cmd, enrich_cmd, export_cmd, cite_cmd, citekey_cmd]
