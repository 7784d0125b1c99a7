"""A finding of verification: one thing that does not verify, where, and what differs (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not verify: where, and what differs."""

    stream: str
    seq: int
    what: str

    def __str__(self) -> str:
        return f"{self.stream} seq {self.seq}: {self.what}"
