"""Text helpers shared by the importers and the Library: decoding, keys, ids, links.

LaTeX is read and written in :mod:`readinglist.core.latex`.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from readinglist.core.errors import BadInput
from readinglist.core.latex import latex_accents_to_unicode

#: Largest input accepted by import. The brief asks for at least 50 MB; a
#: generated 100,000-paper listing with full abstracts is about 120 MB.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
#: Longest abstract kept (characters). Real abstracts are under 5,000; a listing
#: of a million lines with no blank line once became one paper with a 100 MB
#: abstract, after which every index command stalled.
MAX_ABSTRACT_CHARS = 64 * 1024


def capped_abstract(abstract: str, title: str) -> tuple[str, str]:
    """The abstract as stored (cut at MAX_ABSTRACT_CHARS) and a warning, or "",
    naming the paper."""
    if len(abstract) <= MAX_ABSTRACT_CHARS:
        return abstract, ""
    shown = title if len(title) <= 80 else title[:80] + "…"
    return abstract[:MAX_ABSTRACT_CHARS], (
        f"the abstract of “{shown}” was cut to its first {MAX_ABSTRACT_CHARS:,} characters "
        f"(it had {len(abstract):,}: probably several papers run together)"
    )


_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "program (ELF executable)"),
    (b"MZ", "program (Windows executable)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document"),
    (b"RIFF", "RIFF media file"),
    (b"OggS", "Ogg media file"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
    (b"wOFF", "web font"),
]


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined are control characters in latin-1;
    # map them to nothing visible rather than failing the whole file.
    assert isinstance(err, UnicodeDecodeError)
    return ("", err.end)


codecs.register_error("readinglist-cp1252", _cp1252_fallback)

_MOJIBAKE = re.compile("[ÂÃâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


def decode(data: bytes, name: str = "input", notes: list[str] | None = None) -> str:
    """Turn the bytes of a file into text, or raise BadInput saying why not.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such;
    anything else that is not valid UTF-8 is read as Windows-1252, which is
    what text copied on Windows and saved as "ANSI" is, and a superset of
    latin-1 for printable characters (so ’ and – come out right, never U+0092).
    A UTF-8 file spoilt by a few bad bytes stays UTF-8, each bad byte replaced by
    U+FFFD, and ``notes`` gets a line saying so.
    """
    if len(data) > MAX_IMPORT_BYTES:
        mb = len(data) / 1024 / 1024
        limit = MAX_IMPORT_BYTES // 1024 // 1024
        raise BadInput(f"{name} is too large to import ({mb:.0f} MB; the limit is {limit} MB)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput(f"{name} claims to be UTF-16 but is not valid UTF-16") from None
        return _clean(text, name)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BadInput(f"not a listing or bibliography: {name} is binary ({kind})")
    head = data[:65536]
    if b"\x00" in head:
        raise BadInput(f"not a listing or bibliography: {name} is binary (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lenient = _mostly_utf8(data, name, exc, notes)
        text = lenient if lenient is not None else _decode_legacy(data)
    else:
        text = _repair_mojibake(text)
    return _clean(text, name)


def _mostly_utf8(
    data: bytes, name: str, first: UnicodeDecodeError, notes: list[str] | None
) -> str | None:
    """The text, when ``data`` is UTF-8 but for a few bad bytes (a file cut or
    concatenated badly): most of its non-ASCII bytes form valid UTF-8. Windows-1252
    text fails on nearly every non-ASCII byte, so it is not taken for this."""
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(data.translate(None, bytes(range(128))))
    if bad > max(3, len(data) // 100_000) or non_ascii <= 3 * bad:
        return None
    if notes is not None:
        where = text.count("\n", 0, text.index("\ufffd")) + 1
        notes.append(
            f"{name} is UTF-8 but for {bad} bad byte{'s' if bad > 1 else ''} (first at "
            f"line {where}, byte {first.start:,}), each read as \ufffd"
        )
    return text


_CONTROLS = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST (window titles, links)
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves)
    r"|\x1b[@-Z\\-_]?"  # other escapes
    r"|[\x00-\x08\x0b\x0e-\x1f\x7f]"  # other C0 controls but tab, newline, FF, CR
)


def strip_controls(text: str) -> str:
    """Text without terminal control sequences (ESC, BEL, OSC) and other control
    characters, as a paste from a terminal brings them."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", text)


_CJK_CLASS = "[\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7af]"


@functools.cache
def _cjk() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The CJK patterns (one character, a run of two, one touching a Latin letter,
    one inside a Latin word), compiled when first needed: compiling these ranges
    takes 6 ms, a fifth of what the window's imports cost."""
    c = _CJK_CLASS
    return (
        re.compile(c),
        re.compile(c + "{2}"),
        re.compile(f"(?<=[A-Za-z]){c}|{c}(?=[A-Za-z])"),
        re.compile(f"[A-Za-z]{c}[A-Za-z]"),
    )


def _decode_legacy(data: bytes) -> str:
    """Bytes that are not UTF-8: Chinese GBK when that reads cleanly as CJK text,
    else Windows-1252 (what Western "ANSI" files are)."""
    try:
        gbk = data.decode("gb18030")
    except UnicodeDecodeError:
        gbk = ""
    if gbk:
        cjk_char, cjk_run, by_letter, in_word = _cjk()
        non_ascii = [ch for ch in gbk if ord(ch) > 127]
        mostly_cjk = bool(non_ascii) and (
            sum(1 for ch in non_ascii if cjk_char.match(ch)) / len(non_ascii) > 0.8
        )
        # Latin-1 text read as GBK puts one CJK character inside a Latin word
        # ("Schr鰀inger"); real Chinese text does not.
        cjk = cjk_char.findall(gbk)
        touching = len(by_letter.findall(gbk))
        if (
            mostly_cjk
            and not in_word.search(gbk)
            and cjk_run.search(gbk)
            and touching < len(cjk) / 2
        ):
            return gbk
    return data.decode("cp1252", errors="readinglist-cp1252")


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was once decoded as cp1252 ("Ã©" for "é"), when that is certain."""
    if not _MOJIBAKE.search(text):
        return text
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed


def _clean(text: str, name: str) -> str:
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:65536]
    if sample:
        controls = sum(1 for ch in sample if ch < " " and ch not in "\n\t\f\v")
        if controls > max(8, len(sample) // 100):
            raise BadInput(
                f"not a listing or bibliography: {name} is binary (it is mostly control characters)"
            )
    return text


# --- keys used to recognise the same paper ---------------------------------------

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


# ASCII letters lowered, digits kept, every other byte a space: for ASCII titles,
# bytes.translate and split do what _NON_WORD does, four times faster.
_ASCII_KEY = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32 for c in range(256)
)


def title_key(title: str) -> str:
    """A key equal for titles that differ only in case, punctuation, spacing or Unicode form."""
    if title.isascii() and "\\" not in title:
        return b" ".join(title.encode("ascii").translate(_ASCII_KEY).split()).decode("ascii")
    text = latex_accents_to_unicode(title) if "\\" in title else title
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return _NON_WORD.sub(" ", text).strip()


_ARXIV_NEW = re.compile(r"(?i)^(?:arxiv:)?\s*(\d{4}\.\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"(?i)^(?:arxiv:)?\s*([a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


def normalize_arxiv_id(value: str | None) -> str | None:
    """``arXiv:2410.13842v2`` -> ``2410.13842``; old style ids keep their archive."""
    if not value:
        return None
    value = value.strip()
    value = re.sub(r"(?i)^https?://(?:www\.)?(?:export\.)?arxiv\.org/(?:abs|pdf)/", "", value)
    value = re.sub(r"(?i)\.pdf$", "", value)
    m = _ARXIV_NEW.match(value)
    if m:
        return m.group(1)
    m = _ARXIV_OLD.match(value)
    if m:
        return m.group(1).lower() if "/" in m.group(1) else m.group(1)
    return None


# An arXiv id wherever writers put it: "arXiv preprint arXiv:1810.04805" (Google
# Scholar), "ArXiv:1607.06450", "arXiv e-prints", ".../abs/ID", the DataCite DOI
# "10.48550/arXiv.ID".
_ID = r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.\-]*/\d{7}(?:v\d+)?)"
_ARXIV_IN_TEXT = re.compile(
    r"(?i)arxiv(?:\.org/(?:abs|pdf)/|[\s.:,]*(?:e-?prints?|preprint)?[\s:,]*(?:arxiv)?"
    r"[\s:]*(?:abs/)?)" + _ID
)


def arxiv_ids_in_text(text: str) -> list[str]:
    """Every arXiv id ``text`` names after the word arXiv (or in an arxiv.org link)."""
    found: list[str] = []
    for m in _ARXIV_IN_TEXT.finditer(text):
        arxiv_id = normalize_arxiv_id(m.group(1))
        if arxiv_id and arxiv_id not in found:
            found.append(arxiv_id)
    return found


def arxiv_year(arxiv_id: str) -> int | None:
    """The year of first submission encoded in an arXiv id."""
    m = re.search(r"(\d{2})(\d{2})[.\d]*$", arxiv_id.split("/")[-1])
    if not m:
        return None
    yy = int(m.group(1))
    return 1900 + yy if yy >= 91 else 2000 + yy


def normalize_doi(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    value = re.sub(r"(?i)^(?:https?://)?(?:dx\.)?doi\.org/", "", value)
    value = re.sub(r"(?i)^doi:\s*", "", value)
    value = value.strip().rstrip(".,;")
    if not re.match(r"^10\.\d{4,9}/\S+$", value):
        return None
    return value


_LINK_RE = re.compile(r"(?:https?://|www\.|github\.com/)[^\s<>\"'`]+", re.IGNORECASE)


def find_links(text: str) -> list[str]:
    """URLs in an abstract (code, project pages), in order, without duplicates."""
    # Plain substring tests run at memchr speed; a regex scan of every abstract does not.
    # Every URL this finds holds a "/" (memchr) or "www.", so most abstracts
    # are done after two scans.
    if "/" not in text and "www." not in text:
        return []
    if "http" not in text and "www." not in text and "github.com" not in text:
        return []
    out: list[str] = []
    for m in _LINK_RE.finditer(text):
        url = m.group(0).rstrip(".,;:)]}")
        # A closing paren that belongs to the URL (wikipedia style) is kept.
        if url.count("(") > url.count(")") and m.group(0)[len(url) : len(url) + 1] == ")":
            url += ")"
        if not url.lower().startswith("http"):
            url = "https://" + url
        if url not in out:
            out.append(url)
    return out


_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_SUSPENDED = frozenset(("and", "or", "nor", "to", "vs", "vs.", "versus", "as"))


def join_wrapped(text: str, line: str) -> str:
    """``text`` and the next hard-wrapped ``line``: one space between them, none when
    a word was wrapped at its hyphen ("pixel-" + "wise" is "pixel-wise")."""
    line = line.strip()
    if not text:
        return line
    if not line:
        return text
    if line[:1].islower() and _HYPHEN_END.search(text):
        # A suspended hyphen keeps its space: "scaffold- and fragment-level".
        if line.split(" ", 1)[0].rstrip(",;") not in _SUSPENDED:
            return text + line
    return text + " " + line


def join_lines(lines: Iterable[str]) -> str:
    """Hard-wrapped lines as one line (see join_wrapped), spaces squashed. Linear
    in the text: 100,000 lines run together (a pasted log) must not take minutes."""
    lines = list(lines)
    joined = " ".join(lines)
    if "- " not in joined:  # the usual case, at C speed: no line ends in a hyphen
        return squash_spaces(joined)
    pieces: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if pieces and line[:1].islower() and _HYPHEN_END.search(pieces[-1]):
            if line.split(" ", 1)[0].rstrip(",;") not in _SUSPENDED:
                pieces[-1] += line  # only the last piece grows, and it is short
                continue
        pieces.append(line)
    return squash_spaces(" ".join(pieces))


def squash_spaces(text: str) -> str:
    return " ".join(text.split())


def mail_date(text: str) -> datetime | None:
    """An e-mail style date ("Tue, 20 Jan 2026 17:44:29 GMT", as arXiv mailings
    write a revision's), always with a zone, or None when it is not one."""
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    # "-0000" parses naive; naive and aware dates do not compare.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def revision_label(revised: object) -> str:
    """How a paper's latest revision reads in the app: "revised 20 Jan 2026"."""
    if not isinstance(revised, str) or not revised:
        return ""
    at = mail_date(revised)
    return f"revised {at.day} {at:%b %Y}" if at else "revised"
