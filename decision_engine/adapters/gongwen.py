"""Official documents (公文) as bytes: Jinja2 templates to HTML, WeasyPrint to PDF (GB/T 9704-2012 layout).

The only place that knows how a document looks. Rendering is a pure function of (template files, context):
no clock, no randomness, fonts from Debian's `fonts-noto-cjk` (Noto Serif/Sans CJK SC), so the same record
and the same templates give the same bytes, and an auditor can re-render and compare hashes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from decision_engine.domain.errors import Unavailable

TEMPLATE_DIR = Path(__file__).with_name("gongwen_templates")
SHARED_FILES = ("_base.html.j2", "gongwen.css")  # every document is laid out by these as well
_DOMAIN = b"decide.gongwen.template.v1\x00"


def cn_date(value: str | date) -> str:
    """成文日期 in Arabic numerals without leading zeros (GB/T 9704-2012 §7.3.5.1): 2025年3月3日."""
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["cn_date"] = cn_date
    return env


def template_names() -> tuple[str, ...]:
    """Every document template (not the shared layout)."""
    return tuple(sorted(p.name for p in TEMPLATE_DIR.glob("*.html.j2") if not p.name.startswith("_")))


def template_hash(name: str) -> str:
    """SHA-256 over the template and the shared layout and stylesheet it is rendered with."""
    h = hashlib.sha256(_DOMAIN)
    for part in (*SHARED_FILES, name):
        h.update(part.encode() + b"\x00" + (TEMPLATE_DIR / part).read_bytes() + b"\x00")
    return h.hexdigest()


def render_html(name: str, context: dict[str, Any]) -> str:
    """The document as a self-contained HTML page (stylesheet inlined)."""
    return _env().get_template(name).render(**context)


NO_CJK_FONT = ("未找到中文（CJK）字体，公文未生成：没有中文字体的 PDF 只会显示方框。请安装 fonts-noto-cjk"
               "（Debian：apt-get install fonts-noto-cjk）后重新生成。 / No CJK font is installed: the document "
               "was not rendered (its PDF would show empty boxes). Install fonts-noto-cjk and render again.")


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """The font families fontconfig (which WeasyPrint uses) knows for Chinese, squashed to letters and digits."""
    if shutil.which("fc-list") is None:
        return ()
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return tuple(sorted({_squash(f) for line in out.splitlines() for f in line.split(",") if f.strip()}))


def cjk_only(font_names: set[str]) -> tuple[str, ...]:
    """Of the fonts a PDF embeds (`ABCDEF+Noto-Serif-CJK-SC`), the Chinese ones fontconfig knows."""
    families = cjk_families()
    return tuple(sorted(n for n in font_names
                        if any(_squash(n.split("+")[-1]).startswith(f) for f in families)))


def render_pdf(html: str) -> bytes:
    """The document as PDF (A4, CJK fonts embedded as subsets; creation date taken from the HTML meta).

    Refused (503, nothing stored) when no Chinese font is installed or none was embedded: a PDF of empty boxes
    (tofu) is never produced, stored or served."""
    if not cjk_families():
        raise Unavailable(NO_CJK_FONT, rule="GB/T 9704", article="§5.2")
    from weasyprint import HTML  # imported late: WeasyPrint loads Pango and fonts (~0.5 s)
    document = HTML(string=html, base_url=str(TEMPLATE_DIR)).render()
    pdf: bytes = document.write_pdf()
    embedded = {bytes(f.name).decode("latin-1").lstrip("/") for f in document.fonts.values()}
    if not cjk_only(embedded):
        raise Unavailable(NO_CJK_FONT, rule="GB/T 9704", article="§5.2")
    return pdf
