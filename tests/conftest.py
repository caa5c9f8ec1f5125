"""Shared fixtures: a real library in tmp_path, and the shared corpora."""

from __future__ import annotations

import os

import pytest

# Qt must be told before it is first imported anywhere in the test run.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def library(tmp_path):
    """A library without its search index: changes wait in the index queue."""
    from readinglist.core.library import Library

    lib = Library.open(tmp_path / "lib", index=False)
    yield lib
    lib.close()


@pytest.fixture
def indexed(tmp_path):
    """A library with a real Whoosh index in tmp_path."""
    from readinglist.core.library import Library

    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def _no_user_library(monkeypatch, tmp_path):
    # No test may ever touch the real user data folder.
    monkeypatch.setenv("READINGLIST_LIBRARY", str(tmp_path / "default-lib"))


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server replaying the recorded arXiv API, set as the API address."""
    from arxiv_server import ArxivServer

    with ArxivServer() as srv:
        monkeypatch.setenv("READINGLIST_ARXIV_API", srv.url)
        yield srv
