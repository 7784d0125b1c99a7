"""Every (role × mutating endpoint) pair, over HTTP, on a decision at a stage where the act is possible:
allowed exactly for the roles the rule book names (ORDER-713-RULES §3, SoD1–SoD8), denied (403, or 401
for the public) for every other role, with the decision's state unchanged. Zero unexpected allows.

The expected roles below are written from the rule book, not read from the procedure file, so that a
procedure file granting a role too much fails here."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from api.app import create_app
from decision_engine.domain.procedure import ROLES
from decision_engine.services import decisions as svc
from decision_engine.services import execution, experts, identity
from decision_engine.services import queries as q
from decision_engine.services.context import Context
from decision_engine.services.demo import hold_meeting

with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PUBLIC = "public"
EVERYONE = (*ROLES, PUBLIC)
CITY, BUREAU, JUSTICE, TRANSIT = "某市人民政府", "某市交通运输局", "某市司法局", "某市公交集团"
UNIT_OF = {"undertaking_unit": BUREAU, "legality_reviewer": JUSTICE, "execution_unit": TRANSIT,
           "admin_head": CITY, "decision_organ": CITY, "meeting_member": CITY, "secretariat": CITY,
           "legal_adviser": "某律师事务所", "expert": "某大学", "risk_assessor": "某评估中心",
           "hearing_organizer": "某市听证中心", "hearing_participant": "某社区", "post_evaluator": "某第三方评估机构",
           "party_committee": "中共某市委", "auditor": "某市审计局", "system_admin": "某市大数据局",
           "security_admin": "某市大数据局", "audit_admin": "某市大数据局"}


# (c) of the relation matrix: the same role held in the other government (the demo's county under the city)
COUNTY_UNIT_OF = {"undertaking_unit": "某县交通运输局", "legality_reviewer": "某县司法局", "admin_head": "某县人民政府",
                  "decision_organ": "某县人民政府", "meeting_member": "某县人民政府", "secretariat": "某县人民政府办公室",
                  "hearing_organizer": "某县人民政府办公室", "party_committee": "中共某县委"}

# (b): a unit-bound role held in another unit of the same organ (the start decision names the bureau; the legal
# office is 某市司法局): the relation is to the unit, not to the organ
OTHER_UNIT_OF = {"undertaking_unit": "某市财政局", "legality_reviewer": "某市财政局"}


class Matrix:
    """One context: the walk's cast, one fresh person per role, a client."""

    def __init__(self, walk: Any) -> None:
        self.walk = walk
        walk.m = self  # stages that need a matrix person (a meeting's head, a listed participant) find it here
        self.ctx: Context = walk.ctx
        self.client = TestClient(create_app(self.ctx))
        self.person: dict[str, str] = {}
        self.token: dict[str, str] = {}
        for role in ROLES:
            pid = identity.register_person(self.ctx, f"matrix {role}")
            identity.grant_role(self.ctx, pid, role, UNIT_OF[role], reason="matrix")
            self.person[role] = pid
            self.token[role] = identity.issue_token(self.ctx, pid, ttl_days=3650)
        self.county: dict[str, tuple[str, str]] = {}
        for role, unit in COUNTY_UNIT_OF.items():
            pid = identity.register_person(self.ctx, f"matrix county {role}")
            identity.grant_role(self.ctx, pid, role, unit, reason="matrix: the other government")
            self.county[role] = (pid, identity.issue_token(self.ctx, pid, ttl_days=3650))
        self.other_unit: dict[str, tuple[str, str]] = {}
        for role, unit in OTHER_UNIT_OF.items():
            pid = identity.register_person(self.ctx, f"matrix other unit {role}")
            identity.grant_role(self.ctx, pid, role, unit, reason="matrix: another unit of the organ")
            self.other_unit[role] = (pid, identity.issue_token(self.ctx, pid, ttl_days=3650))

    def call(self, role: str, method: str, path: str, body: Any = None, files: Any = None) -> Any:
        headers = {} if role == PUBLIC else {"Authorization": f"Bearer {self.token[role]}"}
        if files is not None:
            return self.client.request(method, f"/api/v1{path}", headers=headers, data=body, files=files)
        return self.client.request(method, f"/api/v1{path}", headers=headers, json=body)


# --------------------------------------------------------------------------------------------- stages
def opened(w: Any) -> None:
    w.open()


def started(w: Any) -> None:
    w.open().start()


def specialised(w: Any) -> None:
    w.open().start().determine(specialised=True)


def risky(w: Any) -> None:
    w.open().start().determine(risk_relevant=True)


def hearing(w: Any) -> None:
    w.open().start().determine(hearing_required_by_law=True)


def nondisclosable(w: Any) -> None:
    w.open().start().determine(nondisclosable=True)
    w.art(w.c.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉及国家秘密")


def window_closed(w: Any) -> None:
    today = w.ctx.today()
    w.open().start().determine().coordinate()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    w.ctx.clock.advance(days=31)
    w.feedback()


def submitted(w: Any) -> None:
    w.open().start().determine().coordinate().participate()
    deadline = w.ctx.calendar.add_working_days(w.ctx.today(), 8)
    w.art(w.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
          requested_deadline=deadline.due.isoformat())
    w.art(w.c.adviser, "legal_adviser_opinion", opinion="合法")


def reviewed(w: Any) -> None:
    submitted(w)
    w.art(w.c.reviewer, "legality_opinion", authority="有权", procedure="完备", content="合法",
          conclusion="lawful")


def ready(w: Any) -> None:
    w.ready()


def met(w: Any) -> None:
    w.ready().meeting().report()


def met_under_the_matrix_head(w: Any) -> None:
    """AR7: the head who presides the adopting meeting is the one who finalizes — here the matrix's head."""
    w.ready()
    hold_meeting(w.ctx, replace(w.c, head=w.m.person["admin_head"]), w.did)
    w.report()


def experts_selected(w: Any) -> None:
    """R9, Art. 20: the matrix's expert is selected by person id, so the role's relation holds."""
    specialised(w)
    experts.select_experts(w.ctx, w.c.drafter, w.did, expert_ids=[w.m.person["expert"]], method="随机抽取",
                           reasons="专业对口", dissent_included=True, outside_pool_reason="本市未建专家库")


def evaluation_commissioned(w: Any) -> None:
    """R21, Art. 36: the organ commissions the evaluator's unit (the matrix's evaluator works there)."""
    w.decided()
    execution.commission_evaluation(w.ctx, w.c.head, w.did, evaluator_unit=UNIT_OF["post_evaluator"],
                                    trigger="organ_decision", reasons="委托第三方评估")


def decided(w: Any) -> None:
    w.decided()


def commissioned(w: Any) -> None:
    w.decided()
    w.art(w.c.head, "evaluation_commission", evaluator_unit="某第三方评估机构", trigger="organ_decision",
          reasons="决策机关认为有必要")


def executing(w: Any) -> None:
    w.decided()
    execution.designate_execution_units(w.ctx, w.c.head, w.did, [TRANSIT])


def suspended(w: Any) -> None:
    w.decided()
    svc.suspend(w.ctx, w.c.head, w.did, "force_majeure", "台风", urgency="情况紧急")


def published(w: Any) -> None:
    w.decided()
    w.art(w.c.office, "publication_record", channels=["政府公报", "政府网站", "某市日报"],
          published_at=w.ctx.today().isoformat())


def nothing(w: Any) -> None:
    return None


# ------------------------------------------------------------------------------------------ endpoints
Request = Callable[[Any, "Matrix", str], tuple[str, str, Any]]


def art(kind: str, **fields: Any) -> Request:
    return lambda w, m, me: ("POST", f"/decisions/{w.did}/artifacts", {"kind": kind, "fields": fields})


def today_art(kind: str, date_field: str, **fields: Any) -> Request:
    return lambda w, m, me: ("POST", f"/decisions/{w.did}/artifacts", {"kind": kind, "fields": {
        **fields, date_field: w.ctx.today().isoformat()}})


def act(path: str, body: Any = None) -> Request:
    return lambda w, m, me: ("POST", f"/decisions/{w.did}/{path}", body)


def new_person(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", "/persons", {"name": "新同事"})


def grant(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/persons/{w.c.evaluator}/roles", {"role": "expert", "unit": "某大学", "reason": "聘任"})


def end(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    rid = identity.grant_role(m.ctx, w.c.evaluator, "expert", "某大学", reason="聘任")
    return ("POST", f"/persons/{w.c.evaluator}/roles/{rid}/end", {"reason": "调离"})


def token_for(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/persons/{w.c.evaluator}/tokens", {"ttl_days": 30})


def revoke_other(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", "/tokens/revoke", {"token": identity.issue_token(m.ctx, w.c.evaluator)})


def lock(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/persons/{w.c.evaluator}/lock", {"reason": "疑似泄露"})


def unlock(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    identity.lock_account(m.ctx, w.c.evaluator, reason="疑似泄露")  # at the console, so there is a lock to lift
    return ("POST", f"/persons/{w.c.evaluator}/unlock", {"reason": "核实身份后解锁"})


def password_reset(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", f"/persons/{w.c.evaluator}/password", {"password": "Reset-Passw0rd-1", "reason": "遗忘"})


def upload(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("UPLOAD", f"/decisions/{w.did}/artifacts/upload",
            {"kind": "consultation", "fields": '{"unit": "某市财政局", "opinion": "同意"}'})


def draft(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("UPLOAD", f"/decisions/{w.did}/drafts", {"title": "第二稿"})


def open_decision(w: Any, m: Matrix, me: str) -> tuple[str, str, Any]:
    return ("POST", "/decisions", {"title": "关于某事项的决定", "category": "policy", "unit": BUREAU})


@dataclass(frozen=True)
class Case:
    """A mutating endpoint, the stage it is tried at, and who the rule book lets do it."""

    name: str
    stage: Callable[[Any], None]
    request: Request
    allowed: frozenset[str]


ORGAN = frozenset({"admin_head", "decision_organ"})
UNIT = frozenset({"undertaking_unit"})
HEAD = frozenset({"admin_head"})
ADMIN = frozenset({"system_admin"})
ADMINS = frozenset({"system_admin", "security_admin", "audit_admin"})
SECURITY = frozenset({"security_admin"})  # SEC4: locks, unlocks, password resets  # SEC4: 三员 read no procedure file
CASES = [
    Case("open decision (R3, Arts. 10–11)", nothing, open_decision, UNIT | ORGAN),
    Case("start decision (R3, Art. 11)", opened, art("start_decision", lead_unit=BUREAU, units=[BUREAU]), ORGAN),
    Case("withdraw (organ or head)", opened, act("withdraw", {"reason": "不再需要"}), ORGAN),
    Case("determination: specialised (R9, Art. 19)", started,
         act("determinations", {"kind": "specialised", "value": True, "reasons": "专业性强"}), UNIT),
    Case("determination: catalogued (R2, Art. 3)", started,
         act("determinations", {"kind": "catalogued", "value": False, "reasons": "未列入"}), ORGAN),
    Case("draft version (R3, Art. 12)", started, draft, UNIT),
    Case("consultation (R4, Art. 13)", started, art("consultation", unit="某市财政局", opinion="同意"), UNIT),
    Case("consultation uploaded (R4, Art. 13)", started, upload, UNIT),
    Case("party report (R16, Art. 31)", started, today_art("party_report", "reported_at", reported_to="市委"),
         ORGAN),
    Case("hearing notice (R7, Art. 16)", hearing,
         art("hearing_notice", published_at="2025-03-03", hearing_at="2025-03-20", place="会议室"),
         UNIT | {"hearing_organizer"}),
    Case("conflict declaration (R9, SoD2, Art. 20)", experts_selected,
         art("conflict_declaration", direct_interest=False, statement="无利害关系"), frozenset({"expert"})),
    Case("risk report (R10, Arts. 22–24)", risky,
         art("risk_report", risk_points=["投诉"], level="low", measures=["分步"], contingency_plan="预案",
             conclusion="controllable"), frozenset({"risk_assessor"})),
    Case("department opinions (R10, Art. 23)", risky, art("dept_opinions", departments=["信访局"], summary="可控"),
         UNIT | {"risk_assessor"}),
    Case("exempt participation (R5, Art. 14)", nondisclosable,
         act("gates/public_participation/exempt", {"legal_basis": "政府信息公开条例第十四条"}),
         UNIT | {"decision_organ"}),
    Case("clear participation (R5–R8, SoD8)", window_closed, act("gates/public_participation/clear"), UNIT),
    Case("legal adviser opinion (R12, Art. 28)", started, art("legal_adviser_opinion", opinion="合法"),
         frozenset({"legal_adviser"})),
    Case("legality opinion (R12, SoD1)", submitted,
         art("legality_opinion", authority="有权", procedure="完备", content="合法", conclusion="lawful"),
         frozenset({"legality_reviewer"})),
    Case("return legality review (R11, SoD1)", submitted,
         act("gates/legality_review/return", {"reason": "请补充材料"}), frozenset({"legality_reviewer"})),
    Case("clear legality review (R12, SoD1, SoD8)", reviewed, act("gates/legality_review/clear"),
         frozenset({"legality_reviewer"})),
    Case("finalize (R13–R16, SoD4, AR7)", met_under_the_matrix_head, act("finalize"), HEAD),
    Case("publication record (R17, Art. 32)", decided,
         today_art("publication_record", "published_at", channels=["政府网站"]), frozenset({"decision_organ"})),
    Case("execution unit designation (R19, Art. 34)", decided, act("execution-units", {"units": [TRANSIT]}),
         ORGAN),
    Case("execution report (R19, SoD6)", executing, art("execution_report", report_kind="progress", summary="顺利"),
         frozenset({"execution_unit"})),
    Case("evaluation report (R21, SoD3)", evaluation_commissioned,
         act("evaluation-reports", {"trigger": "organ_decision", "public_input": "问卷", "deputy_participation": "代表参与",
                                    "findings": "达到预期", "recommendation": "continue"}),
         frozenset({"post_evaluator"})),
    Case("suspend (R20, SoD6)", decided, act("suspend", {"ground": "force_majeure", "reason": "台风", "urgency": "台风红色预警"}), HEAD),
    Case("resume (R20, SoD6)", suspended, act("resume", {"reason": "台风过境"}), HEAD),
    Case("close (R18, Art. 33)", published, act("close"), ORGAN),
    Case("register a person", nothing, new_person, ADMIN),
    Case("grant a role", nothing, grant, ADMIN),
    Case("end a role", nothing, end, ADMIN),
    Case("issue a token", nothing, token_for, ADMIN),
    Case("revoke another person's token", nothing, revoke_other, ADMIN),
    Case("lock an account (SEC4)", nothing, lock, SECURITY),
    Case("unlock an account (SEC2, SEC4)", nothing, unlock, SECURITY),
    Case("reset a password (SEC1, SEC4)", nothing, password_reset, SECURITY),
]


@pytest.fixture
def matrix(walk: Any) -> Matrix:
    return Matrix(walk)


def _attempt(m: Matrix, case: Case, role: str) -> Any:
    me = m.person.get(role, "")
    method, path, body = case.request(m.walk, m, me)
    if method == "UPLOAD":
        return m.call(role, "POST", path, body, files={"file": ("doc.txt", "文本".encode(), "text/plain")})
    return m.call(role, method, path, body)


NOT_OF_A_DECISION = ("add an expert to the pool", "retire an expert from the pool")
OF_THE_ORGAN = ("render an official document",)  # a reading act: any staff of the organ (AR13)
RELATION_CHECKS: list[tuple[str, str, str]] = []  # what the matrix tried, for its size in the closing report


def _attempt_as(m: Matrix, case: Case, role: str, who: tuple[str, str]) -> Any:
    """The act tried by another holder of the same role: in the other government (c), or in another unit
    of the same organ (b)."""
    saved = m.person[role], m.token[role]
    m.person[role], m.token[role] = who
    try:
        return _attempt(m, case, role)
    finally:
        m.person[role], m.token[role] = saved


def _snapshot(m: Matrix) -> tuple[str, str, int]:
    if not m.walk.did:
        return ("", "", q.count_decisions(m.ctx))
    v = q.get_decision(m.ctx, m.walk.did)
    return (v["status"], v["stage"], len(v["artifacts"]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_role_is_allowed_or_denied_as_the_rule_book_says(walk: Any, case: Case) -> None:
    m = Matrix(walk)
    unexpected: list[str] = []
    case.stage(walk)
    for role in [r for r in EVERYONE if r not in case.allowed]:
        before = _snapshot(m)
        r = _attempt(m, case, role)
        want = 401 if role == PUBLIC else 403
        if r.status_code != want:
            unexpected.append(f"{role}: {r.status_code} {r.text[:200]}")
        elif _snapshot(m) != before:
            unexpected.append(f"{role}: denied but the decision changed")
        elif role != PUBLIC and r.json()["rule"] == "":
            unexpected.append(f"{role}: denied without naming a rule")
    others: list[tuple[str, str, tuple[str, str]]] = []
    if PUBLIC not in case.allowed and not case.name.startswith(NOT_OF_A_DECISION):
        # what the public may do, anyone may (a public comment or opinion); the expert pool and accounts
        # belong to no decision
        others += [(role, "of the other government", m.county[role]) for role in sorted(case.allowed & m.county.keys())]
        if not case.name.startswith(OF_THE_ORGAN):  # (b) only where the relation is to a unit
            others += [(role, "of another unit", m.other_unit[role])
                       for role in sorted(case.allowed & m.other_unit.keys())]
    for role, where, who in others:
        # AR1–AR13: the role the act allows, held where the record does not name it, stands in no relation to
        # this decision: refused (403, or 409 where the record names nobody yet), nothing changed
        before = _snapshot(m)
        r = _attempt_as(m, case, role, who)
        if r.status_code not in (403, 409):
            unexpected.append(f"{role} {where}: {r.status_code} {r.text[:200]}")
        elif _snapshot(m) != before:
            unexpected.append(f"{role} {where}: denied but the decision changed")
        RELATION_CHECKS.append((case.name, role, where))
    for role in sorted(case.allowed):
        fresh = copy.copy(walk)  # the same cast, a new decision at the same stage
        fresh.did = ""
        m.walk = fresh
        case.stage(fresh)
        r = _attempt(m, case, role)
        if r.status_code not in (200, 201):
            unexpected.append(f"{role} (allowed): {r.status_code} {r.text[:300]}")
    assert unexpected == [], "\n".join(unexpected)


# AR13: a decision is read by the staff of its organ, the auditor, and the externals it names as parties —
# the matrix's expert, assessor, participant, execution unit and evaluator are parties to none of it here
# (the list answers everybody with a procedure role, keeping only what each may read).
NOT_PARTIES = frozenset({"expert", "risk_assessor", "hearing_participant", "execution_unit", "post_evaluator"})
READS = [
    ("list decisions", lambda did: "/decisions", frozenset(ROLES) - ADMINS),
    ("read a decision", lambda did: f"/decisions/{did}", frozenset(ROLES) - ADMINS - NOT_PARTIES),
    ("history at a sequence", lambda did: f"/decisions/{did}?seq=2", frozenset(ROLES) - ADMINS - NOT_PARTIES),
    ("events, refused attempts included", lambda did: f"/decisions/{did}/events",
     frozenset(ROLES) - ADMINS - NOT_PARTIES),
    ("public docket", lambda did: f"/public/decisions/{did}", frozenset(EVERYONE)),
    ("public index", lambda did: "/public/decisions", frozenset(EVERYONE)),
]


def test_auditors_read_everything_the_administrator_reads_no_procedure_file_the_public_reads_the_published(
        matrix: Matrix) -> None:
    w = matrix.walk
    published(w)
    try:
        svc.finalize(w.ctx, w.c.drafter, w.did)
    except Exception:
        pass  # a refused attempt, recorded as evidence for the auditor to read
    unexpected = []
    for name, path, allowed in READS:
        for role in EVERYONE:
            r = matrix.call(role, "GET", path(w.did))
            ok = r.status_code == 200
            if ok != (role in allowed):
                unexpected.append(f"{name} as {role}: {r.status_code}")
    assert unexpected == []
    events = matrix.call("auditor", "GET", f"/decisions/{w.did}/events").json()["items"]
    assert "AttemptRefused" in [e["type"] for e in events]
    docket = matrix.call(PUBLIC, "GET", f"/public/decisions/{w.did}").json()
    assert w.c.head not in str(docket)  # persons are not named to the public
