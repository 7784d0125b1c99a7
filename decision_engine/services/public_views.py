"""What the public may read without logging in, beside the published docket (`publication.public_list`,
`publication.public_docket`): drafts open for comment (R6, Art. 15) with their notice, and the official
documents (公文) of a published decision. Minutes and discussion records stay internal (政府信息公开条例
Art. 16 ¶2); a draft determined non-disclosable (R5, Art. 14) is never shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_engine.domain.decision import PRE_DECISION, Decision
from decision_engine.domain.errors import NotFound
from decision_engine.domain.rules.participation import live_notices
from decision_engine.domain.statutory_time import statutory_day
from decision_engine.services import documents, publication
from decision_engine.services.context import Context
from decision_engine.services.decisions import artifact_content, load
from decision_engine.services.work import decisions_in

COMMENT_DOCUMENTS = ("comment_notice", "hearing_notice")
PUBLISHED_DOCUMENTS = ("comment_notice", "hearing_notice", "feedback_report", "publication_notice",
                       "interpretation")


def _open_notice(d: Decision, today: date) -> dict[str, Any] | None:
    """The comment notice whose window is open today, unless the matter is non-disclosable."""
    if d.flag("nondisclosable") or not d.spec.has_gate("public_participation"):
        return None
    for notice in reversed(live_notices(d)):
        f = notice["fields"]
        if statutory_day(f["published_at"]) <= today <= statutory_day(f["deadline"]):
            return dict(notice)
    return None


def open_for_comment(ctx: Context) -> list[dict[str, Any]]:
    """Drafts whose comment window is open today (R6, Art. 15), the soonest closing first."""
    today = ctx.today()
    with ctx.store.read() as conn:
        decisions = decisions_in(conn, PRE_DECISION, limit=1000)
    out = []
    for d in decisions:
        notice = _open_notice(d, today)
        if notice is not None:
            out.append({"id": d.id, "title": d.state["title"], "unit": d.state["unit"],
                        "summary": d.state.get("summary", ""), "deadline": statutory_day(notice["fields"]["deadline"]).isoformat(),
                        "method": notice["fields"]["method"]})
    return sorted(out, key=lambda x: (x["deadline"], x["id"]))


def public_index(ctx: Context) -> dict[str, Any]:
    """The public site's front page: drafts open for comment, then published decisions."""
    return {"today": ctx.today().isoformat(), "open_for_comment": open_for_comment(ctx),
            "published": publication.public_list(ctx, limit=200)}


def _documents(ctx: Context, decision_id: str, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for x in documents.list_documents(ctx, decision_id):
        if x["doc_kind"] in kinds:
            latest[x["doc_kind"]] = x
    return list(latest.values())


def public_decision(ctx: Context, decision_id: str) -> dict[str, Any]:
    """A published decision (its docket and official documents) or a draft open for comment (its notice
    and draft); NotFound for anything else."""
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    if d.state.get("published_on"):
        return {"visibility": "published", "docket": publication.public_docket(ctx, decision_id),
                "documents": _documents(ctx, decision_id, PUBLISHED_DOCUMENTS)}
    notice = _open_notice(d, ctx.today())
    if notice is None:
        raise NotFound(f"no public decision {decision_id!r}", rule="R17", article="Art. 32")
    s = d.state
    draft = next((x for x in s["drafts"] if x["version"] == notice["draft_version"]), None)
    return {"visibility": "comment", "id": d.id, "title": s["title"], "summary": s.get("summary", ""),
            "unit": s["unit"], "category": s["category"], "notice": notice["fields"], "draft": draft,
            "documents": _documents(ctx, decision_id, COMMENT_DOCUMENTS)}


def public_text(ctx: Context, decision_id: str) -> tuple[dict[str, Any], bytes]:
    """The bytes of the draft the public may read: the version out for comment, or the text decided."""
    view = public_decision(ctx, decision_id)
    shown = view["docket"]["text"] if view["visibility"] == "published" else view["draft"]
    with ctx.store.read() as conn:
        d, _ = load(conn, decision_id)
    draft = next((x for x in d.state["drafts"] if shown and x["version"] == shown["version"]), None)
    if draft is None:
        raise NotFound(f"decision {decision_id} has no public text", rule="R17", article="Art. 32")
    return artifact_content(ctx, decision_id, draft["artifact_id"])


def public_document(ctx: Context, decision_id: str, doc_id: str, fmt: str) -> tuple[dict[str, Any], bytes, str]:
    """A rendered official document the public may read."""
    view = public_decision(ctx, decision_id)
    if doc_id not in {x["id"] for x in view["documents"]}:
        raise NotFound(f"no public document {doc_id!r}", rule="R17", article="Art. 32")
    return documents.document_bytes(ctx, doc_id, fmt)
