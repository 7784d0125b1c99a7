"""Content-addressed blob store on the local disk (artifact bytes, SHA-256 named, written once)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from decision_engine.domain.errors import NotFound, Unavailable


class FileBlobStore:
    """Blobs under `<root>/ab/cdef…`: written to a temporary file, fsynced, renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound(f"not a SHA-256 content address: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        """Store bytes durably; return their SHA-256 (idempotent)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise Unavailable(f"the blob store cannot write: {exc.strerror}") from None
        return digest

    def get(self, sha256: str) -> bytes:
        """The bytes of a blob, or NotFound."""
        p = self.path(sha256)
        if not p.exists():
            raise NotFound(f"blob {sha256} is missing from the blob store")
        return p.read_bytes()

    def exists(self, sha256: str) -> bool:
        """Whether a blob is present."""
        return self.path(sha256).exists()
