"""Compare mode's tracer: several settings (``--compare icmp,udp,tcp:443``) traced in one round.

Each round puts every TTL of every setting in flight, interleaved TTL by TTL (TTL 1 ICMP, TTL 1 UDP,
TTL 1 TCP/443, TTL 2 ICMP...), so the settings are measured in the same moment of network conditions, not
minutes apart as when switching with a key. It is the ordinary :class:`~tuitrace.probe.tracer.Tracer`
otherwise: one key counter for every setting (one identity space: a key names one probe, and the matcher
also checks the protocol and port the reply names), each setting its own path knowledge (how far to
probe, where its path ends), results tagged with their setting, and statistics kept per setting by the
engine as always.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import zip_longest

from tuitrace.config import Setting, TraceConfig
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import LocalIdentity, Probe


class CompareTracer(Tracer):
    """A tracer whose rounds probe every setting of ``settings`` (the first is the primary: the one the
    round count, pause and the keys refer to)."""

    def __init__(self, config: TraceConfig, identity: LocalIdentity, settings: Sequence[Setting]) -> None:
        if not settings:
            raise ValueError("compare mode needs at least one setting")
        if len(set(settings)) != len(settings):
            raise ValueError("a setting is listed twice")
        super().__init__(replace(config, setting=settings[0]), identity)
        self._compared = tuple(settings)
        self._configs = {setting: replace(config, setting=setting) for setting in settings}
        """Per setting: the padding to reach the packet length depends on the protocol."""
        for setting in settings:
            self._state(setting)

    @property
    def compared(self) -> tuple[Setting, ...]:
        return self._compared

    def _launch_round(self, now_ns: int) -> None:
        groups = [self._probes_of(setting) for setting in self._compared]
        interleaved = [probe for row in zip_longest(*groups) for probe in row if probe is not None]
        self._clock.begin_round(now_ns, interleaved)

    def _probes_of(self, setting: Setting) -> list[Probe]:
        """One round of ``setting``: every TTL up to its own horizon."""
        state = self._state(setting)
        config = self._configs[setting]
        last = state.horizon or config.max_ttl
        number = state.rounds
        state.rounds += 1
        primary = self._setting, self._config
        self._setting, self._config = setting, config  # ``_make_probe`` builds probes of the active setting
        try:
            return [self._make_probe(ttl, number) for ttl in range(config.first_ttl, last + 1)]
        finally:
            self._setting, self._config = primary

    def set_setting(self, setting: Setting, now_ns: int) -> None:
        """Compare mode traces its settings all the time: there is no one setting to switch to."""

    def set_compared(self, settings: Sequence[Setting]) -> None:
        """Trace ``settings`` from the next round on (a key added or removed one); the first is the new
        reference. Probes in flight of a removed setting still count for it; its statistics stay."""
        if not settings or len(set(settings)) != len(settings):
            raise ValueError("compare mode needs distinct settings, at least one")
        self._compared = tuple(settings)
        for setting in settings:
            self._configs.setdefault(setting, replace(self._config, setting=setting))
        primary = settings[0]
        if primary != self._setting:
            self._active = self._state(primary)  # before the switch: ``_state`` reads the current setting
            self._setting = primary
            self._config = replace(self._config, setting=primary)
