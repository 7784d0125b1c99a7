"""A document rendered wrongly is rendered again as a new version with its reason (issue 18): the old version
stays, the new one names it and why, both are listed as versions; a new rendering that would be the same is
refused in Chinese at the form with the reason kept; an auditor is not offered the form."""

from __future__ import annotations

import re

from decision_engine.services import documents
from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import Site, csrf_of
from tests.pages.test_queues_tell_the_truth import walker

pytestmark = WARNINGS_ARE_ERRORS


def test_a_document_is_rendered_again_as_a_new_version_with_its_reason(site: Site) -> None:
    w = walker(site).open().start()
    first = documents.render(site.ctx, w.did, "archive_index", person_id=site.c.office)
    client = site.client(site.c.office)
    page = client.get(f"/documents/{first['id']}").text
    assert 'action="/documents/' in page and "重新生成新版本" in page

    # nothing changed in the record or the templates: the same rendering, refused at the form, reason kept
    r = client.post(f"/documents/{first['id']}/versions",
                    data={"csrf_token": csrf_of(page), "reason": "目录漏列启动决定"})
    assert r.url.path == f"/documents/{first['id']}"
    assert 'data-rule="R18"' in r.text and "重新生成的结果相同" in r.text and "目录漏列启动决定" in r.text

    w.determine()  # the record moves on (determinations recorded)
    page = client.get(f"/documents/{first['id']}").text
    r = client.post(f"/documents/{first['id']}/versions",
                    data={"csrf_token": csrf_of(page), "reason": "补记专家论证等认定后重新生成"})
    new_id = r.url.path.rsplit("/", 1)[1]
    assert new_id != first["id"] and r.url.path.startswith("/documents/DOC")
    listed = [(v["version"], v["supersedes"], v["reason"]) for v in documents.versions(
        site.ctx, w.did, doc_kind="archive_index")]
    assert listed == [(1, None, ""), (2, first["id"], "补记专家论证等认定后重新生成")]
    assert documents.get_document(site.ctx, first["id"])["html_sha256"] == first["html_sha256"]  # v1 stays
    shown = re.sub(r"\s+", " ", r.text)
    assert "补记专家论证等认定后重新生成" in shown and "本文档的各版本" in shown


def test_an_auditor_is_not_offered_a_new_version(site: Site) -> None:
    w = walker(site).open().start()
    doc = documents.render(site.ctx, w.did, "archive_index", person_id=site.c.office)
    page = site.client(site.auditor).get(f"/documents/{doc['id']}").text
    assert f'action="/documents/{doc["id"]}/versions"' not in page
    assert "本文档的各版本" in page  # the versions are read by all readers
