"""Query parsing and translation: what the user types, as a bounded Whoosh query.

parse_query never raises: broken syntax falls back to plain words with a notice.
The translation (_restrict) keeps typing-time queries cheap: prefixes become one
term of the edge n-gram field, phrases become word pairs, typos need their first
two letters right.
"""

from __future__ import annotations

import contextvars
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from whoosh import qparser, query
from whoosh.support.levenshtein import distance as edit_distance

from readinglist.core.search_pairs import PairsQuery
from readinglist.core.search_schema import PREFIX_GRAM_MAX, SCHEMA, TEXT_FIELDS, text_analyzer

#: Title hits count this much more than hits in the rest of the text.
TITLE_BOOST = 4.0
#: Prefixes shorter than this are not expanded (too many terms while typing).
MIN_PREFIX = 3
#: Prefix queries expand at most this many index terms.
MAX_PREFIX_TERMS = 256
#: Longer queries are cut, with a notice: Whoosh's parser grows worse than
#: quadratically (4,000 words took 62 s, a 100,000-digit arxiv: id over 60 s).
MAX_QUERY_CHARS = 1_000
MAX_QUERY_TERMS = 64
# Loose (~) words searched loosely in one query; the others are searched exactly.
MAX_FUZZY = 8

#: Field names the user may type, and the index field each one searches.
FIELD_ALIASES = {
    "title": "title",
    "abstract": "abstract",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "tag": "tags",
    "tags": "tags",
    "note": "note",
    "arxiv": "arxiv",
    "year": "year",
    "category": "categories",
    "cat": "categories",
    "added": "added",
    "import": "batch",
}
STATUS_FILTERS = ("unread", "queued", "read", "dismissed", "starred", "unstarred")


@dataclass
class ParsedQuery:
    """A translated query: the Whoosh query, the is: filters apart, and what to tell
    the user (``fallback`` when the text was searched as plain words)."""

    query: query.Query
    text: str
    filters: list[query.Query] = field(default_factory=list)
    notice: str = ""
    fallback: bool = False

    @property
    def is_empty(self) -> bool:
        """True when no words were searched for (nothing, or filters alone)."""
        return self.query is query.NullQuery or isinstance(self.query, query.Every)


_IS_RE = re.compile(r"(?i)(?<![\w:])is:(\w+)")
_STATUS_FIELD_RE = re.compile(r"(?i)(?<![\w:])status:(\w+)")
_MINUS_RE = re.compile(r'(?<![^\s(])-(?=[\w"(])')
_SYNTAX_RE = re.compile(r'[(){}\[\]"~*^:+\-]|\b(?:AND|OR|NOT|TO)\b')


# FieldAliasPlugin wants {field: [aliases]}; several aliases map to one field.
_ALIASES: dict[str, list[str]] = {}
for _alias, _field in FIELD_ALIASES.items():
    if _alias != _field:
        _ALIASES.setdefault(_field, []).append(_alias)


def _parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        ["title", "content"], SCHEMA, fieldboosts={"title": TITLE_BOOST}, group=qparser.AndGroup
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(_ALIASES))
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


_PARSER = _parser()


def parse_query(text: str) -> ParsedQuery:
    """Translate the user's query; never raises. Broken syntax falls back to plain words."""
    filters: list[query.Query] = []
    notices: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"the query was shortened to its first {MAX_QUERY_CHARS:,} characters")
    if len(text.split()) > MAX_QUERY_TERMS:
        text = " ".join(text.split()[:MAX_QUERY_TERMS])
        notices.append(f"the query was shortened to its first {MAX_QUERY_TERMS} terms")

    def take_filter(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word in ("unread", "queued", "read", "dismissed"):
            filters.append(query.Term("status", word))
        elif word == "starred":
            filters.append(query.Term("starred", "yes"))
        elif word == "unstarred":
            filters.append(query.Term("starred", "no"))
        else:
            notices.append(f"unknown filter is:{word} (use {', '.join(STATUS_FILTERS)})")
        return " "

    # status:read is is:read (the index does not hold statuses: SQLite answers them).
    rest = _IS_RE.sub(take_filter, _STATUS_FIELD_RE.sub(r"is:\1", text))
    # The parser stems "trans*" to "tran*"; remember what was typed.
    raw_prefixes: dict[str, str] = {}
    for raw in re.findall(r"(?<![\w*])([^\W_][\w'-]*)\*", rest):
        tokens = [t.text for t in text_analyzer(raw)]
        if tokens:
            raw_prefixes[tokens[-1]] = raw.lower()
    _RAW_PREFIXES.set(raw_prefixes)
    # "-word" means NOT word, as in a mail client.
    rest = _MINUS_RE.sub(" NOT ", rest)
    parsed: query.Query | None = None
    fallback = False
    if rest.strip():
        try:
            parsed = _PARSER.parse(rest)
            _check(parsed)
            parsed = _restrict(parsed, notices)
        except Exception:
            parsed = None
        if parsed is None or _has_error(parsed):
            words = _plain_words(rest)
            fallback = True
            notices.append(f"could not read the query as written; searched for the words: {words}")
            parsed = _PARSER.parse(words) if words.strip() else query.NullQuery
            parsed = _restrict(parsed, notices)
    if parsed is not None:
        parsed = parsed.normalize()
    if parsed is None or parsed is query.NullQuery:
        parsed = query.Every() if filters else query.NullQuery
    return ParsedQuery(parsed, text, filters, "; ".join(dict.fromkeys(notices)), fallback)


def fallback_query(text: str) -> tuple[str, str]:
    """A query that failed to run, as its is: filters (they still apply) and its
    other words without syntax; returns that query and those words."""
    kept = [m.group(0) for m in _IS_RE.finditer(text)]
    words = _plain_words(_IS_RE.sub(" ", text))
    return " ".join([*kept, words]), words


def _plain_words(text: str) -> str:
    return " ".join(_SYNTAX_RE.sub(" ", text).split())


def _has_error(q: query.Query) -> bool:
    return any(getattr(sub, "error", None) for sub in walk(q))


def walk(q: query.Query) -> Iterable[query.Query]:
    """``q`` and every query below it, depth first."""
    yield q
    if q.is_leaf():
        return
    for child in q.children():
        yield from walk(child)


def highlight_terms(reader: Any, q: query.Query) -> dict[str, set[str]]:
    """The analyzed words a query looks for, by field (prefixes and fuzzy terms
    expanded to the words they matched), for highlighting."""
    terms: dict[str, set[str]] = {}
    for leaf in walk(q):
        if isinstance(leaf, PairsQuery):
            terms.setdefault("content", set()).update(leaf.highlight_words())
            continue
        if isinstance(leaf, query.Term) and leaf.fieldname == "pairs":
            terms.setdefault("content", set()).update(str(leaf.text).split(" "))
            continue
        if isinstance(leaf, (query.Term, query.Prefix)) and leaf.fieldname == "prefixes":
            # Words are marked by the prefix they begin with, as written: a
            # stem may be shorter than the prefix ("generation" is "gener").
            terms.setdefault("prefixes", set()).add(f"{leaf.text}*")
            continue
        if not leaf.is_leaf() or getattr(leaf, "fieldname", None) not in TEXT_FIELDS:
            continue
        words: list[str] = []
        if isinstance(leaf, (query.Prefix, query.FuzzyTerm, query.Wildcard)):
            try:
                found = leaf.existing_terms(reader, expand=True)
            except Exception:
                continue
            words = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for _, t in found]
        elif isinstance(leaf, query.Phrase):
            words = [str(w) for w in leaf.words]
        elif isinstance(leaf, query.Term):
            words = [str(leaf.text)]
        terms.setdefault(leaf.fieldname, set()).update(words)
    return terms


def _check(q: query.Query) -> None:
    for sub in walk(q):
        if isinstance(sub, query.Term) and sub.fieldname not in SCHEMA.names():
            raise ValueError(sub.fieldname)


_RAW_PREFIXES: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar(
    "raw_prefixes",
    default={},  # noqa: B039 - read-only default
)


def expand_fuzzy(q: query.Query, reader: Any) -> query.Query:
    """Replace typo terms by the words they stand for, once. Whoosh expands a
    FuzzyTerm when searching and again when asked for the terms to highlight;
    expanding first saves the second walk of the term list (~20 ms of ~90 ms)."""
    if isinstance(q, query.FuzzyTerm):
        words = _terms_within(reader, q.fieldname, q.text, q.maxdist, q.prefixlength)
        if not words:
            return query.NullQuery
        return query.Or([query.Term(q.fieldname, w, boost=q.boost) for w in words])
    if q.is_leaf():
        return q
    return q.apply(lambda sub: expand_fuzzy(sub, reader))


def _terms_within(reader: Any, fieldname: str, text: str, maxdist: int, prefix: int) -> list[str]:
    """The field's words within ``maxdist`` edits of ``text`` sharing its first
    ``prefix`` letters: Whoosh's terms_within, with the words whose length alone
    rules them out skipped before the edit distance (most of its time)."""
    fieldobj = reader.schema[fieldname]
    words = []
    for btext in reader.expand_prefix(fieldname, text[:prefix]):
        word = fieldobj.from_bytes(btext)
        if abs(len(word) - len(text)) <= maxdist and edit_distance(word, text, maxdist) <= maxdist:
            words.append(word)
    return words


def _restrict(q: query.Query, notices: list[str], fuzzy: list[int] | None = None) -> query.Query:
    """Keep typing-time queries bounded: prefixes only over titles and authors, with a
    minimum length; fuzzy terms need their first two letters right, and only the
    first MAX_FUZZY of them are searched loosely (64 took 1.7 s at 100,000 papers).
    ``fuzzy`` counts the fuzzy terms seen so far."""
    fuzzy = [0] if fuzzy is None else fuzzy
    if isinstance(q, query.Every) and q.fieldname is not None:
        # A lone * (or field:*) lists everything in relevance order: 1.5 s at
        # 1,141 papers for what is not a search.
        notices.append(f"* alone is not a search: type at least {MIN_PREFIX} letters before it")
        return query.NullQuery
    if isinstance(q, (query.Prefix, query.Wildcard)):
        stem = q.text.rstrip("*?") if isinstance(q, query.Wildcard) else q.text
        stem = _RAW_PREFIXES.get().get(stem, stem)
        if isinstance(q, query.Wildcard) and ("*" in stem or "?" in stem):
            notices.append(f"wildcards inside words are not supported: {q.text}")
            return query.NullQuery
        if len(stem) < MIN_PREFIX:
            notices.append(f"prefix {stem}* is too short (at least {MIN_PREFIX} letters)")
            return query.NullQuery
        if q.fieldname in ("content", "title") and re.search(r"\w[^\w\s]+\w", stem):
            return _joined_prefix(stem, q.boost)
        if q.fieldname in ("content", "title") and len(stem) <= PREFIX_GRAM_MAX:
            # One term of the edge n-gram field (title and author words).
            return query.Term("prefixes", stem.lower(), boost=q.boost)
        if q.fieldname in ("content", "title"):
            # The long title and author words, kept whole and unstemmed beside the
            # pieces: over the stemmed title, "representati*" found nothing
            # ("representation" is indexed as "represent").
            return _BoundedPrefix("prefixes", stem.lower(), boost=q.boost)
        return _BoundedPrefix(q.fieldname, stem.lower())
    if isinstance(q, query.Term) and q.fieldname in ("status", "starred"):
        # The index no longer holds these (SQLite answers them, always current).
        notices.append(f"{q.fieldname}: is searched with is: (is:read, is:starred…)")
        return query.NullQuery
    if isinstance(q, query.FuzzyTerm):
        if q.fieldname == "title":
            # The content field holds the title too; expanding the typo over one
            # term list instead of two halves the cost.
            return query.NullQuery
        if len(q.text) <= 3:
            notices.append(f"{q.text}~ is too short to search loosely; searched for it exactly")
            return query.Term(q.fieldname, q.text, boost=q.boost)
        fuzzy[0] += 1
        if fuzzy[0] > MAX_FUZZY:
            if fuzzy[0] == MAX_FUZZY + 1:
                notices.append(
                    f"only the first {MAX_FUZZY} words with ~ are searched loosely; "
                    "the others exactly"
                )
            return query.Term(q.fieldname, q.text, boost=q.boost)
        return query.FuzzyTerm(
            q.fieldname, q.text, boost=q.boost, maxdist=min(q.maxdist, 2), prefixlength=2
        )
    if isinstance(q, query.Phrase) and q.fieldname == "tags":
        return query.Term("tags", " ".join(q.words).lower())
    if isinstance(q, query.Phrase) and q.fieldname in ("content", "abstract"):
        # Consecutive word pairs, all present: exact for two words, near-exact
        # beyond (the content field keeps no positions; the pairs field does the work).
        if len(q.words) == 1:
            return query.Term(q.fieldname, q.words[0], boost=q.boost)
        if q.slop > 1:
            notices.append("phrases with ~N are searched as exact phrases")
        pairs = list(itertools.pairwise(q.words))
        terms: list[query.Query] = [_pairs(pairs, None, q.boost)]
        if q.fieldname == "abstract":
            # The pairs field covers title and abstract; the words must be in the abstract.
            terms += [query.Term("abstract", w) for w in q.words]
        return terms[0] if len(terms) == 1 else query.And(terms)
    if q.is_leaf():
        return q
    return q.apply(lambda child: _restrict(child, notices, fuzzy))


def _joined_prefix(stem: str, boost: float) -> query.Query:
    """``self-supervis*``: the words as indexed ("self", "supervised"), adjacent,
    the last one begun. The pairs field holds each pair of adjacent (stemmed)
    words, so this is the pairs before the last, plus a prefix of the last pair."""
    words = [w for w in re.split(r"[^\w]+", stem) if w]
    stems = [next((t.text for t in text_analyzer(w)), w.lower()) for w in words[:-1]]
    last = words[-1].lower()
    return _pairs(list(itertools.pairwise(stems)), (stems[-1], last), boost)


def _pairs(pairs: list[tuple[str, str]], last: tuple[str, str] | None, boost: float) -> query.Query:
    """Adjacent word pairs (and a begun last pair): answered beside the segments
    written in bulk, and by the pairs field in those Whoosh wrote (see search_pairs)."""
    parts: list[query.Query] = [query.Term("pairs", f"{a} {b}", boost=boost) for a, b in pairs]
    if last is not None:
        parts.append(_BoundedPrefix("pairs", f"{last[0]} {last[1]}", boost=boost))
    fallback = parts[0] if len(parts) == 1 else query.And(parts)
    return PairsQuery(pairs, last, boost=boost, fallback=fallback)


class _BoundedPrefix(query.Prefix):
    """A prefix query that expands to at most MAX_PREFIX_TERMS terms."""

    def _btexts(self, ixreader: Any) -> Iterable[bytes]:
        for n, term in enumerate(super()._btexts(ixreader)):
            if n >= MAX_PREFIX_TERMS:
                break
            yield term
