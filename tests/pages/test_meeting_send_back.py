"""The head's decision at the meeting sends an item back naming the gates to reopen by their Chinese names,
ticked, never typed as codes (issue 18 §5; R15, SoD4, Art. 30); without a gate it is refused with its rule,
the reason kept."""

from __future__ import annotations

import re

from decision_engine.services import decisions as svc
from decision_engine.services import meetings, queries
from decision_engine.services.demo import BUREAU
from tests.conftest import Walk
from tests.pages.conftest import Site


def test_the_head_sends_back_by_ticking_the_gates_by_name(site: Site) -> None:
    c = site.c
    w = Walk.__new__(Walk)  # the decision walker over the site's people (who have passwords)
    w.ctx, w.svc, w.bureau, w.c, w.did, w.meeting_id = site.ctx, svc, BUREAU, c, "", ""
    did = w.ready().did
    mid = meetings.convene(site.ctx, c.secretary, meeting_type="executive", title="市政府常务会议",
                           held_on=site.ctx.today().isoformat(), head=c.head, members=[c.member_a]).meeting_id
    meetings.place_on_agenda(site.ctx, c.secretary, mid, did)
    meetings.record_attendance(site.ctx, c.secretary, mid, [c.member_a, c.head])
    for who in (c.member_a, c.head):
        meetings.record_opinion(site.ctx, who, mid, 1, speaker=who, position="support", text="同意")
    head = site.client(c.head)
    page = f"/meetings/{mid}"
    shown = head.get(page).text
    form = shown.split('id="m-decide-1"')[1].split("</form>")[0]
    assert 'type="checkbox" name="reopen_gates" value="legality_review"' in form and "合法性审查" in form
    assert "<textarea" not in form.split("reopen_gates")[0].rsplit("<fieldset", 1)[-1]  # ticked, not typed
    assert not re.search(r">\s*legality_review\s*<", form)  # the code is the value, never the words
    r = site.post(head, page, f"{page}/decide", {"item_no": "1", "outcome": "send_back", "reason": "补充论证", "head_reasons": "需补充论证"})
    assert 'data-rule="R15"' in r.text and "补充论证</textarea>" in r.text
    r = site.post(head, page, f"{page}/decide", {"item_no": "1", "outcome": "send_back", "reason": "补充论证", "head_reasons": "需补充论证",
                                                 "reopen_gates": "legality_review"})
    assert 'class="banner refused"' not in r.text, r.text[r.text.find("banner"):][:400]
    assert queries.get_decision(site.ctx, did)["status"] == "in_procedure"
