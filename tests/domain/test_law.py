"""One citations table (decision_engine/domain/law.py): the refusals, the procedure files and docs/rules.md
read it, so a citation cannot drift (issue 16). The 7-working-day review time is Art. 26 ¶2 (Art. 27 is the
review's scope); the 7-day delivery of hearing materials is Art. 16 (Art. 17 is the hearing's order and
record)."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from decision_engine.domain import law
from decision_engine.domain.errors import RuleViolation
from tests.domain.builders import Build, C, refused

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = ROOT / "decision_engine" / "procedures"
# A known mis-citation, wherever it is written: the rule, then the wrong article for the duty.
MISCITATIONS = (
    re.compile(r"R11[\"',]*\s*,?\s*[\"']?\s*Art\. 27\b"),  # the review time is Art. 26 ¶2
    re.compile(r"R11 Art\. 27\b"),
)


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((PROCEDURES / name).read_text(encoding="utf-8"))


def _entry(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    section, key = dotted.split(".", 1)
    entry: dict[str, Any] = data[section][key]
    return entry


def test_the_review_time_is_art_26_para_2_and_hearing_materials_art_16() -> None:
    assert law.ref("R11.review_time") == {"rule": "R11", "article": "Art. 26 ¶2"}
    assert law.ref("R7.materials") == {"rule": "R7", "article": "Art. 16"}
    assert law.basis("R11.review_time") == "R11 Art. 26 ¶2"


@pytest.mark.parametrize("dotted", sorted(law.PROCEDURE_BINDINGS))
def test_the_national_procedure_cites_each_duty_as_the_table_does(dotted: str) -> None:
    entry = _entry(_toml("order713.toml"), dotted)
    c = law.cite(law.PROCEDURE_BINDINGS[dotted])
    assert (entry["rule"], entry["article"]) == (c.rule, c.article), dotted


@pytest.mark.parametrize("dotted", ["durations.comment_period", "durations.hearing_materials"])
def test_the_normative_procedure_cites_order_713_by_reference_as_the_table_does(dotted: str) -> None:
    entry = _entry(_toml("normative_document.toml"), dotted)
    c = law.cite(law.PROCEDURE_BINDINGS[dotted])
    assert (entry["rule"], entry["article"]) == (c.rule, f"{c.article} (by reference)"), dotted


# Under mutation testing the sources hold every mutant beside the original (mutmut's trampolines): scanning
# them for citations would read the mutants' strings. The scans run in the normal suite; the rules' own
# tests run under mutmut.
scans_sources = pytest.mark.skipif(bool(os.environ.get("MUTANT_UNDER_TEST")),
                                   reason="mutmut's copy of the sources holds the mutants' strings")


def _sources() -> list[Path]:
    out = [*(ROOT / "decision_engine").rglob("*.py"), *(ROOT / "api").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]
    return [p for p in out if "__pycache__" not in p.parts]


@scans_sources
def test_every_rule_and_article_written_in_the_code_is_a_citation_of_the_table() -> None:
    known = {(c.rule, c.article) for c in law.CITATIONS.values()}
    keyword = re.compile(r'rule="([A-Za-z0-9]+)",\s*article="([^"]*)"')
    positional = re.compile(r'"((?:R|SoD|ACC|ND)[0-9]*)", "((?:Arts?\.|seeds) [^"]*)"')
    strays = [f"{p.relative_to(ROOT)}: {m[1]} {m[2]}" for p in _sources()
              for rx in (keyword, positional) for m in rx.finditer(p.read_text(encoding="utf-8"))
              if (m[1], m[2]) not in known]
    assert strays == []


@scans_sources
def test_no_known_miscitation_is_left_in_code_procedures_tests_or_docs() -> None:
    files = [*_sources(), *PROCEDURES.rglob("*.toml"), *(ROOT / "docs").glob("*.md"), ROOT / "README.md",
             *[p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_law.py"]]
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in files for rx in MISCITATIONS
             for m in rx.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


@scans_sources  # the modules column is read from the sources (decision_engine/rule_index.py)
def test_docs_rules_md_carries_the_table_as_generated() -> None:
    from decision_engine import rule_index
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    start, end = "<!-- citations: generated from decision_engine/domain/law.py -->\n", "<!-- /citations -->"
    assert start in text and end in text, "docs/rules.md lacks the generated citations section"
    generated = text.split(start, 1)[1].split(end, 1)[0]
    assert generated == rule_index.citations_markdown()
    # the table's own columns, as law.py writes them, with the modules column after them
    assert [row.rsplit(" | ", 1)[0] + " |" for row in generated.splitlines()[2:]] == law.table_markdown().splitlines()[2:]


def test_the_r11_refusal_reads_its_citation_from_the_table(b: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    b.open().start().determine().coordinate().participate()
    monkeypatch.setitem(law.CITATIONS, "R11.review_time", law.Citation("R11", "Art. 99", "x", "x"))
    refused(lambda: b.submission(6), RuleViolation, "R11", "Art. 99")


def test_the_hearing_materials_refusal_cites_art_16(b: Build) -> None:
    b.open().start().determine(hearing_required_by_law=True)
    b.hearing_notice(days=14)
    refused(lambda: b.art(C.organizer, "hearing_materials_delivery", participant="p",
                          delivered_at=(b.today + timedelta(days=10)).isoformat()),
            RuleViolation, *law.ref("R7.materials").values())
