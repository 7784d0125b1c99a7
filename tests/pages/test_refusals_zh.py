"""Refusals in the reader's language (issue 18): every message the domain can refuse with, and every missing
item it can list, has a Chinese template in `api/i18n/refusals.py`; a Chinese reader never sees a code word
(role, gate, kind, status, act) or a person's id in it. The test walks the domain's source, so a new refusal
without its Chinese sentence fails here."""

from __future__ import annotations

import ast
import re
import string
import warnings
from pathlib import Path
from typing import Any

import pytest

from api.i18n import refusals
from decision_engine.domain import errors
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

DOMAIN = Path(__file__).resolve().parents[2] / "decision_engine" / "domain"
# The services whose refusals this catalogue also says (the ones the pages' branch keeps).
SERVICES = tuple(DOMAIN.parent / "services" / f for f in ("documents.py", "work.py", "compliance.py"))
ERRORS = {name for name, obj in vars(errors).items()
          if isinstance(obj, type) and issubclass(obj, errors.DomainError)}
# The helpers that name the act a refusal concerns (the `act` of "… needs one of the roles").
ACT_TAKERS = {"pick_actor", "_require_pre_decision", "_require_open", "_require_roll", "_changeable",
              "_recorder", "_minutes_taker", "_not_named"}


def template(node: ast.expr) -> str:
    """The message as the catalogue writes it: literal text, `{}` for each computed part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        return "".join(template(v) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return template(node.left) + template(node.right)
    return "{}"


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def raise_sites() -> dict[str, str]:
    """Every refusal message and missing-item need in the domain: template → where it is raised."""
    found: dict[str, str] = {}
    for path in [*sorted(DOMAIN.rglob("*.py")), *SERVICES]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(DOMAIN.parent)}:{node.lineno}"
            if _name(node) in ERRORS and node.args:
                found.setdefault(template(node.args[0]), where)
            elif _name(node) == "Missing":
                need = node.args[3] if len(node.args) > 3 else next(
                    (k.value for k in node.keywords if k.arg == "need"), None)
                if need is not None:
                    found.setdefault(template(need), where)
            elif _name(node) == "GateReopened":  # the reason a gate reopens, shown on the timeline
                reason = next((k.value for k in node.keywords if k.arg == "reason"), None)
                if reason is not None and not isinstance(reason, ast.Name):
                    found.setdefault(template(reason), where)
    return found


def acts_named() -> set[str]:
    """The acts the domain names as literal phrases, or as templates when they name what they concern."""
    out: set[str] = set()
    for path in sorted(DOMAIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) in ACT_TAKERS:
                for a in node.args:
                    if isinstance(a, ast.JoinedStr):
                        out.add(template(a))
                    elif isinstance(a, ast.Constant) and isinstance(a.value, str) \
                            and not re.match(r"Arts?\.|[A-Z][A-Za-z]{0,3}\d", a.value):
                        out.add(a.value)
    return out


def test_the_walk_finds_the_domains_refusals() -> None:
    sites = raise_sites()
    assert len(sites) > 250
    assert "finalization refused: {} item(s) missing" in sites  # an f-string
    assert "口令不符合复杂度要求：{}。（password refused by the policy）" in sites  # a concatenation


def test_every_domain_refusal_has_a_chinese_template() -> None:
    missing = {t: where for t, where in raise_sites().items() if t not in refusals.ZH}
    assert not missing, "refusals without a zh-CN template in api/i18n/refusals.py:\n" + "\n".join(
        f"  {where}: {t!r}" for t, where in sorted(missing.items(), key=lambda x: x[1]))


def test_no_template_is_left_over_or_misnumbered() -> None:
    sites = raise_sites()
    assert not [t for t in refusals.ZH if t not in sites], "templates for messages the domain no longer raises"
    for en, zh in refusals.ZH.items():
        count = sum(1 for _, f, _, _ in string.Formatter().parse(en) if f is not None)
        used = {int(f) for _, f, _, _ in string.Formatter().parse(zh) if f is not None}
        assert used <= set(range(count)), (en, zh)
        words = re.sub(r"\{\d\}|HTML|PDF", "", zh)  # the formats' own names are not English words
        assert not re.search(r"[A-Za-z_]{3,}", words), f"English in the zh template: {zh}"


def test_every_act_the_domain_names_has_chinese_words() -> None:
    assert acts_named() - set(refusals.ACTS_ZH) - set(refusals.ACT_TEMPLATES) == set()


def test_an_act_naming_what_it_concerns_is_said_in_words() -> None:
    said = refusals.say("recording 'legality_opinion' needs one of the roles legality_reviewer; the person holds: "
                        "undertaking_unit")
    assert said == "提交“合法性审查意见”须由合法性审查机构办理；本人现任角色：决策承办单位", said
    said = refusals.say("the procedure begins with the start decision: record it before clearing "
                        "public_participation (决策启动后方可开展起草、论证等工作)")
    assert "确认“公众参与”办结" in said and "clearing" not in said


def test_a_role_refusal_names_the_act_and_the_roles_in_chinese() -> None:
    said = refusals.say("finalizing the decision needs one of the roles admin_head, decision_organ; "
                        "the person holds: auditor")
    assert said == "作出决定须由行政首长、决策机关办理；本人现任角色：审计人员"


def test_gates_statuses_and_persons_are_said_in_words() -> None:
    assert refusals.say("gate legality_review is already cleared") == "“合法性审查”已通过"
    said = refusals.say("the administrative head speaks last: 2 present member(s) have not spoken (P-a, P-b)",
                        names={"P-a": "张三", "P-b": "李四"})
    assert said == "行政首长最后发表意见：还有 2 名出席人员未发言（张三、李四）"
    assert refusals.say("the decision is withdrawn; nothing more can be recorded").endswith("不能再记录任何材料")
    assert "withdrawn" not in refusals.say("the decision is withdrawn; nothing more can be recorded")


def test_english_is_the_domains_sentence_with_persons_named() -> None:
    msg = "P-a has already spoken on item 1"
    assert refusals.say(msg, "en", {"P-a": "Zhang San"}) == "Zhang San has already spoken on item 1"


def test_a_refusal_body_says_its_article_and_missing_items_in_chinese() -> None:
    body = errors.FinalizationRefused(
        "finalization refused: 1 item(s) missing", rule="R13", article="Art. 25",
        missing=(errors.Missing("R12", "Art. 28", "legality_review", "gate not cleared", "clear"),)).to_dict()
    said = refusals.refusal(body)
    assert said["message"] == "不能作出决定：还缺 1 项"
    assert said["article"] == "第二十五条"
    assert said["missing"] == [{"rule": "R12", "article": "第二十八条", "gate": "合法性审查", "kind": "clear",
                                "need": "该环节尚未办结"}]


@pytest.mark.parametrize(("article", "said"), [
    ("Art. 25", "第二十五条"), ("Art. 29(1)", "第二十九条第（一）项"), ("Art. 25 ¶2", "第二十五条第二款"),
    ("Arts. 38–41", "第三十八条至第四十一条"), ("Arts. 25, 28", "第二十五条、第二十八条"),
    ("Art. 38 (inference)", "第三十八条（推定）"), ("", ""), ("SEC2", "SEC2")])
def test_articles_are_cited_as_the_law_cites_them(article: str, said: str) -> None:
    assert refusals.article_zh(article) == said


def test_an_unknown_message_is_never_shown_in_english_to_a_chinese_reader() -> None:
    said = refusals.refusal({"rule": "R17", "article": "Art. 32", "message": "something new went wrong",
                             "missing": []})
    assert "something" not in said["message"] and "公布" in said["message"]


@pytest.mark.parametrize(("header", "chinese"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", True), ("zh", True), ("en-US,en;q=0.9,zh;q=0.5", False), ("", False),
    ("fr", False), ("en;q=0.5, zh-CN;q=0.8", True)])
def test_the_api_says_a_refusal_in_chinese_when_the_reader_prefers_it(header: str, chinese: bool) -> None:
    from api.errors import prefers_chinese
    assert prefers_chinese(header) is chinese


def test_a_refused_api_request_is_said_in_chinese_to_a_chinese_reader_and_in_english_otherwise(walk: Any) -> None:
    from api.app import create_app
    from decision_engine.services import identity

    with warnings.catch_warnings():  # starlette asks for httpx2, which the registry does not carry
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    walk.open().start()
    token = identity.issue_token(walk.ctx, walk.c.head)
    with TestClient(create_app(walk.ctx)) as client:
        def finalize(lang: str) -> Any:
            return client.post(f"/api/v1/decisions/{walk.did}/finalize",
                               headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})
        zh, en = finalize("zh-CN,zh;q=0.9,en;q=0.8"), finalize("en")
    assert zh.status_code == en.status_code == 409
    assert set(zh.json()) == set(en.json()) == {"error", "rule", "article", "message", "missing"}  # one shape
    assert zh.headers["content-language"] == "zh-CN" and zh.json()["message"].startswith("不能作出决定：还缺")
    assert en.json()["message"].startswith("finalization refused")
    assert all(not re.search(r"[a-z]{3,}_[a-z]", m["need"] + m["gate"]) for m in zh.json()["missing"])
    assert zh.json()["rule"] == en.json()["rule"]  # the rule keeps its name
    with TestClient(create_app(walk.ctx)) as client:  # a person named in a refusal is named by name
        token = identity.issue_token(walk.ctx, walk.c.office)
        r = client.post("/api/v1/meetings", json={
            "meeting_type": "executive", "title": "常务会议", "held_on": walk.ctx.today().isoformat(),
            "head": walk.c.member_a, "members": [walk.c.member_b]},  # a member cannot preside (SoD4)
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"})
    name = identity.person_view(walk.ctx, walk.c.member_a)["name"]
    assert r.status_code in (403, 409, 422) and r.json()["rule"] == "SoD4", r.text
    assert r.json()["message"] == f"{name}不是行政首长：会议由行政首长主持并作出决定" and walk.c.member_a not in r.text


@pytest.mark.parametrize(("attempt", "said"), [
    ("clear:public_participation", "确认办结：公众参与"), ("finalize:", "作出决定"),
    ("hearing:confirm_record", "听证：确认听证笔录"), ("minutes", "形成会议纪要"),
    ("artifact:legality_opinion", "提交材料：合法性审查意见")])
def test_a_refused_attempt_is_named_in_words_on_the_audit_page(attempt: str, said: str) -> None:
    assert refusals.word(attempt) == said
