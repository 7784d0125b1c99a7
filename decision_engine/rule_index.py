"""Where each rule lives: the citations table (`domain/law.py`) joined with the domain modules that enforce it,
read from the code, never copied by hand. It writes the two generated tables of the documentation — the
README's rule table (one row per rule id) and docs/rules.md's citations (one row per duty) — and
`tests/unit/test_rule_table.py` fails when either drifts from the code.

A module enforces a duty when, in its source (`decision_engine/domain/`, `law.py` aside):

1. it names the duty's key — `ref("R11.review_time")`, `cite(...)`, `basis(...)`, `article(...)`, any string
   equal to the key;
2. it refuses or reports with the duty's rule and article written out — `rule="R7", article="Art. 16"` as
   keywords, or `"R7", "Art. 16"` side by side;
3. it registers checks (`reg.artifact(kind, ...)`, `reg.gate(gate, ...)`, the rule registry) for an artifact
   kind or a gate that the national procedure (`procedures/order713.toml`) cites with the duty's rule and
   article.

A duty found by none of these is attributed to the modules that cite its rule under another article (shown
in parentheses), and else to the outer modules that name its key (services, adapters); a duty held by data
alone shows "—".

    python -m decision_engine.rule_index            # print both tables
    python -m decision_engine.rule_index --write    # rewrite them in README.md and docs/rules.md
"""

from __future__ import annotations

import ast
import functools
import itertools
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from decision_engine.domain import law

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
DOMAIN = PACKAGE / "domain"
PROCEDURE = PACKAGE / "procedures" / "order713.toml"

README_MARKERS = ("<!-- rule table: generated from decision_engine/domain/law.py and domain/rules/ "
                  "(python -m decision_engine.rule_index --write) -->\n", "<!-- /rule table -->")
RULES_MD_MARKERS = ("<!-- citations: generated from decision_engine/domain/law.py -->\n", "<!-- /citations -->")


@dataclass
class _Seen:
    """What one module's source names: duty keys, (rule, article) pairs, registered kinds and gates."""

    keys: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    registered: set[tuple[str, str]] = field(default_factory=set)  # ("artifact" | "gate", id)


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _scan(source: str, keys: set[str], rules: set[str]) -> _Seen:
    seen = _Seen()
    for node in ast.walk(ast.parse(source)):
        value = _const(node)
        if value is not None and value in keys:
            seen.keys.add(value)
        if not isinstance(node, ast.Call):
            continue
        kw = {k.arg: _const(k.value) for k in node.keywords if k.arg}
        if kw.get("rule") and kw.get("article"):
            seen.pairs.add((str(kw["rule"]), str(kw["article"])))
        args = [_const(a) for a in node.args]
        for a, b in itertools.pairwise(args):
            if a in rules and b is not None:
                seen.pairs.add((a, b))
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("artifact", "gate") and args and args[0]:
            seen.registered.add((func.attr, args[0]))
    return seen


def _modules(paths: Iterable[Path]) -> dict[str, _Seen]:
    keys, rules = set(law.CITATIONS), {c.rule for c in law.CITATIONS.values()}
    return {p.relative_to(PACKAGE).as_posix(): _scan(p.read_text(encoding="utf-8"), keys, rules)
            for p in sorted(paths) if "__pycache__" not in p.parts}


def _procedure_citations() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(rule, article) → the artifact kinds and gates the national procedure cites with them."""
    data = tomllib.loads(PROCEDURE.read_text(encoding="utf-8"))
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for section, what in (("artifacts", "artifact"), ("gates", "gate")):
        entries = data.get(section, {})
        items = entries.items() if isinstance(entries, dict) else ((e.get("id"), e) for e in entries)
        for ident, entry in items:
            if isinstance(entry, dict) and entry.get("rule") and entry.get("article") and ident:
                out.setdefault((entry["rule"], entry["article"]), set()).add((what, str(ident)))
    return out


@dataclass(frozen=True)
class Where:
    """The modules that enforce a duty; `by_rule` when found only through its rule id (another article)."""

    modules: tuple[str, ...]
    by_rule: bool = False


def enforcers() -> dict[str, Where]:
    """Each duty key of the citations table → the modules that enforce it (see the module's docstring)."""
    return dict(_enforcers())


@functools.cache
def _enforcers() -> dict[str, Where]:
    domain = _modules(p for p in DOMAIN.rglob("*.py") if p != DOMAIN / "law.py")
    outer = _modules(p for p in PACKAGE.rglob("*.py") if DOMAIN not in p.parents)
    cited = _procedure_citations()
    out: dict[str, Where] = {}
    for key, c in law.CITATIONS.items():
        bound = cited.get((c.rule, c.article), set())
        found = sorted((m for m, s in domain.items()
                        if key in s.keys or (c.rule, c.article) in s.pairs or s.registered & bound), key=_module_order)
        if found:
            out[key] = Where(tuple(found))
            continue
        by_rule = sorted((m for m, s in domain.items()
                          if any(r == c.rule for r, _ in s.pairs)
                          or any(law.CITATIONS[k].rule == c.rule for k in s.keys)), key=_module_order)
        if by_rule:
            out[key] = Where(tuple(by_rule), by_rule=True)
            continue
        out[key] = Where(tuple(sorted(m for m, s in outer.items() if key in s.keys or (c.rule, c.article) in s.pairs)))
    return out


def _cell(where: Where) -> str:
    if not where.modules:
        return "—"
    text = ", ".join(f"`{m}`" for m in where.modules)
    return f"({text})" if where.by_rule else text


def citations_markdown(where: Mapping[str, Where] | None = None) -> str:
    """docs/rules.md's generated section: each duty, its rule, article and the modules that enforce it."""
    where = enforcers() if where is None else where
    lines = ["| key | rule | article | duty | 义务 | enforced in `decision_engine/` |", "|---|---|---|---|---|---|"]
    lines += [f"| `{k}` | {c.rule} | {c.article} | {c.duty} | {c.duty_zh} | {_cell(where[k])} |"
              for k, c in law.CITATIONS.items()]
    return "\n".join(lines) + "\n"


def rule_table_markdown(where: Mapping[str, Where] | None = None) -> str:
    """The README's rule table: each rule id, the articles its duties cite, the modules that enforce them."""
    where = enforcers() if where is None else where
    rules: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for key, c in law.CITATIONS.items():
        articles, modules, duties = rules.setdefault(c.rule, ([], [], []))
        if c.article not in articles:
            articles.append(c.article)
        duties.append(key.split(".", 1)[1])
        for m in where[key].modules:
            if m not in modules and not where[key].by_rule:
                modules.append(m)
        if where[key].by_rule and not modules:
            modules.extend(m for m in where[key].modules if m not in modules)
    lines = ["| rule | article (¶) | duties | enforced in `decision_engine/` |", "|---|---|---|---|"]
    for rule, (articles, modules, duties) in rules.items():
        mods = ", ".join(f"`{m}`" for m in sorted(modules, key=_module_order)) or "—"
        lines.append(f"| {rule} | {'; '.join(articles)} | {', '.join(duties)} | {mods} |")
    return "\n".join(lines) + "\n"


def _module_order(module: str) -> tuple[int, str]:
    """domain/rules/ first (the stage's own module), then the rest of the domain, then the outer layers."""
    return (0 if module.startswith("domain/rules/") else 1 if module.startswith("domain/") else 2, module)


def section(text: str, markers: tuple[str, str]) -> str:
    """The generated part of a document between its markers (ValueError when a marker is missing)."""
    start, end = markers
    if start not in text or end not in text:
        raise ValueError(f"the document lacks its generated section ({start.strip()} ... {end})")
    return text.split(start, 1)[1].split(end, 1)[0]


def _replace(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    head, rest = text.split(start, 1)
    return head + start + body + end + rest.split(end, 1)[1]


def write(root: Path = ROOT) -> list[Path]:
    """Rewrite the generated sections of README.md and docs/rules.md; returns the files changed."""
    _enforcers.cache_clear()
    where = enforcers()
    changed = []
    for path, markers, body in ((root / "README.md", README_MARKERS, rule_table_markdown(where)),
                                (root / "docs" / "rules.md", RULES_MD_MARKERS, citations_markdown(where))):
        text = path.read_text(encoding="utf-8")
        new = _replace(text, markers, body)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if "--write" in argv:
        for path in write():
            print(f"rewrote {path}")
        return 0
    where = enforcers()
    print(rule_table_markdown(where))
    print(citations_markdown(where))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
