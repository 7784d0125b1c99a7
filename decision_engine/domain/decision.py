"""The decision aggregate (重大行政决策, `MajorDecision`): commands in, events out, state by folding events.

Pure: no I/O, no clock, no framework. Each command method checks the rules of
shared/domain/ORDER-713-RULES.md and returns the events it would cause, or raises a DomainError
naming the rule and article. `apply` folds one stored event into the state; replaying every event of
a decision rebuilds exactly the stored projection (STYLE habit 9).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from decision_engine.domain import stage_rules as sr
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import (
    FinalizationRefused,
    InvalidInput,
    Missing,
    NotPermitted,
    RuleViolation,
)
from decision_engine.domain.procedure import DEFAULT_CATEGORIES, ArtifactKind, GateSpec, Procedure

SCHEMA_VERSION = 1

# R1, Art. 3: what counts as a major decision, and what is excluded.
CATEGORIES = DEFAULT_CATEGORIES
EXCLUDED_CATEGORIES = ("macro_control", "gov_legislation", "emergency_response")

PRE_DECISION = ("draft", "in_procedure", "ready_for_decision")
DECIDED = ("decided", "published", "in_execution", "evaluated")
LEGALITY_CONCLUSIONS = ("lawful", "lawful_if_amended", "unlawful", "exploratory_risk_stated")
HEAD_DECISIONS = ("adopt", "adopt_with_amendments", "defer", "send_back", "reject")
MEETING_TYPES = ("executive", "plenary")
ART35_GROUNDS = ("problems_found", "major_change_of_circumstances", "force_majeure")
EVALUATION_TRIGGERS = ("effect_not_met", "many_public_opinions", "organ_decision", "scheduled")
NOT_REOPENABLE = ("initiation", "collective_decision", "party_report")
# R17, Art. 32: 政府公报、政府网站、本行政区域内发行的报纸
PUBLICATION_CHANNELS = {"gazette": "政府公报", "website": "政府网站", "newspaper": "报纸"}


def departs_from_majority(member_opinions: list[dict[str, Any]], head_decision: str) -> bool:
    """R15, Art. 30: does the head's decision go against the majority of the members' opinions?"""
    support = sum(1 for o in member_opinions if o.get("position") == "support")
    against = sum(1 for o in member_opinions if o.get("position") == "oppose")
    adopting = head_decision in ("adopt", "adopt_with_amendments")
    return (adopting and against > support) or (not adopting and support > against)


def check_tally(tally: Any, attendance: list[Any], opinions: list[Any], members_total: int) -> None:
    """R15, Art. 30: a stated tally matches the record: no count larger than those present, each
    present member counted once as spoken, and no present member's voice turned into an absence."""
    keys = ("support", "oppose", "abstain")
    if not isinstance(tally, dict) or any(not isinstance(tally.get(k, 0), int) or tally.get(k, 0) < 0
                                          for k in (*keys, "absent")):
        raise InvalidInput("tally counts support, oppose, abstain (and absent) as whole numbers",
                           rule="R15", article="Art. 30")
    for k in keys:
        if tally.get(k, 0) > len(attendance):
            raise RuleViolation(f"the tally counts {tally[k]} '{k}' but only {len(attendance)} members "
                                "were present", rule="R15", article="Art. 30")
        recorded = sum(1 for o in opinions if isinstance(o, dict) and o.get("position") == k)
        if tally.get(k, 0) != recorded:
            raise RuleViolation(f"the tally counts {tally.get(k, 0)} '{k}', the recorded opinions "
                                f"{recorded}", rule="R15", article="Art. 30")
    if "absent" in tally and tally["absent"] != members_total - len(attendance):
        raise RuleViolation(f"the tally counts {tally['absent']} absent; the attendance shows "
                            f"{members_total - len(attendance)}: a member present is never counted "
                            "absent", rule="R15", article="Art. 30")


def publication_channel(entry: Any) -> str | None:
    """Which statutory channel (gazette, website, newspaper) a publication entry names (R17, Art. 32)."""
    name = str(entry.get("channel") or entry.get("name") or "") if isinstance(entry, dict) else str(entry)
    if name.strip().lower() in PUBLICATION_CHANNELS:
        return name.strip().lower()
    if "公报" in name:
        return "gazette"
    if "网站" in name:
        return "website"
    if "报" in name:
        return "newspaper"
    return None


@dataclass(frozen=True, slots=True)
class Actor:
    """The natural person acting, with the role and unit held at that moment (Art. 38)."""

    person: str
    role: str
    unit: str
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON form stored in every event."""
        return {"person": self.person, "role": self.role, "unit": self.unit, "name": self.name}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a command produced, before the store gives it a sequence number."""

    type: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BlobRef:
    """Content-addressed bytes an artifact points to."""

    sha256: str
    size: int
    media_type: str
    filename: str
    storage: str = "blob"  # "inline": the bytes are the canonical JSON of the fields, kept in the event


def _date(value: Any, name: str, kind: str, rule: str, article: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value)[:10])
        except ValueError:
            raise InvalidInput(f"{kind}.{name} must be an ISO date (YYYY-MM-DD), got {value!r}",
                               rule=rule, article=article) from None
    if not 1900 <= parsed.year <= 2199:
        raise InvalidInput(f"{kind}.{name} {parsed.isoformat()} is outside the years 1900–2199",
                           rule=rule, article=article)
    return parsed


def pick_actor(candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str,
               article: str) -> Actor:
    """The first of the person's current roles that may do this act, or NotPermitted."""
    for actor in candidates:
        if actor.role in roles:
            return actor
    held = ", ".join(sorted({a.role for a in candidates})) or "none"
    raise NotPermitted(f"{act} needs one of the roles {', '.join(roles)}; the person holds: {held}",
                       rule=rule, article=article)


class Decision:
    """A major administrative decision: state folded from its events."""

    def __init__(self, spec: Procedure, state: dict[str, Any] | None = None,
                 resolve: Callable[[str], Procedure] | None = None) -> None:
        self.spec = spec
        self.state: dict[str, Any] = state if state is not None else {}
        self._resolve = resolve  # finds a pinned procedure by hash when replaying a migration

    # ------------------------------------------------------------------ queries
    @property
    def id(self) -> str:
        """The decision id."""
        return str(self.state["id"])

    @property
    def status(self) -> str:
        """The lifecycle status."""
        return str(self.state["status"])

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the projection."""
        return copy.deepcopy(self.state)

    def flag(self, name: str) -> bool | None:
        """A determination's value, or None if not determined."""
        rec = self.state["flags"].get(name)
        return None if rec is None else bool(rec["value"])

    def gate_applicable(self, g: GateSpec) -> bool | None:
        """True, False, or None while the determination that decides it is missing."""
        if g.condition == "always":
            return True
        if g.condition == "optional":
            return bool(self.state["gates"][g.id]["round_artifacts"])
        return self.flag(g.condition.removeprefix("flag:"))

    def artifacts_of(self, gate_id: str, kind: str | None = None, *, all_rounds: bool = False
                     ) -> list[dict[str, Any]]:
        """Artifacts recorded in a gate (current round unless all_rounds), oldest first."""
        gs = self.state["gates"].get(gate_id)
        if gs is None:
            return []
        ids = gs["all_artifacts"] if all_rounds else gs["round_artifacts"]
        arts = [self.state["artifacts"][i] for i in ids]
        return [a for a in arts if kind is None or a["kind"] == kind]

    def latest(self, gate_id: str, kind: str) -> dict[str, Any] | None:
        """The newest artifact of a kind in a gate's current round."""
        arts = self.artifacts_of(gate_id, kind)
        return arts[-1] if arts else None

    def undertaking_units(self) -> tuple[str, ...]:
        """Units named by the start decision (R3), the lead first."""
        return tuple(self.state.get("units") or (self.state["unit"],))

    def missing_for(self, g: GateSpec) -> list[Missing]:
        """What a gate still needs (artifacts and rule constraints), time-independent."""
        applicable = self.gate_applicable(g)
        if applicable is None:
            det = self.spec.determination(g.condition.removeprefix("flag:"))
            return [Missing(det.rule, det.article, g.id,
                            f"determination '{det.id}' ({det.name_zh}) must be recorded, with reasons",
                            kind=f"determination:{det.id}")]
        if not applicable:
            return []
        out: list[Missing] = []
        for k in self.spec.kinds_of_gate(g.id):
            if not k.required or (k.when and not self.flag(k.when)):
                continue
            if not self.artifacts_of(g.id, k.id):
                out.append(Missing(k.rule, k.article, g.id,
                                   f"artifact '{k.id}' ({k.name_zh}) recorded by {' / '.join(k.roles)}",
                                   kind=k.id))
        out.extend(_GATE_CHECKS.get(g.id, _no_check)(self, g))
        return out

    def gate_status(self, g: GateSpec) -> str:
        """not_applicable, open, submitted, returned, cleared or exempted."""
        gs = self.state["gates"][g.id]
        applicable = self.gate_applicable(g)
        if gs["exemption"]:
            return "exempted"
        if applicable is False:
            return "not_applicable"
        if gs["cleared"]:
            return "cleared"
        if g.auto and applicable and gs["round_artifacts"] and not self.missing_for(g):
            return "cleared"
        if gs["returned"] and not gs["round_artifacts"]:
            return "returned"
        return "submitted" if gs["round_artifacts"] else "open"

    def gate_satisfied(self, g: GateSpec) -> bool:
        """True when the gate is cleared, exempted or not applicable."""
        return self.gate_status(g) in ("cleared", "exempted", "not_applicable")

    def finalization_missing(self) -> list[Missing]:
        """Every item that stands between this decision and finalization (R13–R16)."""
        out: list[Missing] = []
        for g in self.spec.pre_gates():
            if self.gate_satisfied(g):
                continue
            missing = self.missing_for(g)
            if not missing and not g.auto:
                missing = [Missing(g.rule, g.article, g.id,
                                   f"the gate must be cleared by {' / '.join(g.clear)} "
                                   "(not by an author of its artifacts, SoD8)", kind="clear")]
            out.extend(missing)
        return out

    def agenda_blockers(self) -> list[Missing]:
        """What keeps this decision off a meeting's agenda: unsatisfied pre-decision gates and an
        incomplete packet (R14, Art. 29; the fair-competition information, Art. 29(1))."""
        out = [m for g in self.spec.gates_before("collective_decision")
               if not self.gate_satisfied(g) for m in (self.missing_for(g) or [
                   Missing(g.rule, g.article, g.id, "gate not cleared", "clear")])]
        if self.flag("affects_market_entities") and not self.artifacts_of("collective_decision",
                                                                         "fair_competition_review"):
            out.append(Missing("R14", "Art. 29(1)", "collective_decision", "fair-competition review "
                               "information for a decision affecting market entities",
                               "fair_competition_review"))
        return out

    # ------------------------------------------------------------------ commands
    @staticmethod
    def open(spec: Procedure, decision_id: str, *, title: str, category: str, unit: str,
             actor: Actor, due_by: str | None = None, summary: str = "") -> list[NewEvent]:
        """Open a decision under a pinned procedure (R1 scope)."""
        if category in EXCLUDED_CATEGORIES:
            raise RuleViolation(f"category {category!r} is excluded from the major-decision procedure",
                                rule="R1", article="Art. 3 ¶2")
        allowed = spec.categories
        if category not in allowed:
            raise InvalidInput(f"category must be one of {', '.join(allowed)}; got {category!r}",
                               rule="R1", article="Art. 3 ¶1")
        if not title.strip() or not unit.strip():
            raise InvalidInput("a decision needs a title and an undertaking unit", rule="R3",
                               article="Art. 11")
        if due_by is not None:
            _date(due_by, "due_by", "decision", "R22", "Art. 38 ¶2")
        return [NewEvent("DecisionOpened", {
            "decision_id": decision_id, "title": title.strip(), "category": category, "unit": unit,
            "due_by": due_by, "summary": summary,
            "procedure": {"id": spec.id, "version": spec.version, "hash": spec.hash,
                          "profile": spec.profile}})]

    def _require_pre_decision(self, act: str, rule: str = "R13", article: str = "Art. 25") -> None:
        if self.status not in PRE_DECISION:
            raise RuleViolation(f"{act} is only possible before the decision is made; status is "
                                f"{self.status}", rule=rule, article=article)

    def record_determination(self, candidates: tuple[Actor, ...], kind: str, value: bool,
                             reasons: str) -> list[NewEvent]:
        """Record a determination (specialised, risk-relevant, non-disclosable...) with its reasons."""
        det = self.spec.determination(kind)
        self._require_pre_decision("a determination")
        actor = pick_actor(candidates, det.roles, f"determination '{kind}'", det.rule, det.article)
        if not reasons.strip():
            raise InvalidInput(f"determination '{kind}' needs its reasons (who decided and why)",
                               rule=det.rule, article=det.article)
        for g in self.spec.gates:
            if g.condition == f"flag:{kind}" and self.state["gates"][g.id]["cleared"]:
                raise RuleViolation(f"gate {g.id} is already cleared; its determination cannot change",
                                    rule=det.rule, article=det.article)
        return [NewEvent("DeterminationRecorded", {"kind": kind, "value": bool(value),
                                                   "reasons": reasons, "by": actor.person})]

    def record_artifact(self, candidates: tuple[Actor, ...], kind: str, blob: BlobRef,
                        fields: dict[str, Any], artifact_id: str, cal: StatutoryCalendar,
                        today: date) -> tuple[Actor, list[NewEvent]]:
        """Record an artifact of a kind in its gate, after every rule that applies to it."""
        k = self.spec.artifact_kind(kind)
        if kind == "draft":
            raise InvalidInput("draft versions are added with add_draft_version", rule="R13",
                               article="Art. 25")
        g = self.spec.gate(k.gate)
        actor = pick_actor(candidates, k.roles, f"recording '{kind}'", k.rule, k.article)
        self._check_phase(g, kind)
        gs = self.state["gates"][g.id]
        if gs["cleared"] or gs["exemption"]:
            raise RuleViolation(f"gate {g.id} is already {'cleared' if gs['cleared'] else 'exempted'}; "
                                "a correction needs the gate reopened (return)", rule=g.rule,
                                article=g.article)
        if g.condition != "optional" and self.gate_applicable(g) is False and kind != g.exemption_kind:
            raise RuleViolation(f"gate {g.id} does not apply to this decision (determination recorded); "
                                f"artifact '{kind}' has no place", rule=g.rule, article=g.article)
        absent = [f for f in k.fields if fields.get(f) in (None, "", [], {})]
        if absent:
            raise InvalidInput(f"artifact '{kind}' is missing fields: {', '.join(absent)}",
                               rule=k.rule, article=k.article,
                               missing=tuple(Missing(k.rule, k.article, g.id, f"field '{f}'", kind)
                                             for f in absent))
        _ARTIFACT_CHECKS.get(kind, _no_artifact_check)(self, k, actor, fields, cal, today)
        payload = {"artifact_id": artifact_id, "kind": kind, "gate": g.id, "sha256": blob.sha256,
                   "size": blob.size, "media_type": blob.media_type, "filename": blob.filename,
                   "draft_version": self.state["draft_version"], "fields": fields,
                   "storage": blob.storage, "on": today.isoformat()}
        return actor, [NewEvent("ArtifactRecorded", payload)]

    def _check_phase(self, g: GateSpec, kind: str) -> None:
        if self.status in ("withdrawn", "closed", "terminated"):
            raise RuleViolation(f"the decision is {self.status}; nothing more can be recorded",
                                rule="R20" if self.status == "terminated" else "R18",
                                article="Art. 37" if self.status == "terminated" else "Art. 33")
        if self.status == "draft" and g.id != "initiation":
            raise RuleViolation(f"the procedure begins with the start decision: record it before {kind} "
                                "(决策启动后方可开展起草、论证等工作)", rule="R3", article="Art. 11")
        if g.phase == "pre":
            # R19, Art. 34: execution targets are fixed at decision time, never added afterwards.
            self._require_pre_decision(f"recording '{kind}'",
                                       *_FIXED_AT_DECISION.get(kind, ("R13", "Art. 25")))
        elif self.status not in DECIDED and self.status != "suspended":
            raise RuleViolation(f"'{kind}' belongs after the collective decision; finalize first",
                                rule=g.rule, article=g.article)

    def add_draft_version(self, candidates: tuple[Actor, ...], blob: BlobRef, title: str,
                          note: str, artifact_id: str, today: date) -> tuple[Actor, list[NewEvent]]:
        """A new draft version; a legality review of an older version reopens (R13, Art. 25)."""
        k = self.spec.artifact_kind("draft")
        actor = pick_actor(candidates, k.roles, "adding a draft version", k.rule, k.article)
        self._require_pre_decision("a new draft version")
        if not self.state["start"]:
            raise RuleViolation("drafting starts only after the start decision names the units",
                                rule="R3", article="Art. 11")
        version = self.state["draft_version"] + 1
        events = [NewEvent("DraftVersionAdded", {
            "artifact_id": artifact_id, "version": version, "title": title, "note": note,
            "sha256": blob.sha256, "size": blob.size, "media_type": blob.media_type,
            "filename": blob.filename, "on": today.isoformat()})]
        lr = self.state["gates"].get("legality_review")
        if lr is not None and lr["round_artifacts"]:
            events.append(NewEvent("GateReopened", {
                "gate": "legality_review", "reason": f"draft version {version} differs from the "
                "version under legality review; it must be reviewed again",
                "rule": "R13", "article": "Art. 25 ¶2 (inference: later edits need re-review)"}))
        return actor, events

    def clear_gate(self, candidates: tuple[Actor, ...], gate_id: str, today: date) -> list[NewEvent]:
        """Clear a gate by act: requirements met, right role, never on one's own artifact (SoD8)."""
        g = self.spec.gate(gate_id)
        self._check_phase(g, f"clearing {gate_id}")
        if g.auto:
            raise RuleViolation(f"gate {gate_id} clears by itself when its artifacts are complete",
                                rule=g.rule, article=g.article, missing=tuple(self.missing_for(g)))
        actor = pick_actor(candidates, g.clear, f"clearing gate {gate_id}", _SOD_RULE.get(gate_id, "SoD8"),
                           g.article)
        status = self.gate_status(g)
        if status in ("cleared", "exempted", "not_applicable"):
            raise RuleViolation(f"gate {gate_id} is already {status}", rule=g.rule, article=g.article)
        missing = self.missing_for(g)
        if missing:
            raise RuleViolation(f"gate {gate_id} cannot be cleared: {len(missing)} requirement(s) unmet",
                                rule=missing[0].rule, article=missing[0].article, missing=tuple(missing))
        if gate_id == "legality_review" and (actor.unit in self.undertaking_units()):
            # SoD1, Arts. 25, 28: the undertaking unit never clears its own legality review.
            raise NotPermitted(f"unit {actor.unit} is an undertaking unit of this decision and cannot "
                               "clear its legality review", rule="SoD1", article="Arts. 25, 28")
        authors = {a["author"]["person"] for a in self.artifacts_of(g.id)}
        if actor.person in authors:
            # SoD8 (engine, inference): nobody clears a gate on an artifact they authored.
            raise NotPermitted(f"{actor.name or actor.person} authored an artifact of gate {gate_id} and "
                               "cannot clear it", rule="SoD8", article="Art. 38 (inference)")
        if gate_id == "public_participation":
            for notice in self.artifacts_of(g.id, "comment_notice"):
                deadline = _date(notice["fields"]["deadline"], "deadline", "comment_notice", "R6",
                                 "Art. 15")
                if today <= deadline:
                    raise RuleViolation(f"the comment window is open until {deadline.isoformat()}; "
                                        "participation cannot be cleared before it closes",
                                        rule="R6", article="Art. 15")
        return [NewEvent("GateCleared", {"gate": gate_id, "on": today.isoformat()})]

    def return_gate(self, candidates: tuple[Actor, ...], gate_id: str, reason: str) -> list[NewEvent]:
        """Return a gate's submission (or ask for more); the review clock restarts (R11, Art. 26)."""
        g = self.spec.gate(gate_id)
        self._check_phase(g, f"returning {gate_id}")
        roles = g.clear or ("decision_organ",)
        actor = pick_actor(candidates, roles, f"returning gate {gate_id}", _SOD_RULE.get(gate_id, "SoD8"),
                           g.article)
        if not reason.strip():
            raise InvalidInput("a return needs its reason", rule="R11", article="Art. 26")
        if not self.state["gates"][gate_id]["round_artifacts"]:
            raise RuleViolation(f"gate {gate_id} has nothing submitted to return", rule=g.rule,
                                article=g.article)
        if gate_id in NOT_REOPENABLE or self.gate_status(g) in ("cleared", "exempted"):
            # a settled gate reopens only when the head sends the draft back at the meeting (R15, Art. 30)
            raise RuleViolation(f"gate {gate_id} is {self.gate_status(g)}: it is no longer a submission to "
                                "return", rule="R15", article="Art. 30")
        if gate_id == "legality_review" and actor.unit in self.undertaking_units():
            raise NotPermitted("the undertaking unit cannot act as its own legality reviewer",
                               rule="SoD1", article="Arts. 25, 28")
        return [NewEvent("GateReturned", {"gate": gate_id, "reason": reason})]

    def reopen_gates(self, candidates: tuple[Actor, ...], gate_ids: tuple[str, ...], reason: str
                     ) -> tuple[Actor, list[NewEvent]]:
        """Send the draft back for revision (R15, Art. 30): the head names the gates that reopen, why."""
        actor = pick_actor(candidates, ("admin_head",), "sending a draft back for revision", "SoD4",
                           "Art. 30")
        self._require_pre_decision("sending a draft back for revision")
        if not gate_ids or not reason.strip():
            raise InvalidInput("sending back names the gates that reopen and the reason", rule="R15",
                               article="Art. 30")
        events = []
        for gate_id in dict.fromkeys(gate_ids):
            g = self.spec.gate(gate_id)
            if g.phase != "pre" or gate_id in NOT_REOPENABLE:
                raise RuleViolation(f"gate {gate_id} is not a stage a draft can be sent back to",
                                    rule="R15", article="Art. 30")
            status = self.gate_status(g)
            if status in ("not_applicable", "exempted", "open"):
                raise RuleViolation(f"gate {gate_id} is {status}: there is nothing to reopen",
                                    rule=g.rule, article=g.article)
            events.append(NewEvent("GateReopened", {"gate": gate_id, "reason": reason, "rule": "R15",
                                                    "article": "Art. 30", "by": actor.person}))
        return actor, events

    def exempt_gate(self, candidates: tuple[Actor, ...], gate_id: str, legal_basis: str) -> list[NewEvent]:
        """Exempt a gate on a recorded determination and legal basis (never legality or decision)."""
        g = self.spec.gate(gate_id)
        if not g.exemptible:
            raise RuleViolation(f"gate {gate_id} can never be exempted", rule="R13" if gate_id in (
                "legality_review", "collective_decision") else g.rule,
                article="Arts. 25, 30" if gate_id in ("legality_review", "collective_decision")
                else g.article)
        k = self.spec.artifact_kind(g.exemption_kind)
        actor = pick_actor(candidates, k.roles, f"exempting gate {gate_id}", k.rule, k.article)
        self._check_phase(g, f"exempting {gate_id}")
        if self.flag(g.exemption_flag) is not True:
            raise RuleViolation(f"exempting {gate_id} needs the determination '{g.exemption_flag}' "
                                "recorded as true", rule=k.rule, article=k.article)
        if not self.artifacts_of(g.id, g.exemption_kind):
            raise RuleViolation(f"exempting {gate_id} needs the artifact '{g.exemption_kind}' "
                                f"({k.name_zh})", rule=k.rule, article=k.article)
        if not legal_basis.strip():
            raise InvalidInput("an exemption needs its legal basis", rule=k.rule, article=k.article)
        if self.state["gates"][gate_id]["exemption"]:
            raise RuleViolation(f"gate {gate_id} is already exempted", rule=g.rule, article=g.article)
        return [NewEvent("GateExempted", {"gate": gate_id, "legal_basis": legal_basis,
                                          "by": actor.person})]

    def finalize(self, candidates: tuple[Actor, ...], today: date) -> list[NewEvent]:
        """Finalize: only the head, only with every pre-decision gate satisfied (R13–R16, SoD4)."""
        pick_actor(candidates, ("admin_head",), "finalizing the decision", "SoD4", "Art. 30")
        if self.status not in PRE_DECISION:
            raise RuleViolation(f"the decision is {self.status}; it cannot be finalized",
                                rule="R15", article="Art. 30")
        missing = self.finalization_missing()
        if missing:
            raise FinalizationRefused(f"finalization refused: {len(missing)} item(s) missing",
                                      rule=missing[0].rule, article=missing[0].article,
                                      missing=tuple(missing))
        meeting = self.latest("collective_decision", "meeting_record")
        assert meeting is not None  # collective_decision is satisfied
        return [NewEvent("DecisionFinalized", {"on": today.isoformat(),
                                               "draft_version": self.state["draft_version"],
                                               "meeting_artifact": meeting["id"]})]

    def suspend(self, candidates: tuple[Actor, ...], ground: str, reason: str) -> list[NewEvent]:
        """Suspend execution (中止): the administrative head alone, on an Art. 35 ground (R20, SoD6)."""
        pick_actor(candidates, ("admin_head",), "suspending a decision", "SoD6", "Arts. 35, 37")
        if self.status not in DECIDED:
            raise RuleViolation(f"only a decided decision can be suspended; status is {self.status}",
                                rule="R20", article="Art. 37")
        if ground not in ART35_GROUNDS:
            raise InvalidInput(f"ground must be one of {', '.join(ART35_GROUNDS)}", rule="R20",
                               article="Art. 35")
        if not reason.strip():
            raise InvalidInput("a suspension needs its reason", rule="R20", article="Art. 37")
        return [NewEvent("DecisionSuspended", {"ground": ground, "reason": reason,
                                               "from_status": self.status})]

    def resume(self, candidates: tuple[Actor, ...], reason: str) -> list[NewEvent]:
        """Resume a suspended decision (the head, with a reason)."""
        pick_actor(candidates, ("admin_head",), "resuming a decision", "SoD6", "Art. 37")
        if self.status != "suspended":
            raise RuleViolation("only a suspended decision can be resumed", rule="R20", article="Art. 37")
        if not reason.strip():
            raise InvalidInput("resumption needs its reason", rule="R20", article="Art. 37")
        return [NewEvent("DecisionResumed", {"reason": reason})]

    def withdraw(self, candidates: tuple[Actor, ...], reason: str) -> list[NewEvent]:
        """Withdraw a decision before it is made (the organ or head, with a reason)."""
        pick_actor(candidates, ("admin_head", "decision_organ"), "withdrawing", "R3", "Art. 11")
        self._require_pre_decision("withdrawal")
        if not reason.strip():
            raise InvalidInput("a withdrawal needs its reason", rule="R18", article="Art. 33")
        return [NewEvent("DecisionWithdrawn", {"reason": reason})]

    def migrate_procedure(self, candidates: tuple[Actor, ...], new: Procedure,
                          justification: str) -> list[NewEvent]:
        """A new procedure version applies to a running decision only with the legal office's recorded
        approval and justification (PV1, inference from Art. 43; decided decisions keep their version)."""
        pick_actor(candidates, ("legality_reviewer",), "approving a procedure migration", "PV1",
                   "Art. 43 (inference)")
        self._require_pre_decision("a procedure migration")
        if new.hash == self.spec.hash:
            raise RuleViolation("the decision already runs under this procedure version", rule="PV1",
                                article="Art. 43 (inference)")
        if new.data["procedure"].get("kind") != self.spec.data["procedure"].get("kind"):
            raise RuleViolation("a decision cannot migrate to a procedure of another kind", rule="PV1",
                                article="Art. 43 (inference)")
        if not justification.strip():
            raise InvalidInput("a migration needs its written justification", rule="PV1",
                               article="Art. 43 (inference)")
        return [NewEvent("ProcedureMigrated", {
            "from": dict(self.state["procedure"]), "justification": justification,
            "to": {"id": new.id, "version": new.version, "hash": new.hash, "profile": new.profile}})]

    def close(self, candidates: tuple[Actor, ...]) -> list[NewEvent]:
        """Close the case once publication is settled and the record is complete (R18, Art. 33). A
        terminated decision (R20, Art. 37) is closed too: its record goes to the archive like any other."""
        pick_actor(candidates, ("decision_organ", "admin_head"), "closing the case", "R18", "Art. 33")
        if self.status not in ("published", "in_execution", "evaluated", "terminated"):
            raise RuleViolation(f"a case closes after publication; status is {self.status}",
                                rule="R18", article="Art. 33")
        pub = self.spec.gate("publication")
        # after a termination nothing more can be recorded (R20), so an unpublished one closes as it stands
        if self.status != "terminated" and not self.gate_satisfied(pub):
            raise RuleViolation("publication is not settled", rule="R17", article="Art. 32",
                                missing=tuple(self.missing_for(pub)))
        return [NewEvent("DecisionClosed", {"artifacts": len(self.state["artifacts"])})]

    # ------------------------------------------------------------------ fold
    def apply(self, event: dict[str, Any], *, refresh: bool = True) -> None:
        """Fold one stored event (envelope with seq, type, at, actor, payload) into the state.

        Derived fields (gate status, stage, pre-decision status) depend only on the rest of the
        state, so a long replay may pass refresh=False and call `refresh()` once at the end.
        """
        etype, p = event["type"], event["payload"]
        handler = _APPLY.get(etype)
        if etype == "DecisionOpened":
            self.state = _initial_state(self.spec, p, event)
        elif handler is not None:
            handler(self, p, event)
        self.state["seq"] = event["seq"]
        self.state["updated_at"] = event["at"]
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the derived fields: each gate's status, the stage, the pre-decision status."""
        s = self.state
        for g in self.spec.gates:
            s["gates"][g.id]["status"] = self.gate_status(g)
        s["stage"] = self._current_stage()
        if s["status"] in ("draft", "in_procedure", "ready_for_decision"):
            if not s["start"]:
                s["status"] = "draft"
            elif all(self.gate_satisfied(g) for g in self.spec.gates_before("collective_decision")):
                s["status"] = "ready_for_decision"
            else:
                s["status"] = "in_procedure"

    def _current_stage(self) -> str:
        for g in self.spec.gates:
            if g.phase == "pre" and not self.gate_satisfied(g):
                return g.stage
        if self.state["status"] in PRE_DECISION:
            return "S5"
        for g in self.spec.gates:
            if g.phase == "post" and self.gate_applicable(g) and not self.gate_satisfied(g):
                return g.stage
        return "S9" if self.state["status"] == "closed" else "S7"


def _initial_state(spec: Procedure, p: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": p["decision_id"], "title": p["title"], "category": p["category"], "unit": p["unit"],
        "summary": p.get("summary", ""), "due_by": p.get("due_by"), "procedure": p["procedure"],
        "opened_at": event["at"], "opened_by": event["actor"], "status": "draft", "stage": "S0",
        "seq": 0, "updated_at": event["at"], "flags": {}, "draft_version": 0, "drafts": [],
        "start": None, "units": [p["unit"]], "artifacts": {}, "exemptions": [],
        "decided_on": None, "decided_version": None, "published_on": None, "suspension": None,
        "execution_units": [], "closed": False, "refused_attempts": 0,
        "gates": {g.id: {"status": "open", "round": 1, "round_artifacts": [], "all_artifacts": [],
                         "cleared": None, "returned": None, "exemption": None, "reopened": []}
                  for g in spec.gates},
    }


def _ap_determination(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["flags"][p["kind"]] = {"value": p["value"], "reasons": p["reasons"], "by": ev["actor"],
                                   "at": ev["at"]}


def _ap_artifact(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    art = {"id": p["artifact_id"], "kind": p["kind"], "gate": p["gate"], "sha256": p["sha256"],
           "size": p["size"], "media_type": p["media_type"], "filename": p["filename"],
           "draft_version": p["draft_version"], "fields": p["fields"], "author": ev["actor"],
           "at": ev["at"], "seq": ev["seq"], "round": None, "storage": p.get("storage", "blob")}
    s = d.state
    if p["gate"]:
        gs = s["gates"][p["gate"]]
        art["round"] = gs["round"]
        gs["round_artifacts"].append(art["id"])
        gs["all_artifacts"].append(art["id"])
    s["artifacts"][art["id"]] = art
    kind = p["kind"]
    if kind == "start_decision":
        lead = p["fields"]["lead_unit"]
        s["start"] = {"lead_unit": lead, "units": p["fields"]["units"], "at": ev["at"],
                      "affected_units": list(p["fields"].get("affected_units") or [])}
        s["units"] = [lead, *[u for u in p["fields"]["units"] if u != lead]]
        s["unit"] = lead
    elif kind == "publication_record":
        s["published_on"] = p["on"]
        s["status"] = "published"
    elif kind == "execution_unit_designation":
        s["execution_units"] = list(p["fields"]["units"])
        if s["status"] in ("decided", "published"):
            s["status"] = "in_execution"
    elif kind == "evaluation_report" and s["status"] != "suspended":
        s["status"] = "evaluated"


def _ap_draft(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    s = d.state
    s["draft_version"] = p["version"]
    s["drafts"].append({"version": p["version"], "artifact_id": p["artifact_id"], "title": p["title"],
                        "note": p["note"], "sha256": p["sha256"], "at": ev["at"]})
    s["artifacts"][p["artifact_id"]] = {
        "id": p["artifact_id"], "kind": "draft", "gate": "", "sha256": p["sha256"], "size": p["size"],
        "media_type": p["media_type"], "filename": p["filename"], "draft_version": p["version"],
        "fields": {"title": p["title"], "note": p["note"]}, "author": ev["actor"], "at": ev["at"],
        "seq": ev["seq"], "round": None}


def _new_round(gs: dict[str, Any]) -> None:
    gs["round"] += 1
    gs["round_artifacts"] = []
    gs["cleared"] = None


def _ap_cleared(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["gates"][p["gate"]]["cleared"] = {"by": ev["actor"], "at": ev["at"]}


def _ap_returned(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    gs = d.state["gates"][p["gate"]]
    _new_round(gs)
    gs["returned"] = {"by": ev["actor"], "at": ev["at"], "reason": p["reason"]}


def _ap_reopened(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    gs = d.state["gates"][p["gate"]]
    _new_round(gs)
    gs["reopened"].append({"at": ev["at"], "reason": p["reason"]})


def _ap_exempted(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["gates"][p["gate"]]["exemption"] = {"legal_basis": p["legal_basis"], "by": ev["actor"],
                                                "at": ev["at"]}
    d.state["exemptions"].append({"gate": p["gate"], "legal_basis": p["legal_basis"], "at": ev["at"]})


def _ap_finalized(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state.update(status="decided", decided_on=p["on"], decided_version=p["draft_version"],
                   decided_by=ev["actor"])


def _ap_suspended(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["suspension"] = {"ground": p["ground"], "reason": p["reason"], "at": ev["at"],
                             "by": ev["actor"], "from_status": p["from_status"]}
    d.state["status"] = "suspended"


def _ap_resumed(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["status"] = d.state["suspension"]["from_status"]
    d.state["suspension"] = None


def _ap_status(status: str) -> Any:
    def apply(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
        d.state["status"] = status
        if status == "closed":
            d.state["closed"] = True
    return apply


def _ap_migrated(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    if d._resolve is not None:
        d.spec = d._resolve(p["to"]["hash"])
    elif d.spec.hash != p["to"]["hash"]:
        raise ValueError("replaying a procedure migration needs a resolver for pinned procedures")
    d.state["procedure"] = dict(p["to"])
    d.state.setdefault("procedure_history", []).append({"from": p["from"], "to": p["to"], "at": ev["at"],
                                                        "by": ev["actor"], "justification": p["justification"]})
    for g in d.spec.gates:
        d.state["gates"].setdefault(g.id, {"status": "open", "round": 1, "round_artifacts": [],
                                           "all_artifacts": [], "cleared": None, "returned": None,
                                           "exemption": None, "reopened": []})


def _ap_refused(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["refused_attempts"] += 1


def _ap_terminated(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """R20, Art. 37: stopped on a stated basis (domain/execution.py `terminate`)."""
    d.state["termination"] = {"basis": p["basis"], "reason": p["reason"], "basis_ref": p["basis_ref"],
                              "from_status": p["from_status"], "at": ev["at"], "by": ev["actor"]}
    d.state["status"] = "terminated"


def _ap_adjustment(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """R20, Art. 37: a major adjustment opened as a new decision; this one stays as it was."""
    d.state.setdefault("adjustments", []).append({"decision_id": p["adjustment_id"], "reason": p["reason"],
                                                  "basis_ref": p["basis_ref"], "at": ev["at"],
                                                  "by": ev["actor"]})


def _ap_adjusts(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    d.state["adjusts"] = {"decision_id": p["original_id"], "title": p["original_title"],
                          "reason": p["reason"], "basis_ref": p["basis_ref"], "at": ev["at"]}


_APPLY: dict[str, Any] = {
    "DeterminationRecorded": _ap_determination, "ArtifactRecorded": _ap_artifact,
    "DraftVersionAdded": _ap_draft, "GateCleared": _ap_cleared, "GateReturned": _ap_returned,
    "GateReopened": _ap_reopened, "GateExempted": _ap_exempted, "DecisionFinalized": _ap_finalized,
    "DecisionSuspended": _ap_suspended, "DecisionResumed": _ap_resumed,
    "DecisionWithdrawn": _ap_status("withdrawn"), "DecisionClosed": _ap_status("closed"),
    "AttemptRefused": _ap_refused, "ProcedureMigrated": _ap_migrated,
    "RecordPresented": sr.ap_record_presented, "RecordConfirmed": sr.ap_record_confirmed,  # R7 SoD5, R9
    "SupplementRequested": sr.ap_supplement_requested,  # R11, Art. 26
    "DecisionTerminated": _ap_terminated, "AdjustmentOpened": _ap_adjustment,
    "AdjustsDecision": _ap_adjusts,
}

_SOD_RULE = {"legality_review": "SoD1"}
_FIXED_AT_DECISION = {"execution_targets": ("R19", "Art. 34")}


# ---------------------------------------------------------------------- gate checks (time-independent)
def _no_check(d: Decision, g: GateSpec) -> list[Missing]:
    return []


def _check_coordination(d: Decision, g: GateSpec) -> list[Missing]:
    """R4, Art. 13: every affected unit consulted; an open dispute needs a dispute statement."""
    out: list[Missing] = []
    start = d.state["start"] or {}
    consulted = {a["fields"]["unit"] for a in d.artifacts_of(g.id, "consultation")}
    for unit in [u for u in start.get("affected_units", []) if u not in consulted]:
        out.append(Missing("R4", "Art. 13", g.id, f"consultation of affected unit {unit}", "consultation"))
    if any(a["fields"].get("dispute") for a in d.artifacts_of(g.id, "consultation")) and \
            not d.artifacts_of(g.id, "dispute_statement"):
        out.append(Missing("R4", "Art. 13", g.id, "a dispute is open: dispute statement (issue, each "
                           "unit's view, the lead unit's view, reasons, basis)", "dispute_statement"))
    return out


def _check_participation(d: Decision, g: GateSpec) -> list[Missing]:
    """R5, Art. 14: at least one participation method; R8: every opinion disposed."""
    arts = d.artifacts_of(g.id)
    if not any(a["kind"] in ("comment_notice", "participation_record") for a in arts):
        return [Missing("R5", "Art. 14", g.id, "at least one public participation record (comment "
                        "notice, symposium, hearing, visit, written consultation or survey)",
                        "participation_record")]
    return []


def _check_hearing(d: Decision, g: GateSpec) -> list[Missing]:
    """R7, Art. 17: materials delivered to every participant; the record signed by each."""
    out: list[Missing] = []
    record = d.latest(g.id, "hearing_record")
    if record is not None:
        delivered = {a["fields"]["participant"] for a in d.artifacts_of(g.id, "hearing_materials_delivery")}
        for person in record["fields"]["participants"]:
            if person not in delivered:
                out.append(Missing("R7", "Art. 17", g.id, f"materials delivery to participant {person}",
                                   "hearing_materials_delivery"))
    return out


def _check_risk(d: Decision, g: GateSpec) -> list[Missing]:
    """R10, Art. 24: the latest assessment must find the risk controllable."""
    report = d.latest(g.id, "risk_report")
    if report is not None and report["fields"]["conclusion"] != "controllable":
        return [Missing("R10", "Art. 24", g.id, "the risk is assessed as not controllable: adjust the "
                        "draft and record a new assessment concluding 'controllable'", "risk_report")]
    return []


def _check_legality(d: Decision, g: GateSpec) -> list[Missing]:
    """R11–R13, Arts. 25–28: reviewed version is the current one, not unlawful, amendments recorded."""
    out: list[Missing] = []
    current = d.state["draft_version"]
    sub = d.latest(g.id, "legality_submission")
    if sub is not None and sub["draft_version"] != current:
        out.append(Missing("R13", "Art. 25", g.id, f"submission concerns draft v{sub['draft_version']}, "
                           f"current is v{current}", "legality_submission"))
    op = d.latest(g.id, "legality_opinion")
    if op is not None:
        conclusion = op["fields"]["conclusion"]
        if op["draft_version"] != current:
            out.append(Missing("R13", "Art. 25", g.id, f"opinion concerns draft v{op['draft_version']}, "
                               f"current is v{current}", "legality_opinion"))
        if conclusion == "unlawful":
            out.append(Missing("R13", "Art. 25 ¶2", g.id, "the legality opinion found the draft "
                               "unlawful: it must not be discussed", "legality_opinion"))
        if conclusion == "lawful_if_amended" and not d.artifacts_of(g.id, "amendment_record") and \
                not d.artifacts_of(g.id, "nonadoption_explanation"):
            out.append(Missing("R12", "Art. 28", g.id, "amendment record (or a written explanation of "
                               "non-adoption) for a 'lawful if amended' opinion", "amendment_record"))
    return out


def _check_collective(d: Decision, g: GateSpec) -> list[Missing]:
    """R15, Art. 30: the head's decision adopts the draft."""
    rec = d.latest(g.id, "meeting_record")
    if rec is None:
        return []
    decided, current = rec["fields"]["head_decision"], d.state["draft_version"]
    if decided not in ("adopt", "adopt_with_amendments"):
        return [Missing("R15", "Art. 30", g.id, f"the meeting's decision was '{decided}', not adoption",
                        "meeting_record")]
    if decided == "adopt_with_amendments" and current <= rec["draft_version"]:
        return [Missing("R15", "Art. 30", g.id, "the amendments adopted at the meeting must be made in a "
                        "new draft version, reviewed again for legality (R13)", "draft")]
    if decided == "adopt" and current != rec["draft_version"]:
        return [Missing("R13", "Art. 25", g.id, f"the meeting adopted draft v{rec['draft_version']}, the "
                        f"current draft is v{current}: the version decided must be the one discussed",
                        "meeting_record")]
    return []


def _check_publication(d: Decision, g: GateSpec) -> list[Missing]:
    """R17, Art. 32: specialised matters also need the adoption explanation and interpretation."""
    out: list[Missing] = []
    records = d.artifacts_of(g.id, "publication_record")
    covered = {publication_channel(c) for a in records for c in a["fields"]["channels"]}
    for channel, name_zh in PUBLICATION_CHANNELS.items():
        if records and channel not in covered:
            out.append(Missing("R17", "Art. 32", g.id, f"publication in the {name_zh} ({channel})",
                               "publication_record"))
    if d.flag("specialised") and not d.flag("high_concern"):
        for kind in ("adoption_explanation", "interpretation"):
            if not d.artifacts_of(g.id, kind):
                k = d.spec.artifact_kind(kind)
                out.append(Missing("R17", "Art. 32", g.id, f"artifact '{kind}' ({k.name_zh}) for a "
                                   "specialised matter", kind))
    return out


_GATE_CHECKS = {
    "coordination": _check_coordination, "public_participation": _check_participation,
    "hearing": _check_hearing, "risk_assessment": _check_risk,
    "legality_review": sr.gates(_check_legality, sr.check_legality_supplement),
    "expert_review": sr.check_expert_review,
    "collective_decision": _check_collective, "publication": _check_publication,
}


# ---------------------------------------------------------------------- artifact checks (at record time)
def _no_artifact_check(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    return None


def _art_start(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
               today: date) -> None:
    """R3, Art. 11: the start decision names the units with exactly one lead."""
    units = f["units"]
    if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
        raise InvalidInput("start_decision.units must be a list of unit names", rule="R3",
                           article="Art. 11")
    if f["lead_unit"] not in units or units.count(f["lead_unit"]) != 1:
        raise RuleViolation("the start decision must name exactly one lead unit among the units",
                            rule="R3", article="Art. 11")
    if d.state["start"]:
        raise RuleViolation("the decision has already been started", rule="R3", article="Art. 11")


def _art_proposal(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                  today: date) -> None:
    return None  # R3, Art. 10: the six required elements are enforced as required fields.


def _need_draft(d: Decision, k: ArtifactKind) -> None:
    if d.state["draft_version"] < 1:
        raise RuleViolation(f"'{k.id}' concerns a draft, and no draft version exists yet", rule="R3",
                            article="Art. 12")


def _art_comment_notice(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R6, Art. 15: ≥ 30 calendar days, or a shortening reason written into the notice."""
    _need_draft(d, k)
    published = _date(f["published_at"], "published_at", k.id, "R6", "Art. 15")
    deadline = _date(f["deadline"], "deadline", k.id, "R6", "Art. 15")
    dur = d.spec.durations["comment_period"]
    days = cal.calendar_days_between(published, deadline)
    if days < dur.days and not str(f.get("shortening_reason") or "").strip():
        raise RuleViolation(f"comment period is {days} calendar days; at least {dur.days} unless the "
                            "notice states the reason for a shorter period (shortening_reason)",
                            rule="R6", article="Art. 15")
    if not isinstance(f["channels"], list):
        raise InvalidInput("comment_notice.channels must be a list", rule="R6", article="Art. 15")


def _art_catalog_entry(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R2, Art. 3 ¶3: a catalogued matter's catalogue is published only after the Party committee at the
    same level agreed to it (`party_consent_at < published_at`), and neither date lies in the future."""
    consent = _date(f["party_consent_at"], "party_consent_at", k.id, "R2", "Art. 3 ¶3")
    published = _date(f["published_at"], "published_at", k.id, "R2", "Art. 3 ¶3")
    if not consent < published:
        raise RuleViolation(f"决策事项目录须经同级党委同意后向社会公布：同意日期 {consent.isoformat()} 应早于公布日期 "
                            f"{published.isoformat()} (the Party committee's consent must precede publication)",
                            rule="R2", article="Art. 3 ¶3")
    if published > today:
        raise InvalidInput(f"catalog_entry.published_at {published.isoformat()} lies in the future", rule="R2",
                           article="Art. 3 ¶3")


def _art_opinion_summary(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                         cal: StatutoryCalendar, today: date) -> None:
    """R8, Arts. 18, 29(2): each main opinion marked adopted / partly / not adopted, with a reason; and
    R6, Art. 15: the adoption status can only be summed up once every comment window has closed."""
    for notice in d.artifacts_of("public_participation", "comment_notice"):
        deadline = _date(notice["fields"]["deadline"], "deadline", "comment_notice", "R6", "Art. 15")
        if today <= deadline:
            raise RuleViolation(f"意见征求期至 {deadline.isoformat()} 届满，届满后方可形成意见采纳情况 (the comment "
                                "window is still open)", rule="R6", article="Art. 15")
    ops = f["opinions"]
    if not isinstance(ops, list):
        raise InvalidInput("opinion_summary.opinions must be a list", rule="R8", article="Art. 18")
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("disposition") not in ("adopted", "partly", "not_adopted") \
                or not str(op.get("reason") or "").strip() or not str(op.get("opinion") or "").strip():
            raise RuleViolation(f"opinion #{i + 1} needs its text, a disposition (adopted / partly / "
                                "not_adopted) and a reason", rule="R8", article="Art. 18")


def _art_hearing_delivery(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                          cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 17: materials reach each participant at least 7 days before the hearing."""
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("the hearing notice must precede everything else", rule="R7",
                            article="Art. 16")
    hearing_at = _date(notice["fields"]["hearing_at"], "hearing_at", "hearing_notice", "R7", "Art. 17")
    delivered = _date(f["delivered_at"], "delivered_at", k.id, "R7", "Art. 17")
    need = d.spec.durations["hearing_materials"].days
    if cal.calendar_days_between(delivered, hearing_at) < need:
        raise RuleViolation(f"materials delivered {delivered.isoformat()} reach the participant less "
                            f"than {need} days before the hearing on {hearing_at.isoformat()}",
                            rule="R7", article="Art. 17")


def _art_hearing_notice(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R7, Art. 16: the notice (draft, time, place) precedes the hearing."""
    _need_draft(d, k)
    pub = _date(f["published_at"], "published_at", k.id, "R7", "Art. 16")
    at = _date(f["hearing_at"], "hearing_at", k.id, "R7", "Art. 16")
    if pub >= at:
        raise RuleViolation("the hearing notice must be published before the hearing", rule="R7",
                            article="Art. 16")


def _art_hearing_record(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R7 and SoD5, Art. 17: every participant confirms and signs the record."""
    if d.latest("hearing", "hearing_notice") is None:
        raise RuleViolation("no hearing notice was published", rule="R7", article="Art. 16")
    unsigned = [p for p in f["participants"] if p not in f["signed_by"]]
    if unsigned:
        raise RuleViolation(f"the hearing record is not signed by: {', '.join(map(str, unsigned))}",
                            rule="SoD5", article="Art. 17")


def _art_expert_opinion(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R9 and SoD2, Art. 20: a declared, disinterested expert; a signed opinion."""
    _need_draft(d, k)
    decls = [a for a in d.artifacts_of("expert_review", "conflict_declaration")
             if a["author"]["person"] == actor.person]
    if not decls:
        raise RuleViolation("the expert must file a conflict-of-interest declaration first",
                            rule="R9", article="Art. 20")
    if _truthy(decls[-1]["fields"]["direct_interest"]):
        raise NotPermitted("an expert with a declared direct interest is barred from the review",
                           rule="SoD2", article="Art. 20")
    if not str(f["signature"]).strip():
        raise RuleViolation("an expert opinion must be signed or sealed", rule="R9", article="Art. 19")


def _art_risk_report(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                     cal: StatutoryCalendar, today: date) -> None:
    """R10, Arts. 23–24: risk points, measures, contingency plan, conclusion."""
    _need_draft(d, k)
    if f["conclusion"] not in ("controllable", "not_controllable"):
        raise InvalidInput("risk_report.conclusion must be controllable or not_controllable",
                           rule="R10", article="Art. 24")
    prior = d.latest("risk_assessment", "risk_report")
    if prior is not None and prior["fields"]["conclusion"] != "controllable" and \
            prior["draft_version"] == d.state["draft_version"]:
        raise RuleViolation("the risk was found not controllable for this draft version: adjust the "
                            "draft (a new version) before a new assessment", rule="R10", article="Art. 24")


def _art_legality_submission(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                             cal: StatutoryCalendar, today: date) -> None:
    """R11, Arts. 25–26 (and R8 before it): the packet, and ≥ 7 working days for the review."""
    _need_draft(d, k)
    part = d.spec.gate("public_participation")
    if d.gate_status(part) not in ("exempted", "not_applicable") and \
            not d.artifacts_of(part.id, "opinion_summary"):
        raise RuleViolation("public opinions must be summarised with their dispositions before the "
                            "legality submission", rule="R8", article="Arts. 18, 29(2)")
    wanted = _date(f["requested_deadline"], "requested_deadline", k.id, "R11", "Art. 27")
    days, _ = cal.working_days_between(today, wanted)
    need = d.spec.durations["legality_review"].days
    if days < need and not str(f.get("short_review_reason") or "").strip():
        raise RuleViolation(f"the review is given {days} working days; at least {need} unless a reason "
                            "is recorded (short_review_reason)", rule="R11", article="Art. 27")


def _art_legality_opinion(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                          cal: StatutoryCalendar, today: date) -> None:
    """R12, Arts. 27–28 and SoD1: scope, conclusion, adviser opinions, not the undertaking unit."""
    if actor.unit in d.undertaking_units():
        raise NotPermitted("the undertaking unit cannot give the legality opinion on its own draft",
                           rule="SoD1", article="Arts. 25, 28")
    if d.latest("legality_review", "legality_submission") is None:
        raise RuleViolation("no legality submission to review", rule="R11", article="Art. 26")
    if d.spec.artifact_kind("legal_adviser_opinion").required and \
            not d.artifacts_of("legality_review", "legal_adviser_opinion"):
        raise RuleViolation("the reviewer must first obtain at least one legal adviser's opinion",
                            rule="R12", article="Art. 28")
    if "checklist" in k.fields:
        _check_normative_checklist(f)
    if f["conclusion"] not in LEGALITY_CONCLUSIONS:
        raise InvalidInput(f"conclusion must be one of {', '.join(LEGALITY_CONCLUSIONS)}", rule="R12",
                           article="Art. 27")
    if f["conclusion"] == "exploratory_risk_stated":
        if not d.flag("exploratory_reform") or not str(f.get("risk_statement") or "").strip():
            raise RuleViolation("'exploratory reform' needs the exploratory_reform determination and an "
                                "explicit statement of the legal risk", rule="R13", article="Art. 25 ¶2")


ND1_ITEMS = ("creates_licence", "creates_penalty", "creates_compulsory_measure", "creates_fee",
             "adds_obligation_without_basis")


def _check_normative_checklist(f: dict[str, Any]) -> None:
    """ND1 (seeds 001, 004): no licence, penalty, compulsory measure or fee; no obligation without basis."""
    checklist = f["checklist"]
    if not isinstance(checklist, dict) or any(not isinstance(checklist.get(i), bool) for i in ND1_ITEMS):
        raise InvalidInput("checklist must answer each item true/false: " + ", ".join(ND1_ITEMS),
                           rule="ND1", article="seeds 001, 004")
    found = [i for i in ND1_ITEMS if checklist[i]]
    if found and f["conclusion"] != "unlawful":
        raise RuleViolation("a normative document may not " + ", ".join(found) + "; the review must "
                            "conclude 'unlawful' until the draft removes it", rule="ND1",
                            article="seeds 001, 004")


def _art_filing(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                today: date) -> None:
    """ND3 (seeds 001, 004): filed with the superior government and the people's congress after
    publication; lateness beyond 15 days is flagged on the record (by the clock and compliance)."""
    if k.id != "filing_record":
        return
    if not d.state.get("published_on"):
        raise RuleViolation("only a published document can be filed", rule="ND3", article="seeds 001, 004")
    targets = f["filed_with"]
    if not isinstance(targets, list) or not {"superior_government", "npc_standing_committee"} <= set(targets):
        raise RuleViolation("filing goes to both the superior government and the people's congress "
                            "standing committee (filed_with: superior_government, npc_standing_committee)",
                            rule="ND3", article="seeds 001, 004")
    _date(f["filed_at"], "filed_at", k.id, "ND3", "seeds 001, 004")


def _art_cleanup(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                 today: date) -> None:
    """ND4 (seeds 001, 003): periodic clean-up concludes continue, amend or repeal."""
    if f["outcome"] not in ("continue", "amend", "repeal"):
        raise InvalidInput("outcome must be continue, amend or repeal", rule="ND4", article="seeds 001, 003")


def _art_meeting(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                 today: date) -> None:
    """R13–R15, SoD4, Arts. 25, 29–30: a real meeting, the head last, reasons for departing."""
    if f["meeting_type"] not in MEETING_TYPES:
        raise RuleViolation(f"the decision is taken at an executive or plenary meeting, not by "
                            f"{f['meeting_type']!r}", rule="R15", article="Art. 30")
    blocking = d.agenda_blockers()
    if blocking:
        raise RuleViolation("only a decision whose pre-decision gates are all satisfied and whose packet "
                            "is complete can be placed on the agenda", rule="R14",
                            article="Art. 29(1)" if all(m.kind == "fair_competition_review"
                                                        for m in blocking) else "Art. 29",
                            missing=tuple(blocking))
    ops = f["opinions"]
    attendance = f["attendance"]
    if not isinstance(ops, list) or not ops or not isinstance(attendance, list):
        raise InvalidInput("meeting_record.opinions and attendance must be non-empty lists", rule="R15",
                           article="Art. 30")
    speakers = [str(o.get("person")) for o in ops if isinstance(o, dict)]
    if len(speakers) != len(ops) or any(p not in attendance for p in speakers):
        raise RuleViolation("every opinion must come from a member present at the meeting", rule="R15",
                            article="Art. 30")
    if speakers[-1] != actor.person:
        # SoD4, Art. 30: the head speaks last, then decides.
        raise RuleViolation("the administrative head speaks last: the last opinion must be the head's",
                            rule="SoD4", article="Art. 30")
    present_members = [p for p in attendance if p != actor.person]
    if any(p not in speakers[:-1] for p in present_members):
        raise RuleViolation("the head decides only after every present member has spoken", rule="SoD4",
                            article="Art. 30")
    if f["head_decision"] not in HEAD_DECISIONS:
        raise InvalidInput(f"head_decision must be one of {', '.join(HEAD_DECISIONS)}", rule="R15",
                           article="Art. 30")
    if departs_from_majority(ops[:-1], f["head_decision"]) and not str(f.get("head_reasons") or "").strip():
        raise RuleViolation("the head's decision departs from the majority of opinions: the reasons "
                            "must be stated at the meeting (head_reasons)", rule="R15", article="Art. 30")
    quorum = float(d.spec.settings.get("quorum_fraction", 0.5))
    members_total = int(f.get("members_total") or len(attendance))
    if len(attendance) <= quorum * members_total:
        raise RuleViolation(f"{len(attendance)} of {members_total} members present: no quorum",
                            rule="R15", article="Art. 30")
    if f.get("tally") is not None:
        check_tally(f["tally"], attendance, ops, members_total)
    if f["head_decision"] == "adopt_with_amendments" and not str(f.get("amendments") or "").strip():
        raise InvalidInput("adoption with amendments states the amendments", rule="R15", article="Art. 30")
    if f["head_decision"] == "send_back" and not (isinstance(f.get("reopen_gates"), list)
                                                  and f["reopen_gates"]):
        raise InvalidInput("sending back states which gates reopen (reopen_gates)", rule="R15",
                           article="Art. 30")
    report = d.latest("risk_assessment", "risk_report")
    if d.spec.has_gate("risk_assessment") and d.gate_applicable(d.spec.gate("risk_assessment")) and \
            report is not None and report["fields"]["conclusion"] != "controllable":
        raise RuleViolation("the risk is not controllable for this draft", rule="R10", article="Art. 24")


def _art_party_report(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                      cal: StatutoryCalendar, today: date) -> None:
    """R16, Art. 31: reported before issuance (this engine: before finalization)."""
    _date(f["reported_at"], "reported_at", k.id, "R16", "Art. 31")


def _art_execution_report(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                          cal: StatutoryCalendar, today: date) -> None:
    """R19, Arts. 34–35: only a designated execution unit reports; problem reports name a ground."""
    if not d.state["execution_units"]:
        raise RuleViolation("no execution unit has been designated", rule="R19", article="Art. 34")
    if actor.unit not in d.state["execution_units"]:
        raise NotPermitted(f"unit {actor.unit} is not an execution unit of this decision", rule="R19",
                           article="Art. 34")
    if f["report_kind"] not in ("progress", "problem"):
        raise InvalidInput("report_kind must be progress or problem", rule="R19", article="Art. 35")
    if f["report_kind"] == "problem" and f.get("ground") not in ART35_GROUNDS:
        raise InvalidInput(f"a problem report names its Art. 35 ground: {', '.join(ART35_GROUNDS)}",
                           rule="R19", article="Art. 35")


def _art_evaluation(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                    today: date) -> None:
    """R21 and SoD3, Art. 36: a lawful trigger; not the unit that did the main pre-decision work."""
    if f["trigger"] not in EVALUATION_TRIGGERS:
        raise InvalidInput(f"trigger must be one of {', '.join(EVALUATION_TRIGGERS)}", rule="R21",
                           article="Art. 36")
    assessors = set(d.undertaking_units()) | {a["author"]["unit"] for a in
                                              d.artifacts_of("risk_assessment", "risk_report",
                                                             all_rounds=True)}
    if actor.unit in assessors:
        raise NotPermitted(f"unit {actor.unit} did the main pre-decision work and cannot evaluate",
                           rule="SoD3", article="Art. 36")


def _art_publication(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                     cal: StatutoryCalendar, today: date) -> None:
    """R17, Art. 32: gazette, website, newspaper."""
    if not isinstance(f["channels"], list) or not f["channels"]:
        raise InvalidInput("publication_record.channels must list the channels used", rule="R17",
                           article="Art. 32")
    published = _date(f["published_at"], "published_at", k.id, "R17", "Art. 32")
    if d.state["decided_on"] and published < date.fromisoformat(d.state["decided_on"]):
        raise RuleViolation(f"published_at {published.isoformat()} is before the decision was made "
                            f"({d.state['decided_on']})", rule="R17", article="Art. 32")


def _art_after_decision(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R19–R21, SoD3 (Arts. 34–36): the execution and evaluation checks of domain/execution.py."""
    from decision_engine.domain import execution  # here: execution imports this module
    if k.id == "execution_report":
        _art_execution_report(d, k, actor, f, cal, today)
    elif k.id == "evaluation_report":
        _art_evaluation(d, k, actor, f, cal, today)
    execution.check_artifact(d, k, actor, f, today)


def _truthy(v: Any) -> bool:
    return v is True or str(v).lower() in ("true", "1", "yes")


_ARTIFACT_CHECKS = {
    "start_decision": _art_start, "proposal": _art_proposal, "catalog_entry": _art_catalog_entry, "comment_notice": _art_comment_notice,
    "opinion_summary": _art_opinion_summary, "hearing_notice": _art_hearing_notice,
    "hearing_materials_delivery": sr.checks(_art_hearing_delivery, sr.art_delivery_to_listed),
    "hearing_record": sr.checks(sr.art_hearing_record_confirmed, _art_hearing_record),
    "expert_opinion": sr.checks(_art_expert_opinion, sr.art_expert_selected),
    "risk_report": sr.checks(_art_risk_report, sr.art_risk_report_content),
    "legality_submission": _art_legality_submission,
    "legality_opinion": sr.checks(_art_legality_opinion, sr.art_no_pending_supplement),
    "meeting_record": _art_meeting, "party_report": _art_party_report,
    "execution_report": _art_after_decision, "evaluation_report": _art_after_decision,
    "execution_unit_designation": _art_after_decision, "execution_targets": _art_after_decision,
    "kpi_revision": _art_after_decision, "evaluation_commission": _art_after_decision,
    "evaluation_decision": _art_after_decision,
    "publication_record": _art_publication, "filing_record": _art_filing, "cleanup_review": _art_cleanup,
    # issue 4: the pre-decision stages in depth (domain/stage_rules.py)
    "participation_record": sr.art_participation_method, "hearing_selection_method": sr.art_selection_method,
    "hearing_participant_list": sr.art_participant_list, "selection_note": sr.art_selection_note,
    "conflict_declaration": sr.art_expert_selected, "expert_adoption": sr.art_expert_adoption,
    "legality_supplement": sr.art_supplement, "amendment_record": sr.art_answers_opinion,
    "nonadoption_explanation": sr.art_answers_opinion,
}
