"""kill -9 during gate recordings loses no acknowledged write and leaves nothing half-written (§3).

The full run (1,000 writes) is `bench/crash.py`; CI runs a bounded one on each database.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PG_URL, drop_pg_database, fresh_pg_database  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _crash() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_crash", ROOT / "bench" / "crash.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_during_gate_recordings_loses_no_acknowledged_write(backend: str, pg_ok: bool) -> None:
    url = None
    name = ""
    if backend == "postgres":
        if not pg_ok:
            pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
        url, name = fresh_pg_database()
    try:
        # kills land 0–50 ms after the first acknowledgement of each worker life, so 40 writes take several
        res = _crash().run(40, url, seed=11, max_gap=0.05)
    finally:
        if name:
            drop_pg_database(name)
    assert res["kills"] >= 2, res  # the writer really was killed mid-run, more than once
    assert res["acknowledged_but_missing"] == 0
    assert res["verify_ok"], res["findings"]
    assert res["blobs_missing"] == 0


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_during_sharded_comment_intake_loses_no_acknowledged_comment(backend: str, pg_ok: bool) -> None:
    """Issue 19 §4: 4 threads submit comments to one decision whose log has 4 shards; a tracking number is
    printed only once the service returned it (after the commit); kill -9 at random moments loses none."""
    url = None
    name = ""
    if backend == "postgres":
        if not pg_ok:
            pytest.skip("no PostgreSQL configured (set DECIDE_TEST_POSTGRES_URL)")
        url, name = fresh_pg_database()
    try:
        res = _crash().run(60, url, seed=13, max_gap=0.05, comments=True, shards=4)
    finally:
        if name:
            drop_pg_database(name)
    assert res["kills"] >= 2, res
    assert res["acknowledged"] >= 60 and res["acknowledged_but_missing"] == 0, res
    assert res["shard_streams"] >= 2, res  # the comments really were spread over several chains
    assert res["verify_ok"], res["findings"]
