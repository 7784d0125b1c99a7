"""S1 public participation (公众参与): R5 participation methods (Art. 14), R6 the comment period (Art. 15),
R8 opinions summarised and disposed (Arts. 18, 29(2))."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, RuleViolation
from decision_engine.domain.law import ref
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
    return iso_date(notice["fields"]["deadline"], "deadline", **ref("R6.window"), kind="comment_notice")


def live_notices(d: DecisionView, *, all_rounds: bool = False) -> list[dict[str, Any]]:
    """R6, Art. 15; R18, Art. 33: the comment notices in force, a notice corrected by a later version (its
    `corrects`) being superseded, never deleted."""
    notices = d.artifacts_of("public_participation", "comment_notice", all_rounds=all_rounds)
    corrected = {str(n["fields"].get("corrects") or "") for n in notices}
    return [n for n in notices if n["id"] not in corrected]


# R6: how far from the day it is recorded a notice's dates may lie before they are taken for a typing slip.
NOTICE_HORIZON_DAYS = 366


def check_draft_explained(d: DecisionView, f: dict[str, Any]) -> None:
    """R6, Art. 15 ¶1: the notice publishes the draft with its explanation (决策草案及其说明): an explanation
    that says something (not blank, not the draft's title repeated), and the draft it publishes is the version
    under way (a `draft_version` given must be the current one). Explaining by expert interviews (Art. 15 ¶2)
    is a may: an `expert_interview` is kept when given, never required."""
    cit = ref("R6.explanation")
    text = str(f.get("explanation") or "").strip()
    titles = {str(v.get("title") or "").strip() for v in d.state["drafts"]} | {str(d.state["title"]).strip()}
    if not text or text in titles:
        raise RuleViolation("公开征求意见应当公布决策草案及其说明：说明应当写明起草背景、主要内容等，不能为空或仅重复草案标题 "
                            "(the notice publishes the draft with its explanation)", **cit)
    version = f.get("draft_version")
    if version is not None and version != d.state["draft_version"]:
        raise RuleViolation(f"公告公布的是草案第 {version} 版，当前草案为第 {d.state['draft_version']} 版：应当公布"
                            "当前版本的决策草案 (the notice publishes the draft under way)", **cit)


def art_comment_notice(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R6, Art. 15: plausible dates; ≥ 30 calendar days counted from the real publication (the day the
    notice is recorded, never a typed earlier day), or a shortening reason written into the notice; a
    correction names the notice it corrects and why."""
    need_draft(d, k)
    check_draft_explained(d, f)
    cit = ref("R6.window")
    published = iso_date(f["published_at"], "published_at", **cit, kind=k.id)
    deadline = iso_date(f["deadline"], "deadline", **cit, kind=k.id)
    for name, day in (("published_at", published), ("deadline", deadline)):
        if abs((day - today).days) > NOTICE_HORIZON_DAYS:
            raise InvalidInput(f"征求意见公告的日期 {k.id}.{name} = {day.isoformat()} 与登记日 {today.isoformat()} "
                               f"相差超过一年，疑为录入错误 (a date far outside the notice's horizon)", **cit)
    if deadline <= published:
        raise RuleViolation(f"征求意见截止日 {deadline.isoformat()} 不晚于公布日 {published.isoformat()} "
                            "(the deadline is not after the publication)", **cit)
    if deadline <= today:
        raise RuleViolation(f"征求意见截止日 {deadline.isoformat()} 已过 (the deadline is not after the day "
                            f"the notice is recorded, {today.isoformat()})", **cit)
    start = max(published, today)  # R6: the window runs from the real publication, not a typed back-date
    dur = d.spec.durations["comment_period"]
    days = cal.calendar_days_between(start, deadline)
    if days < dur.days and not str(f.get("shortening_reason") or "").strip():
        counted = "" if start == published else f" (counted from the day the notice is recorded, " \
                                                f"{today.isoformat()}, not the typed publication day)"
        raise RuleViolation(f"征求意见期限为 {days} 日，一般不少于 {dur.days} 日，缩短的应在公告中说明理由"
                            f"：comment period is {days} calendar days{counted}; at least {dur.days} unless the "
                            "notice states the reason for a shorter period (shortening_reason)", **cit)
    if not isinstance(f["channels"], list):
        raise InvalidInput("comment_notice.channels must be a list", **ref("R6.notice"))
    corrects = str(f.get("corrects") or "").strip()
    if corrects:
        earlier = {n["id"] for n in live_notices(d, all_rounds=True)}
        if corrects not in earlier:
            raise RuleViolation(f"更正的公告 {corrects} 不存在或已被更正 (no notice in force with this id to "
                                "correct)", **ref("R6.notice"))
        if not str(f.get("correction_reason") or "").strip():
            raise InvalidInput("更正公告应当说明更正理由 (correction_reason)", **ref("R6.notice"))


def windows_closed(d: DecisionView, today: date) -> None:
    """R6, Art. 15: the adoption status can only be summed up once every comment window in force has
    closed (a superseded notice no longer holds it open)."""
    for notice in live_notices(d):
        deadline = comment_deadline(notice)
        if today <= deadline:
            raise RuleViolation(f"意见征求期至 {deadline.isoformat()} 届满，届满后方可形成意见采纳情况 (the comment "
                                "window is still open)", **ref("R6.window"))


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
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("comment_notice", art_comment_notice)  # R6, Art. 15
    reg.artifact("opinion_summary", art_opinion_summary)  # R6, Art. 15; R8, Arts. 18, 29(2)
    reg.artifact("participation_record", art_participation_method)  # R5, Art. 14
    reg.gate("public_participation", check_participation)  # R5, Art. 14
