"""``--atlas-create``: a one-off RIPE Atlas traceroute from N probes, then its results as they arrive.

Creating a measurement spends the user's Atlas credits, so it needs a key, and the key is read from
``RIPE_ATLAS_KEY`` only (a flag would put it in shell history and ``ps``). The measurement is created
before anything else starts, so a refused key or a rate limit is one line and exit 2. Its results then
come in over minutes: a poller thread asks for them every few seconds and fills one waiting
:class:`~tuitrace.vantage.atlas_engine.AtlasEngine` (a "slot") per probe that reported, saying how far
it got on the screen (the slots' headers and the overview) or on stderr (reports). A rate limit while
polling only makes it wait longer; a refused key, a lost connection or the measurement ending ends the
waiting slots with that line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tuitrace.config import Protocol, Setting
from tuitrace.vantage.atlas_api import AtlasClient
from tuitrace.vantage.atlas_engine import AtlasEngine, KeyNotice
from tuitrace.vantage.atlas_results import AtlasError, AtlasRateLimitError, parse_results

POLL_ENV = "TUITRACE_ATLAS_POLL_S"
"""Seconds between polls (tests make it short); not an option."""
POLL_S = 15.0
WAIT_S = 900.0
"""How long results are waited for: one-off traceroutes report within minutes or not at all."""
MAX_PROBES = 50
DEFAULT_PROBES = 10
AREAS = ("WW", "West", "North-Central", "South-Central", "North-East", "South-East")

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ProbeSelection:
    """``--atlas-from``: where the probes are (``country:NL``, ``asn:3333``, ``area:WW``)."""

    kind: str
    value: str

    @classmethod
    def parse(cls, text: str) -> ProbeSelection:
        kind, _, value = text.partition(":")
        kind = kind.strip().lower()
        value = value.strip()
        if kind == "country" and len(value) == 2 and value.isascii() and value.isalpha():
            return cls("country", value.upper())
        if kind in ("asn", "as"):
            number = value.upper().removeprefix("AS")
            if number.isdigit() and 0 < int(number) < 1 << 32:
                return cls("asn", str(int(number)))
        if kind == "area":
            for area in AREAS:
                if area.lower() == value.lower():
                    return cls("area", area)
        raise AtlasError(f"--atlas-from must be country:CC, asn:NUMBER or area:{'|'.join(AREAS)},"
                         f" not {text!r}")


@dataclass(frozen=True, slots=True)
class CreateRequest:
    target: str
    family: int
    setting: Setting
    probes: int
    selection: ProbeSelection

    def definition(self) -> dict[str, Any]:
        """The API's POST body for one one-off traceroute."""
        protocol = self.setting.protocol
        definition: dict[str, Any] = {
            "type": "traceroute",
            "target": self.target,
            "af": self.family,
            "protocol": protocol.value.upper(),
            "description": f"tuitrace one-off traceroute to {self.target}",
        }
        if protocol is Protocol.TCP and self.setting.port is not None:
            definition["port"] = self.setting.port
        return {
            "definitions": [definition],
            "probes": [{"requested": self.probes, "type": self.selection.kind,
                        "value": self.selection.value}],
            "is_oneoff": True,
        }


def poll_seconds(environ: Mapping[str, str]) -> float:
    try:
        value = float(environ.get(POLL_ENV, POLL_S))
    except ValueError:
        return POLL_S
    return min(max(value, 0.01), 600.0)


class AtlasCreation:
    """Polls one created measurement and fills its slots; ``start`` is idempotent (every slot calls it)."""

    def __init__(
        self, client: AtlasClient, measurement_id: int, slots: Sequence[AtlasEngine], progress: Progress, *,
        poll_s: float = POLL_S, wait_s: float = WAIT_S, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.measurement_id = measurement_id
        self.slots = list(slots)
        self._progress = progress
        self._poll_s = poll_s
        self._wait_s = wait_s
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._filled: dict[int, AtlasEngine] = {}
        self.polls = 0

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.run, name="tuitrace-atlas-poll", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for slot in self.slots:
            slot.give_up("stopped before its result arrived")

    def run(self) -> None:
        deadline = self._clock() + self._wait_s
        pause = self._poll_s
        while not self._stopping.is_set():
            try:
                over = self.poll_once()
                pause = self._poll_s
            except AtlasRateLimitError as exc:
                pause = min(pause * 2, 120.0)
                self._tell(f"{exc}; asking again in {pause:g} s")
                over = False
            except AtlasError as exc:
                self._end(str(exc))
                return
            if len(self._filled) == len(self.slots) or over:
                self._end(f"measurement {self.measurement_id} ended without a result from this probe")
                return
            if self._clock() >= deadline:
                self._end(f"no result from this probe within {self._wait_s:g} s")
                return
            if self._stopping.wait(pause):
                return

    def poll_once(self) -> bool:
        """One look at the measurement; ``True`` when it is over (no more results will come)."""
        self.polls += 1
        measurement = self.client.measurement(self.measurement_id)
        results = parse_results(self.client.results(self.measurement_id), measurement.port)
        fresh = [trace for trace in results.traces if trace.probe_id not in self._filled]
        if fresh:
            metas = self.client.probes(trace.probe_id for trace in fresh)
            for trace in fresh:
                free = next((slot for slot in self.slots if slot.trace is None and slot.running), None)
                if free is None:
                    break
                meta = metas.get(trace.probe_id)
                free.load(trace, None if meta is None else meta.info(trace.family))
                self._filled[trace.probe_id] = free
        self._tell(f"RIPE Atlas measurement {self.measurement_id} ({measurement.status}):"
                   f" {len(self._filled)} of {len(self.slots)} probes reported (poll {self.polls})")
        return measurement.over

    def _tell(self, text: str) -> None:
        for slot in self.slots:
            slot.waiting(text)
        self._progress(text)

    def _end(self, reason: str) -> None:
        for slot in self.slots:
            slot.give_up(reason)


def create_slots(request: CreateRequest, client: AtlasClient, progress: Progress, environ: Mapping[str, str],
                 host: str) -> tuple[AtlasCreation, list[AtlasEngine]]:
    """Creates the measurement (``AtlasError`` at once when refused) and the slots that wait for it."""
    measurement_id = client.create(request.definition())
    progress(f"RIPE Atlas measurement {measurement_id} created: waiting for {request.probes} probes")
    notice = KeyNotice()
    slots = [AtlasEngine(host, notice=notice, waiting=f"measurement {measurement_id}: waiting")
             for _ in range(request.probes)]
    creation = AtlasCreation(client, measurement_id, slots, progress, poll_s=poll_seconds(environ))
    for slot in slots:
        slot.on_start(creation.start, creation.stop)
    return creation, slots
