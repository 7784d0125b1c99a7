"""The pages speak Chinese first (zh_CN) with an English switch, from Babel/gettext catalogues: every message in
the templates and page code is in the catalogue, every one has its Chinese translation, and no template holds
words outside a `_()` call."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.pages.i18n import CATALOG_DIR, translations
from api.pages.web import TEMPLATE_DIR
from tests.conftest import WARNINGS_ARE_ERRORS

pytestmark = WARNINGS_ARE_ERRORS

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "gettext": (2,)}
# What a template may show outside `_()`: identifiers and citations, not words (rules, articles, formats).
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
ALLOWED = re.compile(r"SHA-256|HTML|PDF|JSON|Arts?\.|R\d+|SoD\d+|ACC\d+|\bv\b|\bB\b|seq")


def extracted() -> set[str]:
    found: set[str] = set()
    for sub, method in (("api/pages", "python"), ("api/templates/pages", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _, _, message, _, _ in extract_from_dir(ROOT / sub, [(pattern, method)], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang: str) -> dict[str, str]:
    with (CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_message_is_in_the_catalogue_with_its_chinese_translation() -> None:
    zh = catalogue("zh_CN")
    messages = extracted()
    assert len(messages) > 400
    assert sorted(messages - set(zh)) == []  # re-extract: pybabel extract -F api/i18n/babel.cfg …
    assert sorted(m for m in messages if not zh[m]) == []
    assert set(catalogue("en")) >= messages


def test_no_template_holds_words_outside_a_translation_call() -> None:
    offenders = []
    for path in sorted((TEMPLATE_DIR / "pages").glob("*.html")):
        source = JINJA.sub(" ", path.read_text(encoding="utf-8"))  # every expression and statement out
        for line in re.sub(r"<[^>]*>", " ", source).splitlines():  # then every tag
            text = ALLOWED.sub("", line)
            if re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", text):
                offenders.append(f"{path.name}: {line.strip()[:60]!r}")
    assert offenders == []


def test_chinese_is_the_default_and_english_is_on_request() -> None:
    assert translations("zh_CN").gettext("What waits for me") == "我的待办事项"
    assert translations("en").gettext("What waits for me") == "What waits for me"
    assert translations("fr").gettext("What waits for me") == "我的待办事项"  # unknown: the default
