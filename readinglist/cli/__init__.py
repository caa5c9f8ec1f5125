"""The command line: parse arguments, open the Library, call one method, print.

Nothing here imports Qt; the desktop app is imported only when it is opened,
so scripting commands start fast. The commands live in the modules beside this
one, grouped by what they are for; errors become one line in ``common.Group``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readinglist import __version__
from readinglist.cli import maintenance, searching, transfer, triage
from readinglist.cli.common import Group


@click.group(cls=Group, invoke_without_command=True)
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
        from readinglist.gui import start

        try:
            run_app = start.app_runner()  # Qt is imported only here
        except ImportError as exc:
            click.echo(ctx.get_help())
            click.echo(f"\n(The desktop app cannot start: {exc})", err=True)
            return
        sys.exit(run_app(library_path))


for _module in (transfer, triage, searching, maintenance):
    for _command in _module.COMMANDS:
        main.add_command(_command)
