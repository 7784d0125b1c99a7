"""The decision page after the decision (issue 18 §1): the organ's supervision of the execution (R19, Art. 34),
the order to correct from the organ immediately above and the organ's report on it (ACC5, Art. 38 ¶1), and the
change items the organ's meetings adopted (R20, Arts. 30, 37) — shown in Chinese with who, when and the
article; each form shown only to the person the record authorises for THIS decision, refused with its rule
and article (the input kept), then done."""

from __future__ import annotations

from decision_engine.services import decisions as svc
from decision_engine.services import queries
from decision_engine.services.demo import COUNTY_BUREAU, hold_change_meeting
from tests.pages.conftest import Site, replay_equals_live


def _state(site: Site, did: str) -> dict:
    with site.ctx.store.read() as conn:
        return queries.replay(conn, did).state


def test_the_organ_supervises_the_execution_from_the_page(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    action = f"{page}/acts/supervise"
    executor = site.client(site.c.executor)
    shown = executor.get(page).text
    assert "决策执行情况的督促检查" in shown and "第三十四条" in shown and "尚无督促检查记录" in shown
    assert f'action="{action}"' not in shown  # an execution unit does not supervise itself
    r = site.post(executor, page, action, {"findings": "自查"})
    assert 'data-rule="' in r.text and "supervisions" not in _state(site, did)
    office = site.client(site.c.office)
    shown = office.get(page).text
    assert f'action="{action}"' in shown and 'name="units" value="某市公交集团"' in shown
    r = site.post(office, page, action, {"findings": " ", "instructions": "限期整改到位"})
    assert 'data-rule="R19"' in r.text and 'data-article="Art. 34"' in r.text and "第三十四条" in r.text
    assert "限期整改到位</textarea>" in r.text and "supervisions" not in _state(site, did)
    r = site.post(office, page, action, {"findings": "线路调整进度滞后", "instructions": "限期整改到位",
                                         "units": "某市公交集团"})
    assert 'class="banner refused"' not in r.text
    [s] = _state(site, did)["supervisions"]
    assert s["findings"] == "线路调整进度滞后" and s["units"] == ["某市公交集团"]
    assert "线路调整进度滞后" in r.text and "周敏（市政府办公室）" in r.text and "尚无督促检查记录" not in r.text
    replay_equals_live(site.ctx, did)


def test_the_organ_above_orders_a_correction_and_the_organ_reports_it(site: Site) -> None:
    c = site.c
    did = svc.open_decision(site.ctx, c.county_drafter, title="县城公交线网优化", category="public_project",
                            unit=COUNTY_BUREAU).decision_id
    page = f"/decisions/{did}"
    order_door, report_door = f"{page}/acts/correction", f"{page}/acts/correction_report"
    county = site.client(c.county_head)
    assert f'action="{order_door}"' not in county.get(page).text  # not its own superior
    r = site.post(county, page, order_door, {"breach": "第三十条", "findings": "未经常务会议讨论",
                                             "required": "重新讨论"})
    assert 'data-rule="AR11"' in r.text and "第三十八条第一款" in r.text
    city = site.client(c.head)  # the city government: the organ immediately above the county's
    shown = city.get(page).text
    assert f'action="{order_door}"' in shown and "上一级行政机关责令改正" in shown
    assert f'action="{report_door}"' not in shown
    r = site.post(city, page, order_door, {"breach": " ", "findings": "未经常务会议讨论", "required": "重新讨论"})
    assert 'data-rule="ACC5"' in r.text and "未经常务会议讨论</textarea>" in r.text
    assert not _state(site, did).get("corrections")
    r = site.post(city, page, order_door, {"breach": "未依第三十条经常务会议讨论", "findings": "未经常务会议讨论即实施",
                                           "required": "提交常务会议讨论", "due_by": ""})
    assert 'class="banner refused"' not in r.text and "未经常务会议讨论即实施" in r.text and "尚未报告" in r.text
    [order] = _state(site, did)["corrections"]
    assert f'action="{report_door}"' not in r.text  # the organ above does not report on its own order
    shown = county.get(page).text
    assert f'action="{report_door}"' in shown and f'value="{order["order_id"]}"' in shown
    assert "CO-" not in shown.split(f'action="{report_door}"')[1].split("</form>")[0].replace(
        f'value="{order["order_id"]}"', "")  # the picker shows the order in words, its id only as the value
    r = site.post(county, page, report_door, {"order_id": order["order_id"], "report": " "})
    assert 'data-rule="ACC5"' in r.text and "改正" in r.text
    r = site.post(county, page, report_door, {"order_id": order["order_id"], "report": "已提交县政府常务会议讨论"})
    assert 'class="banner refused"' not in r.text and "已提交县政府常务会议讨论" in r.text
    assert "赵刚（县长）" in r.text and f'action="{report_door}"' not in r.text  # reported once
    assert _state(site, did)["corrections"][0]["report"]["text"] == "已提交县政府常务会议讨论"
    replay_equals_live(site.ctx, did)


def test_the_change_items_adopted_at_a_meeting_are_shown_with_their_state(demo_site: tuple[Site, str]) -> None:
    site, did = demo_site
    page = f"/decisions/{did}"
    head = site.client(site.c.head)
    assert "决策机关会议讨论决定的变更事项" not in head.get(page).text
    mid, item = hold_change_meeting(site.ctx, site.c, did, "terminate")
    shown = head.get(page).text
    assert "决策机关会议讨论决定的变更事项" in shown and "会议已通过，尚未办理" in shown
    assert "第三十条、第三十七条" in shown
    r = site.post(head, page, f"{page}/acts/terminate", {"basis": "情势变更", "reason": "客观情况发生重大变化",
                                                         "change_item": f"{mid}#{item}"})
    assert 'class="banner refused"' not in r.text
    assert "已办理：" in r.text and "王明（市长）" in r.text and "会议已通过，尚未办理" not in r.text
