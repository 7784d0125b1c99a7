"""The expert pool page (R9, Art. 21): the organ adds a person holding the role expert and takes one out
with the reason; the unit may read the pool but not keep it; a person without the role expert is refused
with the rule; the history stays on the pool's stream."""

from __future__ import annotations

from sqlalchemy import select

from decision_engine.adapters.tables import EVENTS
from decision_engine.services import experts
from tests.pages.conftest import Site


def test_the_organ_keeps_the_pool_on_its_page(site: Site) -> None:
    office = site.client(site.c.office)
    r = site.post(office, "/experts", "/experts", {"person_id": site.c.expert_a, "fields": "交通规划\n公共交通",
                                                     "affiliation": "某大学交通学院", "title": "教授"})
    assert r.status_code == 200 and 'class="banner refused"' not in r.text, r.text[:400]
    assert "孙教授" in r.text and "交通规划、公共交通" in r.text
    # A person without the role expert cannot enter the pool (R9), the input is kept.
    r = site.post(office, "/experts", "/experts", {"person_id": site.c.drafter, "fields": "法律",
                                                     "affiliation": "某市交通运输局"})
    assert 'data-rule="R9"' in r.text and "某市交通运输局" in r.text
    # The undertaking unit reads the pool but does not keep it.
    drafter = site.client(site.c.drafter)
    shown = drafter.get("/experts?field=交通").text
    assert "孙教授" in shown
    assert 'id="pool-add"' not in shown and 'method="post" action="/experts"' not in shown and "/retire" not in shown  # R9 Art. 21
    assert "第二十一条" in shown
    assert 'id="pool-add"' in office.get("/experts").text and "/retire" in office.get("/experts").text
    assert "孙教授" not in drafter.get("/experts?field=水利").text.split('id="pool-add"')[0]  # the listing, not the picker
    r = site.post(drafter, "/experts", f"/experts/{site.c.expert_a}/retire", {"reason": "退休"})
    assert 'class="banner refused"' in r.text and [e["person_id"] for e in experts.pool(site.ctx)] == [
        site.c.expert_a]
    r = site.post(office, "/experts", f"/experts/{site.c.expert_a}/retire", {"reason": "退休"})
    assert 'class="banner refused"' not in r.text and experts.pool(site.ctx) == []
    with site.ctx.store.read() as conn:
        kinds = [t for (t,) in conn.execute(select(EVENTS.c.type).where(EVENTS.c.type.like("Expert%Pool")))]
    assert kinds == ["ExpertAddedToPool", "ExpertLeftPool"]
