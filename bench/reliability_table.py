"""The reliability table (issue 11 §9): run the reliability and security tests, read their JUnit XML and
print one markdown row per test file — what it checks, its size, its result, the date and the commit —
for bench/README.md.

    .venv/bin/python bench/reliability_table.py            # SQLite and, with DECIDE_TEST_POSTGRES_URL, PostgreSQL
    .venv/bin/python bench/reliability_table.py --no-run   # only re-read the last JUnit XML
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XML = ROOT / "bench" / "out" / "reliability.xml"

# file → (what it checks, its size at the CI default)
TESTS = {
    "tests/reliability/test_crash_safety.py": (
        "kill -9 during gate recordings: no acknowledged write lost, nothing half-written, chains verify, "
        "no blob missing (§3)", "40 writes per database (bench/crash.py: 1,000)"),
    "tests/reliability/test_concurrency_and_fail_closed.py": (
        "50 concurrent writers on one decision and on many; expected-sequence races; failures injected into "
        "the event insert, the projection update and the commit; SQLite refuses to run without WAL + FULL "
        "(§4, §6)", "50 writers; 1,002 injected failures per database"),
    "tests/reliability/test_fault_handling.py": (
        "database unreachable (connections refused, a closed port from the first request, a connection cut "
        "mid-run), SQLite on a full disk, blob disk full (tmpfs): 503 + Retry-After, nothing partial, "
        "recovery with the same Idempotency-Key; an unreadable SQLite file: 503 and one CLI line, the file "
        "untouched; Prefect down: every GET route of API and pages answers in a process that never imports "
        "Prefect, `decide clock run` does the clock's duties (§5)", "7 faults"),
    "tests/reliability/test_idempotent_retries.py": (
        "Idempotency-Keys sent 10 times over HTTP, many concurrently: one artifact and one event per key; a "
        "process dying between the commit and the stored response, or failing after the commit: the retry "
        "is answered from what committed, never run twice (§3, §7)", "1,000 keys × 10 sends per database"),
    "tests/reliability/test_generator.py": (
        "the scale generator: copies across 10 units verify (chains, blobs, full replay) and are found by "
        "unit and by search (§1)", "160 decisions per database (bench/scale.py: 100,000)"),
    "tests/integration/test_tamper.py": (
        "`decide verify` catches edited, deleted, reordered, inserted events, changed artifacts and edited "
        "meeting / comment tables (§6)", "every attack kind on each database"),
    "tests/api/test_state_role_matrix.py": (
        "every act in every lifecycle state by every role: 0 unexpected permissions; legality review and the "
        "collective decision never exempted (§8)", "11 states × 96 acts × 16 roles = 16,896 attempts"),
    "tests/api/test_role_matrix.py": (
        "every (role × mutating endpoint) over HTTP as the rule book says (issue 3)", "34 endpoints × 17 roles"),
    "tests/api/test_stage_role_matrix.py": (
        "the same for the routes of meetings, stage acts, documents and after-decision acts (issues 3–6)",
        "28 endpoints × 17 roles"),
    "tests/api/test_mutations_leave_events.py": (
        "every mutating endpoint appends its event naming the person; a refused one only the evidence; the "
        "route table is walked whole, the pages' forms listed with a reason (§8)",
        "69 cases over every API mutating route (allowed + refused), 19 page forms listed"),
    "tests/api/test_schemathesis.py": (
        "schemathesis on the whole OpenAPI: no 5xx, no response off its schema (§8)",
        "200 examples per operation, fixed seed"),
    "tests/property/test_stateful_procedure.py": (
        "hypothesis stateful: random acts by random roles never finalize with an unsatisfied gate (§8)",
        "500 runs × 50 steps"),
    "tests/property/test_canonical.py": (
        "the canonical JSON fast path is byte-identical to the RFC 8785 reference", "3,000 generated values"),
}


def run() -> int:
    XML.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={XML}",
                            *TESTS], cwd=ROOT)


def table() -> str:
    tree = ET.parse(XML)
    outcome: dict[str, list[str]] = defaultdict(list)
    seconds: dict[str, float] = defaultdict(float)
    for case in tree.iter("testcase"):
        path = case.get("classname", "").replace(".", "/")
        file = next((f for f in TESTS if path.endswith(f.removesuffix(".py"))), "")
        if not file:
            continue
        seconds[file] += float(case.get("time", 0))
        if case.find("failure") is not None or case.find("error") is not None:
            outcome[file].append("fail")
        elif case.find("skipped") is not None:
            outcome[file].append("skip")
        else:
            outcome[file].append("pass")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    today = dt.date.today().isoformat()
    lines = ["| test | checks | size | result | time | date | commit |", "|---|---|---|---|---|---|---|"]
    for file, (what, size) in TESTS.items():
        got = outcome.get(file, [])
        result = ("**FAILED**" if "fail" in got else
                  f"{got.count('pass')} passed" + (f", {got.count('skip')} skipped" if "skip" in got else "")
                  if got else "not run")
        lines.append(f"| `{file}` | {what} | {size} | {result} | {seconds[file]:.0f} s | {today} | {commit} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-run", action="store_true")
    args = ap.parse_args()
    if not args.no_run:
        run()
    print(table())


if __name__ == "__main__":
    main()
