"""The value every diagnosis rule returns, shared by the reports, the screenshot and (later) the TUI.

A finding is plain data: the renderers only print it, so every surface says the same thing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    INFO = "info"
    """Worth knowing, nothing to fix (rate limiting, an asymmetric return path)."""
    WARNING = "warning"
    """May hide a problem; the text says what else could explain it."""
    PROBLEM = "problem"
    """Traffic is lost or stopped."""

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.PROBLEM: 2}


class Kind(enum.StrEnum):
    FORWARD_LOSS = "forward_loss"
    REPLY_LOSS_ONLY = "reply_loss_only"
    BLOCKED = "blocked"
    ROUTING_LOOP = "routing_loop"
    RETURN_ASYMMETRY = "return_asymmetry"
    DESTINATION_SILENT = "destination_silent"
    PATH_CHANGE = "path_change"
    MIDDLEBOX_ANSWER = "middlebox_answer"
    MPLS = "mpls"
    PROTOCOL_DIVERGENCE = "protocol_divergence"
    """Compare mode: a protocol/port takes other routers, is blocked or goes silent where another goes on."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number (or address list, or code) a finding rests on, with its name."""

    name: str
    value: int | float | str


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    ttl: int | None
    """The hop where it starts, or ``None`` when it concerns the whole path."""
    address: str | None
    """The responder concerned, or ``None``."""
    severity: Severity
    text: str
    """One plain sentence a user can paste into a ticket."""
    evidence: tuple[Evidence, ...]

    def value(self, name: str) -> int | float | str:
        """The evidence called ``name``; ``KeyError`` when the finding has none."""
        for item in self.evidence:
            if item.name == name:
                return item.value
        raise KeyError(name)
