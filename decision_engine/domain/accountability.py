"""Accountability (责任追究, Arts. 38–41; R22): the responsibility ledger, trace-back, and cases.

Pure: no I/O. The ledger and the trace-back are folds over stored events (each carries the natural
person, their role and unit at that moment); an accountability case is an aggregate on its own stream
`accountability:<id>`. Rules (engine ids, from Arts. 38–41 and 政务处分法):

    ACC1  a case names its grounds, each citing Art. 38, 39, 40 or 41, and the persons concerned
    ACC2  a person named in a case does not record its findings or outcome (inference, like SoD8)
    ACC3  an outcome follows findings; every sanction names its person, measure and legal basis
    ACC4  a member who dissented at the collective discussion (Art. 38 ¶3) is sanctioned only with the
          reduction or waiver considered and stated
    R22   undue delay (久拖不决, Art. 38 ¶2): an incident is opened for a decision past its due date
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from decision_engine.domain import authority
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.rules import accountability as rules
from decision_engine.domain.rules.accountability import ARTICLES, CAPACITIES
from decision_engine.domain.values import Actor, NewEvent, pick_actor

if TYPE_CHECKING:
    from decision_engine.domain.decision import Decision

__all__ = ["ARTICLES", "CAPACITIES", "Case"]

CASE_ROLES = ("auditor", "decision_organ", "admin_head", "party_committee")
CASE_KINDS = ("case", "undue_delay")
CAPACITY_ZH = {"head": "行政首长", "leader": "负有责任的其他领导人员", "direct": "直接责任人员",
               "undertaking": "决策承办单位或承担有关工作单位的人员", "execution": "决策执行单位的人员",
               "expert": "专家、专业机构、社会风险评估机构"}
OUTCOMES = ("no_liability", "corrected", "sanctioned", "disqualified", "referred")
SANCTIONING = ("corrected", "sanctioned", "disqualified")  # recorded by the competent authority only (AR11)
OUTCOME_ZH = {"no_liability": "不予追责", "corrected": "责令改正", "sanctioned": "依法处分",
              "disqualified": "取消评估、论证资格", "referred": "移送有关机关"}
# The article under which a role answers for its acts on a decision (trace-back, Arts. 38–41).
ROLE_ARTICLE = {"admin_head": "Art. 38", "decision_organ": "Art. 38", "meeting_member": "Art. 38",
                "secretariat": "Art. 39", "undertaking_unit": "Art. 39", "legality_reviewer": "Art. 39",
                "legal_adviser": "Art. 39", "hearing_organizer": "Art. 39", "execution_unit": "Art. 40",
                "expert": "Art. 41", "risk_assessor": "Art. 41", "post_evaluator": "Art. 41"}
ROLE_CAPACITY = {"admin_head": "head", "decision_organ": "leader", "meeting_member": "leader",
                 "execution_unit": "execution", "expert": "expert", "risk_assessor": "expert",
                 "post_evaluator": "expert"}
UNDUE_DELAY_GROUND = {"article": "Art. 38 ¶2", "rule": "R22",
                      "text": "依法应当作出决策而久拖不决（超过应决日期仍未作出决定）"}


# ---------------------------------------------------------------------------------------- ledger
def ledger(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every act on a decision: who (person, name), in which role and unit at that moment, under which
    procedure version, what (event type, artifact kind, gate) — Art. 38; §4 records 1 and 7."""
    procedure: dict[str, Any] = {}
    out = []
    for ev in events:
        p, actor = ev["payload"], ev["actor"]
        if ev["type"] == "DecisionOpened":
            procedure = dict(p["procedure"])
        entry = {"stream": ev["stream"], "seq": ev["seq"], "at": ev["at"], "type": ev["type"],
                 "person": actor.get("person", ""), "name": actor.get("name", ""),
                 "role": actor.get("role", ""), "unit": actor.get("unit", ""),
                 "procedure": {"id": procedure.get("id"), "version": procedure.get("version"),
                               "hash": procedure.get("hash")},
                 "kind": p.get("kind") or "", "gate": p.get("gate") or "", "refused": ev["type"] == "AttemptRefused",
                 "article": ROLE_ARTICLE.get(actor.get("role", ""), "")}
        if ev["type"] == "AttemptRefused":
            entry["detail"] = f"{p.get('act')}: {p.get('rule')} {p.get('article')}"
        elif ev["type"] == "ProcedureMigrated":
            procedure = dict(p["to"])
        out.append(entry)
    return out


def dissents(meeting_records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Members who opposed at a collective discussion, with their words as recorded (Art. 38 ¶3; R15)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in meeting_records:
        for op in rec["fields"].get("opinions") or []:
            if isinstance(op, dict) and op.get("position") == "oppose":
                out.setdefault(str(op.get("person")), []).append({
                    "artifact_id": rec["id"], "at": rec["at"], "text": op.get("text", ""),
                    "meeting_id": rec["fields"].get("meeting_id"),
                    "head_decision": rec["fields"].get("head_decision")})
    return out


def meeting_positions(meeting_records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every member's recorded position at each collective discussion of a decision (R15, Art. 30)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in meeting_records:
        for order, op in enumerate(rec["fields"].get("opinions") or [], start=1):
            if isinstance(op, dict):
                out.setdefault(str(op.get("person")), []).append({
                    "artifact_id": rec["id"], "at": rec["at"], "order": order, "position": op.get("position"),
                    "text": op.get("text", ""), "head_decision": rec["fields"].get("head_decision"),
                    "dissent": op.get("position") == "oppose"})
    return out


def responsible(entries: list[dict[str, Any]], positions: dict[str, list[dict[str, Any]]],
                head: str | None) -> list[dict[str, Any]]:
    """The persons who acted on a decision, grouped: each with their acts, the roles and units held when
    acting, the article they answer under, meeting positions and whether they dissented (Art. 38 ¶3)."""
    people: dict[str, dict[str, Any]] = {}

    def person(pid: str, name: str) -> dict[str, Any]:
        return people.setdefault(pid, {"person": pid, "name": name, "acts": [], "roles": [], "units": [],
                                       "articles": [], "capacities": [], "positions": [],
                                       "dissented": False, "decided": False})
    for e in entries:
        if e["person"] in ("system", "public", "") or e["refused"]:
            continue
        p = person(e["person"], e["name"])
        p["acts"].append(e)
        for key, value in (("roles", e["role"]), ("units", e["unit"]), ("articles", e["article"]),
                           ("capacities", ROLE_CAPACITY.get(e["role"], "direct"))):
            if value and value not in p[key]:
                p[key].append(value)
        if e["type"] == "DecisionFinalized":
            p["decided"] = True
    for pid, pos in positions.items():
        p = person(pid, "")
        p["positions"] = pos
        p["dissented"] = any(x["dissent"] for x in pos)
        for key, value in (("roles", "meeting_member"), ("articles", "Art. 38"),
                           ("capacities", "head" if pid == head else "leader")):
            if value not in p[key]:
                p[key].append(value)
    for p in people.values():
        if head and p["person"] == head and "head" not in p["capacities"]:
            p["capacities"].insert(0, "head")
    order = {"head": 0, "leader": 1, "undertaking": 2, "direct": 3, "execution": 4, "expert": 5}
    return sorted(people.values(), key=lambda p: (min((order.get(c, 9) for c in p["capacities"]), default=9),
                                                  p["person"]))


# ---------------------------------------------------------------------------------------- cases
def _related(candidates: tuple[Actor, ...], decision: Decision, act: str) -> Actor:
    """The person's case role held in the decision's own organ (Arts. 39–40) or in the authority competent
    for it (AR11, Art. 38 ¶1); a subordinate government or an unrelated organ has no case on it."""
    p, chart = decision.parties(), decision.chart
    for a in candidates:
        if a.role in CASE_ROLES and a.role != "auditor" and (
                authority.relation_holds("organ", a, p, chart) or authority.relation_holds("accountability", a, p, chart)):
            return a
    first = next(a for a in candidates if a.role in CASE_ROLES)
    raise NotPermitted(f"{act}：{first.name or first.person}（{first.unit}）既不是本决策机关，也不是其上级行政机关或"
                       "监察机关，不能办理本决策的追责事项", rule="AR11", article="Art. 38 ¶1")


class Case:
    """An accountability case (追责案件) or an undue-delay incident: state folded from its events."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state: dict[str, Any] = state if state is not None else {}

    @property
    def id(self) -> str:
        """The case id."""
        return str(self.state["id"])

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the projection."""
        return copy.deepcopy(self.state)

    @staticmethod
    def open(candidates: tuple[Actor, ...], case_id: str, decision_id: str, *, grounds: list[Any],
             persons: list[Any], summary: str, known_persons: set[str], decision: Decision | None = None
             ) -> tuple[Actor, list[NewEvent]]:
        """Open a case on a decision: grounds citing Arts. 38–41 and the persons concerned (ACC1). Besides the
        auditor, who reports what an audit found, a case is opened by the decision's own organ (Arts. 39–40:
        its units and their people) or by the authority competent for it (AR11, Art. 38 ¶1) — never by a
        subordinate government or an unrelated organ."""
        actor = pick_actor(candidates, CASE_ROLES, "opening an accountability case", "ACC1", "Arts. 38–41")
        if decision is not None and actor.role != "auditor":
            actor = _related(candidates, decision, "启动追责")
        clean_grounds = rules.grounds(grounds)  # ACC1
        named = rules.persons(persons, known_persons, required=True)  # ACC1
        if actor.person in {p["person"] for p in named}:
            raise NotPermitted("a person named in a case does not open it", rule="ACC2",
                               article="Art. 38 (inference)")
        return actor, [NewEvent("CaseOpened", {
            "case_id": case_id, "decision_id": decision_id, "kind": "case", "grounds": clean_grounds,
            "persons": named, "summary": summary.strip(), "incident_key": None})]

    @staticmethod
    def open_undue_delay(case_id: str, decision_id: str, *, due_by: str, today: str, status: str,
                         units: list[str]) -> list[NewEvent]:
        """R22, Art. 38 ¶2: an incident for a decision past its due date without a decision (the engine
        opens it; the persons are identified in the findings)."""
        return [NewEvent("CaseOpened", {
            "case_id": case_id, "decision_id": decision_id, "kind": "undue_delay",
            "grounds": [dict(UNDUE_DELAY_GROUND, due_by=due_by, found_on=today, status=status)],
            "persons": [], "units": units, "summary": f"应于 {due_by} 前作出决策，截至 {today} 仍为 {status}",
            "incident_key": f"undue_delay:{decision_id}"})]

    def _require_open(self, act: str) -> None:
        if self.state["status"] != "open":
            raise RuleViolation(f"case {self.id} is closed: {act} needs a new case", rule="R18",
                                article="Art. 33")

    def _not_named(self, candidates: tuple[Actor, ...], act: str, decision: Decision | None = None) -> Actor:
        actor = pick_actor(candidates, CASE_ROLES, act, "ACC2", "Art. 38 (inference)")
        if decision is not None and actor.role != "auditor":
            actor = _related(candidates, decision, act)
        if actor.person in self.state["persons"]:
            raise NotPermitted(f"{actor.name or actor.person} is named in case {self.id} and cannot record "
                               "its findings or outcome", rule="ACC2", article="Art. 38 (inference)")
        return actor

    def record_findings(self, candidates: tuple[Actor, ...], findings: str, persons: list[Any],
                        known_persons: set[str], decision: Decision | None = None) -> tuple[Actor, list[NewEvent]]:
        """The investigation's findings, per person (responsible or not); may name further persons."""
        actor = self._not_named(candidates, "recording findings", decision)
        self._require_open("recording findings")
        if not findings.strip():
            raise InvalidInput("findings need their text", rule="ACC3", article="Arts. 38–41")
        named = rules.persons(persons, known_persons, required=False)  # ACC1
        for p in named:
            if not str(p.get("finding") or "").strip() or not isinstance(p.get("responsible"), bool):
                raise InvalidInput("each person's finding states the facts and whether they are responsible "
                                   "(responsible: true/false)", rule="ACC3", article="Arts. 38–41")
        if actor.person in {p["person"] for p in named}:
            raise NotPermitted("a person does not record findings about themselves", rule="ACC2",
                               article="Art. 38 (inference)")
        return actor, [NewEvent("FindingsRecorded", {"findings": findings.strip(), "persons": named})]

    def close(self, candidates: tuple[Actor, ...], outcome: str, sanctions: list[Any],
              dissenters: set[str], reason: str = "", decision: Decision | None = None
              ) -> tuple[Actor, list[NewEvent]]:
        """The outcome (no liability, correction, sanction, disqualification, referral) with each sanction's
        legal basis (ACC3); a dissenter's reduction or waiver considered (ACC4, Art. 38 ¶3). An order to
        correct, a sanction or a disqualification is recorded by the authority competent for the decision's
        organ — its superior organ or the supervisory organ, never the organ examined, never the auditor
        (AR11, Art. 38 ¶1)."""
        actor = self._not_named(candidates, "closing a case", decision)
        if decision is not None and outcome in SANCTIONING:
            actor = decision.pick(tuple(c for c in candidates if c.role != "auditor"),
                                  tuple(r for r in CASE_ROLES if r != "auditor"), "recording a sanction",
                                  "AR11", "Art. 38 ¶1", relation="accountability")
        self._require_open("closing")
        if outcome not in OUTCOMES:
            raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", rule="ACC3",
                               article="Arts. 38–41")
        if not self.state["findings"]:
            raise RuleViolation("an outcome follows findings: record the findings first", rule="ACC3",
                                article="Arts. 38–41")
        if outcome in ("sanctioned", "disqualified") and not sanctions:
            raise InvalidInput(f"outcome {outcome} lists the sanctions", rule="ACC3", article="Arts. 38–41")
        found = {p["person"] for f in self.state["findings"] for p in f["persons"] if p["responsible"]}
        clean = rules.sanctions(sanctions, found, dissenters)  # ACC3, ACC4
        return actor, [NewEvent("CaseClosed", {"outcome": outcome, "sanctions": clean,
                                               "reason": reason.strip()})]

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one stored event into the state."""
        p, et = event["payload"], event["type"]
        if et == "CaseOpened":
            self.state = {"id": p["case_id"], "decision_id": p["decision_id"], "kind": p["kind"],
                          "grounds": p["grounds"], "summary": p["summary"], "units": p.get("units", []),
                          "persons": {x["person"]: x for x in p["persons"]}, "incident_key": p["incident_key"],
                          "opened_at": event["at"], "opened_by": event["actor"], "status": "open",
                          "findings": [], "outcome": None, "closed_at": None}
        elif et == "FindingsRecorded":
            for x in p["persons"]:
                self.state["persons"].setdefault(x["person"], {"person": x["person"],
                                                               "capacity": x["capacity"]})
            self.state["findings"].append({"text": p["findings"], "persons": p["persons"],
                                           "at": event["at"], "by": event["actor"]})
        elif et == "CaseClosed":
            self.state.update(status="closed", closed_at=event["at"],
                              outcome={"outcome": p["outcome"], "sanctions": p["sanctions"],
                                       "reason": p["reason"], "by": event["actor"]})
        self.state["seq"] = event["seq"]
        self.state["updated_at"] = event["at"]
