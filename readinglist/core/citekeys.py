"""Citation keys in the style of Better BibTeX: ``vaswaniAttentionAllYou2017``.

Keys are ASCII letters and digits only, so BibTeX, biber and every parser take them.
"""

from __future__ import annotations

import re
import unicodedata

from readinglist.core.latex import latex_accents_to_unicode

# Better BibTeX's skip words (function words that do not make a title memorable).
SKIP_WORDS = frozenset(
    """a ab aboard about above across after against al along amid among an and anti
    around as at before behind below beneath beside besides between beyond but by d
    da das de del dell dello dei degli della des di do du during ein eine einem einen
    einer eines el en et except excepting excluding following for from in inside into
    is are be its it like l la las le les lo los near nor of off on onto or over past
    per plus round save since so some sur than that the their this through to toward
    towards un una unas under underneath une unlike uno unos until up upon versus via
    von vs was we what when where which while who with within without yet""".split()
)
_NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv|v)\.?$", re.IGNORECASE)


def ascii_fold(text: str) -> str:
    text = latex_accents_to_unicode(text) if "\\" in text else text
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l")
    text = text.replace("Ł", "L").replace("æ", "ae").replace("Æ", "AE").replace("œ", "oe")
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii")


def family_name(author: str) -> str:
    """The family name of an author written "Given Family" or "Family, Given"."""
    author = author.strip()
    if "," in author:
        first, rest = author.split(",", 1)
        if not _NAME_SUFFIX.match(rest.strip()):
            return first.strip()
        author = first
    parts = [p for p in author.split() if not _NAME_SUFFIX.match(p)]
    return parts[-1] if parts else ""


_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _clean_words(text: str) -> list[str]:
    if "\\" in text or "$" in text:
        text = _LATEX_COMMAND.sub(" ", text).replace("$", "")  # LaTeX commands, math
    if not text.isascii():
        text = ascii_fold(text)
    return _WORD.findall(text)


def base_key(title: str, authors: list[str], year: int | None) -> str:
    """The key before any collision suffix."""
    words: list[str] = []
    for w in _clean_words(title):
        if w.lower() not in SKIP_WORDS:
            words.append(w)
            if len(words) == 3:
                break
    short = "".join(w[:1].upper() + w[1:] for w in words)
    name = ""
    if authors:
        name = "".join(_clean_words(family_name(authors[0]))).lower()
    key = name + short + (str(year) if year else "")
    if not key:
        key = "paper"
    if key[0].isdigit():
        # BibTeX accepts it, but some tools and \cite completion do not.
        key = "p" + key
    return key[:60]


def unique_key(base: str, taken: set[str]) -> str:
    """``base``, else ``base`` + a, b ... z, aa, ab ...: the first not in ``taken`` (lowered)."""
    if base.lower() not in taken:
        return base
    n = 0
    while True:
        suffix = ""
        m = n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        candidate = base + suffix
        if candidate.lower() not in taken:
            return candidate
        n += 1
