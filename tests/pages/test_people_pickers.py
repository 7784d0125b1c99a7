"""People pickers (issue 18): a meeting is convened by choosing its head and its members by name — the form
offers the people who hold the roles, shows no id, and a refused form comes back with the same people ticked."""

from __future__ import annotations

import re

from decision_engine.services import decisions as svc
from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import Site, csrf_of

pytestmark = WARNINGS_ARE_ERRORS


def names(site: Site) -> dict[str, str]:
    from decision_engine.services import identity
    return {p["id"]: p["name"] for p in identity.people(site.ctx)}


def test_the_convening_form_offers_heads_and_members_by_name_and_no_id(site: Site) -> None:
    page = site.client(site.c.office).get("/meetings").text
    form = page[page.index('id="convene"'):page.index("</details>", page.index('id="convene"'))]
    who = names(site)
    heads = re.findall(r'<select id="cv-head" name="head" required>(.*?)</select>', form, re.S)[0]
    assert f'value="{site.c.head}"' in heads and who[site.c.head] in heads
    assert f'value="{site.c.drafter}"' not in heads  # only an administrative head presides (SoD4)
    for member in (site.c.member_a, site.c.member_b):
        assert f'type="checkbox" name="members" value="{member}"' in form and who[member] in form
    shown = re.sub(r"<[^>]+>", " ", form)
    assert not re.search(r"\bP-[0-9a-f]{6,}", shown)  # ids only inside the values, never shown
    assert "<textarea" not in form and "person id" not in form


def test_a_meeting_convened_from_the_picker_has_the_members_chosen(site: Site) -> None:
    client = site.client(site.c.office)
    token = csrf_of(client.get("/meetings").text)
    r = client.post("/meetings", data={"csrf_token": token, "meeting_type": "executive", "title": "市政府常务会议",
                                       "held_on": site.ctx.today().isoformat(), "head": site.c.head,
                                       "members": [site.c.member_a, site.c.member_b]})
    assert r.status_code == 200 and r.url.path.startswith("/meetings/M"), r.url
    who = names(site)
    assert who[site.c.member_a] in r.text and who[site.c.member_b] in r.text


def test_a_refused_convening_keeps_the_people_ticked(site: Site) -> None:
    client = site.client(site.c.office)
    token = csrf_of(client.get("/meetings").text)
    r = client.post("/meetings", data={"csrf_token": token, "meeting_type": "executive", "title": "市政府常务会议",
                                       "held_on": site.ctx.today().isoformat(), "head": site.c.member_a,
                                       "members": [site.c.member_b, site.c.head]})
    assert 'data-rule="SoD4"' in r.text and "不是行政首长" in r.text  # the refusal, in words
    for member in (site.c.member_b, site.c.head):
        assert f'name="members" value="{member}" checked' in r.text
    assert f'name="members" value="{site.c.member_a}" checked' not in r.text


def test_hearing_participants_and_meeting_attendance_are_ticked_by_name_on_the_decision_page(site: Site) -> None:
    from datetime import timedelta

    from decision_engine.services import hearings, identity
    from tests.pages.test_queues_tell_the_truth import walker

    w = walker(site).open().start().determine(hearing_required_by_law=True)
    resident = identity.register_person(site.ctx, "居民代表陈", password="Pages-Passw0rd!")
    identity.grant_role(site.ctx, resident, "hearing_participant", "某社区", reason="经遴选")
    today = site.ctx.today()
    w.art(site.c.drafter, "hearing_notice", published_at=today.isoformat(),
          hearing_at=(today + timedelta(days=10)).isoformat(), place="市政府第一会议室")
    hearings.publish_selection_method(site.ctx, site.c.drafter, w.did, method="自愿报名、随机选取")
    site.ctx.clock.advance(days=1)  # type: ignore[attr-defined]
    client = site.client(site.c.drafter)
    page = f"/decisions/{w.did}"
    shown = client.get(page).text
    form = shown[shown.index('id="art-hearing_participant_list"'):]
    form = form[:form.index("</details>")]
    assert f'type="checkbox" name="f_participants" value="{resident}"' in form and "居民代表陈" in form
    assert "<textarea" not in form.split("f_participants")[0].rsplit("<fieldset", 1)[-1]
    day = site.ctx.today().isoformat()
    r = client.post(f"{page}/artifacts/hearing_participant_list", data={
        "csrf_token": csrf_of(shown), "f_participants": [resident], "f_selected_at": day, "f_published_at": day})
    assert 'class="banner refused"' not in r.text, r.text[r.text.find("banner refused"):][:400]
    with site.ctx.store.read() as conn:
        d = svc.load(conn, w.did)[0]
    [listed] = d.artifacts_of("hearing", "hearing_participant_list")
    assert listed["fields"]["participants"] == [resident]  # the id, chosen by the name shown
    head_page = site.client(site.c.head).get(page).text
    meeting_form = head_page[head_page.index('id="art-meeting_record"'):].split("</details>")[0]
    assert 'type="checkbox" name="f_attendance"' in meeting_form and "(person ids)" not in meeting_form


def test_an_official_logs_in_by_name_and_a_shared_name_needs_the_id(site: Site) -> None:
    from decision_engine.services import identity
    from tests.pages.conftest import PASSWORD
    who = names(site)
    client = site.client()
    r = client.post("/login", data={"csrf_token": csrf_of(client.get("/login").text), "person_id": who[site.c.drafter],
                                    "password": PASSWORD, "next": "/work"}, follow_redirects=False)
    assert r.headers["location"] == "/work"
    twin = identity.register_person(site.ctx, who[site.c.drafter], password=PASSWORD)
    other = site.client()
    r = other.post("/login", data={"csrf_token": csrf_of(other.get("/login").text), "person_id": who[site.c.drafter],
                                   "password": PASSWORD, "next": "/work"}, follow_redirects=False)
    assert r.headers["location"].startswith("/login")  # two people share the name: not guessed
    r = other.post("/login", data={"csrf_token": csrf_of(other.get("/login").text), "person_id": twin,
                                   "password": PASSWORD, "next": "/work"}, follow_redirects=False)
    assert r.headers["location"] == "/work"
    client.close()
    other.close()


def test_the_forms_pick_experts_people_and_records_by_name(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    who = names(site)
    page = site.client(site.c.office).get("/experts").text
    assert '<select id="pa-person" name="person_id" required>' in page and who[site.c.expert_a] in page
    page = site.client(site.c.head).get(f"/decisions/{did}").text
    acc = page[page.index('id="acc-person"'):page.index("</select>", page.index('id="acc-person"'))]
    assert f'value="{site.c.executor}"' in acc and who[site.c.executor] in acc
    ref = page[page.index('id="adj-ref"'):page.index("</select>", page.index('id="adj-ref"'))]
    assert "<option" in ref and "A-" not in re.sub(r'value="[^"]*"', "", ref)
