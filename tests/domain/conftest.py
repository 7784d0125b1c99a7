"""Domain unit tests: decisions built in memory (tests/domain/builders.py); no database, no server."""

from __future__ import annotations

import pytest

from tests.domain.builders import Build


@pytest.fixture
def b() -> Build:
    """A fresh in-memory decision builder (Order 713, on a Monday in March 2025)."""
    return Build()
