"""Plain data passed between the importers, the Library and the front ends."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

# Private-use characters around the matched words in highlighted text: they never
# occur in paper text, and each front end turns them into its own markup.
MARK_START = "\ue000"
MARK_END = "\ue001"


class Status(str, enum.Enum):
    UNREAD = "unread"
    QUEUED = "queued"
    READ = "read"
    DISMISSED = "dismissed"

    @classmethod
    def parse(cls, value: str) -> Status:
        try:
            return cls(value.strip().lower())
        except ValueError:
            from readinglist.core.errors import UserError

            names = ", ".join(s.value for s in cls)
            raise UserError(f"unknown status {value!r}: use one of {names}") from None


# The formats ``import --format`` accepts (the importers' names for them).
IMPORT_FORMATS = ("auto", "listing", "arxiv", "bibtex", "ris", "medline", "csl-json", "atom")


@dataclass(slots=True)
class PaperDraft:
    """One paper as an importer recognised it, before it meets the library."""

    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    url: str | None = None
    links: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    comments: str = ""
    journal_ref: str = ""
    citekey: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = 0  # 1-based line in the source text where the entry starts
    title_key: str = ""  # filled by the Library for duplicate detection


@dataclass
class Skipped:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass
class ParseResult:
    format: str
    drafts: list[PaperDraft]
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)


@dataclass
class Paper:
    id: int
    title: str
    abstract: str
    authors: list[str]
    year: int | None
    arxiv_id: str | None
    doi: str | None
    url: str | None
    links: list[str]
    categories: list[str]
    comments: str
    journal_ref: str
    citekey: str | None
    status: Status
    starred: bool
    added_at: str
    status_changed_at: str | None
    note: str
    tags: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "authors": list(self.authors),
            "year": self.year,
            "published": self.extra.get("arxiv", {}).get("published"),  # arXiv's date
            "arxiv_id": self.arxiv_id,
            "doi": self.doi,
            "url": self.url,
            "links": list(self.links),
            "categories": list(self.categories),
            "comments": self.comments,
            "journal_ref": self.journal_ref,
            "citekey": self.citekey,
            "status": self.status.value,
            "starred": self.starred,
            "tags": list(self.tags),
            "note": self.note,
            "added_at": self.added_at,
            "status_changed_at": self.status_changed_at,
        }


class ChangeKind(str, enum.Enum):
    """What sort of change a Changes value reports."""

    STATUS = "status"
    STARRED = "starred"
    TAGS = "tags"
    NOTE = "note"
    CITEKEY = "citekey"
    DELETE = "delete"
    IMPORT = "import"
    ENRICH = "enrich"
    EXPORT = "export"  # keys pinned by an export or a copied \cite
    UNDO = "undo"
    REDO = "redo"
    SETTING = "setting"
    SAVED_SEARCH = "saved_search"
    OUTSIDE = "outside"  # another process wrote: anything may have changed


#: Kinds that can change which papers a view (Inbox, a tag, a search) shows.
_MEMBERSHIP = {
    ChangeKind.STATUS,
    ChangeKind.STARRED,
    ChangeKind.TAGS,
    ChangeKind.DELETE,
    ChangeKind.IMPORT,
    ChangeKind.ENRICH,
    ChangeKind.UNDO,
    ChangeKind.REDO,
}


@dataclass
class Changes:
    """What a mutating Library call touched, so views refresh only that.

    ``paper_ids`` are the papers whose rows changed; ``tags`` says the list of
    tags (names or counts) may have changed, ``counts`` that the number of
    papers per status or view may have; ``saved_searches`` and ``settings`` that
    those did. ``left_alone`` names what an undo or redo did not take back
    because it was changed again since."""

    kind: ChangeKind
    paper_ids: list[int] = field(default_factory=list)
    description: str = ""
    tags: bool = False
    counts: bool = False
    saved_searches: bool = False
    settings: bool = False
    left_alone: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, kind: ChangeKind, paper_ids: list[int], description: str) -> Changes:
        """A change of papers, with what else it may have changed by its kind."""
        return cls(
            kind,
            paper_ids,
            description,
            tags=kind in (ChangeKind.TAGS, ChangeKind.DELETE, ChangeKind.UNDO, ChangeKind.REDO),
            counts=kind in _MEMBERSHIP,
        )

    @classmethod
    def outside(cls) -> Changes:
        """Another process changed the library; it says nothing of what it changed."""
        return cls(
            ChangeKind.OUTSIDE, [], "", tags=True, counts=True, saved_searches=True, settings=True
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "paper_ids": list(self.paper_ids),
            "description": self.description,
            "left_alone": list(self.left_alone),
        }


@dataclass
class ImportReport:
    format: str
    source: str
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    #: Revised versions (arXiv mailings) of papers not in the library, not imported.
    revisions_left_out: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False
    paper_ids: list[int] = field(default_factory=list)
    #: What the import changed, as every other change reports it (None: nothing).
    changes: Changes | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "revisions_left_out": self.revisions_left_out,
            "skipped": len(self.skipped),
            "errors": [str(s) for s in self.skipped],
            "warnings": [str(w) for w in self.warnings],
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
        }

    def summary(self) -> str:
        if self.added == 0 and self.merged == 0:
            head = "nothing new: every paper was already in the library"
            if self.unchanged == 0:
                head = "no papers imported"
        else:
            head = f"{self.added} added, {self.merged} merged, {self.unchanged} unchanged"
        if self.skipped:
            head += f", {len(self.skipped)} skipped"
        if self.dry_run:
            head = "dry run (nothing written): " + head
        return head


@dataclass
class EnrichReport:
    """What a run of "complete from arXiv" changed and what it left alone, and why."""

    changed: list[tuple[int, str, list[str]]] = field(default_factory=list)  # id, title, fields
    unchanged: list[tuple[int, str]] = field(default_factory=list)  # found, nothing to fill
    left_alone: list[tuple[int, str, str]] = field(default_factory=list)  # id, title, reason
    requests: int = 0
    batch_id: int | None = None
    #: What the run changed, as every other change reports it (None: nothing).
    changes: Changes | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        return (
            f"{len(self.changed)} completed, {len(self.unchanged)} already complete, "
            f"{len(self.left_alone)} left alone"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "changed": [{"id": i, "title": t, "fields": f} for i, t, f in self.changed],
            "unchanged": [{"id": i, "title": t} for i, t in self.unchanged],
            "left_alone": [{"id": i, "title": t, "reason": r} for i, t, r in self.left_alone],
            "requests": self.requests,
            "batch_id": self.batch_id,
        }
