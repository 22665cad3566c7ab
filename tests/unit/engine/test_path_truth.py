"""What the table and the reports show when the path misbehaves, simulated (issue 9, items 7 to 9).

An outage longer than the rediscovery window, a rejecting router whose ``!X`` is rate limited, and a reset
in the middle of a run: no row may be invented, ``reached`` must say what the destination does now, and
probes sent before a reset must not count after it. Snapshots are taken after every result, so a row that
shows up for a moment is caught too.
"""

from __future__ import annotations

from dataclasses import replace

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.network import Received
from tuitrace.probe.scenario import Scenario, parse_scenario
from tuitrace.probe.simnet import START_NS, SimNetwork
from tuitrace.probe.types import Probe, ProbeResult
from tuitrace.stats.snapshot import TraceSnapshot

SOURCE, TARGET = "192.0.2.1", "198.51.100.9"
ROUTERS = ["192.0.2.254", "203.0.113.1", "203.0.113.5"]
PATH_LENGTH = len(ROUTERS) + 1
REJECTED_PORT = 389


def scenario(**hop2: object) -> Scenario:
    hops: list[dict[str, object]] = [{"responders": [r], "rtt_ms": 1.0 + i} for i, r in enumerate(ROUTERS)]
    hops[1] |= hop2
    return parse_scenario({
        "path": {"family": 4, "source": SOURCE, "target": TARGET},
        "hop": hops,
        "target": {"rtt_ms": 10.0, "tcp": "open"},
    })


class OutageNetwork(SimNetwork):
    """The first router's link is down from ``down_s`` to ``up_s`` seconds into the run: nothing answers."""

    def __init__(self, down_s: float, up_s: float) -> None:
        super().__init__(scenario())
        self._down = (START_NS + int(down_s * 1e9), START_NS + int(up_s * 1e9))

    def _walk(self, probe: Probe) -> tuple[float, Received] | None:
        start, end = self._down
        return None if start <= self.now_ns() < end else super()._walk(probe)


def watched(network: SimNetwork, **config: object) -> tuple[Engine, list[TraceSnapshot]]:
    """An engine, and the snapshots taken after each of its results."""
    base = TraceConfig(target=TARGET, family=4, interval=1.0, wait=0.5, max_ttl=30)
    engine = Engine(replace(base, **config), network)  # type: ignore[arg-type]
    seen: list[TraceSnapshot] = []

    def look(_result: ProbeResult) -> None:
        seen.append(engine.snapshot())

    engine.add_listener(look)
    return engine, seen


def rows_beyond_path(snapshot: TraceSnapshot, length: int) -> list[int]:
    return [hop.ttl for hop in snapshot.hops if hop.ttl > length]


def test_an_outage_longer_than_rediscovery_invents_no_row() -> None:
    engine, seen = watched(OutageNetwork(down_s=5.5, up_s=25.5), count=40)
    engine.run()
    assert all(rows_beyond_path(s, PATH_LENGTH) == [] for s in seen), "rows beyond the destination"
    during = [s for s in seen if 17 <= s.rounds <= 25]
    assert during and all(not s.reached for s in during)
    assert all(s.path_length == PATH_LENGTH for s in during)
    final = engine.snapshot()
    assert (final.reached, final.path_length) == (True, PATH_LENGTH)
    assert [r.address for r in final.hops[-1].responders] == [TARGET]
    assert not any(r.address == TARGET for hop in final.hops[:-1] for r in hop.responders)


def test_an_outage_until_the_end_is_reported_as_not_reached_on_the_real_path() -> None:
    engine, _seen = watched(OutageNetwork(down_s=5.5, up_s=1000.0), count=20)
    engine.run()
    final = engine.snapshot()
    assert not final.reached
    assert [hop.ttl for hop in final.hops] == list(range(1, PATH_LENGTH + 1))
    assert final.hops[-1].received == 6 and final.hops[-1].sent == 20


def test_a_rate_limited_rejection_ends_the_path_where_it_first_answers() -> None:
    network = SimNetwork(scenario(reject={"protocol": "tcp", "port": REJECTED_PORT, "code": 13}, loss=0.8))
    engine, seen = watched(network, count=60, interval=0.2, setting=Setting(Protocol.TCP, REJECTED_PORT))
    engine.run()
    rejecting = 3  # hop 2 answers time-exceeded at TTL 2 and !X for every TTL beyond
    known = [index for index, s in enumerate(seen) if s.path_length == rejecting]
    assert known, "the path never ended at the rejecting router"
    # Until TTL 3 itself answers, a farther !X may end the path (TTL 3 shows as * before it, as in
    # traceroute); once it has, nothing beyond it ever shows again, however many answers are lost.
    assert all(rows_beyond_path(s, rejecting) == [] for s in seen[known[0]:]), "rows beyond the !X"
    assert all(s.path_length is None or s.hops[-1].ttl == s.path_length for s in seen)
    final = engine.snapshot()
    assert (final.reached, final.path_length) == (False, rejecting)
    assert [(r.address, r.annotations) for r in final.hops[-1].responders] == [(ROUTERS[1], ("!X",))]
    assert max(probe.ttl for _at, probe in network.sent) == 30, "the end is still probed beyond (rediscovery)"


def test_a_reset_mid_run_counts_only_probes_sent_after_it() -> None:
    network = SimNetwork(scenario(silent=True))
    engine, _seen = watched(network, count=20, interval=0.1, wait=2.0)
    resets: list[int] = []

    def reset_once(result: ProbeResult) -> None:
        if result.round == 10 and not resets:
            resets.append(network.now_ns())
            engine.reset()

    engine.add_listener(reset_once)
    engine.run()
    final = engine.snapshot()
    assert resets and final.rounds == 20
    assert [(hop.ttl, hop.sent) for hop in final.hops] == [(ttl, 20) for ttl in range(1, PATH_LENGTH + 1)]
    assert final.hops[1].received == 0
    assert all(hop.received == 20 for hop in final.hops if hop.ttl != 2)
