"""S2 expert review (专家论证): R9 the expert pool and who keeps it (Art. 21), selection from the pool with
dissenting experts deliberately included (Art. 20), an expert disqualified under Art. 41 out of the pool and
never selected, declaration, opinions signed by the expert's own act (Art. 19) and their adoption (Art.
29(3)); SoD2 no expert with a direct interest (Art. 20). The services ask these rules; no door decides."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from decision_engine.domain.calendar import StatutoryCalendar
from decision_engine.domain.errors import InvalidInput, Missing, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.procedure import ArtifactKind, GateSpec
from decision_engine.domain.rules.common import DISPOSITIONS, confirmed_by, need_draft, truthy
from decision_engine.domain.rules.registry import DecisionView, Registry
from decision_engine.domain.values import Actor, pick_actor

CREDENTIAL_PREFIX = "sha256:"  # R9, Art. 19: a signature given as a confirmation over the opinion's sha256
POOL_KEEPERS = ("decision_organ", "system_admin")  # R9, Art. 21: who keeps the expert pool
EXPERT = "expert"


# ------------------------------------------------------------------------------------ the pool (Arts. 21, 41)
def pool_keeper(candidates: tuple[Actor, ...]) -> Actor:
    """R9, Art. 21: the organ (or the system administrator) keeps the expert pool."""
    return pick_actor(candidates, POOL_KEEPERS, "keeping the expert pool", "R9", "Art. 21")


def disqualified(pool_events: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Art. 41: experts disqualified (取消资格), person -> the reason, folded from the pool stream."""
    out: dict[str, str] = {}
    for e in pool_events:
        p = e["payload"]
        if e["type"] == "ExpertLeftPool" and p.get("disqualified"):
            out[str(p["person_id"])] = str(p.get("reason") or "")
    return out


def check_pool_entry(person_id: str, roles: Sequence[str], fields: Sequence[str], affiliation: str, *,
                     active: bool | None, barred: dict[str, str]) -> None:
    """R9, Art. 21: a pool member holds the role expert, with fields and affiliation, once; Art. 41: an
    expert disqualified does not come back."""
    if not [f for f in fields if f.strip()] or not affiliation.strip():
        raise InvalidInput("an expert in the pool has fields of expertise and an affiliation", rule="R9",
                           article="Art. 21")
    if EXPERT not in roles:
        raise InvalidInput(f"{person_id} does not hold the role expert", rule="R9", article="Art. 21")
    if person_id in barred:
        raise RuleViolation(f"{person_id} 已因违反职业道德或本条例规定被取消资格，不得入库 (disqualified: "
                            f"{barred[person_id]})", rule="R9", article="Art. 41")
    if active:
        raise RuleViolation(f"{person_id} is already in the pool", rule="R9", article="Art. 21")


def check_leaving(reason: str, *, active: bool | None, disqualify: bool) -> None:
    """R9, Art. 21 (a retirement) and Art. 41 (a disqualification, for serious consequences): the reason."""
    article = "Art. 41" if disqualify else "Art. 21"
    if not reason.strip():
        raise InvalidInput("leaving the pool needs a reason", rule="R9", article=article)
    if not active and not disqualify:
        raise NotFound("not an active member of the pool", rule="R9", article=article)


def check_not_disqualified(person_id: str, barred: dict[str, str]) -> None:
    """Art. 41: an expert disqualified after being selected gives no further opinion in any review."""
    if person_id in barred:
        raise NotPermitted(f"{person_id} 已依照第四十一条被取消资格，不得再参与论证 (disqualified: "
                           f"{barred[person_id]})", rule="R9", article="Art. 41")


def check_selection(expert_ids: Sequence[str], roles: dict[str, Sequence[str] | None], *, pool: set[str],
                    barred: dict[str, str], outside_pool_reason: str, dissent_included: bool,
                    dissent_note: str) -> None:
    """R9, Arts. 20–21, 41: who may be selected. Each a person holding the role expert, never one disqualified
    (Art. 41), from the pool or with the reason for going outside it (Art. 21), dissenting experts
    deliberately included or the reason why not (Art. 20)."""
    if not expert_ids or len(set(expert_ids)) != len(expert_ids):
        raise InvalidInput("expert_ids must be a non-empty list of distinct person ids", rule="R9",
                           article="Art. 20")
    out = [e for e in expert_ids if e in barred]
    if out:
        raise RuleViolation(f"{', '.join(out)} 已依照第四十一条被取消资格，不得遴选 (disqualified experts cannot be "
                            "selected)", rule="R9", article="Art. 41")
    for e in expert_ids:
        if EXPERT not in (roles.get(e) or ()):
            raise InvalidInput(f"{e} does not hold the role expert", rule="R9", article="Art. 20")
    outside = [e for e in expert_ids if e not in pool]
    if outside and not outside_pool_reason.strip():
        raise RuleViolation(f"{', '.join(outside)} 不在专家库中；从库外遴选应当说明理由 (outside_pool_reason)",
                            rule="R9", article="Art. 21")
    _dissent(dissent_included, dissent_note)


def _dissent(included: Any, note: Any) -> None:
    """R9, Art. 20: 注意选择持不同意见的专家 — said for every selection, with the reason when not done."""
    if not isinstance(included, bool):
        raise InvalidInput("dissent_included must say (true/false) whether experts holding dissenting views "
                           "were deliberately included", rule="R9", article="Art. 20")
    if not included and not str(note or "").strip():
        raise RuleViolation("应当有意选择持不同意见的专家；未选入的，应当说明理由 (dissent_note)", rule="R9",
                            article="Art. 20")


def _selected(d: DecisionView) -> list[str] | None:
    for note in reversed(d.artifacts_of("expert_review", "selection_note")):
        if isinstance(note["fields"].get("expert_ids"), list):
            return [str(e) for e in note["fields"]["expert_ids"]]
    return None


def art_selection_note(d: DecisionView, k: ArtifactKind, actor: Actor, f: dict[str, Any],
                       cal: StatutoryCalendar, today: date) -> None:
    """R9, Art. 20: selected experts by id; dissenting views deliberately included, or why not — whether
    or not the note names the experts by id."""
    if "expert_ids" in f:
        ids = f["expert_ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(e, str) and e for e in ids):
            raise InvalidInput("expert_ids must be a non-empty list of person ids", rule="R9", article="Art. 20")
    _dissent(f.get("dissent_included"), f.get("dissent_note"))


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
    if not str(f["signature"]).startswith(CREDENTIAL_PREFIX):
        raise RuleViolation("专家书面意见应当由专家本人以本人身份签署（对意见的 sha256 确认），键入的签名无效 (an "
                            "opinion is signed by the expert's own act)", rule="R9", article="Art. 19")


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
    """R9, Arts. 19, 29(3): every opinion signed by its expert's own confirmation over its sha256; every
    opinion has its adoption status."""
    out: list[Missing] = []
    opinions = d.artifacts_of(g.id, "expert_opinion")
    for op in opinions:
        sig = str(op["fields"].get("signature") or "")
        if sig != CREDENTIAL_PREFIX + op["sha256"] or op["author"]["person"] not in confirmed_by(d, op["sha256"]):
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
    # pragma: no mutate block (the table is built once at import, rules.DEFAULT: structural, not a rule)
    reg.artifact("selection_note", art_selection_note)  # R9, Art. 20
    reg.artifact("conflict_declaration", art_expert_selected)  # R9, Art. 20
    reg.artifact("expert_opinion", art_expert_opinion, art_expert_selected)  # R9, SoD2, Arts. 19–20
    reg.artifact("expert_adoption", art_expert_adoption)  # R9, Art. 29(3)
    reg.gate("expert_review", check_expert_review)  # R9, Arts. 19, 29(3)
