"""An RDAP service on loopback: ``GET /ip/<address>`` answers the JSON a registry would, and every request is
logged, so tests can run ipwhois's real HTTP and parsing code without leaving the machine."""

from __future__ import annotations

import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


def rdap_network(handle: str, name: str, cidr: str, country: str, org: str) -> dict[str, Any]:
    """A minimal RFC 9083 IP network object with one registrant entity."""
    net = ipaddress.ip_network(cidr)
    return {
        "objectClassName": "ip network",
        "rdapConformance": ["rdap_level_0"],
        "handle": handle,
        "name": name,
        "startAddress": str(net.network_address),
        "endAddress": str(net.broadcast_address),
        "ipVersion": f"v{net.version}",
        "type": "ASSIGNED PA",
        "country": country,
        "cidr0_cidrs": [{"v4prefix" if net.version == 4 else "v6prefix": str(net.network_address),
                         "length": net.prefixlen}],
        "events": [{"eventAction": "registration", "eventDate": "2020-01-01T00:00:00Z"}],
        "entities": [{
            "objectClassName": "entity",
            "handle": f"{handle}-ORG",
            "roles": ["registrant"],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", org],
                                     ["kind", {}, "text", "org"]]],
        }],
    }


class RdapTestServer:
    """Serves ``networks`` (address -> RDAP JSON) or ``raw`` bodies on 127.0.0.1; others get HTTP 404."""

    def __init__(self) -> None:
        self.networks: dict[str, dict[str, Any]] = {}
        self.raw: dict[str, bytes] = {}  # address -> body sent as it is (not UTF-8, not JSON, ...)
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                address = self.path.rsplit("/ip/", 1)[-1]
                body = outer.networks.get(address)
                data = json.dumps(body).encode() if body is not None else outer.raw.get(address)
                if data is None:
                    self.send_error(404, "not found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rdap+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/rdap"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True, name="test-rdap")

    def __enter__(self) -> RdapTestServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2)
