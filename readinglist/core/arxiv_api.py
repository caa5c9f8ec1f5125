"""Metadata from arXiv's public API (export.arxiv.org/api/query), politely.

Only this module talks to the network. It finds, for papers of the library, the
arXiv entry that is certainly the same paper; the Library applies what it found
in one transaction. Matching is deliberately strict: attaching the wrong paper
is worse than attaching none, so anything uncertain is reported, not applied.

Good citizenship (https://info.arxiv.org/help/api/tou.html): one request every
3 seconds from this process, a descriptive User-Agent, backoff on 429/503
(honouring Retry-After), and a cache of answers in the library folder.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readinglist import __version__
from readinglist.core.errors import BadInput, UserError
from readinglist.core.importers.bibliographic import parse_atom
from readinglist.core.latex import latex_to_text
from readinglist.core.models import PaperDraft
from readinglist.core.text import title_key

DEFAULT_API = "https://export.arxiv.org/api/query"
ENV_API = "READINGLIST_ARXIV_API"
USER_AGENT = (
    f"Readinglist/{__version__} (desktop reading-list manager; "
    "fills missing metadata of papers in a personal library; Python urllib)"
)
MIN_INTERVAL = 3.0  # seconds between requests, as arXiv asks
IDS_PER_REQUEST = 100
CACHE_DAYS = 7
RETRIES = 4
ABSTRACT_AGREEMENT = 0.9  # word-level similarity; arXiv versions reword a little


class ArxivUnreachable(UserError):
    """The API could not be reached or kept failing; nothing was changed."""


class Cancelled(UserError):
    """The user cancelled; nothing was changed."""


@dataclass
class Wanted:
    """What we know of a paper we want to complete (a snapshot, no database)."""

    id: int
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    arxiv_id: str | None = None

    @classmethod
    def of(cls, paper: Any) -> Wanted:
        """A snapshot of a library paper (safe to hand to another thread)."""
        return cls(paper.id, paper.title, paper.abstract, list(paper.authors), paper.arxiv_id)


@dataclass
class Finding:
    paper_id: int
    title: str
    draft: PaperDraft | None = None  # set when the match is certain
    reason: str = ""  # why nothing is applied, when draft is None


@dataclass
class Lookup:
    findings: list[Finding]
    feeds: list[str]  # every response body used, kept with the import batch
    source: str  # the API address asked
    requests: int = 0  # made over the network (cache hits excluded)


# When the last request went out, per clock, for the whole process: two runs
# (or two clients) never burst. Keyed by clock so a test's virtual clock never
# mixes with the real one.
_last_request: dict[Callable[[], float], float] = {}
_rate_lock = threading.Lock()


def api_url(setting: str | None = None) -> str:
    """The environment variable wins over the stored setting, like --library."""
    return os.environ.get(ENV_API) or setting or DEFAULT_API


class Client:
    """Rate-limited, cached, retrying GET of Atom feeds."""

    def __init__(
        self,
        base_url: str = DEFAULT_API,
        cache_dir: Path | None = None,
        min_interval: float = MIN_INTERVAL,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise UserError(f"the arXiv API address must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url
        self.cache_dir = cache_dir
        self.min_interval = min_interval
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.cancelled = cancelled
        self.requests = 0

    def url(self, params: dict[str, str]) -> str:
        return f"{self.base_url}?{urllib.parse.urlencode(params)}"

    def get(self, params: dict[str, str]) -> str:
        """The feed for ``params``: from the cache when fresh, else over the network."""
        url = self.url(params)
        cached = self._cached(url)
        if cached is not None:
            return cached
        body = self._fetch(url)
        self._store(url, body)
        return body

    def _fetch(self, url: str) -> str:
        import urllib.error  # here, not at the top: `readinglist list` stays fast
        import urllib.request

        delay = self.min_interval
        for attempt in range(RETRIES + 1):
            if self.cancelled():
                raise Cancelled("cancelled; nothing was changed")
            with _rate_lock:
                last = _last_request.get(self.clock)
                if last is not None:
                    wait = last + self.min_interval - self.clock()
                    if wait > 0:
                        self.sleep(wait)
                _last_request[self.clock] = self.clock()
            self.requests += 1
            request = urllib.request.Request(
                url, headers={"User-Agent": USER_AGENT, "Accept": "application/atom+xml"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return str(response.read().decode("utf-8", "replace"))
            except urllib.error.HTTPError as exc:
                body = exc.read().decode("utf-8", "replace")
                if exc.code in (429, 500, 502, 503, 504) and attempt < RETRIES:
                    self.sleep(_retry_after(exc.headers.get("Retry-After"), delay))
                    delay *= 2
                    continue
                if exc.code == 400 and "<feed" in body:
                    return body  # arXiv explains bad queries in an Atom error entry
                raise ArxivUnreachable(
                    f"the arXiv API at {self.base_url} answered HTTP {exc.code} "
                    f"({exc.reason}); nothing was changed"
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt < RETRIES and isinstance(reason, TimeoutError):
                    self.sleep(delay)
                    delay *= 2
                    continue
                raise ArxivUnreachable(
                    f"cannot reach the arXiv API at {self.base_url} ({reason}); "
                    "are you offline? Nothing was changed"
                ) from None
        raise ArxivUnreachable(f"the arXiv API at {self.base_url} kept failing")

    # The cache holds successful answers only, one file per URL, written
    # atomically, so a crash never leaves half a feed behind.
    def _cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".xml")

    def _cached(self, url: str) -> str | None:
        path = self._cache_path(url)
        if path is None or not path.exists():
            return None
        if time.time() - path.stat().st_mtime > CACHE_DAYS * 86400:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def _store(self, url: str, body: str) -> None:
        path = self._cache_path(url)
        if path is None or "<feed" not in body:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(body, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(max(float(header or ""), 0.0), 300.0)
    except ValueError:
        return default


def _entries(body: str) -> tuple[list[PaperDraft], str | None]:
    """The papers of a feed, and the error arXiv reported, if any."""
    try:
        result = parse_atom(body)
    except BadInput as exc:
        if "feed is empty" in str(exc):
            return [], None
        return [], f"the arXiv API sent something that is not a feed: {exc}"
    error = next((s.reason for s in result.skipped if "reported an error" in s.reason), None)
    return result.drafts, error


def _words(text: str) -> list[str]:
    return title_key(latex_to_text(text)).split()


def abstracts_agree(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    return matcher.quick_ratio() >= ABSTRACT_AGREEMENT and matcher.ratio() >= ABSTRACT_AGREEMENT


def _authors_agree(mine: list[str], theirs: list[str]) -> bool:
    def family(name: str) -> str:
        return title_key(name.split(",")[0] if "," in name else (name.split() or [""])[-1])

    return bool({family(a) for a in mine} & {family(a) for a in theirs})


def title_query(title: str) -> str:
    """``ti:"..."`` over the title's words: quotes, colons and brackets would
    change the query's meaning, so only words are sent."""
    return f'ti:"{" ".join(_words(title))}"'


def judge(wanted: Wanted, candidates: Iterable[PaperDraft]) -> Finding:
    """The one candidate that is certainly the paper, or why there is none."""
    candidates = list(candidates)
    key = title_key(latex_to_text(wanted.title))
    same_title = [c for c in candidates if title_key(latex_to_text(c.title)) == key]
    if not same_title:
        near = max(
            candidates,
            key=lambda c: difflib.SequenceMatcher(None, key, title_key(c.title)).ratio(),
            default=None,
        )
        reason = "not found on arXiv by title"
        if near is not None:
            reason = f"no arXiv title matches exactly; closest: {near.title!r} (left alone)"
        return Finding(wanted.id, wanted.title, reason=reason)

    def left(reason: str) -> Finding:
        return Finding(wanted.id, wanted.title, reason=reason)

    if wanted.abstract:
        agreeing = [c for c in same_title if abstracts_agree(wanted.abstract, c.abstract)]
        if not agreeing:
            return left("an arXiv paper has this title but a different abstract (left alone)")
    elif wanted.authors:
        agreeing = [c for c in same_title if _authors_agree(wanted.authors, c.authors)]
        if not agreeing:
            return left("an arXiv paper has this title but other authors (left alone)")
    else:
        return left("same title on arXiv, but no abstract or authors here to confirm it")
    if len({c.arxiv_id for c in agreeing}) > 1:
        ids = ", ".join(sorted(str(c.arxiv_id) for c in agreeing))
        return Finding(wanted.id, wanted.title, reason=f"several arXiv papers match ({ids})")
    return Finding(wanted.id, wanted.title, draft=agreeing[0])


def look_up(
    wanted: list[Wanted],
    client: Client,
    progress: Callable[[int, int], None] | None = None,
) -> Lookup:
    """Find each paper on arXiv: by id in batches, else by exact title."""
    findings: list[Finding] = []
    feeds: list[str] = []
    with_id = [w for w in wanted if w.arxiv_id]
    by_title = [w for w in wanted if not w.arxiv_id]
    steps = (len(with_id) + IDS_PER_REQUEST - 1) // IDS_PER_REQUEST + len(by_title)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    for start in range(0, len(with_id), IDS_PER_REQUEST):
        chunk = with_id[start : start + IDS_PER_REQUEST]
        body = client.get(
            {
                "id_list": ",".join(str(w.arxiv_id) for w in chunk),
                "start": "0",
                "max_results": str(len(chunk)),
            }
        )
        feeds.append(body)
        drafts, error = _entries(body)
        found = {d.arxiv_id: d for d in drafts if d.arxiv_id}
        for w in chunk:
            draft = found.get(w.arxiv_id or "")
            if draft is None:
                reason = f"arXiv:{w.arxiv_id} not found on arXiv"
                if error:
                    reason += f" ({error})"
                findings.append(Finding(w.id, w.title, reason=reason))
            elif w.title and not _titles_close(w.title, draft.title):
                findings.append(
                    Finding(
                        w.id,
                        w.title,
                        reason=f"arXiv:{w.arxiv_id} is titled {draft.title!r}, not this "
                        "title; check the id (left alone)",
                    )
                )
            else:
                findings.append(Finding(w.id, w.title, draft=draft))
        step()

    for w in by_title:
        if not _words(w.title):
            findings.append(Finding(w.id, w.title, reason="no title words to search for"))
            step()
            continue
        body = client.get({"search_query": title_query(w.title), "start": "0", "max_results": "10"})
        feeds.append(body)
        drafts, error = _entries(body)
        finding = judge(w, drafts)
        if error and finding.draft is None:
            finding.reason = f"{finding.reason} ({error})"
        findings.append(finding)
        step()
    return Lookup(findings, feeds, client.base_url, client.requests)


def _titles_close(a: str, b: str) -> bool:
    """Ids are authoritative, but a title that is nothing like arXiv's says the id
    was mistyped; versions often reword a title a little, so this is loose."""
    ka, kb = title_key(latex_to_text(a)), title_key(latex_to_text(b))
    return ka == kb or difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.75
