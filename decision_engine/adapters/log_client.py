"""A transparency log seen from outside, over its public HTTP API (`/api/v1/log/...`): what a third party's
witness reads. It trusts nothing it fetches: the witness checks the log's signature and the consistency
proof itself (`audit.checkpoint.Witness`)."""

from __future__ import annotations

import httpx


class HttpLog:
    """The newest signed checkpoint and consistency proofs of a log served at ``base_url``."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout

    def _get(self, path: str, params: dict[str, int] | None = None) -> httpx.Response:
        response = httpx.get(f"{self.base_url}/api/v1{path}", params=params, timeout=self._timeout)
        response.raise_for_status()
        return response

    def checkpoint(self) -> bytes:
        """The newest checkpoint as a signed note, cosignatures included."""
        return self._get("/log/checkpoint").content

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4 PROOF(old, D[new]) as raw hashes."""
        body = self._get("/log/consistency", {"old": old_size, "new": new_size}).json()
        return [bytes.fromhex(h) for h in body["consistency_proof"]]
