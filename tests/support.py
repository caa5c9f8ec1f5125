"""Helpers shared by the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPORA = Path(os.environ.get("READINGLIST_CORPORA", ROOT.parent / "shared" / "corpora"))


def corpus(relative: str) -> Path:
    """A file from ../shared/corpora, or skip the test saying why."""
    path = CORPORA / relative
    if not path.exists():
        pytest.skip(f"shared corpus file {relative} not found under {CORPORA} (../shared absent)")
    return path
