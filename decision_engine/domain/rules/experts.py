"""S2 expert review (专家论证): R9 selection, declaration, signed opinions and their adoption (Arts. 19–20,
29(3)), SoD2 no expert with a direct interest (Art. 20)."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, NotPermitted, RuleViolation
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import DISPOSITIONS, confirmed_by, need_draft, truthy
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor

CREDENTIAL_PREFIX = "sha256:"  # R9, Art. 19: a signature given as a confirmation over the opinion's sha256


def _selected(d: DecisionView) -> list[str] | None:
    for note in reversed(d.artifacts_of("expert_review", "selection_note")):
        if isinstance(note["fields"].get("expert_ids"), list):
            return [str(e) for e in note["fields"]["expert_ids"]]
    return None


def art_selection_note(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R9, Art. 20: selected experts by id; dissenting views deliberately included, or why not."""
    if "expert_ids" not in f:
        return
    ids = f["expert_ids"]
    if not isinstance(ids, list) or not ids or not all(isinstance(e, str) and e for e in ids):
        raise InvalidInput("expert_ids must be a non-empty list of person ids", rule="R9", article="Art. 20")
    if not isinstance(f.get("dissent_included"), bool):
        raise InvalidInput("dissent_included must say (true/false) whether experts holding dissenting views "
                           "were deliberately included", rule="R9", article="Art. 20")
    if not f["dissent_included"] and not str(f.get("dissent_note") or "").strip():
        raise RuleViolation("应当有意选择持不同意见的专家；未选入的，应当说明理由 (dissent_note)", rule="R9",
                            article="Art. 20")


def art_expert_selected(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R9, Art. 20: once experts are selected by id, only they declare and give opinions."""
    selected = _selected(d)
    if selected is not None and actor.person not in selected:
        raise NotPermitted(f"{actor.name or actor.person} 不在专家遴选名单中 (not a selected expert)",
                           rule="R9", article="Art. 20")


def art_expert_opinion(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R9 and SoD2, Art. 20: a declared, disinterested expert; a signed opinion."""
    need_draft(d, k)
    decls = [a for a in d.artifacts_of("expert_review", "conflict_declaration")
             if a["author"]["person"] == actor.person]
    if not decls:
        raise RuleViolation("the expert must file a conflict-of-interest declaration first",
                            rule="R9", article="Art. 20")
    if truthy(decls[-1]["fields"]["direct_interest"]):
        raise NotPermitted("an expert with a declared direct interest is barred from the review",
                           rule="SoD2", article="Art. 20")
    if not str(f["signature"]).strip():
        raise RuleViolation("an expert opinion must be signed or sealed", rule="R9", article="Art. 19")


def art_expert_adoption(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                        cal: StatutoryCalendar, today: date) -> None:
    """R9, Art. 29(3): adoption status per opinion (when entries name opinions by artifact id)."""
    entries = f["adoptions"]
    if not isinstance(entries, list) or not any(isinstance(e, dict) and "opinion_id" in e for e in entries):
        return
    for e in entries:
        if not isinstance(e, dict) or e.get("disposition") not in DISPOSITIONS or \
                not str(e.get("reason") or "").strip():
            raise RuleViolation("每条专家意见应当载明采纳、部分采纳或者未采纳及理由", rule="R9", article="Art. 29(3)")
    covered = {e.get("opinion_id") for e in entries}
    missing = [a["id"] for a in d.artifacts_of("expert_review", "expert_opinion") if a["id"] not in covered]
    if missing:
        raise RuleViolation(f"专家意见 {', '.join(missing)} 缺少采纳情况 (adoption status missing)", rule="R9",
                            article="Art. 29(3)")


def check_expert_review(d: DecisionView, g: GateSpec) -> list[Missing]:
    """R9, Arts. 19, 29(3): credential signatures confirmed; every opinion has its adoption status."""
    out: list[Missing] = []
    opinions = d.artifacts_of(g.id, "expert_opinion")
    for op in opinions:
        sig = str(op["fields"].get("signature") or "")
        if sig.startswith(CREDENTIAL_PREFIX) and op["author"]["person"] not in confirmed_by(d, op["sha256"]):
            out.append(Missing("R9", "Art. 19", g.id, f"expert's confirmation of opinion {op['id']} over its "
                               "sha256", "expert_opinion"))
    adoption = d.latest(g.id, "expert_adoption")
    entries = adoption["fields"]["adoptions"] if adoption else []
    if isinstance(entries, list) and any(isinstance(e, dict) and "opinion_id" in e for e in entries):
        covered = {e.get("opinion_id") for e in entries if isinstance(e, dict)}
        for op in opinions:
            if op["id"] not in covered:
                out.append(Missing("R9", "Art. 29(3)", g.id, f"adoption status of expert opinion {op['id']}",
                                   "expert_adoption"))
    return out


def register(reg: Registry) -> None:
    """S2's checks: selection, declaration, opinion, adoption (R9, SoD2)."""
    reg.artifact("selection_note", art_selection_note)  # R9, Art. 20
    reg.artifact("conflict_declaration", art_expert_selected)  # R9, Art. 20
    reg.artifact("expert_opinion", art_expert_opinion, art_expert_selected)  # R9, SoD2, Arts. 19–20
    reg.artifact("expert_adoption", art_expert_adoption)  # R9, Art. 29(3)
    reg.gate("expert_review", check_expert_review)  # R9, Arts. 19, 29(3)
