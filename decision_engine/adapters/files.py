"""Files written whole or not at all: a temporary file in the same directory, flushed and fsynced, then
renamed over the target (`os.replace` is atomic on POSIX). A crash leaves the old file or the new one,
never half of either (issue 11 §3)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, *, mode: int | None = 0o644, suffix: str = "") -> None:
    """Replace `path` with `data` atomically; `mode` None keeps mkstemp's owner-only 0o600."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
