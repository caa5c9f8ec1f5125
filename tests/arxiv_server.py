"""A real HTTP server on 127.0.0.1 that answers like the arXiv API, from the
recorded responses in ../shared/corpora/arxiv-atom-api/.

- A request whose ``id_list`` or ``search_query`` equals a recorded one gets that
  recording back byte for byte, with its status (the 400 error feed, the empty
  feed, the two-ids-one-returned feed, the 100-entry "testing" search).
- Other id lists are answered from a catalogue of every <entry> in the
  recordings; ``ti:"..."`` searches match catalogue titles containing all the
  words (arXiv's title search is loose like that). The feed around them is the
  recorded empty feed with its count changed.
- Tests may add entries (``add_entry``): the recordings share no paper with the
  Hugging Face listing, so a test that completes that listing must say what the
  server knows. Those entries are built from a recorded entry, field by field.
- ``fail_with`` queues error statuses (with Retry-After) for the next requests.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from support import corpus

_ENTRY = re.compile(r"  <entry>.*?</entry>\n", re.DOTALL)
_ID = re.compile(r"<id>https?://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class ArxivServer:
    def __init__(self) -> None:
        folder = corpus("arxiv-atom-api/PROVENANCE.md").parent
        self.recorded: dict[tuple[str, str], tuple[int, str]] = {}
        self.catalogue: dict[str, str] = {}
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(record["url"]).query)
            if query.get("id_list", [""])[0]:
                key = ("id_list", query["id_list"][0])
            else:
                key = ("search_query", query["search_query"][0])
            self.recorded[key] = (record["status_code"], record["body"])
            for entry in _ENTRY.findall(record["body"]):
                m = _ID.search(entry)
                if m:
                    self.catalogue[m.group(1)] = entry
        self.empty_feed = self.recorded[("id_list", "0000.0000")][1]
        self.template = self.catalogue["1605.08386"]
        self.requests: list[dict[str, str]] = []
        self.failures: list[tuple[int, str | None] | None] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/query"

    def __enter__(self) -> ArxivServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_with(
        self, status: int, retry_after: str | None = None, times: int = 1, after: int = 0
    ) -> None:
        """The next ``times`` requests, after ``after`` normal ones, get ``status``."""
        self.failures.extend([None] * after + [(status, retry_after)] * times)

    def add_entry(
        self,
        arxiv_id: str,
        title: str,
        summary: str,
        authors: list[str],
        published: str,
        category: str = "cs.CL",
    ) -> None:
        """An entry shaped like the recorded ones; the summary is hard-wrapped and
        indented the way arXiv sends it."""
        wrapped = "\n  ".join(
            " ".join(summary.split()[i : i + 12]) for i in range(0, len(summary.split()), 12)
        )
        names = "".join(
            f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in authors
        )
        entry = (
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{arxiv_id}v1</id>\n"
            f"    <title>{escape(title)}</title>\n"
            f"    <updated>{published}T17:59:46Z</updated>\n"
            f'    <link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" '
            'type="text/html"/>\n'
            f"    <summary>  {escape(wrapped)}\n</summary>\n"
            f'    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>\n'
            f"    <published>{published}T17:59:46Z</published>\n"
            f'    <arxiv:primary_category term="{category}"/>\n'
            f"{names}"
            "  </entry>\n"
        )
        self.catalogue[arxiv_id] = entry

    def feed(self, entries: list[str]) -> str:
        body = self.empty_feed.replace(
            "<opensearch:totalResults>0</opensearch:totalResults>",
            f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>",
        )
        return body.replace("</feed>", "".join(entries) + "</feed>")

    def answer(self, query: dict[str, str]) -> tuple[int, str]:
        id_list = query.get("id_list", "")
        search = query.get("search_query", "")
        key = ("id_list", id_list) if id_list else ("search_query", search)
        if key in self.recorded:
            return self.recorded[key]
        if id_list:
            found = [self.catalogue[i] for i in id_list.split(",") if i in self.catalogue]
            return 200, self.feed(found)
        m = re.fullmatch(r'ti:"(.*)"', search)
        if not m:
            return 200, self.feed([])
        wanted = set(_words(m.group(1)))
        hits = []
        for entry in self.catalogue.values():
            title = _TITLE.search(entry)
            if title and wanted <= set(_words(title.group(1))):
                hits.append(entry)
        return 200, self.feed(hits[: int(query.get("max_results", "10"))])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(split.query).items()}
                server.requests.append({**query, "user-agent": self.headers["User-Agent"]})
                if split.path != "/api/query":
                    status, body = 404, "not found"
                elif server.failures and server.failures[0] is not None:
                    status, retry_after = server.failures.pop(0)  # type: ignore[misc]
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.end_headers()
                    return
                else:
                    if server.failures:
                        server.failures.pop(0)
                    status, body = server.answer(query)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def free_port_url() -> str:
    """An address where nothing listens: the API is unreachable."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"
