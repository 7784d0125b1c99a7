"""Forms added on the decision page for acts after the decision: an execution progress report (the generic
artifact form, the same record_artifact the API's execution route calls), termination (R20, SoD6) and an
accountability case (ACC1, ACC2); each done once and refused once with its rule, the input kept."""

from __future__ import annotations

from decision_engine.services import accountability, identity, queries
from decision_engine.services.demo import hold_change_meeting
from tests.pages.conftest import PASSWORD, Site, replay_equals_live


def _status(site: Site, did: str) -> str:
    with site.ctx.store.read() as conn:
        return str(queries.replay(conn, did).state["status"])


def test_terminate_refused_for_a_drafter_then_done_by_the_head(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    before = _status(site, did)
    drafter = site.client(site.c.drafter)
    r = site.post(drafter, page, f"{page}/acts/terminate", {"basis": "情势变更", "reason": "客观情况发生重大变化"})
    assert 'data-rule="SoD6"' in r.text and "Arts. 35, 37" in r.text
    assert _status(site, did) == before
    head = site.client(site.c.head)
    r = site.post(head, page, f"{page}/acts/terminate", {"basis": "", "reason": "客观情况发生重大变化"})
    assert 'data-rule="R20"' in r.text and _status(site, did) == before
    assert "客观情况发生重大变化</textarea>" in r.text  # the head's input is kept in the re-shown form
    r = site.post(head, page, f"{page}/acts/terminate", {"basis": "情势变更", "reason": "客观情况发生重大变化"})
    assert 'data-rule="R20"' in r.text and "Arts. 30, 37" in r.text and _status(site, did) == before  # no meeting
    assert "尚无经会议通过的终止执行事项" in head.get(page).text  # the picker says why it is empty
    mid, item = hold_change_meeting(site.ctx, site.c, did, "terminate")
    assert "提请终止执行" in head.get(f"/meetings/{mid}").text  # the meeting page shows the tabled change
    shown = head.get(page).text
    assert f'value="{mid}#{item}"' in shown and "会议通过的事项（决策机关集体讨论决定）" in shown
    r = site.post(head, page, f"{page}/acts/terminate", {"basis": "情势变更", "reason": "客观情况发生重大变化",
                                                         "change_item": f"{mid}#{item}"})
    assert r.status_code == 200 and 'class="banner refused"' not in r.text
    assert _status(site, did) == "terminated"
    replay_equals_live(site.ctx, did)


def test_accountability_case_refused_without_grounds_then_opened(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    auditor = site.client(site.auditor)
    data = {"article": "Art. 40", "facts": "", "person": site.c.executor, "capacity": "execution",
            "summary": "执行不力"}
    r = site.post(auditor, page, f"{page}/acts/accountability", data)
    assert 'data-rule="ACC1"' in r.text and "执行不力" in r.text
    assert accountability.cases(site.ctx, decision_id=did) == []
    r = site.post(auditor, page, f"{page}/acts/accountability", {**data, "facts": "未按期报告执行情况"})
    assert 'class="banner refused"' not in r.text
    opened = accountability.cases(site.ctx, decision_id=did)
    assert len(opened) == 1
    named = site.client(site.c.executor)  # a person named does not open a case (ACC2), nor lacks the role
    r = site.post(named, page, f"{page}/acts/accountability", {**data, "facts": "再次"})
    assert 'data-rule="ACC' in r.text or 'data-rule="SoD' in r.text
    assert len(accountability.cases(site.ctx, decision_id=did)) == 1


def test_execution_progress_report_refused_for_a_non_executor_then_recorded(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    form = {"f_report_kind": "progress", "f_summary": "第一季度完成既定目标的三成"}

    def reports() -> int:
        with site.ctx.store.read() as conn:
            arts = queries.replay(conn, did).state["artifacts"].values()
        return sum(1 for a in arts if a["kind"] == "execution_report")

    before = reports()
    r = site.post(site.client(site.c.drafter), page, f"{page}/artifacts/execution_report", form)
    assert 'class="banner refused"' in r.text and 'data-rule="' in r.text and reports() == before
    executor = site.client(site.c.executor)
    assert 'action="/decisions/' + did + '/artifacts/execution_report"' in executor.get(page).text
    r = site.post(executor, page, f"{page}/artifacts/execution_report", form)
    assert 'class="banner refused"' not in r.text, r.text[r.text.find("banner"):][:600]
    assert reports() == before + 1


def test_a_case_gets_its_findings_and_is_closed_from_the_decision_page(demo_site: tuple[Site, str]) -> None:
    """Findings (ACC2) and closure (ACC3) on the page: a sanction without a finding of responsibility is
    refused with its rule and the input kept; closing with no liability succeeds."""
    site, did = demo_site
    page = f"/decisions/{did}"
    case = accountability.open_case(site.ctx, site.auditor, did, grounds=[{"article": "Art. 40", "text": "迟报"}],
                                    persons=[{"person": site.c.executor, "capacity": "execution"}]).case_id
    auditor = site.client(site.auditor)
    shown = auditor.get(page).text
    assert case in shown and f'id="act-case_findings-{case}"' in shown
    r = site.post(auditor, page, f"{page}/acts/case_findings", {
        "case_id": case, "findings": "经查，系系统故障所致", "person": site.c.executor, "capacity": "execution",
        "finding": "无主观过错", "responsible": "no"})
    assert 'class="banner refused"' not in r.text, r.text[:500]
    shown = auditor.get(page).text
    assert f">{case}<" not in shown and f": {case} " not in shown  # the case is named by its number, not its id
    assert 'name="sanction_person-1"' in shown and "person | measure" not in shown  # picked by name, not typed
    sanction = {"case_id": case, "outcome": "sanctioned", "sanction_person-1": site.c.executor,
                "sanction_measure-1": "警告", "sanction_basis-1": "政务处分法第七条", "reason": "x"}
    r = site.post(auditor, page, f"{page}/acts/case_close", sanction)
    assert 'data-rule="AR11"' in r.text  # the auditor never records a sanction (Art. 38 ¶1)
    inspector = identity.register_person(site.ctx, "监察委审理员", password=PASSWORD)
    identity.grant_role(site.ctx, inspector, "decision_organ", "某市监察委员会", reason="任职")
    competent = site.client(inspector)
    r = site.post(competent, page, f"{page}/acts/case_close", sanction)
    assert 'data-rule="ACC3"' in r.text and "政务处分法第七条" in r.text  # no finding of responsibility
    assert accountability.get_case(site.ctx, case)["status"] == "open"
    r = site.post(auditor, page, f"{page}/acts/case_close", {"case_id": case, "outcome": "no_liability",
                                                             "reason": "无主观过错"})
    assert 'class="banner refused"' not in r.text
    assert accountability.get_case(site.ctx, case)["status"] == "closed"
    assert "不予追责" in auditor.get(page).text


def test_the_organ_decides_on_the_evaluation_and_opens_an_adjustment_from_the_page(
        demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    view = queries.get_decision(site.ctx, did)
    if view["status"] not in ("decided", "published", "in_execution", "evaluated", "suspended"):
        raise AssertionError(f"the demo ends in {view['status']}")
    evaluation = next(a["id"] for a in view["artifacts"] if a["kind"] == "evaluation_report")
    drafter = site.client(site.c.drafter)
    assert 'id="act-adjust"' not in drafter.get(page).text  # not an act of the unit (SoD6)
    r = site.post(drafter, page, f"{page}/acts/evaluation_decision", {"evaluation_id": evaluation,
                                                                      "outcome": "continue", "reasons": "x"})
    assert 'class="banner refused"' in r.text
    office = site.client(site.c.office)
    r = site.post(office, page, f"{page}/acts/evaluation_decision", {"evaluation_id": evaluation,
                                                                     "outcome": "adjust", "reasons": "票价结构需调整"})
    assert 'class="banner refused"' not in r.text
    r = site.post(office, page, f"{page}/acts/adjust", {"title": "关于调整公交票价结构的决定", "reason": "评估建议调整"})
    assert 'data-rule="R20"' in r.text  # the evaluation's conclusion is no collective decision (Arts. 30, 37)
    mid, item = hold_change_meeting(site.ctx, site.c, did, "adjust")
    r = site.post(office, page, f"{page}/acts/adjust", {"title": "关于调整公交票价结构的决定", "reason": "评估建议调整",
                                                       "change_item": f"{mid}#{item}"})
    assert 'class="banner refused"' not in r.text
    new = r.url.path.rsplit("/", 1)[-1]
    assert new != did and queries.get_decision(site.ctx, new)["title"] == "关于调整公交票价结构的决定"
    assert queries.get_decision(site.ctx, did)["status"] == view["status"]  # the original stays intact
    replay_equals_live(site.ctx, did)


def test_the_head_decides_a_tabled_change_from_the_meeting_page(demo_site: tuple[Site, str]) -> None:
    """R20, Arts. 30, 37: the meeting page shows a tabled termination and its head's decision form decides it."""
    from decision_engine.services import meetings
    site, did = demo_site
    c, ctx = site.c, site.ctx
    sec = c.secretary or identity.register_person(ctx, "秘书")
    if not c.secretary:
        identity.grant_role(ctx, sec, "secretariat", "某市人民政府", reason="任职")
    mid = meetings.convene(ctx, sec, meeting_type="executive", title="市政府常务会议", held_on=ctx.today().isoformat(),
                           head=c.head, members=[c.member_a, c.member_b]).meeting_id
    meetings.table_change(ctx, sec, mid, did, change="terminate", reason="上位法修改")
    meetings.record_attendance(ctx, sec, mid, [c.member_a, c.member_b, c.head])
    for who in (c.member_a, c.member_b, c.head):
        meetings.record_opinion(ctx, who, mid, 1, speaker=who, position="support", text="同意")
    head = site.client(c.head)
    page = f"/meetings/{mid}"
    r = site.post(head, page, f"{page}/decide", {"item_no": "1", "outcome": "adopt"})
    assert 'class="banner refused"' not in r.text, r.text[:500]
    assert meetings.get_meeting(ctx, mid)["items"][0]["outcome"]["decision"] == "adopt"
