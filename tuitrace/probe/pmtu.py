"""Path MTU discovery as traceroute's ``--mtu`` does it, for a trace that never stops.

Probes carry Don't Fragment and start as large as the outgoing interface allows. A router whose next link
is smaller drops a probe and says so (ICMP fragmentation needed, ICMPv6 Packet Too Big, with the MTU), and
the kernel refuses to send a probe larger than a path MTU it has learnt (EMSGSIZE). Either way every later
probe is made that small, and the answer to the too-large probe is not a hop: the router that sent it
stands one or more TTLs before the probe's. The smaller MTU is shown, as traceroute's ``F=<mtu>``, on the
first TTL whose probe was too large (the first hop past the smaller link); the first TTL shows the MTU the
trace started with.

Sans-I/O, like the tracer that owns it: lengths in, lengths and marks out.
"""

from __future__ import annotations

PLATEAUS = (65535, 32000, 17914, 8166, 4352, 2002, 1492, 1280, 1006, 576, 296, 68)
"""RFC 1191's table of common MTUs: the next size to try when a router leaves the MTU out (an old
router sends 0)."""


def mark(mtu: int) -> str:
    """The annotation a hop carries where the path MTU drops: traceroute's ``F=1300``."""
    return f"F={mtu}"


class PathMtu:
    """The probe length now, and the TTLs where it dropped."""

    __slots__ = ("_marks", "length", "smallest")

    def __init__(self, length: int, first_ttl: int, smallest: int) -> None:
        self.length = max(length, smallest)
        """The whole length of the next probe (IP header included)."""
        self.smallest = smallest
        self._marks: dict[int, int] = {first_ttl: self.length}
        """TTL -> the MTU shown there."""

    def too_big(self, ttl: int, probe_length: int, mtu: int) -> bool:
        """A probe of ``probe_length`` sent with ``ttl`` did not fit a link of ``mtu`` (0: not said).
        Returns ``False`` when that is no news about the path (the probe already fitted ``mtu``): the
        answer is then an ordinary one."""
        if mtu <= 0:
            mtu = next((size for size in PLATEAUS if size < probe_length), self.smallest)
        if mtu >= probe_length:
            return False
        mtu = max(mtu, self.smallest)
        self.length = min(self.length, mtu)
        shown_before = [at for at, value in self._marks.items() if value == mtu]
        if not any(at <= ttl for at in shown_before):
            for at in shown_before:
                del self._marks[at]
            self._marks[ttl] = mtu
        return True

    def mark_for(self, ttl: int, probe_length: int) -> str | None:
        """The ``F=<mtu>`` a result at ``ttl`` carries: where the MTU dropped, on probes of that size."""
        mtu = self._marks.get(ttl)
        return mark(mtu) if mtu is not None and mtu == probe_length else None
