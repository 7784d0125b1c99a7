"""One door per compound act (AR14, DESIGN §8; issue 15 §3).

An artifact that is the outcome of a compound act — a meeting's record, an expert's signed opinion and the
selection that made them experts of this decision, a hearing record confirmed by each participant, the
feedback report generated from the comment record, an evaluation report, the designation of the execution
units — is produced by the use case of that act, never typed in through the generic artifacts door: the
generic door could not check the act (the roll, the speakers' order, the pool, the credentials of the
participants, the comment record) that the artifact stands for. `DOORS` is the one table of which use case
produces which kind; the generic service refuses those kinds (`through`), naming the rule of the act, its
article and the endpoint to use. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from decision_engine.domain.errors import Missing, RuleViolation

RULE = "AR14"  # one door per compound act (engine rule, DESIGN §8); cited with the article of the act


@dataclass(frozen=True, slots=True)
class Door:
    """The use case that alone produces an artifact kind, the rule and article of its act, its endpoint."""

    use_case: str
    endpoint: str
    rule: str
    article: str
    act_zh: str


DOORS: dict[str, Door] = {
    "meeting_record": Door("meetings.decide_item", "POST /api/v1/meetings/{meeting_id}/items/{item_no}/decision",
                           "R15", "Art. 30", "会议集体讨论决定（会议记录由会议程序生成）"),
    "selection_note": Door("experts.select_experts", "POST /api/v1/decisions/{id}/expert-selection", "R9",
                           "Arts. 20–21", "专家遴选（从专家库遴选，有意选入持不同意见的专家）"),
    "expert_opinion": Door("experts.submit_opinion", "POST /api/v1/decisions/{id}/expert-opinions", "R9",
                           "Arts. 19–20", "专家本人提交并以本人身份签署的书面论证意见"),
    "hearing_record": Door("hearings.record_hearing_record", "POST /api/v1/decisions/{id}/hearing/record", "R7",
                           "Art. 17", "听证笔录（提交后由每一位参加人以本人身份确认签字）"),
    "hearing_participant_list": Door("hearings.publish_participants",
                                     "POST /api/v1/decisions/{id}/hearing/participants", "SoD5", "Arts. 16–17",
                                     "公布听证参加人名单（参加人须为登记的听证参加人，以本人身份确认笔录）"),
    "opinion_summary": Door("participation.record_feedback_report", "POST /api/v1/decisions/{id}/feedback-report",
                            "R8", "Arts. 18, 29(2)", "意见采纳情况报告（根据意见记录生成）"),
    "evaluation_report": Door("execution.evaluate", "POST /api/v1/decisions/{id}/evaluation-reports", "R21",
                              "Art. 36", "受决策机关委托的决策后评估报告"),
    "execution_unit_designation": Door("execution.designate_execution_units",
                                       "POST /api/v1/decisions/{id}/execution-units", "R19", "Art. 34",
                                       "决策机关指定决策执行单位"),
}


def door_of(kind: str) -> Door | None:
    """The use case that produces this kind, or None when the generic artifacts door records it."""
    return DOORS.get(kind)


def through(kind: str, use_case: str | None, decision_id: str = "{id}") -> None:
    """Refuse `kind` unless it comes through the use case that produces it (AR14, with the act's rule and
    article): the generic door passes `use_case=None`."""
    door = DOORS.get(kind)
    if door is None or door.use_case == use_case:
        return
    endpoint = door.endpoint.replace("{id}", decision_id)
    raise RuleViolation(
        f"“{kind}”是{door.act_zh}的结果，只能经其专门程序形成：{endpoint}；通用材料接口不予录入 "
        f"(one door per act: '{kind}' is produced by {door.use_case}, use {endpoint}; rule {door.rule}, "
        f"{door.article})", rule=RULE, article=door.article,
        missing=(Missing(door.rule, door.article, "", f"{door.act_zh}: {endpoint}", kind),))
