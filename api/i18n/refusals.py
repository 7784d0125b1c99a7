"""Refusals in the reader's language: the domain refuses in English (rule, article, message); this catalogue,
at the door, says the same refusal in Chinese, with every code word (role, gate, stage, kind, status, value,
act) in its Chinese name and every person by name.

A message is matched against its template (the domain's f-string with each `{…}` a parameter) and the
Chinese template is filled with the parameters, each put into words. tests/pages/test_refusals_zh.py walks
every raise site and every `Missing(...)` in `decision_engine/domain` and fails when a message has no
template here, so a new refusal cannot reach a Chinese page untranslated. English stays the second locale:
the domain's own sentence, with persons named.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# English template (as the domain writes it; `{}` a parameter, `{{ }}` a literal brace) → Chinese template
# (`{0}`, `{1}`… the parameters in the English order).
ZH: dict[str, str] = {
    # accountability (ACC1–ACC4, Arts. 38–41)
    "a person named in a case does not open it": "被追责人员不得启动对本人的追责案件",
    "case {} is closed: {} needs a new case": "案件 {0} 已办结：{1}须另立新案",
    "{} is named in case {} and cannot record its findings or outcome": "{0}是案件 {1} 的被追责人员，不得记录调查结论或处理结果",
    "findings need their text": "调查结论须写明内容",
    "a person does not record findings about themselves": "任何人不得记录关于本人的调查结论",
    "outcome must be one of {}": "处理结果应为：{0}",
    "an outcome follows findings: record the findings first": "处理结果须在调查结论之后作出：请先记录调查结论",
    "outcome {} lists the sanctions": "处理结果为“{0}”的，应当列明处分",
    "each person's finding states the facts and whether they are responsible (responsible: true/false)":
        "对每名人员的结论应当写明事实及其是否负有责任",
    "a case states its grounds, each citing Art. 38, 39, 40 or 41": "追责案件应当写明事由，每项事由引用《条例》第三十八、三十九、四十或四十一条",
    "a case names the persons concerned (person, capacity)": "追责案件应当列明所涉人员及其身份",
    "each ground gives its article and facts (article, text)": "每项事由应当写明所依据的条款和事实",
    "ground article {} is not one of Arts. 38–41": "事由所引条款 {0} 不在第三十八条至第四十一条之列",
    "each person has a capacity: {}": "每名人员应当注明身份：{0}",
    "unknown person {}": "没有此人：{0}",
    "every sanction names the person, the measure and its legal basis (e.g. 政务处分法 第十条 / Art. 10)":
        "每项处分应当写明人员、措施及法律依据（如《政务处分法》第十条）",
    "{} is sanctioned without a finding of responsibility": "未认定{0}负有责任，不得给予处分",
    "{} dissented at the collective discussion: state how the liability was reduced or why it is not waived (dissent_considered)":
        "{0}在集体讨论时持不同意见：应当说明如何减轻责任或不予免责的理由",
    # accounts (SEC1–SEC4): the domain already says these in Chinese; the English in brackets is dropped
    "账户已锁定：{} 分钟内口令错误 {} 次，约 {} 分钟后自动解锁，或请安全管理员解锁。（account {} is locked after repeated failed logins)":
        "账户已锁定：{0} 分钟内口令错误 {1} 次，约 {2} 分钟后自动解锁，或请安全管理员解锁。",
    "来自此地址的身份验证失败次数过多，请 {} 秒后再试。（too many failed authentications from this address; retry in {} s)":
        "来自此地址的身份验证失败次数过多，请 {0} 秒后再试。",
    "口令不符合复杂度要求：{}。（password refused by the policy）": "口令不符合复杂度要求：{0}。",
    "账户已被安全管理员锁定，请联系安全管理员解锁。（account {} is locked by the security administrator)":
        "账户已被安全管理员锁定，请联系安全管理员解锁。",
    "{}须由{}办理（三员分立：{}负责{}）；当前角色：{}。(this needs the {} role)":
        "{0}须由{1}办理（三员分立：{2}负责{3}）；当前角色：{4}。",
    "不得为自己授予角色（nobody grants a role to themselves）": "不得为自己授予角色。",
    "{}只能由运维人员在控制台设立（decide user add），不能经接口授予（three-administrator roles are appointed at the console only）":
        "{0}只能由运维人员在控制台设立，不能经页面或接口授予。",
    "{}不得兼任其他角色（当前：{}）（an administrator holds no other role）": "{0}不得兼任其他角色（当前：{1}）。",
    "{}不得兼任其他角色，也不参与决策程序（an administrator holds no other role and acts in no decision procedure）":
        "{0}不得兼任其他角色，也不参与决策程序。",
    # the decision (R1, R3, R13, R15, R17, R18, R20, PV1, SoD1, SoD8)
    "category {} is excluded from the major-decision procedure": "“{0}”不适用重大行政决策程序",
    "category must be one of {}; got {}": "决策类别应为：{0}；收到的是“{1}”",
    "a decision needs a title and an undertaking unit": "决策事项须有名称和承办单位",
    "{} is only possible before the decision is made; status is {}": "{0}只能在作出决策之前办理；当前状态：{1}",
    "determination '{}' needs its reasons (who decided and why)": "“{0}”的认定须写明理由（由谁认定、为何认定）",
    "draft versions are added with add_draft_version": "草案须以“新增草案版本”提交",
    "gate {} is already {}; a correction needs the gate reopened (return)": "“{0}”{1}；如需更正，须先退回重新办理",
    "gate {} does not apply to this decision (determination recorded); artifact '{}' has no place":
        "根据已记录的认定，本事项不适用“{0}”，无需提交“{1}”",
    "artifact '{}' is missing fields: {}": "“{0}”缺少以下内容：{1}",
    "the decision is {}; nothing more can be recorded": "本决策事项{0}，不能再记录任何材料",
    "the procedure begins with the start decision: record it before {} (决策启动后方可开展起草、论证等工作)":
        "决策启动后方可开展起草、论证等工作：请先记录决策启动，再提交“{0}”",
    "drafting starts only after the start decision names the units": "决策启动明确承办单位后，方可开始起草",
    "gate {} clears by itself when its artifacts are complete": "“{0}”在材料齐备后自动办结，无需人工确认",
    "gate {} is already {}": "“{0}”{1}",
    "gate {} cannot be cleared: {} requirement(s) unmet": "“{0}”尚不能确认办结：还有 {1} 项要求未满足",
    "unit {} is an undertaking unit of this decision and cannot clear its legality review":
        "{0}是本事项的承办单位，不得确认本事项的合法性审查",
    "{} authored an artifact of gate {} and cannot clear it": "{0}提交过“{1}”的材料，不得确认其办结",
    "a return needs its reason": "退回须写明理由",
    "gate {} has nothing submitted to return": "“{0}”没有可退回的送审材料",
    "gate {} is {}: it is no longer a submission to return": "“{0}”{1}，已不是可退回的送审材料",
    "the undertaking unit cannot act as its own legality reviewer": "承办单位不得审查自己的决策草案",
    "sending back names the gates that reopen and the reason": "退回修改须写明重新办理的环节及理由",
    "gate {} can never be exempted": "“{0}”不得免予办理",
    "exempting {} needs the determination '{}' recorded as true": "免予办理“{0}”，须先认定“{1}”",
    "exempting {} needs the artifact '{}' ({})": "免予办理“{0}”，须先提交“{2}”",
    "an exemption needs its legal basis": "免予办理须写明法律依据",
    "gate {} is already exempted": "“{0}”已免予办理",
    "the decision is {}; it cannot be finalized": "本决策事项{0}，不能作出决定",
    "finalization refused: {} item(s) missing": "不能作出决定：还缺 {0} 项",
    "only a decided decision can be suspended; status is {}": "只有已作出的决策才能暂停执行；当前状态：{0}",
    "a suspension needs its reason": "暂停执行须写明理由",
    "only a suspended decision can be resumed": "只有已暂停执行的决策才能恢复执行",
    "resumption needs its reason": "恢复执行须写明理由",
    "a withdrawal needs its reason": "撤回须写明理由",
    "the decision already runs under this procedure version": "本事项已适用该版本的程序",
    "a decision cannot migrate to a procedure of another kind": "决策事项不能改用另一类程序",
    "a migration needs its written justification": "改用新版程序须有书面说明",
    "a case closes after publication; status is {}": "决策公布后方可归档结案；当前状态：{0}",
    "publication is not settled": "公布事项尚未办结",
    "determination '{}' ({}) must be recorded, with reasons": "须记录“{1}”的认定并写明理由",
    "fair-competition review information for a decision affecting market entities": "涉及市场主体经济活动的决策，须附公平竞争审查情况",
    "gate {} is already cleared; its determination cannot change": "“{0}”已办结，相关认定不能再变更",
    "'{}' belongs after the collective decision; finalize first": "“{0}”须在集体讨论决定之后提交：请先作出决定",
    "gate {} is not a stage a draft can be sent back to": "草案不能退回到“{0}”",
    "gate {} is {}: there is nothing to reopen": "“{0}”{1}：没有可重新办理的内容",
    "artifact '{}' ({}) recorded by {}": "“{1}”，由{2}提交",
    "the gate must be cleared by {} (not by an author of its artifacts, SoD8)": "须由{0}确认办结（材料提交人不得确认）",
    "the comment window is open until {}; participation cannot be cleared before it closes":
        "意见征求期至 {0} 届满，届满前不能确认公众参与办结",
    "gate not cleared": "该环节尚未办结",
    "field '{}'": "“{0}”一项",
    # why a gate reopens (shown on the timeline)
    "draft version {} is not the version assessed: assess it, or the assessor records why the change does not touch the risk (risk_continuity)":
        "草案第 {0} 版不是已评估的版本：请重新评估，或由风险评估单位说明修改不影响风险",
    "draft version {} differs from the version under legality review; it must be reviewed again":
        "草案第 {0} 版与送审的版本不同，须重新进行合法性审查",
    # execution, suspension, termination (R19, R20)
    "{} concerns a decided decision; status is {}": "{0}只适用于已作出的决策；当前状态：{1}",
    "a termination states its basis and reason": "终止执行须写明依据和理由",
    "basis_ref {} is neither an artifact of this decision nor its adjustment": "所引依据 {0} 不是本事项的材料，也不是其调整",
    "a major adjustment states its reason": "重大调整须写明理由",
    "basis_ref {} is not an artifact of this decision": "所引依据 {0} 不是本事项的材料",
    # meetings (R14, R15, R18, SoD4, SoD8)
    "decision {} cannot be placed on an agenda: {} item(s) missing": "决策事项“{0}”尚不能列入议程：还缺 {1} 项",
    "draft v{} has no legality opinion of its own": "第 {0} 版草案尚无针对该版本的合法性审查意见",
    "meeting {} has no agenda item {}": "会议“{0}”没有第 {1} 项议题",
    "a meeting needs a title": "会议须有名称",
    "{} is not an administrative head: the head presides and decides": "{0}不是行政首长：会议由行政首长主持并作出决定",
    "a collective discussion needs members besides the head": "集体讨论须有行政首长以外的组成人员参加",
    "quorum_fraction must be in [0, 1)": "出席比例应在 0 与 1 之间",
    "{}: the minutes are drawn up; the meeting record is closed": "{0}：会议纪要已形成，会议记录已关闭",
    "{}: the roll has not been called (attendance and quorum)": "{0}：尚未点名（出席情况和法定人数）",
    "agenda item {} is already decided ({})": "第 {0} 项议题已作出决定（{1}）",
    "decision {} is {}: only a decision whose pre-decision gates are all satisfied can be placed on the agenda":
        "决策事项“{0}”{1}：决定前各环节全部办结的，方可列入议程",
    "decision {} has already been adopted at a meeting": "决策事项“{0}”已经会议通过",
    "decision {} is already on this agenda": "决策事项“{0}”已列入本次会议议程",
    "the roll has been called; a correction goes into the minutes with a reason": "已点名；如需更正，请在会议纪要中写明理由",
    "not members of this meeting: {}": "以下人员不是本次会议的组成人员：{0}",
    "the administrative head presides and decides: the meeting cannot sit without the head": "会议由行政首长主持并作出决定：行政首长不出席不能开会",
    "{} of {} members present: no quorum (more than {} must attend)": "{1} 名组成人员中出席 {0} 名，不足法定人数（须超过 {2}）",
    "{} is not a present member able to recuse on item {}": "{0}不是出席会议、可就第 {1} 项议题回避的组成人员",
    "the administrative head who decides cannot recuse from the item": "作出决定的行政首长不得回避该议题",
    "{} has already spoken on item {}": "{0}已就第 {1} 项议题发表意见",
    "a recusal states its reason": "回避须写明理由",
    "{} is not a present, non-recused member on item {}": "{0}不是出席会议且未回避第 {1} 项议题的组成人员",
    "the administrative head has spoken last; no opinion follows the head's": "行政首长已最后发表意见，其后不再记录意见",
    "{} has already given an opinion on item {}": "{0}已就第 {1} 项议题发表过意见",
    "the administrative head speaks last: {} present member(s) have not spoken ({})": "行政首长最后发表意见：还有 {0} 名出席人员未发言（{1}）",
    "position must be one of {}": "意见应为：{0}",
    "the opinion is recorded as given (dissent verbatim): its text is required": "意见按原话记录（不同意见如实记载）：须填写发言内容",
    "only the administrative head presiding this meeting decides": "只有主持本次会议的行政首长可以作出决定",
    "the head decides only after every present member has spoken and the head has spoken last; still to speak: {}":
        "出席人员全部发言、行政首长最后发言后，方可作出决定；尚未发言：{0}",
    "the packet holds draft v{}, the decision's draft is now v{}: the version decided must be the version reviewed and discussed; place it on an agenda again":
        "会议材料中为第 {0} 版草案，现行草案已是第 {1} 版：作出决定的须是经审查和讨论的版本，请重新列入议程",
    "sending back states which gates reopen and why": "退回修改须写明重新办理的环节及理由",
    "the administrative head cannot act as the meeting's secretary": "行政首长不得兼任会议记录人",
    "the minutes exist; a correction is a new version with a reason": "会议纪要已形成；更正须形成新版本并写明理由",
    "the minutes are drawn up once the head has decided every agenda item": "行政首长对全部议题作出决定后，方可形成会议纪要",
    "there are no minutes to correct": "没有可更正的会议纪要",
    "a correction of the minutes states its reason and what is corrected": "更正会议纪要须写明理由和更正内容",
    "capacity must be one of {}": "身份应为：{0}",
    "there are no minutes to confirm": "没有可确认的会议纪要",
    "only the latest minutes (v{}, {}…) can be confirmed": "只能确认最新的会议纪要（第 {0} 版）",
    "minutes v{} are already confirmed by the {}": "第 {0} 版会议纪要已由{1}确认",
    "the head who presided the meeting confirms its minutes": "会议纪要由主持会议的行政首长确认",
    # public participation, comments, hearings (R5–R8, SoD5)
    "意见受理编号有误，请核对 (the tracking number is not valid; check for a typo)": "意见受理编号有误，请核对。",
    "本决策事项目前未公开征求意见 (no comment notice is published for this decision)": "本决策事项目前未公开征求意见。",
    "意见内容不能为空 (the comment text is empty)": "意见内容不能为空。",
    "意见不超过 {} 字 (the comment has {} characters; at most {})": "意见不超过 {0} 字（现为 {1} 字）。",
    "附件不超过 {} 个 (at most {} attachments)": "附件不超过 {0} 个。",
    "隐藏理由应为：{}": "隐藏理由应为：{0}",
    "the moderation note has at most 500 characters": "处理说明不超过 500 字",
    "处理结果应为 adopted（采纳）、partly（部分采纳）或 not_adopted（未采纳）": "处理结果应为采纳、部分采纳或未采纳",
    "每条意见的处理结果应当说明理由 (a disposition needs its reason)": "每条意见的处理结果应当说明理由。",
    "{} 条意见尚未处理 (opinions without a disposition)": "还有 {0} 条意见尚未处理。",
    "no hearing notice was published": "尚未发布听证公告",
    "听证会尚未举行，不能形成听证笔录 (the hearing has not been held)": "听证会尚未举行，不能形成听证笔录。",
    "this record was already presented": "该听证笔录已提交确认",
    "no hearing record {}… was presented": "没有提交确认的该份听证笔录",
    "{} 不是本次听证会的参加人 (not on the published list)": "{0}不是本次听证会的参加人。",
    "已确认签字 (already confirmed)": "已确认签字。",
    "identity field {}: name, organisation or contact, at most 200 characters": "身份信息“{0}”：姓名、单位或联系方式，不超过 200 字",
    "附件 {} 超过 {} 字节 (attachment too large)": "附件 {0} 超过 {1} 字节。",
    "附件 {} 的类型 {} 不受理; accepted: {}": "附件 {0} 的类型 {1} 不受理；可受理：{2}",
    "an opinion not adopted changed no draft version": "未采纳的意见不对应修改后的草案版本",
    "采纳或部分采纳的意见应当注明据此修改的草案版本（v{}–v{}）(changed_in_version: a later draft version that exists)":
        "采纳或部分采纳的意见应当注明据此修改的草案版本（第 {0} 版至第 {1} 版）。",
    "disposition of opinion cluster {}": "第 {0} 组意见的处理结果",
    "听证公告应当先于其他听证事项发布 (the hearing notice must come first)": "听证公告应当先于其他听证事项发布。",
    "the hearing notice must be published before the hearing": "听证公告应当在听证会前发布",
    "遴选办法应当在听证会前公布，且不得预填未来日期 (published_at must be before the hearing and not in the future)":
        "遴选办法应当在听证会前公布，且不得预填未来日期。",
    "遴选听证参加人的，应当先公布遴选办法 (publish the selection method before selecting participants)": "遴选听证参加人的，应当先公布遴选办法。",
    "遴选办法公布于 {}，遴选不得早于或同日进行 (selection on {} must follow the method's publication)":
        "遴选办法公布于 {0}，遴选（{1}）不得早于或同日进行。",
    "听证参加人名单应当在遴选后、听证会前公布 (the list is published after the selection and before the hearing)":
        "听证参加人名单应当在遴选后、听证会前公布。",
    "participants must be a list of distinct person ids": "听证参加人应当逐一列明，不得重复",
    "the hearing notice must precede everything else": "听证公告应当先于其他听证事项发布",
    "materials delivered {} reach the participant less than {} days before the hearing on {}":
        "材料于 {0} 送达，距 {2} 举行的听证会不足 {1} 日",
    "{} 不在已公布的听证参加人名单中 (not on the published list)": "{0}不在已公布的听证参加人名单中。",
    "听证笔录的参加人应当与公布的名单一致 (the record's participants must be the published list)": "听证笔录的参加人应当与公布的名单一致。",
    "听证会尚未举行 (the hearing has not been held yet)": "听证会尚未举行。",
    "听证笔录尚未经以下参加人确认签字: {}": "听证笔录尚未经以下参加人确认签字：{0}",
    "materials delivery to participant {}": "向听证参加人{0}送达材料",
    "confirmation by participant {}": "听证参加人{0}确认签字",
    "comment_notice.channels must be a list": "征求意见公告应当列明发布渠道",
    "opinion_summary.opinions must be a list": "意见采纳情况应当逐条列明意见",
    "公众参与方式应为：{}; got {}": "公众参与方式应为：{0}；收到的是“{1}”",
    "意见征求期至 {} 届满，届满后方可形成意见采纳情况 (the comment window is still open)": "意见征求期至 {0} 届满，届满后方可形成意见采纳情况。",
    "opinion #{} needs its text, a disposition (adopted / partly / not_adopted) and a reason":
        "第 {0} 条意见须写明内容、处理结果（采纳、部分采纳或未采纳）及理由",
    "at least one public participation record (comment notice, symposium, hearing, visit, written consultation or survey)":
        "至少一项公众参与记录（征求意见、座谈会、听证会、实地走访、书面征求意见或问卷调查）",
    # procedures as data (R1, R13, R18)
    "profile must declare [profile] extends = base procedure id": "地方程序文件须注明所依据的基础程序",
    "profile {} changes unknown gate {}": "地方程序“{0}”修改了不存在的环节“{1}”",
    "legality review and the collective decision can never be exempted": "合法性审查和集体讨论决定不得免予办理",
    "artifact kind {} names unknown gate {}": "材料种类“{0}”所属环节“{1}”不存在",
    "gate {} condition names unknown determination {}": "“{0}”的适用条件引用了不存在的认定“{1}”",
    "gate {} has unknown condition {}": "“{0}”的适用条件“{1}”无法识别",
    "unknown gate {}; this procedure has: {}": "本程序没有环节“{0}”；现有环节：{1}",
    "unknown artifact kind {} in procedure {} {}": "程序“{1}”（{2}）中没有材料种类“{0}”",
    "unknown determination {}; known: {}": "没有认定事项“{0}”；现有：{1}",
    "artifact kind {} names unknown role {}": "材料种类“{0}”引用了不存在的角色“{1}”",
    # expert review, legality review (R9, R11, R12, R13, SoD1, SoD2)
    "no expert opinion {} in this review": "本次论证中没有专家意见 {0}",
    "送审材料应当载明制定依据 (legal_basis)": "送审材料应当载明制定依据。",
    "no draft version exists": "尚无草案",
    "the decision is {}": "本决策事项{0}",
    "no legality submission to ask a supplement for": "没有可要求补充材料的送审",
    "the opinion is already given": "审查意见已经出具",
    "a supplement request is already pending": "已有尚未答复的补充材料要求",
    "a supplement request lists the items needed and the reason": "补充材料要求应当列明所需材料和理由",
    "专家意见 {}（{}）缺少采纳情况 (each opinion needs its adoption status)": "专家意见 {0}（{1}）缺少采纳情况。",
    "采纳情况应为 adopted / partly / not_adopted 并说明理由": "采纳情况应为采纳、部分采纳或未采纳，并说明理由",
    "expert_ids must be a non-empty list of person ids": "应当列明遴选的专家",
    "dissent_included must say (true/false) whether experts holding dissenting views were deliberately included":
        "应当说明是否有意选择了持不同意见的专家",
    "应当有意选择持不同意见的专家；未选入的，应当说明理由 (dissent_note)": "应当有意选择持不同意见的专家；未选入的，应当说明理由。",
    "{} 不在专家遴选名单中 (not a selected expert)": "{0}不在专家遴选名单中。",
    "the expert must file a conflict-of-interest declaration first": "专家须先提交利益冲突声明",
    "an expert with a declared direct interest is barred from the review": "声明与本事项有直接利害关系的专家应当回避论证",
    "专家意见 {} 缺少采纳情况 (adoption status missing)": "专家意见 {0} 缺少采纳情况。",
    "每条专家意见应当载明采纳、部分采纳或者未采纳及理由": "每条专家意见应当载明采纳、部分采纳或者未采纳及理由",
    "expert's confirmation of opinion {} over its sha256": "专家对意见 {0} 的签字确认",
    "adoption status of expert opinion {}": "专家意见 {0} 的采纳情况",
    "public opinions must be summarised with their dispositions before the legality submission": "提请合法性审查前，应当汇总公众意见及其采纳情况",
    "the undertaking unit cannot give the legality opinion on its own draft": "承办单位不得对自己的草案出具合法性审查意见",
    "no legality submission to review": "没有待审查的送审材料",
    "the reviewer must first obtain at least one legal adviser's opinion": "审查机构须先听取至少一名法律顾问的意见",
    "conclusion must be one of {}": "审查结论应为：{0}",
    "已要求补充材料（{}），补充前不得出具审查意见": "已要求补充材料（{0}），补充前不得出具审查意见",
    "合法性审查机构未要求补充材料 (no supplement request is pending)": "合法性审查机构未要求补充材料。",
    "尚无合法性审查意见 (there is no legality opinion to answer)": "尚无合法性审查意见。",
    "supplementary material requested by the legal office: {}": "合法性审查机构要求补充的材料：{0}",
    "'exploratory reform' needs the exploratory_reform determination and an explicit statement of the legal risk":
        "“探索性改革”须先作出相应认定，并明确说明法律风险",
    "submission concerns draft v{}, current is v{}": "送审的是第 {0} 版草案，现行为第 {1} 版",
    "opinion concerns draft v{}, current is v{}": "审查意见针对第 {0} 版草案，现行为第 {1} 版",
    "the legality opinion found the draft unlawful: it must not be discussed": "合法性审查认为草案不合法：不得提交讨论",
    # risk, collective decision (R10, R14, R15, SoD4)
    "risk_report.conclusion must be controllable or not_controllable": "风险评估结论应为“可控”或“不可控”",
    "the risk was found not controllable for this draft version: adjust the draft (a new version) before a new assessment":
        "本版草案的风险被评估为不可控：请先调整草案（形成新版本），再重新评估",
    "level must be one of {} (高/中/低, 发改投资〔2012〕2492号 Art. 4)": "风险等级应为：{0}（发改投资〔2012〕2492号第四条）",
    "risk_points must be a list": "应当逐项列明风险点",
    "measures must list each prevention measure (text, or {{measure, responsible_unit, due}})":
        "应当逐项列明防范措施（措施、责任单位、完成时限）",
    "the risk is assessed as not controllable: adjust the draft and record a new assessment concluding 'controllable'":
        "风险被评估为不可控：请调整草案，并记录结论为“可控”的新评估",
    "the risk is not controllable for this draft": "本版草案的风险不可控",
    "tally counts support, oppose, abstain (and absent) as whole numbers": "表决情况应以整数记录赞成、反对、弃权（及缺席）人数",
    "the tally counts {} absent; the attendance shows {}: a member present is never counted absent":
        "表决情况记缺席 {0} 人，出席情况显示为 {1} 人：出席人员不得记为缺席",
    "the decision is taken at an executive or plenary meeting, not by {}": "决定应当经常务会议或全体会议作出，不能以“{0}”方式",
    "only a decision whose pre-decision gates are all satisfied and whose packet is complete can be placed on the agenda":
        "决定前各环节全部办结、会议材料齐备的，方可列入议程",
    "meeting_record.opinions and attendance must be non-empty lists": "会议记录应当载明出席情况和发言意见",
    "every opinion must come from a member present at the meeting": "每条意见都应当出自出席会议的组成人员",
    "the administrative head speaks last: the last opinion must be the head's": "行政首长最后发表意见：最后一条意见应当是行政首长的",
    "the head decides only after every present member has spoken": "出席人员全部发言后，行政首长方可作出决定",
    "head_decision must be one of {}": "行政首长的决定应为：{0}",
    "the head's decision departs from the majority of opinions: the reasons must be stated at the meeting (head_reasons)":
        "行政首长的决定与多数意见不一致：应当在会上说明理由",
    "{} of {} members present: no quorum": "{1} 名组成人员中出席 {0} 名，不足法定人数",
    "adoption with amendments states the amendments": "修改后通过的，应当写明修改内容",
    "sending back states which gates reopen (reopen_gates)": "退回修改须写明重新办理的环节",
    "the tally counts {} '{}' but only {} members were present": "表决情况记“{1}” {0} 人，但出席人员只有 {2} 人",
    "the tally counts {} '{}', the recorded opinions {}": "表决情况记“{1}” {0} 人，记录的意见为 {2} 人",
    "the meeting's decision was '{}', not adoption": "会议的决定为“{0}”，不是通过",
    "the amendments adopted at the meeting must be made in a new draft version, reviewed again for legality (R13)":
        "会议决定的修改须形成新版草案，并重新进行合法性审查",
    "the meeting adopted draft v{}, the current draft is v{}: the version decided must be the one discussed":
        "会议通过的是第 {0} 版草案，现行为第 {1} 版：作出决定的须是经讨论的版本",
    "'{}' concerns a draft, and no draft version exists yet": "“{0}”针对草案，但尚无草案",
    # evaluation (R21, SoD3)
    "unit {} did the main pre-decision argument or assessment work and cannot be the evaluator":
        "{0}承担了决策前的主要论证评估工作，不得作为评估机构",
    "unit {} did the main pre-decision work and cannot evaluate": "{0}承担了决策前的主要工作，不得开展评估",
    "the organ named {} as evaluator, not {}": "决策机关委托的评估单位是{0}，不是{1}",
    "no evaluation report {} on record": "没有评估报告 {0}",
    "the organ already decided on evaluation {}": "决策机关已就评估 {0} 作出决定",
    # execution reports and targets (R19)
    "{} must be a number, got {}": "“{0}”应为数字，收到的是“{1}”",
    "execution_unit_designation.units must list unit names": "应当列明执行单位",
    "execution units were already designated: a change states its reason": "已确定执行单位：变更须写明理由",
    "execution_targets.kpis must be a non-empty list": "应当列明执行指标",
    "each milestone needs an id, a name and a due date": "每个节点须有编号、名称和完成时限",
    "KPI direction must be one of {}": "指标方向应为：{0}",
    "KPI {}: a change after the decision is a new version and must state its reason (reason)": "指标 {0}：决定后变更须形成新版本并写明理由",
    "KPI {} is new: give its name, baseline and target": "指标 {0} 为新增：请写明名称、基准值和目标值",
    "KPI {}: the revision changes nothing": "指标 {0}：本次修订没有变更内容",
    "no execution unit has been designated": "尚未确定执行单位",
    "unit {} is not an execution unit of this decision": "{0}不是本决策的执行单位",
    "report_kind must be progress or problem": "报告类别应为进展报告或问题报告",
    "a problem report names its Art. 35 ground: {}": "问题报告应当写明《条例》第三十五条规定的情形：{0}",
    "kpi_values maps KPI ids to numbers": "指标值应当逐项填写数字",
    "milestones_done lists ids of the milestones fixed at decision time": "已完成节点应为决定时确定的节点",
    "obligations maps obligation ids (from the risk measures and legality conditions) to how they were followed":
        "应当逐项说明风险防范措施和合法性审查条件的落实情况",
    "occurred_on cannot be in the future": "发生日期不能晚于今天",
    "each KPI needs an id and a name": "每项指标须有编号和名称",
    "KPI id {} appears twice": "指标编号 {0} 重复",
    "unknown KPI {}; known: {}": "没有指标 {0}；现有指标：{1}",
    "no execution report {} to correct": "没有可更正的执行报告 {0}",
    "a unit corrects only its own reports": "单位只能更正本单位的报告",
    "report {} was already corrected; correct its latest version": "报告 {0} 已更正过：请更正其最新版本",
    "a corrected report is a new version and states why (correction_reason)": "更正报告须形成新版本并写明更正理由",
    # start and catalogue (R2, R3, R4)
    "start_decision.units must be a list of unit names": "决策启动应当列明承办单位",
    "the start decision must name exactly one lead unit among the units": "决策启动应当在承办单位中明确一个牵头单位",
    "the decision has already been started": "本决策事项已经启动",
    "决策事项目录须经同级党委同意后向社会公布：同意日期 {} 应早于公布日期 {} (the Party committee's consent must precede publication)":
        "决策事项目录须经同级党委同意后向社会公布：同意日期 {0} 应早于公布日期 {1}。",
    "catalog_entry.published_at {} lies in the future": "目录公布日期 {0} 晚于今天",
    "consultation of affected unit {}": "征求相关单位{0}的意见",
    "a dispute is open: dispute statement (issue, each unit's view, the lead unit's view, reasons, basis)":
        "存在分歧：须有分歧情况说明（争议事项、各方意见、牵头单位意见、理由和依据）",
    # normative documents (ND1–ND4)
    "checklist must answer each item true/false: {}": "审查清单应当逐项作答：{0}",
    "a normative document may not {}; the review must conclude 'unlawful' until the draft removes it":
        "行政规范性文件不得{0}；草案删除前，审查结论应为“不合法”",
    "only a published document can be filed": "已公布的文件方可备案",
    "filing goes to both the superior government and the people's congress standing committee (filed_with: superior_government, npc_standing_committee)":
        "应当同时报上一级人民政府和本级人大常委会备案",
    "outcome must be continue, amend or repeal": "评估结论应为继续施行、修改或废止",
    # publication (R17)
    "publication_record.channels must list the channels used": "公布记录应当列明所用渠道",
    "published_at {} is before the decision was made ({})": "公布日期 {0} 早于作出决定的日期（{1}）",
    "publication in the {} ({})": "在{0}公布",
    "artifact '{}' ({}) for a specialised matter": "专业性较强的决策须附“{1}”",
    # the work queue's own items (services/work.py)
    "artifact '{}' ({}) may be recorded": "可以提交“{1}”",
    "the gate waits to be cleared by {}": "该环节等待{0}确认办结",
    "every gate holds: the head may finalize the decision": "各环节均已办结：行政首长可以作出决定",
    # official documents (services/documents.py; R18, Art. 33)
    "unknown document kind {}; known: {}": "没有文种“{0}”；现有文种：{1}",
    "no artifact {} of kind {} in decision {}": "本事项没有该份“{1}”",
    "'{}' ({}) is made from '{}', and none is recorded in decision {}": "“{1}”依据“{2}”生成，本事项尚未记录该材料",
    "decision {} has no event {}": "本事项没有第 {1} 号记录",
    "a new version of a document states its reason": "生成文档新版本须写明理由",
    "document {} was rendered from the same record (seq {}) with the same templates: a new rendering would be the same; correct the record or the template first":
        "该文档已按同一记录（第 {1} 号）和同一模板生成，重新生成的结果相同：请先更正记录或模板",
    "no document {}": "没有该文档",
    "documents are kept as html and pdf, not {}": "文档只保存为 HTML 和 PDF 格式",
    "the stored {} of document {} does not match its recorded hash": "该文档保存的 {0} 文件与登记的校验值不符",
    # authority: whose decision it is (AR1–AR13, domain/authority.py; the domain already speaks Chinese here)
    "{}：{}（{}）不是{}，不能为本决策（{}）办理此事项": "{0}：{1}（{2}）不是{3}，不能为本决策（{4}）办理此事项",
    "{}：{}": "{0}：{1}",
    # the doors, the expert pool, the hearing record, the organisation (issue 15)
    'an expert in the pool has fields of expertise and an affiliation': '入库专家应当写明专业领域和工作单位',
    'expert_ids must be a non-empty list of distinct person ids': '遴选专家应当列明不重复的专家人员',
    'leaving the pool needs a reason': '专家出库应当写明理由',
    'not an active member of the pool': '不是专家库中的在库专家',
    'signed_by 只能是以本人身份确认了笔录的参加人 (signed_by lists the confirmations on record, never typed names)': '签字确认人只能是以本人身份确认了笔录的参加人',
    '{} does not hold the role expert': '{0} 不具有专家身份',
    '{} is already in the pool': '{0} 已在专家库中',
    '{} 不具有听证参加人身份，无法以本人身份签字 (does not hold the role hearing_participant)': '{0} 不具有听证参加人身份，无法以本人身份签字',
    '{} 不在专家库中；从库外遴选应当说明理由 (outside_pool_reason)': '{0} 不在专家库中；从库外遴选应当说明理由',
    '{} 已依照第四十一条被取消资格，不得再参与论证 (disqualified: {})': '{0} 已依照第四十一条被取消资格，不得再参与论证',
    '{} 已依照第四十一条被取消资格，不得遴选 (disqualified experts cannot be selected)': '{0} 已依照第四十一条被取消资格，不得遴选',
    '{} 已因违反职业道德或本条例规定被取消资格，不得入库 (disqualified: {})': '{0} 已因违反职业道德或本条例规定被取消资格，不得入库',
    '{} 本人作出了“{}”的认定，不得据此豁免{} 环节 (nobody exempts a gate on their own determination)': '{0} 本人作出了“{1}”的认定，不得据此豁免{2} 环节',
    '{} 条意见尚未归并 (run the clustering first)': '{0} 条意见尚未归并',
    '{}: {}': '{0}：{1}',
    "“{}”是{}的结果，只能经其专门程序形成：{}；通用材料接口不予录入 (one door per act: '{}' is produced by {}, use {}; rule {}, {})": '“{0}”是{1}的结果，只能经其专门程序形成：{2}；通用材料接口不予录入',
    '“{}”是外部单位，只能授予外部角色（{}），不能授予 {}。(an external body holds external roles only)': '“{0}”是外部单位，只能授予外部角色（{1}），不能授予 {2}。',
    "专家书面意见应当由专家本人以本人身份签署（对意见的 sha256 确认），键入的签名无效 (an opinion is signed by the expert's own act)": '专家书面意见应当由专家本人以本人身份签署（对意见内容的校验值确认），键入的签名无效',
    '单位“{}”不在组织机构中，不能在该单位授予角色 {}；请先由系统管理员登记该单位（decide org show 列出已登记的单位）。(unit {} is not on the organisation chart)': '单位“{0}”不在组织机构中，不能在该单位授予角色 {1}；请先由系统管理员登记该单位。',
    '听证会无论是否为法律法规所要求，均应依照听证程序举行：先发布听证公告，再送达材料、形成由参加人本人确认的听证笔录，不得作为一般公众参与记录录入 (every hearing held follows R7: publish the hearing notice through the hearing stage)': '听证会无论是否为法律法规所要求，均应依照听证程序举行：先发布听证公告，再送达材料、形成由参加人本人确认的听证笔录，不得作为一般公众参与记录录入',
    '听证参加人 {} 未登记，无法以本人身份确认笔录 (not a registered person)': '听证参加人 {0} 未登记，无法以本人身份确认笔录',
    '听证笔录应当先提交，再由每一位参加人以本人身份确认 (no record with this sha256 was presented; typed signatures are not accepted)': '听证笔录应当先提交，再由每一位参加人以本人身份确认',
    '听证笔录应当由公布名单中的每一位参加人以本人身份确认：请先公布听证参加人名单 (publish the participant list: each listed participant confirms the record)': '听证笔录应当由公布名单中的每一位参加人以本人身份确认：请先公布听证参加人名单',
    '听证笔录日期 {} 早于公告的听证日期 {} (a record dated before the hearing)': '听证笔录日期 {0} 早于公告的听证日期 {1}',
    '意见采纳情况已形成报告；如需改变处理结果，应当先退回公众参与环节 (the feedback report is recorded: reopen the participation gate first)': '意见采纳情况已形成报告；如需改变处理结果，应当先退回公众参与环节',
    '组织机构有误：{}（organisation chart refused）': '组织机构有误：{0}',
    # legal fidelity (issue 16): dates, corrections, risk binding, amendments, urgency, options, evaluation
    "a new draft version carrying the amendments asked for (then its amendment record and the legal office's review of it), or a written explanation of non-adoption": '载有审查意见所提修改的新版本草案（及其修改情况说明和合法性审查机构的再次审查），或不予采纳的书面说明',
    "artifact 'dept_opinions' ({}) recorded by {}": '有关部门意见（{0}），由{1}形成',
    "artifact 'risk_report' ({}) for draft v{} recorded by {}, or the assessor's risk_continuity note why the new version does not touch the risk": '第 {1} 版草案的风险评估报告（{0}），由{2}形成；或评估单位说明草案修改不影响风险的情况',
    'draft_options.options 应逐项列明方案编号和内容 (a list of {{id, summary}})': '备选方案应逐项列明方案编号和内容',
    'evaluation_report.{} 应当如实记载{}，不能以“{}”代替': '评估报告应当如实记载{1}，不能以“{2}”代替',
    'ground must be one of {} (第三十五条规定的情形)': '中止执行的事由应为第三十五条规定的情形之一：{0}',
    'the amendment record for draft v{}: how it carries the amendments the legal office asked for on v{}': '第 {0} 版草案的修改情况说明：如何落实合法性审查机构对第 {1} 版提出的修改意见',
    "trigger must be one of {} (Art. 36's three grounds)": '评估事由应为《条例》第三十六条规定的情形之一：{0}',
    '决策后评估由决策机关组织并确定承担评估工作的单位：尚无评估委托 (no evaluation_commission by the organ is on record)': '决策后评估由决策机关组织并确定承担评估工作的单位：尚无评估委托',
    '决策期限 decision.due_by = {} 早于立项日 {}，立项时已逾期 (the due date has already passed at opening)': '决策期限 {0} 早于立项日 {1}，立项时已逾期',
    "决策期限 decision.due_by = {} 超出立项后 {} 年，疑为录入错误 (a year far outside the decision's horizon)": '决策期限 {0} 超出立项后 {1} 年，疑为录入错误',
    "决策机关认为风险可控的，方可作出决策：会议记录应载明决策机关自己的判断 (risk_judgment = controllable); the assessor's conclusion does not stand in for the organ's": '决策机关认为风险可控的，方可作出决策：会议记录应载明决策机关自己对风险可控的判断，评估单位的结论不能代替',
    '决策草案提出了 {} 个方案（{}），会议决定应载明所选方案 (option_chosen)': '决策草案提出了 {0} 个方案（{1}），会议决定应载明所选方案',
    '原评估结论为风险不可控，修改后的草案应当重新评估 (a report that found the risk not controllable cannot be carried forward: assess the new version)': '原评估结论为风险不可控，修改后的草案应当重新评估',
    '存在较大分歧的，应当提出两个以上方案：recorded {} distinct option(s)': '存在较大分歧的，应当提出两个以上方案：现有 {0} 个不同方案',
    '审查意见针对草案第 {} 版：应先形成载有修改内容的新版本草案，再登记修改情况 (make the amendments in a new draft version first; the record states how that version carries them)': '审查意见针对草案第 {0} 版：应先形成载有修改内容的新版本草案，再登记修改情况',
    '审查时间为 {} 个工作日，一般不少于 {} 个工作日，缩短的应说明理由：the review is given {} working days; at least {} unless a reason is recorded (short_review_reason)': '审查时间为 {0} 个工作日，一般不少于 {1} 个工作日，缩短的应说明理由',
    '审查期限 {} 不晚于送审日 {}，应当保证必要的审查时间 (the requested deadline is not after the submission day)': '审查期限 {0} 不晚于送审日 {1}，应当保证必要的审查时间',
    "审查期限 {} 距送审日超过一年，疑为录入错误 (legality_submission.requested_deadline far outside the review's horizon)": '审查期限 {0} 距送审日超过一年，疑为录入错误',
    "征求意见公告的日期 {}.{} = {} 与登记日 {} 相差超过一年，疑为录入错误 (a date far outside the notice's horizon)": '征求意见公告的日期 {2} 与登记日 {3} 相差超过一年，疑为录入错误',
    '征求意见截止日 {} 不晚于公布日 {} (the deadline is not after the publication)': '征求意见截止日 {0} 不晚于公布日 {1}',
    '征求意见截止日 {} 已过 (the deadline is not after the day the notice is recorded, {})': '征求意见截止日 {0} 已过',
    '征求意见期限为 {} 日，一般不少于 {} 日，缩短的应在公告中说明理由：comment period is {} calendar days{}; at least {} unless the notice states the reason for a shorter period (shortening_reason)': '征求意见期限为 {0} 日，一般不少于 {1} 日，缩短的应在公告中说明理由',
    '情况紧急的，行政首长方可先决定中止执行：应说明紧急情况 (urgency)；不紧急的，变更或者停止执行应当依照法定程序由决策机关决定': '情况紧急的，行政首长方可先决定中止执行：应说明紧急情况；不紧急的，变更或者停止执行应当依照法定程序由决策机关决定',
    "按计划评估不是《条例》第三十六条规定的情形：决策时确定评估日期的，由决策机关认为有必要而组织评估，trigger 应为 organ_decision ('scheduled' is not one of Art. 36's grounds)": '按计划评估不是《条例》第三十六条规定的情形：决策时确定评估日期的，应由决策机关认为有必要而组织评估',
    '更正公告应当说明更正理由 (correction_reason)': '更正公告应当说明更正理由',
    '更正的公告 {} 不存在或已被更正 (no notice in force with this id to correct)': '更正的公告 {0} 不存在或已被更正',
    '没有编号为 {} 的风险评估报告 (no risk report with this id)': '没有编号为 {0} 的风险评估报告',
    '该报告评估的就是当前版本草案，无需说明 (the report already concerns the current draft version)': '该报告评估的就是当前版本草案，无需说明',
    '说明草案修改为何不影响风险点、防范措施和处置预案 (risk_continuity.reason)': '说明草案修改为何不影响风险点、防范措施和处置预案',
    "请示报告日期 {} 早于登记日两年以上，疑为录入错误 (party_report.reported_at far outside the decision's horizon)": '请示报告日期 {0} 早于登记日两年以上，疑为录入错误',
    '请示报告日期 {} 晚于登记日 {}：尚未报告的不得登记为已报告 (party_report.reported_at lies in the future)': '请示报告日期 {0} 晚于登记日 {1}：尚未报告的不得登记为已报告',
    '重大行政决策草案应当经常务会议或者全体会议讨论：a major decision is discussed at an executive or plenary meeting, not by {}': '重大行政决策草案应当经常务会议或者全体会议讨论，不能以“{0}”方式决定',
    "同级党委的答复针对请示报告：请先登记向同级党委的请示报告 (no party_report on record)": "同级党委的答复针对请示报告：请先登记向同级党委的请示报告",
    "答复日期 {} 应在请示报告日 {} 之后、登记日 {} 之前 (the reply follows the report and has been given)": "答复日期 {0} 应在请示报告日 {1} 之后、登记日 {2} 之前",
    "{}：{}（{}）既不是本决策机关，也不是其上级行政机关或监察机关，不能办理本决策的追责事项": "{0}：{1}（{2}）既不是本决策机关，也不是其上级行政机关或监察机关，不能办理本决策的追责事项",
    "{}：{}（{}）不是{}的人员，不能办理{}": "{0}：{1}（{2}）不是{3}的人员，不能办理{4}",
    "召集会议：{}（{}）不是{}的人员，不能召集该机关的会议": "召集会议：{0}（{1}）不是{2}的人员，不能召集该机关的会议",
    # change control at the organ's meeting (R20, Arts. 30, 37; issue 16)
    '变更事项应为终止执行或者重大调整 (change must be one of {})': '变更事项应为终止执行或者重大调整',
    "本次会议是{}的会议，不是本决策机关（{}）的会议 (the meeting is not of the decision's organ)": '本次会议是{0}的会议，不是本决策机关（{1}）的会议',
    '只有已作出的决策才能提请终止执行或者重大调整；本事项当前状态：{} (only a decided decision is changed)': '只有已作出的决策才能提请终止执行或者重大调整；本事项当前状态：{0}',
    '提请终止执行或者重大调整应当说明理由 (reason)': '提请终止执行或者重大调整应当说明理由',
    '该变更事项已列入本次会议议程 (the change is already on this agenda)': '该变更事项已列入本次会议议程',
    '第 {} 项议题不是变更事项 (not a tabled change)': '第 {0} 项议题不是变更事项',
    '第 {} 项议题是变更事项，应作出变更决定 (a tabled change is decided as a change)': '第 {0} 项议题是变更事项，应作出变更决定',
    '变更事项的决定应为通过、不予通过或者暂缓 (outcome must be one of {})': '变更事项的决定应为通过、不予通过或者暂缓',
    '行政首长的决定与多数意见不一致的，应当在会上说明理由 (head_reasons)': '行政首长的决定与多数意见不一致的，应当在会上说明理由',
    '会议“{}”第 {} 项议题提请的不是{} (the item tabled another change)': '会议“{0}”第 {1} 项议题提请的不是{2}',
    "会议“{}”不是本决策机关的会议 (the meeting is not of the decision's organ)": '会议“{0}”不是本决策机关的会议',
    '会议“{}”第 {} 项议题尚未经会议通过 (the change is not adopted)': '会议“{0}”第 {1} 项议题尚未经会议通过',
    '会议“{}”第 {} 项议题已据以办理 (the adopted item was already acted on)': '会议“{0}”第 {1} 项议题已据以办理',
    '{}应当经决策机关常务会议或者全体会议讨论决定：请注明通过该事项的会议和议题 (meeting_id, item_no)': '{0}应当经决策机关常务会议或者全体会议讨论决定：请注明通过该事项的会议和议题',
    '会议“{}”第 {} 项议题不是本决策的变更事项 (not a change item of this decision)': '会议“{0}”第 {1} 项议题不是本决策的变更事项',
    # supervision and correction (R19 Art. 34, ACC5 Art. 38 ¶1; issue 16)
    "责令改正应当写明{}": "责令改正应当写明{0}",
    "本决策没有责令改正 {} (no such correction order on this decision)": "本决策没有责令改正 {0}",
    "责令改正 {} 的改正情况已经报告 (the correction is already reported)": "责令改正 {0} 的改正情况已经报告",
    "改正情况报告应当写明如何改正 (report)": "改正情况报告应当写明如何改正",
    "整改期限 {} 早于作出之日 {} (the date to correct by is before the act)": "整改期限 {0} 早于作出之日 {1}",
    "整改期限 {} 超出一年，疑为录入错误 (the date to correct by is more than a year ahead)": "整改期限 {0} 超出一年，疑为录入错误",
    "督促检查的是已作出决策的执行情况；本事项当前状态：{} (supervision concerns the execution of a decision made)":
        "督促检查的是已作出决策的执行情况；本事项当前状态：{0}",
    "决策机关尚未指定执行单位，无执行情况可督促检查 (no execution unit is designated)": "决策机关尚未指定执行单位，无执行情况可督促检查",
    "督促检查应当记载检查发现的情况 (findings)": "督促检查应当记载检查发现的情况",
    "以下单位不是本决策的执行单位：{} (not designated execution units)": "以下单位不是本决策的执行单位：{0}",
    # values (every act, every date)
    "{} needs one of the roles {}; the person holds: {}": "{0}须由{1}办理；本人现任角色：{2}",
    "{} {} is outside the years 1900–2199": "“{0}”的日期 {1} 不在 1900 年至 2199 年之间",
    "{} must be an ISO date (YYYY-MM-DD), got {}": "“{0}”应为日期（年-月-日），收到的是“{1}”",
    '决策机关层级 {} 不在本条例适用范围：本条例适用于县级以上地方人民政府，县级以上人民政府部门和乡级人民政府参照执行 (organ level must be one of {})': '决策机关层级“{0}”不在本条例适用范围：本条例适用于县级以上地方人民政府，县级以上人民政府部门和乡级人民政府参照执行',
    '法律、行政法规对决策程序另有规定的，应当写明该法律或行政法规的名称和条款：{} (procedure_by_law names the law or administrative regulation and its article)': '法律、行政法规对决策程序另有规定的，应当写明该法律或行政法规的名称和条款：{0}',
    "听证会应当按程序举行，听证笔录应当载明：{} (the record states the hearing's order: {})": '听证会应当按程序举行，听证笔录应当载明：{0}',
    '载明委托单位的，应当同时载明受委托的第三方 (third_party: the body commissioned)': '载明委托单位的，应当同时载明受委托的第三方',
    '委托第三方 {} 进行风险评估的，应当载明委托单位 (commissioned_by: the undertaking unit or the unit responsible for the risk assessment)': '委托第三方{0}进行风险评估的，应当载明委托单位',
    '委托单位 {} 不能是受委托的第三方本身 (the commissioning unit is not the third party)': '委托单位{0}不能是受委托的第三方本身',
    '公开征求意见应当公布决策草案及其说明：说明应当写明起草背景、主要内容等，不能为空或仅重复草案标题 (the notice publishes the draft with its explanation)': '公开征求意见应当公布决策草案及其说明：说明应当写明起草背景、主要内容等，不能为空或仅重复草案标题',
    '公告公布的是草案第 {} 版，当前草案为第 {} 版：应当公布当前版本的决策草案 (the notice publishes the draft under way)': '公告公布的是草案第 {0} 版，当前草案为第 {1} 版：应当公布当前版本的决策草案',
    '对社会公众普遍关心或者专业性、技术性较强的重大行政决策，应当通过新闻发布会、接受访谈等方式进行宣传解读：请写明解读方式 (interpretation.means: press_conference, interview, or another means)': '对社会公众普遍关心或者专业性、技术性较强的重大行政决策，应当通过新闻发布会、接受访谈等方式进行宣传解读：请写明解读方式',
    '需要报送的其他材料应当写明材料名称和报送理由 (other_material: {})': '需要报送的其他材料应当写明材料名称和报送理由',
    '决策事项建议应当写明提出者：{} (proposal.source must be one of {})': '决策事项建议应当写明提出者：{0}',
    '没有编号为 {} 的决策事项建议 (no proposal with this id)': '没有编号为 {0} 的决策事项建议',
    '研究论证意见应当写明承担研究论证的单位和研究论证情况 (proposal_study: unit, study)': '研究论证意见应当写明承担研究论证的单位和研究论证情况',
    '本程序要求决策启动前有决策事项建议并经研究论证 (a proposal on record before the start)': '本程序要求决策启动前有决策事项建议并经研究论证',
    '决策事项建议 {} 应当交有关单位研究论证后，再报请决策机关决定是否启动 (a proposal passed to a unit is studied before the start)': '决策事项建议 {0} 应当交有关单位研究论证后，再报请决策机关决定是否启动',
}

# The acts the domain names in its refusals ("… needs one of the roles", "… is only possible before").
ACTS_ZH: dict[str, str] = {
    "keeping the expert pool": "管理专家库",
    "a major adjustment": "重大调整", "termination": "终止执行", "withdrawal": "撤回",
    "a determination": "记录认定", "withdrawing": "撤回", "a new draft version": "新增草案版本", "a procedure migration": "改用新版程序",
    "confirming a hearing record": "确认听证笔录", "presenting a hearing record": "提交听证笔录",
    "sending a draft back for revision": "退回修改", "a recusal": "回避", "deciding an item": "对议题作出决定",
    "drawing up the minutes": "形成会议纪要", "recording an opinion": "记录发言意见", "calling the roll": "点名",
    "placing an item on the agenda": "列入议程", "recording findings": "记录调查结论", "closing": "结案",
    "closing a case": "办结追责案件", "closing the case": "办结追责案件",
    "confirming the minutes for the secretariat": "以会议记录人身份确认会议纪要",
    "correcting the minutes": "更正会议纪要", "adding a draft version": "新增草案版本",
    "approving a procedure migration": "批准改用新版程序", "confirming the hearing record": "确认听证笔录",
    "confirming the minutes as head": "以行政首长身份确认会议纪要", "convening a meeting": "召集会议",
    "deciding an agenda item": "对议题作出决定", "finalizing the decision": "作出决定",
    "opening a decision": "新建决策事项", "opening a major adjustment": "启动重大调整",
    "opening an accountability case": "启动追责案件", "placing a decision on the agenda": "将决策事项列入议程",
    "presenting the hearing record": "提交听证笔录", "requesting a supplement": "要求补充材料",
    "supervising the execution": "督促检查决策执行", "ordering a correction": "责令改正",
    "reporting a correction": "报告改正情况", "placing a change on the agenda": "将变更事项列入议程",
    "resuming a decision": "恢复执行", "suspending a decision": "暂停执行", "terminating a decision": "终止执行",
}

# Acts named with what they concern ("recording 'consultation'"): English template → Chinese template.
ACT_TEMPLATES: dict[str, str] = {
    "recording '{}'": "提交“{0}”", "determination '{}'": "认定“{0}”", "clearing {}": "确认“{0}”办结",
    "clearing gate {}": "确认“{0}”办结", "returning {}": "退回“{0}”", "returning gate {}": "退回“{0}”",
    "exempting {}": "免予办理“{0}”", "exempting gate {}": "免予办理“{0}”", "{} for another member": "代其他组成人员{0}",
}

# The acts a refused attempt is recorded under (services/decisions.py `what`: "act:subject").
ATTEMPTS_ZH: dict[str, str] = {
    "artifact": "提交材料", "attendance": "点名", "close": "归档结案", "draft_version": "新增草案版本",
    "finalize": "作出决定", "hearing": "听证", "confirm_record": "确认听证笔录", "present_record": "提交听证笔录",
    "legality": "合法性审查", "request_supplement": "要求补充材料", "minutes": "形成会议纪要",
    "minutes_correction": "更正会议纪要", "publish": "公布", "terminate": "终止执行", "withhold": "依法不予公开",
    "agenda": "列入议程", "clear": "确认办结", "decide": "对议题作出决定", "determination": "记录认定",
    "evaluation_decision": "对评估报告作出决定", "exempt": "免予办理", "migrate": "改用新版程序",
    "minutes_confirmation": "确认会议纪要", "opinion": "记录发言意见", "recusal": "回避", "resume": "恢复执行",
    "return": "退回", "suspend": "暂停执行", "withdraw": "撤回",
}

# Words of the record that are neither a role, a status nor a procedure item (the label tables hold those).
WORDS_ZH: dict[str, str] = {
    "none": "无", "—": "无", "true": "是", "false": "否", "terminated": "已终止",
    "secretariat": "会议记录人", "head": "行政首长", "member": "组成人员", "presiding_head": "主持会议的行政首长",
    "decision_maker": "决策作出人", "reviewer": "审查人员",
    "exploratory_reform": "探索性改革", "title": "标题", "text": "内容", "reason": "理由",
    "legal_basis": "法律依据", "published_at": "公布日期", "held_at": "举行日期", "due": "完成时限",
}

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """An article's number in Chinese (1–999): 25 → 二十五."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else
                                 ("一" + cn_number(rest) if rest < 20 else cn_number(rest)))
    return CN_DIGITS[n // 100] + "百" + tail


_ART = re.compile(r"(\d+)(?:\((\d+)\))?(?:\s*¶\s*(\d+))?")


def article_zh(article: str) -> str:
    """An article as the law cites it: "Art. 29(1)" → 第二十九条第（一）项, "Arts. 38–41" → 第三十八条至第四十一条."""
    if not article or not re.search(r"\d", article):
        return article
    inference = "（推定）" if "inference" in article else ""
    body = re.sub(r"\(inference\)", "", re.sub(r"^Arts?\.\s*", "", article.strip())).strip()
    if not re.fullmatch(r"[\d()¶\s,–\-]+", body):
        return article
    def one(m: re.Match[str]) -> str:
        out = f"第{cn_number(int(m.group(1)))}条"
        if m.group(3):
            out += f"第{cn_number(int(m.group(3)))}款"
        if m.group(2):
            out += f"第（{cn_number(int(m.group(2)))}）项"
        return out
    parts = [p.strip() for p in re.split(r"[,，]", body) if p.strip()]
    said = []
    for p in parts:
        ends = [e.strip() for e in re.split(r"[–\-]", p)]
        said.append("至".join(_ART.sub(one, e) for e in ends))
    return "、".join(said) + inference


@dataclass(frozen=True, slots=True)
class Template:
    """One catalogue entry, compiled: the English template as a pattern, the Chinese template."""

    english: str
    pattern: re.Pattern[str]
    zh: str
    literal: int  # characters of fixed text: the more, the more specific the match


def _compile(english: str, zh: str) -> Template:
    parts: list[str] = []
    literal = 0
    for text, field, _spec, _conv in string.Formatter().parse(english):
        parts.append(re.escape(text))
        literal += len(text)
        if field is not None:
            parts.append("(.+?)")
    return Template(english, re.compile("".join(parts) + r"\Z", re.DOTALL), zh, literal)


@lru_cache(maxsize=2)
def templates(acts: bool = False) -> tuple[Template, ...]:
    """The catalogue (or the acts' templates) compiled, most specific first."""
    table = ACT_TEMPLATES if acts else ZH
    return tuple(sorted((_compile(en, zh) for en, zh in table.items()), key=lambda t: -t.literal))


def match(message: str, acts: bool = False) -> tuple[Template, tuple[str, ...]] | None:
    """The catalogue's template for a message (or an act) and its parameters, or None."""
    for t in templates(acts):
        m = t.pattern.match(message)
        if m:
            return t, m.groups()
    return None


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Every code word a refusal can carry, in Chinese: procedure items (gates, stages, kinds, determinations,
    procedures), roles, statuses, values, categories, acts and fields."""
    from api.pages import forms, labels
    from api.pages.i18n import translations
    from decision_engine import procedures

    zh = translations("zh_CN").gettext
    words: dict[str, str] = dict(WORDS_ZH)
    for kind_fields in forms.FIELDS.values():
        for f in kind_fields:
            words.setdefault(f.name, zh(f.label))
    for table in (labels.VALUES, labels.CATEGORIES, labels.GATE_STATUSES, labels.STATUSES, labels.ROLES,
                  labels.MEETING_STATUSES):
        words.update({k: zh(v) for k, v in table.items()})
    for profile in procedures.profiles():
        spec = procedures.load(profile)
        words[spec.id] = spec.title_zh or words.get(spec.id, spec.id)
        words.update({s["id"]: s.get("name_zh", s["id"]) for s in spec.stages if "id" in s})
        words.update({g.id: g.name_zh for g in spec.gates})
        words.update({k.id: k.name_zh for k in spec.artifacts.values()})
        words.update({d.id: d.name_zh for d in spec.determinations.values()})
    words.update(ACTS_ZH)
    return words


_SPLIT = re.compile(r"\s*(?:, |/|;)\s*")


def word(value: str, names: Mapping[str, str] | None = None) -> str:
    """A parameter in words: a person by name, a code word in Chinese, a list item by item, else as given."""
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    names = names or {}
    if v in names:
        return names[v]
    words = vocabulary()
    if v in words:
        return words[v]
    if "." in v and v.rsplit(".", 1)[-1] in words:  # a field named with its kind: start_decision.units
        return words[v.rsplit(".", 1)[-1]]
    head, colon, rest = v.partition(":")
    if colon and head in ATTEMPTS_ZH and " " not in head:  # a refused attempt's act: "clear:public_participation"
        return ATTEMPTS_ZH[head] + (f"：{word(rest, names)}" if rest and rest not in ATTEMPTS_ZH else
                                    f"：{ATTEMPTS_ZH[rest]}" if rest else "")
    if v in ATTEMPTS_ZH:
        return ATTEMPTS_ZH[v]
    act = match(v, acts=True)
    if act is not None:
        return act[0].zh.format(*(word(p, names) for p in act[1]))
    items = [x for x in _SPLIT.split(v) if x]
    if len(items) > 1 and all(x.strip("'\"") in names or x.strip("'\"") in words for x in items):
        return "、".join(word(x, names) for x in items)
    return value.strip("'\"") if v != value.strip() else value


def say(message: str, lang: str = "zh_CN", names: Mapping[str, str] | None = None) -> str:
    """A domain message in the reader's language: zh_CN from the catalogue (the parameters in words), or,
    when the catalogue has no template for it, the Chinese part of a bilingual message, else a sentence
    that names no code; English: the domain's sentence with persons named."""
    names = names or {}
    if lang != "zh_CN":
        return _named(message, names)
    found = match(message)
    if found is None:
        head = re.split(r"\s*[（(][A-Za-z]", message, maxsplit=1)[0]
        if re.search(r"[\u4e00-\u9fff]", head):
            return head
        return ""
    t, params = found
    return t.zh.format(*(word(p, names) for p in params))


def _named(message: str, names: Mapping[str, str]) -> str:
    for pid, person in names.items():
        if pid in message:
            message = re.sub(rf"(?<![\w-]){re.escape(pid)}(?![\w-])", person, message)
    return message


def with_names(error: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A refusal body whose message and missing items name persons by name instead of id (either language)."""
    return dict(error, message=_named(str(error.get("message", "")), names),
                missing=[dict(m, need=_named(str(m.get("need", "")), names)) for m in error.get("missing", [])])


def refusal(error: Mapping[str, Any], lang: str = "zh_CN",
            names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A refusal body (`DomainError.to_dict()`) for a reader: its message, each missing item's need and gate,
    and the article in the reader's language; the rule id stays (it is the rule book's own name)."""
    out = dict(error)
    out["message"] = say(str(error.get("message", "")), lang, names) or _fallback(error, lang)
    if lang == "zh_CN":
        out["article"] = article_zh(str(error.get("article", "")))
    out["missing"] = [dict(m, need=say(str(m.get("need", "")), lang, names) or str(m.get("need", "")),
                           gate=word(str(m.get("gate", "")), names) if lang == "zh_CN" else m.get("gate", ""),
                           article=article_zh(str(m.get("article", ""))) if lang == "zh_CN"
                           else m.get("article", ""))
                      for m in error.get("missing", [])]
    return out


def _fallback(error: Mapping[str, Any], lang: str) -> str:
    """A refusal the catalogue does not know (one from outside the domain): said without its English words."""
    from api.pages import labels
    from api.pages.i18n import translations

    rule = str(error.get("rule", ""))
    what = translations(lang).gettext(labels.RULES[rule]) if rule in labels.RULES else ""
    return f"按照{what or '程序'}的规定，此项操作现在不能办理。" if lang == "zh_CN" else str(error.get("message", ""))
