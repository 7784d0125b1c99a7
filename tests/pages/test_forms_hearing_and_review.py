"""Forms on the decision page for the hearing record (R7, SoD5, Art. 17) and the legal office's supplement
request (R11, Art. 26): the organiser presents the record, a listed participant confirms it with their own
login, anyone else is refused with the rule; the reviewer asks for material and the review clock stops."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.services import hearings, identity, legality, queries
from tests.conftest import Walk
from tests.pages.conftest import PASSWORD, Site, replay_equals_live


def _walk(site: Site) -> Walk:
    walk = Walk(site.ctx)
    walk.c = site.c  # the site's people, who can log in
    return walk


def test_the_hearing_record_is_presented_and_confirmed_on_the_page(site: Site) -> None:
    walk = _walk(site)
    walk.open().start().determine(hearing_required_by_law=True)
    participant = identity.register_person(site.ctx, "居民代表陈", password=PASSWORD)
    identity.grant_role(site.ctx, participant, "hearing_participant", "某社区", reason="经遴选")
    today = site.ctx.today()
    walk.art(site.c.drafter, "hearing_notice", published_at=today.isoformat(),
             hearing_at=(today + timedelta(days=10)).isoformat(), place="市政府第一会议室")
    hearings.publish_selection_method(site.ctx, site.c.drafter, walk.did, method="自愿报名、随机选取")
    site.ctx.clock.advance(days=1)  # type: ignore[attr-defined]
    hearings.publish_participants(site.ctx, site.c.drafter, walk.did, participants=[participant],
                                  selected_at=site.ctx.today().isoformat())
    site.ctx.clock.advance(days=9)  # type: ignore[attr-defined]
    page = f"/decisions/{walk.did}"
    drafter = site.client(site.c.drafter)
    assert 'id="act-hearing_record"' in drafter.get(page).text
    r = site.post(drafter, page, f"{page}/acts/hearing_record", {"text": "听证笔录：参加人发言如下……"})
    assert 'class="banner refused"' not in r.text, r.text[:400]
    [record] = hearings.hearing_status(site.ctx, walk.did)["records"]
    assert record["sha256"] in r.text
    # The drafter is not a participant: refused with SoD5, nothing confirmed.
    r = site.post(drafter, page, f"{page}/acts/hearing_confirm", {"sha256": record["sha256"], "remarks": ""})
    assert 'data-rule="SoD5"' in r.text
    person = site.client(participant)
    shown = person.get(page).text
    assert 'id="act-hearing_confirm"' in shown and 'id="act-hearing_record"' not in shown
    assert f'{record["sha256"][:16]}…</option>' not in shown  # the record is picked by its words, not its hash
    r = site.post(person, page, f"{page}/acts/hearing_confirm", {"sha256": record["sha256"], "remarks": "无异议"})
    assert 'class="banner refused"' not in r.text
    [record] = hearings.hearing_status(site.ctx, walk.did)["records"]
    assert [c["person"] for c in record["confirmations"]] == [participant]
    replay_equals_live(site.ctx, walk.did)


def test_the_reviewer_asks_for_supplementary_material_on_the_page(site: Site) -> None:
    walk = _walk(site)
    walk.open().start().determine().coordinate().participate()
    deadline = site.ctx.calendar.add_working_days(site.ctx.today(), 8)
    walk.art(site.c.drafter, "legality_submission", legal_basis="价格法第二十三条", procedure_explanation="已履行",
             requested_deadline=deadline.due.isoformat())
    page = f"/decisions/{walk.did}"
    drafter = site.client(site.c.drafter)
    assert 'id="act-supplement"' not in drafter.get(page).text  # an act of the legal office (SoD1)
    r = site.post(drafter, page, f"{page}/acts/supplement", {"items": "成本监审报告", "reason": "材料不全"})
    assert 'class="banner refused"' in r.text
    reviewer = site.client(site.c.reviewer)
    r = site.post(reviewer, page, f"{page}/acts/supplement", {"items": "成本监审报告\n听证笔录", "reason": ""})
    assert 'class="banner refused"' in r.text and "成本监审报告" in r.text  # the input is kept
    r = site.post(reviewer, page, f"{page}/acts/supplement", {"items": "成本监审报告\n听证笔录", "reason": "材料不全"})
    assert 'class="banner refused"' not in r.text, r.text[:400]
    types = [e["type"] for e in queries.events(site.ctx, walk.did)]
    assert any("Supplement" in t for t in types), types
    clock = legality.clock(site.ctx, walk.did)
    assert clock is not None
    replay_equals_live(site.ctx, walk.did)
