"""Scale on PostgreSQL (issue 11 §1–2): generate N decisions at every stage, then measure list/search,
the replay of a decision with 10,000 events, and the API under a load from `wrk` with 1, 2 and 4 uvicorn
workers — req/s, p50/p99 per operation and the CPU each process used — and a mixed load cycling through
the six operations (public docket, read, list, search, public comment, a gate act recording a consultation).

    .venv/bin/python bench/scale.py --decisions 100000                # the scale run
    .venv/bin/python bench/scale.py --decisions 2000 --seconds 5       # a quick one

The generator is faithful, not synthetic: the demo decision and the seven decisions of the demo portfolio
(every stage from just started to terminated, walked through the services) are the templates; each copy
gets its own id, unit and title in its `DecisionOpened` event, every event is re-canonicalised and
re-chained (RFC 8785 bytes, SHA-256 chain), and its projection is rebuilt by replaying the copy through
the domain aggregate — so `decide verify` passes on the result (checked on a sample).
The server is `bench.peer_app:app`: the product's app plus two peer endpoints with the same token check (one
durable insert; the decision's stored JSON read by key), measured in the same run so that every HTTP figure
is also printed as a ratio against its peer (issue 19 §1). By default only the decision
streams are copied: the templates' own comment, meeting and accountability streams stay single. With
`--streams all` (issue 19's scale data) each copy also gets its own copy of its template's comment streams (the
main one and its shards), meetings and accountability cases (and documents, execution opinions), re-ided
(meeting and case ids suffixed, tracking numbers re-derived), re-canonicalised and re-chained, with the rows
they project into renamed the same way, so `decide verify` re-derives those tables too and passes.

    .venv/bin/python bench/scale.py --decisions 100000 --streams all --generate-only --keep   # then read_scale.py
PostgreSQL: DECIDE_TEST_POSTGRES_URL (a fresh database `decide_scale_*` is created and dropped unless
--keep).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import procs  # noqa: E402
from decision_engine import bootstrap  # noqa: E402
from decision_engine.adapters import store as st  # noqa: E402
from decision_engine.adapters.tables import (  # noqa: E402
    ACCOUNTABILITY_CASES,
    ARTIFACTS,
    COMMENT_IDENTITIES,
    DECISIONS,
    DOCUMENTS,
    EVENTS,
    EXECUTION_OPINIONS,
    MEETING_ITEMS,
    MEETINGS,
    OPINION_CLUSTER_MEMBERS,
    OPINION_CLUSTERS,
    PUBLIC_COMMENTS,
)
from decision_engine.audit.canonical import GENESIS, canonical, chain_hash  # noqa: E402
from decision_engine.config import Settings  # noqa: E402
from decision_engine.domain import participation as dp  # noqa: E402
from decision_engine.domain.decision import Decision  # noqa: E402
from decision_engine.services import identity, queries, verification  # noqa: E402
from decision_engine.services.demo import cast, demo_clock, run_demo  # noqa: E402
from decision_engine.services.demo_portfolio import seed_portfolio  # noqa: E402

UNITS = ("某市交通运输局", "某市教育局", "某市卫生健康委", "某市住房城乡建设局", "某市生态环境局", "某市民政局",
         "某市市场监管局", "某市文化广电旅游局", "某市商务局", "某市城市管理局")


def pg_url() -> str:
    url = os.environ.get("DECIDE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    return url


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def fresh_db() -> tuple[str, str]:
    return procs.fresh_pg_database(pg_url(), "decide_scale")


def drop_db(name: str) -> None:
    procs.drop_pg_database(pg_url(), name)


# ------------------------------------------------------------------------------------------ generator
def templates(ctx: Any) -> list[tuple[list[dict[str, Any]], str]]:
    """The template decisions (the demo and the portfolio): their events and their procedure hash."""
    people = cast(ctx, "Scale-Passw0rd!")
    ids = [run_demo(ctx, lambda _: None, people=people),
           *seed_portfolio(ctx, people, lambda _: None).values()]
    out = []
    for did in ids:
        with ctx.store.read() as conn:
            evs = st.stream_events(conn, f"decision:{did}")
        out.append((evs, evs[0]["payload"]["procedure"]["hash"]))
    return out


def clone(template: list[dict[str, Any]], new: str, unit: str, k: int, spec: Any,
          extra: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """One copy of a template: events re-canonicalised and re-chained, the projection rebuilt by replay."""
    stream = f"decision:{new}"
    prev, rows = GENESIS, []
    original = ""
    d = Decision(spec)
    # Each copy's artifacts get their own ids, in the events as in the artifacts index (verify rebuilds
    # the index from the events); an inline artifact whose fields name an id is re-hashed.
    renamed = {**(extra or {}), **_artifact_names(template, k)}
    for ev in template:
        env = {key: ev[key] for key in ("stream", "seq", "type", "v", "at", "actor", "payload")}
        env["stream"] = stream
        payload = _renamed(env["payload"], renamed)
        if payload != env["payload"] and isinstance(payload.get("fields"), dict) and \
                payload.get("fields") != env["payload"].get("fields") and payload.get("storage") == "inline":
            data = canonical(payload["fields"])
            payload.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        env["payload"] = payload
        if env["type"] == "DecisionOpened":
            original = env["payload"]["unit"]
            env["payload"] = dict(env["payload"], decision_id=new, unit=unit,
                                  title=f"{env['payload']['title']}（{k}）")
        elif env["type"] == "ArtifactRecorded" and env["payload"]["kind"] == "start_decision":
            # The start decision names the lead unit, which becomes the decision's unit (R3): the copy's
            # own unit leads it, or every copy would still belong to the template's unit.
            f, swap = env["payload"]["fields"], {original: unit}
            fields = dict(f, lead_unit=swap.get(f["lead_unit"], f["lead_unit"]),
                          units=[swap.get(u, u) for u in f["units"]])
            data = canonical(fields)  # an inline artifact's bytes are its canonical fields
            env["payload"] = dict(env["payload"], fields=fields, sha256=hashlib.sha256(data).hexdigest(),
                                  size=len(data))
        body = canonical(env)
        digest = chain_hash(prev, body)
        a = env["actor"]
        rows.append({"stream": stream, "seq": env["seq"], "type": env["type"], "schema_version": 1,
                     "at": env["at"], "person": a["person"], "role": a["role"], "unit": a["unit"], "body": body,
                     "prev_hash": prev, "hash": digest})
        prev = digest
        d.apply(json.loads(body), refresh=False)
    d.refresh()
    s = d.state
    projection = dict(st.decision_row(s), id=new)
    arts = [{"id": a["id"], "decision_id": new, "kind": a["kind"], "gate": a["gate"],
             "sha256": a["sha256"], "size": a["size"], "media_type": a["media_type"], "filename": a["filename"],
             "draft_version": a["draft_version"], "author_person": a["author"]["person"], "recorded_at": a["at"],
             "seq": a["seq"], "storage": a.get("storage", "blob")} for a in s["artifacts"].values()]
    return rows, projection, arts


def _artifact_names(template: list[dict[str, Any]], k: int) -> dict[str, str]:
    return {ev["payload"]["artifact_id"]: f"{ev['payload']['artifact_id']}-{k}" for ev in template
            if ev["type"] in ("ArtifactRecorded", "DraftVersionAdded")}


def _renamed(value: Any, names: dict[str, str], *, keys: bool = False) -> Any:
    """`value` with every string in `names` renamed, dict keys too when `keys` (a side stream's folded state
    may be keyed by ids)."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names, keys=keys) for v in value]
    if isinstance(value, dict):
        return {(names.get(key, key) if keys else key): _renamed(v, names, keys=keys) for key, v in value.items()}
    return value


# The tables the side streams of a decision project into (`--streams all`), in an order that satisfies their
# foreign keys: its comments (received on its shards, moderated and clustered on its main stream), the meetings
# that decided it (one agenda item each in the templates), its accountability cases, documents and opinions.
SIDE_TABLES = (PUBLIC_COMMENTS, COMMENT_IDENTITIES, OPINION_CLUSTERS, OPINION_CLUSTER_MEMBERS, MEETINGS,
               MEETING_ITEMS, ACCOUNTABILITY_CASES, DOCUMENTS, EXECUTION_OPINIONS)


def side_streams(ctx: Any, did: str) -> dict[str, Any]:
    """A template decision's own comment, meeting and accountability streams (and documents, execution
    opinions), their events and the rows they project into; the ids the copies rename."""
    with ctx.store.read() as conn:
        def rows(table: Any, where: Any) -> list[dict[str, Any]]:
            return [dict(r) for r in conn.execute(table.select().where(where)).mappings()]
        out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in SIDE_TABLES}
        comments = rows(PUBLIC_COMMENTS, PUBLIC_COMMENTS.c.decision_id == did)
        tns = [c["tracking_number"] for c in comments]
        out["public_comments"] = comments
        out["comment_identities"] = rows(COMMENT_IDENTITIES, COMMENT_IDENTITIES.c.tracking_number.in_(tns))
        out["opinion_clusters"] = rows(OPINION_CLUSTERS, OPINION_CLUSTERS.c.decision_id == did)
        out["opinion_cluster_members"] = rows(OPINION_CLUSTER_MEMBERS, OPINION_CLUSTER_MEMBERS.c.decision_id == did)
        mids = sorted({r["meeting_id"] for r in rows(MEETING_ITEMS, MEETING_ITEMS.c.decision_id == did)})
        out["meetings"] = rows(MEETINGS, MEETINGS.c.id.in_(mids))
        out["meeting_items"] = rows(MEETING_ITEMS, MEETING_ITEMS.c.meeting_id.in_(mids))
        cases = rows(ACCOUNTABILITY_CASES, ACCOUNTABILITY_CASES.c.decision_id == did)
        out["accountability_cases"] = cases
        out["documents"] = rows(DOCUMENTS, DOCUMENTS.c.decision_id == did)
        opinions = rows(EXECUTION_OPINIONS, EXECUTION_OPINIONS.c.decision_id == did)
        out["execution_opinions"] = opinions
        names = [f"comments:{did}", *(f"meeting:{m}" for m in mids),
                 *(f"accountability:{c['id']}" for c in cases), f"documents:{did}", f"execution-opinions:{did}"]
        shards = [r[0] for r in conn.execute(EVENTS.select().with_only_columns(EVENTS.c.stream).distinct()
                                             .where(EVENTS.c.stream.like(f"comments:{did}#%")))]
        streams = {}
        for name in [*names, *sorted(shards)]:
            evs = st.stream_events(conn, name)
            if evs:
                streams[name] = evs
    ids = {"meetings": mids, "cases": [c["id"] for c in cases],
           "tracking": tns + [o["tracking_number"] for o in opinions]}
    return {"streams": streams, "rows": out, "ids": ids}


def side_names(side: dict[str, Any], k: int) -> dict[str, str]:
    """The new ids of copy k's meetings, cases and tracking numbers (valid tracking numbers, derived from the
    template's and k)."""
    names = {m: f"{m}-{k}" for m in side["ids"]["meetings"]}
    names.update({c: f"{c}-{k}" for c in side["ids"]["cases"]})
    for tn in side["ids"]["tracking"]:
        bits = int.from_bytes(hashlib.sha256(f"{tn}|{k}".encode()).digest()[:8], "big") & ((1 << 55) - 1)
        names[tn] = dp.tracking_number(bits)
    return names


def _renamed_cell(value: Any, names: dict[str, str]) -> Any:
    """A stored cell renamed: an id, or JSON text (re-serialised in the form it was stored in)."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("{", "[") and len(value) > 2:
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return names.get(value, value)
        for option in (orjson.OPT_SORT_KEYS, None):
            if orjson.dumps(parsed, option=option).decode() == value:
                return orjson.dumps(_renamed(parsed, names, keys=True), option=option).decode()
        raise ValueError(f"stored JSON in an unknown form: {value[:60]}")
    return names.get(value, value)


def clone_side(side: dict[str, Any], new: str, names: dict[str, str]) -> tuple[list[dict[str, Any]],
                                                                             dict[str, list[dict[str, Any]]]]:
    """Copy k of a template decision's side streams, re-ided, re-canonicalised and re-chained, and the rows
    they project into, renamed the same way (the folds are keyed by these ids and nothing else)."""
    rows = []
    for name, template in side["streams"].items():
        kind, _, key = name.partition(":")
        base, hash_, shard = key.partition("#")
        stream = f"{kind}:{names.get(base, base)}{hash_}{shard}"
        prev = GENESIS
        for ev in template:
            env = {key: ev[key] for key in ("stream", "seq", "type", "v", "at", "actor", "payload")}
            env["stream"] = stream
            env["payload"] = _renamed(env["payload"], names, keys=True)
            body = canonical(env)
            digest = chain_hash(prev, body)
            a = env["actor"]
            rows.append({"stream": stream, "seq": env["seq"], "type": env["type"], "schema_version": 1,
                         "at": env["at"], "person": a["person"], "role": a["role"], "unit": a["unit"],
                         "body": body, "prev_hash": prev, "hash": digest})
            prev = digest
    tables = {table: [{c: _renamed_cell(v, names) for c, v in r.items()} for r in template_rows]
              for table, template_rows in side["rows"].items()}
    return rows, tables


def generate(ctx: Any, n: int, say: Any, streams: str = "decisions") -> dict[str, Any]:
    """N copies of the templates, committed 200 decisions per transaction. With streams="all", each copy
    also gets its own copy of its template's comment (main and shard), meeting and accountability streams
    (and documents, execution opinions), with their projection rows; by default those stay single."""
    temps = templates(ctx)
    with ctx.store.read() as conn:
        specs = {h: st.get_spec(conn, h) for _, h in temps}
    sides = [side_streams(ctx, evs[0]["payload"]["decision_id"]) for evs, _ in temps] if streams == "all" else []
    started, events, side_events = time.perf_counter(), 0, 0
    batch: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    side_rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in SIDE_TABLES}
    for k in range(n):
        evs, h = temps[k % len(temps)]
        new = f"MAD-s{k:08d}"
        extra: dict[str, str] = {}
        if sides:
            side = sides[k % len(temps)]
            extra = side_names(side, k)
            extra[evs[0]["payload"]["decision_id"]] = new
        rows, projection, arts = clone(evs, new, UNITS[k % len(UNITS)], k, specs[h], extra)
        batch[0].extend(rows)
        batch[1].append(projection)
        batch[2].extend(arts)
        events += len(rows)
        if sides:
            srows, tables = clone_side(sides[k % len(temps)], new, {**extra, **_artifact_names(evs, k)})
            batch[0].extend(srows)
            side_events += len(srows)
            for table, trows in tables.items():
                side_rows[table].extend(trows)
        if len(batch[1]) == 200 or k == n - 1:
            with ctx.store.write() as conn:
                conn.execute(insert(EVENTS), batch[0])
                conn.execute(insert(DECISIONS), batch[1])
                if batch[2]:
                    conn.execute(insert(ARTIFACTS), batch[2])
                for table in SIDE_TABLES:
                    if side_rows[table.name]:
                        conn.execute(insert(table), side_rows[table.name])
            batch = ([], [], [])
            side_rows = {t.name: [] for t in SIDE_TABLES}
            if (k + 1) % 10_000 == 0:
                say(f"  generated {k + 1:,} decisions, {events + side_events:,} events, "
                    f"{time.perf_counter() - started:.0f} s")
    seconds = time.perf_counter() - started
    out = {"decisions": n, "events": events, "seconds": round(seconds, 1),
           "events_per_s": round(events / seconds)}
    if sides:
        out.update(side_events=side_events, all_events=events + side_events,
                   events_per_s=round((events + side_events) / seconds))
    return out


def long_decision(ctx: Any, events: int, did: str | None = None) -> str:
    """A decision with `events` events: the demo's (or `did`'s, a copy of it), then execution reports appended
    and chained."""
    did = did or run_demo(ctx, lambda _: None, people=cast(ctx))
    with ctx.store.read() as conn:
        evs = st.stream_events(conn, f"decision:{did}")
    report = next(e for e in evs if e["type"] == "ArtifactRecorded" and e["payload"]["kind"] == "execution_report")
    at = max(e["at"] for e in evs)  # dated after the stream's last event: verify checks the time order
    with ctx.store.write() as conn:
        seq, prev = st.last_of(conn, f"decision:{did}")
        rows = []
        for i in range(events - len(evs)):
            seq += 1
            fields = dict(report["payload"]["fields"], summary=f"第{i}期进展报告")
            data = canonical(fields)  # an inline artifact's bytes are its canonical fields (verify checks)
            payload = dict(report["payload"], artifact_id=f"A-long-{did}-{i:06d}", fields=fields,
                           sha256=hashlib.sha256(data).hexdigest(), size=len(data))
            env = st.envelope(f"decision:{did}", seq, "ArtifactRecorded", at, report["actor"], payload)
            body = canonical(env)
            digest = chain_hash(prev, body)
            rows.append({"stream": env["stream"], "seq": seq, "type": env["type"], "schema_version": 1,
                         "at": env["at"], "person": env["actor"]["person"], "role": env["actor"]["role"],
                         "unit": env["actor"]["unit"], "body": body, "prev_hash": prev, "hash": digest})
            prev = digest
        conn.execute(insert(EVENTS), rows)
        # the projection as the engine would have kept it, so that `decide verify` passes on this decision
        evs = st.stream_events(conn, f"decision:{did}")
        d = Decision(st.get_spec(conn, evs[0]["payload"]["procedure"]["hash"]), resolve=lambda h: st.get_spec(conn, h))
        for ev in evs:
            d.apply(ev, refresh=False)
        d.refresh()
        st.save_decision(conn, d.state, previous_seq=int(st.load_decision(conn, did)["last_seq"]))
        # and the artifacts index, which verify rebuilds from the events too
        conn.execute(insert(ARTIFACTS), [st.artifact_values(did, d.state["artifacts"][f"A-long-{did}-{i:06d}"])
                                         for i in range(len(rows))])
    return did


# ------------------------------------------------------------------------------------------ timings
def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(fn: Any, n: int) -> dict[str, float]:
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(statistics.median(ms), 2), "p99_ms": round(pct(ms, 99), 2)}


# ------------------------------------------------------------------------------------------ HTTP load
free_port, cpu_seconds = procs.free_port, procs.cpu_seconds  # shared with bench/deploy_run.py and the tests


WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
LAT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", re.M)


def wrk(url: str, seconds: float, conns: int, script: Path | None, headers: dict[str, str]) -> dict[str, Any]:
    args = ["wrk", "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    if script:
        args += ["-s", str(script)]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*args, url], stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    lat = {m.group(1): float(m.group(2)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(3)] for m in LAT.finditer(out)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"req_s": float(WRK_LINE.search(out).group(1)) if WRK_LINE.search(out) else 0.0,  # type: ignore[union-attr]
            "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "wall_s": round(wall, 1)}


def serve(url: str, data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    api = procs.start_api("bench.peer_app:app", {"DECIDE_DATABASE_URL": url, "DECIDE_DATA_DIR": str(data_dir),
                                                 "DECIDE_PUBLIC_RATE_PER_MINUTE": "100000000"}, workers)
    return api.proc, api.base


def load(url: str, data_dir: Path, token: str, ids: dict[str, str], seconds: float,
         workers_list: list[int], say: Any) -> dict[str, Any]:
    lua = Path(tempfile.mkdtemp()) / "comment.lua"
    lua.write_text('wrk.method = "POST"\nwrk.body = \'{"text": "建议延长早晚高峰公交班次。"}\'\n'
                   'wrk.headers["Content-Type"] = "application/json"\n', encoding="utf-8")
    note = lua.parent / "note.lua"  # the peer insert: the same body as the comment, one durable row
    note.write_text('wrk.method = "POST"\nwrk.body = \'{"text": "建议延长早晚高峰公交班次。"}\'\n'
                    'wrk.headers["Content-Type"] = "application/json"\n', encoding="utf-8")
    auth = {"Authorization": f"Bearer {token}"}
    ops = [("health (baseline)", "/api/v1/health", None, {}),
           ("public read: docket", f"/api/v1/public/decisions/{ids['published']}", None, {}),
           ("peer: read JSON by key", f"/api/v1/bench-peer/decisions/{ids['published']}", None, auth),
           ("read a decision", f"/api/v1/decisions/{ids['published']}", None, auth),
           ("peer: durable insert", "/api/v1/bench-peer/notes", note, auth),
           ("list: status filter", "/api/v1/decisions?status=in_execution&limit=50", None, auth),
           ("search: title", "/api/v1/decisions?q=%E5%9E%83%E5%9C%BE&limit=50", None, auth),
           ("comment intake", f"/api/v1/public/decisions/{ids['waste']}/comments", lua, {})]
    writer, targets = gate_actors(url, data_dir)
    mixed = lua.parent / "mixed.lua"
    mixed.write_text(mixed_script(token, writer, ids, targets), encoding="utf-8")
    ops.append(("mixed (6 ops, 1/6 each)", "/api/v1/health", mixed, {}))
    results: dict[str, Any] = {}
    for workers in workers_list:
        proc, base = serve(url, data_dir, workers)
        try:
            for name, path, script, headers in ops:
                before_srv = cpu_seconds(proc.pid)
                t0 = os.times()
                r = wrk(f"{base}{path}", seconds, 16, script, headers)
                t1 = os.times()
                r["server_cpu_s"] = round(cpu_seconds(proc.pid) - before_srv, 1)
                r["wrk_cpu_s"] = round((t1.children_user + t1.children_system)
                                       - (t0.children_user + t0.children_system), 1)
                results[f"{workers}:{name}"] = r
                say(f"  workers={workers} {name:22} {r['req_s']:>8,.0f} req/s  p50 {r['p50_ms']} ms  "
                    f"p99 {r['p99_ms']} ms  server CPU {r['server_cpu_s']} s  wrk CPU {r['wrk_cpu_s']} s  "
                    f"non-2xx {r['non_2xx']}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return results


def gate_actors(url: str, data_dir: Path, n: int = 20) -> tuple[str, list[str]]:
    """A drafter of one unit with n started decisions to record consultations on (the gate acts of the mixed
    load), made on the system clock the server runs on; returns the drafter's token and the decisions."""
    from decision_engine.services import decisions as svc
    live = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
    try:
        drafter = identity.register_person(live, "压测经办人")
        identity.grant_role(live, drafter, "undertaking_unit", UNITS[0], reason="scale")
        head = identity.register_person(live, "压测行政首长")
        identity.grant_role(live, head, "admin_head", "某市人民政府", reason="scale")
        dids = []
        for i in range(n):
            did = svc.open_decision(live, drafter, title=f"压测事项{i}", category="public_project",
                                    unit=UNITS[0]).decision_id
            svc.record_artifact(live, head, did, "start_decision", {"lead_unit": UNITS[0], "units": [UNITS[0]]})
            dids.append(did)
        return identity.issue_token(live, drafter, ttl_days=30), dids
    finally:
        live.store.dispose()


def mixed_script(reader: str, writer: str, ids: dict[str, str], targets: list[str]) -> str:
    """A wrk script cycling through six operations in turn: the public docket, reading a decision, a status
    list, a title search, a public comment and a gate act (a consultation recorded on one of `targets`)."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a Lua string literal (LuaJIT has no \\u escapes)
    return f"""
local reader = {{["Authorization"] = {q("Bearer " + reader)}}}
local writer = {{["Authorization"] = {q("Bearer " + writer)}, ["Content-Type"] = "application/json"}}
local json = {{["Content-Type"] = "application/json"}}
local targets = {{{", ".join(q(t) for t in targets)}}}
local comment = {q(json.dumps({"text": "建议延长早晚高峰公交班次。"}, ensure_ascii=False))}
local artifact = {q(json.dumps({"kind": "consultation", "fields": {"unit": "某市财政局", "opinion": "同意"}},
                                ensure_ascii=False))}
local i = 0
request = function()
  i = i + 1
  local k = i % 6
  if k == 0 then return wrk.format("GET", {q("/api/v1/public/decisions/" + ids["published"])}) end
  if k == 1 then return wrk.format("GET", {q("/api/v1/decisions/" + ids["published"])}, reader) end
  if k == 2 then return wrk.format("GET", "/api/v1/decisions?status=in_execution&limit=50", reader) end
  if k == 3 then return wrk.format("GET", "/api/v1/decisions?q=%E5%9E%83%E5%9C%BE&limit=50", reader) end
  if k == 4 then return wrk.format("POST", {q("/api/v1/public/decisions/" + ids["waste"] + "/comments")}, json, comment) end
  return wrk.format("POST", "/api/v1/decisions/" .. targets[(i % #targets) + 1] .. "/artifacts", writer, artifact)
end
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--decisions", type=int, default=100_000)
    ap.add_argument("--long-events", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--keep", action="store_true", help="keep the database and data folder (their names are "
                    "printed: bench/read_scale.py reads them)")
    ap.add_argument("--streams", choices=("decisions", "all"), default="decisions",
                    help="all: copy each template's comment, meeting and accountability streams too (issue 19)")
    ap.add_argument("--generate-only", action="store_true", help="generate (and verify up to --verify-max "
                    "decisions), print the size, stop")
    ap.add_argument("--verify-max", type=int, default=20_000, help="run `decide verify` up to this many decisions")
    args = ap.parse_args()
    say = print
    url, name = fresh_db()
    data_dir = Path(tempfile.mkdtemp(prefix="decide-scale-"))
    report: dict[str, Any] = {}
    try:
        ctx = bootstrap.build(Settings(data_dir=data_dir, database_url=url), clock=demo_clock())
        say(f"generating {args.decisions:,} decisions (streams: {args.streams}) on PostgreSQL ({name}) …")
        report["generate"] = gen = generate(ctx, args.decisions, say, streams=args.streams)
        total = gen.get("all_events", gen["events"])
        say(f"(1) generated {gen['decisions']:,} decisions, {total:,} events ({gen['events']:,} in decision "
            f"streams) in {gen['seconds']} s ({gen['events_per_s']:,} events/s); load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            row = conn.execute("SELECT pg_database_size(current_database()), "
                               "(SELECT count(*) FROM events), (SELECT count(DISTINCT stream) FROM events)").fetchone()
            assert row is not None
            report["generate"].update(db_bytes=row[0], events_in_db=row[1], streams_in_db=row[2])
            say(f"    database {row[0] / 1e9:.2f} GB; {row[1]:,} events in {row[2]:,} streams (templates included)")
        sample = verification.verify(ctx, workers=2, replay=True) if args.decisions <= args.verify_max else None
        if sample is not None:
            say(f"    verify: {sample.events:,} events, {sample.streams:,} streams, {sample.decisions:,} projections "
                f"— {'OK' if sample.ok else sample.findings[:3]}")
            report["generate"]["verify_ok"] = sample.ok
        if args.generate_only:
            ctx.store.dispose()
            out = ROOT / "bench" / "out"
            out.mkdir(exist_ok=True)
            (out / "scale-generate.json").write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
            if args.keep:
                say(f"kept: DECIDE_DATABASE_URL={url} DECIDE_DATA_DIR={data_dir}")
            return
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            conn.execute("ANALYZE")
        lists = {
            "first page (50)": lambda: queries.list_decisions(ctx, limit=50),
            "status = in_execution": lambda: queries.list_decisions(ctx, status="in_execution", limit=50),
            "unit + status": lambda: queries.list_decisions(ctx, unit=UNITS[3], status="in_procedure", limit=50),
            "search title '垃圾'": lambda: queries.list_decisions(ctx, q="垃圾", limit=50),
            "overdue": lambda: queries.list_decisions(ctx, overdue=True, limit=50),
        }
        report["list"] = {}
        for label, fn in lists.items():
            report["list"][label] = r = timed(fn, 200)
            say(f"(2) list/search {label:24} p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms (target p99 < 50 ms)")
        did = long_decision(ctx, args.long_events)

        def replay() -> None:
            with ctx.store.read() as conn:
                queries.replay(conn, did)
        report["replay"] = r = timed(replay, 20)
        say(f"(3) replay of a decision with {args.long_events:,} events: p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms "
            "(target < 50 ms) — the full fold from the first event, as `decide verify` does")
        # the server runs on the system clock (the generator's manual clock ran ahead of it): the reader and
        # its token are made on the system clock too, or the role would not yet be held
        live = bootstrap.build(Settings(data_dir=data_dir, database_url=url))
        auditor = identity.register_person(live, "压测审计员")
        identity.grant_role(live, auditor, "auditor", "某市审计局", reason="scale")
        token = identity.issue_token(live, auditor, ttl_days=30)
        live.store.dispose()
        with ctx.store.read() as conn:
            waste = conn.exec_driver_sql("SELECT id FROM decisions WHERE title LIKE '%%垃圾分类%%' "
                                         "AND id NOT LIKE 'MAD-s%%'").scalar_one()
            published = conn.exec_driver_sql("SELECT id FROM decisions WHERE status = 'in_execution' "
                                              "ORDER BY id LIMIT 1").scalar_one()
        ctx.store.dispose()
        if shutil.which("wrk"):
            report["http"] = load(url, data_dir, token, {"waste": waste, "published": published}, args.seconds,
                                  [int(w) for w in args.workers.split(",")], say)
            one = report["http"].get("1:read a decision", {}).get("req_s") or 0
            two = report["http"].get("2:read a decision", {}).get("req_s") or 0
            if one and two:
                say(f"(4) scaling 1 → 2 workers (read a decision): {two / one:.2f}× (target ≥ 1.6×)")
            for w in args.workers.split(","):
                h = report["http"]
                peer_r = h.get(f"{w}:peer: read JSON by key", {}).get("req_s") or 0
                peer_w = h.get(f"{w}:peer: durable insert", {}).get("req_s") or 0
                if peer_r:
                    say(f"(5) workers={w}: read a decision / peer read "
                        f"{(h.get(f'{w}:read a decision', {}).get('req_s') or 0) / peer_r:.2f} (goal ≥ 0.5)")
                if peer_w:
                    say(f"    workers={w}: comment intake / peer insert "
                        f"{(h.get(f'{w}:comment intake', {}).get('req_s') or 0) / peer_w:.2f}")
        else:
            say("wrk is not installed (apt-get install wrk): HTTP load skipped")
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "scale.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        if not args.keep:
            drop_db(name)
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
