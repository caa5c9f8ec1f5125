"""Searching: ranked search, similar papers, saved searches."""

from __future__ import annotations

import sys
from typing import Any

import click

from readinglist.cli.common import library, print_hits, print_json, say


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=int, default=20, show_default=True, help="At most N results.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print paper objects with a score, best first."
)
@click.option("--snippets", is_flag=True, help="Show the matching words in context.")
@click.option(
    "--wait",
    is_flag=True,
    help="If another process is updating the index, wait for it (see --wait-limit) "
    "instead of searching the index as it is.",
)
@click.option(
    "--wait-limit",
    type=float,
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="How long --wait waits at most.",
)
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: tuple[str, ...],
    limit: int,
    as_json: bool,
    snippets: bool,
    wait: bool,
    wait_limit: float,
) -> None:
    """Search titles, abstracts, authors, tags and notes (see README: query language)."""
    if wait:
        lib = library(ctx, index=False)
        tick = _waiting_line()
        lib.index_sync.wait_and_ensure(wait_limit, tick)
        if tick.printed:
            click.echo("", err=True)  # end the waiting line
    else:
        lib = library(ctx)
    outcome = lib.search(" ".join(query), limit=limit, snippets=snippets)
    if outcome.notice:
        click.echo(f"Note: {outcome.notice}", err=True)
    print_hits(outcome.hits, as_json, snippets)
    if not as_json:
        click.echo(f"{outcome.total:,} match{'es' if outcome.total != 1 else ''}", err=True)


def _waiting_line() -> Any:
    """A line on stderr counting the wait (rewritten in place on a terminal)."""
    tty = sys.stderr.isatty()

    def tick(waited: float, holder: str) -> None:
        tick.printed = tty  # type: ignore[attr-defined]
        if tty:
            click.echo(
                f"\rWaiting for {holder} to finish updating the index: {waited:.0f} s",
                err=True,
                nl=False,
            )
        elif int(waited) % 10 == 0:
            click.echo(
                f"Waiting for {holder} to finish updating the index: {waited:.0f} s", err=True
            )

    tick.printed = False  # type: ignore[attr-defined]
    return tick


@click.command("similar")
@click.argument("paper_id", type=int)
@click.option("--limit", "-n", type=int, default=10, show_default=True, help="At most N papers.")
@click.option("--json", "as_json", is_flag=True, help="Print paper objects with a score.")
@click.pass_context
def similar_cmd(ctx: click.Context, paper_id: int, limit: int, as_json: bool) -> None:
    """Papers most like paper ID, by title and abstract."""
    print_hits(library(ctx).similar(paper_id, limit=limit), as_json, False)


@click.group("saved")
def saved_group() -> None:
    """Saved searches: add, list, run, remove."""


@saved_group.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.pass_context
def saved_add(ctx: click.Context, name: str, query: tuple[str, ...]) -> None:
    """Save QUERY under NAME (replacing a search of that name)."""
    say(library(ctx, index=False).save_search(name, " ".join(query)))


@saved_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print name/query objects.")
@click.pass_context
def saved_list(ctx: click.Context, as_json: bool) -> None:
    """List saved searches."""
    items = library(ctx, index=False).saved_searches()
    if as_json:
        print_json([{"name": n, "query": q} for n, q in items])
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
    lib = library(ctx)
    outcome = lib.search(lib.saved_search(name), limit=limit)
    if outcome.notice:
        click.echo(f"Note: {outcome.notice}", err=True)
    print_hits(outcome.hits, as_json, False)


@saved_group.command("remove")
@click.argument("name")
@click.pass_context
def saved_remove(ctx: click.Context, name: str) -> None:
    """Delete the saved search NAME."""
    say(library(ctx, index=False).remove_saved_search(name))


COMMANDS = [search_cmd, similar_cmd, saved_group]
