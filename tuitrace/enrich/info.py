"""What tuitrace knows about one responder address beyond its RTTs.

The UI and the reports render a responder's owner and place from one immutable value, so a row never shows a
half-updated mix of two lookups. Every field is optional: an unknown stays ``None`` and renders as empty.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnrichInfo:
    """Names, owner and place of one address, as far as they are known now."""

    hostname: str | None = None
    asn: int | None = None
    as_name: str | None = None
    prefix: str | None = None
    registry: str | None = None
    country: str | None = None
    city: str | None = None
    label: str | None = None

    @property
    def place(self) -> str:
        """``"City, CC"``, or whichever of the two is known, or ``""``."""
        return ", ".join(part for part in (self.city, self.country) if part)

    @property
    def as_text(self) -> str:
        """``"AS64500 NAME"``, ``"AS64500"``, or ``""`` when the AS is unknown."""
        if self.asn is None:
            return ""
        if self.as_name:
            return f"AS{self.asn} {self.as_name}"
        return f"AS{self.asn}"


EMPTY_INFO = EnrichInfo()
