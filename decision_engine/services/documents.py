"""Official documents (公文) rendered from the record: the comment notice, the feedback report, the hearing
notice and record, the expert opinion form, the risk report cover, the legality submission and opinion, the
meeting packet and minutes, the publication notice and interpretation, the execution and evaluation reports,
the trace-back report (Art. 38) and the archive index (R18, Art. 33).

A rendering is a pure function of the record up to one event (its *basis*) and of the template files: the
decision is replayed to that event, a context is built from it (names from the people's own registration
events), and the template renders it to HTML and PDF. Each rendering is recorded (a `DocumentRendered` event
in the stream `documents:<decision id>` and a row in `documents`) with the template name, the template hash,
the context hash and both output hashes, so that an auditor can re-render and compare (`rerender_matches`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from decision_engine.adapters import gongwen
from decision_engine.audit.canonical import canonical, sha256_hex
from decision_engine.domain.decision import Decision
from decision_engine.domain.errors import InvalidInput, NotFound, RuleViolation
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import access
from decision_engine.services.clock import statutory_date
from decision_engine.services.context import SYSTEM_ACTOR, Context, new_id
from decision_engine.services.decisions import stream_of
from decision_engine.services.identity import actors_of
from decision_engine.services.ports import UnitOfWork
from decision_engine.services.queries import replay


@dataclass(frozen=True, slots=True)
class DocKind:
    """A kind of official document: what it is made from, and the rule it serves."""

    id: str
    name_zh: str
    sources: tuple[str, ...]  # artifact kinds; the first is the primary one (none: the whole record)
    extras: tuple[str, ...]  # artifact kinds the document also quotes when they exist
    rule: str
    article: str
    code: str  # 发文字号 code
    each: bool = False  # render_all renders one per primary artifact, not only the latest


DOC_KINDS: dict[str, DocKind] = {k.id: k for k in (
    DocKind("comment_notice", "征求意见公告", ("comment_notice",), (), "R6", "Art. 15", "征"),
    DocKind("feedback_report", "公众意见采纳情况报告", ("opinion_summary",),
            ("adoption_explanation", "comment_notice"), "R8", "Arts. 18, 29(2), 32", "意"),
    DocKind("hearing_notice", "听证公告", ("hearing_notice",), (), "R7", "Art. 16", "听"),
    DocKind("hearing_record", "听证笔录", ("hearing_record",), ("hearing_notice", "hearing_materials_delivery"),
            "R7", "Art. 17", "听录"),
    DocKind("expert_opinion_form", "专家论证意见表", ("expert_opinion",),
            ("conflict_declaration", "selection_note"), "R9", "Arts. 19–20", "专", each=True),
    DocKind("risk_report_cover", "风险评估报告", ("risk_report",), ("dept_opinions",), "R10", "Arts. 22–24",
            "评"),
    DocKind("legality_submission", "合法性审查送审函", ("legality_submission",), (), "R11",
            "Arts. 25–26", "审函"),
    DocKind("legality_opinion", "合法性审查意见书", ("legality_opinion",),
            ("legality_submission", "legal_adviser_opinion", "amendment_record", "nonadoption_explanation"),
            "R12", "Arts. 27–28", "法审"),
    DocKind("meeting_packet", "提请集体讨论决定的请示", ("legality_opinion",),
            ("draft", "opinion_summary", "expert_adoption", "risk_report", "dispute_statement",
             "fair_competition_review", "amendment_record"), "R14", "Art. 29", "请"),
    DocKind("meeting_minutes", "会议纪要", ("meeting_record",), (), "R15", "Art. 30", "纪"),
    DocKind("publication_notice", "决策公布公告", ("publication_record",), ("meeting_record",), "R17",
            "Art. 32", "公"),
    DocKind("interpretation", "政策解读", ("interpretation",), ("adoption_explanation",), "R17", "Art. 32",
            "解"),
    DocKind("execution_report", "决策执行情况报告", ("execution_report",), (), "R19", "Arts. 34–35", "执",
            each=True),
    DocKind("evaluation_report", "决策后评估报告", ("evaluation_report",), (), "R21", "Art. 36", "估"),
    DocKind("traceback_report", "决策责任倒查报告", (), (), "Art. 38", "Art. 38", "查"),
    DocKind("archive_index", "归档文件目录", (), (), "R18", "Art. 33", "档"),
)}

# Chinese words for the record's values (documents are always in Chinese).
ZH: dict[str, str] = {
    "policy": "重大公共政策和措施", "plan": "重要规划", "resource_policy": "自然资源、文化资源开发利用保护重大公共政策和措施",
    "public_project": "重大公共建设项目", "other_major": "其他重大事项",
    "adopted": "采纳", "partly": "部分采纳", "not_adopted": "未采纳",
    "lawful": "合法", "lawful_if_amended": "修改后合法", "unlawful": "不合法",
    "exploratory_risk_stated": "探索性改革事项（已明示法律风险）",
    "controllable": "风险可控", "not_controllable": "风险不可控", "low": "低", "medium": "中", "high": "高",
    "executive": "常务会议", "plenary": "全体会议",
    "support": "同意", "oppose": "不同意", "abstain": "弃权",
    "adopt": "通过", "adopt_with_amendments": "修改后通过", "defer": "暂缓", "send_back": "退回修改",
    "reject": "不予通过",
    "progress": "执行进展", "problem": "执行中发现的问题", "problems_found": "发现问题",
    "major_change_of_circumstances": "客观情况发生重大变化", "force_majeure": "不可抗力",
    "effect_not_met": "实施后明显未达到预期效果", "many_public_opinions": "公民、法人或者其他组织提出较多意见",
    "organ_decision": "决策机关认为有必要", "scheduled": "按计划评估",
    "open": "进行中", "submitted": "已提交", "returned": "已退回", "cleared": "已通过", "exempted": "依法豁免",
    "not_applicable": "不适用",
    "draft": "草拟", "in_procedure": "程序进行中", "ready_for_decision": "待决策", "decided": "已决定",
    "published": "已公布", "in_execution": "执行中", "evaluated": "已评估", "suspended": "中止执行",
    "withdrawn": "已撤回", "closed": "已结案",
    "undertaking_unit": "决策承办单位", "legality_reviewer": "合法性审查机构", "legal_adviser": "法律顾问、公职律师",
    "expert": "专家", "risk_assessor": "风险评估单位", "hearing_organizer": "听证组织者",
    "hearing_participant": "听证参加人", "meeting_member": "会议组成人员", "admin_head": "行政首长",
    "decision_organ": "决策机关", "secretariat": "会议秘书", "execution_unit": "决策执行单位",
    "post_evaluator": "评估单位", "party_committee": "同级党委", "auditor": "审计", "system_admin": "系统管理员",
    "security_admin": "安全管理员", "audit_admin": "审计管理员",
    "system": "系统", "none": "无角色",
}
EVENT_ZH: dict[str, str] = {
    "DecisionOpened": "决策立项", "DeterminationRecorded": "作出认定", "ArtifactRecorded": "记录材料",
    "DraftVersionAdded": "形成草案新版本", "GateCleared": "环节审核通过", "GateReturned": "退回补充",
    "GateReopened": "环节重新开启", "GateExempted": "环节依法豁免", "DecisionFinalized": "作出决定",
    "DecisionSuspended": "中止执行", "DecisionResumed": "恢复执行", "DecisionWithdrawn": "撤回",
    "DecisionClosed": "结案归档", "AttemptRefused": "操作被拒绝（留痕）", "ProcedureMigrated": "程序版本变更",
}


def zh(value: Any) -> str:
    """The Chinese word for a recorded value (the value itself when there is none)."""
    return ZH.get(str(value), str(value))


# ---------------------------------------------------------------------------------------------- reading
@dataclass(frozen=True, slots=True)
class _Record:
    """What a rendering reads: the decision replayed to its basis, the events, the people's names."""

    d: Decision
    events: tuple[dict[str, Any], ...]
    basis_hash: str
    names: dict[str, str]


def doc_kind(kind: str) -> DocKind:
    """The document kind with this id, or NotFound naming the known kinds."""
    try:
        return DOC_KINDS[kind]
    except KeyError:
        raise NotFound(f"unknown document kind {kind!r}; known: {', '.join(DOC_KINDS)}", rule="R18",
                       article="Art. 33") from None


def _by_kind(state: dict[str, Any], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return sorted((a for a in state["artifacts"].values() if a["kind"] in kinds), key=lambda a: a["seq"])


def _basis(state: dict[str, Any], kind: DocKind, artifact_id: str | None) -> tuple[str, int]:
    """Which artifact a document is made from, and the last event it needs (its basis)."""
    if not kind.sources:
        return "", int(state["seq"])
    primary = _by_kind(state, kind.sources[:1])
    if artifact_id:
        chosen = next((a for a in primary if a["id"] == artifact_id), None)
        if chosen is None:
            raise NotFound(f"no artifact {artifact_id!r} of kind {kind.sources[0]} in decision {state['id']}",
                           rule=kind.rule, article=kind.article)
    elif primary:
        chosen = primary[-1]
    else:
        raise NotFound(f"'{kind.id}' ({kind.name_zh}) is made from '{kind.sources[0]}', and none is recorded "
                       f"in decision {state['id']}", rule=kind.rule, article=kind.article)
    related = [a["seq"] for a in _by_kind(state, kind.extras)]
    return chosen["id"], max([chosen["seq"], *related])


def _read(uow: UnitOfWork, decision_id: str, basis_seq: int) -> _Record:
    d = replay(uow, decision_id, upto_seq=basis_seq)
    events = tuple(uow.events.stream(stream_of(decision_id), upto_seq=basis_seq))
    basis_hash = uow.events.hash_at(stream_of(decision_id), basis_seq)
    if basis_hash is None:
        raise NotFound(f"decision {decision_id} has no event {basis_seq}", rule="R18", article="Art. 33")
    people = {ev["actor"]["person"] for ev in events}
    people |= {str(p) for a in d.state["artifacts"].values() for p in _people_in(a["fields"])}
    names = {ev["actor"]["person"]: ev["actor"].get("name") or ev["actor"]["person"] for ev in events}
    for reg_event in uow.events.of_type("PersonRegistered", [f"person:{p}" for p in sorted(people)]):
        reg = orjson.loads(reg_event["body"])["payload"]
        names[reg["person_id"]] = reg["name"]
    return _Record(d, events, basis_hash, names)


def _people_in(fields: dict[str, Any]) -> list[Any]:
    """Person ids an artifact's fields refer to (meeting attendance and speakers)."""
    out: list[Any] = list(fields.get("attendance") or []) if isinstance(fields.get("attendance"), list) else []
    for o in fields.get("opinions") or []:
        if isinstance(o, dict) and o.get("person"):
            out.append(o["person"])
    return out


# ---------------------------------------------------------------------------------------------- context
def _day(at: str) -> str:
    return statutory_date(at).isoformat()


def _art(rec: _Record, a: dict[str, Any] | None) -> dict[str, Any] | None:
    if a is None:
        return None
    spec_kind = rec.d.spec.artifacts.get(a["kind"])
    return {"id": a["id"], "kind": a["kind"], "name": spec_kind.name_zh if spec_kind else a["kind"],
            "fields": a["fields"], "sha256": a["sha256"], "seq": a["seq"],
            "draft_version": a["draft_version"], "date": _day(a["at"]),
            "author": {"name": rec.names.get(a["author"]["person"], a["author"].get("name", "")),
                       "role": zh(a["author"]["role"]), "unit": a["author"]["unit"]}}


def _latest(rec: _Record, kind: str) -> dict[str, Any] | None:
    arts = _by_kind(rec.d.state, (kind,))
    return _art(rec, arts[-1]) if arts else None


def _all(rec: _Record, kind: str) -> list[dict[str, Any]]:
    return [a for a in (_art(rec, x) for x in _by_kind(rec.d.state, (kind,))) if a is not None]


def _organ(rec: _Record) -> str:
    """The decision organ: the unit of whoever recorded the start decision (R3, Art. 11)."""
    for kind in ("start_decision", "meeting_record", "publication_record"):
        a = _latest(rec, kind)
        if a is not None:
            return str(a["author"]["unit"])
    return "决策机关"


def _draft(rec: _Record, version: int | None = None) -> dict[str, Any] | None:
    s = rec.d.state
    want = version or s["draft_version"]
    return next((dict(x, date=_day(x["at"])) for x in s["drafts"] if x["version"] == want), None)


def _content(kind: DocKind, rec: _Record, art: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(document header, kind-specific data) for one kind."""
    s = rec.d.state
    title = s["title"]
    organ = _organ(rec)
    issuer = art["author"]["unit"] if art else organ
    head: dict[str, Any] = {"issuer": issuer, "banner": "", "recipient": "", "cc": ""}
    data: dict[str, Any] = {}
    k = kind.id
    if k == "comment_notice":
        assert art is not None
        f = art["fields"]
        head.update(title=f"{issuer}关于《{title}》公开征求意见的公告")
        days = (statutory_day(f["deadline"]) - statutory_day(f["published_at"])).days
        data.update(days=days, draft=_draft(rec, art["draft_version"]))
    elif k == "feedback_report":
        assert art is not None
        ops = [o for o in art["fields"]["opinions"] if isinstance(o, dict)]
        head.update(title=f"关于《{title}》公众意见采纳情况的报告", recipient=organ,
                    banner=f"{issuer}文件")
        data.update(opinions=ops, counts={d: sum(1 for o in ops if o.get("disposition") == d)
                                           for d in ("adopted", "partly", "not_adopted")},
                    explanation=_latest(rec, "adoption_explanation"), notice=_latest(rec, "comment_notice"))
    elif k == "hearing_notice":
        head.update(title=f"{issuer}关于《{title}》举行听证会的公告")
        data.update(draft=_draft(rec, art["draft_version"] if art else None))
    elif k == "hearing_record":
        assert art is not None
        f = art["fields"]
        delivered = {str(x["fields"]["participant"]): x["fields"]["delivered_at"]
                     for x in _all(rec, "hearing_materials_delivery")}
        data.update(notice=_latest(rec, "hearing_notice"), participants=[
            {"name": p, "delivered_at": delivered.get(str(p), ""), "signed": p in f["signed_by"]}
            for p in f["participants"]])
        head.update(title=f"《{title}》听证笔录")
    elif k == "expert_opinion_form":
        assert art is not None
        who = art["author"]["name"]
        decls = [x for x in _all(rec, "conflict_declaration") if x["author"]["name"] == who]
        data.update(declaration=decls[-1] if decls else None, selection=_latest(rec, "selection_note"))
        head.update(title="专家论证意见表")
    elif k == "risk_report_cover":
        data.update(dept=_latest(rec, "dept_opinions"))
        head.update(title=f"《{title}》风险评估报告")
    elif k == "legality_submission":
        head.update(title=f"关于提请对《{title}》进行合法性审查的函", recipient="负责合法性审查的部门",
                    banner=issuer)
        data.update(draft=_draft(rec, art["draft_version"] if art else None))
    elif k == "legality_opinion":
        sub = _latest(rec, "legality_submission")
        head.update(title=f"关于《{title}》的合法性审查意见书", banner=issuer,
                    recipient=sub["author"]["unit"] if sub else s["unit"])
        data.update(submission=sub, advisers=_all(rec, "legal_adviser_opinion"),
                    amendment=_latest(rec, "amendment_record"),
                    nonadoption=_latest(rec, "nonadoption_explanation"))
    elif k == "meeting_packet":
        head.update(issuer=s["unit"], banner=f"{s['unit']}文件", recipient=organ,
                    title=f"关于提请审议《{title}》的请示")
        data.update(draft=_draft(rec), materials=[
            (name, _latest(rec, kind_id)) for name, kind_id in (
                ("公众意见采纳情况及其理由", "opinion_summary"), ("专家论证意见采纳情况", "expert_adoption"),
                ("风险评估报告", "risk_report"), ("合法性审查意见", "legality_opinion"),
                ("公平竞争审查情况", "fair_competition_review"), ("争议说明", "dispute_statement"),
                ("根据审查意见修改情况", "amendment_record"))])
    elif k == "meeting_minutes":
        assert art is not None
        f = art["fields"]
        mtype = zh(f["meeting_type"])
        head.update(issuer=organ, banner=f"{organ}{mtype}纪要", title=f"关于审议《{title}》的会议纪要")
        speakers = [dict(o, name=rec.names.get(str(o.get("person")), str(o.get("person")))) for o in f["opinions"]
                    if isinstance(o, dict)]
        data.update(meeting_type=mtype, attendance=[rec.names.get(str(p), str(p)) for p in f["attendance"]],
                    speakers=speakers, members_total=f.get("members_total") or len(f["attendance"]),
                    dissent=[x for x in speakers[:-1] if x.get("position") == "oppose"])
    elif k == "publication_notice":
        head.update(issuer=organ, title=f"{organ}关于公布《{title}》的公告")
        meeting = _latest(rec, "meeting_record")
        data.update(draft=_draft(rec, s["decided_version"]),
                    meeting_type=zh(meeting["fields"]["meeting_type"]) if meeting else "")
    elif k == "interpretation":
        head.update(title=f"《{title}》政策解读")
        data.update(explanation=_latest(rec, "adoption_explanation"))
    elif k == "execution_report":
        assert art is not None
        problem = art["fields"]["report_kind"] == "problem"
        head.update(banner=f"{issuer}文件", recipient=organ,
                    title=f"关于《{title}》{'执行中发现问题' if problem else '执行情况'}的报告")
    elif k == "evaluation_report":
        head.update(recipient=organ, title=f"《{title}》决策后评估报告")
    elif k == "traceback_report":
        head.update(issuer=organ, recipient="上一级行政机关、审计机关",
                    title=f"关于《{title}》决策过程的责任倒查报告")
        data.update(_traceback(rec))
    elif k == "archive_index":
        head.update(issuer=organ, title=f"《{title}》决策过程归档文件目录")
        data.update(entries=[_art(rec, a) for a in sorted(s["artifacts"].values(), key=lambda a: a["seq"])],
                    events=len(rec.events))
    return head, data


def _traceback(rec: _Record) -> dict[str, Any]:
    """Art. 38: who did what, at which gate, in which role and unit; dissent (¶3); refusals; delay (¶2)."""
    s, spec = rec.d.state, rec.d.spec
    gates = []
    for g in spec.gates:
        gs = s["gates"][g.id]
        gates.append({"name": g.name_zh, "rule": g.rule, "article": g.article, "status": zh(gs["status"]),
                      "artifacts": [_art(rec, s["artifacts"][i]) for i in gs["all_artifacts"]],
                      "cleared": gs["cleared"], "exemption": gs["exemption"]})
    meeting = _latest(rec, "meeting_record")
    positions = []
    if meeting is not None:
        positions = [{"name": rec.names.get(str(o.get("person")), str(o.get("person"))),
                      "position": zh(o.get("position", "")), "text": o.get("text", ""),
                      "dissent": o.get("position") == "oppose"}
                     for o in meeting["fields"]["opinions"] if isinstance(o, dict)]
    events = [{"seq": ev["seq"], "date": _day(ev["at"]), "what": EVENT_ZH.get(ev["type"], ev["type"]),
               "name": rec.names.get(ev["actor"]["person"], ev["actor"]["person"]),
               "role": zh(ev["actor"]["role"]), "unit": ev["actor"]["unit"],
               "detail": _event_detail(ev)} for ev in rec.events]
    refused = [e for e, ev in zip(events, rec.events, strict=True) if ev["type"] == "AttemptRefused"]
    flags = [{"name": spec.determinations[k].name_zh if k in spec.determinations else k,
              "value": "是" if v["value"] else "否", "reasons": v["reasons"],
              "by": rec.names.get(v["by"]["person"], v["by"]["person"]), "unit": v["by"]["unit"]}
             for k, v in s["flags"].items()]
    late = bool(s.get("due_by") and (s.get("decided_on") or _day(rec.events[-1]["at"])) > s["due_by"])
    return {"gates": gates, "positions": positions, "events": events, "refused": refused, "flags": flags,
            "late": late, "opened_by": rec.names.get(s["opened_by"]["person"], s["opened_by"]["person"])}


def _event_detail(ev: dict[str, Any]) -> str:
    p = ev["payload"]
    if ev["type"] == "ArtifactRecorded":
        return f"{p['kind']}（{p['sha256'][:12]}…）"
    if ev["type"] == "AttemptRefused":
        return f"{p['act']}：{p['rule']} {p['article']} {p['message']}"
    if ev["type"] in ("GateCleared", "GateReturned", "GateReopened", "GateExempted"):
        return str(p["gate"]) + (f"：{p.get('reason') or p.get('legal_basis')}"
                                 if p.get("reason") or p.get("legal_basis") else "")
    if ev["type"] == "DeterminationRecorded":
        return f"{p['kind']} = {'是' if p['value'] else '否'}"
    if ev["type"] == "DecisionSuspended":
        return f"{zh(p['ground'])}：{p['reason']}"
    return ""


def _abbreviation(unit: str) -> str:
    """机关代字 for the 发文字号: 某市人民政府 → 某市政, 某市交通运输局 → 交通, 某市司法局 → 司法."""
    if unit.endswith("人民政府"):
        return unit[:-4] + "政"
    for prefix in ("某市", "某省", "某县", "某区", "某"):
        if unit.startswith(prefix) and len(unit) > len(prefix) + 1:
            return unit[len(prefix):len(prefix) + 2]
    return unit[:2]


def _context(kind: DocKind, rec: _Record, artifact_id: str) -> dict[str, Any]:
    s = rec.d.state
    art = _art(rec, s["artifacts"][artifact_id]) if artifact_id else None
    head, data = _content(kind, rec, art)
    day = art["date"] if art else _day(rec.events[-1]["at"])
    year = day[:4]
    banner = head.pop("banner")
    number = f"{_abbreviation(head['issuer'])}{kind.code}〔{year}〕{rec.events[-1]['seq']}号"
    return {
        "doc": {"kind": kind.id, "name_zh": kind.name_zh, "rule": kind.rule, "article": kind.article,
                "date": day, "number": number, "banner": banner, **head},
        "decision": {"id": s["id"], "title": s["title"], "category": zh(s["category"]), "unit": s["unit"],
                     "summary": s.get("summary", ""), "procedure": s["procedure"], "status": zh(s["status"]),
                     "opened_on": _day(s["opened_at"]), "due_by": s.get("due_by"),
                     "decided_on": s.get("decided_on"), "published_on": s.get("published_on"),
                     "draft_version": s["draft_version"],
                     "exemptions": [dict(e, gate=rec.d.spec.gate(e["gate"]).name_zh) for e in s["exemptions"]]},
        "basis": {"seq": rec.events[-1]["seq"], "hash": rec.basis_hash},
        "artifact": art, "data": data, "zh": ZH,
    }


# ---------------------------------------------------------------------------------------------- rendering
@dataclass(frozen=True, slots=True)
class _Output:
    context: dict[str, Any]
    html: bytes
    pdf: bytes
    template_name: str
    template_hash: str
    context_hash: str


def _produce(ctx: Context, decision_id: str, kind: DocKind, artifact_id: str, basis_seq: int) -> _Output:
    with ctx.uow.read() as uow:
        rec = _read(uow, decision_id, basis_seq)
    context = _context(kind, rec, artifact_id)
    name = _template(kind)
    html = gongwen.render_html(name, context).encode()
    return _Output(context, html, gongwen.render_pdf(html.decode()), name, gongwen.template_hash(name),
                   sha256_hex(canonical(context)))


def render(ctx: Context, decision_id: str, kind_id: str, *, artifact_id: str | None = None,
           person_id: str | None = None) -> dict[str, Any]:
    """Render one official document from the record and record the rendering (idempotent: the same
    record basis and the same templates give back the rendering already recorded). A person rendering
    needs a procedure role: auditors read and re-render to compare, they record nothing (issue 3, SoD)."""
    if person_id is not None:
        access.require_procedure_role(ctx, person_id, "rendering an official document into the record")
        access.require_reader(ctx, person_id, decision_id)  # AR13: only who stands in a relation to it
    kind = doc_kind(kind_id)
    template_hash = gongwen.template_hash(_template(kind))
    with ctx.uow.read() as uow:
        state = orjson.loads(uow.decisions.load(decision_id)["state"])
        source, basis_seq = _basis(state, kind, artifact_id)
        done = _recorded(uow, decision_id, kind, source, basis_seq, template_hash)
    if done is not None:
        return done
    out = _produce(ctx, decision_id, kind, source, basis_seq)
    html_sha, pdf_sha = ctx.blobs.put(out.html), ctx.blobs.put(out.pdf)  # bytes first, then the record
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        done = _recorded(uow, decision_id, kind, source, basis_seq, out.template_hash)
        if done is not None:  # a concurrent rendering of the same basis won
            return done
        actor = _actor(uow, person_id, at)
        values: dict[str, Any] = {"id": new_id("DOC"), "decision_id": decision_id, "doc_kind": kind.id, "artifact_id": source,
                  "basis_seq": basis_seq, "basis_hash": out.context["basis"]["hash"],
                  "title": out.context["doc"]["title"][:500], "doc_number": out.context["doc"]["number"][:200],
                  "template_name": out.template_name, "template_hash": out.template_hash,
                  "context_hash": out.context_hash, "html_sha256": html_sha, "html_size": len(out.html),
                  "pdf_sha256": pdf_sha, "pdf_size": len(out.pdf)}
        stored = uow.events.append(f"documents:{decision_id}", [("DocumentRendered", dict(values))], at=at,
                                   actor=actor)
        values.update(rendered_at=at, rendered_by=actor["person"], event_seq=stored[-1]["seq"])
        uow.documents.add(values)
    return _public(values)


def _template(kind: DocKind) -> str:
    return f"{kind.id}.html.j2"


def _recorded(uow: UnitOfWork, decision_id: str, kind: DocKind, source: str, basis_seq: int,
              template_hash: str) -> dict[str, Any] | None:
    row = uow.documents.find(decision_id, kind.id, source, basis_seq, template_hash)
    return None if row is None else _public(row)


def _actor(uow: UnitOfWork, person_id: str | None, at: str) -> dict[str, str]:
    if person_id is None:
        return dict(SYSTEM_ACTOR)
    roles = actors_of(uow.tx, person_id, at)
    return roles[0].to_dict() if roles else {"person": person_id, "role": "none", "unit": "", "name": ""}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    kind = DOC_KINDS.get(row["doc_kind"])
    return dict(row, name_zh=kind.name_zh if kind else row["doc_kind"], rule=kind.rule if kind else "",
                article=kind.article if kind else "")


def render_all(ctx: Context, decision_id: str, *, person_id: str | None = None) -> list[dict[str, Any]]:
    """Render every document the record supports now (one per artifact for per-artifact kinds)."""
    with ctx.uow.read() as uow:
        state = orjson.loads(uow.decisions.load(decision_id)["state"])
    out = []
    for kind in DOC_KINDS.values():
        sources = _by_kind(state, kind.sources[:1]) if kind.sources else [None]
        if kind.sources and not sources:
            continue
        for a in sources if kind.each else sources[-1:]:
            out.append(render(ctx, decision_id, kind.id, artifact_id=a["id"] if a else None,
                              person_id=person_id))
    return out


def render_new_version(ctx: Context, doc_id: str, *, reason: str, person_id: str) -> dict[str, Any]:
    """A document rendered wrongly, rendered again as a new version with its reason (R18, Art. 33: nothing
    is replaced or deleted; the new rendering names the one it supersedes, its version and why). It is
    rendered from the record as it stands now with the templates of today, so a corrected record or a
    corrected template gives the new version; a rendering that would be the same as the old one is refused."""
    access.require_procedure_role(ctx, person_id, "rendering an official document into the record")
    if not reason.strip():
        raise InvalidInput("a new version of a document states its reason", rule="R18", article="Art. 33")
    old = get_document(ctx, doc_id)
    access.require_reader(ctx, person_id, str(old["decision_id"]))  # AR13
    kind = doc_kind(old["doc_kind"])
    template_hash = gongwen.template_hash(_template(kind))
    with ctx.uow.read() as uow:
        state = orjson.loads(uow.decisions.load(old["decision_id"])["state"])
        source, basis_seq = _basis(state, kind, old["artifact_id"] or None)
        done = _recorded(uow, old["decision_id"], kind, source, basis_seq, template_hash)
        earlier = versions(ctx, old["decision_id"], uow=uow, doc_kind=kind.id, artifact_id=source)
    if done is not None:
        raise RuleViolation(f"document {done['id']} was rendered from the same record (seq {basis_seq}) "
                            "with the same templates: a new rendering would be the same; correct the record "
                            "or the template first", rule="R18", article="Art. 33")
    out = _produce(ctx, old["decision_id"], kind, source, basis_seq)
    html_sha, pdf_sha = ctx.blobs.put(out.html), ctx.blobs.put(out.pdf)
    at = ctx.now_iso()
    with ctx.uow.write() as uow:
        actor = _actor(uow, person_id, at)
        values: dict[str, Any] = {
            "id": new_id("DOC"), "decision_id": old["decision_id"], "doc_kind": kind.id, "artifact_id": source,
            "basis_seq": basis_seq, "basis_hash": out.context["basis"]["hash"],
            "title": out.context["doc"]["title"][:500], "doc_number": out.context["doc"]["number"][:200],
            "template_name": out.template_name, "template_hash": out.template_hash,
            "context_hash": out.context_hash, "html_sha256": html_sha, "html_size": len(out.html),
            "pdf_sha256": pdf_sha, "pdf_size": len(out.pdf)}
        # The reason, the version and the one superseded travel in the event (the index row keeps its columns;
        # verify compares the columns the table has).
        correction = {"supersedes": old["id"], "version": len(earlier) + 1,
                      "reason": reason.strip()[:1000]}
        stored = uow.events.append(f"documents:{old['decision_id']}",
                                   [("DocumentRendered", {**values, **correction})], at=at, actor=actor)
        values.update(rendered_at=at, rendered_by=actor["person"], event_seq=stored[-1]["seq"])
        uow.documents.add(values)
    return {**_public(values), **correction}


def versions(ctx: Context, decision_id: str, *, uow: UnitOfWork | None = None, doc_kind: str | None = None,
             artifact_id: str | None = None) -> list[dict[str, Any]]:
    """A decision's renderings as versions, from their events: each numbered in order among the renderings of
    the same document (kind and source artifact), with the rendering it supersedes and the reason given (a
    rendering made as a correction), oldest first."""
    if uow is None:
        with ctx.uow.read() as u:
            return versions(ctx, decision_id, uow=u, doc_kind=doc_kind, artifact_id=artifact_id)
    out: list[dict[str, Any]] = []
    count: dict[tuple[str, str], int] = {}
    for ev in uow.events.stream(f"documents:{decision_id}"):
        p = ev["payload"]
        if ev["type"] != "DocumentRendered" or (doc_kind and p["doc_kind"] != doc_kind) or \
                (artifact_id and p["artifact_id"] != artifact_id):
            continue
        same = (p["doc_kind"], p["artifact_id"])
        count[same] = count.get(same, 0) + 1
        out.append({"id": p["id"], "doc_kind": p["doc_kind"], "artifact_id": p["artifact_id"],
                    "version": count[same], "supersedes": p.get("supersedes"),
                    "reason": p.get("reason", ""), "rendered_at": ev["at"], "rendered_by": ev["actor"]["person"],
                    "basis_seq": p["basis_seq"], "template_hash": p["template_hash"]})
    return out


def rerender(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    """Render a recorded document again from the record and compare every hash (for auditors)."""
    kind = doc_kind(record["doc_kind"])
    out = _produce(ctx, record["decision_id"], kind, record["artifact_id"], int(record["basis_seq"]))
    now = {"template_hash": out.template_hash, "context_hash": out.context_hash,
           "html_sha256": sha256_hex(out.html), "pdf_sha256": sha256_hex(out.pdf)}
    compared = {k: {"recorded": record[k], "rendered": v, "same": record[k] == v} for k, v in now.items()}
    return {"id": record["id"], "matches": all(c["same"] for c in compared.values()), "compared": compared}


def rerender_matches(ctx: Context, record: dict[str, Any]) -> bool:
    """True when rendering the record again gives the same template, context, HTML and PDF hashes."""
    return bool(rerender(ctx, record)["matches"])


def list_documents(ctx: Context, decision_id: str) -> list[dict[str, Any]]:
    """A decision's renderings, oldest first."""
    with ctx.uow.read() as uow:
        rows = uow.documents.of_decision(decision_id)
    return [_public(r) for r in rows]


def get_document(ctx: Context, doc_id: str) -> dict[str, Any]:
    """One rendering's record, or NotFound."""
    with ctx.uow.read() as uow:
        row = uow.documents.get(doc_id)
    if row is None:
        raise NotFound(f"no document {doc_id!r}", rule="R18", article="Art. 33")
    return _public(row)


def document_bytes(ctx: Context, doc_id: str, fmt: str) -> tuple[dict[str, Any], bytes, str]:
    """A rendering's stored HTML or PDF bytes, checked against the recorded hash."""
    rec = get_document(ctx, doc_id)
    if fmt not in ("html", "pdf"):
        raise NotFound(f"documents are kept as html and pdf, not {fmt!r}", rule="R18", article="Art. 33")
    sha = rec[f"{fmt}_sha256"]
    data = ctx.blobs.get(sha)
    if sha256_hex(data) != sha:
        raise NotFound(f"the stored {fmt} of document {doc_id} does not match its recorded hash",
                       rule="R18", article="Art. 33")
    return rec, data, "text/html; charset=utf-8" if fmt == "html" else "application/pdf"
