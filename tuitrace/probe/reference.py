"""The TTL check of a TCP trace: ICMP echo requests to the destination beside the TCP probes.

A firewall or load balancer in front of a server can answer a TCP SYN with a RST (or SYN-ACK) that carries
the server's address: the trace then looks "reached" although the server never saw the probe. What gives
it away is the reply's IP TTL: the forged answer comes from fewer hops away than the server's own replies.
So a TCP trace sends a few ICMP echo requests to the destination (``ECHO_ROUNDS`` and then every
``ECHO_EVERY`` rounds), whose replies are the reference, and keeps the reply TTLs of every TCP answer from
the destination's address. Neither is ever a hop's statistic: the echoes are counted here, apart, and the
comparison is a diagnosis rule (:mod:`tuitrace.diagnose.middlebox`).
"""

from __future__ import annotations

from collections import Counter

from tuitrace.config import Setting

ECHO_ROUNDS = 3
"""The first rounds of a TCP setting each send one echo, so the reference is there from the start."""
ECHO_EVERY = 5
"""After those, one echo every this many rounds: a few per minute at the default interval."""


TtlCounts = tuple[tuple[int, int], ...]
"""(reply TTL, how many replies arrived with it), in TTL order."""


def echo_due(round_number: int) -> bool:
    return round_number < ECHO_ROUNDS or round_number % ECHO_EVERY == 0


class EchoReference:
    """What the reference echoes and the destination's TCP answers said, per TCP setting."""

    __slots__ = ("_answers", "_echoes", "keys")

    def __init__(self) -> None:
        self.keys: dict[int, Setting] = {}
        """Probe keys of the echoes in flight, with the TCP setting they were sent for."""
        self._echoes: dict[Setting, tuple[int, int, Counter[int]]] = {}
        self._answers: dict[Setting, Counter[int]] = {}

    def sent(self, setting: Setting) -> None:
        sent, received, ttls = self._echoes.get(setting, (0, 0, Counter()))
        self._echoes[setting] = (sent + 1, received, ttls)

    def echo_reply(self, setting: Setting, reply_ttl: int | None) -> None:
        sent, received, ttls = self._echoes.get(setting, (0, 0, Counter()))
        if reply_ttl is not None:
            ttls[reply_ttl] += 1
        self._echoes[setting] = (sent, received + 1, ttls)

    def tcp_answer(self, setting: Setting, reply_ttl: int) -> None:
        self._answers.setdefault(setting, Counter())[reply_ttl] += 1

    def forget(self, setting: Setting) -> None:
        """The statistics of ``setting`` start afresh: so does its check (echoes in flight are void)."""
        self._echoes.pop(setting, None)
        self._answers.pop(setting, None)
        for key in [k for k, s in self.keys.items() if s == setting]:
            del self.keys[key]

    def counts(self, setting: Setting) -> tuple[int, int, TtlCounts, TtlCounts]:
        """Echoes sent and answered, the echo replies' TTLs and the TCP answers' TTLs (TTL, how many)."""
        sent, received, ttls = self._echoes.get(setting, (0, 0, Counter()))
        answers = self._answers.get(setting, Counter())
        return sent, received, tuple(sorted(ttls.items())), tuple(sorted(answers.items()))
