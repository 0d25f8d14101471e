"""A local HTTP server for the download tests (no internet: the hub's files in the shapes it
serves).

:func:`serving` runs any handler on 127.0.0.1 (a free port) in a thread. :class:`Hub` and
:func:`serve_hub` are the one Xena-like hub the download tests share: it honours ``Range``
(416 past the end) and ``If-Range`` (a validator that no longer matches gets the whole file,
status 200), sends an ETag / Last-Modified per file where told, records every request, and
follows a per-file script of misbehaviours. :func:`star_matrix_gz` makes a file in the shape
the GDC hub serves (``TCGA-ACC.star_tpm.tsv.gz``: an ``Ensembl_ID`` column of versioned
Ensembl ids by 16-character sample barcodes, log2(x+1) values), gzipped.
"""

from __future__ import annotations

import gzip
import math
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler] | Any, path: str = "/download/") -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Hub:
    """Server state shared with the handler: files, validators, scripted actions, requests.

    Actions (``script[name]``, consumed one per request, then ``always[name]``, else
    ``"ok"``): a number is that status (429 with ``Retry-After: 0``); ``"cut"``: half the
    body, then the connection closes; ``"stall"``: the same after ``stall_s`` seconds;
    ``"html"``: an HTML error page with status 200; ``"halfgz"``: half the file served as
    whole (its Content-Length matching); ``"ignore_range"``: the whole file, status 200,
    whatever ``Range`` asked. ``ignore_if_range``: ``Range`` is honoured even where
    ``If-Range`` names a validator the file no longer has (a server that splices).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)  # Last-Modified per file
    script: dict[str, list[str]] = field(default_factory=dict)
    always: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    ignore_if_range: bool = False
    stall_s: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def url(self, name: str) -> str:
        return self.base_url + urllib.parse.quote(name, safe="")

    def action(self, name: str, rng: str | None, if_range: str | None) -> str:
        """Record a request (``(name, Range, If-Range)``; ``"HEAD"`` for Range of a HEAD)
        and say what to do with it."""
        with self.lock:
            self.requests.append((name, rng, if_range))
            queue = self.script.get(name, [])
            return queue.pop(0) if queue else self.always.get(name, "ok")

    def ranges(self) -> list[tuple[str, str | None]]:
        """``(name, Range)`` of every request so far."""
        return [(name, rng) for name, rng, _ in self.requests]


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _status(self, code: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _validators(self, name: str) -> None:
            if name in hub.etags:
                self.send_header("ETag", hub.etags[name])
            if name in hub.modified:
                self.send_header("Last-Modified", hub.modified[name])

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
            rng, if_range = self.headers.get("Range"), self.headers.get("If-Range")
            action = hub.action(name, rng, if_range)
            body = hub.files.get(name)
            if body is not None and action == "html":  # a proxy's error page, status 200
                body = HTML_PAGE
            elif body is not None and action == "halfgz":  # cut, with a matching length
                body = body[: len(body) // 2]
            if action.isdigit() or body is None:
                code = int(action) if action.isdigit() else 404
                self._status(code, {"Retry-After": "0"} if code == 429 else None)
                return
            now = {hub.etags.get(name), hub.modified.get(name)} - {None}
            match = re.fullmatch(r"bytes=(\d+)-", rng or "")
            same = if_range is None or if_range in now or hub.ignore_if_range
            start = 0
            if match and same and action != "ignore_range":
                start = int(match[1])
                if start >= len(body):
                    self._status(416, {"Content-Range": f"bytes */{len(body)}"})
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self._validators(name)
            payload = body[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if action in ("cut", "stall"):
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                if action == "stall":
                    time.sleep(hub.stall_s)
                self.close_connection = True
                return
            self.wfile.write(payload)

        def do_HEAD(self) -> None:  # noqa: N802
            name = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
            hub.action(name, "HEAD", None)
            body = hub.files.get(name)
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Length", str(0 if body is None else len(body)))
            self.end_headers()

    return Handler


@contextmanager
def serve_hub() -> Iterator[Hub]:
    """A :class:`Hub` served on 127.0.0.1 (its ``base_url`` set) for the ``with`` block."""
    hub = Hub()
    with serving(_handler(hub)) as url:
        hub.base_url = url
        yield hub


def star_matrix_gz(n_bytes: int, *, seed: int = 0) -> bytes:
    """A gzipped STAR matrix as the GDC hub serves it, its text exactly ``n_bytes`` long.

    ``Ensembl_ID`` then 16-character sample barcodes (as many as a short file holds, up to
    8); rows of versioned Ensembl ids and log2(TPM+1) values. Stored uncompressed in the
    gzip stream (level 0), so the file's size follows ``n_bytes`` (about 23 bytes more).
    The last row's values carry trailing zeros to make the length exact.
    """
    rng = random.Random(seed)
    n_samples = max(1, min(8, (n_bytes // 3 - 11) // 17))
    header = "\t".join(["Ensembl_ID", *(f"TCGA-OR-A{0x5A0 + 7 * k + seed:03X}-01A"
                                          for k in range(n_samples))])
    lines = [header]
    size = len(header) + 1
    gene = 3
    while True:
        values = [f"{math.log2(rng.lognormvariate(1.0, 2.0) + 1):.4f}" for _ in range(n_samples)]
        row = "\t".join([f"ENSG{gene:011d}.{rng.randint(1, 20)}", *values])
        if size + len(row) + 1 > n_bytes:
            break
        lines.append(row)
        size += len(row) + 1
        gene += rng.randint(1, 400)
    if len(lines) < 2:
        raise ValueError(f"n_bytes={n_bytes} holds no row below the header")
    lacking, values = n_bytes - size, lines[-1].split("\t")
    for k in range(lacking):  # pad the last row's values (4.5523 -> 4.55230), evenly
        values[1 + k % n_samples] += "0"
    lines[-1] = "\t".join(values)
    text = ("\n".join(lines) + "\n").encode()
    assert len(text) == n_bytes
    return gzip.compress(text, compresslevel=0, mtime=0)
