"""Looking after the library: the index, the integrity check, settings, the
desktop launcher, backups and restoring."""

from __future__ import annotations

import json
import shlex
import sys

import click

from readinglist.cli.common import library, library_folder, print_json, progress_printer, say
from readinglist.core.errors import UserError


@click.command("reindex")
@click.pass_context
def reindex_cmd(ctx: click.Context) -> None:
    """Rebuild the search index from the library."""
    n = library(ctx).reindex(progress_printer("Indexing"))
    click.echo(f"Indexed {n:,} papers")


@click.command("check")
@click.option("--repair", is_flag=True, help="Make the index agree with the library.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def check_cmd(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Report whether the database and the search index agree (exit 1 if not)."""
    from readinglist.core import backups

    lib = library(ctx, repair_index=False)
    # The database first: comparing a damaged one with the index means nothing,
    # and the way back is a backup, said in one line as a failed open says it.
    integrity = lib.quick_check()
    if integrity != "ok":
        found = "; ".join(integrity.splitlines())
        raise backups.damaged(lib.folder, f"the library database is damaged ({found})")
    report = lib.check(repair=repair, progress=progress_printer("Indexing"))
    report["database"] = integrity
    ok = (report["ok"] or report.get("repaired", False)) and integrity == "ok"
    if as_json:
        print_json(report)
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
        if report["stale_count"]:
            shown = ", ".join(str(i) for i in report["stale"][:10])
            click.echo(
                f"Indexed with other text than the library's: {report['stale_count']:,} "
                f"(papers {shown}{'…' if report['stale_count'] > 10 else ''})"
            )
        if report["ok"]:
            click.echo("Database and index agree.")
        elif "repaired" in report:
            click.echo("Repaired." if report["repaired"] else "Repair failed.")
        else:
            click.echo("They disagree; run `readinglist check --repair`.")
    if not ok:
        sys.exit(1)


@click.command("settings")
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
    lib = library(ctx)
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
    say(lib.set_setting(name, parsed))


@click.command("install-desktop")
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


@click.command("backup")
@click.option("--list", "list_only", is_flag=True, help="List the backups, newest first.")
@click.pass_context
def backup_cmd(ctx: click.Context, list_only: bool) -> None:
    """Back the library database up now (or list the backups).

    Backups are also made once a day when the library opens, before schema
    migrations and before a restore; the newest `backups_keep` (a setting) are kept.
    """
    from readinglist.core import backups

    folder = library_folder(ctx)
    if list_only:
        found = backups.all_backups(folder)
        if not found:
            click.echo(f"No backups yet in {backups.folder_of(folder)}")
        for item in found:
            click.echo(item.describe())
        return
    made = library(ctx, index=False).backup("manual")
    click.echo(f"Backed up to {made.path} ({made.size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("name", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_cmd(ctx: click.Context, name: str | None, yes: bool) -> None:
    """Put a backup back as the library (default: the newest backup).

    The current database is backed up first (or, if damaged, moved aside into the
    backups folder): nothing is overwritten for good. The search index is rebuilt.
    """
    from readinglist.core import backups

    folder = library_folder(ctx)
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
    click.echo(f"Restored {chosen.name}. The previous database is kept as {previous}")
    if previous.name.startswith(backups.KEPT):
        click.echo("  (outside the rotation of old backups: it stays until you delete it).")
    click.echo("The search index is rebuilt the next time it is needed.")


COMMANDS = [
    reindex_cmd,
    check_cmd,
    settings_cmd,
    install_desktop_cmd,
    backup_cmd,
    restore_cmd,
]
