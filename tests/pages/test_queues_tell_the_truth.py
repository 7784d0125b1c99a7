"""Queues that tell the truth (issue 18 §6–§7), through the pages over real HTTP: the legal office's work page
shows the submissions /legal holds; an act the domain would refuse now is not offered as a to-do, and is
offered once it would not; no to-do appears twice; an auditor is offered neither a new decision nor a render
form; status and stage never disagree in what is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from decision_engine.services import decisions as svc
from decision_engine.services import publication, work
from decision_engine.services.demo import BUREAU
from tests.conftest import WARNINGS_ARE_ERRORS, Walk
from tests.pages.conftest import Site

pytestmark = WARNINGS_ARE_ERRORS


def walker(site: Site) -> Walk:
    """The conftest's walker, over the site's own people (who can log in)."""
    w = object.__new__(Walk)
    w.ctx, w.svc, w.bureau, w.c, w.did = site.ctx, svc, BUREAU, site.c, ""
    return w


def submitted_for_review(w: Walk) -> None:
    w.open().start().determine().coordinate().participate()
    deadline = w.ctx.calendar.add_working_days(w.ctx.today(), 8).due
    w.art(w.c.drafter, "legality_submission", legal_basis="价格法", procedure_explanation="已履行",
          requested_deadline=deadline.isoformat())


def test_the_legal_reviewers_work_page_shows_the_submission_the_legal_office_holds(site: Site) -> None:
    w = walker(site)
    reviewer = site.client(site.c.reviewer)
    assert "合法性审查机构在审的送审材料" not in reviewer.get("/work").text  # nothing submitted yet
    submitted_for_review(w)
    assert work.work_queue(w.ctx, w.c.reviewer)["items"] == []  # the adviser speaks first (R12, Art. 28)
    page = reviewer.get("/work").text
    legal = reviewer.get("/legal").text
    assert "关于调整公交票价的决定" in legal
    assert "合法性审查机构在审的送审材料" in page and "关于调整公交票价的决定" in page
    assert "法律顾问、公职律师意见" in page and "legal_adviser_opinion" not in page  # what it needs, in words
    drafter = site.client(site.c.drafter).get("/work").text
    assert "合法性审查机构在审的送审材料" not in drafter  # the legal office's, not everyone's


def test_an_act_the_domain_would_refuse_now_is_not_offered_then_is_once_it_would_not(site: Site) -> None:
    w = walker(site)
    w.open().start().determine().coordinate()
    today = w.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    drafter = site.client(site.c.drafter)

    def offered() -> set[str]:
        return {i["kind"] for i in work.work_queue(w.ctx, w.c.drafter)["items"]}
    # R6 Art. 15: the adoption summary is refused while the window is open, and so is the legality
    # submission before it (R8): neither is a to-do
    assert {"opinion_summary", "legality_submission"} & offered() == set()
    assert "意见采纳情况" not in drafter.get("/work").text
    w.ctx.clock.advance(days=31)  # type: ignore[attr-defined]
    assert "opinion_summary" in offered()
    assert "意见采纳情况" in drafter.get("/work").text


def test_a_refusal_in_the_queue_is_the_domains_own(site: Site) -> None:
    w = walker(site)
    w.open().start().determine().coordinate()
    today = w.ctx.today()
    w.art(w.c.drafter, "comment_notice", explanation="说明", channels=["网站"], method="留言",
          published_at=today.isoformat(), deadline=(today + timedelta(days=30)).isoformat())
    with w.ctx.store.read() as conn:
        d = svc.load(conn, w.did)[0]
        from decision_engine.services.identity import actors_of
        actors = actors_of(conn, w.c.drafter, w.ctx.now_iso())
    refusal = work.refused_now(d, actors, "record", "public_participation", "opinion_summary", w.ctx.calendar,
                               today)
    assert refusal is not None and (refusal.rule, refusal.article) == ("R6", "Art. 15")
    assert work.refused_now(d, actors, "record", "public_participation", "participation_record", w.ctx.calendar,
                            today) is None  # only what is typed can still be refused


def test_no_to_do_is_offered_twice_to_anyone(site: Site) -> None:
    w = walker(site)
    steps: tuple[Callable[[], object], ...] = (lambda: w.open().start(), w.determine, w.coordinate,
                                               w.participate, w.legality, w.ready)
    for step in steps:
        step()
        for person in vars(site.c).values():
            items = work.work_queue(w.ctx, person)["items"]
            keys = [(i["decision_id"], i["gate"], i["act"], i["kind"]) for i in items]
            assert len(keys) == len(set(keys)), keys


def test_an_auditor_is_offered_neither_a_new_decision_nor_a_render_form(site: Site) -> None:
    w = walker(site).open().start()
    auditor, head = site.client(site.auditor), site.client(site.c.head)
    assert 'href="/decisions/new"' not in auditor.get("/work").text
    assert f'action="/decisions/{w.did}/documents"' not in auditor.get(f"/decisions/{w.did}").text
    assert 'href="/decisions/new"' in head.get("/work").text  # the head may open one
    assert f'action="/decisions/{w.did}/documents"' in head.get(f"/decisions/{w.did}").text


def test_status_and_stage_agree_in_what_is_shown(site: Site) -> None:
    w = walker(site).decided()
    publication.publish(w.ctx, w.c.office, w.did, channels=["政府网站"])  # a channel short: S6 is not settled
    client = site.client(site.c.head)
    page = client.get(f"/decisions/{w.did}").text
    assert "阶段: 决策执行和调整（决策公布尚未办结）" in page.replace("：", ": ") or \
        "决策执行和调整（决策公布尚未办结）" in page
    listing = client.get("/decisions").text
    assert "决策执行和调整（决策公布尚未办结）" in listing and ">S6<" not in listing


def test_a_stage_in_step_with_its_status_is_named_alone(site: Site) -> None:
    w = walker(site).open().start()
    page = site.client(site.c.head).get(f"/decisions/{w.did}").text
    assert "尚未办结）" not in page.split("<h2", 1)[0]


