"""`store.no_cyclic_gc` (issue 19 §3): the collector is off inside, back as it was after the last of several
overlapping pauses (also after an exception), left off when it was off, and collected at least once when
overlapping pauses have kept it off too long."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from decision_engine.adapters import store as st


@pytest.fixture(autouse=True)
def _enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_off_inside_and_back_after_nested_pauses_and_errors() -> None:
    with st.no_cyclic_gc():
        assert not gc.isenabled()
        with st.no_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), st.no_cyclic_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with st.no_cyclic_gc():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_from_threads_end_with_it_on() -> None:
    inside, release = threading.Barrier(5), threading.Event()

    def replay() -> None:
        with st.no_cyclic_gc():
            inside.wait()
            release.wait()
    threads = [threading.Thread(target=replay) for _ in range(4)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_a_long_overlap_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    collected: list[int] = []
    monkeypatch.setattr(st, "GC_MAX_PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(st.gc, "collect", lambda *a: collected.append(1) or 0)
    with st.no_cyclic_gc():
        with st.no_cyclic_gc():
            pass
        assert collected == [1] and not gc.isenabled()
    assert gc.isenabled()
