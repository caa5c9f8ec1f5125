"""The Inbox by predicted interest: features kept beside the library, a model
trained on the user's triage, rankings and the reasons for them.

The features live in ``ranking/features.npz`` in the library folder. They are
derived, like the search index: a missing, old or unreadable file is rebuilt
from SQLite, and a refresh computes only papers that are new or whose text
changed. Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from readinglist.core import rank_features as rf
from readinglist.core import ranker

MIN_KEPT = 10
MIN_DISMISSED = 10
#: A tag ranks once this many papers carry it (the rest of the stream is its
#: negative side, so no dismissals are needed).
MIN_TAGGED = 5
FEATURES_FILE = "features.npz"
#: Bumped when the terms a paper is turned into change: older files are rebuilt.
FEATURES_VERSION = 1
# Changes when a paper's text changes: lengths, cheap for SQLite to give for
# 100,000 papers at once (an import or completion that fills a field changes one).
_PRINT = (
    "length(title) * 1000003 + length(abstract) * 10007 + length(authors) * 101 "
    "+ length(categories)"
)
_KEPT = "(status IN ('queued', 'read') OR starred = 1 OR id IN (SELECT paper_id FROM paper_tags))"


@dataclass
class Readiness:
    kept: int
    dismissed: int
    ready: bool
    message: str


@dataclass
class Ranked:
    """Papers best first, their interest 0–1, and the serendipity picks."""

    order: list[int]
    interest: dict[int, float] = field(default_factory=dict)
    serendipity: set[int] = field(default_factory=set)
    message: str = ""
    ranked: bool = False


class Ranking:
    def __init__(self, conn: sqlite3.Connection, folder: Path) -> None:
        self.conn = conn
        self.path = folder / "ranking" / FEATURES_FILE
        self._rows: rf.Rows | None = None
        self._models: dict[Any, ranker.Model] = {}

    # --- features ----------------------------------------------------------------

    def features(self, rebuild: bool = False) -> rf.Rows:
        """Every paper's hashed term counts, brought up to date with the library."""
        rows = None if rebuild else (self._rows if self._rows is not None else self._load())
        current = self.conn.execute(f"SELECT id, {_PRINT} FROM papers ORDER BY id").fetchall()
        have: dict[int, int] = {}
        if rows is not None:
            have = {int(i): k for k, i in enumerate(rows.ids)}
        keep, todo = [], []
        for pid, mark in current:
            k = have.get(pid)
            if rows is not None and k is not None and int(rows.prints[k]) == mark:
                keep.append(k)
            else:
                todo.append(pid)
        if rows is not None and not todo and len(keep) == len(rows):
            self._rows = rows
            return rows
        items = rows.items(keep) if rows is not None else []
        marks = dict(current)
        for start in range(0, len(todo), 900):  # SQLite's variable limit
            chunk = todo[start : start + 900]
            for pid, title, abstract, authors, cats in self.conn.execute(
                "SELECT id, title, abstract, authors, categories FROM papers WHERE id IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ):
                words = rf.terms(title, abstract, json.loads(authors), json.loads(cats))
                items.append((pid, marks[pid], *rf.counts(words)))
        items.sort(key=lambda item: item[0])
        self._rows = rf.Rows.build(items)
        self._models.clear()
        self._save(self._rows)
        return self._rows

    def _load(self) -> rf.Rows | None:
        try:
            with np.load(self.path) as data:
                if int(data["version"]) != FEATURES_VERSION:
                    return None
                return rf.Rows(*(data[k] for k in ("ids", "prints", "indptr", "cols", "vals")))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
            return None  # derived: made again from the library

    def _save(self, rows: rf.Rows) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out, version=FEATURES_VERSION, ids=rows.ids, prints=rows.prints,
                    indptr=rows.indptr, cols=rows.cols, vals=rows.vals,
                )  # fmt: skip
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only or full disk: the features stay in memory only

    # --- labels and models -------------------------------------------------------

    def examples(self, tag: str | None = None) -> list[ranker.Example]:
        now = dt.datetime.now(dt.timezone.utc)
        if tag is None:
            sql = (
                f"SELECT id, {_KEPT}, coalesce(status_changed_at, added_at) FROM papers "
                f"WHERE {_KEPT} OR status = 'dismissed'"
            )
            args: list[Any] = []
        else:
            tagged = (
                "id IN (SELECT paper_id FROM paper_tags JOIN tags ON tags.id = tag_id "
                "WHERE tags.name = ? COLLATE NOCASE)"
            )
            sql = (
                f"SELECT id, {tagged}, coalesce(status_changed_at, added_at) FROM papers "
                f"WHERE {tagged} OR status = 'dismissed'"
            )
            args = [tag, tag]
        out = []
        for pid, kept, when in self.conn.execute(sql, args):
            out.append(ranker.Example(pid, bool(kept), _age_days(when, now)))
        return out

    def readiness(
        self, tag: str | None = None, examples: list[ranker.Example] | None = None
    ) -> Readiness:
        examples = self.examples(tag) if examples is None else examples
        kept = sum(e.kept for e in examples)
        dismissed = len(examples) - kept
        if tag is not None:
            ready = kept >= MIN_TAGGED
            need = f"{MIN_TAGGED - kept} more paper{'s' if MIN_TAGGED - kept != 1 else ''}"
            message = "" if ready else f"ranking by the tag {tag} needs {need} tagged {tag}"
            return Readiness(kept, dismissed, ready, message)
        ready = kept >= MIN_KEPT and dismissed >= MIN_DISMISSED
        wanted = []
        if kept < MIN_KEPT:
            wanted.append(f"{MIN_KEPT - kept} more kept (queued, read, starred or tagged)")
        if dismissed < MIN_DISMISSED:
            wanted.append(f"{MIN_DISMISSED - dismissed} more dismissed")
        message = "" if ready else "ranking by interest needs " + " and ".join(wanted)
        return Readiness(kept, dismissed, ready, message)

    def model(self, tag: str | None = None, retrain: bool = False) -> ranker.Model | None:
        """The model for the Inbox (or a tag), trained when the labels changed."""
        examples = self.examples(tag)
        if not self.readiness(tag, examples).ready:
            return None
        rows = self.features()
        key = (tag, len(rows), tuple((e.paper_id, e.kept) for e in examples))
        if retrain or key not in self._models:
            self._models = {key: ranker.train(rows, examples)}
        return self._models[key]

    # --- rankings -------------------------------------------------------------------

    def rank(self, ids: list[int], tag: str | None = None, serendipity: bool = True) -> Ranked:
        """``ids`` best first; in their own order, with the reason, when the
        library has too few labels."""
        model = self.model(tag)
        if model is None:
            return Ranked(list(ids), message=self.readiness(tag).message)
        rows = self.features()
        position = {int(pid): k for k, pid in enumerate(rows.ids)}
        here = [pid for pid in ids if pid in position]
        z = ranker.logits(model, rows.take(np.array([position[p] for p in here], np.int64)))
        logit = dict(zip(here, z.tolist(), strict=True))
        interest = dict(zip(here, ranker.share_below(model, z).tolist(), strict=True))
        order = sorted(here, key=lambda pid: -logit[pid])
        picks: set[int] = set()
        if serendipity:
            order, picks = ranker.with_serendipity(order, seed=len(rows))
        missing = [pid for pid in ids if pid not in position]
        return Ranked(order + missing, interest, picks, ranked=True)

    def why(self, paper_id: int, tag: str | None = None) -> dict[str, Any]:
        """The terms that raise the paper's score most and the labelled papers most
        like it: {"terms": [...], "like": [{"id", "title", "kept", "similarity"}]}."""
        return self.explain([paper_id], tag)[paper_id]

    def explain(self, ids: list[int], tag: str | None = None) -> dict[int, dict[str, Any]]:
        """``why`` of each paper, the model looked up once for them all."""
        model = self.model(tag)
        return {pid: self._why(model, pid) for pid in ids}

    def _why(self, model: ranker.Model | None, paper_id: int) -> dict[str, Any]:
        if model is None:
            return {"terms": [], "like": []}
        row = self.conn.execute(
            "SELECT title, abstract, authors, categories FROM papers WHERE id = ?", [paper_id]
        ).fetchone()
        if row is None:
            return {"terms": [], "like": []}
        words = rf.terms(row[0], row[1], json.loads(row[2]), json.loads(row[3]))
        cols, counts = rf.counts(words)
        one = rf.Rows.build([(paper_id, 0, cols, counts)])
        like = []
        for pid, kept, sim in ranker.nearest(model, cols, rf.weighted(one, model.idf)):
            if pid == paper_id:
                continue
            title = self.conn.execute("SELECT title FROM papers WHERE id = ?", [pid]).fetchone()
            like.append(
                {
                    "id": pid,
                    "title": title[0] if title else "",
                    "kept": kept,
                    "similarity": round(sim, 3),
                }
            )
        terms = [term_label(t) for t, _ in ranker.top_terms(model, words)]
        return {"terms": terms, "like": like[:3]}

    def retrain(self, tag: str | None = None) -> dict[str, Any]:
        """Features rebuilt from scratch and the model trained again."""
        rows = self.features(rebuild=True)
        ready = self.readiness(tag)
        if ready.ready:
            self.model(tag, retrain=True)
        return {
            "papers": len(rows),
            "kept": ready.kept,
            "dismissed": ready.dismissed,
            "trained": ready.ready,
            "message": ready.message,
        }


def term_label(term: str) -> str:
    """How a term reads in "why": author and category terms say what they are."""
    if term.startswith("au:"):
        return "author " + term[3:].title()
    if term.startswith("cat:"):
        return "category " + term[4:]
    return term


def _age_days(when: str | None, now: dt.datetime) -> float:
    try:
        at = dt.datetime.fromisoformat(when or "")
    except ValueError:
        return 0.0
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return max((now - at).total_seconds() / 86400.0, 0.0)
