"""Accountability (责任追究): ACC1 grounds citing Arts. 38–41 and the persons concerned, ACC3 sanctions each
with its person, measure and legal basis after a finding, ACC4 a dissenter's reduction considered (Art. 38 ¶3),
ACC5 the superior organ's order to correct and the organ's report on it (Art. 38 ¶1).

These are the rules of the accountability case, an aggregate of its own (`domain/accountability.py`, stream
`accountability:<id>`), not of the decision: nothing here is registered on the decision's registry.
"""

from __future__ import annotations

from typing import Any

from decision_engine.domain.errors import InvalidInput, RuleViolation
from decision_engine.domain.law import ref

ARTICLES = ("Art. 38", "Art. 39", "Art. 40", "Art. 41")
# Who answers under which article (Arts. 38–41): the capacity a person is named in.
CAPACITIES = {"head": "Art. 38", "leader": "Art. 38", "direct": "Art. 38", "undertaking": "Art. 39",
              "execution": "Art. 40", "expert": "Art. 41"}


def grounds(grounds: list[Any]) -> list[dict[str, str]]:
    """ACC1: at least one ground, each citing Art. 38, 39, 40 or 41 of Order 713, with its facts."""
    if not isinstance(grounds, list) or not grounds:
        raise RuleViolation("a case states its grounds, each citing Art. 38, 39, 40 or 41", rule="ACC1",
                            article="Arts. 38–41")
    out = []
    for g in grounds:
        if not isinstance(g, dict) or not str(g.get("text") or "").strip():
            raise InvalidInput("each ground gives its article and facts (article, text)", rule="ACC1",
                               article="Arts. 38–41")
        article = str(g.get("article") or "").strip()
        if not any(article == a or article.startswith(a + " ") for a in ARTICLES):
            raise RuleViolation(f"ground article {article!r} is not one of Arts. 38–41", rule="ACC1",
                                article="Arts. 38–41")
        out.append({"article": article, "text": str(g["text"]).strip()})
    return out


def persons(persons: list[Any], known: set[str], *, required: bool) -> list[dict[str, Any]]:
    """ACC1: named, registered persons with the capacity they answer in (never purged: lifelong)."""
    if not isinstance(persons, list) or (required and not persons):
        raise RuleViolation("a case names the persons concerned (person, capacity)", rule="ACC1",
                            article="Arts. 38–41")
    out = []
    for p in persons:
        if not isinstance(p, dict) or p.get("capacity") not in CAPACITIES:
            raise InvalidInput(f"each person has a capacity: {', '.join(CAPACITIES)}", rule="ACC1",
                               article="Arts. 38–41")
        if str(p.get("person")) not in known:
            raise InvalidInput(f"unknown person {p.get('person')!r}", rule="ACC1", article="Arts. 38–41")
        out.append({k: v for k, v in p.items() if k in ("person", "capacity", "finding", "responsible")})
    return out


def sanctions(sanctions: list[Any], found: set[str], dissenters: set[str]) -> list[dict[str, str]]:
    """ACC3: every sanction names the person (found responsible), the measure and its legal basis; ACC4,
    Art. 38 ¶3: a dissenter's sanction states how the liability was reduced or why it is not waived."""
    clean = []
    for s in sanctions:
        if not isinstance(s, dict) or not all(str(s.get(k) or "").strip()
                                              for k in ("person", "measure", "basis")):
            raise RuleViolation("every sanction names the person, the measure and its legal basis (e.g. "
                                "政务处分法 第十条 / Art. 10)", rule="ACC3", article="Arts. 38–41")
        if s["person"] not in found:
            raise RuleViolation(f"{s['person']} is sanctioned without a finding of responsibility",
                                rule="ACC3", article="Arts. 38–41")
        if s["person"] in dissenters and not str(s.get("dissent_considered") or "").strip():
            raise RuleViolation(f"{s['person']} dissented at the collective discussion: state how the "
                                "liability was reduced or why it is not waived (dissent_considered)",
                                rule="ACC4", article="Art. 38 ¶3")
        clean.append({k: str(s.get(k) or "").strip() for k in ("person", "measure", "basis",
                                                               "dissent_considered")})
    return clean


def check_correction_order(breach: str, findings: str, required: str) -> None:
    """ACC5, Art. 38 ¶1: an order to correct (责令改正) names the provision breached, the facts found and what
    the organ must correct."""
    for value, what in ((breach, "所违反的规定 (breach)"), (findings, "查明的事实 (findings)"),
                        (required, "应当改正的事项 (required)")):
        if not value.strip():
            raise InvalidInput(f"责令改正应当写明{what}", **ref("ACC5.correction"))


def check_correction_report(corrections: list[dict[str, Any]], order_id: str, report: str) -> None:
    """ACC5, Art. 38 ¶1: the organ reports how it corrected a breach it was ordered to correct, once per
    order, in words."""
    cit = ref("ACC5.correction")
    order = next((c for c in corrections if c["order_id"] == order_id), None)
    if order is None:
        raise InvalidInput(f"本决策没有责令改正 {order_id} (no such correction order on this decision)", **cit)
    if order.get("report") is not None:
        raise RuleViolation(f"责令改正 {order_id} 的改正情况已经报告 (the correction is already reported)", **cit)
    if not report.strip():
        raise InvalidInput("改正情况报告应当写明如何改正 (report)", **cit)
