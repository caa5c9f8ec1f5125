"""Settings stored in the library: one table of names, defaults and help text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "keymap",
            {},
            "Key overrides for the app, {action id: [keys]}, e.g. "
            '{"triage.read": ["E"]}; ids are listed by `readinglist settings --keys`.',
        ),
        Setting(
            "arxiv_api",
            "",
            "Address of the arXiv API used to complete papers (empty: "
            "https://export.arxiv.org/api/query). READINGLIST_ARXIV_API overrides it.",
        ),
        Setting(
            "backups_keep",
            10,
            "How many database backups to keep in the backups folder (made once a day "
            "on open, before migrations and restores, and by `readinglist backup`).",
        ),
        Setting(
            "enrich_after_import",
            False,
            "Complete new papers from arXiv after each import (uses the network).",
        ),
    )
}


def decode(name: str, raw: str | None) -> Any:
    if raw is None:
        return SETTINGS[name].default
    return json.loads(raw)
