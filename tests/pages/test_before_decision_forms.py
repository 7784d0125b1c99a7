"""The page forms of the articles before the decision meeting (issue 16): the organ's level and the law whose
procedure prevails on the 立项 form (R1, Arts. 2, 42; Art. 3 ¶2), refused in a banner with the rule and
article in Chinese, and kept on the decision page when accepted."""

from __future__ import annotations

from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import Site

pytestmark = WARNINGS_ARE_ERRORS


def test_the_open_form_asks_for_the_organ_level_in_chinese_and_refuses_a_level_outside_the_regulation(
        site: Site) -> None:
    client = site.client(site.c.drafter)
    form = client.get("/decisions/new").text
    assert "决策机关层级" in form and "乡级人民政府（参照执行）" in form and "法律、行政法规另有规定的决策程序" in form
    r = site.post(client, "/decisions/new", "/decisions/new", {
        "title": "关于调整公交票价的决定", "category": "public_project", "unit": "某市交通运输局",
        "organ_level": "village"})
    assert r.url.path == "/decisions/new"
    assert 'data-rule="R1"' in r.text and 'data-article="Arts. 2, 42"' in r.text and "县级以上地方人民政府" in r.text


def test_an_accepted_level_and_law_are_shown_on_the_decision_page(site: Site) -> None:
    client = site.client(site.c.drafter)
    r = site.post(client, "/decisions/new", "/decisions/new", {
        "title": "关于调整公交票价的决定", "category": "public_project", "unit": "某市交通运输局",
        "organ_level": "county", "procedure_by_law": "价格法第二十三条"})
    assert r.url.path.startswith("/decisions/MAD-"), r.text[:300]
    assert "县级人民政府" in r.text and "价格法第二十三条" in r.text


def test_the_meeting_page_lists_the_other_materials_of_the_packet(site: Site) -> None:
    from tests.conftest import Walk
    walk = Walk(site.ctx)
    walk.c = site.c  # the site's people, who can log in
    walk.ready()
    walk.art(walk.c.drafter, "other_material", title="成本监审报告", reason="票价调整须附成本监审结论")
    walk.meeting()
    page = site.client(walk.c.head).get(f"/meetings/{walk.meeting_id}")
    assert page.status_code == 200
    assert "其他材料" in page.text and "成本监审报告" in page.text and "票价调整须附成本监审结论" in page.text


def test_the_publish_form_asks_how_the_interpretation_is_made_public_and_refuses_without_it(site: Site) -> None:
    from decision_engine.services import queries
    from tests.conftest import Walk
    walk = Walk(site.ctx)
    walk.c = site.c
    walk.decided()
    office = site.client(walk.c.office)
    page = f"/decisions/{walk.did}"
    assert "宣传解读方式（新闻发布会、接受访谈等）" in office.get(page).text
    r = site.post(office, page, f"{page}/publish", {"channels": "政府公报\n政府网站\n某市日报",
                                                     "interpretation": "政策解读"})
    assert 'class="banner refused"' in r.text and 'data-rule="R17"' in r.text and "新闻发布会" in r.text
    assert queries.get_decision(site.ctx, walk.did)["status"] == "decided"  # nothing half-written
    r = site.post(office, page, f"{page}/publish", {"channels": "政府公报\n政府网站\n某市日报",
                                                     "interpretation": "政策解读", "interpretation_means": "新闻发布会"})
    assert 'class="banner refused"' not in r.text, r.text[:400]
    kinds = [a["kind"] for a in queries.get_decision(site.ctx, walk.did)["artifacts"]]
    assert "interpretation" in kinds and "publication_record" in kinds
