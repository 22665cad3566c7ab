"""A loopback stand-in for the RIPE Atlas API v2: the real URL layout, on 127.0.0.1, in a thread.

It serves the test's result files as ``/api/v2/measurements/ID/results/``, the measurement as
``/api/v2/measurements/ID/``, probe metadata as ``/api/v2/probes/?id__in=`` in pages of two (``next``),
creates measurements on ``POST /api/v2/measurements/`` (only with the right ``Authorization: Key``), and
can answer 429 (with ``Retry-After``), 403 or 404 as the real API does. Every request is logged.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_KEY = "0a1b2c3d-test-key"


@dataclass
class FakeAtlas:
    results: dict[int, list[Any]] = field(default_factory=dict)
    """Measurement id → its result records."""
    probes: list[dict[str, Any]] = field(default_factory=list)
    status: dict[int, str] = field(default_factory=dict)
    target: dict[int, str] = field(default_factory=dict)
    rate_limited: int = 0
    """Answer this many requests with 429 first."""
    created_results: list[list[Any]] = field(default_factory=list)
    """For a created measurement: what its results are at poll 1, 2, ... (the last one stays)."""
    created: list[dict[str, Any]] = field(default_factory=list)
    """The POST bodies received."""
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(method, path, Authorization header) of every request."""
    polls: int = 0
    base_url: str = ""

    CREATED_ID = 90000001


class _Handler(BaseHTTPRequestHandler):
    atlas: FakeAtlas

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads ``atlas.requests``."""

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _limited(self) -> bool:
        atlas = self.atlas
        atlas.requests.append((self.command, self.path, self.headers.get("Authorization")))
        if atlas.rate_limited > 0:
            atlas.rate_limited -= 1
            self._send(429, {"error": {"detail": "Too many requests", "status": 429}}, {"Retry-After": "7"})
            return True
        return False

    def do_POST(self) -> None:
        if self._limited():
            return
        atlas = self.atlas
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/api/v2/measurements/":
            self._send(404, {"error": {"detail": "Not found.", "status": 404}})
            return
        if self.headers.get("Authorization") != f"Key {GOOD_KEY}":
            self._send(403, {"error": {"detail": "The provided API key does not exist", "status": 403}})
            return
        atlas.created.append(body)
        atlas.status[FakeAtlas.CREATED_ID] = "Ongoing"
        self._send(201, {"measurements": [FakeAtlas.CREATED_ID]})

    def do_GET(self) -> None:
        if self._limited():
            return
        url = urllib.parse.urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        query = urllib.parse.parse_qs(url.query)
        match parts:
            case ["api", "v2", "measurements", number, "results"] if number.isdigit():
                self._results(int(number))
            case ["api", "v2", "measurements", number] if number.isdigit():
                self._measurement(int(number))
            case ["api", "v2", "probes"]:
                self._probes(query)
            case _:
                self._send(404, {"error": {"detail": "Not found.", "status": 404}})

    def _known(self, number: int) -> bool:
        atlas = self.atlas
        if number in atlas.results or number in atlas.status:
            return True
        self._send(404, {"error": {"detail": "Not found.", "status": 404}})
        return False

    def _measurement(self, number: int) -> None:
        atlas = self.atlas
        if not self._known(number):
            return
        status = atlas.status.get(number, "Stopped")
        if number == FakeAtlas.CREATED_ID and atlas.polls >= len(atlas.created_results):
            status = "Stopped"
        self._send(200, {"id": number, "type": "traceroute", "af": 4, "protocol": "ICMP",
                         "target": atlas.target.get(number, "www.example.net"), "target_ip": "192.0.2.80",
                         "status": {"id": 2, "name": status}, "participant_count": None})

    def _results(self, number: int) -> None:
        atlas = self.atlas
        if not self._known(number):
            return
        if number == FakeAtlas.CREATED_ID:
            index = min(atlas.polls, len(atlas.created_results) - 1)
            atlas.polls += 1
            self._send(200, atlas.created_results[index] if index >= 0 else [])
            return
        self._send(200, atlas.results[number])

    def _probes(self, query: dict[str, list[str]]) -> None:
        atlas = self.atlas
        wanted = {int(i) for i in query.get("id__in", [""])[0].split(",") if i.isdigit()}
        page = int(query.get("page", ["1"])[0])
        matching = [probe for probe in atlas.probes if probe["id"] in wanted]
        chunk = matching[(page - 1) * 2: page * 2]
        more = len(matching) > page * 2
        ids = ",".join(str(i) for i in sorted(wanted))
        self._send(200, {"count": len(matching), "results": chunk, "previous": None,
                         "next": f"{atlas.base_url}/api/v2/probes/?id__in={ids}&page={page + 1}" if more
                         else None})


@contextmanager
def serve(atlas: FakeAtlas) -> Iterator[str]:
    """The fake API on 127.0.0.1 for the ``with`` block; yields its base URL."""
    handler = type("Handler", (_Handler,), {"atlas": atlas})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    atlas.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield atlas.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
