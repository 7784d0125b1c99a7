"""Built-in procedure files: base procedures and jurisdiction profiles (data, read with importlib.resources)."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

from decision_engine.domain.errors import NotFound
from decision_engine.domain.procedure import Procedure, apply_overlay, parse_procedure

BASE = "order713"
BASES = ("order713", "normative_document")


def _read(name: str) -> str:
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


def profiles() -> tuple[str, ...]:
    """Ids of every built-in procedure: the bases, then each profile."""
    names = [p.name.removesuffix(".toml") for p in (resources.files(__package__) / "profiles").iterdir()
             if p.name.endswith(".toml")]
    return (*BASES, *sorted(names))


@functools.lru_cache(maxsize=32)
def load(profile: str = BASE) -> Procedure:
    """The resolved procedure for a base or profile id; read once per process."""
    if profile in BASES:
        return Procedure(parse_procedure(_read(f"{profile}.toml")))
    if profile not in profiles():
        raise NotFound(f"unknown procedure profile {profile!r}; known: {', '.join(profiles())}",
                       rule="R1", article="Art. 43")
    text = _read(f"profiles/{profile}.toml")
    base = tomllib.loads(text)["profile"]["extends"]
    return Procedure(apply_overlay(parse_procedure(_read(f"{base}.toml")), text))


@functools.lru_cache(maxsize=1)
def titles() -> dict[str, tuple[str, str]]:
    """Each built-in procedure's title in Chinese and English, for choosing one by name (not by its id)."""
    out: dict[str, tuple[str, str]] = {}
    for pid in profiles():
        data = tomllib.loads(_read(f"{pid}.toml" if pid in BASES else f"profiles/{pid}.toml"))
        head = data.get("procedure") or data.get("profile") or {}
        out[pid] = (str(head.get("title_zh") or pid), str(head.get("title_en") or head.get("title_zh") or pid))
    return out
