"""The command line run in-process (click's runner) on a library in tmp_path."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from readinglist.cli import main


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    lib = str(tmp_path / "lib")

    def invoke(*args, input=None):
        return runner.invoke(main, ["--library", lib, *args], input=input, catch_exceptions=False)

    return invoke
