"""Which probe in flight a reply answers, if any.

A reply names a probe either directly (``Reply.probe``, when the back-end's socket already knows it) or
through the identity fields of its message, which the identity codec reads. The matcher adds what the codec
cannot know: where the reply came from and where the quoted probe went must be our target and our source,
and the named probe must still be in flight with the protocol and port the reply names. Everything else is
not ours: the tracer counts it and drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from tuitrace.config import Protocol as ProbeProtocol
from tuitrace.packet.incoming import EchoReply, IcmpError, TcpSegment
from tuitrace.probe.flows import tcp_flow_port
from tuitrace.probe.identity import IdentityDecoder
from tuitrace.probe.types import LocalIdentity, Probe, ProbeId, Reply


class InFlight(Protocol):
    """What the tracer keeps for a probe that is waiting for its answer."""

    @property
    def probe(self) -> Probe: ...


Flight = TypeVar("Flight", bound=InFlight)


class ProbeMatcher:
    """Matches replies to the probes of one trace (one identity, family and target)."""

    __slots__ = ("_decoder", "_source", "_target", "_tcp_flows", "_tcp_port")

    def __init__(self, identity: LocalIdentity, family: int, target: str) -> None:
        self._decoder = IdentityDecoder(identity, family)
        self._target = target
        self._source = identity.source
        self._tcp_port = identity.tcp_port
        self._tcp_flows = identity.tcp_ports > 1
        """``--flows`` with TCP: each flow has its own source port, which the reply must name too."""

    def identify(self, reply: Reply) -> ProbeId | None:
        """The probe ``reply`` says it answers, whether or not that probe is in flight."""
        named = reply.probe
        if named is not None:
            return named
        message = reply.message
        if isinstance(message, IcmpError):
            quote = message.quote
            if quote is None or quote.dst != self._target or (self._source and quote.src != self._source):
                return None
            return self._decoder.quoted(quote)
        if reply.responder != self._target:
            return None  # only the target answers in the probe's own protocol
        if isinstance(message, EchoReply):
            return self._decoder.echo_reply(message)
        if isinstance(message, TcpSegment):
            return self._decoder.tcp_answer(message)
        return None

    def match(self, reply: Reply, in_flight: Mapping[int, Flight]) -> Flight | None:
        """The entry of ``in_flight`` (by probe key) that ``reply`` answers; ``None`` when it is not ours."""
        named = self.identify(reply)
        if named is None:
            return None
        flight = in_flight.get(named.key)
        if flight is None:
            return None
        probe = flight.probe
        if probe.setting.protocol is not named.protocol or probe.dport != named.dport:
            return None
        if (
            self._tcp_flows
            and named.protocol is ProbeProtocol.TCP
            and reply.probe is None
            and _our_tcp_port(reply) != tcp_flow_port(self._tcp_port, probe.flow)
        ):
            return None  # our key, but from another flow's port: not this probe's answer
        return flight


def _our_tcp_port(reply: Reply) -> int | None:
    """Our TCP source port as ``reply`` names it: quoted in an ICMP error, or the target's answer's
    destination port."""
    message = reply.message
    if isinstance(message, IcmpError):
        return None if message.quote is None else message.quote.sport
    if isinstance(message, TcpSegment):
        return message.dport
    return None
