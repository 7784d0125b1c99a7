"""S1 public participation (公众参与): R5 participation methods (Art. 14), R6 the comment period (Art. 15),
R8 opinions summarised and disposed (Arts. 18, 29(2))."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import need_draft
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date

# R5, Art. 14: 座谈会、听证会、实地走访、书面征求意见、向社会公开征求意见、问卷调查、民意调查
PARTICIPATION_METHODS = {
    "symposium": "座谈会", "hearing": "听证会", "visit": "实地走访", "written_consultation": "书面征求意见",
    "public_comment": "向社会公开征求意见", "survey": "问卷调查", "poll": "民意调查",
}
HEARING_METHOD = ("hearing", "听证会")  # R7, Art. 16: held only through the hearing stage


def comment_deadline(notice: dict[str, Any]) -> date:
    """R6, Art. 15: the last day of a recorded comment notice's window."""
    return iso_date(notice["fields"]["deadline"], "deadline", "R6", "Art. 15", kind="comment_notice")


def art_comment_notice(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R6, Art. 15: ≥ 30 calendar days, or a shortening reason written into the notice."""
    need_draft(d, k)
    published = iso_date(f["published_at"], "published_at", "R6", "Art. 15", kind=k.id)
    deadline = iso_date(f["deadline"], "deadline", "R6", "Art. 15", kind=k.id)
    dur = d.spec.durations["comment_period"]
    days = cal.calendar_days_between(published, deadline)
    if days < dur.days and not str(f.get("shortening_reason") or "").strip():
        raise RuleViolation(f"comment period is {days} calendar days; at least {dur.days} unless the "
                            "notice states the reason for a shorter period (shortening_reason)",
                            rule="R6", article="Art. 15")
    if not isinstance(f["channels"], list):
        raise InvalidInput("comment_notice.channels must be a list", rule="R6", article="Art. 15")


def windows_closed(d: DecisionView, today: date) -> None:
    """R6, Art. 15: the adoption status can only be summed up once every comment window has closed."""
    for notice in d.artifacts_of("public_participation", "comment_notice"):
        deadline = comment_deadline(notice)
        if today <= deadline:
            raise RuleViolation(f"意见征求期至 {deadline.isoformat()} 届满，届满后方可形成意见采纳情况 (the comment "
                                "window is still open)", rule="R6", article="Art. 15")


def check_feedback_report(d: DecisionView, today: date, *, unclustered: int) -> None:
    """The feedback report's guard (R6, Art. 15; R8, Art. 18): generated only after every comment window
    closed and every comment received in time was grouped into a distinct opinion (then disposed)."""
    windows_closed(d, today)
    if unclustered:
        raise RuleViolation(f"{unclustered} 条意见尚未归并 (run the clustering first)", rule="R8",
                            article="Art. 18")


def check_dispositions_open(d: DecisionView) -> None:
    """R8, Art. 18: dispositions change only while no feedback report stands on the record (return the
    participation gate first, so the report and the dispositions never disagree)."""
    if d.artifacts_of("public_participation", "opinion_summary"):
        raise RuleViolation("意见采纳情况已形成报告；如需改变处理结果，应当先退回公众参与环节 (the feedback "
                            "report is recorded: reopen the participation gate first)", rule="R8",
                            article="Art. 18")


def art_opinion_summary(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R8, Arts. 18, 29(2): each main opinion marked adopted / partly / not adopted, with a reason; and
    R6, Art. 15: the adoption status can only be summed up once every comment window has closed."""
    windows_closed(d, today)
    ops = f["opinions"]
    if not isinstance(ops, list):
        raise InvalidInput("opinion_summary.opinions must be a list", rule="R8", article="Art. 18")
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("disposition") not in ("adopted", "partly", "not_adopted") \
                or not str(op.get("reason") or "").strip() or not str(op.get("opinion") or "").strip():
            raise RuleViolation(f"opinion #{i + 1} needs its text, a disposition (adopted / partly / "
                                "not_adopted) and a reason", rule="R8", article="Art. 18")


def art_participation_method(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                             cal: StatutoryCalendar, today: date) -> None:
    """R5, Art. 14: a participation record names one of the methods of Art. 14; and R7, Art. 16: a
    hearing, required by another law or held by choice, is held through the hearing stage (notice, list,
    materials, a record each participant confirms), never entered as a participation record."""
    method = str(f["method"]).strip()
    if method not in PARTICIPATION_METHODS and method not in PARTICIPATION_METHODS.values():
        raise InvalidInput("公众参与方式应为：" + "、".join(f"{v}（{k_}）" for k_, v in PARTICIPATION_METHODS.items())
                           + f"; got {method!r}", rule="R5", article="Art. 14")
    if method in HEARING_METHOD:
        raise RuleViolation("听证会无论是否为法律法规所要求，均应依照听证程序举行：先发布听证公告，再送达材料、形成"
                            "由参加人本人确认的听证笔录，不得作为一般公众参与记录录入 (every hearing held follows R7: "
                            "publish the hearing notice through the hearing stage)", rule="R7", article="Art. 16")


def check_participation(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R5, Art. 14: at least one participation method; R8: every opinion disposed."""
    arts = d.artifacts_of(g.id)
    heard = bool(d.artifacts_of("hearing", "hearing_record"))  # a hearing held is a method (R5, R7)
    if not heard and not any(a["kind"] in ("comment_notice", "participation_record") for a in arts):
        return [Missing("R5", "Art. 14", g.id, "at least one public participation record (comment "
                        "notice, symposium, hearing, visit, written consultation or survey)",
                        "participation_record")]
    return []


def register(reg: Registry) -> None:
    """S1's checks: the comment notice (R6), the opinion summary (R6, R8), the method (R5)."""
    reg.artifact("comment_notice", art_comment_notice)  # R6, Art. 15
    reg.artifact("opinion_summary", art_opinion_summary)  # R6, Art. 15; R8, Arts. 18, 29(2)
    reg.artifact("participation_record", art_participation_method)  # R5, Art. 14
    reg.gate("public_participation", check_participation)  # R5, Art. 14
