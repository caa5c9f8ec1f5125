"""Whether two records are the same paper, and what one can fill in the other.

Pure rules shared by the import (drafts against the library and against each
other) and by completion from arXiv.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from readinglist.core import citekeys
from readinglist.core.models import ImportReport, PaperDraft, Skipped
from readinglist.core.text import mail_date, title_key

# Fields an import may fill when they are empty; never the user's own (status,
# starred, tags, note, citekey).
FILLABLE = (
    "abstract",
    "authors",
    "year",
    "arxiv_id",
    "doi",
    "url",
    "links",
    "categories",
    "comments",
    "journal_ref",
)
JSON_FIELDS = ("authors", "links", "categories")


def dumps(value: Any) -> str:
    """A JSON column's text ("[]"/"{}" for empty values, as the schema's defaults)."""
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def same_paper(
    draft: PaperDraft,
    arxiv_id: str | None,
    doi: str | None,
    authors: list[str],
    year: int | None,
) -> bool:
    """Whether a draft with the same normalized title as a paper is that paper."""
    if draft.arxiv_id and arxiv_id and draft.arxiv_id != arxiv_id:
        return False
    if draft.doi and doi and draft.doi.lower() != doi.lower():
        return False
    if draft.year and year and abs(draft.year - year) > 1:
        return False
    if draft.authors and authors:
        mine = {citekeys.ascii_fold(citekeys.family_name(a)).lower() for a in draft.authors}
        theirs = {citekeys.ascii_fold(citekeys.family_name(a)).lower() for a in authors}
        if not mine & theirs:
            return False
    return True


def fill_extra(extra: dict[str, Any], more: dict[str, Any]) -> bool:
    """Fill missing keys of ``extra`` (one level into dicts such as "bibtex")."""
    changed = False
    for key, value in more.items():
        if key not in extra:
            extra[key] = value
            changed = True
        elif isinstance(extra[key], dict) and isinstance(value, dict):
            for sub, sub_value in value.items():
                if sub_value and not extra[key].get(sub):
                    extra[key][sub] = sub_value
                    changed = True
    return changed


def newer_revision(new: object, have: object) -> bool:
    """Whether a mailing's "replaced" date is later than the one noted (an older
    mailing imported after a newer one must not take the paper back a version).
    A date beats no date; two values that are not dates only say they differ."""
    if not isinstance(new, str) or not new or new == have:
        return False
    if not isinstance(have, str) or not have:
        return True
    new_at, have_at = mail_date(new), mail_date(have)
    if new_at is None or have_at is None:
        return have_at is None
    return new_at > have_at


def title_match(conn: sqlite3.Connection, candidates: list[int], draft: PaperDraft) -> int | None:
    """A paper with the same normalized title, unless ids, authors or year say it
    is a different paper (two papers called "Introduction" are not one). Of several,
    the one with the draft's citation key first: a bibliography's conference paper
    and its journal version share a title, and each must meet its own entry again."""
    found = None
    for pid in candidates:
        aid, doi, authors, year, key = conn.execute(
            "SELECT arxiv_id, doi, authors, year, citekey FROM papers WHERE id = ?", [pid]
        ).fetchone()
        if same_paper(draft, aid, doi, json.loads(authors), year):
            if not draft.citekey or (key or "").lower() == draft.citekey.lower():
                return pid
            found = pid if found is None else found
    return found


def owner_of(
    conn: sqlite3.Connection, arxiv_id: str | None, doi: str | None, other_than: int = 0
) -> int | None:
    """The paper (other than ``other_than``) that already has this arXiv id or DOI."""
    row = None
    if arxiv_id:
        row = conn.execute(
            "SELECT id FROM papers WHERE arxiv_id = ? AND id != ?", [arxiv_id, other_than]
        ).fetchone()
    if row is None and doi:
        row = conn.execute(
            "SELECT id FROM papers WHERE lower(doi) = lower(?) AND id != ?", [doi, other_than]
        ).fetchone()
    return None if row is None else int(row[0])


def merge_updates(conn: sqlite3.Connection, pid: int, draft: PaperDraft) -> dict[str, Any]:
    """The paper's empty fields that the draft can fill (column -> new value). An
    arXiv id or DOI another paper has is not given to this one."""
    row = conn.execute(
        f"SELECT {', '.join(FILLABLE)}, extra FROM papers WHERE id = ?", [pid]
    ).fetchone()
    current = dict(zip((*FILLABLE, "extra"), row, strict=True))
    updates: dict[str, Any] = {}
    for name in FILLABLE:
        value = getattr(draft, name)
        have = current[name]
        if name in JSON_FIELDS:
            if value and have == "[]":
                updates[name] = dumps(value)
        elif value and not have:
            updates[name] = value
    if draft.extra:
        extra = json.loads(current["extra"])
        filled = fill_extra(extra, draft.extra)
        if newer_revision(draft.extra.get("revised"), extra.get("revised")):
            # Each mailing that replaces the paper again notes its new version;
            # only "revised" moves on: the other fields stay the user's first.
            extra["revised"] = draft.extra["revised"]
            filled = True
        if filled:
            updates["extra"] = dumps(extra)
    if "arxiv_id" in updates and owner_of(conn, updates["arxiv_id"], None) is not None:
        del updates["arxiv_id"]
    if "doi" in updates and owner_of(conn, None, updates["doi"]) is not None:
        del updates["doi"]
    return updates


def _keys_differ(a: PaperDraft, b: PaperDraft) -> bool:
    return bool(a.citekey and b.citekey and a.citekey.lower() != b.citekey.lower())


def dedup_within(drafts: list[PaperDraft], report: ImportReport) -> list[PaperDraft]:
    """Fold drafts that are the same paper (same arXiv id, DOI or title) into the first."""
    out: list[PaperDraft] = []
    by_arxiv: dict[str, PaperDraft] = {}
    by_doi: dict[str, PaperDraft] = {}
    by_title: dict[str, list[PaperDraft]] = {}
    for draft in drafts:
        draft.title_key = title_key(draft.title)
        first = None
        if draft.arxiv_id:
            first = by_arxiv.get(draft.arxiv_id)
        if first is None and draft.doi:
            first = by_doi.get(draft.doi.lower())
        if first is None and draft.title_key:
            for cand in by_title.get(draft.title_key, []):
                if _keys_differ(draft, cand):
                    # One bibliography's two entries under two keys are two works
                    # to its author (a paper and its journal version): both stay.
                    continue
                if same_paper(draft, cand.arxiv_id, cand.doi, cand.authors, cand.year):
                    first = cand
                    break
        if first is not None:
            for name in FILLABLE:
                if getattr(draft, name) and not getattr(first, name):
                    setattr(first, name, getattr(draft, name))
            fill_extra(first.extra, draft.extra)
            report.skipped.append(
                Skipped(draft.line, f"same paper as line {first.line}; merged into it")
            )
            continue
        out.append(draft)
        if draft.arxiv_id:
            by_arxiv[draft.arxiv_id] = draft
        if draft.doi:
            by_doi[draft.doi.lower()] = draft
        if draft.title_key:
            by_title.setdefault(draft.title_key, []).append(draft)
    report.skipped.sort(key=lambda s: s.line)
    return out
