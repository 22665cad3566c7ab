"""Simulated paths described as data (TOML): hops, responders, loss, delays, and how the target answers.

Used by the simulated network (``--simulate``), the scenario tests and the benchmarks. A file may also hold
``[run]`` (how the tests trace it) and ``[expect]`` (what a user must see) tables: those belong to the tests
(tests/unit/engine/scenario_cases.py reads them), not to the simulator, which only checks that they are
tables. A malformed file gives a ``ScenarioError`` naming the problem, never a traceback.
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuitrace.defaults import PORT
from tuitrace.packet.errors import PacketError
from tuitrace.packet.extensions import MplsLabel, build_mpls_extension


class ScenarioError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Reject:
    """A router that answers destination-unreachable instead of forwarding matching probes."""

    protocol: str
    """icmp, udp, tcp or any"""
    port: int | None
    code: int


@dataclass(frozen=True, slots=True)
class SimHop:
    responders: tuple[str, ...]
    """One address, or several for an ECMP stage (picked by a hash of the flow)."""
    rtt_ms: float = 1.0
    jitter_ms: float = 0.0
    loss: float = 0.0
    """Probability that this hop's own answer is lost (rate limiting, policing)."""
    silent: bool = False
    reject: Reject | None = None
    drop: float = 0.0
    """Probability that this hop drops a probe it forwards (lost traffic: every later hop sees it)."""
    return_extra_hops: int = 0
    """Routers the reply crosses beyond the forward path's (negative: fewer), for asymmetric returns."""
    change_at_s: float | None = None
    """Seconds into the run from which ``changed_to`` answer instead of ``responders`` (a route change)."""
    changed_to: tuple[str, ...] = ()
    mpls: bytes = b""
    """An RFC 4884 extension with the MPLS label stack (RFC 4950) this hop appends to its time-exceeded."""
    tcp_reset_port: int | None = None
    """A middlebox: TCP probes it forwards to this port get a RST forged with the target's address (as
    iptables ``REJECT --reject-with tcp-reset`` in a router's FORWARD chain sends), from this hop."""


@dataclass(frozen=True, slots=True)
class SimTarget:
    rtt_ms: float = 10.0
    jitter_ms: float = 0.0
    loss: float = 0.0
    icmp: str = "reply"
    """reply | silent"""
    udp: str = "closed"
    """closed (port unreachable) | silent (a listener that never answers)"""
    tcp: str = "closed"
    """open (SYN-ACK) | closed (RST) | silent"""
    return_extra_hops: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    family: int
    source: str
    target: str
    hops: tuple[SimHop, ...]
    destination: SimTarget
    loop_from: int | None = None
    """After the last hop the path goes back to this hop (1-based) and cycles: a routing loop, the target
    is never reached."""
    seed: int = 1


def _address(value: object, family: int, where: str) -> str:
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError as exc:
        raise ScenarioError(f"{where}: {value!r} is not an IP address") from exc
    if address.version != family:
        raise ScenarioError(f"{where}: {value} is not an IPv{family} address")
    return str(address)


MOST: float = 3_600_000.0
"""The largest number a scenario may give (an RTT of an hour in ms; a change after 1000 hours in s): a
scenario is a file, and nan, infinity or 1e308 must be refused here, not overflow in the simulator."""


def _number(table: dict[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MOST:
        raise ScenarioError(f"{where}: {key} must be a number in 0..{MOST:.0f}, not {value!r}")
    return float(value)


def _probability(table: dict[str, Any], key: str, where: str) -> float:
    value = _number(table, key, 0.0, where)
    if value > 1:
        raise ScenarioError(f"{where}: loss and drop are probabilities (0..1), not {key} = {value:g}")
    return value


def _hop(table: dict[str, Any], family: int, where: str) -> SimHop:
    silent = bool(table.get("silent", False))
    raw = table.get("responders", [])
    if not isinstance(raw, list) or (not raw and not silent):
        raise ScenarioError(f"{where}: responders must be a non-empty list (or set silent = true)")
    reject = None
    if "reject" in table:
        spec = table["reject"]
        if not isinstance(spec, dict):
            raise ScenarioError(f"{where}: reject must be a table")
        port, code = spec.get("port"), spec.get("code", 13)
        if not (port is None or isinstance(port, int)) or not isinstance(code, int):
            raise ScenarioError(f"{where}: reject port and code must be whole numbers")
        reject = Reject(str(spec.get("protocol", "any")), port, code)
    loss, drop = _probability(table, "loss", where), _probability(table, "drop", where)
    return SimHop(
        responders=tuple(_address(r, family, where) for r in raw) or ("0.0.0.0" if family == 4 else "::",),
        rtt_ms=_number(table, "rtt_ms", 1.0, where),
        jitter_ms=_number(table, "jitter_ms", 0.0, where),
        loss=loss,
        silent=silent,
        reject=reject,
        drop=drop,
        return_extra_hops=_whole(table, "return_extra_hops", where),
        **_change(table, family, where),
        tcp_reset_port=_port(table, "tcp_reset_port", where),
        mpls=_mpls(table, where),
    )


def _mpls(table: dict[str, Any], where: str) -> bytes:
    """``mpls = [{label = 24001, tc = 0, s = 1, ttl = 1}, ...]``: the stack as real RFC 4950 bytes."""
    spec = table.get("mpls")
    if spec is None:
        return b""
    if not isinstance(spec, list) or not spec or not all(isinstance(e, dict) for e in spec):
        raise ScenarioError(f"{where}: mpls must be a non-empty list of {{label, tc, s, ttl}} tables")
    try:
        stack = [MplsLabel(int(e["label"]), int(e.get("tc", 0)), bool(e.get("s", i == len(spec) - 1)),
                           int(e.get("ttl", 1))) for i, e in enumerate(spec)]
        return build_mpls_extension(stack)
    except (KeyError, TypeError, ValueError, PacketError) as exc:
        raise ScenarioError(f"{where}: bad mpls entry ({exc})") from None


def _change(table: dict[str, Any], family: int, where: str) -> dict[str, Any]:
    """``change = {at_s = 5.0, responders = [...]}``: the route changes at that time."""
    spec = table.get("change")
    if spec is None:
        return {}
    if not isinstance(spec, dict) or not isinstance(spec.get("responders"), list) or not spec["responders"]:
        raise ScenarioError(f"{where}: change must be a table with at_s and a non-empty responders list")
    return {"change_at_s": _number(spec, "at_s", 0.0, where),
            "changed_to": tuple(_address(r, family, where) for r in spec["responders"])}


def _port(table: dict[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not PORT.low <= value <= PORT.high:
        raise ScenarioError(f"{where}: {key} must be a port, {PORT.range_text}")
    return value


def _whole(table: dict[str, Any], key: str, where: str) -> int:
    value = table.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 64:
        raise ScenarioError(f"{where}: {key} must be a whole number of hops (-64..64)")
    return value


def _loop_from(path: dict[str, Any], hop_count: int, name: str) -> int | None:
    value = path.get("loop_from")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < hop_count:
        raise ScenarioError(f"{name}: loop_from must be the number of a hop before the last")
    return value


def parse_scenario(data: dict[str, Any], name: str = "scenario") -> Scenario:
    path = data.get("path")
    if not isinstance(path, dict):
        raise ScenarioError(f"{name}: missing [path] table")
    family = path.get("family", 4)
    if family not in (4, 6):
        raise ScenarioError(f"{name}: family must be 4 or 6")
    hops = data.get("hop", [])
    if not isinstance(hops, list) or not all(isinstance(hop, dict) for hop in hops):
        raise ScenarioError(f"{name}: [[hop]] must be an array of tables")
    target = data.get("target", {})
    if not isinstance(target, dict):
        raise ScenarioError(f"{name}: [target] must be a table")
    seed = path.get("seed", 1)
    if not isinstance(seed, int) or any(not isinstance(data.get(t, {}), dict) for t in _TEST_TABLES):
        raise ScenarioError(f"{name}: seed must be a whole number, [run] and [expect] tables")
    unknown = sorted(set(data) - {"path", "hop", "target", *_TEST_TABLES})
    if unknown:
        raise ScenarioError(f"{name}: unknown table {unknown[0]!r} (a scenario has path, hop and target)")
    return Scenario(
        name=name,
        family=family,
        loop_from=_loop_from(path, len(hops), name),
        source=_address(path.get("source"), family, f"{name} [path].source"),
        target=_address(path.get("target"), family, f"{name} [path].target"),
        hops=tuple(_hop(h, family, f"{name} hop {i + 1}") for i, h in enumerate(hops)),
        destination=SimTarget(
            return_extra_hops=_whole(target, "return_extra_hops", name),
            rtt_ms=_number(target, "rtt_ms", 10.0, name),
            jitter_ms=_number(target, "jitter_ms", 0.0, name),
            loss=_probability(target, "loss", name),
            icmp=_choice(target, "icmp", ("reply", "silent"), name),
            udp=_choice(target, "udp", ("closed", "silent"), name),
            tcp=_choice(target, "tcp", ("closed", "open", "silent"), name),
        ),
        seed=seed,
    )


_TEST_TABLES = ("run", "expect")


def _choice(table: dict[str, Any], key: str, choices: tuple[str, ...], name: str) -> str:
    """One of ``choices`` (the first is the default); a misspelt behaviour is an error, not a silent one."""
    value = table.get(key, choices[0])
    if value not in choices:
        raise ScenarioError(f"{name}: [target].{key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in a TOML file; ``ScenarioError`` (one line) for a file that is missing, a directory,
    not UTF-8 text, not TOML, or not a scenario."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except IsADirectoryError:
        raise ScenarioError(f"scenario {file} is a directory, not a TOML file") from None
    except FileNotFoundError:
        raise ScenarioError(f"scenario {file} does not exist") from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise ScenarioError(f"cannot read scenario {file}: {reason}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"scenario {file} is not UTF-8 text (byte {exc.start}): not a TOML scenario file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {file} is not valid TOML: {exc}") from None
    return parse_scenario(data, file.stem)
