"""The citations table: each duty the engine enforces → its rule id → the article and paragraph of Order 713
(重大行政决策程序暂行条例) or the other act that holds it. Refusals, the procedure files (a test compares them),
`docs/rules.md` (a generated section a test compares) all read this one table, so a citation cannot drift.

    cite("R11.review_time")      -> Citation(rule="R11", article="Art. 26 ¶2", ...)
    raise RuleViolation(msg, **ref("R11.review_time"))

Paragraphs (¶) are pinned where `shared/domain/ORDER-713-RULES.md` pins them; "Arts. a–b" cites a whole
stage where a check spans it. Pure, stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True, slots=True)
class Citation:
    """One duty: the rule that enforces it, the article (and paragraph) that holds it, in two languages."""

    rule: str
    article: str
    duty: str
    duty_zh: str


class Ref(TypedDict):
    """The keyword arguments a refusal takes: `raise RuleViolation(msg, **ref(key))`."""

    rule: str
    article: str


def _c(rule: str, article: str, duty: str, duty_zh: str) -> Citation:
    return Citation(rule, article, duty, duty_zh)


# Key = "<rule>.<duty>". Order follows the procedure.
CITATIONS: dict[str, Citation] = {
    # S0 initiation (Arts. 3, 10–13)
    "R1.scope": _c("R1", "Art. 3 ¶1", "the categories of major decisions", "重大行政决策事项范围"),
    "R1.excluded": _c("R1", "Art. 3 ¶2", "excluded matters; a procedure set by another law prevails",
                      "不适用本条例的事项；法律另有规定的从其规定"),
    "R1.procedure_by_law": _c("R1", "Art. 3 ¶2", "a procedure set by a law or administrative regulation prevails: "
                              "its citation recorded at opening", "法律、行政法规对决策程序另有规定的，依照其规定（立项时记载）"),
    "R1.level": _c("R1", "Arts. 2, 42", "county-level and above governments decide under Order 713; their "
                   "departments and township governments apply it by reference", "县级以上地方人民政府适用本条例；"
                   "县级以上人民政府部门和乡级人民政府参照执行"),
    "R1.procedure": _c("R1", "Art. 3", "the procedure that applies to a major decision", "适用的决策程序"),
    "R1.profile": _c("R1", "Art. 43", "provinces write detailed rules (jurisdiction profiles)", "省级实施办法"),
    "R2.catalogue": _c("R2", "Art. 3 ¶3", "the catalogue, published after the Party committee consents",
                       "决策事项目录经同级党委同意后公布"),
    "R3.proposal": _c("R3", "Art. 10", "where a proposal comes from and what it argues", "决策建议的提出"),
    "R3.study": _c("R3", "Art. 10", "a proposal is studied before the organ decides whether to start: argued by the "
                   "proposing department or lower government, studied by the unit it is passed to otherwise",
                   "决策事项建议经研究论证后，报请决策机关决定是否启动决策程序"),
    "R3.start": _c("R3", "Art. 11", "the start decision names the undertaking unit(s), one lead",
                   "决策启动，明确决策承办单位"),
    "R3.opening": _c("R3", "Arts. 10–11", "who opens a decision", "决策启动"),
    "R3.draft": _c("R3", "Art. 12", "the draft, after study and review of law and policy", "拟订决策草案"),
    "R3.options": _c("R3", "Art. 12 ¶4", "two or more options where views diverge sharply",
                     "存在较大分歧的，可以提出两个以上方案"),
    "R4.coordination": _c("R4", "Art. 13", "consultation of the units concerned; the dispute statement",
                          "征求有关单位意见；分歧报请协调"),
    # S1 public participation (Arts. 14–18)
    "R5.participation": _c("R5", "Art. 14", "participation, or the legal basis for non-disclosure",
                           "充分听取意见，依法不予公开的除外"),
    "R5.specific_group": _c("R5", "Art. 14 ¶3", "consultation of a specific group concerned",
                            "涉及特定群体利益的沟通协商"),
    "R6.notice": _c("R6", "Art. 15", "the comment notice: draft, explanation, channels, how and by when",
                    "公开征求意见：公布草案及说明，明确方式和期限"),
    "R6.explanation": _c("R6", "Art. 15 ¶1", "the draft under way published for comment with its explanation "
                         "(explaining by expert interviews, Art. 15 ¶2, is a may)", "公布决策草案及其说明等材料"),
    "R6.window": _c("R6", "Art. 15", "the comment period ≥ 30 days from publication, or the reason in the notice",
                    "征求意见期限一般不少于30日；缩短的应在征求意见时说明"),
    "R7.notice": _c("R7", "Art. 16", "the hearing: draft, time and place published in advance",
                    "听证会：提前公布草案、时间、地点"),
    "R7.selection": _c("R7", "Art. 16", "selection method and list published in advance",
                       "提前公布遴选办法和参加人名单"),
    "R7.materials": _c("R7", "Art. 16", "materials delivered ≥ 7 days before the hearing",
                       "听证会材料应于召开听证会7日前送达"),
    "R7.order": _c("R7", "Art. 17", "the hearing held in its order: the unit presents the draft, its basis and "
                   "circumstances; the participants state their views, question, cross-examine and debate",
                   "听证会按程序举行：决策承办单位介绍决策草案、依据和有关情况；听证参加人陈述意见，进行询问、质证和辩论"),
    "R7.record": _c("R7", "Art. 17", "the order of the hearing and its record", "听证会的程序和笔录"),
    "SoD5.record": _c("SoD5", "Art. 17", "participants confirm and sign the record themselves",
                      "听证参加人确认听证会记录并签字"),
    "R8.dispositions": _c("R8", "Art. 18", "opinions studied; reasonable ones adopted", "意见归类整理、研究论证"),
    "R8.summary": _c("R8", "Arts. 18, 29(2)", "the adoption status of the main opinions, before submission",
                     "社会公众主要意见的研究采纳情况"),
    # S2 experts (Arts. 19–21)
    "R9.specialism": _c("R9", "Art. 19", "expert review of a specialised matter; signed opinions",
                        "专业性、技术性较强的组织专家论证；书面意见签字"),
    "R9.selection": _c("R9", "Art. 20", "experts chosen for expertise, representation, neutrality; no interest",
                       "专家选择；有直接利害关系的回避"),
    "SoD2.interest": _c("SoD2", "Art. 20", "an expert with a direct interest is barred", "直接利害关系的专家回避"),
    "R9.pool": _c("R9", "Art. 21", "the expert pool", "专家库"),
    "R9.disqualified": _c("R9", "Art. 41", "an expert who breached ethics or 713 with serious consequences is "
                          "disqualified", "专家违反职业道德或本条例规定，后果严重的取消资格"),
    "SoD5.list": _c("SoD5", "Arts. 16–17", "the published participant list; each listed participant confirms "
                    "the record", "公布听证参加人名单；名单中的参加人本人确认听证笔录"),
    "R9.adoption": _c("R9", "Art. 29(3)", "the adoption status of the expert opinions", "专家论证意见的研究采纳情况"),
    # S3 risk (Arts. 22–24)
    "R10.determination": _c("R10", "Art. 22", "risk assessment where implementation may harm stability",
                            "可能对社会稳定、公共安全等造成不利影响的，评估风险可控性"),
    "R10.prior": _c("R10", "Art. 22 ¶2", "no repeat of a risk already assessed under other rules",
                    "已评估的不作重复评估"),
    "R10.report": _c("R10", "Art. 23 ¶2", "the report: departments heard, risk points, measures, contingency plan",
                     "听取有关部门意见，形成风险评估报告"),
    "R10.third_party": _c("R10", "Art. 23 ¶3", "a third party may be commissioned", "可以委托第三方"),
    "R10.commission": _c("R10", "Art. 23 ¶3", "a third party commissioned for the risk assessment is recorded with "
                         "the unit that commissioned it", "委托专业机构、社会组织等第三方进行风险评估的，载明委托单位"),
    "R10.method": _c("R10", "Art. 23", "the assessment's method and the level of the risk", "风险评估方式"),
    "R10.controllable": _c("R10", "Art. 24", "the organ decides only when it judges the risk controllable",
                           "决策机关认为风险可控的，可以作出决策"),
    # S4 legality review (Arts. 25–28)
    "R13.gate": _c("R13", "Art. 25", "no discussion before the legality review", "未经合法性审查不得提交讨论"),
    "R13.unlawful": _c("R13", "Art. 25 ¶2", "an unlawful draft is not discussed; exploratory reform with risk stated",
                       "经审查不合法的不得提交讨论；探索性改革明确法律风险"),
    "R11.submission": _c("R11", "Art. 26", "the submission: draft, legal basis, explanation of procedures; "
                         "returns and supplements", "送审材料；退回或要求补充"),
    "R13.re_review": _c("R13", "Art. 25 ¶2 (inference: later edits need re-review)",
                        "the version discussed is the version reviewed", "讨论的草案应为经审查的版本（推断）"),
    "R13.outcomes": _c("R13", "Arts. 25, 30", "the meeting's outcomes: amendments need a reviewed new draft",
                       "会议决定修改的，修改稿应重新审查"),
    "R11.packet": _c("R11", "Arts. 25–26", "submitted for review before discussion, with its packet",
                     "讨论前送请合法性审查，提供草案及相关材料"),
    "R11.review_time": _c("R11", "Art. 26 ¶2", "≥ 7 working days for the review, or a reason",
                          "保证必要的审查时间，一般不少于7个工作日"),
    "R12.scope": _c("R12", "Art. 27", "the review covers authority, procedure and content",
                    "审查决策权限、程序和内容"),
    "R12.conclusion": _c("R12", "Arts. 27–28", "the opinion's conclusion", "合法性审查意见"),
    "R12.opinion": _c("R12", "Art. 28", "legal advisers heard; the unit adjusts the draft to the opinion",
                      "组织法律顾问、公职律师提出意见；承办单位根据审查意见调整"),
    "R12.prompt": _c("R12", "Art. 28", "the department responsible for legality review gives its opinion promptly: "
                     "by the deadline the submission allows", "负责合法性审查的部门应当及时提出合法性审查意见"),
    "R12.nonadoption": _c("R12", "Art. 28; seed 000", "the unit explains in writing an opinion it does not adopt",
                          "不采纳审查意见的书面说明"),
    "SoD1.reviewer": _c("SoD1", "Arts. 25, 28", "the undertaking unit never clears its own review",
                        "承办单位不得自行审查"),
    # S5 collective decision (Arts. 29–31, 8)
    "R14.packet": _c("R14", "Art. 29", "the packet before the meeting", "提交讨论的材料"),
    "R14.fair_competition": _c("R14", "Art. 29(1)", "fair-competition information where market entities are "
                               "affected", "涉及市场主体经济活动的公平竞争审查情况"),
    "R14.other_materials": _c("R14", "Art. 29(6)", "other materials that need to go to the organ, each named with "
                              "why, carried in the packet", "需要报送的其他材料"),
    "R15.venue": _c("R15", "Art. 30 ¶1", "an executive or plenary meeting; the head decides",
                    "经常务会议或者全体会议讨论；行政首长作出决定"),
    "R15.option_chosen": _c("R15", "Arts. 12 ¶4, 30", "the meeting's decision names the option chosen",
                            "有两个以上方案的，集体讨论决定所选方案"),
    "R15.meeting": _c("R15", "Art. 30", "the collective discussion", "集体讨论决定"),
    "SoD4.head": _c("SoD4", "Art. 30", "members speak fully; the head speaks last and decides",
                    "行政首长最后发表意见并作出决定"),
    "R16.party_report": _c("R16", "Art. 31", "report to the same-level Party committee before issuance",
                           "出台前向同级党委请示报告"),
    "AR1.organ": _c("AR1", "Arts. 4, 30", "the decision organ's own staff act for its decisions and meetings",
                    "决策机关的人员办理本机关的决策和会议事项"),
    "AR11.competent": _c("AR11", "Art. 38 ¶1", "accountability by the organ itself, its superior organ or the "
                         "supervisory organ; sanctions never by the organ examined or the auditor",
                         "追责由本机关、上级行政机关或监察机关办理；处分不由被追责机关或审计人员作出"),
    "SoD7.reply": _c("SoD7", "Art. 31", "the same-level Party committee's reply to the report, by the committee "
                     "itself", "同级党委对请示报告的答复，由同级党委作出"),
    "R16.npc": _c("R16", "Art. 8", "a matter of the people's congress follows its rules", "人大决定事项"),
    # S6–S8
    "R17.publication": _c("R17", "Art. 32", "publication promptly; explanation where of wide concern",
                          "及时公布；说明采纳情况并解读"),
    "R17.interpretation": _c("R17", "Art. 32", "a matter of wide concern or a specialised one is interpreted to "
                             "the public by press conference, interview or a like means, recorded with the publication",
                             "通过新闻发布会、接受访谈等方式进行宣传解读"),
    "R18.record": _c("R18", "Art. 33", "the record kept and archived; nothing deleted", "决策过程记录和材料归档"),
    "R19.execution": _c("R19", "Art. 34", "execution units named; they execute and report", "明确决策执行单位；报告执行情况"),
    "R19.problem": _c("R19", "Art. 35", "problems, changed circumstances, force majeure reported promptly",
                      "发现问题、情况重大变化或不可抗力的及时报告"),
    "R19.supervision": _c("R19", "Art. 34", "the organ supervises and checks the execution (督促检查)",
                          "决策机关对决策执行情况进行督促检查"),
    "R19.failure": _c("R19", "Art. 40", "an execution unit that delays, or conceals, falsely reports or omits a "
                      "problem it found, is flagged and ordered to correct",
                      "决策执行单位拖延执行或者对执行中发现的重大问题瞒报、谎报、漏报的，由决策机关责令改正"),
    "R20.change": _c("R20", "Art. 37", "no change or stop without the legal procedure; suspension by the head "
                     "on an Art. 35 situation when urgent", "不得随意变更或者停止执行；情况紧急的行政首长可先决定中止"),
    "R20.collective": _c("R20", "Arts. 30, 37", "a decided decision is terminated or majorly adjusted only on the "
                         "organ's collective decision at its executive or plenary meeting",
                         "未经法定程序不得随意变更或者停止执行：终止执行、重大调整经决策机关常务会议或者全体会议讨论决定"),
    "R20.ground": _c("R20", "Art. 35", "the situations of Art. 35", "第三十五条规定的情形"),
    "SoD6.suspension": _c("SoD6", "Arts. 35, 37", "only the head suspends", "行政首长决定中止执行"),
    "R21.evaluation": _c("R21", "Art. 36", "post-evaluation on one of the three grounds, by an independent unit",
                         "决策后评估"),
    "SoD3.evaluator": _c("SoD3", "Art. 36", "the evaluator did not do the main pre-decision work",
                         "决策作出前承担主要论证评估工作的单位除外"),
    "SoD8.own_artifact": _c("SoD8", "Art. 38 (inference)", "nobody clears a gate on an artifact they authored",
                            "不得对本人形成的材料作出通过"),
    "SoD8.minutes": _c("SoD8", "Art. 30 (inference)", "the minutes-taker is not the head", "记录人不是行政首长"),
    "SoD.reading": _c("SoD", "Art. 38 (inference)", "who reads and who records (auditor, administrators)",
                      "读取与记录的职责分离"),
    "R22.due": _c("R22", "Art. 38 ¶2", "undue delay of a decision that is due", "久拖不决"),
    # Spans: a document or an obligation that draws on a whole stage
    "R8.explained": _c("R8", "Arts. 18, 29(2), 32", "the adoption of opinions, reported and explained",
                       "意见采纳情况的报送与说明"),
    "R9.review": _c("R9", "Arts. 19–20", "the expert review", "专家论证"),
    "R10.assessment": _c("R10", "Arts. 22–24", "the risk assessment", "风险评估"),
    "R10.measures": _c("R10", "Arts. 23–24", "the prevention measures, carried into execution", "风险防范措施"),
    "R12.conditions": _c("R12", "Arts. 25, 28", "the legality opinion's conditions, carried into execution",
                         "合法性审查意见的条件和修改"),
    "R19.reports": _c("R19", "Arts. 34–35", "execution reports and problem reports", "执行情况和问题报告"),
    "R22.reminders": _c("R22", "Art. 38 ¶2 (inference: reminders and escalation)", "reminders and escalation "
                        "before undue delay", "提醒与督办（推断）"),
    "SoD6.resume": _c("SoD6", "Art. 37", "only the head resumes a suspended decision", "行政首长决定恢复执行"),
    "SoD8.secretariat": _c("SoD8", "Art. 30", "the secretariat keeps the minutes", "会议记录由秘书处制作"),
    "PV1.migration": _c("PV1", "Art. 43 (inference)", "a new procedure version applies to a running decision "
                        "only with the legal office's approval", "程序版本变更经法制机构批准（推断）"),
    # Accountability (Arts. 38–41)
    "ACC1.case": _c("ACC1", "Arts. 38–41", "a case cites its articles and names the persons", "追责案件的依据与人员"),
    "ACC2.recusal": _c("ACC2", "Art. 38 (inference)", "a person named neither opens nor decides the case",
                       "被追责人员不得立案或认定"),
    "ACC3.outcome": _c("ACC3", "Arts. 38–41", "findings, then the outcome, each sanction with its basis",
                       "认定事实后作出处理，处分有依据"),
    "ACC5.correction": _c("ACC5", "Art. 38 ¶1", "the superior organ of the decision's organ orders the "
                          "correction of a breach; the organ reports the correction",
                          "决策机关违反本条例规定的，由上一级行政机关责令改正；决策机关报告改正情况"),
    "ACC6.assessment": _c("ACC6", "Art. 9", "the decision work is assessed as part of the organ's and its "
                          "leaders' assessment, not only the units'",
                          "将重大行政决策情况作为考核评价决策机关及其领导人员的重要内容"),
    "ACC4.dissent": _c("ACC4", "Art. 38 ¶3", "a dissenter's liability reduced or waived",
                       "持不同意见的可以减免责任"),
    # Normative documents (seeds; not Order 713)
    "ND1.content": _c("ND1", "seeds 001, 004", "no licence, penalty, compulsory measure or fee; prior review",
                      "不得设定许可、处罚、强制、收费；前置合法性审查"),
    "ND3.filing": _c("ND3", "seeds 001, 004", "filing within 15 days of publication", "发布之日起15日内备案"),
    "ND4.cleanup": _c("ND4", "seeds 001, 003", "validity period and periodic clean-up", "有效期与定期清理"),
}


def cite(key: str) -> Citation:
    """The citation of a duty; KeyError names the unknown key (a typo is a bug, not a refusal)."""
    return CITATIONS[key]


def ref(key: str) -> Ref:
    """`rule` and `article` of a duty, to pass to a refusal as keyword arguments."""
    c = CITATIONS[key]
    return {"rule": c.rule, "article": c.article}


def basis(key: str) -> str:
    """"<rule> <article>", the basis a statutory deadline carries (e.g. "R11 Art. 26 ¶2")."""
    c = CITATIONS[key]
    return f"{c.rule} {c.article}"


def article(key: str) -> str:
    """The article (and paragraph) that holds a duty."""
    return CITATIONS[key].article


# The procedure files' durations and artifacts that carry one duty each: a test checks that their `rule` and
# `article` equal the table's (so the file cannot cite Art. 27 for the review time again).
PROCEDURE_BINDINGS: dict[str, str] = {
    "durations.comment_period": "R6.window",
    "durations.hearing_materials": "R7.materials",
    "durations.legality_review": "R11.review_time",
    "artifacts.comment_notice": "R6.notice",
    "artifacts.party_reply": "SoD7.reply",
    "artifacts.hearing_notice": "R7.notice",
    "artifacts.hearing_selection_method": "R7.selection",
    "artifacts.hearing_participant_list": "R7.selection",
    "artifacts.hearing_materials_delivery": "R7.materials",
    "artifacts.legality_submission": "R11.packet",
    "artifacts.legality_supplement": "R11.submission",
    "artifacts.legal_adviser_opinion": "R12.opinion",
    "artifacts.amendment_record": "R12.opinion",
    "artifacts.party_report": "R16.party_report",
    "artifacts.proposal_study": "R3.study",
    "artifacts.other_material": "R14.other_materials",
    "artifacts.execution_unit_designation": "R19.execution",
}


def table_markdown() -> str:
    """The citations as a Markdown table (the generated section of docs/rules.md)."""
    lines = ["| key | rule | article | duty | 义务 |", "|---|---|---|---|---|"]
    lines += [f"| `{k}` | {c.rule} | {c.article} | {c.duty} | {c.duty_zh} |" for k, c in CITATIONS.items()]
    return "\n".join(lines) + "\n"
