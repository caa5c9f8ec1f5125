"""Looking at papers and triaging them: list, show, status, stars, tags, notes,
deletion, undo and redo, and the library's numbers."""

from __future__ import annotations

import sys
from typing import Any

import click

from readinglist.cli.common import library, paper_line, parse_ids, print_json, say
from readinglist.core.latex import readable_text
from readinglist.core.text import revision_label


@click.command("list")
@click.option(
    "--status",
    type=click.Choice(["unread", "queued", "read", "dismissed"]),
    help="Only this status.",
)
@click.option("--tag", help="Only papers with this tag (with --sort interest: most like it).")
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--import", "batch_id", type=int, help="Only papers from this import (see stats).")
@click.option(
    "--sort",
    type=click.Choice(["id", "interest"]),
    default="id",
    show_default=True,
    help="interest: best first, learned from what you kept and dismissed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of papers.")
@click.pass_context
def list_cmd(
    ctx: click.Context,
    status: str | None,
    tag: str | None,
    starred: bool,
    batch_id: int | None,
    sort: str,
    as_json: bool,
) -> None:
    """List papers, ordered by id or by predicted interest."""
    lib = library(ctx, index=False)
    if sort == "interest" and tag:
        # "Most like my tag": the tag is what is learned, so it does not filter.
        papers = lib.list_papers(
            status=status, starred=True if starred else None, batch_id=batch_id
        )
        papers = [p for p in papers if tag.lower() not in (t.lower() for t in p.tags)]
    else:
        papers = lib.list_papers(
            status=status, tag=tag, starred=True if starred else None, batch_id=batch_id
        )
    if sort == "interest":
        _list_by_interest(lib, papers, tag, as_json)
        return
    if as_json:
        print_json([p.to_json() for p in papers])
        return
    for p in papers:
        click.echo(paper_line(p))


def _list_by_interest(lib: Any, papers: list[Any], tag: str | None, as_json: bool) -> None:
    ranked = lib.ranking.rank([p.id for p in papers], tag=tag)
    if not ranked.ranked:
        click.echo(f"Not ranked: {ranked.message}; listed by id.", err=True)
    by_id = {p.id: p for p in papers}
    why = lib.ranking.explain(ranked.order, tag) if as_json and ranked.ranked else {}
    rows = []
    for pid in ranked.order:
        p = by_id[pid]
        row = p.to_json()
        if ranked.ranked:
            row["interest"] = round(ranked.interest.get(pid, 0.0), 4)
            row["serendipity"] = pid in ranked.serendipity
            if as_json:
                row["why"] = why[pid]
        rows.append(row)
        if not as_json:
            mark = ""
            if ranked.ranked:
                mark = f"{row['interest']:.2f}{'~' if row['serendipity'] else ' '} "
            click.echo(mark + paper_line(p))
    if as_json:
        print_json(rows)
    elif ranked.serendipity:
        click.echo(
            "~ a pick from outside the top, so the ranking does not close in on itself", err=True
        )


@click.command("rank")
@click.option("--retrain", is_flag=True, help="Rebuild the features and train the model again.")
@click.option("--tag", help="The model for this tag (papers most like it).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def rank_cmd(ctx: click.Context, retrain: bool, tag: str | None, as_json: bool) -> None:
    """How the interest ranking stands: on how many labels it learned."""
    lib = library(ctx, index=False)
    if retrain:
        report = lib.ranking.retrain(tag)
    else:
        ready = lib.ranking.readiness(tag)
        report = {
            "papers": lib.count(),
            "kept": ready.kept,
            "dismissed": ready.dismissed,
            "trained": ready.ready,
            "message": ready.message,
        }
    if as_json:
        print_json(report)
        return
    what = f"tag {tag}" if tag else "the Inbox"
    if report["trained"]:
        done = "Trained" if retrain else "Ranks"
        click.echo(
            f"{done} {what} on {report['kept']:,} kept and {report['dismissed']:,} dismissed "
            f"papers ({report['papers']:,} papers in the library)."
        )
    else:
        click.echo(f"Not trained: {report['message']}.")


@click.command("show")
@click.argument("paper_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON.")
@click.pass_context
def show_cmd(ctx: click.Context, paper_id: int, as_json: bool) -> None:
    """Show one paper."""
    p = library(ctx, index=False).get(paper_id)
    if as_json:
        print_json(p.to_json())
        return
    # Readable text (ε for $\\varepsilon$); --json gives the stored source.
    click.echo(readable_text(p.title))
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
    if revised := revision_label(p.extra.get("revised")):
        facts.append(revised)
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
        click.echo(readable_text(p.abstract))
    if p.links:
        click.echo("")
        click.echo("Links: " + " ".join(p.links))
    if p.note:
        click.echo("")
        click.echo("Note:")
        click.echo(p.note)


@click.command("mark")
@click.argument("status", type=click.Choice(["unread", "queued", "read", "dismissed"]))
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def mark_cmd(ctx: click.Context, status: str, ids: tuple[str, ...]) -> None:
    """Set the status of papers: unread, queued, read or dismissed."""
    say(library(ctx, index=False).mark(parse_ids(ids), status))


@click.command("star")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def star_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Star papers."""
    say(library(ctx, index=False).set_starred(parse_ids(ids), True))


@click.command("unstar")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def unstar_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Remove the star from papers."""
    say(library(ctx, index=False).set_starred(parse_ids(ids), False))


@click.command("tag")
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
    say(library(ctx, index=False).tag(parse_ids(ids), add=add, remove=remove))


@click.command("note")
@click.argument("paper_id", type=int)
@click.argument("text")
@click.pass_context
def note_cmd(ctx: click.Context, paper_id: int, text: str) -> None:
    """Set the Markdown note of a paper; TEXT - reads it from standard input."""
    if text == "-":
        text = sys.stdin.read()
    say(library(ctx, index=False).set_note(paper_id, text))


@click.command("delete")
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
def delete_cmd(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Delete papers (with their tags and note); `readinglist undo` brings them back."""
    say(library(ctx, index=False).delete(parse_ids(ids)))


_ORIGIN = click.option(
    "--from",
    "origin",
    type=click.Choice(["cli", "app", "any"]),
    default="cli",
    show_default=True,
    help="Whose changes: the command line's, the app's, or anyone's.",
)


@click.command("undo")
@_ORIGIN
@click.pass_context
def undo_cmd(ctx: click.Context, origin: str) -> None:
    """Undo the latest change made from the command line (status, star, tags,
    note, key, import, deletion); fields changed again since are left alone."""
    click.echo(library(ctx, index=False).undo(origin).description)


@click.command("redo")
@_ORIGIN
@click.pass_context
def redo_cmd(ctx: click.Context, origin: str) -> None:
    """Redo the change undone last."""
    click.echo(library(ctx, index=False).redo(origin).description)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.pass_context
def stats_cmd(ctx: click.Context, as_json: bool) -> None:
    """Counts by status, tags and imports, and where the library lives."""
    lib = library(ctx, index=False)
    stats = lib.stats()
    if as_json:
        data = stats.to_json()
        data["library"] = str(lib.folder)
        print_json(data)
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


COMMANDS = [
    list_cmd,
    rank_cmd,
    show_cmd,
    mark_cmd,
    star_cmd,
    unstar_cmd,
    tag_cmd,
    note_cmd,
    delete_cmd,
    undo_cmd,
    redo_cmd,
    stats_cmd,
]
