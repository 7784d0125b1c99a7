"""Mutation testing (issue 14 §5, `make mutation MODULE=experts`): tests that kill the mutants of
`domain/rules/experts.py` (R9, SoD2; Arts. 19–21, 29(3), 41) the stage's own tests let live. The pool and
selection guards are called only by `services/experts.py` (no domain test reached them: 205 mutants), so
they are called here directly, each rule both ways."""

from __future__ import annotations

from typing import Any

from decision_engine.domain import review
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from decision_engine.domain.rules import experts as rx
from decision_engine.domain.values import Actor
from tests.domain.builders import Build, C, refused
from tests.domain.builders import blob as make_blob
from tests.domain.mutant_helpers import gate_missing
from tests.domain.test_experts_and_risk import declared, specialised

ADMIN = Actor("admin", "system_admin", "市人民政府办公室", "管理员")
BARRED = {"expert_x": "泄露论证信息，后果严重"}
EXPERTS = {"expert_a": ["expert"], "expert_b": ["expert", "meeting_member"]}


# R9, Art. 21: who keeps the pool --------------------------------------------------------------------
def test_r9_the_organ_or_the_system_administrator_keeps_the_pool() -> None:
    assert rx.pool_keeper((C.drafter, C.office)) == C.office
    assert rx.pool_keeper((ADMIN,)) == ADMIN
    refused(lambda: rx.pool_keeper((C.drafter, C.expert_a)), NotPermitted, "R9", "Art. 21",
            says="expert pool")
    refused(lambda: rx.pool_keeper(()), NotPermitted, "R9", "Art. 21")


# Art. 41: who is disqualified, folded from the pool stream --------------------------------------------
def test_r9_art41_only_a_disqualifying_departure_bars_the_expert() -> None:
    events: list[dict[str, Any]] = [
        {"type": "ExpertAddedToPool", "payload": {"person_id": "expert_a", "disqualified": True}},
        {"type": "ExpertLeftPool", "payload": {"person_id": "expert_b", "reason": "退休"}},
        {"type": "ExpertLeftPool", "payload": {"person_id": "expert_c", "reason": "退休", "disqualified": False}},
        {"type": "ExpertLeftPool", "payload": {"person_id": "expert_x", "reason": "泄密", "disqualified": True}},
        {"type": "ExpertLeftPool", "payload": {"person_id": "expert_y", "disqualified": True}},
        {"type": "ExpertLeftPool", "payload": {"person_id": "expert_z", "reason": None, "disqualified": True}},
    ]
    assert rx.disqualified(events) == {"expert_x": "泄密", "expert_y": "", "expert_z": ""}
    assert rx.disqualified([]) == {}


# R9, Art. 21 / Art. 41: entering the pool ---------------------------------------------------------------
def entry(person: str = "expert_a", roles: tuple[str, ...] = ("expert",), fields: tuple[str, ...] = ("交通",),
          affiliation: str = "某大学", active: bool | None = None) -> None:
    rx.check_pool_entry(person, list(roles), list(fields), affiliation, active=active, barred=BARRED)


def test_r9_a_pool_member_has_fields_of_expertise_and_an_affiliation() -> None:
    for bad in ({"fields": ()}, {"fields": (" ",)}, {"fields": ("", "  ")}, {"affiliation": ""},
                {"affiliation": "  "}, {"fields": (), "affiliation": ""}):
        refused(lambda x=bad: entry(**x), InvalidInput, "R9", "Art. 21")  # type: ignore[arg-type]
    entry(fields=(" ", "交通"))  # one field with text is enough
    entry(fields=("交通",), affiliation="某研究院")


def test_r9_a_pool_member_holds_the_role_expert() -> None:
    refused(lambda: entry(roles=("undertaking_unit",)), InvalidInput, "R9", "Art. 21", says="expert_a")
    refused(lambda: entry(roles=()), InvalidInput, "R9", "Art. 21")
    entry(roles=("meeting_member", "expert"))


def test_r9_art41_a_disqualified_expert_does_not_come_back_to_the_pool() -> None:
    e = refused(lambda: entry("expert_x"), RuleViolation, "R9", "Art. 41", says="expert_x")
    assert BARRED["expert_x"] in e.message
    refused(lambda: entry("expert_x", active=False), RuleViolation, "R9", "Art. 41")
    entry("expert_y")


def test_r9_an_active_member_is_not_added_twice_but_a_retired_one_comes_back() -> None:
    refused(lambda: entry(active=True), RuleViolation, "R9", "Art. 21", says="expert_a")
    entry(active=False)  # retired (Art. 21), not disqualified: may come back
    entry(active=None)  # never in the pool


# R9, Art. 21 (retirement) and Art. 41 (disqualification): leaving the pool --------------------------
def test_r9_leaving_the_pool_needs_a_reason_citing_the_article_of_the_departure() -> None:
    for reason in ("", "   "):
        refused(lambda r=reason: rx.check_leaving(r, active=True, disqualify=False), InvalidInput, "R9", "Art. 21")
        refused(lambda r=reason: rx.check_leaving(r, active=True, disqualify=True), InvalidInput, "R9", "Art. 41")
    rx.check_leaving("退休", active=True, disqualify=False)
    rx.check_leaving("泄密", active=True, disqualify=True)


def test_r9_only_an_active_member_retires_but_anyone_may_be_disqualified() -> None:
    for active in (False, None):
        refused(lambda a=active: rx.check_leaving("退休", active=a, disqualify=False), NotFound, "R9", "Art. 21")
        rx.check_leaving("泄密", active=active, disqualify=True)  # Art. 41: also one already out of the pool
    rx.check_leaving("退休", active=True, disqualify=False)


def test_r9_art41_a_disqualified_expert_gives_no_further_opinion() -> None:
    e = refused(lambda: rx.check_not_disqualified("expert_x", BARRED), NotPermitted, "R9", "Art. 41",
                says="expert_x")
    assert BARRED["expert_x"] in e.message
    rx.check_not_disqualified("expert_a", BARRED)
    rx.check_not_disqualified("expert_a", {})


# R9, Arts. 20–21, 41: who may be selected -------------------------------------------------------------
def select(ids: list[str], *, roles: dict[str, Any] | None = None, pool: set[str] | None = None,
           outside: str = "", included: Any = True, note: str = "") -> None:
    rx.check_selection(ids, EXPERTS if roles is None else roles,
                       pool={"expert_a", "expert_b"} if pool is None else pool, barred=BARRED,
                       outside_pool_reason=outside, dissent_included=included, dissent_note=note)


def test_r9_a_selection_is_a_non_empty_list_of_distinct_people() -> None:
    refused(lambda: select([]), InvalidInput, "R9", "Art. 20")
    refused(lambda: select(["expert_a", "expert_a"]), InvalidInput, "R9", "Art. 20")
    refused(lambda: select(["expert_a", "expert_b", "expert_a"]), InvalidInput, "R9", "Art. 20")
    select(["expert_a"])
    select(["expert_a", "expert_b"])


def test_r9_art41_a_disqualified_expert_is_never_selected() -> None:
    refused(lambda: select(["expert_a", "expert_x"], roles={**EXPERTS, "expert_x": ["expert"]},
                           pool={"expert_a", "expert_x"}), RuleViolation, "R9", "Art. 41", says="expert_x")
    # Art. 41 first: a disqualified person is refused as such even without the role or outside the pool
    refused(lambda: select(["expert_x"]), RuleViolation, "R9", "Art. 41", says="expert_x")


def test_r9_each_selected_person_holds_the_role_expert() -> None:
    refused(lambda: select(["expert_a", "drafter"], roles={**EXPERTS, "drafter": ["undertaking_unit"]},
                           pool={"expert_a", "drafter"}), InvalidInput, "R9", "Art. 20", says="drafter")
    refused(lambda: select(["expert_a", "ghost"], pool={"expert_a", "ghost"}), InvalidInput, "R9", "Art. 20",
            says="ghost")
    refused(lambda: select(["expert_a", "nobody"], roles={**EXPERTS, "nobody": None}, pool={"expert_a", "nobody"}),
            InvalidInput, "R9", "Art. 20", says="nobody")
    select(["expert_b"])  # another role beside expert does not matter


def test_r9_art21_an_expert_from_outside_the_pool_needs_the_reason() -> None:
    refused(lambda: select(["expert_a", "expert_b"], pool={"expert_a"}), RuleViolation, "R9", "Art. 21",
            says="expert_b")
    refused(lambda: select(["expert_a"], pool=set(), outside="  "), RuleViolation, "R9", "Art. 21")
    select(["expert_a", "expert_b"], pool={"expert_a"}, outside="库内无该领域专家")
    select(["expert_a", "expert_b"])  # all from the pool: no reason asked


def test_r9_art20_the_selection_says_whether_dissenting_experts_were_included() -> None:
    for included in (None, "true", 1, "false"):
        refused(lambda x=included: select(["expert_a"], included=x), InvalidInput, "R9", "Art. 20")
    for note in ("", "  "):
        refused(lambda n=note: select(["expert_a"], included=False, note=n), RuleViolation, "R9", "Art. 20")
    select(["expert_a"], included=False, note="本领域无持不同意见的专家")
    select(["expert_a"], included=True)
    select(["expert_a"], included=True, note="")


# R9, Art. 20: only the selected experts act (the second-line guard of the rule module) -----------------
EXPERT_C = Actor("expert_c", "expert", "某研究所", "专家丙")


def selected_check(b: Build, actor: Actor) -> None:
    """The rule module's own guard, called as the registry calls it: `domain/authority.py` refuses an
    expert not selected first, so the guard behind it is reached only directly."""
    rx.art_expert_selected(b.d, b.spec.artifact_kind("conflict_declaration"), actor, {}, b.cal, b.today)


def test_r9_the_selection_guard_itself_refuses_an_expert_not_selected_by_name(b: Build) -> None:
    specialised(b)  # expert_a and expert_b selected by id
    refused(lambda: selected_check(b, EXPERT_C), NotPermitted, "R9", "Art. 20", says=EXPERT_C.name)
    selected_check(b, C.expert_a)
    selected_check(b, C.expert_b)
    nameless = Actor("expert_c", "expert", "某研究所", "")
    refused(lambda: selected_check(b, nameless), NotPermitted, "R9", "Art. 20", says="expert_c")


def test_r9_before_any_selection_by_id_the_guard_lets_every_expert_act(b: Build) -> None:
    b.open().start().determine(specialised=True)
    selected_check(b, EXPERT_C)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", dissent_included=True)  # no ids
    selected_check(b, EXPERT_C)


def test_r9_the_latest_note_with_ids_selects_and_only_a_selection_note_selects(b: Build) -> None:
    specialised(b)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", expert_ids=["expert_a"], dissent_included=True)
    b.art(C.drafter, "selection_note", method="随机", experts="甲", dissent_included=True)  # later, no ids
    refused(lambda: selected_check(b, C.expert_b), NotPermitted, "R9", "Art. 20")
    # a declaration carrying a list under the same name selects no one
    b.art(C.expert_a, "conflict_declaration", direct_interest=False, statement="声明", expert_ids=["expert_c"])
    refused(lambda: selected_check(b, EXPERT_C), NotPermitted, "R9", "Art. 20")
    selected_check(b, C.expert_a)


# R9 / SoD2, Art. 20: the declaration read is the expert's own conflict declaration -------------------
def test_r9_a_second_opinion_of_the_same_expert_rests_on_their_declaration_not_their_opinion(b: Build) -> None:
    specialised(b)
    declared(b)
    b.opinion(C.expert_a, "可行")
    b.opinion(C.expert_a, "补充意见：可行")  # the expert's latest artifact of the review is an opinion now
    assert len(b.d.artifacts_of("expert_review", "expert_opinion")) == 2


# R9, Art. 29(3): each entry of an adoption by opinion id, even when every opinion is covered ----------
def test_r9_each_adoption_entry_has_a_disposition_and_a_reason_when_every_opinion_is_covered(b: Build) -> None:
    specialised(b)
    declared(b)
    op = b.opinion(C.expert_a, "可行")
    for bad in ({"opinion_id": op, "disposition": "adopted"},
                {"opinion_id": op, "disposition": "adopted", "reason": None},
                {"opinion_id": op, "disposition": "adopted", "reason": "  "},
                {"opinion_id": op, "disposition": "maybe", "reason": "理由"},
                {"opinion_id": op, "reason": "理由"}):
        refused(lambda x=bad: b.art(C.drafter, "expert_adoption", adoptions=[x]), RuleViolation, "R9",
                "Art. 29(3)")
    for disposition in ("adopted", "partly", "not_adopted"):
        b.art(C.drafter, "expert_adoption", adoptions=[{"opinion_id": op, "disposition": disposition,
                                                        "reason": "理由"}])


# R9, Arts. 19, 29(3): each gap of the expert review names its gate and what is needed -----------------
def test_r9_each_expert_review_gap_names_its_gate_and_what_is_needed(b: Build) -> None:
    specialised(b)
    declared(b)
    aid = b.new_id()
    doc = make_blob("opinion")
    who, events = b.d.record_artifact((C.expert_a,), "expert_opinion", doc,
                                      {"opinion": "可行", "signature": review.signature(doc.sha256)}, aid, b.cal,
                                      b.today)
    b.commit(who, events)  # signed in form, but the expert's confirmation is not on record
    declared(b, C.expert_b)
    op2 = b.opinion(C.expert_b, "不可行")
    b.art(C.drafter, "expert_adoption", adoptions=[{"opinion_id": aid, "disposition": "adopted", "reason": "x"},
                                                   {"opinion_id": op2, "disposition": "adopted", "reason": "y"}])
    b.opinion(C.expert_a, "补充")  # given after the adoption: its status is missing
    gaps = gate_missing(b, "expert_review")
    assert [(m.rule, m.article, m.kind) for m in gaps] == [("R9", "Art. 19", "expert_opinion"),
                                                           ("R9", "Art. 29(3)", "expert_adoption")]
    assert aid in gaps[0].need


def test_r9_a_credential_over_another_sha256_holds_the_gate_even_when_the_expert_confirmed(b: Build) -> None:
    specialised(b)
    declared(b)
    aid = b.new_id()
    doc = make_blob("opinion")
    who, events = b.d.record_artifact((C.expert_a,), "expert_opinion", doc,
                                      {"opinion": "可行", "signature": review.signature(make_blob("x").sha256)},
                                      aid, b.cal, b.today)
    b.commit(who, [*events, review.opinion_signed(aid, doc.sha256)])  # confirmed, but the signature differs
    assert ("R9", "Art. 19", "expert_opinion") in b.missing("expert_review")
