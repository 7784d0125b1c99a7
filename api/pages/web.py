"""What every page shares: templates translated per request, the session (person, CSRF token, language,
messages), and the one way an act is done from a page: check the CSRF token, call the service, and on a
refusal show the domain's rule, article and message (`DomainError.to_dict()`) in a banner (post, redirect,
get: the page that follows shows the banner and keeps what was typed)."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context as JinjaContext
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.i18n import refusals as refusal_words
from api.pages import forms, labels
from api.pages.i18n import DEFAULT, HTML_LANG, LANGUAGE_NAMES, LANGUAGES, N_, translations
from decision_engine.domain.errors import DomainError, Unauthenticated
from decision_engine.services import access
from decision_engine.services.clock import CHINA
from decision_engine.services.context import Context

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
TABLES: dict[str, dict[str, str]] = {
    "roles": labels.ROLES, "status": labels.STATUSES, "gate": labels.GATE_STATUSES, "stage": labels.STAGE_STATES,
    "category": labels.CATEGORIES, "value": labels.VALUES, "event": labels.EVENTS, "deadline": labels.DEADLINES,
    "timing": labels.TIMING, "act": labels.ACTS, "rule": labels.RULES, "meeting": labels.MEETING_STATUSES,
    "comment": labels.COMMENT_STATUSES, "field": labels.RECORD_FIELDS,
    "organ_level": labels.ORGAN_LEVELS,
}
# The session is a signed cookie (browsers keep at most 4 KiB): what a refusal carries to the next page is
# trimmed to these many bytes of JSON each (the page itself lists everything still missing).
FLASH_INPUT_BYTES = 900
FLASH_ERROR_BYTES = 1100


class LoginRequired(Exception):
    """The page needs a logged-in person; the handler answers with the login page."""


class CsrfRefused(Exception):
    """A form arrived without the session's CSRF token."""


def _lang(context: JinjaContext) -> str:
    return str(context.get("lang") or DEFAULT)


@pass_context
def _(context: JinjaContext, message: str) -> str:
    """Translate a message into the page's language."""
    return translations(_lang(context)).gettext(message)


@pass_context
def label(context: JinjaContext, table: str, key: Any) -> str:
    """The words for an identifier (a role, a status, a value…), translated; the identifier if unknown."""
    msg = TABLES[table].get(str(key))
    return translations(_lang(context)).gettext(msg) if msg else str(key)


@pass_context
def name(context: JinjaContext, item: dict[str, Any]) -> str:
    """A procedure item's name: Chinese from the procedure, English from it or from its id."""
    if _lang(context) == "zh_CN":
        return str(item.get("name_zh") or item.get("id", ""))
    return str(item.get("name_en") or str(item.get("id", "")).replace("_", " "))


@pass_context
def roles_text(context: JinjaContext, roles: list[str]) -> str:
    """Role names joined for a sentence."""
    sep = "、" if _lang(context) == "zh_CN" else ", "
    return sep.join(label(context, "roles", r) for r in roles)


def bj(at: str | None) -> str:
    """A stored moment (UTC) as Beijing time, to the minute."""
    return datetime.fromisoformat(at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if at else ""


@pass_context
def field_label(context: JinjaContext, kind: str, field: str) -> str:
    """An artifact field's label in the reader's language: the form's, else the stored fields' table, else the
    field as a code word in words."""
    said = forms.field_label(kind, field)
    if said == field:
        said = labels.STORED_FIELDS.get(field, field)
    if said == field:
        return plain(context, field)
    return translations(_lang(context)).gettext(said)


@pass_context
def column_label(context: JinjaContext, column: str) -> str:
    """A table column's heading in the reader's language (its name when unknown)."""
    msg = forms.COLUMN_LABELS.get(column) or labels.STORED_FIELDS.get(column)
    return translations(_lang(context)).gettext(msg) if msg else plain(context, column)


@pass_context
def said(context: JinjaContext, error: dict[str, Any]) -> dict[str, Any]:
    """A refusal in the page's language: its message, article and missing items in words (api/i18n/refusals)."""
    out = refusal_words.refusal(error, _lang(context))
    return dict(out, message=unid(str(out.get("message", ""))))


@pass_context
def need_words(context: JinjaContext, need: str) -> str:
    """A missing item's need (the domain's words) in the page's language, naming no record by its id."""
    return unid(refusal_words.say(need, _lang(context)) or need)


@pass_context
def may_trace(context: JinjaContext, person: str) -> bool:
    """Whether the reader may open a person's trace-back page (their own, or as one who reads people's)."""
    request = context.get("request")
    session = request.session if request is not None else {}
    return bool(session.get("people_reader")) or person == session.get("person")


# The stage a status itself stands in (issue 18 §7): a decision in execution is in S7 even while its publication
# (S6) is not settled; the page then says so, instead of "in execution · S6".
STATUS_STAGE = {"draft": "S0", "ready_for_decision": "S5", "decided": "S6", "published": "S7",
                "in_execution": "S7", "suspended": "S7", "evaluated": "S8", "closed": "S9"}
POST_DECISION = ("decided", "published", "in_execution", "suspended", "evaluated")


@pass_context
def stage_text(context: JinjaContext, status: str, stage: str) -> str:
    """Where a decision is, in words that agree with its status: the stage's name, and for a decision
    already made whose earlier stage is not settled, the status's stage with that one named as outstanding."""
    from decision_engine import procedures

    names = {x["id"]: name(context, x) for x in procedures.load().stages}
    here = STATUS_STAGE.get(status, stage) if status in POST_DECISION else stage
    if status in POST_DECISION and stage < here:
        open_ = translations(_lang(context)).gettext(N_("not settled"))
        sep = "" if _lang(context) == "zh_CN" else " "
        return f"{names.get(here, here)}（{names.get(stage, stage)}{sep}{open_}）"
    return names.get(stage, stage)


@pass_context
def code_words(context: JinjaContext, value: Any) -> str:
    """A code word of the record (a gate, a kind, an act, a status…) in Chinese on a Chinese page."""
    return refusal_words.word(str(value)) if _lang(context) == "zh_CN" else str(value).replace("_", " ")


@pass_context
def article_words(context: JinjaContext, article: str) -> str:
    """An article as the law cites it on a Chinese page (第二十五条), as written on an English one."""
    return cite_zh(str(article)) if _lang(context) == "zh_CN" else str(article)


_CITATION = re.compile(r"Arts?\.\s*\d[\d()¶\s,–\-]*(?:\s*\(inference\))?")
_IDS = re.compile(r"\b(?:MAD|MTG|DOC|AC|P|A|N|T)-[0-9a-f]{12}\b")
# Internal references an artifact keeps for the record (where it came from, which row it is): shown to nobody.
HIDDEN_FIELDS = frozenset({"generated_from", "cluster_id", "artifact_id", "opinion_id", "report_id",
                           "evaluation_id", "kpi_id", "meeting_id", "item_no", "stream", "seq"})


def cite_zh(text: str) -> str:
    """Every article cited in English inside a text ("R17 Art. 32; 价格法 Art. 23") as the law cites it
    (第三十二条), and the profile's "(profile default, inference)" in Chinese."""
    text = text.replace("(profile default, inference)", "（规则默认值，推定）").replace("(inference)", "（推定）")
    text = re.sub(r";?\s*\bseeds?\s+\d+(?:,\s*\d+)*", "", text)  # the rule book's own sources, not the law
    return _CITATION.sub(lambda m: refusal_words.article_zh(m.group(0).rstrip(" ,")) +
                         (" " if m.group(0).endswith(" ") else ""), text)


@pass_context
def cite(context: JinjaContext, text: Any) -> str:
    """A citation (or a text holding citations) in the page's language."""
    return cite_zh(str(text or "")) if _lang(context) == "zh_CN" else str(text or "")


def _title(decision_id: str) -> str:
    try:
        return DECISION_TITLES[0](decision_id) if DECISION_TITLES else decision_id
    except DomainError:
        return decision_id


def unid(text: str) -> str:
    """A text with every person named and every decision by its title instead of an id ("《题目》（MAD-…）"
    keeps the title once); other record ids are left out."""
    names = PEOPLE_NAMES[0]() if PEOPLE_NAMES and "P-" in text else {}
    text = re.sub(r"\s*[（(]MAD-[0-9a-f]{12}[）)]", "", text)
    text = re.sub(r"\s*\b(?:A|N|T|AC|DOC)-[0-9a-f]{12}\b\s*", "", text)

    def one(m: re.Match[str]) -> str:
        found = m.group(0)
        if found.startswith("P-"):
            return names.get(found, "")
        if found.startswith("MAD-"):
            return f"《{_title(found)}》"
        return ""
    return _IDS.sub(one, text)


@pass_context
def plain(context: JinjaContext, value: Any) -> str:
    """A stored value as a reader reads it: a code word in words, an id as a name or a title, a citation as
    the law cites it (on a Chinese page)."""
    v = str(value)
    if _lang(context) != "zh_CN":
        return unid(v)
    if re.fullmatch(r"[a-z][a-z0-9_]*(?::[A-Za-z0-9_]*)?:?", v):
        said = refusal_words.word(v.rstrip(":"))
        if said == v.rstrip(":") and v in labels.STORED_FIELDS:
            said = translations("zh_CN").gettext(labels.STORED_FIELDS[v])
        return said
    if re.fullmatch(r"[A-Z][A-Za-z]+", v) and v in labels.EVENTS:
        return translations("zh_CN").gettext(labels.EVENTS[v])
    head, colon, rest = v.partition(": ")
    if colon and re.fullmatch(r"[a-z][a-z0-9_]*(?::[A-Za-z0-9_]*)?:?", head):  # "clear:legality_review: SoD8 …"
        return f"{plain(context, head)}：{cite_zh(unid(rest))}"
    return cite_zh(unid(v))


templates.env.globals.update(_=_, label=label, cite=cite, may_trace=may_trace, plain=plain, hidden_fields=HIDDEN_FIELDS, said=said, need_words=need_words, stage_text=stage_text,
                             code_words=code_words, article_words=article_words, name=name, roles_text=roles_text, field_label=field_label,
                             column_label=column_label,
                             rows_to_offer=forms.rows_to_offer,
                             column_options=forms.COLUMN_OPTIONS, column_labels=forms.COLUMN_LABELS)
templates.env.filters["bj"] = bj
templates.env.filters["cite"] = cite
templates.env.filters["plain"] = plain


def lang_of(request: Request) -> str:
    """The page language: `?lang=` (remembered in the session), else the session's, else zh_CN."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        request.session["lang"] = asked
    lang = request.session.get("lang", DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


def gettext(request: Request, message: str) -> str:
    """Translate a message for this request's language (for messages made in handlers)."""
    return translations(lang_of(request)).gettext(message)


def label_for(request: Request, table: str, key: Any) -> str:
    """The words for an identifier, in this request's language (for charts made in handlers)."""
    msg = TABLES[table].get(str(key))
    return gettext(request, msg) if msg else str(key)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def person_of(request: Request) -> str | None:
    """The logged-in person, if any."""
    pid = request.session.get("person")
    return str(pid) if pid else None


def require_person(request: Request) -> str:
    """The logged-in person, or LoginRequired."""
    pid = person_of(request)
    if pid is None:
        raise LoginRequired
    return pid


def require_reader(request: Request, ctx: Context, decision_id: str | None = None) -> str:
    """The logged-in person, who must be allowed to read decisions in procedure (`access.require_reader`:
    a procedure role or the auditor's) and, for one decision's pages, to stand in a relation to it (AR13)."""
    pid = require_person(request)
    access.require_reader(ctx, pid, decision_id)
    return pid


UNREAD_COUNTER: list[Callable[[str], int]] = []  # set by register_pages: the notification service's counter
PEOPLE_NAMES: list[Callable[[], dict[str, str]]] = []  # set by register_pages: person id → name
PEOPLE: list[Callable[[], list[dict[str, Any]]]] = []  # set by register_pages: the people and their roles now
DECISION_TITLES: list[Callable[[str], str]] = []  # set by register_pages: decision id → title


def people_with(roles: tuple[str, ...]) -> list[dict[str, str]]:
    """The active people holding any of these roles now, by name, for a picker (issue 18: no typed ids)."""
    everyone = PEOPLE[0]() if PEOPLE else []
    return [{"id": p["id"], "name": p["name"], "unit": "、".join(p["units"])}
            for p in sorted(everyone, key=lambda p: (p["name"], p["id"]))
            if p["active"] and set(p["roles"]) & set(roles)]


templates.env.globals["people_with"] = people_with
templates.env.globals["all_roles"] = tuple(r for r in labels.ROLES if r not in ("system", "none"))


def named(error: dict[str, Any]) -> dict[str, Any]:
    """A refusal with every person it names by name, not id (before it is trimmed into the session)."""
    if not PEOPLE_NAMES:
        return error
    try:
        names = PEOPLE_NAMES[0]()
    except DomainError:  # the refusal is still shown, with ids
        return error
    return refusal_words.with_names(error, names)


def _unread(request: Request) -> int:
    """The header's unread count for the person logged in (0 without a person or a counter)."""
    pid = person_of(request)
    return UNREAD_COUNTER[0](pid) if pid and UNREAD_COUNTER else 0


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page: the template with the request's language, person, CSRF token and pending messages."""
    lang = lang_of(request)
    messages = request.session.pop("flash", [])
    page = {"lang": lang, "html_lang": HTML_LANG[lang], "person": person_of(request),
            "person_name": request.session.get("name", ""), "csrf": csrf_token(request), "messages": messages,
            "languages": LANGUAGE_NAMES, "unread": _unread(request),
            "refill": {m["form_id"]: m.get("values", {}) for m in messages if m.get("form_id")},
            "refusals": {m["form_id"]: m["error"] for m in messages
                         if m.get("form_id") and m["kind"] == "refused"}, **context}
    response = templates.TemplateResponse(request, f"pages/{template}", page, status_code=status_code)
    shown = bytes(response.body)
    unplaced = [f for f in page["refusals"] if f'id="refusal-{f}"'.encode() not in shown]
    if unplaced:  # a refusal whose form is not on this page is shown whole in the banner at the top
        page["refusals"] = {f: e for f, e in page["refusals"].items() if f not in unplaced}
        response = templates.TemplateResponse(request, f"pages/{template}", page, status_code=status_code)
    return response


def flash(request: Request, kind: str, **data: Any) -> None:
    """A message for the next page (`ok`, `refused` or `info`)."""
    request.session.setdefault("flash", []).append({"kind": kind, **data})


async def checked_form(request: Request) -> FormData:
    """The submitted form, after its CSRF token is checked against the session's."""
    form = await request.form()
    sent = str(form.get("csrf_token") or "")
    if not sent or not secrets.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused
    return form


def _size(obj: Any) -> int:
    return len(json.dumps(obj))  # as the session middleware encodes it (ASCII-escaped)


def kept(form: FormData) -> dict[str, str]:
    """What was typed, trimmed to fit the session cookie, to refill the form after a refusal."""
    out: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        if key in out:  # a repeated field (ticked boxes): every value, one per line
            value = f"{out[key]}\n{value}"
        while value and _size({**out, key: value}) > FLASH_INPUT_BYTES:
            value = value[: len(value) // 2]
        if value:
            out[key] = value
    return out


def compact(error: dict[str, Any]) -> dict[str, Any]:
    """A refusal (DomainError.to_dict()) trimmed to fit the session cookie: rule, article, the message, and
    as many missing items as fit, with the count of the others."""
    out = dict(error, message=str(error["message"])[:300], missing=[], more=0)
    for item in error.get("missing", []):
        if _size({**out, "missing": [*out["missing"], item]}) > FLASH_ERROR_BYTES:
            out["more"] += 1
        else:
            out["missing"].append(item)
    return out


async def act(request: Request, call: Callable[[], Any], *, back: str, done: str, form_id: str = "",
              form: FormData | None = None, then: Callable[[Any], str] | None = None) -> RedirectResponse:
    """Run one service call off the event loop; report success or the refusal, then go back (or, after a
    success, where `then` says from the call's result: the decision or meeting just made)."""
    try:
        result = await run_in_threadpool(call)
    except DomainError as refusal:
        flash(request, "refused", error=compact(named(refusal.to_dict())), status=refusal.status, form_id=form_id,
              values=kept(form) if form is not None else {})
        return RedirectResponse(f"{back.split('#')[0]}#refusal-{form_id}" if form_id else back, status_code=303)
    flash(request, "ok", text=gettext(request, done))
    return RedirectResponse(then(result) if then else back, status_code=303)


def text(form: FormData, key: str) -> str:
    """A submitted text field, trimmed."""
    return str(form.get(key) or "").strip()


def lines(form: FormData, key: str) -> list[str]:
    """A submitted textarea as its non-blank lines."""
    return [x.strip() for x in text(form, key).splitlines() if x.strip()]


class PageRoute(APIRoute):
    """A page route: a refusal or an unknown item is shown as a page with its banner (rule, article,
    message), a missing login leads to the login page, a bad CSRF token to a 403 page; a parsed form's
    uploaded files are closed afterwards."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The endpoint, wrapped."""
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequired:
                return login_redirect(request)
            except CsrfRefused:
                return render(request, "error.html", status_code=403, error={
                    "error": "CsrfRefused", "rule": "", "article": "", "missing": [],
                    "message": gettext(request, CSRF_MESSAGE)})
            except Unauthenticated:
                request.session.pop("person", None)
                return login_redirect(request)
            except DomainError as err:
                return render(request, "error.html", status_code=err.status, error=named(err.to_dict()))
            finally:
                form = getattr(request, "_form", None)
                if form is not None:
                    await form.close()
        return handler


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


CSRF_MESSAGE = N_("The form's security token is missing or does not match this session; reload the page "
                  "and try again.")
