"""Authority is a relation (DESIGN §8): a role says what kind of act a person may do; the decision's record
says *whose* decision it is. This module reads the parties of a decision from its record (the organ, the
units the start decision named, the organ's legal office, the experts selected, the participants listed,
the head who presided the adopting meeting, the execution units designated, the evaluator commissioned,
the organs competent for accountability), and answers, for an act, whether a person's role in their unit
is the one the law names for *this* decision. Where the law already has a rule for the relation (SoD1 the
legal office, R9 the selected experts, SoD5 the listed participants, R19 the designated execution units, R21
the commissioned evaluator) the refusal cites it; the other relations are AR1–AR13.

Pure: the decision's state and the organisation chart in, an Actor or a NotPermitted naming the rule
(AR1–AR12) and the article out. `RELATIONS` is the one table of who stands in which relation; the
aggregate (`Decision.pick`) and the read rule (`may_read`) both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from decision_engine.domain.errors import NotPermitted, RuleViolation
from decision_engine.domain.organisation import OrgChart
from decision_engine.domain.values import Actor, pick_actor


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation a role must stand in to this decision: its rule, article, and the words of a refusal."""

    rule: str
    article: str
    zh: str  # what the person must be, in words a legal office reads


# The one table: the relation each role must hold to the decision for any act of that role.
RELATIONS: dict[str, Relation] = {
    "organ": Relation("AR1", "Arts. 4, 30", "本决策的决策机关人员"),
    "undertaking": Relation("AR2", "Art. 11", "启动决定确定的承办单位人员"),
    "legal_office": Relation("SoD1", "Arts. 25, 28", "本决策机关负责合法性审查的部门人员"),
    "adviser": Relation("AR3", "Art. 27", "本决策机关或其聘请的法律顾问"),
    "expert": Relation("R9", "Art. 20", "本决策遴选确定的专家"),
    "hearing_participant": Relation("SoD5", "Art. 17", "本决策听证公布名单中的参加人"),
    "hearing_organizer": Relation("AR5", "Art. 16", "本决策机关或承办单位的听证组织人员"),
    "risk_assessor": Relation("AR6", "Arts. 22–23", "非本决策承办单位的风险评估人员"),
    "presiding_head": Relation("AR7", "Art. 30", "主持通过本决策会议的行政首长"),
    "organ_head": Relation("AR8", "Arts. 35, 37", "本决策机关的行政首长"),
    "execution": Relation("R19", "Art. 34", "决策机关指定的执行单位"),
    "evaluator": Relation("R21", "Art. 36", "决策机关委托的评估单位"),
    "accountability": Relation("AR11", "Art. 38 ¶1", "上级行政机关或监察机关（非被追责机关）"),
    "party_committee": Relation("AR12", "Art. 31", "同级党委"),
    "npc": Relation("AR12", "Art. 31", "同级人大常委会"),
    "superior": Relation("AR11", "Art. 38 ¶1", "上级行政机关"),
    "superior_direct": Relation("AR11", "Art. 38 ¶1", "本决策机关的上一级行政机关"),
}

# The relation each role needs, unless the act names its own (finalize: the presiding head).
ROLE_RELATION: dict[str, str] = {
    "undertaking_unit": "undertaking",
    "decision_organ": "organ",
    "admin_head": "organ",
    "meeting_member": "organ",
    "secretariat": "organ",
    "legality_reviewer": "legal_office",
    "legal_adviser": "adviser",
    "expert": "expert",
    "risk_assessor": "risk_assessor",
    "hearing_organizer": "hearing_organizer",
    "hearing_participant": "hearing_participant",
    "execution_unit": "execution",
    "post_evaluator": "evaluator",
    "party_committee": "party_committee",
    "npc": "npc",
    "superior_organ": "superior",
}


@dataclass(frozen=True, slots=True)
class Parties:
    """Who the record names for one decision."""

    organ: str | None
    undertaking_units: tuple[str, ...]
    experts: frozenset[str]
    hearing_participants: frozenset[str]
    hearing_list: bool  # a participant list was published
    presiding_head: str | None
    execution_units: tuple[str, ...]
    evaluator_units: tuple[str, ...]


def _latest_fields(state: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a["fields"] for a in state.get("artifacts", {}).values() if a["kind"] == kind]


def decision_organ(state: Mapping[str, Any], chart: OrgChart) -> str | None:
    """The decision organ fixed at opening; for decisions opened before it was recorded, the organ of the
    undertaking unit that opened it."""
    if state.get("organ") is not None:
        return str(state["organ"])
    return chart.organ_of(str(state.get("unit") or ""))


def parties(state: Mapping[str, Any], chart: OrgChart) -> Parties:
    """The parties of a decision as its record fixes them (issue 15 §2)."""
    experts: set[str] = set()
    for f in _latest_fields(state, "selection_note"):  # the latest note that selects by person id
        if isinstance(f.get("expert_ids"), list):
            experts = {str(p) for p in f["expert_ids"] if isinstance(p, str)}
    lists = _latest_fields(state, "hearing_participant_list")
    listed = {str(p) for f in lists for p in (f.get("participants") or []) if isinstance(p, str)}
    meetings = [a for a in state.get("artifacts", {}).values() if a["kind"] == "meeting_record"]
    head = str(meetings[-1]["author"]["person"]) if meetings else None
    commissions = _latest_fields(state, "evaluation_commission")
    return Parties(decision_organ(state, chart), tuple(str(u) for u in state["units"]), frozenset(experts),
                   frozenset(listed), bool(lists), head, tuple(str(u) for u in state.get("execution_units") or ()),
                   tuple(str(c.get("evaluator_unit")) for c in commissions))


# Relations whose party the record must name first: the field of Parties, and what is missing, in words.
NAMED_BY: dict[str, tuple[str, str]] = {
    "expert": ("experts", "尚未按人遴选专家（专家遴选说明未列明专家）"),
    "execution": ("execution_units", "决策机关尚未指定执行单位"),
    "evaluator": ("evaluator_units", "决策机关尚未委托评估单位"),
    "presiding_head": ("presiding_head", "尚无通过本决策的会议记录"),
}


def of_organ(actor: Actor, organ: str | None, chart: OrgChart) -> bool:
    """The organ relation (AR1): the actor's unit belongs to this organ."""
    return organ is not None and chart.organ_of(actor.unit) == organ


def relation_holds(relation: str, actor: Actor, p: Parties, chart: OrgChart) -> bool:
    """Does the actor (a person in a role in a unit) stand in this relation to the decision?"""
    organ = chart.organ_of(actor.unit)
    same_organ = of_organ(actor, p.organ, chart)
    if relation == "organ":
        return same_organ
    if relation == "organ_head":
        return same_organ and actor.role == "admin_head"
    if relation == "presiding_head":
        return p.presiding_head is not None and actor.person == p.presiding_head
    if relation == "undertaking":
        return actor.unit in p.undertaking_units and same_organ
    if relation == "legal_office":
        offices = chart.units_of(p.organ, "legal_office")
        return actor.unit not in p.undertaking_units and (actor.unit in offices if offices else same_organ)
    if relation == "adviser":
        return actor.unit not in p.undertaking_units and (same_organ or organ is None)
    if relation == "expert":
        return actor.person in p.experts
    if relation == "hearing_participant":  # the published list, once there is one (Art. 16)
        return actor.person in p.hearing_participants or not p.hearing_list
    if relation == "hearing_organizer":
        return same_organ
    if relation == "risk_assessor":
        return actor.unit not in p.undertaking_units
    if relation == "execution":
        return actor.unit in p.execution_units
    if relation == "evaluator":
        return actor.unit in p.evaluator_units
    if relation == "party_committee" or relation == "npc":
        bodies = chart.units_of(p.organ, relation)
        return actor.unit in bodies if bodies else same_organ
    if relation == "superior_direct":  # ACC5, Art. 38 ¶1: 上一级行政机关 — the one above THIS decision's organ
        if chart.single:
            return False  # no organisation on record: no organ above this one is known
        return organ is not None and chart.superiors(p.organ)[:1] == (organ,)
    if relation in ("superior", "accountability"):
        if relation == "accountability" and chart.kind_of(actor.unit) == "supervisory":
            return True  # the supervisory organ (监察机关), whichever level it sits at
        if chart.single:
            return True  # one organ and no superior on record: the organ's own staff (no org file loaded)
        return organ is not None and organ in chart.superiors(p.organ)  # never the organ examined
    raise ValueError(f"unknown relation {relation!r}")  # pragma: no cover - the table is closed


def pick(candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str, article: str,
         state: Mapping[str, Any], chart: OrgChart, *, relation: str | None = None) -> Actor:
    """The first of the person's current roles that may do this act *for this decision*: the role is one of
    `roles` (the act's rule) and the person stands in the role's relation (or the act's own `relation`) to
    the decision (AR1–AR13). NotPermitted names the role rule when no role fits, the relation rule when a
    role fits but the person is not the one the record names."""
    fitting = [a for a in candidates if a.role in roles]
    if not fitting:
        held = ", ".join(sorted({a.role for a in candidates})) or "none"
        raise NotPermitted(f"{act} needs one of the roles {', '.join(roles)}; the person holds: {held}",
                           rule=rule, article=article)
    p = parties(state, chart)
    for actor in fitting:
        rel_id = relation or ROLE_RELATION.get(actor.role, "organ")
        if rel_id in NAMED_BY and not getattr(p, NAMED_BY[rel_id][0]):
            # the record names nobody yet: the procedure is not at this act (409), nobody may do it
            rel = RELATIONS[rel_id]
            raise RuleViolation(f"{act}：{NAMED_BY[rel_id][1]}", rule=rel.rule, article=rel.article)
        if relation_holds(rel_id, actor, p, chart):
            return actor
    first = fitting[0]
    rel = RELATIONS[relation or ROLE_RELATION.get(first.role, "organ")]
    raise NotPermitted(f"{act}：{first.name or first.person}（{first.unit}）不是{rel.zh}，"
                       f"不能为本决策（{state.get('title') or state.get('id')}）办理此事项",
                       rule=rel.rule, article=rel.article)


def pick_in_organ(candidates: tuple[Actor, ...], roles: tuple[str, ...], act: str, rule: str, article: str,
                  organ: str | None, chart: OrgChart, business: str) -> Actor:
    """The organ relation (AR1) for the organ's own business that is not one decision's (a meeting of the
    organ): a role the act allows, held in a unit of that organ. `organ` None (business recorded before
    its organ was): the role alone."""
    fitting = pick_actor(candidates, roles, act, rule, article)
    if organ is None:
        return fitting
    for actor in candidates:
        if actor.role in roles and of_organ(actor, organ, chart):
            return actor
    rel = RELATIONS["organ"]
    raise NotPermitted(f"{act}：{fitting.name or fitting.person}（{fitting.unit}）不是{chart.organ_name(organ)}"
                       f"的人员，不能办理{business}", rule=rel.rule, article=rel.article)


# ---------------------------------------------------------------------- reading (issue 15 §4)
STAFF_ROLES = ("undertaking_unit", "decision_organ", "admin_head", "meeting_member", "secretariat",
               "legality_reviewer", "hearing_organizer", "party_committee", "npc", "superior_organ")
EXTERNAL_ROLES = ("expert", "risk_assessor", "hearing_participant", "legal_adviser", "execution_unit",
                  "post_evaluator")
READ_RULE, READ_ARTICLE = "AR13", "Arts. 6, 38 ¶1"


def may_read(actors: tuple[Actor, ...], state: Mapping[str, Any], chart: OrgChart) -> bool:
    """Who reads a decision in full: the auditor everything; staff their own organ's decisions and a
    superior organ its subordinates' (supervision, Art. 38 ¶1); externals only the decisions they are
    parties to (the experts selected, the participants listed, the units designated or commissioned, the
    assessor that reported). The public reads what is published, through the public site."""
    p = parties(state, chart)
    for a in actors:
        if a.role == "auditor":
            return True
        organ = chart.organ_of(a.unit)
        if a.role in STAFF_ROLES:
            if organ is not None and (organ == p.organ or organ in chart.superiors(p.organ)):
                return True
        elif a.role in EXTERNAL_ROLES:
            rel = ROLE_RELATION[a.role]
            if rel == "risk_assessor":
                if any(x["author"]["person"] == a.person for x in state.get("artifacts", {}).values()):
                    return True
                if organ is not None and organ == p.organ and a.unit not in p.undertaking_units:
                    return True
            elif rel == "hearing_participant":
                if a.person in p.hearing_participants:  # listed (reading needs the list, acting may not)
                    return True
            elif relation_holds(rel, a, p, chart):
                return True
    return False


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The read rule (AR13) as a filter a list query can apply, so a page of the decision list holds only
    what the reader may read without loading each decision. `everything`: the auditor. Otherwise staff read
    the decisions whose organ is in `organs` (their own organs and those below them); a decision opened
    before its organ was recorded counts by the organ of the unit that opened it, so it is admitted when
    that unit is in `units` (None: on the single-organ chart every unit is in the one organ). `exact` is
    False when the reader also acts as an external party, whose reading depends on each decision's record:
    the list then applies `may_read` row by row instead."""

    everything: bool
    organs: frozenset[str]
    units: frozenset[str] | None
    exact: bool

    def admits(self, organ: str | None, unit: str) -> bool:
        """Whether a decision with this recorded organ (None: not recorded) and opening unit is admitted;
        the same predicate the list query writes in SQL."""
        if self.everything:
            return True
        if organ is not None:
            return organ in self.organs
        return (self.units is None and bool(self.organs)) or (self.units is not None and unit in self.units)


def read_scope(actors: tuple[Actor, ...], chart: OrgChart) -> ReadScope:
    """The reader's scope (AR13): for staff-only readers `admits` agrees with `may_read` on every decision."""
    if any(a.role == "auditor" for a in actors):
        return ReadScope(True, frozenset(), frozenset(), True)
    own = {o for a in actors if a.role in STAFF_ROLES if (o := chart.organ_of(a.unit)) is not None}
    organs = own | {o for o in chart.organs if own & set(chart.superiors(o))}
    units = None if chart.single else frozenset(u.id for u in chart.units.values() if u.organ in organs)
    exact = not any(a.role in EXTERNAL_ROLES for a in actors)
    return ReadScope(False, frozenset(organs), units, exact)
