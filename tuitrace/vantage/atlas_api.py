"""The few RIPE Atlas API v2 calls tuitrace makes, over ``urllib``, and what their failures mean.

Why not ``ripe.atlas.cousteau`` (RIPE's API client): it builds every URL as ``https://{server}{path}``, so
it cannot talk to the plain-HTTP loopback server the tests run the API's URL layout on (no test may reach
the internet); it turns every answer into ``(ok, body)``, losing the status code that tells a rate limit
(429, with ``Retry-After``) from a refused key (403) or an unknown measurement (404), which is exactly
what the user must be told; and it pins ``requests`` and ``websocket-client`` for four calls. The URL
layout here is the API's own (the same paths cousteau requests):

- ``GET  /api/v2/measurements/ID/``           the measurement (target, protocol, port, status)
- ``GET  /api/v2/measurements/ID/results/``   its results (a JSON list; a paged answer is followed)
- ``GET  /api/v2/probes/?id__in=1,2,3``       probe metadata (country, ASNs), paged by ``next``
- ``POST /api/v2/measurements/``              a one-off measurement, answered ``{"measurements": [ID]}``

The key goes in an ``Authorization: Key ...`` header, never in a URL (URLs end up in logs and errors).
Every answer is bounded in size and read as untrusted JSON.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tuitrace.enrich.inert import inert_text
from tuitrace.vantage.atlas_results import AtlasError, AtlasRateLimitError, ProbeInfo

ATLAS_URL = "https://atlas.ripe.net"
URL_ENV = "TUITRACE_ATLAS_URL"
"""Where the API is (tests point it at their loopback server); not an option, so not in --help."""
KEY_ENV = "RIPE_ATLAS_KEY"
MAX_ANSWER = 64 * 1024 * 1024
MAX_PAGES = 50
PROBES_PER_REQUEST = 100
TIMEOUT_S = 30.0

Opener = Callable[[urllib.request.Request, float], Any]


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - the base URL is http(s): checked in __init__


@dataclass(frozen=True, slots=True)
class Measurement:
    measurement_id: int
    target: str | None
    protocol: str | None
    port: int | None
    status: str
    """``Specified``, ``Scheduled``, ``Ongoing``, ``Stopped``, ``Failed`` ..."""
    participants: int | None

    @property
    def over(self) -> bool:
        return self.status in {"Stopped", "Forced to stop", "No suitable probes", "Failed", "Denied",
                               "Canceled", "Archived"}


class AtlasClient:
    def __init__(self, base_url: str = ATLAS_URL, key: str | None = None, opener: Opener = _open) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise AtlasError(f"{URL_ENV} must be an http(s) URL, not {inert_text(base_url)!r}")
        self._base = base_url.rstrip("/")
        self._key = key
        self._open = opener

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], *, with_key: bool = False) -> AtlasClient:
        key = environ.get(KEY_ENV) or None
        if with_key and key is None:
            raise AtlasError(f"--atlas-create needs an API key in the environment variable {KEY_ENV}"
                             " (never on the command line)")
        return cls(environ.get(URL_ENV) or ATLAS_URL, key)

    # -- calls ----------------------------------------------------------------------------------------
    def measurement(self, measurement_id: int) -> Measurement:
        body = self._json(f"/api/v2/measurements/{measurement_id}/", what=f"measurement {measurement_id}")
        if not isinstance(body, dict):
            raise AtlasError(f"RIPE Atlas answered measurement {measurement_id} with something else")
        status = body.get("status")
        name = status.get("name") if isinstance(status, dict) else None
        kind = body.get("type")
        if isinstance(kind, str) and kind != "traceroute":
            raise AtlasError(f"measurement {measurement_id} is a {inert_text(kind, 20)} measurement,"
                             " not a traceroute")
        port = body.get("port")
        count = body.get("participant_count")
        return Measurement(
            measurement_id,
            _text(body.get("target_ip")) or _text(body.get("target")),
            _text(body.get("protocol")),
            port if isinstance(port, int) and 0 < port < 65536 else None,
            inert_text(name, 40) if isinstance(name, str) else "unknown",
            count if isinstance(count, int) else None,
        )

    def results(self, measurement_id: int) -> bytes:
        """The raw results document (a JSON list); a paged answer's pages are joined into one list."""
        path: str | None = f"/api/v2/measurements/{measurement_id}/results/?format=json"
        pages: list[Any] = []
        for _ in range(MAX_PAGES):
            if path is None:
                break
            raw = self._get(path, what=f"measurement {measurement_id}")
            try:
                body = json.loads(raw)
            except ValueError:
                return raw  # JSON lines (``format=txt``): the parser reads those
            if isinstance(body, list):
                if not pages:
                    return raw
                pages.extend(body)
                break
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise AtlasError(f"RIPE Atlas answered the results of {measurement_id} with something else")
            pages.extend(body["results"])
            path = self._next(body.get("next"))
        return json.dumps(pages).encode()

    def probes(self, ids: Iterable[int]) -> dict[int, ProbeMeta]:
        """Country and ASNs per probe id, in requests of at most 100 ids, following ``next``."""
        wanted = sorted(set(ids))
        found: dict[int, ProbeMeta] = {}
        for start in range(0, len(wanted), PROBES_PER_REQUEST):
            chunk = ",".join(str(i) for i in wanted[start:start + PROBES_PER_REQUEST])
            path: str | None = f"/api/v2/probes/?id__in={chunk}"
            for _ in range(MAX_PAGES):
                if path is None:
                    break
                body = self._json(path, what="probes")
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise AtlasError("RIPE Atlas answered the probe list with something else")
                found.update(probe_metas(body["results"]))
                path = self._next(body.get("next"))
        return found

    def create(self, definition: Mapping[str, Any]) -> int:
        body = self._json("/api/v2/measurements/", what="the new measurement", data=definition)
        ids = body.get("measurements") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or not isinstance(ids[0], int):
            raise AtlasError("RIPE Atlas did not say which measurement it created")
        return int(ids[0])

    # -- HTTP ------------------------------------------------------------------------------------------
    def _next(self, value: object) -> str | None:
        """A page's ``next`` link, kept on our own server (an answer cannot send us elsewhere)."""
        if not isinstance(value, str) or not value:
            return None
        parsed = urllib.parse.urlsplit(value)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        return path if path.startswith("/api/v2/") else None

    def _json(self, path: str, *, what: str, data: Mapping[str, Any] | None = None) -> Any:
        raw = self._get(path, what=what, data=data)
        try:
            return json.loads(raw)
        except ValueError:
            raise AtlasError(f"RIPE Atlas answered {what} with something that is not JSON") from None

    def _get(self, path: str, *, what: str, data: Mapping[str, Any] | None = None) -> bytes:
        headers = {"Accept": "application/json", "User-Agent": "tuitrace"}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if self._key:
            headers["Authorization"] = f"Key {self._key}"
        request = urllib.request.Request(self._base + path, data=body, headers=headers,  # noqa: S310
                                         method="POST" if data is not None else "GET")
        try:
            with self._open(request, TIMEOUT_S) as response:
                raw: bytes = response.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as exc:
            kind = AtlasRateLimitError if exc.code == 429 else AtlasError
            raise kind(_http_problem(exc, what)) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            problem = inert_text(str(reason), 120)
            raise AtlasError(f"cannot reach RIPE Atlas at {self._base}: {problem}") from None
        if len(raw) > MAX_ANSWER:
            raise AtlasError(f"RIPE Atlas's answer for {what} is larger than {MAX_ANSWER >> 20} MB: not read")
        return raw


def _text(value: object) -> str | None:
    return inert_text(value, 100) if isinstance(value, str) and value else None


def _http_problem(exc: urllib.error.HTTPError, what: str) -> str:
    """One line per status the user can act on."""
    detail = _error_detail(exc)
    if exc.code == 429:
        wait = exc.headers.get("Retry-After") if exc.headers is not None else None
        later = f" (it asks to wait {inert_text(wait, 10)} s)" if wait else ""
        return f"RIPE Atlas rate limit reached{later}: try again later"
    if exc.code in (401, 403):
        return (f"RIPE Atlas refused the API key for {what} ({exc.code}): check {KEY_ENV}"
                + (f" ({detail})" if detail else ""))
    if exc.code == 404:
        return f"RIPE Atlas has no {what} (404)"
    if exc.code == 400:
        return f"RIPE Atlas refused the request for {what} (400)" + (f": {detail}" if detail else "")
    return f"RIPE Atlas answered {what} with HTTP {exc.code}" + (f": {detail}" if detail else "")


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The API's ``{"error": {"detail": ...}}`` text, inert and short, if it sent one."""
    try:
        body = json.loads(exc.read(64 * 1024))
    except (ValueError, OSError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    detail = error.get("detail") if isinstance(error, dict) else None
    return inert_text(detail, 160) if isinstance(detail, str) else ""


@dataclass(frozen=True, slots=True)
class ProbeMeta:
    """One ``/probes/`` entry: the ASN differs per address family."""

    probe_id: int
    country: str | None
    asn_v4: int | None
    asn_v6: int | None

    def info(self, family: int) -> ProbeInfo:
        return ProbeInfo(self.probe_id, self.country, self.asn_v4 if family == 4 else self.asn_v6)


def probe_metas(entries: Iterable[object]) -> dict[int, ProbeMeta]:
    """The usable entries of a ``/probes/`` answer's ``results`` (others are skipped)."""
    found: dict[int, ProbeMeta] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
            continue
        country = entry.get("country_code")
        code = (inert_text(country, 2).upper() if isinstance(country, str) and len(country) == 2
                and country.isascii() and country.isalpha() else None)
        v4, v6 = entry.get("asn_v4"), entry.get("asn_v6")
        found[entry["id"]] = ProbeMeta(entry["id"], code, _asn(v4), _asn(v6))
    return found


def _asn(value: object) -> int | None:
    return value if isinstance(value, int) and 0 <= value < 1 << 32 else None


def read_probe_file(data: bytes) -> dict[int, ProbeMeta]:
    """A saved ``/probes/`` answer (``{"results": [...]}``), a list of its entries, or JSON lines of them."""
    text = data.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = []
        for line in text.splitlines():
            try:
                body.append(json.loads(line))
            except ValueError:
                continue
    if isinstance(body, dict):
        body = body.get("results", [body])
    return probe_metas(body if isinstance(body, list) else [])
