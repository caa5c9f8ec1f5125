"""Plain-text listings as copied from a web page (Hugging Face papers, conference lists).

The shape is "title, then abstract" repeated, with page clutter (buttons, dates,
bylines, vote counts) before, between and after. The parser is deliberately
forgiving: it finds paragraphs, decides which look like abstracts, and pairs
each abstract with the nearest title-like line before it. Anything else is
reported as skipped with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from readinglist.core.models import PaperDraft, ParseResult, Skipped
from readinglist.core.text import find_links, join_lines

# Lines that web pages put around listings and that are never titles.
_JUNK = re.compile(
    r"""(?ix)^(
        new | subscribe | upvote\b.* | submitted\ by\b.* | \W*by\s?\S+(\s+and\s+the\s.*)?
      | get\ trending\ papers.* | (daily|trending)\ papers | papers
      | \d[\d,.]*\s*(k|upvotes?|comments?)?
      | (jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(,?\s+\d{4})?
      | \d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(\s+\d{4})?
      | \d{4}-\d{2}-\d{2} | (previous|next)(\ page)?|load\ more|show\ more|read\ more|view\ all
      | (sign\ in|log\ in|sign\ up)|home|search.* | ·.* | [-=_*#~.•·\s]+
      | page\ \d+(\ of\ \d+)? | (abstract|abs|pdf|html|code|project\ page|github)(\s*[|·,]\s*\w+)*
    )$""",
)
_SMALL_WORDS = frozenset(
    "a an the of for and or in on to with via by from at as is are be into over under "
    "vs versus than through without".split()
)


class _Para:
    """A run of non-blank lines (a plain class with slots: there are 200,000 in a big listing)."""

    __slots__ = ("_text", "_title", "line", "lines", "words")

    def __init__(self, line: int, lines: list[str], words: int | None = None) -> None:
        self.line = line  # 1-based line number of the first line
        self.lines = lines
        self.words = words  # of the text, when already counted
        self._text: str | None = None
        self._title: bool | None = None

    @property
    def title_like(self) -> bool:
        if self._title is None:
            self._title = _title_like(self.text, self.words)
        return self._title

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.lines[0] if len(self.lines) == 1 else join_lines(self.lines)
        return self._text


def _words(text: str, cap: int = 41) -> int:
    """The number of words, counting at most ``cap`` (enough for every decision here)."""
    return len(text.split(None, cap)) if len(text) < 2000 else cap


_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_SENTENCE_END = re.compile(r"[.!?)\]]['\"”’]?$|\.\s")


def _has_sentence_end(text: str) -> bool:
    """Whether ``text`` ends like a sentence or holds a full stop and a space."""
    # A regex search tries every position of the text; without a "." (memchr),
    # only the last three characters can match.
    return bool(_SENTENCE_END.search(text if "." in text else text[-3:]))


def _is_junk(text: str) -> bool:
    if _JUNK.match(text.strip()):
        return True
    # Two letters in front (most titles) save the regex call.
    return not (text[:2].isalpha() or _TWO_LETTERS.search(text))


_FINE_ENDINGS = re.compile(r"(\bal|\bv\d+(\.\d+)*|\.\.\.)\.?$")


def _title_like(text: str, words: int | None = None) -> bool:
    if len(text) > 400:
        return False
    # Titles do not end in a full stop; "et al." or "v2.0" style endings are fine.
    if text.endswith(".") and not _FINE_ENDINGS.search(text[-16:]):
        return False
    if words is None:
        words = _words(text)
    if words == 0 or words > 40 or _is_junk(text):
        return False
    return not (words == 1 and len(text) < 4)


def _abstract_like(text: str) -> bool:
    if len(text) >= 300:  # about 45 words: longer than any title
        return True
    words = _words(text)
    if words >= 40:
        return True
    return words >= 8 and _has_sentence_end(text)


def _capital_ratio(text: str) -> float:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w.lower() not in _SMALL_WORDS]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


def _split_title(para: _Para, weak: bool = False) -> int:
    """How many leading lines of an abstract-like paragraph are a title (0 or 1).

    With ``weak`` the first line only has to look like a title.
    """
    lines = para.lines
    if len(lines) < 2:
        return 0
    first, rest = lines[0].strip(), [ln.strip() for ln in lines[1:]]
    if not _title_like(first) or re.search(r"[.,;:]$", first):
        return 0
    if not (rest[0][:1].isupper() or rest[0][:1].isdigit() or rest[0][:1] in "\"'“‘("):
        return 0
    body = join_lines(rest)
    if not _abstract_like(body):
        return 0
    if weak:
        return 1
    if len(rest) == 1:
        # One long unwrapped abstract line under a short title line.
        return 1 if len(rest[0]) > max(1.5 * len(first), 120) else 0
    # A hard-wrapped paragraph fills every line but the last to about the same
    # width; a first line well short of that width ended early, so it is a title.
    width = max(len(ln) for ln in rest[:-1]) if len(rest) > 1 else len(rest[0])
    if len(first) < 0.75 * width or len(first) > width + 2:
        return 1
    if _capital_ratio(first) >= 0.6:
        return 1
    return 0


def _block_paras(block: str, line: int) -> list[_Para]:
    """The runs of non-blank lines in a block that holds line breaks (wrapped text,
    extra blank or whitespace-only lines); ``line`` is the block's first line."""
    paras: list[_Para] = []
    current: list[str] | None = None
    for offset, raw in enumerate(block.split("\n")):
        stripped = raw.strip()
        if not stripped:
            current = None
        elif current is None:
            current = [stripped]
            paras.append(_Para(line + offset, current))
        else:
            current.append(stripped)
    return paras


def _join(lines: list[str]) -> str:
    # Hard-wrapped lines join with one space; a single line is kept exactly.
    if len(lines) == 1:
        return lines[0].strip()
    return join_lines(lines)


def _draft(title_lines: list[str], line: int, abstract: str) -> PaperDraft:
    # Titles and abstracts are kept exactly as given (LaTeX included); the
    # display renders it and the search index folds it.
    title = _join(title_lines)
    return PaperDraft(title=title, abstract=abstract, links=find_links(abstract), line=line)


class _Pairing:
    """The state of parse_listing: papers so far and the paragraphs seen since the last."""

    def __init__(self) -> None:
        self.result = ParseResult(format="listing", drafts=[])
        self.pending: list[_Para] = []
        self.abstracts_seen = 0

    def skip_pending(self) -> None:
        for p in self.pending:
            shown = p.text if len(p.text) <= 60 else p.text[:57] + "..."
            self.result.skipped.append(Skipped(p.line, f"not a title or abstract: {shown!r}"))

    def take(self, para: _Para) -> None:
        pending = self.pending
        text = para.text
        # Short lines grouped without blank lines are separate lines of clutter
        # or a title wrapped over two or three lines: keep them as candidates.
        if not _abstract_like(text) or (
            len(para.lines) <= 3 and not text.endswith(".") and para.title_like
        ):
            if len(para.lines) > 1 and not para.title_like:
                for offset, ln in enumerate(para.lines):
                    pending.append(_Para(para.line + offset, [ln]))
            else:
                pending.append(para)
            return
        self.abstracts_seen += 1
        candidates = [p for p in pending if p.title_like]
        split = _split_title(para) if len(para.lines) > 1 else 0
        if split and candidates and _capital_ratio(para.lines[0]) < 0.5:
            # A title above and a lower-case first line: the paragraph is all abstract.
            split = 0
        if not split and not candidates and _split_title(para, weak=True):
            # No title above, so the first line must be it, or the abstract is lost.
            split = 1
        title_para: _Para | None = None
        if split:
            title_para = _Para(para.line, para.lines[:split])
            body_lines = para.lines[split:]
            self.skip_pending()
        else:
            body_lines = para.lines
            if candidates:
                title_para = candidates[-1]
                index = pending.index(title_para)
                self.pending = pending[:index] + pending[index + 1 :]
            self.skip_pending()
        self.pending = []
        if title_para is None:
            shown = text[:57] + "..." if len(text) > 60 else text
            self.result.skipped.append(
                Skipped(para.line, f"text with no title before it: {shown!r}")
            )
            return
        abstract = _join(body_lines)
        self.result.drafts.append(_draft(title_para.lines, title_para.line, abstract))


def _is_long_abstract(stripped: str) -> bool:
    """A one-line block that is an abstract whatever comes before it (too long for
    a title, or long and ending in a full stop)."""
    size = len(stripped)
    return size > 400 or (size >= 300 and stripped.endswith("."))


def _pair_blocks(text: str, line: int, state: _Pairing) -> None:
    """Feed the paragraphs of ``text`` (whose first line is ``line``) to ``state``."""
    drafts = state.result.drafts
    # Splitting on "\n\n" runs at C speed. Most blocks are then one line: a title
    # or an abstract. The two commonest cases are decided here, inline (a 100,000
    # paper listing has 200,000 such blocks); the rest goes through take(), which
    # decides every case and gives the same answer for these two.
    for block in text.split("\n\n"):
        if "\n" in block:
            for para in _block_paras(block, line):
                state.take(para)
            line += block.count("\n") + 2
            continue
        stripped = block.strip()
        here = line
        line += 2
        if not stripped:
            continue
        if _is_long_abstract(stripped):
            # An abstract right after one title-like paragraph: a paper, and
            # nothing to skip.
            pending = state.pending
            if len(pending) == 1 and pending[0].title_like:
                title = pending[0]
                state.pending = []
                state.abstracts_seen += 1
                drafts.append(_draft(title.lines, title.line, stripped))
                continue
            state.take(_Para(here, [stripped]))
            continue
        if len(stripped) < 300:
            words = _words(stripped)
            if words < 8 or (words < 40 and not _has_sentence_end(stripped)):
                # Not abstract-like: a candidate title (or clutter, decided later).
                state.pending.append(_Para(here, [stripped], words))
                continue
        state.take(_Para(here, [stripped]))


def _finish(state: _Pairing, titles_only: bool) -> ParseResult:
    """What is left pending at the end of the text; ``titles_only``: the text may
    be a list of titles (when no abstract was seen)."""
    result = state.result
    if titles_only and state.abstracts_seen == 0:
        # A list of titles only (a conference programme): each title-like line
        # of three or more words is a paper.
        for p in state.pending:
            for offset, ln in enumerate(p.lines):
                ln = ln.strip()
                if _title_like(ln) and _words(ln) >= 3:
                    result.drafts.append(_draft([ln], p.line + offset, ""))
                else:
                    shown = ln if len(ln) <= 60 else ln[:57] + "..."
                    result.skipped.append(
                        Skipped(p.line + offset, f"not a title or abstract: {shown!r}")
                    )
    else:
        state.skip_pending()
    result.skipped.sort(key=lambda s: s.line)
    return result


def parse_listing(text: str) -> ParseResult:
    """Parse a plain-text listing into drafts; never raises on any text."""
    state = _Pairing()
    _pair_blocks(text, 1, state)
    return _finish(state, titles_only=True)


def _safe_cut(text: str, start: int) -> int:
    """The first place at or after ``start`` where the listing parser starts afresh,
    or -1: a blank line (exactly one, so that the text after it splits into the
    same blocks as in the whole) right after a one-line paragraph that is an
    abstract whatever comes before it. That paragraph empties the pending ones,
    so the text after it parses the same on its own."""
    end = len(text)
    p = text.find("\n\n", start)
    while p != -1 and p + 2 < end:
        if text[p - 1] != "\n" and text[p + 2] != "\n":
            q = text.rfind("\n", 0, p) + 1  # where the block's one line starts
            if q >= 2 and text[q - 2] == "\n":
                if _is_long_abstract(text[q:p].strip()):
                    return p
        p = text.find("\n\n", p + 1)
    return -1


def listing_pieces(text: str, size: int) -> Iterator[tuple[int, int, int]]:
    """Where to cut ``text`` into pieces of about ``size`` characters or more that
    parse_piece() parses one by one to what parse_listing(text) gives: (start,
    end, number of the first line) of each piece."""
    start, line = 0, 1
    while True:
        cut = _safe_cut(text, start + size) if start + size < len(text) else -1
        end = len(text) if cut < 0 else cut
        yield start, end, line
        if cut < 0:
            return
        line += text.count("\n", start, end) + 2
        start = cut + 2


def parse_piece(piece: str, line: int, first: bool) -> ParseResult:
    """parse_listing() of one piece from listing_pieces (``first``: the first one,
    the only one that may be a list of titles: the others follow an abstract)."""
    state = _Pairing()
    _pair_blocks(piece, line, state)
    return _finish(state, titles_only=first)
