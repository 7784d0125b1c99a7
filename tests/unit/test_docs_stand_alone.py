"""The README and docs/ stand alone (issue 18 §8): a clone has nothing outside the repository, so no page sends
a reader there, and every relative link points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_no_page_points_outside_the_repository() -> None:
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in PAGES for m in re.findall(r"\.\./shared\S*", p.read_text())]
    assert offenders == []


def test_every_relative_link_in_the_docs_reaches_a_file_of_the_repository() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if "://" in target:
                continue
            path = (page.parent / target).resolve()
            if not path.exists() or ROOT not in path.parents:
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []
