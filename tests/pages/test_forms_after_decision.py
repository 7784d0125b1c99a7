"""Forms added on the decision page for acts after the decision: an execution progress report (the generic
artifact form, the same record_artifact the API's execution route calls), termination (R20, SoD6) and an
accountability case (ACC1, ACC2); each done once and refused once with its rule, the input kept."""

from __future__ import annotations

from decision_engine.services import accountability, queries
from tests.pages.conftest import Site, replay_equals_live


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
