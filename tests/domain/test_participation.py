"""S1 in memory: participation (R5), the comment window (R6), dispositions (R8), the exemption, and the pure
rules of domain/participation.py (comments, tracking numbers, moderation, feedback report)."""

from __future__ import annotations

from datetime import timedelta

from decision_engine.domain import participation as dp
from decision_engine.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from tests.domain.builders import Build, C, refused

SETTINGS = {"comment_max_chars": 10, "comment_max_attachments": 1, "comment_attachment_max_bytes": 100}


# R6: the comment period ---------------------------------------------------------------------------
def test_r6_a_comment_period_under_30_days_without_a_reason_is_refused(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(29), RuleViolation, "R6", "Art. 15")


def test_r6_a_comment_period_of_30_days_is_accepted(b: Build) -> None:
    b.open().start()
    b.notice(30)
    assert b.gate("public_participation") == "submitted"


def test_r6_a_shorter_period_with_its_reason_in_the_notice_is_accepted(b: Build) -> None:
    b.open().start()
    b.notice(10, shortening_reason="汛期前必须实施，情况紧急")
    refused(lambda: b.notice(10, shortening_reason="  "), RuleViolation, "R6", "Art. 15")


def test_r6_a_notice_whose_dates_are_not_dates_is_malformed(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(30, deadline="later"), InvalidInput, "R6", "Art. 15")
    refused(lambda: b.notice(30, published_at="now"), InvalidInput, "R6", "Art. 15")


def test_r6_a_notice_whose_channels_are_not_a_list_is_malformed(b: Build) -> None:
    b.open().start()
    refused(lambda: b.notice(30, channels="网站"), InvalidInput, "R6", "Art. 15")


def test_r6_the_adoption_summary_waits_until_the_window_has_closed(b: Build) -> None:
    b.open().start()
    b.notice(30)
    b.advance(30)  # the deadline day itself is still inside the window
    refused(lambda: b.summary(), RuleViolation, "R6", "Art. 15")
    b.advance(1)
    b.summary()


def test_r6_participation_cannot_be_cleared_while_the_window_is_open(b: Build) -> None:
    b.open().start()
    # every other requirement met: a symposium held and its opinions summarised ...
    b.art(C.drafter, "participation_record", method="symposium", summary="座谈会")
    b.summary()
    # ... then a comment notice opens a window that is still running
    b.notice(30)
    assert b.missing("public_participation") == []
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R6", "Art. 15")
    b.advance(30)
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R6", "Art. 15")
    b.advance(1)
    b.clear("public_participation", C.bureau_head)
    assert b.gate("public_participation") == "cleared"


# R5: participation --------------------------------------------------------------------------------
def test_r5_participation_needs_at_least_one_method(b: Build) -> None:
    b.open().start()
    b.summary()
    assert b.missing("public_participation") == [("R5", "Art. 14", "participation_record")]
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R5", "Art. 14")


def test_r5_a_participation_record_names_a_method_of_article_14(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.drafter, "participation_record", method="饭局", summary="x"), InvalidInput, "R5",
            "Art. 14")
    b.art(C.drafter, "participation_record", method="座谈会", summary="x")
    b.art(C.drafter, "participation_record", method=" visit ", summary="x")


def test_r5_a_decision_affecting_a_specific_group_needs_its_group_consultation(b: Build) -> None:
    b.open().start().determine(affects_specific_group=True)
    b.art(C.drafter, "participation_record", method="symposium", summary="x")
    b.summary()
    assert b.missing("public_participation") == [("R5", "Art. 14 ¶3", "group_consultation")]
    b.art(C.drafter, "group_consultation", groups=["老年人"], summary="x")
    assert b.missing("public_participation") == []


def test_r8_participation_cannot_be_cleared_without_the_adoption_summary(b: Build) -> None:
    b.open().start()
    b.art(C.drafter, "participation_record", method="symposium", summary="x")
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R8", "Arts. 18, 29(2)")


def test_sod8_the_author_of_a_participation_artifact_cannot_clear_the_gate(b: Build) -> None:
    b.open().start()
    b.art(C.drafter, "participation_record", method="symposium", summary="x")
    b.summary()
    refused(lambda: b.clear("public_participation", C.drafter), NotPermitted, "SoD8", "Art. 38 (inference)")


def test_sod8_only_the_undertaking_unit_clears_participation(b: Build) -> None:
    b.open().start()
    refused(lambda: b.clear("public_participation", C.head), NotPermitted, "SoD8", "Arts. 14–15, 18")


def test_a_gate_already_cleared_cannot_be_cleared_again(b: Build) -> None:
    b.open().start().determine().coordinate().participate()
    refused(lambda: b.clear("public_participation", C.bureau_head), RuleViolation, "R5", "Arts. 14–15, 18")


def test_a_gate_that_clears_itself_is_never_cleared_by_act(b: Build) -> None:
    b.open().start()
    err = refused(lambda: b.clear("coordination", C.bureau_head), RuleViolation, "R4", "Art. 13")
    assert [m.kind for m in err.missing] == ["consultation", "consultation"]


# R8: dispositions --------------------------------------------------------------------------------
def test_r8_an_opinion_without_a_disposition_or_a_reason_or_its_text_is_refused(b: Build) -> None:
    b.open().start()
    for op in ({"opinion": "x", "reason": "y"}, {"opinion": "x", "disposition": "maybe", "reason": "y"},
               {"opinion": "x", "disposition": "adopted", "reason": " "},
               {"opinion": " ", "disposition": "adopted", "reason": "y"}, "x"):
        refused(lambda o=op: b.art(C.drafter, "opinion_summary", opinions=[o]), RuleViolation, "R8", "Art. 18")


def test_r8_opinions_that_are_not_a_list_are_malformed(b: Build) -> None:
    b.open().start()
    refused(lambda: b.art(C.drafter, "opinion_summary", opinions={"a": 1}), InvalidInput, "R8", "Art. 18")


def test_r8_each_disposition_is_accepted(b: Build) -> None:
    b.open().start()
    b.art(C.drafter, "opinion_summary", opinions=[{"opinion": "x", "disposition": d, "reason": "y"}
                                                  for d in ("adopted", "partly", "not_adopted")])


# the exemption (R5, Art. 14) ------------------------------------------------------------------------
def test_r5_exempting_participation_needs_the_nondisclosable_determination(b: Build) -> None:
    b.open().start().determine()
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    refused(lambda: b.exempt("public_participation", C.drafter), RuleViolation, "R5",
            "Art. 14; 政府信息公开条例 Arts. 14–15")


def test_r5_exempting_participation_needs_the_recorded_legal_basis(b: Build) -> None:
    b.open().start().determine(nondisclosable=True)
    refused(lambda: b.exempt("public_participation", C.drafter), RuleViolation, "R5",
            "Art. 14; 政府信息公开条例 Arts. 14–15")
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    refused(lambda: b.exempt("public_participation", C.drafter, basis=" "), InvalidInput, "R5",
            "Art. 14; 政府信息公开条例 Arts. 14–15")
    refused(lambda: b.exempt("public_participation", C.reviewer), NotPermitted, "R5",
            "Art. 14; 政府信息公开条例 Arts. 14–15")
    b.exempt("public_participation", C.bureau_head)
    assert b.gate("public_participation") == "exempted"
    assert b.state["gates"]["public_participation"]["exemption"]["legal_basis"] == "政府信息公开条例第十四条"
    refused(lambda: b.exempt("public_participation", C.bureau_head), RuleViolation, "R5", "Arts. 14–15, 18")


def test_sod8_nobody_exempts_a_gate_on_their_own_determination(b: Build) -> None:
    """SoD8 (engine, inference; issue 15 §3): the person who recorded the determination that grounds the
    exemption (state["flags"][flag]["by"]) cannot exempt the gate on it; another person of the unit can."""
    b.open().start().determine(nondisclosable=True)
    b.art(C.drafter, "nondisclosure_basis", legal_ref="政府信息公开条例第十四条", reason="涉密")
    assert b.state["flags"]["nondisclosable"]["by"]["person"] == "drafter"
    refused(lambda: b.exempt("public_participation", C.drafter), NotPermitted, "SoD8", "Art. 38 (inference)",
            says="nondisclosable")
    assert b.gate("public_participation") != "exempted"
    b.determination("nondisclosable", True, actor=C.bureau_head, reasons="局长复核认定")  # a new determination
    refused(lambda: b.exempt("public_participation", C.bureau_head), NotPermitted, "SoD8", "Art. 38 (inference)")
    b.exempt("public_participation", C.drafter)  # now the drafter did not make the determination in force
    assert b.gate("public_participation") == "exempted"


def test_r13_the_legality_review_and_the_collective_decision_are_never_exempted(b: Build) -> None:
    b.open().start()
    refused(lambda: b.exempt("legality_review", C.drafter), RuleViolation, "R13", "Arts. 25, 30")
    refused(lambda: b.exempt("collective_decision", C.head), RuleViolation, "R13", "Arts. 25, 30")
    refused(lambda: b.exempt("hearing", C.drafter), RuleViolation, "R7", "Arts. 16–17")


# domain/participation.py -------------------------------------------------------------------------
def test_r6_a_comment_needs_a_notice_to_answer(b: Build) -> None:
    b.open().start()
    refused(lambda: dp.comment_window(b.d, b.today), RuleViolation, "R6", "Art. 15")
    b.notice(30, published_at=(b.today + timedelta(days=1)).isoformat(),
             deadline=(b.today + timedelta(days=31)).isoformat())
    refused(lambda: dp.comment_window(b.d, b.today), RuleViolation, "R6", "Art. 15")


def test_r6_a_comment_on_the_deadline_is_in_time_and_the_day_after_is_late(b: Build) -> None:
    b.open().start()
    aid = b.notice(30)
    notice, late = dp.comment_window(b.d, b.today + timedelta(days=30))
    assert (notice["id"], late) == (aid, False)
    assert dp.comment_window(b.d, b.today + timedelta(days=31))[1] is True


def test_r6_a_comment_within_the_limits_is_accepted() -> None:
    text = dp.check_comment("同意调整", {"name": "张三"}, [("a.pdf", "application/pdf; q=1", 100)], SETTINGS,
                            ("application/pdf",))
    assert text == "同意调整"


def test_r6_a_comment_outside_the_limits_is_refused() -> None:
    media = ("application/pdf",)
    for text, identity, attachments in (
            ("", {}, []), (" ", {}, []), (None, {}, []), ("x" * 11, {}, []),
            ("ok", {"phone": "1"}, []), ("ok", {"name": "x" * 201}, []), ("ok", {"name": 3}, []),
            ("ok", {}, [("a.pdf", "application/pdf", 1)] * 2),
            ("ok", {}, [("a.pdf", "application/pdf", 101)]), ("ok", {}, [("a.exe", "application/x-exe", 1)])):
        refused(lambda t=text, i=identity, a=attachments: dp.check_comment(t, i, a, SETTINGS, media),
                InvalidInput, "R6", "Art. 15")
    assert dp.check_comment("x" * 10, {"name": "x" * 200}, [("a.pdf", "application/pdf", 100)], SETTINGS, media)


def test_r6_a_mistyped_tracking_number_is_refused_and_a_right_one_is_read_back() -> None:
    number = dp.tracking_number(0x1234_5678_9ABC_DE)
    assert dp.parse_tracking_number(number.lower().replace("-", " ")) == number
    body = number.replace("-", "")
    typo = body[:5] + ("1" if body[5] != "1" else "2") + body[6:]
    for bad in (typo, number[:-1], number + "0", number.replace(number[-1], "U")):
        refused(lambda x=bad: dp.parse_tracking_number(x), InvalidInput, "R6", "Art. 15")


def test_r18_moderation_hides_for_a_listed_reason_with_a_short_note() -> None:
    dp.check_moderation("abusive", "x" * 500)
    refused(lambda: dp.check_moderation("dislike", ""), InvalidInput, "R18", "Art. 33")
    refused(lambda: dp.check_moderation("abusive", "x" * 501), InvalidInput, "R18", "Art. 33")


def test_an_anonymous_comment_has_no_identity_commitment_and_a_named_one_is_salted() -> None:
    assert dp.identity_commitment({"name": " "}, "salt") is None
    one = dp.identity_commitment({"name": "张三"}, "s1")
    assert one is not None and len(one) == 64 and one != dp.identity_commitment({"name": "张三"}, "s2")


def test_r8_a_disposition_names_its_reason_and_the_version_it_changed() -> None:
    ok = dp.check_disposition({"cluster_id": "C1", "disposition": "adopted", "reason": "合理",
                               "changed_in_version": 2}, notice_version=1, current_version=2)
    assert ok == {"cluster_id": "C1", "disposition": "adopted", "reason": "合理", "changed_in_version": 2}
    assert dp.check_disposition({"disposition": "not_adopted", "reason": "无依据"}, notice_version=1,
                                current_version=1)["changed_in_version"] is None
    refused(lambda: dp.check_disposition({"disposition": "maybe", "reason": "x"}, notice_version=1,
                                         current_version=2), InvalidInput, "R8", "Art. 18")
    refused(lambda: dp.check_disposition({"disposition": "adopted", "reason": " ", "changed_in_version": 2},
                                         notice_version=1, current_version=2), RuleViolation, "R8", "Art. 18")
    refused(lambda: dp.check_disposition({"disposition": "not_adopted", "reason": "x", "changed_in_version": 2},
                                         notice_version=1, current_version=2), InvalidInput, "R8", "Art. 18")
    for version in (None, 1, 3, True, "2"):
        refused(lambda v=version: dp.check_disposition({"disposition": "partly", "reason": "x",
                                                        "changed_in_version": v},
                                                       notice_version=1, current_version=2),
                RuleViolation, "R8", "Art. 18")


def test_r8_the_feedback_report_is_refused_while_an_opinion_lacks_its_disposition() -> None:
    source = {"stream": "comments:d1", "seq": 9}
    totals = {"on_time": 3, "late": 1, "hidden": 0}
    clusters = [{"cluster_id": "C00001", "text": "降价", "size": 2, "disposition": "adopted", "reason": "合理",
                 "changed_in_version": 2},
                {"cluster_id": "C00002", "text": "不变", "size": 1, "disposition": None, "reason": None,
                 "changed_in_version": None}]
    err = refused(lambda: dp.feedback_report("票价", clusters, totals, main=50, source=source), RuleViolation,
                  "R8", "Art. 18")
    assert [m.need for m in err.missing] == ["disposition of opinion cluster C00002"]
    clusters[1].update(disposition="not_adopted", reason="成本")
    fields, text = dp.feedback_report("票价", clusters, totals, main=1, source=source)
    assert [o["cluster_id"] for o in fields["opinions"]] == ["C00001"]
    assert fields["dispositions"] == {"adopted": 1, "partly": 0, "not_adopted": 1}
    assert "C00002" in text and fields["comments_late"] == 1


def test_r8_a_consultation_without_comments_reports_that_none_were_received() -> None:
    fields, text = dp.feedback_report("票价", [], {"on_time": 0, "late": 0, "hidden": 0}, main=50,
                                      source={"stream": "comments:d1", "seq": 1})
    assert fields["opinions"][0]["opinion"] == "征求意见期间未收到公众意见"
    assert fields["clusters_total"] == 0 and "共收到意见 0 条" in text


def test_near_identical_comments_share_a_cluster_and_different_ones_do_not() -> None:
    labels = dp.cluster_labels(["公交票价不应上涨，应当维持现价", "公交票价不应上涨，应当维持现价！", "建议增加夜班线路"])
    assert labels[0] == labels[1] != labels[2]
    assert dp.cluster_labels(["新意见"], seeds=[("公交票价不应上涨，应当维持现价", "C00007")], next_no=8) == ["C00008"]


# the hearing record (R7, SoD5) -----------------------------------------------------------------------
def _hearing(b: Build) -> str:
    b.open().start().determine(hearing_required_by_law=True)
    b.hearing_notice(14)
    return "ab" * 32


def test_r7_a_hearing_record_is_presented_only_after_the_hearing_by_its_organiser(b: Build) -> None:
    sha = _hearing(b)
    kw = {"sha256": sha, "size": 1, "media_type": "text/plain", "filename": "r.txt"}
    refused(lambda: dp.present_record(b.d, (C.organizer,), today=b.today + timedelta(days=13), **kw),
            RuleViolation, "R7", "Art. 17")
    refused(lambda: dp.present_record(b.d, (C.participant_a,), today=b.today + timedelta(days=14), **kw),
            NotPermitted, "R7", "Art. 17")
    b.advance(14)
    b.act(C.organizer, dp.present_record(b.d, (C.organizer,), today=b.today, **kw))
    rec = b.state["records"][sha]
    assert {k: rec[k] for k in ("subject", "size", "media_type", "filename", "draft_version", "seq")} == {
        "subject": "hearing_record", "size": 1, "media_type": "text/plain", "filename": "r.txt", "draft_version": 1,
        "seq": len(b.events)}
    assert rec["presented_by"]["person"] == "organizer" and rec["presented_at"] == b.events[-1]["at"]
    refused(lambda: dp.present_record(b.d, (C.organizer,), today=b.today, **kw), RuleViolation, "R7", "Art. 17")


def test_r7_no_record_is_presented_without_a_hearing_notice(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    refused(lambda: dp.present_record(b.d, (C.organizer,), sha256="x", size=1, media_type="text/plain",
                                      filename="r", today=b.today), RuleViolation, "R7", "Art. 16")


def test_sod5_each_participant_confirms_the_presented_record_once_with_their_own_credential(b: Build) -> None:
    sha = _hearing(b)
    refused(lambda: dp.confirm_record(b.d, (C.participant_a,), sha256=sha), NotFound, "SoD5",
            "Art. 17")
    b.advance(14)
    b.act(C.organizer, dp.present_record(b.d, (C.organizer,), sha256=sha, size=1, media_type="text/plain",
                                         filename="r.txt", today=b.today))
    refused(lambda: dp.confirm_record(b.d, (C.organizer,), sha256=sha), NotPermitted, "SoD5", "Art. 17")
    b.act(C.participant_a, dp.confirm_record(b.d, (C.participant_a,), sha256=sha, remarks="无异议"))
    assert [c["person"] for c in b.state["records"][sha]["confirmations"]] == ["participant_a"]
    refused(lambda: dp.confirm_record(b.d, (C.participant_a,), sha256=sha), RuleViolation, "SoD5", "Art. 17")


def test_r7_records_are_neither_presented_nor_confirmed_after_the_decision(b: Build) -> None:
    b.decided()
    refused(lambda: dp.present_record(b.d, (C.organizer,), sha256="x", size=1, media_type="text/plain",
                                      filename="r", today=b.today), RuleViolation, "R7", "Art. 17")
    refused(lambda: dp.confirm_record(b.d, (C.participant_a,), sha256="x"), RuleViolation, "R7", "Art. 17")


def test_the_comment_stream_folds_into_its_tables() -> None:
    def ev(seq: int, t: str, **p: object) -> dict[str, object]:
        return {"seq": seq, "type": t, "at": "2025-03-03T01:00:00+00:00", "actor": {"person": "drafter"},
                "payload": p}
    folded = dp.fold_comments([
        ev(1, "CommentReceived", tracking_number="T1", decision_id="d1", notice_artifact_id="a1", channel="online",
           text="x", text_sha256="s", identity_sha256=None, attachments=[], received_on="2025-03-03", late=False),
        ev(2, "CommentHidden", tracking_number="T1", reason="abusive", note=""),
        ev(3, "OpinionsClustered", clusters=[{"cluster_id": "C1", "representative": "T1", "members": ["T1"]}]),
        ev(4, "OpinionsDisposed", items=[{"cluster_id": "C1", "disposition": "adopted", "reason": "r",
                                          "changed_in_version": 2}])])
    assert folded["comments"]["T1"]["hidden_reason"] == "abusive" and folded["comments"]["T1"]["cluster_id"] == "C1"
    assert folded["clusters"]["C1"]["size"] == 1 and folded["clusters"]["C1"]["disposed_by"] == "drafter"
