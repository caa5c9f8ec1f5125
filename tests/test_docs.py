"""The README documents every command and option, and its quick start is what CI runs."""

from __future__ import annotations

import re

from readinglist.cli import main

from support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_and_option_is_documented():
    for name, command in main.commands.items():
        assert f"readinglist {name}" in README or f"readinglist [--library DIR] {name}" in README, (
            name
        )
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{name} {opt} is not in the README"


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    block = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", block, re.S)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci


def test_readme_has_measured_figures():
    assert "BENCH_TABLE" not in README
