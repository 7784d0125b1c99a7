"""No code words on a Chinese page (issue 18 §3): every demo person logs in, walks every page reachable from the
navigation and from the decision pages, and reads only Chinese — no snake_case identifier, no id (MAD-…,
P-…, MTG-…), no JSON, no English sentence and no article cited in English ("Art. 15") in what the page shows;
and no link the pages offer leads to a refusal.

The instrument is checked too: a page with a planted code word is caught."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from decision_engine.services import identity
from decision_engine.services.demo import run_demo, staff
from decision_engine.services.demo_portfolio import seed_portfolio
from tests.conftest import WARNINGS_ARE_ERRORS
from tests.pages.conftest import PASSWORD, Site, csrf_of

pytestmark = WARNINGS_ARE_ERRORS

SKIP_TAGS = {"script", "style", "template", "head"}
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
NOT_FOLLOWED = ("/lang/", "/logout", "/static/", "/api/")
CHECKS = (
    ("snake_case", re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*_[a-z0-9_]+\b")),
    ("id", re.compile(r"\b(?:MAD|MTG|DOC|AC|P|A|N|R|T)-[0-9a-f]{12}\b")),
    ("json", re.compile(r"[{}]|\"\w+\":")),
    ("english", re.compile(r"\b[A-Za-z]{3,}\b")),
)
# ASCII words a Chinese page may show: the language switch's autonym, a hash's and a file format's name
ALLOWED_WORDS = {"English", "SHA", "PDF", "HTML", "SoD", "CSV", "UTC"}


class Visible(HTMLParser):
    """The text a reader sees (and the attributes a screen reader says), and the links on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in SKIP_TAGS:
            self.hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if not self.hidden:
            self.texts += [str(a[k]) for k in SHOWN_ATTRIBUTES if a.get(k)]
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append(str(a["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def code_words(text: str) -> list[str]:
    """What in a piece of visible text is a code word, by check."""
    found = []
    for what, pattern in CHECKS:
        hits = [m.group(0) for m in pattern.finditer(text)]
        if what == "english":
            hits = [h for h in hits if h not in ALLOWED_WORDS]
        if hits:
            found.append(f"{what}: {hits[0]}")
    return found


def walk(site: Site, person: str | None, start: str) -> Iterator[tuple[str, str]]:
    """Every page reachable from `start` on this site, as (path, finding) for each code word shown."""
    client = site.client()
    if person is not None:
        r = client.post("/login", data={"csrf_token": csrf_of(client.get("/login").text), "person_id": person,
                                        "password": PASSWORD, "next": start}, follow_redirects=False)
        if r.headers["location"] != start:  # a person the demo gave no password logs in nowhere
            client.close()
            return
    todo, seen = [start], set()
    try:
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            r = client.get(path)
            if r.status_code >= 400:  # a page offers only what its reader may open
                yield path, f"a link leads to a refusal ({r.status_code})"
            if "text/html" not in r.headers.get("content-type", ""):
                continue
            page = Visible()
            page.feed(r.text)
            for text in page.texts:
                for finding in code_words(text):
                    yield path, f"{finding} in {text[:120]!r}"
            for href in page.links:
                url = urlsplit(urljoin(f"http://testserver{path}", href))
                target = url.path + (f"?{url.query}" if url.query else "")
                if url.netloc == "testserver" and not target.startswith(NOT_FOLLOWED) \
                        and not url.path.endswith(".pdf") and target not in seen:
                    todo.append(target)
    finally:
        client.close()


@pytest.fixture
def portfolio(site: Site) -> Site:
    """The demo decision, the decisions in flight at every stage and a person for every role."""
    run_demo(site.ctx, lambda _: None, people=site.c)
    seed_portfolio(site.ctx, site.c, lambda _: None, password=PASSWORD)
    staff(site.ctx, PASSWORD)
    return site


def test_no_page_shows_a_code_word_to_any_demo_person(portfolio: Site) -> None:
    findings: dict[str, str] = {}
    walkers: list[tuple[str | None, str]] = [(None, "/public")]
    kinds = {}  # one person for each holding of roles and units: the pages differ by what one holds
    for p in identity.people(portfolio.ctx):
        if p["active"]:
            kinds.setdefault((tuple(sorted(p["roles"])), tuple(sorted(p["units"]))), p["id"])
    walkers += [(pid, "/work") for pid in kinds.values()]
    for person, start in walkers:
        for path, finding in walk(portfolio, person, start):
            findings.setdefault(finding, f"{person} {path}")
    assert not findings, "\n".join(f"{where}: {what}" for what, where in list(findings.items())[:60])


def test_the_instrument_sees_a_code_word() -> None:
    page = Visible()
    page.feed('<p>征求意见 comment_notice</p><p title="MAD-0123456789ab">x</p><script>var a_b = {};</script>'
              '<p>依据 Art. 15</p><p>{"a": 1}</p>')
    found = [f for t in page.texts for f in code_words(t)]
    assert {"snake_case: comment_notice", "id: MAD-0123456789ab", "english: Art", "json: {"} <= set(found)
    assert not [f for f in found if "a_b" in f]  # a script is not shown
    assert code_words("征求意见公告 · R6 第十五条 · SHA-256 · 中文 · English") == []
