"""The per-request role lookup (issue 19 §2), against a peer in the same run.

    .venv/bin/python bench/bench_roles.py [--calls 2000] [--rounds 10] [--roles 4] [--postgres]

Every request that reads a decision asks which roles its person holds now (`access.current_actors`: a read
transaction, the person's row, the person's role rows, filtered by validity). Since migration 0014 the role rows
are cached on (person, roles_version) and only the person's row is read while nothing changed. Timed
alternately, round by round, on a fresh store (SQLite in a temporary directory, or a fresh PostgreSQL database
with --postgres and DECIDE_TEST_POSTGRES_URL) whose person holds --roles roles:

    roles   `access.current_actors(ctx, person)`, as a request calls it
    peer    the least such a lookup must do: a read transaction and one row of `persons` read by key

Prints the mean per call of each in wall and CPU time and the ratio roles / peer per round (1.0 = the lookup
costs what reading one row by key costs). Run it on two trees (before and after) back to back to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import drop_db, fresh_db  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters.tables import PERSONS  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.services import access, identity  # noqa: E402
from decision_engine.services.demo import STAFF, cast, demo_clock  # noqa: E402

ROLES = [(role, unit) for _, role, unit in STAFF if not role.endswith("_admin")]  # SEC4: no admin with others


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000, help="calls per endpoint in all")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--roles", type=int, default=4)
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="decide-roles-") as tmp:
        name = None
        if args.postgres:
            url, name = fresh_db()
        else:
            url = f"sqlite:///{Path(tmp) / 'decide.db'}"
        try:
            ctx = bootstrap.build(Settings(data_dir=Path(tmp), database_url=url), clock=demo_clock())
            cast(ctx)  # the demo's organisation and people: a store as requests meet it
            person = identity.register_person(ctx, "多角色人员")
            for role, unit in ROLES[:args.roles]:
                identity.grant_role(ctx, person, role, unit, reason="bench")
            peer_sql = select(PERSONS.c.name, PERSONS.c.active).where(PERSONS.c.id == bindparam("p"))

            def roles() -> None:
                assert len(access.current_actors(ctx, person)) == args.roles

            def peer() -> None:
                with ctx.store.read() as conn:
                    assert conn.execute(peer_sql, {"p": person}).first() is not None

            per = max(1, args.calls // args.rounds)
            for fn in (roles, peer):
                for _ in range(50):
                    fn()  # warm-up (statement caches, the role cache)
            wall: dict[str, list[float]] = {"roles": [], "peer": []}
            cpu: dict[str, list[float]] = {"roles": [], "peer": []}
            for _ in range(args.rounds):
                for label, fn in (("roles", roles), ("peer", peer)):
                    t0, c0 = time.perf_counter(), time.process_time()
                    for _ in range(per):
                        fn()
                    wall[label].append((time.perf_counter() - t0) / per * 1e6)
                    cpu[label].append((time.process_time() - c0) / per * 1e6)
            print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: a person with {args.roles} roles, {args.rounds} "
                  f"rounds of {per} calls each")
            for label in wall:
                print(f"{label:6} wall {statistics.median(wall[label]):7.1f} µs/call   CPU "
                      f"{statistics.median(cpu[label]):7.1f} µs/call (medians of the rounds)")
            for kind, times in (("wall", wall), ("CPU", cpu)):
                ratios = sorted(r / p for r, p in zip(times["roles"], times["peer"], strict=True))
                print(f"roles / peer (one row by key), {kind}: median {statistics.median(ratios):.2f} "
                      f"(rounds {ratios[0]:.2f}–{ratios[-1]:.2f})")
            ctx.store.dispose()
        finally:
            if name:
                drop_db(name)


if __name__ == "__main__":
    main()
