"""A small authoritative DNS server on loopback for the enrichment tests and the namespace lab.

It answers PTR questions for the addresses it is given and Team Cymru-style TXT questions
(``<reversed>.origin.asn.cymru.com``, ``<nibbles>.origin6.asn.cymru.com``, ``AS<n>.asn.cymru.com``), over UDP
and TCP on one random port. Its ``mode`` makes it misbehave the way real resolvers do (NXDOMAIN, SERVFAIL,
silence, malformed TXT, garbage bytes), and it logs every question so tests can assert what tuitrace asked --
and what it did not. The names it serves are computed here independently of tuitrace's own code.
"""

from __future__ import annotations

import contextlib
import enum
import ipaddress
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from dnslib import PTR, QTYPE, RCODE, RR, TXT, DNSLabel, DNSRecord

Text = str | bytes | tuple[bytes, ...]
"""A record's content: text, raw bytes (TXT), or raw labels (PTR)."""


def _ptr(name: Text) -> PTR:
    if isinstance(name, tuple):
        return PTR(DNSLabel(list(name)))
    return PTR(name.decode() if isinstance(name, bytes) else name)


def _txt(text: Text) -> TXT:
    data = text.encode() if isinstance(text, str) else b"".join(text) if isinstance(text, tuple) else text
    return TXT([data[start:start + 255] for start in range(0, max(len(data), 1), 255)])


class Mode(enum.Enum):
    """How the server treats a question."""

    ANSWER = "answer"  # serve the records (NXDOMAIN for unknown names)
    NXDOMAIN = "nxdomain"  # every name is missing
    SERVFAIL = "servfail"  # every question fails
    SILENT = "silent"  # never answer (a dead resolver)
    MALFORMED = "malformed"  # TXT answers in no known format, PTR answers of the wrong type
    GARBAGE = "garbage"  # bytes that are not a DNS message


@dataclass(frozen=True, slots=True)
class Query:
    """One question the server received."""

    name: str  # lower case, without the final dot
    qtype: str  # "PTR", "TXT", ...
    transport: str  # "udp" or "tcp"


def cymru_origin_name(address: str) -> str:
    """The Team Cymru origin name of ``address``, built with :mod:`ipaddress`."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        return ip.reverse_pointer.removesuffix(".in-addr.arpa") + ".origin.asn.cymru.com"
    return ip.reverse_pointer.removesuffix(".ip6.arpa") + ".origin6.asn.cymru.com"


class DnsTestServer:
    """Serves PTR and Cymru TXT records on ``host`` (loopback) and a random port, UDP and TCP."""

    def __init__(self, host: str = "127.0.0.1", *, ttl: int = 300, port: int = 0,
                 on_answer: Callable[[Query], None] | None = None) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the test DNS server only listens on loopback, not {host}")
        self.host = host
        self.ttl = ttl
        self.mode = Mode.ANSWER
        self.mode_for: dict[str, Mode] = {}  # per query name (lower case, no final dot)
        self.truncate_udp = False  # answer every UDP question "truncated": the client must retry over TCP
        self.on_answer = on_answer  # called after each answer has been sent
        self._records: dict[tuple[str, str], list[Text]] = {}
        self._queries: list[Query] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._udp, self._tcp = self._bind(family, port)
        self.port: int = self._udp.getsockname()[1]

    # -- records

    def add_ptr(self, address: str, hostname: Text) -> None:
        """A PTR record: a name, or raw labels (bytes, a hostile server may put anything in them)."""
        self._records[(ipaddress.ip_address(address).reverse_pointer, "PTR")] = [hostname]

    def add_origin(self, address: str, *texts: Text) -> None:
        self._records[(cymru_origin_name(address), "TXT")] = list(texts)

    def add_as(self, asn: int, text: Text) -> None:
        """A TXT record: text, or raw bytes of any length (sent as as many 255-byte strings as it takes)."""
        self._records[(f"as{asn}.asn.cymru.com", "TXT")] = [text]

    # -- what was asked

    @property
    def queries(self) -> list[Query]:
        with self._lock:
            return list(self._queries)

    def names_asked(self) -> set[str]:
        return {query.name for query in self.queries}

    def clear_log(self) -> None:
        with self._lock:
            self._queries.clear()

    @property
    def address(self) -> str:
        """The server as ``--dns-server`` wants it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    # -- life cycle

    def _bind(self, family: socket.AddressFamily, port: int) -> tuple[socket.socket, socket.socket]:
        for _attempt in range(50 if port == 0 else 1):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((self.host, port))
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(16)
            udp.settimeout(0.05)
            tcp.settimeout(0.05)
            return udp, tcp
        raise OSError("no free port for the test DNS server")

    def start(self) -> DnsTestServer:
        for target in (self._serve_udp, self._serve_tcp):
            thread = threading.Thread(target=target, daemon=True, name="test-dns")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self._udp.close()
        self._tcp.close()

    def __enter__(self) -> DnsTestServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._udp.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            reply, query = self._reply(data, "udp")
            if reply is not None:
                with contextlib.suppress(OSError):
                    self._udp.sendto(reply, peer)
                self._answered(query)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _peer = self._tcp.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve_connection, args=(conn,), daemon=True).start()

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    head = conn.recv(2)
                    if len(head) < 2:
                        return
                    (length,) = struct.unpack("!H", head)
                    data = b""
                    while len(data) < length:
                        chunk = conn.recv(length - len(data))
                        if not chunk:
                            return
                        data += chunk
                except TimeoutError:
                    continue
                except OSError:
                    return
                reply, query = self._reply(data, "tcp")
                if reply is not None:
                    with contextlib.suppress(OSError):
                        conn.sendall(struct.pack("!H", len(reply)) + reply)
                    self._answered(query)

    def _answered(self, query: Query | None) -> None:
        if self.on_answer is not None and query is not None:
            self.on_answer(query)

    def _reply(self, data: bytes, transport: str) -> tuple[bytes | None, Query | None]:
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None, None
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        query = Query(name, qtype, transport)
        with self._lock:
            self._queries.append(query)
        mode = self.mode_for.get(name, self.mode)
        if mode is Mode.SILENT:
            return None, query
        if mode is Mode.GARBAGE:
            return data[:2] + b"\xff\x00 this is not DNS", query
        reply = request.reply()
        if transport == "udp" and self.truncate_udp:
            reply.header.tc = 1
        elif mode is Mode.SERVFAIL:
            reply.header.rcode = RCODE.SERVFAIL
        elif mode is Mode.NXDOMAIN:
            reply.header.rcode = RCODE.NXDOMAIN
        elif mode is Mode.MALFORMED:
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT("not | cymru"), ttl=self.ttl))
        else:
            self._answer(reply, name, qtype)
        packed: bytes = reply.pack()
        return packed, query

    def _answer(self, reply: DNSRecord, name: str, qtype: str) -> None:
        texts = self._records.get((name, qtype))
        if texts is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return
        for text in texts:
            rdata = _ptr(text) if qtype == "PTR" else _txt(text)
            reply.add_answer(RR(reply.q.qname, getattr(QTYPE, qtype), rdata=rdata, ttl=self.ttl))
