"""Procedure specifications: Order 713 and its jurisdiction overlays, as data (DESIGN principle 3)."""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass
from typing import Any

from decision_engine.domain.errors import InvalidInput, NotFound

DEFAULT_CATEGORIES = ("policy", "plan", "resource_policy", "public_project", "other_major")
ROLES: tuple[str, ...] = (
    "undertaking_unit", "legality_reviewer", "legal_adviser", "expert", "risk_assessor",
    "hearing_organizer", "hearing_participant", "meeting_member", "admin_head", "decision_organ",
    "secretariat", "execution_unit", "post_evaluator", "party_committee", "auditor", "system_admin",
    "security_admin", "audit_admin",
)


@dataclass(frozen=True, slots=True)
class Duration:
    """A statutory period: days, unit, whether a minimum or maximum, shortenable with a reason."""

    name: str
    days: int
    unit: str
    bound: str
    shortenable: bool
    rule: str
    article: str


@dataclass(frozen=True, slots=True)
class GateSpec:
    """One gate of the procedure."""

    id: str
    stage: str
    name_zh: str
    rule: str
    article: str
    condition: str
    clear: tuple[str, ...]
    phase: str
    exemptible: bool
    exemption_flag: str
    exemption_kind: str

    @property
    def auto(self) -> bool:
        """True when the gate is satisfied by its artifacts alone, without a clearing act."""
        return not self.clear


@dataclass(frozen=True, slots=True)
class ArtifactKind:
    """A kind of artifact: its gate, who may record it, its fields, when it is required."""

    id: str
    gate: str
    roles: tuple[str, ...]
    fields: tuple[str, ...]
    required: bool
    when: str
    rule: str
    article: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class DeterminationKind:
    """A recorded finding that switches conditional gates."""

    id: str
    roles: tuple[str, ...]
    rule: str
    article: str
    name_zh: str


class Procedure:
    """A resolved, immutable procedure specification, pinned by its content hash."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        proc = data["procedure"]
        self.id: str = proc["id"]
        self.version: str = proc["version"]
        self.title_zh: str = proc.get("title_zh", "")
        self.profile: str = proc.get("profile", proc["id"])
        self.hash: str = content_hash(data)
        self.settings: dict[str, Any] = dict(data.get("settings", {}))
        self.stages: tuple[dict[str, str], ...] = tuple(data.get("stages", ()))
        self.durations = {k: Duration(name=k, days=int(v["days"]), unit=v["unit"], bound=v["bound"],
                                      shortenable=bool(v["shortenable"]), rule=v["rule"],
                                      article=v["article"])
                          for k, v in data.get("durations", {}).items()}
        self.gates: tuple[GateSpec, ...] = tuple(
            GateSpec(id=g["id"], stage=g["stage"], name_zh=g.get("name_zh", g["id"]), rule=g["rule"],
                     article=g["article"], condition=g.get("condition", "always"),
                     clear=() if g.get("clear", "auto") == "auto" else tuple(g["clear"]),
                     phase=g.get("phase", "pre"), exemptible=bool(g.get("exemptible", False)),
                     exemption_flag=g.get("exemption_flag", ""), exemption_kind=g.get("exemption_kind", ""))
            for g in data["gates"])
        self.artifacts = {k: ArtifactKind(id=k, gate=v["gate"], roles=tuple(v["roles"]),
                                          fields=tuple(v.get("fields", ())),
                                          required=bool(v.get("required", True)), when=v.get("when", ""),
                                          rule=v["rule"], article=v["article"],
                                          name_zh=v.get("name_zh", k))
                          for k, v in data["artifacts"].items()}
        self.determinations = {k: DeterminationKind(id=k, roles=tuple(v["roles"]), rule=v["rule"],
                                                    article=v["article"], name_zh=v.get("name_zh", k))
                               for k, v in data.get("determinations", {}).items()}
        self._gate_index = {g.id: g for g in self.gates}
        self._kinds_by_gate: dict[str, tuple[ArtifactKind, ...]] = {
            g.id: tuple(k for k in self.artifacts.values() if k.gate == g.id) for g in self.gates}

    def gate(self, gate_id: str) -> GateSpec:
        """The gate with this id, or NotFound naming the known gates."""
        try:
            return self._gate_index[gate_id]
        except KeyError:
            raise NotFound(f"unknown gate {gate_id!r}; this procedure has: "
                           + ", ".join(self._gate_index), rule="R1", article="Art. 3") from None

    def has_gate(self, gate_id: str) -> bool:
        """Whether this procedure has a gate with this id."""
        return gate_id in self._gate_index

    def artifact_kind(self, kind: str) -> ArtifactKind:
        """The artifact kind with this id, or NotFound."""
        try:
            return self.artifacts[kind]
        except KeyError:
            raise NotFound(f"unknown artifact kind {kind!r} in procedure {self.id} {self.version}",
                           rule="R18", article="Art. 33") from None

    def determination(self, kind: str) -> DeterminationKind:
        """The determination kind with this id, or NotFound."""
        try:
            return self.determinations[kind]
        except KeyError:
            raise NotFound(f"unknown determination {kind!r}; known: " + ", ".join(self.determinations),
                           rule="R1", article="Art. 3") from None

    def kinds_of_gate(self, gate_id: str) -> tuple[ArtifactKind, ...]:
        """Artifact kinds belonging to a gate, in file order."""
        return self._kinds_by_gate.get(gate_id, ())

    @property
    def categories(self) -> tuple[str, ...]:
        """The decision categories this procedure accepts (R1)."""
        return tuple(self.data["procedure"].get("categories", DEFAULT_CATEGORIES))

    def gates_before(self, gate_id: str) -> tuple[GateSpec, ...]:
        """The pre-decision gates that precede a gate in procedure order (what must hold before it)."""
        out: list[GateSpec] = []
        for g in self.gates:
            if g.id == gate_id:
                break
            if g.phase == "pre":
                out.append(g)
        return tuple(out)

    def pre_gates(self) -> tuple[GateSpec, ...]:
        """The gates that must hold before finalization."""
        return tuple(g for g in self.gates if g.phase == "pre")

    def to_json(self) -> str:
        """The resolved specification as JSON in file order (what is pinned; the hash sorts keys)."""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the resolved specification's sorted JSON: the pin a decision keeps."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(b"decide.procedure.v1\x00" + body).hexdigest()


def parse_procedure(text: str) -> dict[str, Any]:
    """Parse a base procedure file and check its internal references."""
    data = tomllib.loads(text)
    _check(data)
    return data


def apply_overlay(base: dict[str, Any], overlay_text: str) -> dict[str, Any]:
    """Resolve a jurisdiction profile over its base: durations, settings, gate fields are replaced."""
    overlay = tomllib.loads(overlay_text)
    prof = overlay.get("profile")
    if not prof or prof.get("extends") != base["procedure"]["id"]:
        raise InvalidInput("profile must declare [profile] extends = base procedure id",
                           rule="R1", article="Art. 43")
    data = copy.deepcopy(base)
    data["procedure"]["profile"] = prof["id"]
    data["procedure"]["id"] = prof["id"]
    data["procedure"]["version"] = f'{base["procedure"]["version"]}+{prof["version"]}'
    data["procedure"]["title_zh"] = prof.get("title_zh", data["procedure"].get("title_zh", ""))
    data["procedure"]["profile_basis"] = prof.get("legal_basis", "")
    for name, dur in overlay.get("durations", {}).items():
        data.setdefault("durations", {}).setdefault(name, {}).update(dur)
    data.setdefault("settings", {}).update(overlay.get("settings", {}))
    by_id = {g["id"]: g for g in data["gates"]}
    for gid, change in overlay.get("gates", {}).items():
        if gid not in by_id:
            raise InvalidInput(f"profile {prof['id']} changes unknown gate {gid!r}", rule="R1",
                               article="Art. 43")
        if gid in ("legality_review", "collective_decision") and change.get("exemptible"):
            raise InvalidInput("legality review and the collective decision can never be exempted",
                               rule="R13", article="Arts. 25, 30")
        by_id[gid].update(change)
    _check(data)
    return data


def _check(data: dict[str, Any]) -> None:
    gates = {g["id"] for g in data.get("gates", ())}
    for kind, spec in data.get("artifacts", {}).items():
        if spec["gate"] and spec["gate"] not in gates:
            raise InvalidInput(f"artifact kind {kind} names unknown gate {spec['gate']}")
        for role in spec["roles"]:
            if role not in ROLES:
                raise InvalidInput(f"artifact kind {kind} names unknown role {role}")
    for g in data.get("gates", ()):
        cond = g.get("condition", "always")
        if cond.startswith("flag:") and cond[5:] not in data.get("determinations", {}):
            raise InvalidInput(f"gate {g['id']} condition names unknown determination {cond[5:]}")
        if cond not in ("always", "optional") and not cond.startswith("flag:"):
            raise InvalidInput(f"gate {g['id']} has unknown condition {cond!r}")


def diff_procedures(a: Procedure, b: Procedure) -> dict[str, Any]:
    """What changes from procedure a to procedure b: durations, settings, gates, artifact kinds."""
    def changed(x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
        return {k: {"from": x.get(k), "to": y.get(k)} for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)}
    gates_a = {g["id"]: g for g in a.data["gates"]}
    gates_b = {g["id"]: g for g in b.data["gates"]}
    return {"from": {"id": a.id, "version": a.version, "hash": a.hash},
            "to": {"id": b.id, "version": b.version, "hash": b.hash},
            "durations": changed(a.data.get("durations", {}), b.data.get("durations", {})),
            "settings": changed(a.settings, b.settings),
            "gates": {gid: changed(gates_a.get(gid, {}), gates_b.get(gid, {}))
                      for gid in sorted(set(gates_a) | set(gates_b)) if gates_a.get(gid) != gates_b.get(gid)},
            "artifacts": changed(a.data["artifacts"], b.data["artifacts"])}
