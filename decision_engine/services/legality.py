"""Legality review use cases (R11–R13, SoD1; Arts. 25–28; seed 000): the submission packet generated
from the record, the legal office's queue with statutory deadlines, supplement requests and returns
(both restart the clock), amendments, and the written explanation when an opinion is not adopted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from decision_engine.domain import review
from decision_engine.domain.decision import PRE_DECISION, Actor, Decision, NewEvent
from decision_engine.domain.errors import InvalidInput
from decision_engine.domain.law import basis, ref
from decision_engine.services import decisions
from decision_engine.services.context import Context
from decision_engine.services.decisions import Result, load, run


def packet(ctx: Context, decision_id: str, legal_basis: str) -> dict[str, Any]:
    """A preview of the submission packet the record would produce now (R11, Art. 26)."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    return review.submission_packet(d, legal_basis)


def submit_for_review(ctx: Context, person_id: str, decision_id: str, *, legal_basis: str,
                      review_days: int | None = None, short_review_reason: str = "") -> Result:
    """Submit the draft for legality review with a packet generated from the record at this sequence; the
    review is given `review_days` working days (default: the procedure's minimum, ≥ 7 unless a reason)."""
    today = ctx.today()
    with ctx.store.read() as conn:
        d, seq = load(conn, decision_id)
    fields = review.submission_packet(d, legal_basis)
    days = review_days if review_days is not None else d.spec.durations["legality_review"].days + int(
        d.spec.settings.get("legality_review_extension_days", 0))
    if days < 1:
        raise InvalidInput("review_days must be a positive number of working days", **ref("R11.review_time"))
    due = ctx.calendar.add_working_days(today, days, basis("R11.review_time"))
    fields.update(requested_deadline=due.due.isoformat(), deadline_provisional=due.provisional,
                  short_review_reason=short_review_reason)
    return decisions.record_artifact(ctx, person_id, decision_id, "legality_submission", fields,
                                     expected_seq=seq)


def clock(ctx: Context, decision_id: str) -> dict[str, Any] | None:
    """The review clock of one decision (working days remaining; provisional years flagged)."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    return review.review_clock(d, ctx.calendar, ctx.today())


def review_queue(ctx: Context) -> list[dict[str, Any]]:
    """The legal office's queue: submissions not yet cleared, earliest deadline first (paused last)."""
    today = ctx.today()
    out = []
    with ctx.uow.read() as uow:
        ids = uow.artifacts.decisions_with("legality_submission")
        for did in ids:
            d, _ = load(uow.tx, did)
            if d.status not in PRE_DECISION or d.gate_satisfied(d.spec.gate("legality_review")):
                continue
            c = review.review_clock(d, ctx.calendar, today)
            if c is None:  # returned: waiting for a new submission
                continue
            out.append(dict(c, decision_id=did, title=d.state["title"], unit=d.state["unit"],
                            gate_status=d.gate_status(d.spec.gate("legality_review"))))
    return sorted(out, key=lambda e: (e["paused"], e["deadline"], e["decision_id"]))


def request_supplement(ctx: Context, person_id: str, decision_id: str, *, items: Sequence[str],
                       reason: str) -> Result:
    """The legal office asks for supplementary material; the clock stops until it arrives (R11, Art. 26)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return review.request_supplement(d, c, list(items), reason)
    return run(ctx, person_id, decision_id, act, what="legality:request_supplement")


def provide_supplement(ctx: Context, person_id: str, decision_id: str, *, explanation: str,
                       content: bytes | None = None, media_type: str = "application/pdf",
                       filename: str = "") -> Result:
    """The undertaking unit supplies what was asked; the review clock restarts (R11, Art. 26)."""
    return decisions.record_artifact(ctx, person_id, decision_id, "legality_supplement",
                                     {"explanation": explanation}, content=content, media_type=media_type,
                                     filename=filename)


def return_submission(ctx: Context, person_id: str, decision_id: str, reason: str) -> Result:
    """The legal office returns the submission; a new one starts a new round and a new clock (R11)."""
    return decisions.return_gate(ctx, person_id, decision_id, "legality_review", reason)


def record_amendments(ctx: Context, person_id: str, decision_id: str, *, changes: Sequence[str]) -> Result:
    """How the draft was amended after the legality opinion (R12, Art. 28)."""
    if not changes:
        raise InvalidInput("list the changes made", rule="R12", article="Art. 28")
    return decisions.record_artifact(ctx, person_id, decision_id, "amendment_record", {"changes": list(changes)})


def explain_nonadoption(ctx: Context, person_id: str, decision_id: str, *,
                        points: Sequence[dict[str, str]]) -> Result:
    """The undertaking unit's written explanation for each point of the legal office's opinion it does not
    adopt (seed 000; R12, Art. 28). It never turns an 'unlawful' opinion into a lawful one (R13)."""
    if not points or any(not str(p.get("point") or "").strip() or not str(p.get("explanation") or "").strip()
                         for p in points):
        raise InvalidInput("each point not adopted names the point and the written explanation", rule="R12",
                           article="Art. 28; seed 000")
    text = "\n".join(f"{i}. 关于“{p['point']}”：{p['explanation']}" for i, p in enumerate(points, start=1))
    return decisions.record_artifact(ctx, person_id, decision_id, "nonadoption_explanation",
                                     {"explanation": text, "points": [dict(p) for p in points]})
