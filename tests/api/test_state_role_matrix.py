"""The full state × act × role matrix (issue 11 §8): every act of the procedure — each artifact kind,
clearing, returning and exempting each gate, each determination, a draft version, finalize, suspend,
resume, withdraw, close — tried in every lifecycle state by a person holding one role, for every role.

Zero unexpected permissions: an act that succeeds must be one the rule book lets that role do
(ORDER-713-RULES §3: the stages each role acts in, and SoD1–SoD8), in a state where the act belongs; the
legality review and the collective decision are never exempted, by anyone, in any state; a closed,
withdrawn or terminated decision takes nothing. The oracle below is written from the rule book, not read
from the procedure file (which only says where each act sits: its gate and stage).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from decision_engine import procedures
from decision_engine.domain.errors import DomainError
from decision_engine.domain.procedure import ROLES
from decision_engine.services import decisions as svc
from decision_engine.services import execution, identity, queries
from decision_engine.services.demo import hold_change_meeting
from tests.conftest import Walk

TRANSIT = "某市公交集团"
UNIT_OF = {"undertaking_unit": "某市交通运输局", "legality_reviewer": "某市司法局", "execution_unit": TRANSIT,
           "admin_head": "某市人民政府", "decision_organ": "某市人民政府", "meeting_member": "某市人民政府",
           "secretariat": "某市人民政府", "legal_adviser": "某律师事务所", "expert": "某大学",
           "risk_assessor": "某评估中心", "hearing_organizer": "某市听证中心", "hearing_participant": "某社区",
           "post_evaluator": "某第三方评估机构", "party_committee": "中共某市委", "auditor": "某市审计局",
           "system_admin": "某市大数据局",
           "security_admin": "某市大数据局", "audit_admin": "某市大数据局"}

# ORDER-713-RULES §3: the stages each role acts in.
ORGAN_STAGES = {"S0", "S5", "S6", "S7", "S8", "S9"}
ROLE_STAGES: dict[str, set[str]] = {
    "decision_organ": ORGAN_STAGES, "admin_head": ORGAN_STAGES, "meeting_member": ORGAN_STAGES,
    "undertaking_unit": {"S0", "S1", "S2", "S3"}, "legality_reviewer": {"S4"}, "legal_adviser": {"S4"},
    "expert": {"S2"}, "risk_assessor": {"S3"}, "hearing_organizer": {"S1"}, "hearing_participant": {"S1"},
    "execution_unit": {"S7"}, "post_evaluator": {"S8"}, "secretariat": {"S5"},
    "party_committee": set(), "auditor": set(), "system_admin": set(), "security_admin": set(),
    "audit_admin": set(),
}
# What the undertaking unit does outside S0–S3, each with its article: it submits its draft for legality
# review and answers it (Arts. 25–28), prepares the packet items (Art. 29) and drafts the explanation and
# interpretation published with the decision (Art. 32).
UNDERTAKING_BEYOND = {"legality_submission": "Art. 25", "legality_supplement": "Art. 26",
                      "amendment_record": "Art. 28", "nonadoption_explanation": "Art. 28",
                      "fair_competition_review": "Art. 29", "other_material": "Art. 29", "execution_targets": "Art. 29",
                      "adoption_explanation": "Art. 32", "interpretation": "Art. 32"}
# What the organ decides inside S1: that a matter is lawfully not disclosed, so public participation is
# exempted on that basis (Art. 14 ¶1 "依法不予公开的决策事项除外").
ORGAN_BEYOND = {"nondisclosure_basis": "Art. 14", "exempt:public_participation": "Art. 14"}
NEVER_EXEMPT = {"legality_review", "collective_decision"}  # R11–R12 and R15: always performed
HEAD_ONLY = {"finalize": "SoD4", "suspend": "SoD6", "resume": "SoD6"}
DEAD = {"closed", "withdrawn", "terminated"}

SPEC = procedures.load()
STAGE_OF_GATE = {g["id"]: g["stage"] for g in SPEC.data["gates"]}
LISTS = {"channels", "units", "participants", "signed_by", "experts", "risk_points", "measures", "departments",
         "groups", "opinions", "adoptions", "kpis", "changes", "views", "attendance", "affected_units"}


def _fields(kind: str, today: str) -> dict[str, Any]:
    """Plausible fields by name: enough for an allowed role to get past the shape checks often."""
    out: dict[str, Any] = {}
    for name in SPEC.data["artifacts"][kind]["fields"]:
        if name.endswith("_at") or name in ("deadline", "requested_deadline", "reported_at"):
            out[name] = today
        elif name in LISTS:
            out[name] = ["某市财政局"]
        elif name in ("direct_interest", "dispute"):
            out[name] = False
        else:
            out[name] = "同意" if name != "conclusion" else "controllable"
    return out


def expected(role: str, act: str, target: str, state: str) -> tuple[bool, str]:
    """Whether the rule book lets `role` do `act` on `target` in `state`; the reason when not."""
    if state == "terminated" and act == "close":  # its record is archived like any other (R18, Art. 33)
        return role in ("admin_head", "decision_organ"), "the organ or its head closes (Art. 33)"
    if state in DEAD:
        return False, f"a {state} decision takes nothing (R18, R20)"
    if act == "exempt" and target in NEVER_EXEMPT:
        return False, f"{target} is never exempted"
    if act in HEAD_ONLY:
        return role == "admin_head", f"only the administrative head ({HEAD_ONLY[act]})"
    if act in ("withdraw", "close"):
        return role in ("admin_head", "decision_organ"), "the organ or its head (Arts. 11, 33)"
    if act == "draft":
        return role == "undertaking_unit", "the undertaking unit drafts (Art. 12)"
    if act == "determination":
        return role in ("undertaking_unit", "decision_organ", "admin_head"), "S0 determinations"
    stage = STAGE_OF_GATE[target]
    if act == "clear" and target == "legality_review" and role == "undertaking_unit":
        return False, "SoD1"
    if act == "artifact" and role == "undertaking_unit" and act_kind_beyond(target):
        return True, ""
    if role in ("decision_organ", "admin_head") and (_CURRENT_KIND["kind"] in ORGAN_BEYOND
                                                     or f"{act}:{target}" in ORGAN_BEYOND):
        return True, ""
    return stage in ROLE_STAGES[role], f"{role} acts in {sorted(ROLE_STAGES[role])}, not {stage}"


_CURRENT_KIND = {"kind": ""}


def act_kind_beyond(_gate: str) -> bool:
    return _CURRENT_KIND["kind"] in UNDERTAKING_BEYOND


@dataclass(frozen=True)
class Act:
    name: str
    act: str
    target: str  # a gate (for artifact kinds, the kind's gate)
    kind: str
    call: Callable[[Any, str, str], object]


def _acts() -> list[Act]:
    today = "2025-03-03"
    acts = [Act(f"artifact:{k}", "artifact", a["gate"] or "initiation", k,
                lambda w, pid, did, k=k: svc.record_artifact(w.ctx, pid, did, k, _fields(k, w.ctx.today().isoformat())))
            for k, a in SPEC.data["artifacts"].items() if a["gate"]]
    for g in SPEC.data["gates"]:
        gid = g["id"]
        acts.append(Act(f"clear:{gid}", "clear", gid, "", lambda w, pid, did, gid=gid: svc.clear_gate(w.ctx, pid, did, gid)))
        acts.append(Act(f"return:{gid}", "return", gid, "",
                        lambda w, pid, did, gid=gid: svc.return_gate(w.ctx, pid, did, gid, "请补充")))
        acts.append(Act(f"exempt:{gid}", "exempt", gid, "",
                        lambda w, pid, did, gid=gid: svc.exempt_gate(w.ctx, pid, did, gid, "某法第十条")))
    for det in SPEC.data["determinations"]:
        acts.append(Act(f"determination:{det}", "determination", "initiation", "",
                        lambda w, pid, did, det=det: svc.record_determination(w.ctx, pid, did, det, True, "理由")))
    acts += [
        Act("draft", "draft", "initiation", "", lambda w, pid, did: svc.add_draft_version(
            w.ctx, pid, did, content=b"draft", title="v")),
        Act("finalize", "finalize", "collective_decision", "", lambda w, pid, did: svc.finalize(w.ctx, pid, did)),
        Act("suspend", "suspend", "execution", "",
            lambda w, pid, did: svc.suspend(w.ctx, pid, did, "force_majeure", "台风", urgency="情况紧急")),
        Act("resume", "resume", "execution", "", lambda w, pid, did: svc.resume(w.ctx, pid, did, "台风过境")),
        Act("withdraw", "withdraw", "initiation", "", lambda w, pid, did: svc.withdraw(w.ctx, pid, did, "不再需要")),
        Act("close", "close", "publication", "", lambda w, pid, did: svc.close(w.ctx, pid, did)),
    ]
    del today
    return acts


ACTS = _acts()


def _published(w: Walk) -> Walk:
    w.decided()
    w.art(w.c.office, "publication_record", channels=["政府公报", "政府网站", "某市日报"],
          published_at=w.ctx.today().isoformat())
    return w


def _executing(w: Walk) -> Walk:
    _published(w)
    execution.designate_execution_units(w.ctx, w.c.head, w.did, [TRANSIT])
    execution.report_progress(w.ctx, w.c.executor, w.did, "顺利")
    return w


STATES: dict[str, Callable[[Walk], object]] = {
    "draft": lambda w: w.open(),
    "in_procedure": lambda w: w.open().start(),
    "ready_for_decision": lambda w: w.ready(),
    "decided": lambda w: w.decided(),
    "published": _published,
    "in_execution": _executing,
    "suspended": lambda w: (w.decided(), svc.suspend(w.ctx, w.c.head, w.did, "force_majeure", "台风", urgency="情况紧急")),
    "evaluated": lambda w: (_published(w), w.art(w.c.office, "evaluation_commission", evaluator_unit="某第三方评估机构",
                                                 trigger="organ_decision", reasons="委托评估"),
                            execution.evaluate(w.ctx, w.c.evaluator, w.did, trigger="organ_decision",
                                               public_input="问卷", deputy_participation="代表参与",
                                               findings="达到预期", recommendation="continue")),
    "closed": lambda w: (_published(w), svc.close(w.ctx, w.c.head, w.did)),
    "withdrawn": lambda w: (w.open(), svc.withdraw(w.ctx, w.c.head, w.did, "不再需要")),
    "terminated": lambda w: (_executing(w), execution.terminate(
        w.ctx, w.c.head, w.did, basis="常务会议决定", reason="上位法修改",
        **dict(zip(("meeting_id", "item_no"), hold_change_meeting(w.ctx, w.c, w.did, "terminate"), strict=True)))),
}


@pytest.mark.parametrize("state", list(STATES))
def test_no_role_can_do_an_act_the_rule_book_does_not_give_it_in_any_state(walk: Walk, state: str) -> None:
    people = {}
    for role in ROLES:
        pid = identity.register_person(walk.ctx, f"matrix {role}")
        identity.grant_role(walk.ctx, pid, role, UNIT_OF[role], reason="matrix")
        people[role] = pid

    def fresh() -> str:
        walk.did = ""
        STATES[state](walk)
        return walk.did
    did = fresh()
    assert queries.get_decision(walk.ctx, did)["status"] == state
    unexpected, unnamed, allowed_ok, tried = [], [], 0, 0
    allowed_acts: list[str] = []
    for a in ACTS:
        _CURRENT_KIND["kind"] = a.kind
        for role in ROLES:
            tried += 1
            try:
                a.call(walk, people[role], did)
            except DomainError as exc:
                if not (exc.rule and exc.article):  # every refusal names its rule and article
                    unnamed.append(f"{a.name} by {role} in {state}: {type(exc).__name__} {exc}")
                continue
            ok, why = expected(role, a.act, a.target, state)
            if not ok:
                unexpected.append(f"{a.name} by {role} in {state}: allowed, but {why}")
            else:
                allowed_ok += 1
                allowed_acts.append(f"{a.name}/{role}")
            did = fresh()  # the act changed the decision: start again from the same state
    assert unexpected == [], "\n".join(unexpected)
    assert unnamed == [], "\n".join(unnamed[:20])
    # Not vacuous: a live decision lets its roles act (the undertaking unit drafts, the organ publishes,
    # the head resumes...); a closed or withdrawn one takes nothing; a terminated one is only closed.
    if state in ("closed", "withdrawn"):
        assert allowed_ok == 0
    elif state == "terminated":
        assert sorted(allowed_acts) == ["close/admin_head", "close/decision_organ"], allowed_acts
    else:
        assert allowed_ok >= 5, allowed_acts
    print(f"\n{state}: {tried} attempts, {allowed_ok} allowed (each as the rule book says), 0 unexpected")
    if os.environ.get("DECIDE_MATRIX_VERBOSE"):
        print("  " + ", ".join(allowed_acts))
