"""Normative documents (行政规范性文件, profile `normative_document`): ND1 no licence, penalty, compulsory
measure, fee or obligation without basis, ND3 filing after publication, ND4 periodic clean-up
(seeds 001, 003, 004)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, RuleViolation
from decision_engine.domain.procedure import ArtifactKind
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, iso_date

ND1_ITEMS = ("creates_licence", "creates_penalty", "creates_compulsory_measure", "creates_fee",
             "adds_obligation_without_basis")


def check_normative_checklist(f: dict[str, Any]) -> None:
    """ND1 (seeds 001, 004): no licence, penalty, compulsory measure or fee; no obligation without basis
    (part of the legality opinion's checks when its kind carries a checklist)."""
    checklist = f["checklist"]
    if not isinstance(checklist, dict) or any(not isinstance(checklist.get(i), bool) for i in ND1_ITEMS):
        raise InvalidInput("checklist must answer each item true/false: " + ", ".join(ND1_ITEMS),
                           rule="ND1", article="seeds 001, 004")
    found = [i for i in ND1_ITEMS if checklist[i]]
    if found and f["conclusion"] != "unlawful":
        raise RuleViolation("a normative document may not " + ", ".join(found) + "; the review must "
                            "conclude 'unlawful' until the draft removes it", rule="ND1",
                            article="seeds 001, 004")


def art_filing(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
               today: date) -> None:
    """ND3 (seeds 001, 004): filed with the superior government and the people's congress after
    publication; lateness beyond 15 days is flagged on the record (by the clock and compliance)."""
    if k.id != "filing_record":
        return
    if not d.state.get("published_on"):
        raise RuleViolation("only a published document can be filed", rule="ND3", article="seeds 001, 004")
    targets = f["filed_with"]
    if not isinstance(targets, list) or not {"superior_government", "npc_standing_committee"} <= set(targets):
        raise RuleViolation("filing goes to both the superior government and the people's congress "
                            "standing committee (filed_with: superior_government, npc_standing_committee)",
                            rule="ND3", article="seeds 001, 004")
    iso_date(f["filed_at"], "filed_at", "ND3", "seeds 001, 004", kind=k.id)


def art_cleanup(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any], cal: StatutoryCalendar,
                today: date) -> None:
    """ND4 (seeds 001, 003): periodic clean-up concludes continue, amend or repeal."""
    if f["outcome"] not in ("continue", "amend", "repeal"):
        raise InvalidInput("outcome must be continue, amend or repeal", rule="ND4", article="seeds 001, 003")


def register(reg: Registry) -> None:
    """The normative document's own artifacts: filing (ND3) and clean-up (ND4); ND1 runs in legality."""
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("filing_record", art_filing)  # ND3, seeds 001, 004
    reg.artifact("cleanup_review", art_cleanup)  # ND4, seeds 001, 003
