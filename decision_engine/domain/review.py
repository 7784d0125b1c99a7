"""Expert review, risk assessment and legality review in depth (S2–S4: R9–R13, SoD1, SoD2): pure.

- R9, Arts. 19–20, 29(3): an expert's signature is a confirmation, with their own credential, over the
  sha256 of the opinion document (`RecordConfirmed` in the same transaction as the opinion); adoption
  status per opinion.
- R10, Arts. 23–24: each prevention measure of the controllable assessment of the current draft is an
  obligation that execution tracking follows (`rules.execution.obligations`, the one list of obligations).
- R11, Arts. 25–27: the legality submission packet and the explanation of the procedures performed are
  generated from the record (gates, determinations, artifacts), never typed; the review clock counts
  working days on the statutory calendar from the moment the submission is complete, and a supplement
  request stops it and restarts it when the supplement arrives (a return starts a new round).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain import events as ev
from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, NotPermitted, RuleViolation
from decision_engine.domain.law import basis, ref
from decision_engine.domain.rules.common import DISPOSITIONS
from decision_engine.domain.rules.experts import CREDENTIAL_PREFIX
from decision_engine.domain.rules.legality import pending_supplement
from decision_engine.domain.statutory_time import statutory_date, zone_of
from decision_engine.domain.values import PRE_DECISION, Actor, NewEvent, iso_date

GATE_STATUS_ZH = {"cleared": "已完成", "exempted": "依法免予进行", "not_applicable": "不适用", "open": "未完成",
                  "submitted": "进行中", "returned": "已退回"}


# ------------------------------------------------------------------------------------ S2 experts
def signature(sha256: str) -> str:
    """The signature field of an expert opinion signed with the expert's own credential."""
    return CREDENTIAL_PREFIX + sha256


def opinion_signed(artifact_id: str, sha256: str) -> NewEvent:
    """SoD2/R9, Art. 19: the expert's confirmation over the opinion's sha256 (their signature)."""
    return ev.RecordConfirmed(subject="expert_opinion", sha256=sha256, artifact_id=artifact_id, remarks="").new()


def adoption_entries(d: Decision, adoptions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """R9, Art. 29(3): one adoption entry per expert opinion of the current round, in order."""
    opinions = d.artifacts_of("expert_review", "expert_opinion")
    unknown = set(adoptions) - {o["id"] for o in opinions}
    if unknown:
        raise InvalidInput(f"no expert opinion {', '.join(sorted(unknown))} in this review", rule="R9",
                           article="Art. 29(3)")
    out = []
    for op in opinions:
        a = adoptions.get(op["id"])
        if a is None:
            raise RuleViolation(f"专家意见 {op['id']}（{op['author'].get('name') or op['author']['person']}）缺少采纳"
                                "情况 (each opinion needs its adoption status)", rule="R9", article="Art. 29(3)")
        if a.get("disposition") not in DISPOSITIONS or not str(a.get("reason") or "").strip():
            raise RuleViolation("采纳情况应为 adopted / partly / not_adopted 并说明理由", rule="R9",
                                article="Art. 29(3)")
        out.append({"opinion_id": op["id"], "expert": op["author"]["person"],
                    "expert_name": op["author"].get("name", ""), "opinion": str(op["fields"]["opinion"])[:500],
                    "dissenting": bool(op["fields"].get("dissenting", False)),
                    "disposition": a["disposition"], "reason": str(a["reason"]).strip()})
    return out


# ------------------------------------------------------------------------------------ S4 legality
def procedure_explanation(d: Decision) -> str:
    """R11, Art. 26: the explanation of the procedures performed, generated from the record."""
    names = d.spec.artifacts
    lines = [f"《{d.state['title']}》（{d.id}）决策草案第 {d.state['draft_version']} 版履行程序情况说明："]
    for n, g in enumerate(d.spec.gates_before("legality_review"), start=1):
        status = d.gate_status(g)
        head = f"{n}. {g.name_zh}（{g.rule}，{g.article}）：{GATE_STATUS_ZH.get(status, status)}"
        det = g.condition.removeprefix("flag:") if g.condition.startswith("flag:") else None
        flag = d.state["flags"].get(det) if det else None
        if flag is not None:
            head += f"；认定：{'是' if flag['value'] else '否'}，理由：{flag['reasons']}"
        if status == "exempted":
            head += f"；依据：{d.state['gates'][g.id]['exemption']['legal_basis']}"
        lines.append(head + "。")
        for a in d.artifacts_of(g.id):
            kind = names.get(a["kind"])
            who = a["author"].get("unit") or a["author"]["person"]
            on = statutory_date(a["at"], zone_of(d.spec.settings))
            lines.append(f"   - {kind.name_zh if kind else a['kind']}（{on}，{who}，"
                         f"SHA-256 {a['sha256'][:16]}…，草案第 {a['draft_version']} 版）")
    return "\n".join(lines)


def submission_packet(d: Decision, legal_basis: str) -> dict[str, Any]:
    """R11, Art. 26: the draft version, the legal basis and the generated explanation, with every artifact
    of the stages before the legality review listed by content address."""
    if not legal_basis.strip():
        raise InvalidInput("送审材料应当载明制定依据 (legal_basis)", rule="R11", article="Art. 26")
    draft = d.state["drafts"][-1] if d.state["drafts"] else None
    if draft is None:
        raise RuleViolation("no draft version exists", rule="R3", article="Art. 12")
    return {"draft_version": draft["version"], "draft_sha256": draft["sha256"], "legal_basis": legal_basis,
            "procedure_explanation": procedure_explanation(d), "explanation_generated": True,
            "packet": [{"artifact_id": a["id"], "kind": a["kind"], "gate": g.id, "sha256": a["sha256"]}
                       for g in d.spec.gates_before("legality_review") for a in d.artifacts_of(g.id)]}


def request_supplement(d: Decision, candidates: tuple[Actor, ...], items: list[str], reason: str
                       ) -> tuple[Actor, list[NewEvent]]:
    """R11, Art. 26: the legal office asks for supplementary material; the review clock stops."""
    actor = d.pick(candidates, ("legality_reviewer",), "requesting a supplement", "SoD1", "Arts. 25, 28")
    if d.status not in PRE_DECISION:
        raise RuleViolation(f"the decision is {d.status}", rule="R11", article="Art. 26")
    if actor.unit in d.undertaking_units():
        raise NotPermitted("the undertaking unit cannot act as its own legality reviewer", rule="SoD1",
                           article="Arts. 25, 28")
    if d.latest("legality_review", "legality_submission") is None:
        raise RuleViolation("no legality submission to ask a supplement for", rule="R11", article="Art. 26")
    if d.latest("legality_review", "legality_opinion") is not None:
        raise RuleViolation("the opinion is already given", rule="R11", article="Art. 26")
    if pending_supplement(d) is not None:
        raise RuleViolation("a supplement request is already pending", rule="R11", article="Art. 26")
    clean = [str(i).strip() for i in items if str(i).strip()]
    if not clean or not reason.strip():
        raise InvalidInput("a supplement request lists the items needed and the reason", rule="R11",
                           article="Art. 26")
    return actor, [ev.SupplementRequested(gate="legality_review", items=clean, reason=reason.strip()).new()]


def review_clock(d: Decision, cal: StatutoryCalendar, today: date) -> dict[str, Any] | None:
    """R11, Art. 26 ¶2: the legality review's time on the statutory calendar: working days granted
    (≥ 7 unless a reason), counted from the moment the submission is complete; a pending supplement
    request stops the clock, the supplement restarts it with the same number of working days."""
    sub = d.latest("legality_review", "legality_submission")
    if sub is None:
        return None
    f = sub["fields"]
    submitted = statutory_date(sub["at"], zone_of(d.spec.settings))
    requested = iso_date(f["requested_deadline"], "requested_deadline", **ref("R11.review_time"))
    granted, prov_granted = cal.working_days_between(submitted, requested)
    supplements = d.artifacts_of("legality_review", "legality_supplement")
    complete = max([submitted, *[statutory_date(a["at"], zone_of(d.spec.settings)) for a in supplements]])
    pending = pending_supplement(d)
    if complete == submitted:
        deadline, provisional = requested, prov_granted
    else:
        dl = cal.add_working_days(complete, granted, basis("R11.review_time") + " (restarted by a supplement)")
        deadline, provisional = dl.due, dl.provisional or prov_granted
    if today <= deadline:
        remaining, prov_now = cal.working_days_between(today, deadline)
    else:
        over, prov_now = cal.working_days_between(deadline, today)
        remaining = -over
    gs = d.state["gates"]["legality_review"]
    return {"submission_id": sub["id"], "draft_version": sub["draft_version"], "submitted_on": submitted.isoformat(),
            "complete_on": complete.isoformat(), "requested_deadline": requested.isoformat(),
            "working_days_granted": granted, "short_review_reason": f.get("short_review_reason") or None,
            "deadline": deadline.isoformat(), "working_days_remaining": None if pending else remaining,
            "paused": pending is not None, "pending_request": pending,
            "provisional": bool(provisional or prov_now), "overdue": pending is None and remaining < 0,
            "round": gs["round"], "restarted": gs["round"] > 1 or complete != submitted,
            "opinion_given": d.latest("legality_review", "legality_opinion") is not None}

