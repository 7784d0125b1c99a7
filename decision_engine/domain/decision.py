"""The decision aggregate (重大行政决策, `MajorDecision`): commands in, events out, state by folding events.

Pure: no I/O, no clock, no framework. Each command checks the rules of shared/domain/ORDER-713-RULES.md
and returns the actor that acted (the person's role the domain picked for the act) with the events the act
would cause, or raises a DomainError naming the rule and article. The checks of each stage's artifacts and
gates live in `domain/rules/` and reach the aggregate through its registry; `apply` folds one stored event
into the state (`domain/projection.py`), so replaying every event rebuilds exactly the stored projection.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

from decision_engine.domain import authority, projection
from decision_engine.domain import events as ev
from decision_engine.domain import rules as default_rules
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import (
    FinalizationRefused,
    InvalidInput,
    Missing,
    NotPermitted,
    RuleViolation,
)
from decision_engine.domain.law import ref
from decision_engine.domain.organisation import SINGLE, OrgChart
from decision_engine.domain.procedure import GateSpec, Procedure
from decision_engine.domain.rules.collective import (
    HEAD_DECISIONS,
    MEETING_TYPES,
    check_tally,
    departs_from_majority,
)
from decision_engine.domain.rules.evaluation import EVALUATION_TRIGGERS
from decision_engine.domain.rules.execution import ART35_GROUNDS, check_suspension
from decision_engine.domain.rules.hearing import HELD_BY_CHOICE
from decision_engine.domain.rules.initiation import (
    CATEGORIES,
    EXCLUDED_CATEGORIES,
    check_due_by,
    check_organ_level,
    check_procedure_by_law,
)
from decision_engine.domain.rules.legality import LEGALITY_CONCLUSIONS
from decision_engine.domain.rules.participation import comment_deadline, live_notices
from decision_engine.domain.rules.publication import PUBLICATION_CHANNELS, publication_channel
from decision_engine.domain.rules.registry import Registry
from decision_engine.domain.rules.risk import reopens_on_new_draft
from decision_engine.domain.values import (
    DECIDED,
    PRE_DECISION,
    Actor,
    BlobRef,
    NewEvent,
    pick_actor,
)

# Names other layers import from here; their home is values.py or the stage's rule module.
__all__ = ["ART35_GROUNDS", "CATEGORIES", "DECIDED", "EVALUATION_TRIGGERS", "EXCLUDED_CATEGORIES",
           "HEAD_DECISIONS", "LEGALITY_CONCLUSIONS", "MEETING_TYPES", "PRE_DECISION", "PUBLICATION_CHANNELS",
           "Actor", "BlobRef", "Decision", "NewEvent", "check_tally", "departs_from_majority", "pick_actor",
           "publication_channel"]

Act = tuple[Actor, list[NewEvent]]  # what a command returns: who acted (the role picked) and the events
SATISFIED = ("cleared", "exempted", "not_applicable")  # the gate statuses that hold (`gate_satisfied`)
NOT_REOPENABLE = ("initiation", "collective_decision", "party_report")
OPENERS = ("undertaking_unit", "decision_organ", "admin_head")  # R3, Arts. 10–11: who opens a decision


class Decision:
    """A major administrative decision: state folded from its events."""

    def __init__(self, spec: Procedure, state: dict[str, Any] | None = None,
                 resolve: Callable[[str], Procedure] | None = None, *,
                 rules: Registry = default_rules.DEFAULT, events: ev.Catalogue = ev.DEFAULT,
                 chart: OrgChart | None = None) -> None:
        self.spec = spec
        self.chart = chart if chart is not None else OrgChart.single_organ()  # whose decision it is (§8)
        self.state: dict[str, Any] = state if state is not None else {}
        self._resolve = resolve  # finds a pinned procedure by hash when replaying a migration
        self.rules = rules  # the stages' artifact and gate checks (domain/rules/)
        self.events = events  # the typed events and their upcasters (domain/events.py)

    def pinned(self, spec_hash: str) -> Procedure:
        """The pinned procedure with this hash (a migration replayed needs the resolver)."""
        if self._resolve is not None:
            return self._resolve(spec_hash)
        if self.spec.hash != spec_hash:
            raise ValueError("replaying a procedure migration needs a resolver for pinned procedures")
        return self.spec

    def pick(self, candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str, article: str,
             *, relation: str | None = None) -> Actor:
        """The person's role that may do this act for *this* decision: a role the act's rule allows, held in
        the relation the record names (AR1–AR12, `domain/authority.py`), or NotPermitted."""
        return authority.pick(candidates, roles, act, rule, article, self.state, self.chart, relation=relation)

    def parties(self) -> authority.Parties:
        """Who the record names for this decision (its organ, units, experts, presiding head...)."""
        return authority.parties(self.state, self.chart)

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
        if g.id in HELD_BY_CHOICE and self.state["gates"][g.id]["all_artifacts"]:
            return True  # R7, Art. 16: a hearing held by choice follows the hearing's rules all the same
        return self.flag(g.condition.removeprefix("flag:"))

    def artifacts_of(self, gate_id: str, kind: str | None = None, *, all_rounds: bool = False
                     ) -> list[dict[str, Any]]:
        """Artifacts recorded in a gate (current round unless all_rounds), oldest first."""
        gs = self.state["gates"].get(gate_id)
        if gs is None:
            return []
        ids = gs["all_artifacts"] if all_rounds else gs["round_artifacts"]
        arts = self.state["artifacts"]
        if kind is None:
            return [arts[i] for i in ids]
        return [a for i in ids if (a := arts[i])["kind"] == kind]

    def has_artifact(self, gate_id: str, kind: str) -> bool:
        """Whether the gate's current round has an artifact of this kind (= `bool(artifacts_of(...))`, stopping
        at the first)."""
        gs = self.state["gates"].get(gate_id)
        if gs is None:
            return False
        arts = self.state["artifacts"]
        return any(arts[i]["kind"] == kind for i in gs["round_artifacts"])

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
            if not self.has_artifact(g.id, k.id):
                out.append(Missing(k.rule, k.article, g.id,
                                   f"artifact '{k.id}' ({k.name_zh}) recorded by {' / '.join(k.roles)}",
                                   kind=k.id))
        out.extend(self.rules.missing(self, g))
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
        return self.gate_status(g) in SATISFIED

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
    def open(spec: Procedure, decision_id: str, candidates: tuple[Actor, ...], *, title: str, category: str,
             unit: str, today: date, due_by: str | None = None, summary: str = "",
             chart: OrgChart | None = None, organ_level: str | None = None,
             procedure_by_law: str | None = None) -> Act:
        """Open a decision under a pinned procedure (R1 scope; R3, Arts. 10–11: who may open it; R22: a
        plausible due date, not already past; R1, Arts. 2, 42: the organ's level, how the regulation applies;
        R1, Art. 3 ¶2: the law whose procedure prevails). The decision organ is fixed here: the organ of the
        undertaking unit (AR1); the opener belongs to it."""
        chart = chart if chart is not None else OrgChart.single_organ()
        pick_actor(candidates, OPENERS, "opening a decision", "R3", "Arts. 10–11")
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
        # whose decision it is (AR1, AR2): after the scope, so that a matter outside the procedure says so
        actor = authority.pick(candidates, OPENERS, "opening a decision", "R3", "Arts. 10–11",
                               {"unit": unit, "units": [unit], "title": title}, chart)
        organ = chart.organ_of(unit)  # a unit on no organ of the chart has been refused above (AR2)
        if due_by is not None:
            check_due_by(due_by, today)
        applies = check_organ_level(organ_level)
        by_law = check_procedure_by_law(procedure_by_law)
        return actor, [ev.DecisionOpened(
            decision_id=decision_id, title=title.strip(), category=category, unit=unit, due_by=due_by,
            summary=summary, procedure={"id": spec.id, "version": spec.version, "hash": spec.hash,
                                        "profile": spec.profile},
            organ=None if organ in (None, SINGLE) else organ,
            organ_level=organ_level.strip() if organ_level is not None else None, applies=applies,
            procedure_by_law=by_law).new()]

    def _require_pre_decision(self, act: str, rule: str = "R13", article: str = "Art. 25") -> None:
        if self.status not in PRE_DECISION:
            raise RuleViolation(f"{act} is only possible before the decision is made; status is "
                                f"{self.status}", rule=rule, article=article)

    def record_determination(self, candidates: tuple[Actor, ...], kind: str, value: bool,
                             reasons: str) -> Act:
        """Record a determination (specialised, risk-relevant, non-disclosable...) with its reasons."""
        det = self.spec.determination(kind)
        self._require_pre_decision("a determination")
        actor = self.pick(candidates, det.roles, f"determination '{kind}'", det.rule, det.article)
        if not reasons.strip():
            raise InvalidInput(f"determination '{kind}' needs its reasons (who decided and why)",
                               rule=det.rule, article=det.article)
        for g in self.spec.gates:
            if g.condition == f"flag:{kind}" and self.state["gates"][g.id]["cleared"]:
                raise RuleViolation(f"gate {g.id} is already cleared; its determination cannot change",
                                    rule=det.rule, article=det.article)
        return actor, [ev.DeterminationRecorded(kind=kind, value=bool(value), reasons=reasons,
                                                by=actor.person).new()]

    def record_artifact(self, candidates: tuple[Actor, ...], kind: str, blob: BlobRef,
                        fields: dict[str, Any], artifact_id: str, cal: StatutoryCalendar,
                        today: date) -> Act:
        """Record an artifact of a kind in its gate, after every rule that applies to it."""
        k = self.spec.artifact_kind(kind)
        if kind == "draft":
            raise InvalidInput("draft versions are added with add_draft_version", rule="R13",
                               article="Art. 25")
        g = self.spec.gate(k.gate)
        actor = self.pick(candidates, k.roles, f"recording '{kind}'", k.rule, k.article)
        self._check_phase(g, kind)
        gs = self.state["gates"][g.id]
        if gs["cleared"] or gs["exemption"]:
            raise RuleViolation(f"gate {g.id} is already {'cleared' if gs['cleared'] else 'exempted'}; "
                                "a correction needs the gate reopened (return)", rule=g.rule,
                                article=g.article)
        if g.condition != "optional" and self.gate_applicable(g) is False and kind != g.exemption_kind \
                and g.id not in HELD_BY_CHOICE:
            raise RuleViolation(f"gate {g.id} does not apply to this decision (determination recorded); "
                                f"artifact '{kind}' has no place", rule=g.rule, article=g.article)
        absent = [f for f in k.fields if fields.get(f) in (None, "", [], {})]
        if absent:
            raise InvalidInput(f"artifact '{kind}' is missing fields: {', '.join(absent)}",
                               rule=k.rule, article=k.article,
                               missing=tuple(Missing(k.rule, k.article, g.id, f"field '{f}'", kind)
                                             for f in absent))
        self.rules.check_artifact(self, k, actor, fields, cal, today)
        return actor, [ev.ArtifactRecorded(
            artifact_id=artifact_id, kind=kind, gate=g.id, sha256=blob.sha256, size=blob.size,
            media_type=blob.media_type, filename=blob.filename, draft_version=self.state["draft_version"],
            fields=fields, storage=blob.storage, on=today.isoformat()).new()]

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
            rule, article = ("R19", "Art. 34") if kind == "execution_targets" else ("R13", "Art. 25")
            self._require_pre_decision(f"recording '{kind}'", rule, article)
        elif self.status not in DECIDED and self.status != "suspended":
            raise RuleViolation(f"'{kind}' belongs after the collective decision; finalize first",
                                rule=g.rule, article=g.article)

    def add_draft_version(self, candidates: tuple[Actor, ...], blob: BlobRef, title: str,
                          note: str, artifact_id: str, today: date) -> Act:
        """A new draft version; a legality review of an older version reopens (R13, Art. 25)."""
        k = self.spec.artifact_kind("draft")
        actor = self.pick(candidates, k.roles, "adding a draft version", k.rule, k.article)
        self._require_pre_decision("a new draft version")
        if not self.state["start"]:
            raise RuleViolation("drafting starts only after the start decision names the units",
                                rule="R3", article="Art. 11")
        version = self.state["draft_version"] + 1
        events = [ev.DraftVersionAdded(
            artifact_id=artifact_id, version=version, title=title, note=note, sha256=blob.sha256,
            size=blob.size, media_type=blob.media_type, filename=blob.filename, on=today.isoformat()).new()]
        lr = self.state["gates"].get("legality_review")
        if lr is not None and lr["round_artifacts"]:
            events.append(ev.GateReopened(
                gate="legality_review", reason=f"draft version {version} differs from the version under "
                "legality review; it must be reviewed again",
                rule="R13", article="Art. 25 ¶2 (inference: later edits need re-review)").new())
        if reopens_on_new_draft(self):
            events.append(ev.GateReopened(
                gate="risk_assessment", reason=f"draft version {version} is not the version assessed: assess it, "
                "or the assessor records why the change does not touch the risk (risk_continuity)",
                **ref("R10.controllable")).new())
        return actor, events

    def clear_gate(self, candidates: tuple[Actor, ...], gate_id: str, today: date) -> Act:
        """Clear a gate by act: requirements met, right role, never on one's own artifact (SoD8)."""
        g = self.spec.gate(gate_id)
        self._check_phase(g, f"clearing {gate_id}")
        if g.auto:
            raise RuleViolation(f"gate {gate_id} clears by itself when its artifacts are complete",
                                rule=g.rule, article=g.article, missing=tuple(self.missing_for(g)))
        actor = self.pick(candidates, g.clear, f"clearing gate {gate_id}", _sod_rule(gate_id), g.article)
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
            for notice in live_notices(self):
                deadline = comment_deadline(notice)
                if today <= deadline:
                    # R6, Art. 15: the comment window closes before participation is cleared.
                    raise RuleViolation(f"the comment window is open until {deadline.isoformat()}; "
                                        "participation cannot be cleared before it closes",
                                        rule="R6", article="Art. 15")
        return actor, [ev.GateCleared(gate=gate_id, on=today.isoformat()).new()]

    def return_gate(self, candidates: tuple[Actor, ...], gate_id: str, reason: str) -> Act:
        """Return a gate's submission (or ask for more); the review clock restarts (R11, Art. 26)."""
        g = self.spec.gate(gate_id)
        self._check_phase(g, f"returning {gate_id}")
        roles = g.clear or ("decision_organ",)
        actor = self.pick(candidates, roles, f"returning gate {gate_id}", _sod_rule(gate_id), g.article)
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
        return actor, [ev.GateReturned(gate=gate_id, reason=reason).new()]

    def reopen_gates(self, candidates: tuple[Actor, ...], gate_ids: tuple[str, ...], reason: str) -> Act:
        """Send the draft back for revision (R15, Art. 30): the head names the gates that reopen, why."""
        actor = self.pick(candidates, ("admin_head",), "sending a draft back for revision", "SoD4",
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
            events.append(ev.GateReopened(gate=gate_id, reason=reason, rule="R15", article="Art. 30",
                                          by=actor.person).new())
        return actor, events

    def exempt_gate(self, candidates: tuple[Actor, ...], gate_id: str, legal_basis: str) -> Act:
        """Exempt a gate on a recorded determination and legal basis (never legality or decision)."""
        g = self.spec.gate(gate_id)
        if not g.exemptible:
            raise RuleViolation(f"gate {gate_id} can never be exempted", rule="R13" if gate_id in (
                "legality_review", "collective_decision") else g.rule,
                article="Arts. 25, 30" if gate_id in ("legality_review", "collective_decision")
                else g.article)
        k = self.spec.artifact_kind(g.exemption_kind)
        actor = self.pick(candidates, k.roles, f"exempting gate {gate_id}", k.rule, k.article)
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
        determined_by = self.state["flags"][g.exemption_flag]["by"]
        if actor.person == (determined_by or {}).get("person"):
            # SoD8 (engine, inference): nobody exempts a gate on a determination they recorded themselves.
            raise NotPermitted(f"{actor.name or actor.person} 本人作出了“{g.exemption_flag}”的认定，不得据此豁免"
                               f"{gate_id} 环节 (nobody exempts a gate on their own determination)",
                               rule="SoD8", article="Art. 38 (inference)")
        return actor, [ev.GateExempted(gate=gate_id, legal_basis=legal_basis, by=actor.person).new()]

    def finalize(self, candidates: tuple[Actor, ...], today: date) -> Act:
        """Finalize: only the head, only with every pre-decision gate satisfied (R13–R16, SoD4)."""
        self.pick(candidates, ("admin_head",), "finalizing the decision", "SoD4", "Art. 30")
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
        # AR7, Art. 30: the head who presided the meeting that adopted it, not any head of any organ — or,
        # where the jurisdiction's profile says so (`finalized_by = "organ_head"`), the organ's own head
        by = "organ_head" if self.spec.settings.get("finalized_by") == "organ_head" else "presiding_head"
        actor = self.pick(candidates, ("admin_head",), "finalizing the decision", "SoD4", "Art. 30", relation=by)
        return actor, [ev.DecisionFinalized(on=today.isoformat(), draft_version=self.state["draft_version"],
                                            meeting_artifact=meeting["id"]).new()]

    def suspend(self, candidates: tuple[Actor, ...], ground: str, reason: str, urgency: str = "") -> Act:
        """Suspend execution (中止): the administrative head of the decision's own organ alone (AR8), on an
        Art. 35 ground and because the situation is urgent (R20, SoD6, Art. 37)."""
        actor = self.pick(candidates, ("admin_head",), "suspending a decision", "SoD6", "Arts. 35, 37",
                          relation="organ_head")
        if self.status not in DECIDED:
            raise RuleViolation(f"only a decided decision can be suspended; status is {self.status}",
                                rule="R20", article="Art. 37")
        check_suspension(ground, reason, urgency)
        return actor, [ev.DecisionSuspended(ground=ground, reason=reason, from_status=self.status,
                                             urgency=urgency.strip()).new()]

    def resume(self, candidates: tuple[Actor, ...], reason: str) -> Act:
        """Resume a suspended decision (the head, with a reason)."""
        actor = self.pick(candidates, ("admin_head",), "resuming a decision", "SoD6", "Art. 37", relation="organ_head")
        if self.status != "suspended":
            raise RuleViolation("only a suspended decision can be resumed", rule="R20", article="Art. 37")
        if not reason.strip():
            raise InvalidInput("resumption needs its reason", rule="R20", article="Art. 37")
        return actor, [ev.DecisionResumed(reason=reason).new()]

    def withdraw(self, candidates: tuple[Actor, ...], reason: str) -> Act:
        """Withdraw a decision before it is made (the organ or head, with a reason)."""
        actor = self.pick(candidates, ("admin_head", "decision_organ"), "withdrawing", "R3", "Art. 11")
        self._require_pre_decision("withdrawal")
        if not reason.strip():
            raise InvalidInput("a withdrawal needs its reason", rule="R18", article="Art. 33")
        return actor, [ev.DecisionWithdrawn(reason=reason).new()]

    def migrate_procedure(self, candidates: tuple[Actor, ...], new: Procedure,
                          justification: str) -> Act:
        """A new procedure version applies to a running decision only with the legal office's recorded
        approval and justification (PV1, inference from Art. 43; decided decisions keep their version)."""
        actor = self.pick(candidates, ("legality_reviewer",), "approving a procedure migration", "PV1",
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
        return actor, [ev.ProcedureMigrated(
            from_=dict(self.state["procedure"]), justification=justification,
            to={"id": new.id, "version": new.version, "hash": new.hash, "profile": new.profile}).new()]

    def close(self, candidates: tuple[Actor, ...]) -> Act:
        """Close the case once publication is settled and the record is complete (R18, Art. 33). A
        terminated decision (R20, Art. 37) is closed too: its record goes to the archive like any other."""
        actor = self.pick(candidates, ("decision_organ", "admin_head"), "closing the case", "R18", "Art. 33")
        if self.status not in ("published", "in_execution", "evaluated", "terminated"):
            raise RuleViolation(f"a case closes after publication; status is {self.status}",
                                rule="R18", article="Art. 33")
        pub = self.spec.gate("publication")
        # after a termination nothing more can be recorded (R20), so an unpublished one closes as it stands
        if self.status != "terminated" and not self.gate_satisfied(pub):
            raise RuleViolation("publication is not settled", rule="R17", article="Art. 32",
                                missing=tuple(self.missing_for(pub)))
        return actor, [ev.DecisionClosed(artifacts=len(self.state["artifacts"])).new()]

    # ------------------------------------------------------------------ fold
    def apply(self, event: dict[str, Any], *, refresh: bool = True) -> None:
        """Fold one stored event (envelope with seq, type, v, at, actor, payload) into the state, upcast
        first when it was stored under an older version of its type.

        Derived fields (gate status, stage, pre-decision status) depend only on the rest of the
        state, so a long replay may pass refresh=False and call `refresh()` once at the end.
        """
        projection.fold(self, event, self.events)
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the derived fields: each gate's status, the stage, the pre-decision status.

        Each gate's status is computed once and the stage and the status read it (a gate's status depends on
        neither, nor on the other gates' stored statuses; it was computed three times, each pass walking the
        gate's artifacts: a fifth of a long replay, issue 19 §3)."""
        s = self.state
        statuses = {g.id: self.gate_status(g) for g in self.spec.gates}
        for gate_id, status in statuses.items():
            s["gates"][gate_id]["status"] = status
        s["stage"] = self._current_stage(statuses)
        if s["status"] in ("draft", "in_procedure", "ready_for_decision"):
            if not s["start"]:
                s["status"] = "draft"
            elif all(statuses[g.id] in SATISFIED for g in self.spec.gates_before("collective_decision")):
                s["status"] = "ready_for_decision"
            else:
                s["status"] = "in_procedure"

    def _current_stage(self, statuses: dict[str, str]) -> str:
        for g in self.spec.gates:
            if g.phase == "pre" and statuses[g.id] not in SATISFIED:
                return g.stage
        if self.state["status"] in PRE_DECISION:
            return "S5"
        for g in self.spec.gates:
            if g.phase == "post" and self.gate_applicable(g) and statuses[g.id] not in SATISFIED:
                return g.stage
        return "S9" if self.state["status"] == "closed" else "S7"


def _sod_rule(gate_id: str) -> str:
    """The separation-of-duties rule cited when the wrong person clears or returns a gate: SoD1 for the
    legality review (Arts. 25, 28), SoD8 otherwise (Art. 38, inference)."""
    return "SoD1" if gate_id == "legality_review" else "SoD8"
