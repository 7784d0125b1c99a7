"""The organisation as data (DESIGN §8): organs (governments and their departments) with their level and
superior organ, and the units of each (the head's office, the general office, the legal office, the Party
committee of the same level, the departments). People hold roles in units (services/identity.py); this
module answers, for a unit named in a role, which organ it belongs to and what kind of unit it is, so that
`domain/authority.py` can ask whether the person is the one the law names for a given decision.

Pure, stdlib only. The chart is folded from the organisation's events (`OrganRegistered`, `UnitRegistered`,
`UnitMoved`, `UnitRetired`) by `fold`; the org file (TOML) loaded at set-up produces the same events.

An installation that has loaded no org file runs on the *single-organ* chart: every unit belongs to one
implicit organ, so relations between units of a decision (undertaking units, execution units, the
presiding head, the selected experts) are still checked, and relations between organs need the org file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from decision_engine.domain.errors import InvalidInput

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

    def problems(self) -> list[str]:
        """What makes the chart inconsistent (unknown superiors, cycles, a superior of a lower level)."""
        out = []
        for o in self.organs.values():
            if o.level not in LEVELS:
                out.append(f"organ {o.id}: level must be one of {', '.join(LEVELS)}")
            if o.kind not in ORGAN_KINDS:
                out.append(f"organ {o.id}: kind must be one of {', '.join(ORGAN_KINDS)}")
            if o.superior is not None:
                sup = self.organs.get(o.superior)
                if sup is None:
                    out.append(f"organ {o.id}: superior {o.superior} is not registered")
                elif o.id in self.superiors(o.superior) or o.superior == o.id:
                    out.append(f"organ {o.id}: superior chain is a cycle")
        for u in self.units.values():
            if u.kind not in UNIT_KINDS:
                out.append(f"unit {u.id}: kind must be one of {', '.join(UNIT_KINDS)}")
            if u.organ is not None and u.organ not in self.organs:
                out.append(f"unit {u.id}: organ {u.organ} is not registered")
        return out


# ---------------------------------------------------------------------- events and fold
ORG_EVENTS = ("OrganRegistered", "UnitRegistered", "UnitMoved", "UnitRetired")


def organ_event(o: Organ) -> tuple[str, dict[str, Any]]:
    """The event that registers (or re-registers, changed) an organ."""
    return "OrganRegistered", {"id": o.id, "name": o.name, "level": o.level, "kind": o.kind,
                               "superior": o.superior}


def unit_event(u: Unit) -> tuple[str, dict[str, Any]]:
    """The event that registers (or re-registers, changed) a unit."""
    return "UnitRegistered", {"id": u.id, "organ": u.organ, "kind": u.kind, "name": u.name}


def fold(chart: OrgChart, events: Iterable[tuple[str, Mapping[str, Any]]]) -> OrgChart:
    """Apply organisation events in order; the first event of an empty chart ends single-organ mode."""
    organs = dict(chart.organs)
    units = dict(chart.units)
    for typ, p in events:
        if typ == "OrganRegistered":
            organs[str(p["id"])] = Organ(str(p["id"]), str(p["name"]), str(p["level"]),
                                         str(p.get("kind") or "government"), p.get("superior") or None)
        elif typ == "UnitRegistered":
            units[str(p["id"])] = Unit(str(p["id"]), p.get("organ") or None, str(p.get("kind") or "department"),
                                       str(p.get("name") or ""))
        elif typ == "UnitMoved":
            old = units[str(p["id"])]
            units[old.id] = replace(old, organ=p.get("organ") or None)
        elif typ == "UnitRetired":
            units.pop(str(p["id"]), None)
    return OrgChart(organs, units, single=chart.single and not organs and not units)


def from_file(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The events an org file (parsed TOML) stands for, after checking it; InvalidInput names each problem.

    The file lists `[[organs]]` (id, name, level, kind, superior) and `[[units]]` (id, organ, kind, name);
    an organ may also list `units = [{id=…, kind=…}]` inline.
    """
    organs = [Organ(str(o["id"]), str(o.get("name") or o["id"]), str(o.get("level") or ""),
                    str(o.get("kind") or "government"), o.get("superior") or None)
              for o in data.get("organs", [])]
    units = [Unit(str(u["id"]), u.get("organ") or None, str(u.get("kind") or "department"),
                  str(u.get("name") or "")) for u in data.get("units", [])]
    for o in data.get("organs", []):
        units += [Unit(str(u["id"]), str(o["id"]), str(u.get("kind") or "department"), str(u.get("name") or ""))
                  for u in o.get("units", [])]
    chart = OrgChart({o.id: o for o in organs}, {u.id: u for u in units})
    problems = chart.problems()
    if problems:
        raise InvalidInput("组织机构文件有误：" + "；".join(problems), rule=RULE, article=ARTICLE)
    return [organ_event(o) for o in organs] + [unit_event(u) for u in units]
