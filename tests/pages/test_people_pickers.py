"""People pickers (issue 18): a meeting is convened by choosing its head and its members by name — the form
offers the people who hold the roles, shows no id, and a refused form comes back with the same people ticked."""

from __future__ import annotations

import re

import pytest

from tests.pages.conftest import Site, csrf_of

pytestmark = pytest.mark.filterwarnings("error")


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
