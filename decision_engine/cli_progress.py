"""Progress on long CLI work (issue 18 §8): `decide verify`, `decide export` and `decide verify-archive` show a
spinner with what is being done and the time elapsed, on stderr and only on a terminal, so what a script reads
from stdout (and every exit code) is unchanged. The services report no counts, so the display says what runs
and for how long, and each step a checker reports (verify-archive) as it passes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def console(stream: TextIO | None = None, *, force: bool | None = None) -> Console:
    """The console progress is drawn on: stderr, coloured only on a terminal."""
    return Console(file=stream or sys.stderr, force_terminal=force, stderr=stream is None)


@contextmanager
def working(description: str, *, out: Console | None = None) -> Iterator[Callable[[str], None]]:
    """A spinner, the description and the elapsed time while the block runs (nothing off a terminal); the
    block may call the yielded function to name the step now running."""
    shown = out or console()
    if not shown.is_terminal:
        yield lambda _step: None
        return
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[step]}"),
                  TimeElapsedColumn(), console=shown, transient=True) as bar:
        task = bar.add_task(description, total=None, step="")

        def step(text: str) -> None:
            bar.update(task, step=text[:80])
        yield step
