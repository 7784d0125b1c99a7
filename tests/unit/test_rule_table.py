"""The README's rule table and docs/rules.md's citations are generated from the code (`decision_engine/rule_index.py`
over `domain/law.py`, the domain's modules and the rule registry): they fail here when they drift, and they
point each rule at a module that exists and cites it. Regenerate with `python -m decision_engine.rule_index --write`."""

from __future__ import annotations

import re
from pathlib import Path

from decision_engine import rule_index
from decision_engine.domain import law

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "decision_engine"


def test_the_readme_rule_table_is_generated_from_the_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rule_index.section(text, rule_index.README_MARKERS) == rule_index.rule_table_markdown(), \
        "README.md's rule table drifted: run python -m decision_engine.rule_index --write"


def test_the_docs_citations_are_generated_from_the_code() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert rule_index.section(text, rule_index.RULES_MD_MARKERS) == rule_index.citations_markdown(), \
        "docs/rules.md's citations drifted: run python -m decision_engine.rule_index --write"


def test_every_rule_of_the_table_is_pointed_at_a_module_that_exists() -> None:
    where = rule_index.enforcers()
    assert set(where) == set(law.CITATIONS)
    rules = {c.rule for c in law.CITATIONS.values()}
    pointed = {law.CITATIONS[k].rule for k, w in where.items() if w.modules}
    assert pointed == rules  # no rule id without a module
    for w in where.values():
        for module in w.modules:
            assert (PACKAGE / module).is_file(), module


def test_a_rule_module_is_found_by_its_key_its_rule_and_article_and_its_registrations() -> None:
    where = rule_index.enforcers()
    assert "domain/rules/legality.py" in where["R11.review_time"].modules  # ref("R11.review_time")
    assert "domain/rules/hearing.py" in where["R7.materials"].modules  # registered for the delivery's kind
    assert "domain/rules/normative.py" in where["ND3.filing"].modules
    assert not where["R11.review_time"].by_rule


def test_a_check_removed_from_its_module_takes_the_module_out_of_the_table() -> None:
    seen = rule_index._scan('def f():\n    raise RuleViolation("x", **ref("R11.review_time"))\n',
                            set(law.CITATIONS), {"R11"})
    assert seen.keys == {"R11.review_time"}
    assert rule_index._scan("def f():\n    pass\n", set(law.CITATIONS), {"R11"}).keys == set()
    pairs = rule_index._scan('Missing("x", rule="R7", article="Art. 16")\n', set(), {"R7"}).pairs
    assert pairs == {("R7", "Art. 16")}
    registered = rule_index._scan('def register(reg):\n    reg.artifact("hearing_notice", f)\n', set(), set())
    assert registered.registered == {("artifact", "hearing_notice")}


def test_no_document_points_outside_the_repository() -> None:
    """A clone has no ../shared: the README and the docs link only to what the repository holds."""
    docs = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), ROOT / "bench" / "README.md"]
    escaping = re.compile(r"\]\((?:\.\./)+shared|(?<![\w/])\.\./shared/|\]\(/")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in docs if p.is_file()
             for m in escaping.finditer(p.read_text(encoding="utf-8"))]
    assert found == []
