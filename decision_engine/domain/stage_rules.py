"""Rules of the pre-decision stages in depth (issue 4): checks and folds the decision aggregate registers.

Pure, stdlib only, and free of any import of `decision.py` (which registers these functions in its
`_ARTIFACT_CHECKS`, `_GATE_CHECKS` and `_APPLY` tables). Each check cites its rule and article:

- R5, Art. 14: a participation record names a lawful method (symposium, visit, written consultation...).
- R7, Art. 16: the selection method is published before participants are selected, the list before the
  hearing; materials go to listed participants only.
- R7 and SoD5, Art. 17: a hearing record is content-addressed and confirmed by every participant with
  their own credential (`RecordConfirmed` over its sha256) before it is accepted.
- R9, Arts. 19–20, 29(3): a selection note says whether dissenting views were deliberately included;
  only selected experts declare and give opinions; a credential signature is a confirmation over the
  opinion's sha256; each opinion has its adoption status.
- R10, Arts. 23–24: a risk report names its risk points, level and prevention measures.
- R11, Art. 26: a supplement request stops the review until the supplement arrives (the clock restarts).
- R12, Art. 28 and seed 000: amendments and written explanations of non-adoption answer an opinion.

Signatures: every check is `(d, kind, actor, fields, cal, today) -> None` (raises); every gate check is
`(d, gate) -> list[Missing]`; every fold is `(d, payload, envelope) -> None`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from decision_engine.domain.errors import InvalidInput, Missing, NotPermitted, RuleViolation

if TYPE_CHECKING:  # typing only: decision.py imports this module
    from decision_engine.domain.calendar import StatutoryCalendar
    from decision_engine.domain.decision import Actor, Decision
    from decision_engine.domain.procedure import ArtifactKind, GateSpec

Check = Callable[["Decision", "ArtifactKind", "Actor", dict[str, Any], "StatutoryCalendar", date], None]
GateCheck = Callable[["Decision", "GateSpec"], list[Missing]]

DISPOSITIONS = {"adopted": "采纳", "partly": "部分采纳", "not_adopted": "未采纳"}
# R5, Art. 14: 座谈会、听证会、实地走访、书面征求意见、向社会公开征求意见、问卷调查、民意调查
PARTICIPATION_METHODS = {
    "symposium": "座谈会", "hearing": "听证会", "visit": "实地走访", "written_consultation": "书面征求意见",
    "public_comment": "向社会公开征求意见", "survey": "问卷调查", "poll": "民意调查",
}
# R10: the three-level scale of 发改投资〔2012〕2492号 Art. 4 (profile default, inference).
RISK_LEVELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
CREDENTIAL_PREFIX = "sha256:"


def checks(*fns: Check) -> Check:
    """Run several artifact checks in order (the first refusal wins)."""
    def run(d: Decision, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
            today: date) -> None:
        for fn in fns:
            fn(d, k, actor, f, cal, today)
    return run


def gates(*fns: GateCheck) -> GateCheck:
    """Concatenate what several gate checks find missing."""
    def run(d: Decision, g: GateSpec) -> list[Missing]:
        return [m for fn in fns for m in fn(d, g)]
    return run


def iso_date(value: Any, name: str, rule: str, article: str) -> date:
    """An ISO date field, or InvalidInput citing the rule."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}", rule=rule,
                           article=article) from None


# ------------------------------------------------------------------------------------ folds (_APPLY)
def ap_record_presented(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """A record (hearing record) presented for confirmation, by its sha256."""
    rec = d.state.setdefault("records", {}).setdefault(p["sha256"], {"subject": p["subject"],
                                                                     "confirmations": []})
    rec.update(subject=p["subject"], presented_by=ev["actor"], presented_at=ev["at"], seq=ev["seq"],
               size=p["size"], media_type=p["media_type"], filename=p["filename"],
               draft_version=p["draft_version"])


def ap_record_confirmed(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """A person confirmed (signed) a record with their own credential (SoD5, R9)."""
    rec = d.state.setdefault("records", {}).setdefault(p["sha256"], {"subject": p["subject"],
                                                                     "confirmations": []})
    rec["confirmations"].append({"person": ev["actor"]["person"], "role": ev["actor"]["role"],
                                 "unit": ev["actor"]["unit"], "name": ev["actor"].get("name", ""),
                                 "at": ev["at"], "seq": ev["seq"], "remarks": p.get("remarks", ""),
                                 "artifact_id": p.get("artifact_id")})


def ap_supplement_requested(d: Decision, p: dict[str, Any], ev: dict[str, Any]) -> None:
    """The legal office asked for supplementary material (R11, Art. 26)."""
    gs = d.state["gates"][p["gate"]]
    d.state.setdefault("supplement_requests", []).append({
        "gate": p["gate"], "round": gs["round"], "items": p["items"], "reason": p["reason"],
        "at": ev["at"], "seq": ev["seq"], "by": ev["actor"]})


def confirmed_by(d: Decision, sha256: str) -> dict[str, dict[str, Any]]:
    """Who confirmed the record with this sha256 (person -> their confirmation)."""
    rec = d.state.get("records", {}).get(sha256)
    return {c["person"]: c for c in rec["confirmations"]} if rec else {}


def pending_supplement(d: Decision) -> dict[str, Any] | None:
    """The supplement request of the legality review's current round not yet answered, if any."""
    gs = d.state["gates"].get("legality_review")
    if gs is None:
        return None
    reqs = [r for r in d.state.get("supplement_requests", []) if r["round"] == gs["round"]]
    if not reqs:
        return None
    answered = [a["seq"] for a in d.artifacts_of("legality_review", "legality_supplement")]
    last = reqs[-1]
    return None if answered and max(answered) > last["seq"] else last


# ------------------------------------------------------------------------------------ S1 (R5, R7, SoD5)
def art_participation_method(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                             today: date) -> None:
    """R5, Art. 14: a participation record names one of the methods of Art. 14."""
    method = str(f["method"]).strip()
    if method not in PARTICIPATION_METHODS and method not in PARTICIPATION_METHODS.values():
        raise InvalidInput("公众参与方式应为：" + "、".join(f"{v}（{k_}）" for k_, v in PARTICIPATION_METHODS.items())
                           + f"; got {method!r}", rule="R5", article="Art. 14")


def _hearing_at(d: Decision) -> date:
    notice = d.latest("hearing", "hearing_notice")
    if notice is None:
        raise RuleViolation("听证公告应当先于其他听证事项发布 (the hearing notice must come first)",
                            rule="R7", article="Art. 16")
    return iso_date(notice["fields"]["hearing_at"], "hearing_at", "R7", "Art. 16")


def art_selection_method(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                         today: date) -> None:
    """R7, Art. 16: the selection method is published (after the notice) before the hearing."""
    hearing_at = _hearing_at(d)
    published = iso_date(f["published_at"], "published_at", "R7", "Art. 16")
    if published >= hearing_at or published > today:
        raise RuleViolation("遴选办法应当在听证会前公布，且不得预填未来日期 (published_at must be before the "
                            "hearing and not in the future)", rule="R7", article="Art. 16")


def art_participant_list(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                         today: date) -> None:
    """R7, Art. 16: method published before selection; list published after selection, before the hearing."""
    hearing_at = _hearing_at(d)
    method = d.latest("hearing", "hearing_selection_method")
    if method is None:
        raise RuleViolation("遴选听证参加人的，应当先公布遴选办法 (publish the selection method before "
                            "selecting participants)", rule="R7", article="Art. 16")
    method_at = iso_date(method["fields"]["published_at"], "published_at", "R7", "Art. 16")
    selected = iso_date(f["selected_at"], "selected_at", "R7", "Art. 16")
    published = iso_date(f["published_at"], "published_at", "R7", "Art. 16")
    if not method_at < selected:
        raise RuleViolation(f"遴选办法公布于 {method_at.isoformat()}，遴选不得早于或同日进行 (selection "
                            f"on {selected.isoformat()} must follow the method's publication)",
                            rule="R7", article="Art. 16")
    if not selected <= published < hearing_at or published > today:
        raise RuleViolation("听证参加人名单应当在遴选后、听证会前公布 (the list is published after the "
                            "selection and before the hearing)", rule="R7", article="Art. 16")
    people = f["participants"]
    if not isinstance(people, list) or not all(isinstance(p, str) and p for p in people) or \
            len(set(people)) != len(people):
        raise InvalidInput("participants must be a list of distinct person ids", rule="R7", article="Art. 16")


def _listed(d: Decision) -> list[str] | None:
    lst = d.latest("hearing", "hearing_participant_list")
    return None if lst is None else [str(p) for p in lst["fields"]["participants"]]


def art_delivery_to_listed(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                           today: date) -> None:
    """R7, Art. 17: once a list is published, materials go to its participants."""
    listed = _listed(d)
    if listed is not None and f["participant"] not in listed:
        raise RuleViolation(f"{f['participant']} 不在已公布的听证参加人名单中 (not on the published list)",
                            rule="R7", article="Art. 17")


def art_hearing_record_confirmed(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                                 today: date) -> None:
    """R7 and SoD5, Art. 17: the record is the one presented, held after the hearing, and every
    participant has confirmed its sha256 with their own credential. Records of hearings without a
    published list and without a presented record keep the declared `signed_by` check of decision.py."""
    listed = _listed(d)
    sha = str(f.get("record_sha256") or "")
    if listed is None and not sha:
        return
    participants = [str(p) for p in f["participants"]] if isinstance(f["participants"], list) else []
    if listed is not None and sorted(participants) != sorted(listed):
        raise RuleViolation("听证笔录的参加人应当与公布的名单一致 (the record's participants must be the "
                            "published list)", rule="R7", article="Art. 16")
    if not sha:
        raise RuleViolation("听证笔录应当由每一位参加人以本人身份确认 (present the record and let each "
                            "participant confirm its sha256)", rule="SoD5", article="Art. 17")
    rec = d.state.get("records", {}).get(sha)
    if rec is None or rec.get("subject") != "hearing_record" or "presented_at" not in rec:
        raise RuleViolation(f"听证笔录 {sha[:12]}… 未经提交确认 (no record with this sha256 was presented)",
                            rule="SoD5", article="Art. 17")
    if today < _hearing_at(d):
        raise RuleViolation("听证会尚未举行 (the hearing has not been held yet)", rule="R7", article="Art. 17")
    signed = confirmed_by(d, sha)
    unsigned = [p for p in participants if p not in signed]
    if unsigned:
        raise RuleViolation(f"听证笔录尚未经以下参加人确认签字: {', '.join(unsigned)}", rule="SoD5",
                            article="Art. 17", missing=tuple(
                                Missing("SoD5", "Art. 17", "hearing", f"confirmation by participant {p}",
                                        "hearing_record") for p in unsigned))


# ------------------------------------------------------------------------------------ S2 (R9, SoD2)
def _selected(d: Decision) -> list[str] | None:
    for note in reversed(d.artifacts_of("expert_review", "selection_note")):
        if isinstance(note["fields"].get("expert_ids"), list):
            return [str(e) for e in note["fields"]["expert_ids"]]
    return None


def art_selection_note(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any, today: date) -> None:
    """R9, Art. 20: selected experts by id; dissenting views deliberately included, or why not."""
    if "expert_ids" not in f:
        return
    ids = f["expert_ids"]
    if not isinstance(ids, list) or not ids or not all(isinstance(e, str) and e for e in ids):
        raise InvalidInput("expert_ids must be a non-empty list of person ids", rule="R9", article="Art. 20")
    if not isinstance(f.get("dissent_included"), bool):
        raise InvalidInput("dissent_included must say (true/false) whether experts holding dissenting views "
                           "were deliberately included", rule="R9", article="Art. 20")
    if not f["dissent_included"] and not str(f.get("dissent_note") or "").strip():
        raise RuleViolation("应当有意选择持不同意见的专家；未选入的，应当说明理由 (dissent_note)", rule="R9",
                            article="Art. 20")


def art_expert_selected(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any, today: date) -> None:
    """R9, Art. 20: once experts are selected by id, only they declare and give opinions."""
    selected = _selected(d)
    if selected is not None and actor.person not in selected:
        raise NotPermitted(f"{actor.name or actor.person} 不在专家遴选名单中 (not a selected expert)",
                           rule="R9", article="Art. 20")


def art_expert_adoption(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any, today: date) -> None:
    """R9, Art. 29(3): adoption status per opinion (when entries name opinions by artifact id)."""
    entries = f["adoptions"]
    if not isinstance(entries, list) or not any(isinstance(e, dict) and "opinion_id" in e for e in entries):
        return
    for e in entries:
        if not isinstance(e, dict) or e.get("disposition") not in DISPOSITIONS or \
                not str(e.get("reason") or "").strip():
            raise RuleViolation("每条专家意见应当载明采纳、部分采纳或者未采纳及理由", rule="R9", article="Art. 29(3)")
    covered = {e.get("opinion_id") for e in entries}
    missing = [a["id"] for a in d.artifacts_of("expert_review", "expert_opinion") if a["id"] not in covered]
    if missing:
        raise RuleViolation(f"专家意见 {', '.join(missing)} 缺少采纳情况 (adoption status missing)", rule="R9",
                            article="Art. 29(3)")


def check_expert_review(d: Decision, g: Any) -> list[Missing]:
    """R9, Arts. 19, 29(3): credential signatures confirmed; every opinion has its adoption status."""
    out: list[Missing] = []
    opinions = d.artifacts_of(g.id, "expert_opinion")
    for op in opinions:
        sig = str(op["fields"].get("signature") or "")
        if sig.startswith(CREDENTIAL_PREFIX) and op["author"]["person"] not in confirmed_by(d, op["sha256"]):
            out.append(Missing("R9", "Art. 19", g.id, f"expert's confirmation of opinion {op['id']} over its "
                               "sha256", "expert_opinion"))
    adoption = d.latest(g.id, "expert_adoption")
    entries = adoption["fields"]["adoptions"] if adoption else []
    if isinstance(entries, list) and any(isinstance(e, dict) and "opinion_id" in e for e in entries):
        covered = {e.get("opinion_id") for e in entries if isinstance(e, dict)}
        for op in opinions:
            if op["id"] not in covered:
                out.append(Missing("R9", "Art. 29(3)", g.id, f"adoption status of expert opinion {op['id']}",
                                   "expert_adoption"))
    return out


# ------------------------------------------------------------------------------------ S3 (R10)
def art_risk_report_content(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                            today: date) -> None:
    """R10, Arts. 23–24: risk points, a level on the three-level scale, prevention measures."""
    if f["level"] not in RISK_LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(RISK_LEVELS)} (高/中/低, 发改投资〔2012〕2492号 "
                           "Art. 4)", rule="R10", article="Art. 23")
    if not isinstance(f["risk_points"], list):
        raise InvalidInput("risk_points must be a list", rule="R10", article="Art. 23")
    measures = f["measures"]
    if not isinstance(measures, list) or not all(
            (isinstance(m, str) and m.strip()) or (isinstance(m, dict) and str(m.get("measure") or "").strip())
            for m in measures):
        raise InvalidInput("measures must list each prevention measure (text, or {measure, responsible_unit, "
                           "due})", rule="R10", article="Art. 23")


# ------------------------------------------------------------------------------------ S4 (R11, R12)
def art_no_pending_supplement(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any,
                              today: date) -> None:
    """R11, Art. 26: no opinion while the legal office waits for the supplement it asked for."""
    req = pending_supplement(d)
    if req is not None:
        raise RuleViolation(f"已要求补充材料（{'；'.join(map(str, req['items']))}），补充前不得出具审查意见",
                            rule="R11", article="Art. 26")


def art_supplement(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any, today: date) -> None:
    """R11, Art. 26: a supplement answers a pending request."""
    if pending_supplement(d) is None:
        raise RuleViolation("合法性审查机构未要求补充材料 (no supplement request is pending)", rule="R11",
                            article="Art. 26")


def art_answers_opinion(d: Decision, k: Any, actor: Any, f: dict[str, Any], cal: Any, today: date) -> None:
    """R12, Art. 28; seed 000: amendments and non-adoption explanations answer a legality opinion."""
    if d.latest("legality_review", "legality_opinion") is None:
        raise RuleViolation("尚无合法性审查意见 (there is no legality opinion to answer)", rule="R12",
                            article="Art. 28")


def check_legality_supplement(d: Decision, g: Any) -> list[Missing]:
    """R11, Art. 26: a pending supplement request holds the review."""
    req = pending_supplement(d)
    if req is None:
        return []
    return [Missing("R11", "Art. 26", g.id, "supplementary material requested by the legal office: "
                    + "; ".join(map(str, req["items"])), "legality_supplement")]
