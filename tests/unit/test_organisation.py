"""The organisation as data (issue 15 §1, DESIGN §8, docs/organisation.md): the org file, its refusals (ORG1),
the fold and idempotent loading, time travel, the unit of a role grant (ORG2), the system administrator's
changes, `decide verify` and `decide org`, and the demo's two governments. Pure parts on plain data; the
rest on a real SQLite store."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from decision_engine.adapters import store as st
from decision_engine.domain import organisation as org
from decision_engine.domain.errors import InvalidInput, NotPermitted
from decision_engine.services import identity, organisation, verification
from decision_engine.services.context import Context
from decision_engine.services.demo import (
    BUREAU,
    CITY,
    COUNTY,
    COUNTY_BUREAU,
    JUSTICE,
    TRANSIT,
    cast,
    org_file,
    staff,
)

CITY_ORGAN, COUNTY_ORGAN = "某市人民政府", "某县人民政府"


def small() -> dict[str, Any]:
    """A small org file: a city with two units, a county under it with one, one external body."""
    return {"organs": [
        {"id": "c", "name": "某市人民政府", "level": "city",
         "units": [{"id": "市政府", "kind": "leadership"}, {"id": "市司法局", "kind": "legal_office"}]},
        {"id": "k", "name": "某县人民政府", "level": "county", "superior": "c",
         "units": [{"id": "县政府", "kind": "leadership"}]}],
        "units": [{"id": "某大学", "kind": "external"}]}


def refused(data: dict[str, Any], *words: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        org.parse_file(data)
    err = caught.value
    assert err.rule == "ORG1" and err.article and err.message.startswith("组织机构有误")
    for w in words:
        assert w in err.message, err.message
    return err


# ------------------------------------------------------------------------------------------- the file (pure)
def test_the_demo_file_folds_to_a_city_and_a_county_under_it() -> None:
    chart = org.fold(org.OrgChart.single_organ(), org.parse_file(org_file()))
    assert not chart.single
    assert set(chart.organs) == {CITY_ORGAN, COUNTY_ORGAN}
    assert chart.organs[COUNTY_ORGAN].level == "county" and chart.superiors(COUNTY_ORGAN) == (CITY_ORGAN,)
    assert chart.superiors(CITY_ORGAN) == ()
    assert chart.organ_of(BUREAU) == CITY_ORGAN and chart.organ_of(COUNTY_BUREAU) == COUNTY_ORGAN
    assert chart.units_of(CITY_ORGAN, "legal_office") == (JUSTICE,)
    assert chart.units_of(COUNTY_ORGAN, "legal_office") == ("某县司法局",)
    assert chart.units_of(CITY_ORGAN, "party_committee") == ("中共某市委",)
    assert chart.units_of(COUNTY_ORGAN, "general_office") == ("某县人民政府办公室",)
    assert chart.organ_of(TRANSIT) is None and chart.kind_of(TRANSIT) == "external"
    assert org.problems_zh(chart) == []


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["organs"][1].update(superior="nowhere"), ("机关 k 的上级机关 nowhere 未登记",)),
    (lambda d: d["organs"][0].update(superior="k"), ("上级机关链构成循环",)),
    (lambda d: d["organs"][1].update(superior="k"), ("上级机关链构成循环",)),
    (lambda d: d["organs"][0].update(level="metropolis"), ("层级 level “metropolis” 无效",)),
    (lambda d: d["organs"][0].update(kind="ministry"), ("类别 kind “ministry” 无效",)),
    (lambda d: (d["organs"][0].update(level="county"), d["organs"][1].update(level="city")), ("层级更低",)),
    (lambda d: d["organs"][1]["units"].append({"id": "市政府", "kind": "leadership"}), ("单位 市政府 重复登记",)),
    (lambda d: d["organs"].append({"id": "c", "level": "city"}), ("机关 c 重复登记",)),
    (lambda d: d["units"].append({"id": "x", "organ": "nowhere"}), ("单位 x 的所属机关 nowhere 未登记",)),
    (lambda d: d["units"].append({"id": "y"}), ("单位 y 未指定所属机关",)),
    (lambda d: d["units"].append({"id": "z", "organ": "c", "kind": "external"}), ("外部单位 z 不属于任何机关",)),
    (lambda d: d["units"].append({"id": "w", "organ": "c", "kind": "bureau"}), ("类别 kind “bureau” 无效",)),
    (lambda d: d["organs"][0].pop("level"), ("机关 c 的层级 level不能为空",)),
    (lambda d: d["units"].append({"kind": "external"}), ("单位标识 id不能为空",)),
    (lambda d: d["units"].append({"id": 7, "kind": "external"}), ("单位标识 id须为文字",)),
    (lambda d: d.update(units={"id": "x"}), ("units 须为 [[units]] 表的列表",)),
    (lambda d: d.update(organs=[]), ("至少须登记一个机关",)),
    (lambda d: d.update(organ=[]), ("未知的键：organ",)),
])
def test_an_inconsistent_file_is_refused_whole_naming_the_problem(change: Any, words: tuple[str, ...]) -> None:
    data = small()
    change(data)
    refused(data, *words)


def test_every_problem_is_named_at_once() -> None:
    data = small()
    data["organs"][1]["superior"] = "nowhere"
    data["units"].append({"id": "x", "organ": "elsewhere"})
    refused(data, "nowhere", "elsewhere")


def test_changes_keep_only_what_the_chart_does_not_already_hold() -> None:
    events = org.parse_file(small())
    chart = org.fold(org.OrgChart.single_organ(), events)
    assert org.changes(chart, events) == []
    renamed = small()
    renamed["organs"][1]["units"][0]["name"] = "某县人民政府领导"
    again = org.changes(chart, org.parse_file(renamed))
    assert again == [("UnitRegistered", {"id": "县政府", "organ": "k", "kind": "leadership", "name": "某县人民政府领导"})]


def test_moving_and_retiring_units_and_their_refusals() -> None:
    chart = org.fold(org.OrgChart.single_organ(), org.parse_file(small()))
    moved = org.move_unit(chart, "市司法局", "k")
    assert moved == [("UnitMoved", {"id": "市司法局", "organ": "k", "from": "c"})]
    after = org.fold(chart, moved)
    assert after.organ_of("市司法局") == "k" and after.units_of("k", "legal_office") == ("市司法局",)
    assert org.move_unit(after, "市司法局", "k") == []  # already there: nothing
    for unit, organ, words in (("nowhere", "k", "单位 nowhere 未登记"), ("市司法局", "nowhere", "机关 nowhere 未登记"),
                               ("某大学", "k", "外部单位 某大学 不属于任何机关")):
        with pytest.raises(InvalidInput, match=words) as caught:
            org.move_unit(chart, unit, organ)
        assert caught.value.rule == "ORG1"
    retired = org.fold(chart, org.retire_unit(chart, "县政府", "撤并"))
    assert "县政府" not in retired.units and retired.kind_of("县政府") == "external"
    with pytest.raises(InvalidInput, match="单位 县政府 未登记，不能撤销"):
        org.retire_unit(retired, "县政府")
    with pytest.raises(InvalidInput, match="上级机关链构成循环"):  # changing an organ keeps the chart consistent
        org.register_organ(chart, org.Organ("c", "某市人民政府", "city", superior="k"))


def test_a_role_is_held_in_a_unit_the_chart_knows_except_external_roles() -> None:
    chart = org.fold(org.OrgChart.single_organ(), org.parse_file(small()))
    org.check_role_unit(chart, "undertaking_unit", "市政府")
    for role in org.EXTERNAL_ROLES:
        org.check_role_unit(chart, role, "某律师事务所（未登记）")
        org.check_role_unit(chart, role, "某大学")
    for admin in ("system_admin", "security_admin", "audit_admin"):
        org.check_role_unit(chart, admin, "—")
    with pytest.raises(InvalidInput, match="单位“某区交通局”不在组织机构中") as caught:
        org.check_role_unit(chart, "undertaking_unit", "某区交通局")
    assert caught.value.rule == "ORG2" and caught.value.article
    with pytest.raises(InvalidInput, match="“某大学”是外部单位，只能授予外部角色") as caught:
        org.check_role_unit(chart, "legality_reviewer", "某大学")
    assert caught.value.rule == "ORG2"
    org.check_role_unit(org.OrgChart.single_organ(), "undertaking_unit", "任何单位")  # no org loaded


# ---------------------------------------------------------------------------------- the store (SQLite)
def _events(ctx: Context) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        return st.stream_events(conn, organisation.ORG_STREAM)


def test_loading_appends_the_events_once_and_a_changed_file_only_its_change(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    assert organisation.show(ctx)["single"] is True
    first = organisation.load_file(ctx, org_file())
    data = org_file()
    n = len(data["organs"]) + sum(len(o["units"]) for o in data["organs"]) + len(data["units"])
    assert len(first) == n and [e["seq"] for e in first] == list(range(1, n + 1))
    assert first[0]["actor"]["person"] == "system"  # the console
    assert organisation.load_file(ctx, org_file()) == []  # idempotent
    assert len(_events(ctx)) == n
    changed = copy.deepcopy(data)
    changed["organs"][1]["units"].append({"id": "某县公安局", "kind": "department"})
    again = organisation.load_file(ctx, changed)
    assert [(e["type"], e["payload"]["id"]) for e in again] == [("UnitRegistered", "某县公安局")]
    shown = organisation.show(ctx)
    assert shown["events"] == n + 1 and not shown["single"]
    county = next(o for o in shown["organs"] if o["id"] == COUNTY_ORGAN)
    assert county["superior"] == CITY_ORGAN and "某县公安局" in [u["id"] for u in county["units"]]


def test_an_inconsistent_file_appends_nothing(sqlite_ctx: Context) -> None:
    bad = org_file()
    bad["organs"][1]["superior"] = "某省人民政府"
    with pytest.raises(InvalidInput, match="上级机关 某省人民政府 未登记"):
        organisation.load_file(sqlite_ctx, bad)
    assert _events(sqlite_ctx) == [] and organisation.show(sqlite_ctx)["single"]


def test_a_file_is_checked_against_the_chart_it_lands_on(sqlite_ctx: Context) -> None:
    organisation.load_file(sqlite_ctx, org_file())
    other = {"organs": [{"id": "某市人民政府", "name": "某市人民政府", "level": "city", "superior": "某县人民政府"}]}
    with pytest.raises(InvalidInput, match="上级机关 某县人民政府 未登记"):  # the file alone names an unknown organ
        organisation.load_file(sqlite_ctx, other)
    other["organs"].append({"id": "某县人民政府", "level": "county", "superior": "某市人民政府"})
    with pytest.raises(InvalidInput, match="循环"):
        organisation.load_file(sqlite_ctx, other)


def test_only_the_system_administrator_changes_the_chart(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    c = cast(ctx)
    admins = staff(ctx)
    with pytest.raises(NotPermitted) as caught:
        organisation.register_unit(ctx, {"id": "某县公安局", "organ": COUNTY_ORGAN}, by=c.head)
    assert caught.value.rule == "SEC4" and "系统管理员" in caught.value.message
    for other in ("security_admin", "audit_admin", "auditor"):
        with pytest.raises(NotPermitted):
            organisation.retire_unit(ctx, COUNTY_BUREAU, by=admins[other])
    before = len(_events(ctx))
    done = organisation.register_unit(ctx, {"id": "某县公安局", "organ": COUNTY_ORGAN}, by=admins["system_admin"])
    assert done[0]["actor"]["person"] == admins["system_admin"] and done[0]["actor"]["role"] == "system_admin"
    assert len(_events(ctx)) == before + 1


def test_the_chart_travels_in_time(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    organisation.load_file(ctx, org_file())
    before = ctx.now_iso()
    ctx.clock.advance(days=10)  # type: ignore[attr-defined]
    organisation.move_unit(ctx, "某市信访局", COUNTY_ORGAN)
    middle = ctx.now_iso()
    ctx.clock.advance(days=10)  # type: ignore[attr-defined]
    organisation.retire_unit(ctx, "某市信访局", reason="撤并")
    with ctx.store.read() as conn:
        assert organisation.chart_at(conn, before).organ_of("某市信访局") == CITY_ORGAN
        assert organisation.chart_at(conn, middle).organ_of("某市信访局") == COUNTY_ORGAN
        assert "某市信访局" not in organisation.chart_of(conn).units
        assert organisation.chart_at(conn, "2000-01-01T00:00:00+00:00").single
    assert organisation.show(ctx, "2000-01-01T08:00:00")["single"]  # a moment without offset: Beijing time
    shown = organisation.show(ctx, middle)
    assert shown["at"] == middle and shown["events"] == shown["seq"] - 1
    with pytest.raises(InvalidInput, match="时间格式有误"):
        organisation.show(ctx, "yesterday")


def test_grant_role_refuses_a_unit_the_loaded_chart_does_not_know(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    pid = identity.register_person(ctx, "新人")
    identity.grant_role(ctx, pid, "undertaking_unit", "某区交通局")  # no org loaded: any unit
    organisation.load_file(ctx, org_file())
    with pytest.raises(InvalidInput, match="不在组织机构中") as caught:
        identity.grant_role(ctx, pid, "undertaking_unit", "某区财政局")
    assert caught.value.rule == "ORG2"
    with pytest.raises(InvalidInput, match="外部单位"):
        identity.grant_role(ctx, pid, "legality_reviewer", TRANSIT)
    granted = [r["unit"] for r in identity.person_view(ctx, pid)["roles"]]
    assert granted == ["某区交通局"]  # nothing written by the refusals
    identity.grant_role(ctx, pid, "undertaking_unit", COUNTY_BUREAU)
    identity.grant_role(ctx, pid, "expert", "某省专家库（未登记）")  # an external role anywhere


def test_the_demo_loads_two_governments_and_places_its_people_in_them(sqlite_ctx: Context) -> None:
    ctx = sqlite_ctx
    c = cast(ctx)
    staff(ctx)
    assert organisation.show(ctx)["events"] == len(_events(ctx)) > 0
    with ctx.store.read() as conn:
        chart = organisation.chart_of(conn)

        def organ(person: str) -> set[str | None]:
            return {chart.organ_of(a.unit) for a in identity.actors_of(conn, person, ctx.now_iso())}
        assert organ(c.head) == organ(c.drafter) == organ(c.reviewer) == {CITY_ORGAN}
        assert organ(c.county_head) == organ(c.county_drafter) == {COUNTY_ORGAN}
        assert organ(c.expert_a) == organ(c.executor) == {None}
        assert {a.unit for a in identity.actors_of(conn, c.county_head, ctx.now_iso())} == {COUNTY}
    assert CITY in chart.units and chart.kind_of(CITY) == "leadership"
    n = len(_events(ctx))
    cast(ctx)  # a second cast (another set of people) loads nothing more onto the chart
    assert len(_events(ctx)) == n


def test_verify_re_derives_the_chart(sqlite_ctx: Context) -> None:
    organisation.load_file(sqlite_ctx, org_file())
    organisation.move_unit(sqlite_ctx, "某市信访局", COUNTY_ORGAN)
    rep = verification.verify(sqlite_ctx)
    assert rep.ok, rep.findings
    events = _events(sqlite_ctx)
    assert organisation.rederive(events) is None
    assert "does not apply" in (organisation.rederive(
        [{"seq": 1, "type": "UnitMoved", "payload": {"id": "无此单位", "organ": "x"}}]) or "")
    assert "inconsistent" in (organisation.rederive(
        [{"seq": 1, "type": "UnitRegistered", "payload": {"id": "u", "organ": "无此机关"}}]) or "")


# ------------------------------------------------------------------------------------------- decide org
def test_decide_org_load_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from decision_engine.cli import app
    monkeypatch.setenv("DECIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DECIDE_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    runner = CliRunner()
    good = tmp_path / "org.toml"
    good.write_text(Path(org_file.__code__.co_filename).parent.parent.joinpath(
        "procedures", "org", "demo.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert "no org file loaded" in runner.invoke(app, ["org", "show"]).output
    r = runner.invoke(app, ["org", "load", str(good)])
    assert r.exit_code == 0 and "organisation events appended" in r.output and "2 organs" in r.output
    r = runner.invoke(app, ["org", "load", str(good)])
    assert r.exit_code == 0 and r.output.startswith("0 organisation events appended")
    shown = runner.invoke(app, ["org", "show"]).output
    assert "某县人民政府 [某县人民政府] (county government, superior 某市人民政府)" in shown
    assert tomllib.loads(good.read_text(encoding="utf-8"))["organs"][0]["id"] in shown
    bad = tmp_path / "bad.toml"
    bad.write_text('[[organs]]\nid = "x"\nlevel = "galaxy"\n', encoding="utf-8")
    r = runner.invoke(app, ["org", "load", str(bad)])
    assert r.exit_code == 2 and "ORG1" in r.output and "层级" in r.output
    bad.write_text("[[organs]\n", encoding="utf-8")
    r = runner.invoke(app, ["org", "load", str(bad)])
    assert r.exit_code == 2 and "不是有效的 TOML" in r.output
    r = runner.invoke(app, ["org", "load", str(tmp_path / "missing.toml")])
    assert r.exit_code == 2 and "无法读取" in r.output
    assert '"single": false' in runner.invoke(app, ["org", "show", "--json"]).output
    r = runner.invoke(app, ["org", "show", "--at", "yesterday"])
    assert r.exit_code == 2 and "时间格式有误" in r.output
    assert "no org file loaded" in runner.invoke(app, ["org", "show", "--at", "2000-01-01"]).output


def test_the_county_people_are_refused_on_the_citys_decision(sqlite_ctx: Context) -> None:
    from decision_engine.services import decisions as svc
    ctx = sqlite_ctx
    c = cast(ctx)
    did = svc.open_decision(ctx, c.drafter, title="关于调整公交票价的决定", category="public_project",
                            unit=BUREAU).decision_id
    with pytest.raises(NotPermitted) as caught:
        svc.record_artifact(ctx, c.county_head, did, "start_decision", {
            "lead_unit": BUREAU, "units": [BUREAU], "affected_units": [], "decision": "同意启动"})
    assert caught.value.rule == "AR1" and "本决策的决策机关人员" in caught.value.message
    svc.record_artifact(ctx, c.head, did, "start_decision", {
        "lead_unit": BUREAU, "units": [BUREAU], "affected_units": [], "decision": "同意启动"})
    with pytest.raises(NotPermitted) as caught:
        svc.record_determination(ctx, c.county_drafter, did, "specialised", False, "理由")
    assert caught.value.rule == "AR2"
    svc.record_determination(ctx, c.drafter, did, "specialised", False, "理由")
    county = svc.open_decision(ctx, c.county_drafter, title="关于县域公交的决定", category="public_project",
                               unit=COUNTY_BUREAU).decision_id
    with pytest.raises(NotPermitted) as caught:  # the city's head is not the county's decision organ
        svc.record_artifact(ctx, c.head, county, "start_decision", {
            "lead_unit": COUNTY_BUREAU, "units": [COUNTY_BUREAU], "affected_units": [], "decision": "同意启动"})
    assert caught.value.rule == "AR1"
    svc.record_artifact(ctx, c.county_head, county, "start_decision", {
        "lead_unit": COUNTY_BUREAU, "units": [COUNTY_BUREAU], "affected_units": [], "decision": "同意启动"})


# ------------------------------------------------------------------------------------------- migrations
def test_the_migrations_have_one_head_and_a_store_at_the_old_heads_upgrades(tmp_path: Path) -> None:
    from importlib import resources

    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tests.conftest import make_ctx
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("decision_engine.adapters") / "migrations"))
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()  # one head (raises if there are several), after the merge of 0012
    assert head is not None
    rev = script.get_revision(head)
    while rev is not None and isinstance(rev.down_revision, str):  # the linear revisions after the merge
        rev = script.get_revision(rev.down_revision)
    assert rev is not None and rev.revision == "0012_merge_heads"
    old_heads = sorted(script.get_revision("0012_merge_heads").down_revision or ())
    assert "0010_log_profile" in old_heads and "0011_accounts" in old_heads and len(old_heads) == 8
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path / 'old.db'}")
    organisation.load_file(ctx, org_file())
    ctx.store.dispose()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # the store as the previous release left it: eight heads
        conn.execute(sa.text("ALTER TABLE public_comments DROP COLUMN shard"))  # 0015 not yet applied
        for name in ("insert", "update", "delete"):  # 0014 not yet applied
            conn.execute(sa.text(f"DROP TRIGGER role_assignments_version_{name}"))
        conn.execute(sa.text("ALTER TABLE persons DROP COLUMN roles_version"))
        conn.execute(sa.text("DROP INDEX ix_decisions_organ_opened"))  # 0013 not yet applied
        conn.execute(sa.text("ALTER TABLE decisions DROP COLUMN organ"))
        conn.execute(sa.text("DELETE FROM alembic_version"))
        for old_head in old_heads:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": old_head})
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path / 'old.db'}")  # opening the store upgrades it
    try:
        with engine.connect() as conn:
            assert [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))] == [head]
        assert organisation.show(ctx)["events"] == len(_events(ctx)) > 0 and verification.verify(ctx).ok
    finally:
        ctx.store.dispose()
        engine.dispose()
