"""The layers hold (DESIGN "Layers"): the import contracts of pyproject.toml, and configuration read only at
the root — `os.environ` in `decision_engine/config.py` and `decision_engine/bootstrap.py`, nowhere else."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("decision_engine", "api", "flows")
ALLOWED = {Path("decision_engine/config.py"), Path("decision_engine/bootstrap.py")}
READS_ENVIRONMENT = re.compile(r"\bos\s*\.\s*(environ|getenv|putenv|unsetenv)\b|\bfrom\s+os\s+import\s+[^\n]*\b(environ|getenv)\b")


def environment_reads(text: str) -> list[int]:
    """Line numbers of a source text that read or write the process environment."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if READS_ENVIRONMENT.search(line)]


def test_the_environment_scanner_finds_each_way_of_reading_it_and_nothing_else() -> None:
    source = ("import os\nx = os.environ['A']\ny = os.getenv('B')\nfrom os import environ\n"
              "os.environ.setdefault('C', '1')\nz = settings.environment\npath = os.path.join('a')\n")
    assert environment_reads(source) == [2, 3, 4, 5]


def test_only_config_and_the_composition_root_read_the_environment() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in ALLOWED or "migrations" in rel.parts:
                continue
            offenders += [f"{rel}:{n}" for n in environment_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], "os.environ read outside config.py and bootstrap.py: " + ", ".join(offenders)


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
