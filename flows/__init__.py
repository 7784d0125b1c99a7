"""Prefect flows and deployments: the statutory clock, the checkpoint sequencer, documents and archives,
compliance reports. Each flow is thin; each task calls one service (DESIGN "Where Prefect fits").

Importing this package sets Prefect's defaults before Prefect itself is imported (`config.prefect_defaults`:
its home under the data directory, analytics off, a long start-up timeout; values already set win).
"""

from __future__ import annotations

from decision_engine.config import prefect_defaults

prefect_defaults().mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level
