"""Publication (决策公布, S6, R17, Art. 32) and the public docket of published decisions.

`publish` records the adoption explanation and interpretation (when given) and the publication record in
one transaction; `withhold` records the legal basis for not disclosing and exempts the gate; the statutory
clock reads `publication_due`; the public pages read `public_list` and `public_docket` (data only).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from decision_engine.domain.decision import DECIDED, Actor, Decision, NewEvent, publication_channel
from decision_engine.domain.errors import NotFound
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import decisions, queries
from decision_engine.services.clock import statutory_date
from decision_engine.services.context import Context, new_id
from decision_engine.services.meetings import OUTCOME_ZH, TYPE_ZH, meetings_of


def _in_turn(*steps: decisions.Act) -> decisions.Act:
    """Several domain acts as one: each is checked against the state the previous ones produce, and the
    store appends all of them in one transaction, or none (DESIGN principle 4)."""
    def act(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        scratch = Decision(d.spec, d.to_dict(), chart=d.chart)  # the same organisation: whose decision it is
        actor: Actor | None = None
        out: list[NewEvent] = []
        for step in steps:
            who, events = step(scratch, c, today)
            actor = actor or who
            for e in events:
                scratch.apply({"type": e.type, "payload": e.payload, "seq": scratch.state["seq"] + 1,
                               "at": scratch.state["updated_at"], "actor": (who or c[0]).to_dict()})
            out.extend(events)
        return actor, out
    return act


def _artifact(ctx: Context, kind: str, fields: dict[str, Any]) -> decisions.Act:
    blob = decisions._store_blob(ctx, None, "application/json", f"{kind}.json", fields)
    return lambda d, c, today: d.record_artifact(c, kind, blob, fields, new_id("A"), ctx.calendar, today)


def publish(ctx: Context, person_id: str, decision_id: str, *, channels: list[Any],
            published_at: str | None = None, adoption_explanation: str = "", interpretation: str = "",
            interpretation_means: Sequence[str] = (), expected_seq: int | None = None) -> decisions.Result:
    """Publish a finalized decision (R17, Art. 32): the channels used, and for a matter of wide concern or
    a specialised one the explanation of how opinions were adopted and the interpretation, with the means it
    is made public by (press conference, interview…)."""
    steps = [_artifact(ctx, kind, fields) for kind, text, fields in (
        ("adoption_explanation", adoption_explanation, {"text": adoption_explanation}),
        ("interpretation", interpretation, {"text": interpretation, "means": [m for m in interpretation_means
                                                                              if m.strip()]}))
             if text.strip()]

    def record(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        on = published_at or today.isoformat()
        fields: dict[str, Any] = {"channels": channels, "published_at": on}
        if d.state["decided_on"]:
            fields.update(_timeliness(ctx, d, on))  # facts for the record: 20 working days (profile)
        return _artifact(ctx, "publication_record", fields)(d, c, today)
    return decisions.run(ctx, person_id, decision_id, _in_turn(*steps, record), what="publish",
                         expected_seq=expected_seq)


def _timeliness(ctx: Context, d: Decision, published_at: str) -> dict[str, Any]:
    dur = d.spec.durations["publication"]
    due = ctx.calendar.add_working_days(date.fromisoformat(d.state["decided_on"]), dur.days,
                                        f"{dur.rule} {dur.article}")
    return {"due": due.due.isoformat(), "within_deadline": statutory_day(published_at) <= due.due,
            "deadline_provisional": due.provisional}


def withhold(ctx: Context, person_id: str, decision_id: str, *, legal_ref: str, reason: str,
             expected_seq: int | None = None) -> decisions.Result:
    """Not published by law (依法不予公开, R17, Art. 32; OGI Arts. 14–16): the basis recorded and the
    publication gate exempted in one transaction; the docket still discloses the basis."""
    def exempt(d: Decision, c: tuple[Actor, ...], today: date) -> tuple[Actor | None, list[NewEvent]]:
        return d.exempt_gate(c, "publication", legal_ref)
    return decisions.run(ctx, person_id, decision_id, _in_turn(
        _artifact(ctx, "publication_nondisclosure_basis", {"legal_ref": legal_ref, "reason": reason}),
        exempt), what="withhold", expected_seq=expected_seq)


def publication_due(ctx: Context, today: date | None = None) -> list[dict[str, Any]]:
    """Decided decisions whose publication is not settled, with the deadline (R17: 20 working days by
    the profile default; provisional beyond the official calendar) — what the statutory clock watches."""
    today = today or ctx.today()
    out = []
    with ctx.uow.read() as uow:
        ids = uow.decisions.ids((*DECIDED, "suspended"))
        loaded = [decisions.load(uow.tx, did)[0] for did in ids]
    for d in loaded:
        gate = d.spec.gate("publication")
        if d.gate_satisfied(gate):
            continue
        for dl in queries.deadlines(d, ctx.calendar, today):
            if dl["name"] == "publication_max":
                out.append({"decision_id": d.id, "title": d.state["title"], "unit": d.state["unit"],
                            "status": d.status, "decided_on": d.state["decided_on"], "due": dl["due"],
                            "provisional": dl["provisional"], "overdue": dl["overdue"], "basis": dl["basis"],
                            "missing": [m.to_dict() for m in d.missing_for(gate)]})
    return sorted(out, key=lambda x: (x["due"], x["decision_id"]))


def public_list(ctx: Context, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Published decisions, the most recently published first (the public site's index)."""
    with ctx.uow.read() as uow:
        rows = uow.decisions.published(limit=max(1, min(limit, 200)), offset=max(0, offset))
    return [{"id": r["id"], "title": r["title"], "category": r["category"], "unit": r["unit"],
             "status": r["status"],
             "published_on": statutory_date(r["published"]).isoformat()} for r in rows]


def public_docket(ctx: Context, decision_id: str) -> dict[str, Any]:
    """A published decision for the public (R17, Art. 32; seed 001 feedback): the text decided, the
    feedback on opinions, the procedure timeline with every exemption and its legal basis, the meetings
    and the tracking numbers. Persons are not named; units are."""
    with ctx.uow.read() as uow:
        d, _ = decisions.load(uow.tx, decision_id)
        sittings = meetings_of(uow.tx, decision_id)
        finalized = uow.events.last_at(decisions.stream_of(decision_id), "DecisionFinalized")
    pubs = d.artifacts_of("publication", "publication_record", all_rounds=True)
    if not pubs:
        raise NotFound(f"decision {decision_id} is not published", rule="R17", article="Art. 32")
    s = d.state
    draft = next(x for x in s["drafts"] if x["version"] == s["decided_version"])
    art = s["artifacts"][draft["artifact_id"]]
    body = ctx.blobs.get(draft["sha256"])
    text = body.decode("utf-8", "replace") if art["media_type"].startswith("text/") else None
    summary = d.artifacts_of("public_participation", "opinion_summary", all_rounds=True)
    opinions = summary[-1]["fields"]["opinions"] if summary else []
    latest_text = {k: (d.artifacts_of("publication", k, all_rounds=True) or [{}])[-1].get("fields", {})
                   .get("text") for k in ("adoption_explanation", "interpretation")}
    experts = d.artifacts_of("expert_review", "expert_adoption", all_rounds=True)
    last = pubs[-1]["fields"]
    return {
        "id": d.id, "title": s["title"], "category": s["category"], "unit": s["unit"], "units": s["units"],
        "status": s["status"], "decided_on": s["decided_on"], "published_on": s["published_on"],
        "procedure": {"id": s["procedure"]["id"], "version": s["procedure"]["version"]},
        "publication": {"channels": [{"name": c if isinstance(c, str) else c.get("name", c.get("channel")),
                                      "channel": publication_channel(c)} for p in pubs
                                     for c in p["fields"]["channels"]],
                        "published_at": last["published_at"], "due": last.get("due"),
                        "within_deadline": last.get("within_deadline")},
        "text": {"version": draft["version"], "title": draft["title"], "sha256": draft["sha256"],
                 "media_type": art["media_type"], "filename": art["filename"], "content": text},
        "feedback": {"opinions": [{k: o.get(k) for k in ("opinion", "disposition", "reason")}
                                  for o in opinions],
                     "expert_adoptions": experts[-1]["fields"]["adoptions"] if experts else [],
                     "adoption_explanation": latest_text["adoption_explanation"],
                     "interpretation": latest_text["interpretation"]},
        "timeline": _timeline(d, sittings, finalized, pubs),
        "exemptions": [{"gate": e["gate"], "name_zh": d.spec.gate(e["gate"]).name_zh,
                        "legal_basis": e["legal_basis"], "at": e["at"]} for e in s["exemptions"]],
        "tracking_numbers": sorted({str(n) for o in opinions for n in
                                    ([o["tracking_number"]] if o.get("tracking_number") else [])
                                    + list(o.get("tracking_numbers") or [])}),
    }


def _timeline(d: Decision, sittings: list[dict[str, Any]], finalized_at: str | None,
              pubs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each gate with when it cleared (or its exemption and basis, or the determination that it did
    not apply, with the reasons), then the milestones, in time order. A waived step is disclosed."""
    s = d.state
    out: list[dict[str, Any]] = [{"at": s["opened_at"], "event": "opened", "name_zh": "决策启动（立项）",
                                  "unit": s["opened_by"]["unit"]}]
    out += [{"at": x["at"], "event": "draft_version", "name_zh": f"决策草案第{x['version']}版",
             "note": x["note"]} for x in s["drafts"]]
    for g in d.spec.gates:
        gs, status = s["gates"][g.id], d.gate_status(g)
        if g.phase == "post" and status in ("open", "not_applicable"):
            continue
        item: dict[str, Any] = {"event": "gate", "gate": g.id, "name_zh": g.name_zh, "stage": g.stage,
                                "rule": g.rule, "article": g.article, "status": status,
                                "reopened": [{"at": r["at"], "reason": r["reason"]} for r in gs["reopened"]]}
        if status == "exempted":
            item.update(at=gs["exemption"]["at"], legal_basis=gs["exemption"]["legal_basis"])
        elif status == "not_applicable":
            flag = s["flags"].get(g.condition.removeprefix("flag:"), {})
            item.update(at=flag.get("at", s["opened_at"]), determination=g.condition.removeprefix("flag:"),
                        reasons=flag.get("reasons", ""))
        elif status == "cleared":
            arts = d.artifacts_of(g.id)
            item.update(at=gs["cleared"]["at"] if gs["cleared"] else max(a["at"] for a in arts),
                        unit=(gs["cleared"] or {}).get("by", {}).get("unit") or arts[-1]["author"]["unit"])
        else:
            item.update(at=s["updated_at"])
        out.append(item)
    out += [{"at": x["decided_at"] or x["held_on"], "event": "meeting", "meeting_id": x["meeting_id"],
             "name_zh": TYPE_ZH.get(x["meeting_type"], x["meeting_type"]), "held_on": x["held_on"],
             "outcome": x["outcome"], "outcome_zh": OUTCOME_ZH.get(x["outcome"] or "", "")}
            for x in sittings]
    if finalized_at:
        out.append({"at": finalized_at, "event": "decided", "name_zh": "作出决策", "on": s["decided_on"],
                    "version": s["decided_version"]})
    out += [{"at": p["at"], "event": "published", "name_zh": "决策公布", "on": p["fields"]["published_at"],
             "unit": p["author"]["unit"]} for p in pubs]
    return sorted(out, key=lambda x: str(x["at"]))
