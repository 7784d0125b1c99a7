"""The organisation as data (DESIGN §8): organs (governments and their departments) with their level and
superior organ, and the units of each (the head's office, the general office, the legal office, the Party
committee of the same level, the departments). People hold roles in units (services/identity.py); this
module answers, for a unit named in a role, which organ it belongs to and what kind of unit it is, so that
`domain/authority.py` can ask whether the person is the one the law names for a given decision.

Pure, stdlib only. The chart is folded from the organisation's events (`OrganRegistered`, `UnitRegistered`,
`UnitMoved`, `UnitRetired`, typed and versioned in `domain/org_events.py`) by `fold` (events as a command
makes them) and `fold_stored` (stored envelopes, upcast from the version they were stored under); the org
file (TOML) loaded at set-up produces the same events.

An installation that has loaded no org file runs on the *single-organ* chart: every unit belongs to one
implicit organ, so relations between units of a decision (undertaking units, execution units, the
presiding head, the selected experts) are still checked, and relations between organs need the org file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from decision_engine.domain.accounts import ADMIN_ROLES
from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.events import Event
from decision_engine.domain.org_events import (
    ORG,
    ORG_EVENT_TYPES,
    OrganRegistered,
    UnitMoved,
    UnitRegistered,
    UnitRetired,
)

LEVELS = ("national", "province", "city", "county", "township")  # Arts. 2, 42: county level and above
ORGAN_KINDS = ("government", "department")
UNIT_KINDS = (
    "leadership",       # 政府领导 / 机关领导: the head and deputies
    "general_office",   # 办公厅（室）: the secretariat of meetings
    "legal_office",     # 司法行政部门 / 法制机构: the legality review (Arts. 25–28)
    "department",       # 工作部门: undertaking and execution units
    "party_committee",  # 同级党委: the report before issuance (Art. 31, SoD7)
    "npc",              # 同级人大常委会 (Art. 31)
    "supervisory",      # 监察机关: accountability (Art. 38)
    "audit",            # 审计机关: reads everything, records nothing
    "external",         # 专家、第三方评估机构: outside every organ
)
SINGLE = ""  # the implicit organ of the single-organ chart
RULE, ARTICLE = "ORG1", "Arts. 2, 38, 42"


@dataclass(frozen=True, slots=True)
class Organ:
    """A government or a government department that decides (决策机关)."""

    id: str
    name: str
    level: str
    kind: str = "government"
    superior: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit, named as people's roles name it (the unit string of a role grant)."""

    id: str
    organ: str | None  # None: an external body (an expert institution, a third-party assessor)
    kind: str = "department"
    name: str = ""


@dataclass(frozen=True, slots=True)
class OrgChart:
    """Organs and units at one moment. `single` charts place every unknown unit in one implicit organ."""

    organs: Mapping[str, Organ] = field(default_factory=dict)
    units: Mapping[str, Unit] = field(default_factory=dict)
    single: bool = False

    @staticmethod
    def single_organ() -> OrgChart:
        """The chart of an installation without an org file: one implicit organ holds every unit."""
        return OrgChart(single=True)

    # ------------------------------------------------------------------ questions
    def unit(self, unit_id: str) -> Unit:
        """The unit as the chart knows it; an unknown unit is external (or in the one organ if single)."""
        u = self.units.get(unit_id)
        if u is not None:
            return u
        return Unit(unit_id, SINGLE if self.single else None, "department" if self.single else "external")

    def organ_of(self, unit_id: str) -> str | None:
        """The organ a unit belongs to; None for an external body."""
        return self.unit(unit_id).organ

    def kind_of(self, unit_id: str) -> str:
        """The unit's kind (UNIT_KINDS)."""
        return self.unit(unit_id).kind

    def organ_name(self, organ_id: str | None) -> str:
        """The organ's name, for messages; the id when unknown."""
        if organ_id is None:
            return "外部单位"
        o = self.organs.get(organ_id)
        return o.name if o else (organ_id or "本机关")

    def superiors(self, organ_id: str | None) -> tuple[str, ...]:
        """The chain of superior organs, nearest first (Art. 38 ¶1: the superior organ supervises)."""
        out: list[str] = []
        cur = self.organs.get(organ_id or "")
        while cur is not None and cur.superior and cur.superior not in out:
            out.append(cur.superior)
            cur = self.organs.get(cur.superior)
        return tuple(out)

    def units_of(self, organ_id: str | None, kind: str) -> tuple[str, ...]:
        """The units of an organ of one kind, in the order registered."""
        return tuple(u.id for u in self.units.values() if u.organ == organ_id and u.kind == kind)



# ---------------------------------------------------------------------- events and fold
ORG_EVENTS = tuple(t.TYPE for t in ORG_EVENT_TYPES)


def organ_event(o: Organ) -> tuple[str, dict[str, Any]]:
    """The event that registers (or re-registers, changed) an organ."""
    e = OrganRegistered(o.id, o.name, o.level, o.kind, o.superior)
    return e.TYPE, e.to_payload()


def unit_event(u: Unit) -> tuple[str, dict[str, Any]]:
    """The event that registers (or re-registers, changed) a unit."""
    e = UnitRegistered(u.id, u.organ, u.kind, u.name)
    return e.TYPE, e.to_payload()


def fold(chart: OrgChart, events: Iterable[tuple[str, Mapping[str, Any]]]) -> OrgChart:
    """Apply organisation events (type and payload of the current version, as a command makes them) in
    order; the first event of an empty chart ends single-organ mode. Other types are ignored."""
    typed = (ORG.read({"type": typ, "v": ORG.version(typ), "payload": dict(p)}) for typ, p in events)
    return _fold(chart, (e for e in typed if e is not None))


def fold_stored(chart: OrgChart, envelopes: Iterable[Mapping[str, Any]]) -> OrgChart:
    """Apply stored organisation events (envelopes as the store keeps them: type, `"v"`, payload) in order,
    each upcast from the schema version it was stored under to the current one (`org_events.ORG`) before it
    is folded; a version no upcaster reads is a ValueError. Other types are ignored."""
    typed = (ORG.read(dict(env)) for env in envelopes)
    return _fold(chart, (e for e in typed if e is not None))


def _fold(chart: OrgChart, events: Iterable[Event]) -> OrgChart:
    organs = dict(chart.organs)
    units = dict(chart.units)
    for ev in events:
        if isinstance(ev, OrganRegistered):
            organs[str(ev.id)] = Organ(str(ev.id), str(ev.name), str(ev.level), str(ev.kind or "government"),
                                       ev.superior or None)
        elif isinstance(ev, UnitRegistered):
            units[str(ev.id)] = Unit(str(ev.id), ev.organ or None, str(ev.kind or "department"),
                                     str(ev.name or ""))
        elif isinstance(ev, UnitMoved):
            old = units[str(ev.id)]
            units[old.id] = replace(old, organ=ev.organ or None)
        elif isinstance(ev, UnitRetired):
            units.pop(str(ev.id), None)
    return OrgChart(organs, units, single=chart.single and not organs and not units)


# ---------------------------------------------------------------------- loading and changing (issue 15 §1)
GRANT_RULE, GRANT_ARTICLE = "ORG2", "Arts. 2, 11, 38"
# Roles a person outside every organ may hold (an expert, a law firm, a third-party assessor or evaluator,
# a hearing participant, an enterprise designated to execute): their unit need not be on the chart.
EXTERNAL_ROLES = ("expert", "risk_assessor", "hearing_participant", "legal_adviser", "post_evaluator",
                  "execution_unit")


def changes(chart: OrgChart, events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The events that would change the chart, in order (an organ or unit registered exactly as the chart
    already holds it produces nothing): loading the same org file twice appends nothing."""
    out: list[tuple[str, dict[str, Any]]] = []
    current = chart
    for typ, p in events:
        after = fold(current, [(typ, p)])
        if (after.organs, after.units) != (current.organs, current.units):
            out.append((typ, dict(p)))
            current = after
    return out


def _refuse(problems: list[str]) -> None:
    if problems:
        raise InvalidInput("组织机构有误：" + "；".join(problems) + "（organisation chart refused）",
                           rule=RULE, article=ARTICLE)


LEVEL_ZH = {"national": "国家", "province": "省级", "city": "设区的市级", "county": "县级", "township": "乡镇"}


def problems_zh(chart: OrgChart) -> list[str]:
    """What makes the chart inconsistent, in the words of the refusal (the same checks as `problems`, and
    an external body belongs to no organ)."""
    out = []
    for o in chart.organs.values():
        if o.level not in LEVELS:
            out.append(f"机关 {o.id} 的层级 level “{o.level}” 无效，应为 {', '.join(LEVELS)} 之一")
        if o.kind not in ORGAN_KINDS:
            out.append(f"机关 {o.id} 的类别 kind “{o.kind}” 无效，应为 {', '.join(ORGAN_KINDS)} 之一")
        if o.superior is not None:
            if o.superior not in chart.organs:
                out.append(f"机关 {o.id} 的上级机关 {o.superior} 未登记")
            elif o.superior == o.id or o.id in chart.superiors(o.superior):
                out.append(f"机关 {o.id} 的上级机关链构成循环")
            elif (o.level in LEVELS and chart.organs[o.superior].level in LEVELS
                  and LEVELS.index(chart.organs[o.superior].level) > LEVELS.index(o.level)):
                out.append(f"机关 {o.id}（{LEVEL_ZH[o.level]}）的上级机关 {o.superior} 层级更低")
    for u in chart.units.values():
        if u.kind not in UNIT_KINDS:
            out.append(f"单位 {u.id} 的类别 kind “{u.kind}” 无效，应为 {', '.join(UNIT_KINDS)} 之一")
        if u.organ is not None and u.organ not in chart.organs:
            out.append(f"单位 {u.id} 的所属机关 {u.organ} 未登记")
        if u.organ is None and u.kind != "external":
            out.append(f"单位 {u.id} 未指定所属机关，只能登记为外部单位（kind = external）")
        if u.organ is not None and u.kind == "external":
            out.append(f"外部单位 {u.id} 不属于任何机关（organ 须为空）")
    return out


def checked(chart: OrgChart, events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The events, if the chart they lead to is consistent; else InvalidInput (ORG1) naming each problem."""
    _refuse(problems_zh(fold(chart, events)))
    return events


def _text(value: Any, what: str, problems: list[str], *, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{what}不能为空")
        return ""
    if not isinstance(value, str):
        problems.append(f"{what}须为文字")
        return ""
    if len(value) > 120:
        problems.append(f"{what}过长（至多 120 字）")
    return value.strip()


def organ_from(data: Mapping[str, Any]) -> Organ:
    """An organ from a mapping (an org file's `[[organs]]` entry, an API body); InvalidInput (ORG1)."""
    problems: list[str] = []
    oid = _text(data.get("id"), "机关标识 id", problems)
    organ = Organ(oid, _text(data.get("name"), f"机关 {oid} 的名称 name", problems, required=False) or oid,
                  _text(data.get("level"), f"机关 {oid} 的层级 level", problems),
                  _text(data.get("kind"), f"机关 {oid} 的类别 kind", problems, required=False) or "government",
                  _text(data.get("superior"), f"机关 {oid} 的上级机关 superior", problems, required=False) or None)
    _refuse(problems)
    return organ


def unit_from(data: Mapping[str, Any], organ: str | None = None) -> Unit:
    """A unit from a mapping (an org file's `[[units]]` entry or an organ's inline unit, an API body)."""
    problems: list[str] = []
    uid = _text(data.get("id"), "单位标识 id", problems)
    unit = Unit(uid, organ or _text(data.get("organ"), f"单位 {uid} 的所属机关 organ", problems, required=False)
                or None, _text(data.get("kind"), f"单位 {uid} 的类别 kind", problems, required=False) or "department",
                _text(data.get("name"), f"单位 {uid} 的名称 name", problems, required=False))
    _refuse(problems)
    return unit


def parse_file(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The events an org file stands for, stricter than `from_file`: the file must be a table with a list of
    organs and a list of units, ids unique, every entry well formed, the chart consistent (`problems_zh`)."""
    problems: list[str] = []
    organs, units = data.get("organs", []), data.get("units", [])
    if not isinstance(organs, list) or not all(isinstance(o, Mapping) for o in organs):
        problems.append("organs 须为 [[organs]] 表的列表")
        organs = []
    if not isinstance(units, list) or not all(isinstance(u, Mapping) for u in units):
        problems.append("units 须为 [[units]] 表的列表")
        units = []
    unknown = sorted(set(data) - {"organs", "units", "title", "version"})
    if unknown:
        problems.append(f"未知的键：{', '.join(unknown)}（known: organs, units, title, version）")
    if not organs:
        problems.append("至少须登记一个机关（[[organs]]）")
    _refuse(problems)
    seen_o: set[str] = set()
    seen_u: set[str] = set()
    found_o: list[Organ] = []
    found_u: list[Unit] = []
    for o in organs:
        organ = organ_from(o)
        if organ.id in seen_o:
            problems.append(f"机关 {organ.id} 重复登记")
        seen_o.add(organ.id)
        found_o.append(organ)
        inline = o.get("units", [])
        if not isinstance(inline, list) or not all(isinstance(u, Mapping) for u in inline):
            problems.append(f"机关 {organ.id} 的 units 须为表的列表")
            continue
        found_u += [unit_from(u, organ.id) for u in inline]
    found_u += [unit_from(u) for u in units]
    for unit in found_u:
        if unit.id in seen_u:
            problems.append(f"单位 {unit.id} 重复登记")
        seen_u.add(unit.id)
    _refuse(problems)
    return checked(OrgChart(), [organ_event(o) for o in found_o] + [unit_event(u) for u in found_u])


def register_organ(chart: OrgChart, organ: Organ) -> list[tuple[str, dict[str, Any]]]:
    """Register an organ, or change a registered one (name, level, kind, superior); nothing if unchanged."""
    return checked(chart, changes(chart, [organ_event(organ)]))


def register_unit(chart: OrgChart, unit: Unit) -> list[tuple[str, dict[str, Any]]]:
    """Register a unit (or re-register a changed one); an external unit has no organ and kind `external`."""
    return checked(chart, changes(chart, [unit_event(unit)]))


def move_unit(chart: OrgChart, unit_id: str, organ: str) -> list[tuple[str, dict[str, Any]]]:
    """Move a registered unit to another registered organ (a reorganisation); nothing if already there."""
    u = chart.units.get(unit_id)
    if u is None:
        _refuse([f"单位 {unit_id} 未登记，不能调整隶属"])
        raise AssertionError("unreachable")  # pragma: no cover
    if organ not in chart.organs:
        _refuse([f"机关 {organ} 未登记"])
    if u.kind == "external":
        _refuse([f"外部单位 {unit_id} 不属于任何机关，不能调整隶属"])
    if u.organ == organ:
        return []
    moved = UnitMoved(unit_id, organ, u.organ)
    return checked(chart, [(moved.TYPE, moved.to_payload())])


def retire_unit(chart: OrgChart, unit_id: str, reason: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Retire a registered unit (abolished, merged); roles granted in it stay in the record."""
    if unit_id not in chart.units:
        _refuse([f"单位 {unit_id} 未登记，不能撤销"])
    retired = UnitRetired(unit_id, reason)
    return [(retired.TYPE, retired.to_payload())]


def check_role_unit(chart: OrgChart, role: str, unit: str) -> None:
    """ORG2: with an org loaded, a role is held in a unit the chart knows, of an organ; external roles
    (`EXTERNAL_ROLES`) may be held in an external body or a unit the chart does not list, and the three
    administrators (SEC4, appointed at the console, no procedure role) in any unit. The single-organ chart
    (no org loaded) takes any unit."""
    if chart.single or role in EXTERNAL_ROLES or role in ADMIN_ROLES:
        return
    u = chart.units.get(unit)
    if u is None:
        raise InvalidInput(f"单位“{unit}”不在组织机构中，不能在该单位授予角色 {role}；请先由系统管理员登记该单位"
                           f"（decide org show 列出已登记的单位）。(unit {unit!r} is not on the organisation chart)",
                           rule=GRANT_RULE, article=GRANT_ARTICLE)
    if u.organ is None:
        raise InvalidInput(f"“{unit}”是外部单位，只能授予外部角色（{'、'.join(EXTERNAL_ROLES)}），不能授予 {role}。"
                           f"(an external body holds external roles only)", rule=GRANT_RULE,
                           article=GRANT_ARTICLE)
