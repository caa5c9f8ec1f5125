"""Choosing papers for an export, and writing them out with their keys pinned."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from readinglist.core.index_sync import IndexSync
from readinglist.core.models import Paper, Status
from readinglist.core.papers import Papers
from readinglist.core.triage import Triage


class Exports:
    def __init__(self, papers: Papers, triage: Triage, index_sync: IndexSync) -> None:
        self.papers = papers
        self.triage = triage
        self.index_sync = index_sync

    def select(
        self,
        query_text: str | None = None,
        tags: Iterable[str] = (),
        ids: Iterable[int] | None = None,
        status: Status | str | None = None,
    ) -> list[Paper]:
        """Papers for an export: a search, tags (any of them), ids, a status; every
        filter given applies. With no filter, the whole library. Search results keep
        their rank order; otherwise papers come by id."""
        names = [t.strip() for t in tags if t.strip()]
        chosen: list[int] | None = None
        if query_text and query_text.strip():
            outcome = self.index_sync.search(query_text, limit=None)
            if outcome.notice:
                self.index_sync.notice = outcome.notice
            chosen = [h.paper.id for h in outcome.hits]
        if ids is not None:
            wanted = self.papers.existing(list(ids))
            wanted_set = set(wanted)
            chosen = wanted if chosen is None else [i for i in chosen if i in wanted_set]
        for name in names:
            self.papers.tagged(name)  # UserError for a tag that does not exist
        allowed = self.papers.ids(status=status, tags_any=names, newest_first=False)
        if chosen is not None:
            allowed_set = set(allowed)
            allowed = [i for i in chosen if i in allowed_set]
        return self.papers.get_many(allowed)

    def bibtex(
        self,
        papers: list[Paper],
        abstract: bool,
        with_notes: bool,
        ascii_only: bool,
        biblatex: bool = False,
    ) -> str:
        """BibTeX (or biblatex's) for papers; their keys count as exported from now on
        (never regenerated)."""
        from readinglist.core import bibtex

        text = bibtex.bibtex(
            papers,
            abstract=abstract,
            with_notes=with_notes,
            ascii_only=ascii_only,
            biblatex=biblatex,
        )
        if papers:
            self.triage.pin_keys([p.id for p in papers])
        return text

    def csl_json(self, papers: list[Paper], abstract: bool) -> str:
        """CSL-JSON for papers; their keys (the items' ids) are pinned, as with BibTeX."""
        from readinglist.core import csl_out

        text = csl_out.csl_json(papers, abstract=abstract)
        if papers:
            self.triage.pin_keys([p.id for p in papers])
        return text

    def cite(self, ids: Sequence[int]) -> str:
        """``\\cite{key1,key2}`` for these papers; their keys count as exported from
        now on (pinned), as with an export: a later import never renames them."""
        from readinglist.core import bibtex

        papers = self.papers.get_many(self.papers.existing(ids))
        self.triage.pin_keys([p.id for p in papers])
        return bibtex.cite_command(papers)
