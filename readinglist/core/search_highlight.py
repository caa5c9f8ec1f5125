"""Highlighting: the words of a text that a search matched, marked for display.

Matches are marked with the private-use characters MARK_START and MARK_END;
front ends turn them into their own markup (render for plain text).
"""

from __future__ import annotations

from typing import Any

from whoosh import highlight
from whoosh.support.charset import accent_map

# The markers live in core/models.py so the window can use them without importing
# Whoosh before it is shown; re-exported here for the search's users.
from readinglist.core.models import MARK_END as MARK_END
from readinglist.core.models import MARK_START as MARK_START
from readinglist.core.search_schema import SCHEMA, index_text


class _MarkFormatter(highlight.Formatter):
    """Marks matches with private-use characters; front ends turn them into markup."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def render(marked: str, start: str = "[", end: str = "]") -> str:
    """``marked`` with its marks replaced by ``start`` and ``end``."""
    return marked.replace(MARK_START, start).replace(MARK_END, end)


def highlight_text(
    text: str, terms: set[str], fieldname: str = "content", top: int = 3, whole: bool = False
) -> str:
    """Mark the words of ``text`` that match ``terms`` (analyzed forms, or
    ``prefix*`` for the words a prefix begins).

    With ``whole`` the entire text comes back with marks, else up to ``top``
    fragments around the matches.
    """
    if not terms or not text:
        return text if whole else ""
    analyzer = SCHEMA[fieldname].analyzer
    prefixes = tuple(t[:-1] for t in terms if t.endswith("*"))
    if prefixes:
        analyzer = _PrefixMarking(analyzer, prefixes)
    btext = index_text(text)
    fragmenter: highlight.Fragmenter = (
        highlight.WholeFragmenter()
        if whole
        else highlight.ContextFragmenter(maxchars=160, surround=60)
    )
    marked = highlight.highlight(
        btext, frozenset(terms), analyzer, fragmenter, _MarkFormatter(), top=top if not whole else 1
    )
    if whole and not marked:
        return btext
    return str(marked)


class _PrefixMarking:
    """A field's analyzer whose tokens beginning with a searched prefix read
    ``prefix*``. The prefix is matched against the word as written (folded), not
    its stem: "genera*" is in "Generation", whose stem "gener" is not."""

    def __init__(self, analyzer: Any, prefixes: tuple[str, ...]) -> None:
        self.analyzer = analyzer
        self.prefixes = prefixes

    def __call__(self, text: str, **kwargs: Any) -> Any:
        for t in self.analyzer(text, keeporiginal=True, **kwargs):
            word = t.original.lower().translate(accent_map)
            for p in self.prefixes:
                if word.startswith(p):
                    t.text = p + "*"
                    break
            yield t
