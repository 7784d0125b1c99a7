"""Prefect flows and deployments: the statutory clock, the checkpoint sequencer, documents and archives,
compliance reports. Each flow is thin; each task calls one service (DESIGN "Where Prefect fits").

Importing this package sets Prefect's defaults before Prefect itself is imported: its home under the data
directory (not ``~/.prefect``), analytics off (no network here), a start-up timeout long enough for a fresh
temporary server. Values already in the environment win.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PREFECT_HOME", str(Path(os.environ.get("DECIDE_DATA_DIR", "./data")).resolve() / "prefect"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
