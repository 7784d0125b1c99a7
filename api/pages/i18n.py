"""Gettext catalogues for the pages (Babel): zh_CN by default, en on request (`?lang=en`, kept in the session).

The catalogues are `api/i18n/<lang>/LC_MESSAGES/messages.po`, read with Babel at start-up and compiled in
memory, so no build step is needed; `messages.pot` is extracted from the templates and `api/pages/*.py`
(see tests/pages/test_i18n.py, which also checks that every message has its Chinese translation).
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).resolve().parents[1] / "i18n"
LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (the default language for an unknown one)."""
    lang = lang if lang in LANGUAGES else DEFAULT
    with (CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # autonyms: each language's name in itself
