"""Saved searches and settings: small tables of names the user keeps."""

from __future__ import annotations

import json
from typing import Any

from readinglist.core import settings
from readinglist.core.db import now_iso
from readinglist.core.errors import UserError
from readinglist.core.models import ChangeKind, Changes
from readinglist.core.store import Store


class SavedSearches:
    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[tuple[str, str]]:
        sql = "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE"
        return [(n, q) for n, q in self.store.conn.execute(sql)]

    def save(self, name: str, query_text: str) -> Changes:
        name = " ".join(name.split())
        if not name:
            raise UserError("a saved search needs a name")
        if not query_text.strip():
            raise UserError("a saved search needs a query")
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                [name, query_text, now_iso()],
            )
        return self._changed(f"saved search {name!r}")

    def get(self, name: str) -> str:
        row = self.store.conn.execute(
            "SELECT query FROM saved_searches WHERE name = ? COLLATE NOCASE", [name.strip()]
        ).fetchone()
        if row is None:
            raise UserError(f"no saved search named {name!r}")
        return str(row[0])

    def remove(self, name: str) -> Changes:
        self.get(name)
        with self.store.write() as conn:
            conn.execute("DELETE FROM saved_searches WHERE name = ? COLLATE NOCASE", [name.strip()])
        return self._changed(f"removed saved search {name!r}")

    def _changed(self, text: str) -> Changes:
        changes = Changes(ChangeKind.SAVED_SEARCH, [], text, saved_searches=True)
        self.store.committed(changes)
        return changes


class Settings:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _known(name: str) -> settings.Setting:
        if name not in settings.SETTINGS:
            names = ", ".join(settings.SETTINGS)
            raise UserError(f"unknown setting {name!r}: use one of {names}")
        return settings.SETTINGS[name]

    def get(self, name: str) -> Any:
        self._known(name)
        sql = "SELECT value FROM settings WHERE name = ?"
        row = self.store.conn.execute(sql, [name]).fetchone()
        return settings.decode(name, row[0] if row else None)

    def set(self, name: str, value: Any) -> Changes:
        expected = type(self._known(name).default)
        if type(value) is not expected:
            kind = {dict: "a JSON object", str: "a JSON string", bool: "true or false"}
            raise UserError(f"{name} must be {kind.get(expected, expected.__name__)}")
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, json.dumps(value)],
            )
        changes = Changes(ChangeKind.SETTING, [], f"set {name}", settings=True)
        self.store.committed(changes)
        return changes
