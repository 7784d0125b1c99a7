"""Official documents (公文) rendered from the record (issue 9; R18, Art. 33): every kind renders from the
demo's record in the GB/T 9704 layout, deterministically, to HTML and PDF; each rendering is recorded with its
template and output hashes (append-only), re-rendering matches, and a changed template or a tampered file is
detected."""

from __future__ import annotations

import hashlib
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from decision_engine.adapters import gongwen
from decision_engine.adapters.tables import DOCUMENTS, EVENTS
from decision_engine.domain.errors import NotFound
from decision_engine.services import documents
from decision_engine.services.context import Context
from decision_engine.services.demo import run_demo
from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import replay_equals_live

pytestmark = WARNINGS_ARE_ERRORS


def pdf_fonts(pdf: bytes) -> set[str]:
    """The font names embedded in a PDF (its object streams are compressed)."""
    names: set[str] = set()
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            body = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        names |= {n.decode().split("+", 1)[-1] for n in re.findall(rb"/BaseFont\s*/([^\s/>]+)", body)}
    return names


@pytest.fixture
def demo(sqlite_ctx: Context) -> tuple[Context, str]:
    return sqlite_ctx, run_demo(sqlite_ctx, lambda _: None)


def test_every_document_kind_renders_from_the_record_and_rerenders_identically(demo: tuple[Context, str]) -> None:
    ctx, did = demo
    records = documents.render_all(ctx, did)
    assert {r["doc_kind"] for r in records} == set(documents.DOC_KINDS)
    assert len([r for r in records if r["doc_kind"] == "expert_opinion_form"]) == 2  # one per expert
    for r in records:
        _, html, _ = documents.document_bytes(ctx, r["id"], "html")
        _, pdf, _ = documents.document_bytes(ctx, r["id"], "pdf")
        assert pdf.startswith(b"%PDF-") and "Noto-Serif-CJK-SC" in pdf_fonts(pdf)
        assert r["template_hash"] == gongwen.template_hash(r["template_name"])
        assert hashlib.sha256(html).hexdigest() == r["html_sha256"]
        assert documents.rerender_matches(ctx, r), r["doc_kind"]
    replay_equals_live(ctx, did)  # rendering reads the record; it never changes the decision


def test_documents_follow_the_official_document_layout(demo: tuple[Context, str]) -> None:
    ctx, did = demo
    packet = documents.render(ctx, did, "meeting_packet")
    html = documents.document_bytes(ctx, packet["id"], "html")[1].decode()
    assert '<div class="issuer-mark">某市交通运输局文件</div>' in html  # 发文机关标志
    assert "〔2025〕" in packet["doc_number"] and packet["doc_number"] in html  # 发文字号
    assert '<p class="recipient">某市人民政府：</p>' in html  # 主送机关
    assert "2025年4月13日" in html  # 成文日期, Arabic numerals without leading zeros
    minutes = documents.document_bytes(ctx, documents.render(ctx, did, "meeting_minutes")["id"], "html")[1]
    assert "建议暂缓调价（异议照录）" in minutes.decode()  # R15: dissent recorded as given


def test_rendering_is_recorded_with_its_hashes_on_each_backend(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    rec = documents.render(ctx, did, "comment_notice")
    assert rec["doc_kind"] == "comment_notice" and rec["rule"] == "R6" and rec["article"] == "Art. 15"
    with ctx.store.read() as conn:
        row = conn.execute(select(DOCUMENTS).where(DOCUMENTS.c.id == rec["id"])).mappings().one()
        event = conn.execute(select(EVENTS.c.type, EVENTS.c.person).where(
            EVENTS.c.stream == f"documents:{did}", EVENTS.c.seq == row["event_seq"])).one()
    assert event.type == "DocumentRendered" and event.person == "system"
    assert (row["template_name"], row["template_hash"]) == ("comment_notice.html.j2",
                                                           gongwen.template_hash("comment_notice.html.j2"))
    assert documents.render(ctx, did, "comment_notice")["id"] == rec["id"]  # idempotent: same basis, same row
    assert documents.rerender_matches(ctx, documents.get_document(ctx, rec["id"]))
    replay_equals_live(ctx, did)


def test_the_documents_table_refuses_update_and_delete(ctx: Context) -> None:
    did = run_demo(ctx, lambda _: None)
    rec = documents.render(ctx, did, "hearing_notice")
    for sql in (f"UPDATE documents SET title = 'x' WHERE id = '{rec['id']}'",
                f"DELETE FROM documents WHERE id = '{rec['id']}'"):
        with pytest.raises(Exception, match="append-only"), ctx.store.engine.begin() as conn:
            conn.execute(text(sql))
    assert documents.get_document(ctx, rec["id"])["title"] == rec["title"]


def test_a_document_whose_source_is_not_recorded_is_refused_with_its_rule(walk: Any) -> None:
    walk.open().start()
    with pytest.raises(NotFound) as info:
        documents.render(walk.ctx, walk.did, "comment_notice")
    assert (info.value.rule, info.value.article) == ("R6", "Art. 15")
    with pytest.raises(NotFound) as unknown:
        documents.render(walk.ctx, walk.did, "memo")
    assert (unknown.value.rule, unknown.value.article) == ("R18", "Art. 33")


def test_an_auditor_reads_documents_but_does_not_render_them_into_the_record(walk: Any) -> None:
    """Issue 3: auditors write nothing — the service refuses them (SoD), so the API and the pages agree."""
    from decision_engine.domain.errors import NotPermitted
    from decision_engine.services import identity
    walk.open().start()
    auditor = identity.register_person(walk.ctx, "审计员")
    identity.grant_role(walk.ctx, auditor, "auditor", "某市审计局", reason="任职")
    with pytest.raises(NotPermitted) as info:
        documents.render(walk.ctx, walk.did, "comment_notice", person_id=auditor)
    assert (info.value.rule, info.value.article) == ("SoD", "Art. 38 (inference)")
    assert documents.list_documents(walk.ctx, walk.did) == []


def test_a_changed_template_no_longer_matches_the_recorded_rendering(demo: tuple[Context, str], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, did = demo
    rec = documents.render(ctx, did, "legality_opinion")
    changed = tmp_path / "templates"
    shutil.copytree(gongwen.TEMPLATE_DIR, changed)
    body = changed / "legality_opinion.html.j2"
    body.write_text(body.read_text(encoding="utf-8").replace("经审查", "经初步审查"), encoding="utf-8")
    monkeypatch.setattr(gongwen, "TEMPLATE_DIR", changed)
    gongwen._env.cache_clear()
    try:
        report = documents.rerender(ctx, rec)
    finally:
        monkeypatch.undo()
        gongwen._env.cache_clear()
    assert not report["matches"]
    assert not report["compared"]["template_hash"]["same"] and not report["compared"]["html_sha256"]["same"]
    assert report["compared"]["context_hash"]["same"]  # the record did not change; the template did


def test_a_tampered_stored_file_is_refused(demo: tuple[Context, str]) -> None:
    ctx, did = demo
    rec = documents.render(ctx, did, "interpretation")
    ctx.blobs.path(rec["html_sha256"]).write_bytes(b"<p>altered</p>")
    with pytest.raises(NotFound) as info:
        documents.document_bytes(ctx, rec["id"], "html")
    assert (info.value.rule, info.value.article) == ("R18", "Art. 33")
