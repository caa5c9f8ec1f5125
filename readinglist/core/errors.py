"""Errors a person can act on.

The CLI turns any UserError into one line on stderr and exit status 1; the GUI
shows it in a dialog or the status bar. Anything else is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input or state the user controls; its text is shown as is."""


class BadInput(UserError):
    """The text or file given to import cannot be read as papers."""


class UnknownPaper(UserError):
    def __init__(self, paper_id: object) -> None:
        super().__init__(f"no paper with id {paper_id}")
        self.paper_id = paper_id


class LibraryError(UserError):
    """The library folder or database cannot be opened or written."""


class DamagedLibrary(LibraryError):
    """The database file is damaged; ``backup`` is the newest backup, if any."""

    def __init__(self, message: str, backup: object | None = None) -> None:
        super().__init__(message)
        self.backup = backup
